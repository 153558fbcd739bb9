#!/usr/bin/env python3
"""Benchmark imslint against ``grep -rl`` (the floor) and, optionally, Semgrep.

Builds a large corpus without network under ``bench/corpus/`` (every ``.py`` file of the running
interpreter's standard library and site-packages, plus the project venv's site-packages), plants
copies of ``fixtures/sample_project`` and of ``fixtures/cases/*/before.py`` at known places, records
the planted findings by running imslint on the planted files alone, then times:

* ``grep -rlF`` for the abandoned paths (the floor),
* ``imslint check`` over the whole corpus,
* ``imslint fix --diff`` over the whole corpus,
* ``semgrep scan`` with an equivalent rule (``--with-semgrep``; installed into a throwaway venv),
* ``imslint check`` on 5 clean files (the pre-commit case) against ``python -c pass``.

Each figure is the median of ``--runs`` runs after one warm-up run (warm page cache). It checks
that imslint's findings over the whole corpus are exactly the planted ones, and that
``fix --diff`` touches exactly the planted files it touches alone; it exits 1 when not.

    .venv/bin/python bench/bench.py [--runs 5] [--jobs N] [--with-semgrep] [--rebuild]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import site
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

PROJECT = Path(__file__).resolve().parent.parent
BENCH = PROJECT / "bench"
DEFAULT_CORPUS = BENCH / "corpus"
MANIFEST = ".bench-manifest.json"
CORPUS_FORMAT = 1
SEMGREP_VENV = Path("/tmp/semgrep-venv")
SEMGREP_RULE = BENCH / "semgrep-ims001.yaml"

# What grep looks for: the abandoned paths as they appear literally (fixed strings). It cannot see
# f"{endpoint}/{API_VERSION}/images/detail", so it is a floor for the cost, not for the findings.
GREP_PATTERNS = ("images/detail", "/v1/images", "/v1.1/images")

# The corpus root gets its own configuration: lint every .py file, as grep and semgrep do (the
# default excludes would skip directories such as ``site-packages``, ``build`` and ``dist``, and
# the project's .gitignore ignores bench/corpus/).
CORPUS_CONFIG = "# written by bench/bench.py: lint every .py file, as grep does\nexclude = []\nrespect-gitignore = false\n"

# Targets of the performance issue (2-core machine).
TARGETS = {"check": 2.0, "fix --diff": 3.0, "semgrep": 100.0, "pre-commit": 0.3}


# -- corpus ------------------------------------------------------------------------------------------------


def source_trees() -> List[Tuple[str, Path]]:
    """(label, directory) of the .py trees to copy: stdlib, then every site-packages, each once."""
    candidates: List[Tuple[str, str]] = [("stdlib", sysconfig.get_paths()["stdlib"])]
    for path in site.getsitepackages() + [site.getusersitepackages()]:
        candidates.append(("site-packages", path))
    project_venv = PROJECT / ".venv" / "lib"
    candidates += [("venv-site-packages", str(p)) for p in sorted(project_venv.glob("python3*/site-packages"))]
    trees: List[Tuple[str, Path]] = []
    for label, path in candidates:
        real = Path(os.path.realpath(path))
        if not real.is_dir() or any(real == seen or seen in real.parents for _, seen in trees):
            continue
        names = {name for name, _ in trees}
        name, n = label, 2
        while name in names:
            name, n = f"{label}-{n}", n + 1
        trees.append((name, real))
    return trees


def copy_tree(source: Path, destination: Path, corpus: Path) -> Tuple[int, int]:
    """Copies the regular ``*.py`` files of ``source``; returns (files, bytes)."""
    files = size = 0
    for directory, subdirectories, names in os.walk(source):  # symbolic links to directories not followed
        here = Path(directory)
        subdirectories[:] = sorted(
            d for d in subdirectories if d != "__pycache__" and corpus not in (here / d).resolve().parents
            and (here / d).resolve() != corpus
        )
        for name in sorted(names):
            path = here / name
            if not name.endswith(".py") or path.is_symlink() or not path.is_file():
                continue
            target = destination / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            files += 1
            size += target.stat().st_size
    return files, size


def plant_sites(corpus: Path, count: int) -> List[Path]:
    """``count`` directories spread over the corpus, chosen deterministically."""
    directories = sorted(
        Path(d).relative_to(corpus) for d, _, names in os.walk(corpus) if any(n.endswith(".py") for n in names)
    )
    directories = [d for d in directories if len(d.parts) >= 2]
    if not directories:
        return [Path(".")] * count
    step = max(1, len(directories) // (count + 1))
    return [directories[min(len(directories) - 1, step * (i + 1))] for i in range(count)]


def plant(corpus: Path) -> List[str]:
    """Copies the fixtures into the corpus; returns the planted paths relative to the project."""
    cases = sorted((PROJECT / "fixtures" / "cases").glob("*/before.py"))[:12]
    sites = plant_sites(corpus, 3 + len(cases))
    planted: List[str] = []
    for i, site_dir in enumerate(sites[:3]):  # the sample project, three times, at different depths
        target = corpus / site_dir / f"ims_planted_sample_{i}"
        shutil.copytree(PROJECT / "fixtures" / "sample_project", target, ignore=shutil.ignore_patterns("__pycache__"))
        planted.append(str(target.relative_to(PROJECT)))
    for case, site_dir in zip(cases, sites[3:]):
        target = corpus / site_dir / f"ims_planted_case_{case.parent.name.replace('-', '_')}.py"
        shutil.copyfile(case, target)
        planted.append(str(target.relative_to(PROJECT)))
    return planted


def corpus_stats(corpus: Path) -> Tuple[int, int]:
    files = size = 0
    for directory, _, names in os.walk(corpus):
        for name in names:
            if name.endswith(".py"):
                files += 1
                size += os.path.getsize(os.path.join(directory, name))
    return files, size


def fixture_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((PROJECT / "fixtures").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PROJECT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def build_corpus(corpus: Path, rebuild: bool) -> dict:
    """The corpus's manifest, building the corpus when missing, stale or ``rebuild``."""
    trees = source_trees()
    wanted = {"format": CORPUS_FORMAT, "sources": [[label, str(path)] for label, path in trees],
              "fixtures": fixture_digest()}
    manifest_path = corpus / MANIFEST
    if not rebuild and manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        if all(manifest.get(key) == value for key, value in wanted.items()):
            return manifest
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    started = time.perf_counter()
    for label, path in trees:
        files, size = copy_tree(path, corpus / label, corpus)
        print(f"corpus: {files:6d} files, {size / 1e6:7.1f} MB from {path}", flush=True)
    (corpus / ".imslint.toml").write_text(CORPUS_CONFIG)
    (corpus / ".semgrepignore").write_text("# empty: semgrep scans every file, as grep and imslint do\n")
    planted = plant(corpus)
    files, size = corpus_stats(corpus)
    print(f"corpus: {files} files, {size / 1e6:.1f} MB in {corpus} ({time.perf_counter() - started:.1f}s)", flush=True)
    manifest = dict(wanted, planted=planted, files=files, bytes=size)
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest


# -- running commands -----------------------------------------------------------------------------------------


def imslint_command() -> List[str]:
    script = Path(sys.executable).parent / "imslint"
    if script.is_file():
        return [str(script)]
    found = shutil.which("imslint")
    return [found] if found else [sys.executable, "-m", "linter"]


def run_imslint(arguments: Sequence[str]) -> subprocess.CompletedProcess:
    return subprocess.run([*imslint_command(), *arguments], cwd=PROJECT, capture_output=True, text=True)


def finding_keys(json_text: str) -> List[List[object]]:
    return sorted([f["path"], f["line"], f["column"], f["code"]] for f in json.loads(json_text or "[]"))


def expected_findings(planted: Sequence[str]) -> List[List[object]]:
    result = run_imslint(["check", "-o", "json", "--exit-zero", *planted])
    if result.returncode != 0:
        sys.exit(f"imslint failed on the planted files:\n{result.stderr}")
    return finding_keys(result.stdout)


def diffed_files(diff: str) -> set:
    return {line[len("+++ b/"):] for line in diff.splitlines() if line.startswith("+++ b/")}


def timed(command: Sequence[str], runs: int, warm_up: bool = True, **kwargs) -> Tuple[List[float], subprocess.CompletedProcess]:
    """Wall-clock seconds of ``runs`` runs (after one warm-up run), and the last run's result."""
    if warm_up:
        result = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, **kwargs)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, **kwargs)
        times.append(time.perf_counter() - started)
    return times, result


# -- semgrep ------------------------------------------------------------------------------------------------------




def ensure_semgrep() -> Optional[str]:
    """The semgrep executable of the throwaway venv, installing it on first use; None if impossible."""
    executable = SEMGREP_VENV / "bin" / "semgrep"
    if executable.is_file():
        return str(executable)
    print(f"semgrep: installing into {SEMGREP_VENV} (its pins conflict with imslint's)...", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(SEMGREP_VENV)], check=True, capture_output=True)
        subprocess.run([str(SEMGREP_VENV / "bin" / "pip"), "install", "--quiet", "semgrep"], check=True,
                       capture_output=True, text=True, timeout=900)
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", "") or exc
        print(f"semgrep: cannot be installed ({str(detail).strip()[-300:]}); continuing without it", flush=True)
        return None
    return str(executable) if executable.is_file() else None


def semgrep_command(executable: str, corpus: str, jobs: Optional[int]) -> List[str]:
    command = [executable, "scan", "--config", str(SEMGREP_RULE), "--metrics", "off", "--disable-version-check",
               "--no-git-ignore", "--max-target-bytes", "0", "--quiet", "--json", "--include", "*.py"]
    if jobs:
        command += ["--jobs", str(jobs)]
    return command + [corpus]


SEMGREP_ENV = dict(os.environ, SEMGREP_SEND_METRICS="off", SEMGREP_ENABLE_VERSION_CHECK="0")
# imslint's cache (results and pre-filter index) lives here during the benchmark, emptied first.
CACHE_DIR = BENCH / ".imslint_cache"
WARM = dict(os.environ, IMSLINT_CACHE_DIR=str(CACHE_DIR))
COLD = dict(os.environ, IMSLINT_NO_CACHE="1")


# -- the report -------------------------------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def row(name: str, times: List[float], floor: Optional[float], files: int, size: int) -> str:
    median = statistics.median(times)
    ratio = f"{median / floor:6.1f}x" if floor else "      "
    rate = f"{files / median:10,.0f} | {size / 1e6 / median:8.1f}" if files else f"{'':>10} | {'':>8}"
    return f"| {name:<34} | {median:8.3f} | {min(times):8.3f} | {ratio} | {rate} |"


HEADER = ("| command                            | median s |  best s  | /grep  |    files/s |     MB/s |\n"
          "|------------------------------------|---------:|---------:|-------:|-----------:|---------:|")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (median reported)")
    parser.add_argument("--jobs", type=int, default=None, help="passed to imslint --jobs and semgrep --jobs")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the corpus even when it is current")
    parser.add_argument("--with-semgrep", action="store_true", help=f"install semgrep into {SEMGREP_VENV} and time it")
    parser.add_argument("--json", type=Path, help="also write the measurements to this file")
    args = parser.parse_args(argv)

    corpus = args.corpus.resolve()
    manifest = build_corpus(corpus, args.rebuild)
    # What imslint finds on the planted files alone (recomputed each run: the rules evolve).
    manifest["expected"] = expected_findings(manifest["planted"])
    alone = run_imslint(["fix", "--diff", "-q", *manifest["planted"]])
    manifest["expected_diff_files"] = sorted(diffed_files(alone.stdout))
    files, size = manifest["files"], manifest["bytes"]
    shown = os.path.relpath(corpus, PROJECT)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    print(f"machine: {machine()}")
    print(f"corpus:  {shown}: {files} files, {size / 1e6:.1f} MB; planted: {len(manifest['planted'])} places, "
          f"{len(manifest['expected'])} findings; {args.runs} runs each, median\n", flush=True)

    results: Dict[str, List[float]] = {}
    lines = []
    grep = ["grep", "-rlF", "--include=*.py", *(f"-e{p}" for p in GREP_PATTERNS), shown]
    results["grep"], _ = timed(grep, args.runs)
    floor = statistics.median(results["grep"])

    shutil.rmtree(CACHE_DIR, ignore_errors=True)
    check = [*imslint_command(), "check", "-o", "json", "--exit-zero", *jobs, shown]
    diff = [*imslint_command(), "fix", "--diff", "-q", *jobs, shown]
    cold_runs = max(1, min(args.runs, 3))
    results["check, no cache"], cold_check = timed(check, cold_runs, warm_up=False, env=COLD)
    results["fix --diff, no cache"], cold_diff = timed(diff, cold_runs, warm_up=False, env=COLD)
    results["check"], check_result = timed(check, args.runs, env=WARM)  # the warm-up run fills the cache
    results["fix --diff"], diff_result = timed(diff, args.runs, env=WARM)

    semgrep_note = "not run (add --with-semgrep)"
    semgrep_found = None
    if args.with_semgrep:
        executable = ensure_semgrep()
        if executable is None:
            semgrep_note = "could not be installed"
        else:
            command = semgrep_command(executable, shown, args.jobs)
            results["semgrep"], semgrep_result = timed(command, cold_runs, warm_up=False, env=SEMGREP_ENV)
            try:
                semgrep_found = sorted({r["path"] for r in json.loads(semgrep_result.stdout)["results"]})
                semgrep_note = f"{len(semgrep_found)} files flagged"
            except (ValueError, KeyError):
                semgrep_note = f"failed: {semgrep_result.stderr.strip()[-300:]}"
                del results["semgrep"]

    names = {"grep": f"grep -rlF ({len(GREP_PATTERNS)} paths)", "check": "imslint check (warm cache)",
             "fix --diff": "imslint fix --diff (warm cache)", "check, no cache": "imslint check (no cache)",
             "fix --diff, no cache": "imslint fix --diff (no cache)", "semgrep": "semgrep (1 rule)"}
    lines.append(HEADER)
    for key, times in results.items():
        lines.append(row(names[key], times, floor, files, size))

    # The pre-commit case: 5 clean files, against the interpreter's own start-up.
    clean = pick_clean_files(corpus, manifest)
    pass_times, _ = timed([sys.executable, "-c", "pass"], args.runs * 2)
    small_times, small = timed([*imslint_command(), "check", *clean], args.runs * 2, env=WARM)
    small_size = sum(os.path.getsize(PROJECT / p) for p in clean)
    lines.append(row("python -c pass", pass_times, None, 0, 0))
    lines.append(row("imslint check (5 clean files)", small_times, None, 5, small_size))
    table = "\n".join(lines)
    print(table)
    print(f"\nsemgrep: {semgrep_note}")

    ok = all([verify(manifest, check_result, diff_result, small, "warm cache"),
              verify(manifest, cold_check, cold_diff, small, "no cache")])
    report_targets(results, floor, statistics.median(small_times))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "files": files, "bytes": size, "runs": args.runs,
                                         "times": results, "pre_commit": small_times, "python_pass": pass_times,
                                         "semgrep_flagged": semgrep_found, "table": table}, indent=1))
    return 0 if ok else 1


def pick_clean_files(corpus: Path, manifest: dict) -> List[str]:
    """Five clean files of typical size (4-30 kB, no ``images``) from the stdlib part of the corpus."""
    chosen: List[str] = []
    for name in ("argparse.py", "json/decoder.py", "textwrap.py", "shlex.py", "fnmatch.py", "string.py",
                 "bisect.py", "colorsys.py", "heapq.py", "queue.py"):
        path = corpus / "stdlib" / name
        if path.is_file() and b"images" not in path.read_bytes():
            chosen.append(str(path.relative_to(PROJECT)))
        if len(chosen) == 5:
            break
    if len(chosen) < 5:
        planted = tuple(manifest["planted"])
        for directory, _, names in os.walk(corpus):
            for name in sorted(names):
                path = Path(directory) / name
                relative = str(path.relative_to(PROJECT))
                if name.endswith(".py") and not relative.startswith(planted) and b"images" not in path.read_bytes():
                    chosen.append(relative)
                if len(chosen) == 5:
                    return chosen
    return chosen


def verify(manifest: dict, check: subprocess.CompletedProcess, diff: subprocess.CompletedProcess,
           small: subprocess.CompletedProcess, label: str) -> bool:
    ok = True
    print(f"\n{label}:")
    try:
        found = finding_keys(check.stdout)
    except ValueError:
        print(f"FAIL: imslint check did not print JSON: {check.stderr.strip()[-500:]}")
        return False
    unreadable = [f for f in found if f[3] == "IMS000"]
    found = [f for f in found if f[3] != "IMS000"]
    expected = manifest["expected"]
    if found == expected:
        print(f"OK: imslint check found exactly the {len(expected)} planted findings "
              f"(plus {len(unreadable)} IMS000 for files of the corpus that do not decode or parse)")
    else:
        ok = False
        missing = [f for f in expected if f not in found]
        extra = [f for f in found if f not in expected]
        print(f"FAIL: imslint check: {len(missing)} planted findings missing, {len(extra)} unexpected")
        for finding in missing[:20]:
            print("  missing:   ", *finding)
        for finding in extra[:20]:
            print("  unexpected:", *finding)
    diffed = sorted(diffed_files(diff.stdout))
    if diffed == manifest["expected_diff_files"]:
        print(f"OK: imslint fix --diff changed exactly the {len(diffed)} planted files it changes alone")
    else:
        ok = False
        print(f"FAIL: imslint fix --diff changed {diffed}, expected {manifest['expected_diff_files']}")
    if small.returncode != 0:
        ok = False
        print(f"FAIL: imslint check on 5 clean files exited {small.returncode}: {small.stdout}{small.stderr}")
    return ok


def report_targets(results: Dict[str, List[float]], floor: float, pre_commit: float) -> None:
    print("\ntargets (2-core machine):")
    for key, limit in (("check", TARGETS["check"]), ("fix --diff", TARGETS["fix --diff"])):
        ratio = statistics.median(results[key]) / floor
        print(f"  {key:<12} {ratio:6.1f}x grep   (target <= {limit}x)  {'met' if ratio <= limit else 'NOT met'}")
    if "semgrep" in results:
        speedup = statistics.median(results["semgrep"]) / statistics.median(results["check"])
        met = "met" if speedup >= TARGETS["semgrep"] else "NOT met"
        print(f"  {'vs semgrep':<12} {speedup:6.1f}x faster (target >= {TARGETS['semgrep']:.0f}x)  {met}")
    met = "met" if pre_commit < TARGETS["pre-commit"] else "NOT met"
    print(f"  {'pre-commit':<12} {pre_commit:6.3f}s       (target < {TARGETS['pre-commit']}s)  {met}")


if __name__ == "__main__":
    sys.exit(main())
