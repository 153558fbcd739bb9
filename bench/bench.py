#!/usr/bin/env python3
"""Benchmark imslint against ``grep -rl`` (the floor) and, optionally, Semgrep.

Two corpora (``--corpus stdlib|cloud|both``, default stdlib):

* **stdlib**, built without network under ``bench/corpus/``: every ``.py`` file of the running
  interpreter's standard library and site-packages, plus the project venv's site-packages;
* **cloud**, under ``bench/.cache/cloud-bench/``: the ``.py`` files of the pinned OpenStack-family
  and cloud-SDK releases of ``bench/corpus.py`` (downloaded once from the package registry and
  cached under ``bench/.cache/``).

Into each it plants copies of ``fixtures/sample_project`` and of ``fixtures/cases/*/before.py`` at
known places, records the planted findings by running imslint on the planted files alone, then times:

* ``grep -rlF`` for the abandoned paths (the floor),
* ``imslint check`` over the whole corpus, without and with a (warm) cache,
* ``imslint fix --diff`` over the whole corpus, likewise (``--no-fix-diff`` skips it),
* ``semgrep scan`` with an equivalent rule (``--with-semgrep``; installed into a throwaway venv),
* ``imslint check`` on 5 clean files (the pre-commit case) against ``python -c pass``.

imslint's own modules are byte-compiled first, as ``pip install`` does: where
``PYTHONDONTWRITEBYTECODE`` is set, every run would otherwise compile them again (about 50 ms, a
fifth of a warm run). Each figure is the median of ``--runs`` runs (cached ones after one warm-up
run; uncached ones and Semgrep at most 3 runs); ratios are against grep and Semgrep of the same run. On the stdlib corpus
it checks that imslint's findings are exactly the planted ones, with and without the cache, and
that ``fix --diff`` touches exactly the planted files it touches alone. On the cloud corpus (real
code has findings) it records the findings per code and per package and checks that they are
identical with and without the cache, that the planted files' findings are unchanged inside the
corpus, and identical with the pre-filter off (``IMSLINT_NO_PREFILTER=1``; only IMS000 of files
the pre-filter never parses may be added there). It exits 1 when a check fails.

``--phase-profile`` profiles ``imslint check --no-cache --jobs 1`` on the cloud corpus with
cProfile and prints the time per phase; ``--large-file`` times one file of 1,000, one of 10,000
request calls and one of 40 MB, with peak RSS (reported, not asserted).

    .venv/bin/python bench/bench.py [--corpus stdlib|cloud|both] [--runs 5] [--jobs N] [--with-semgrep]
                                    [--rebuild] [--no-fix-diff] [--phase-profile] [--large-file] [--json FILE]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import resource
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
CLOUD_CORPUS = BENCH / ".cache" / "cloud-bench"
MANIFEST = ".bench-manifest.json"
CORPUS_FORMAT = 2  # 2: no case planted in a test directory
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


_TEST_DIRECTORY = re.compile(r"/(tests?|testing|functional|unit|fakes?)/")


def plant_sites(corpus: Path, count: int) -> List[Path]:
    """``count`` directories spread over the corpus, chosen deterministically."""
    directories = sorted(
        Path(d).relative_to(corpus) for d, _, names in os.walk(corpus) if any(n.endswith(".py") for n in names)
    )
    # Not in test directories: a project that serves the abandoned API has its tests left alone
    # (IMS008), and a case planted there would not be reported, by design.
    directories = [d for d in directories if len(d.parts) >= 2 and not _TEST_DIRECTORY.search(f"/{d.as_posix()}/")]
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

    def fill() -> None:
        for label, path in trees:
            files, size = copy_tree(path, corpus / label, corpus)
            print(f"corpus: {files:6d} files, {size / 1e6:7.1f} MB from {path}", flush=True)

    return _built(corpus, wanted, rebuild, fill)


def _built(corpus: Path, wanted: dict, rebuild: bool, fill) -> dict:
    """The manifest of ``corpus`` when it matches ``wanted``; else the corpus made afresh by
    ``fill`` (the source trees), the configuration and the planted cases, and its new manifest."""
    manifest_path = corpus / MANIFEST
    if not rebuild and manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        if all(manifest.get(key) == value for key, value in wanted.items()):
            return manifest
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    started = time.perf_counter()
    fill()
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
CLOUD_CACHE_DIR = BENCH / ".cache" / "imslint_cache-cloud"
WARM = dict(os.environ, IMSLINT_CACHE_DIR=str(CACHE_DIR))
COLD = dict(os.environ, IMSLINT_NO_CACHE="1")


# -- the report -------------------------------------------------------------------------------------------------------


def compile_imslint() -> None:
    """Byte-compiles imslint's modules (``compileall`` writes them whatever the environment says)."""
    import compileall

    import linter
    from linter import rules

    for package in {os.path.dirname(linter.__file__), os.path.dirname(rules.__file__)}:
        compileall.compile_dir(package, quiet=1)


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


def row(name: str, times: List[float], floor: Optional[float], files: int, size: int,
        semgrep: Optional[float] = None) -> str:
    median = statistics.median(times)
    ratio = f"{median / floor:6.1f}x" if floor else "      "
    versus = f"{median / semgrep:8.2f}x" if semgrep else "         "
    rate = f"{files / median:10,.0f} | {size / 1e6 / median:8.1f}" if files else f"{'':>10} | {'':>8}"
    return f"| {name:<34} | {median:8.3f} | {min(times):8.3f} | {ratio} | {versus} | {rate} |"


HEADER = ("| command                            | median s |  best s  | /grep  | /semgrep  |    files/s |     MB/s |\n"
          "|------------------------------------|---------:|---------:|-------:|----------:|-----------:|---------:|")


# -- the cloud corpus ------------------------------------------------------------------------------------------


def cloud_module():
    """``bench/corpus.py`` (the pinned releases), imported from beside this script."""
    # Loaded by path: ``bench/corpus/`` (the stdlib corpus, a directory) would shadow a plain import.
    module = sys.modules.get("bench_corpus")
    if module is None:
        import importlib.util

        spec = importlib.util.spec_from_file_location("bench_corpus", BENCH / "corpus.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_corpus"] = module
        spec.loader.exec_module(module)
    return module


def link_tree(source: Path, destination: Path) -> Tuple[int, int]:
    """Hard-links (or copies, across file systems) the regular ``*.py`` files of ``source``."""
    files = size = 0
    for path in cloud_module().py_files(source):
        target = destination / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
        files += 1
        size += target.stat().st_size
    return files, size


def build_cloud_corpus(corpus: Path, rebuild: bool) -> dict:
    """The cloud corpus's manifest: the ``.py`` files of every pinned release (``bench/corpus.py``,
    downloaded and unpacked first when missing) under ``<name>-<version>/``, plus the planted
    fixtures and the same root configuration as the stdlib corpus."""
    cloud = cloud_module()
    trees = cloud.ensure(quiet=False)
    sources = []
    for package, tree in trees:
        archive = cloud.archive_of(package)
        sources.append([package.key, archive.name if archive else None, archive.stat().st_size if archive else None])
    wanted = {"format": CORPUS_FORMAT, "kind": "cloud", "sources": sources, "fixtures": fixture_digest()}

    def fill() -> None:
        for package, tree in trees:
            files, size = link_tree(tree, corpus / package.key)
            print(f"corpus: {files:6d} files, {size / 1e6:7.1f} MB from {package.key}", flush=True)

    return _built(corpus, wanted, rebuild, fill)


def codes_count(keys: List[List[object]]) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for key in keys:
        counts[key[3]] = counts.get(key[3], 0) + 1
    return dict(sorted(counts.items()))


def per_package(keys: List[List[object]], corpus_shown: str, planted: Sequence[str] = ()) -> Dict[str, Dict[str, int]]:
    """Findings per code per top directory of the corpus (a package of the cloud corpus); those
    of the planted fixtures apart."""
    result: Dict[str, Dict[str, int]] = {}
    prefix = corpus_shown.rstrip("/") + "/"
    planted = tuple(planted)
    for path, _, _, code in keys:
        relative = path[len(prefix):] if path.startswith(prefix) else path
        top = "(planted fixtures)" if planted and path.startswith(planted) else relative.split("/", 1)[0]
        counts = result.setdefault(top, {})
        counts[code] = counts.get(code, 0) + 1
    return {top: dict(sorted(c.items())) for top, c in sorted(result.items())}


# The pre-filter-off comparison (issue 11: "findings identical to a run with the pre-filter off"):
# ``IMSLINT_NO_PREFILTER=1`` (``linter.prefilter.disabled``) makes every readable file a candidate;
# run once per corpus, without the cache, its findings must equal the cold run's.
NO_PREFILTER = dict(COLD, IMSLINT_NO_PREFILTER="1")


def prefilter_off_check(shown: str, jobs: List[str], cold_keys: List[List[object]]) -> Tuple[Optional[bool], str, Optional[float]]:
    """(ok, note, seconds) of the findings with the pre-filter off."""
    command = [*imslint_command(), "check", "-o", "json", "--exit-zero", *jobs, shown]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, env=NO_PREFILTER)
    seconds = time.perf_counter() - started
    try:
        keys = finding_keys(result.stdout)
    except ValueError:
        return False, f"FAIL: imslint check with IMSLINT_NO_PREFILTER=1 did not print JSON: {result.stderr.strip()[-300:]}", seconds
    if keys == cold_keys:
        return True, f"OK: findings identical with the pre-filter off ({len(keys)}; {seconds:.1f}s)", seconds
    missing = [k for k in keys if k not in cold_keys]
    extra = [k for k in cold_keys if k not in keys]
    # A file the pre-filter keeps nothing of is never parsed, so only the run without it says that
    # one does not parse (``linter/prefilter.py``): IMS000 there, and nothing else, is expected.
    unparsed = [k for k in missing if "IMS000" in k]
    if not extra and len(unparsed) == len(missing):
        return True, (f"OK: findings identical with the pre-filter off ({len(cold_keys)}), but for {len(unparsed)} "
                      f"IMS000 of files the pre-filter never parses ({seconds:.1f}s)"), seconds
    lines = [f"FAIL: pre-filter off finds {len(missing)} findings the normal run misses, {len(extra)} it does not"]
    lines += [f"  missed by the pre-filter: {' '.join(map(str, k))}" for k in missing[:20]]
    lines += [f"  only with the pre-filter: {' '.join(map(str, k))}" for k in extra[:20]]
    return False, "\n".join(lines), seconds


# -- one corpus: timings and checks ------------------------------------------------------------------------------


NAMES = {"grep": f"grep -rlF ({len(GREP_PATTERNS)} paths)", "check": "imslint check (warm cache)",
         "fix --diff": "imslint fix --diff (warm cache)", "check, no cache": "imslint check (no cache)",
         "fix --diff, no cache": "imslint fix --diff (no cache)", "semgrep": "semgrep (1 rule)"}


def bench_corpus(kind: str, args) -> Tuple[bool, dict]:
    """Builds (when needed), times and checks one corpus; (ok, measurements)."""
    if kind == "stdlib":
        corpus = (args.corpus_dir or DEFAULT_CORPUS).resolve()
        manifest = build_corpus(corpus, args.rebuild)
        cache_dir = CACHE_DIR
    else:
        corpus = CLOUD_CORPUS.resolve()
        manifest = build_cloud_corpus(corpus, args.rebuild)
        cache_dir = CLOUD_CACHE_DIR
    warm_env = dict(os.environ, IMSLINT_CACHE_DIR=str(cache_dir))
    # What imslint finds on the planted files alone (recomputed each run: the rules evolve).
    manifest["expected"] = expected_findings(manifest["planted"])
    alone = run_imslint(["fix", "--diff", "-q", *manifest["planted"]])
    manifest["expected_diff_files"] = sorted(diffed_files(alone.stdout))
    files, size = manifest["files"], manifest["bytes"]
    shown = os.path.relpath(corpus, PROJECT)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    print(f"\n== {kind} corpus ==")
    print(f"machine: {machine()}")
    print(f"corpus:  {shown}: {files} files, {size / 1e6:.1f} MB; planted: {len(manifest['planted'])} places, "
          f"{len(manifest['expected'])} findings; {args.runs} runs each, median\n", flush=True)

    results: Dict[str, List[float]] = {}
    grep = ["grep", "-rlF", "--include=*.py", *(f"-e{p}" for p in GREP_PATTERNS), shown]
    results["grep"], grep_result = timed(grep, args.runs)
    floor = statistics.median(results["grep"])
    grep_files = len(grep_result.stdout.splitlines())

    shutil.rmtree(cache_dir, ignore_errors=True)
    check = [*imslint_command(), "check", "-o", "json", "--exit-zero", *jobs, shown]
    diff = [*imslint_command(), "fix", "--diff", "-q", *jobs, shown]
    cold_runs = max(1, min(args.runs, 3))
    results["check, no cache"], cold_check = timed(check, cold_runs, warm_up=False, env=COLD)
    print(f"  {NAMES['check, no cache']}: {statistics.median(results['check, no cache']):.2f}s", flush=True)
    cold_diff = diff_result = None
    if not args.no_fix_diff:
        results["fix --diff, no cache"], cold_diff = timed(diff, cold_runs, warm_up=False, env=COLD)
    results["check"], check_result = timed(check, args.runs, env=warm_env)  # the warm-up run fills the cache
    print(f"  {NAMES['check']}: {statistics.median(results['check']):.2f}s", flush=True)
    if not args.no_fix_diff:
        results["fix --diff"], diff_result = timed(diff, args.runs, env=warm_env)

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
                version = subprocess.run([executable, "--version"], capture_output=True, text=True).stdout.strip()
                semgrep_note = f"Semgrep {version}: {len(semgrep_found)} files flagged"
            except (ValueError, KeyError):
                semgrep_note = f"failed: {semgrep_result.stderr.strip()[-300:]}"
                del results["semgrep"]

    semgrep_median = statistics.median(results["semgrep"]) if "semgrep" in results else None
    lines = [HEADER]
    for key, times in results.items():
        lines.append(row(NAMES[key], times, floor, files, size, semgrep_median))

    # The pre-commit case: 5 clean files, against the interpreter's own start-up.
    clean = pick_clean_files(corpus, manifest)
    pass_times, _ = timed([sys.executable, "-c", "pass"], args.runs * 2)
    small_times, small = timed([*imslint_command(), "check", *clean], args.runs * 2, env=warm_env)
    small_size = sum(os.path.getsize(PROJECT / p) for p in clean)
    lines.append(row("python -c pass", pass_times, None, 0, 0))
    lines.append(row("imslint check (5 clean files)", small_times, None, 5, small_size))
    table = "\n".join(lines)
    print(table)
    print(f"\ngrep: {grep_files} files listed")
    print(f"semgrep: {semgrep_note}")

    data = {"corpus": kind, "path": shown, "machine": machine(), "files": files, "bytes": size, "runs": args.runs,
            "times": results, "pre_commit": small_times, "python_pass": pass_times, "grep_files": grep_files,
            "semgrep_flagged": semgrep_found, "semgrep_note": semgrep_note, "table": table}
    if kind == "stdlib":
        ok = all([verify(manifest, check_result, diff_result, small, "warm cache"),
                  verify(manifest, cold_check, cold_diff, small, "no cache")])
        report_targets(results, floor, statistics.median(small_times))
    else:
        ok, extra = verify_cloud(manifest, shown, jobs, cold_check, check_result, cold_diff, diff_result, small)
        data.update(extra)
        report_cloud_targets(results, floor)
    data["ok"] = ok
    return ok, data


def verify_cloud(manifest: dict, shown: str, jobs: List[str], cold_check, warm_check, cold_diff, warm_diff,
                 small) -> Tuple[bool, dict]:
    """The cloud corpus's checks: real code has findings, so instead of "exactly the planted ones":
    the findings per code (recorded), identical with and without the cache (and `fix --diff`
    too), identical with the pre-filter off (when the engine can), the planted files' findings
    unchanged inside the corpus."""
    ok = True
    print("\nchecks:")
    try:
        cold = finding_keys(cold_check.stdout)
        warm = finding_keys(warm_check.stdout)
    except ValueError:
        print(f"FAIL: imslint check did not print JSON: {cold_check.stderr.strip()[-300:]} {warm_check.stderr.strip()[-300:]}")
        return False, {}
    counts = codes_count(cold)
    packages = per_package(cold, shown, manifest["planted"])
    print(f"findings (no cache): {len(cold)}: " + ", ".join(f"{c} {n}" for c, n in counts.items()))
    for top, by_code in packages.items():
        print(f"  {top:<40} " + ", ".join(f"{c} {n}" for c, n in by_code.items()))
    if cold == warm:
        print(f"OK: findings identical with and without the cache ({len(cold)})")
    else:
        ok = False
        only_cold = [k for k in cold if k not in warm]
        only_warm = [k for k in warm if k not in cold]
        print(f"FAIL: the cache changes the findings: {len(only_cold)} only without it, {len(only_warm)} only with it")
        for key in only_cold[:10]:
            print("  only without the cache:", *key)
        for key in only_warm[:10]:
            print("  only with the cache:   ", *key)
    if cold_diff is not None and warm_diff is not None:
        if cold_diff.stdout == warm_diff.stdout:
            print(f"OK: fix --diff identical with and without the cache ({len(diffed_files(cold_diff.stdout))} files)")
        else:
            ok = False
            print("FAIL: fix --diff differs with the cache")
    planted = tuple(manifest["planted"])
    inside = [k for k in cold if str(k[0]).startswith(planted)]
    if inside == manifest["expected"]:
        print(f"OK: the {len(inside)} planted findings are found inside the corpus as they are alone")
    else:
        ok = False
        print(f"FAIL: planted findings inside the corpus: {len(inside)}, alone: {len(manifest['expected'])}")
    prefilter_ok, note, seconds = prefilter_off_check(shown, jobs, cold)
    print(note)
    if prefilter_ok is False:
        ok = False
    if small.returncode != 0:
        ok = False
        print(f"FAIL: imslint check on 5 clean files exited {small.returncode}: {small.stdout}{small.stderr}")
    return ok, {"findings": len(cold), "findings_per_code": counts, "findings_per_package": packages,
                "cache_identical": cold == warm, "prefilter_off": note, "prefilter_off_seconds": seconds}


def report_cloud_targets(results: Dict[str, List[float]], floor: float) -> None:
    print("\ntargets (issue 11, cloud corpus, 2-core machine):")
    cold = statistics.median(results["check, no cache"])
    warm = statistics.median(results["check"])
    if "semgrep" in results:
        speedup = statistics.median(results["semgrep"]) / cold
        print(f"  {'cold vs semgrep':<16} {speedup:6.2f}x faster (target >= 3x)  {'met' if speedup >= 3 else 'NOT met'}")
    print(f"  {'cold':<16} {cold / floor:6.1f}x grep   (moonshot <= 10x)  {'met' if cold / floor <= 10 else 'NOT met'}")
    print(f"  {'warm':<16} {warm / floor:6.1f}x grep   (target <= 2x)  {'met' if warm / floor <= 2 else 'NOT met'}")


# -- phase profile ------------------------------------------------------------------------------------------------


# (label, predicate on (filename, function name)): the phases of a cold run, each measured as the
# time spent inside it entered from outside it (the per-caller cumulative times cProfile records,
# summed over callers that are not themselves in the phase), so recursion and calls within a phase
# are not counted twice. Phases nest (rules call the evaluator, which calls libcst), so the
# inclusive times do not add up; the self-time table below them does.
def _in(fragment: str):
    return lambda filename, name: fragment in filename.replace(os.sep, "/")


def _runner(function: str):
    return lambda filename, name: filename.replace(os.sep, "/").endswith("linter/runner.py") and name == function


PHASES = (
    ("pre-filter: runner.select_candidates (all of it)", _runner("select_candidates")),
    ("  linter/prefilter.py", _in("linter/prefilter.py")),
    ("  linter/project.py, from the pre-filter rounds", None),  # computed: entered from runner.py/prefilter.py
    ("engine: runner.process_file (all of it)", _runner("process_file")),
    ("  libcst parse (libcst.parse_module)", _in("libcst/_parser/")),
    ("  libcst metadata (MetadataWrapper, providers)", _in("libcst/metadata/")),
    ("  linter/tree.py (tree collection, visitor)", _in("linter/tree.py")),
    ("  linter/evaluate.py (evaluation)", _in("linter/evaluate.py")),
    ("  linter/project.py, from the analysis (imported modules)", None),  # computed: entered from elsewhere
    ("  rules/ (every rule module)", lambda filename, name: "/rules/ims" in filename.replace(os.sep, "/")),
    ("reporting (linter/report/)", _in("linter/report/")),
)

# Self time (tottime) by where the code lives: adds up to the profile's total.
SELF_AREAS = (
    ("linter/prefilter.py", "linter/prefilter.py"), ("linter/project.py", "linter/project.py"),
    ("linter/runner.py", "linter/runner.py"), ("linter/cache.py", "linter/cache.py"),
    ("linter/tree.py", "linter/tree.py"), ("linter/evaluate.py", "linter/evaluate.py"),
    ("linter/strings.py", "linter/strings.py"), ("linter/signals.py", "linter/signals.py"),
    ("linter/sites.py", "linter/sites.py"), ("linter/responses.py", "linter/responses.py"),
    ("linter/report/", "linter/report/"), ("other linter/*.py", "linter/"),
    ("rules/", "/rules/"), ("libcst parser", "libcst/_parser/"), ("libcst metadata", "libcst/metadata/"),
    ("libcst nodes and visitors", "libcst/"),
)


def _self_area(filename: str, name: str) -> str:
    filename = filename.replace(os.sep, "/")
    if filename == "~":  # a built-in
        if "compile" in name or "_ast" in name or name.startswith("<built-in method builtins.compile"):
            return "built-in: compile (ast parses)"
        if "libcst" in name or "parse_module" in name:
            return "libcst parser"
        if "re.Pattern" in name or "_sre" in name:
            return "built-in: re"
        if "read" in name or "open" in name or "posix" in name or "stat" in name:
            return "built-in: file I/O"
        return "built-in: other"
    for label, fragment in SELF_AREAS:
        if fragment in filename:
            return label
    if "/ast.py" in filename:
        return "stdlib ast.py"
    return "other Python"


def _reentry(caller) -> bool:
    return caller[0] == "~" or "libcst/" in caller[0].replace(os.sep, "/")


def phase_breakdown(profile_path: Path) -> dict:
    import pstats

    stats = pstats.Stats(str(profile_path)).stats  # {func: (cc, nc, tt, ct, callers)}
    total = sum(tt for (_, _, tt, _, _) in stats.values())
    phases = []
    for label, predicate in PHASES:
        if predicate is None:
            from_prefilter = "pre-filter" in label
            members = {f for f in stats if _in("linter/project.py")(f[0], f[2])}

            def counted(caller) -> bool:
                name = caller[0].replace(os.sep, "/")
                is_prefilter = name.endswith(("linter/runner.py", "linter/prefilter.py"))
                return (caller not in members and not _reentry(caller)
                        and (is_prefilter if from_prefilter else not is_prefilter))
        else:
            members = {f for f in stats if predicate(f[0], f[2])}
            entry_point = label.startswith(("pre-filter:", "engine:"))

            def counted(caller) -> bool:
                # A caller inside libcst (its visitor calling our on_visit, its code generator calling
                # a metadata provider) or a built-in (any(), next() over our own generator) re-enters
                # a phase already being timed: not counted again. The two entry points are called by
                # map() and the CLI.
                return caller not in members and (entry_point or not _reentry(caller))
        seconds = calls = 0.0
        for func in members:
            callers = stats[func][4]
            for caller, (cc, nc, tt, ct) in callers.items():
                if counted(caller):
                    seconds += ct
                    calls += nc
        phases.append({"phase": label, "seconds": round(seconds, 3), "calls": int(calls)})
    areas: Dict[str, float] = {}
    for (filename, _, name), (_, _, tt, _, _) in stats.items():
        area = _self_area(filename, name)
        areas[area] = areas.get(area, 0.0) + tt
    parses = sum(nc for (filename, _, name), (_, nc, _, _, _) in stats.items()
                 if filename == "~" and "builtins.compile" in name)
    libcst_parses = sum(nc for (filename, _, name), (_, nc, _, _, _) in stats.items()
                        if filename.replace(os.sep, "/").endswith("libcst/_parser/entrypoints.py") and name == "parse_module")
    return {"total_seconds": round(total, 3), "phases": phases,
            "self_seconds": {k: round(v, 3) for k, v in sorted(areas.items(), key=lambda kv: -kv[1])},
            "builtin_compile_calls": int(parses), "libcst_parse_module_calls": int(libcst_parses)}


def phase_profile(args) -> dict:
    """``imslint check --no-cache --jobs 1`` on the cloud corpus under cProfile, by phase."""
    corpus = CLOUD_CORPUS.resolve()
    manifest = build_cloud_corpus(corpus, args.rebuild)
    shown = os.path.relpath(corpus, PROJECT)
    profile_path = BENCH / ".cache" / "phase-profile.prof"
    profile_path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "cProfile", "-o", str(profile_path), "-m", "linter",
               "check", "--no-cache", "--jobs", "1", "-o", "json", "--exit-zero", "-q", shown]
    print(f"\n== phase profile: {' '.join(command[1:])} ==", flush=True)
    findings_path = profile_path.with_suffix(".json")
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    if args.reuse_profile and profile_path.is_file():
        print("(--reuse-profile: the profile of the last run, not a new run; wall and CPU below are not its)")
        findings_text = findings_path.read_text() if findings_path.is_file() else "[]"
        result = subprocess.CompletedProcess(command, 0, findings_text, "")
    else:
        result = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, env=COLD)
        findings_path.write_text(result.stdout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter() - started
    if result.returncode != 0 or not profile_path.is_file():
        print(f"FAIL: the profiled run exited {result.returncode}: {result.stderr.strip()[-500:]}")
        return {"ok": False}
    try:
        keys = finding_keys(result.stdout)
    except ValueError:
        keys = []
    breakdown = phase_breakdown(profile_path)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"corpus {shown}: {manifest['files']} files, {manifest['bytes'] / 1e6:.1f} MB; "
          f"wall {wall:.1f}s under cProfile (CPU {cpu:.1f}s), profile total {breakdown['total_seconds']:.1f}s; "
          f"{len(keys)} findings; {breakdown['libcst_parse_module_calls']} libcst parses, "
          f"{breakdown['builtin_compile_calls']} compile() calls (ast parses)")
    lines = ["| phase (inclusive, entered from outside it) | s | % of total | calls |", "|---|---:|---:|---:|"]
    for phase in breakdown["phases"]:
        share = 100 * phase["seconds"] / breakdown["total_seconds"] if breakdown["total_seconds"] else 0
        lines.append(f"| {phase['phase']} | {phase['seconds']:.1f} | {share:.1f} % | {phase['calls']:,} |")
    lines += ["", "| self time by area | s | % |", "|---|---:|---:|"]
    for area, seconds in breakdown["self_seconds"].items():
        share = 100 * seconds / breakdown["total_seconds"] if breakdown["total_seconds"] else 0
        lines.append(f"| {area} | {seconds:.1f} | {share:.1f} % |")
    table = "\n".join(lines)
    print(table)
    print(f"(profile kept in {os.path.relpath(profile_path, PROJECT)}: "
          f"python -m pstats {os.path.relpath(profile_path, PROJECT)})")
    return dict(breakdown, ok=True, wall_seconds=round(wall, 3), cpu_seconds=round(cpu, 3), findings=len(keys),
                findings_per_code=codes_count(keys), table=table)


# -- large files ----------------------------------------------------------------------------------------------------


LARGE_DIR = BENCH / ".cache" / "large"
_CALL = '''

def images_{i}(session, endpoint, token):
    return session.get(endpoint + "{path}", headers={{"X-Auth-Token": token}}, params={{"name": "n{i}"}}).json()
'''
_PATHS = ("/v1.1/images/detail", "/v2/servers/detail", "/v1/images/detail", "/v2/images")


def large_source(calls: int, size: int = 0) -> str:
    """A module of ``calls`` request calls (one function each; a quarter each of IMS, Glance v1,
    and two unaffected paths); padded with a module-level table of image records to ``size`` bytes."""
    parts = ['"""Generated by bench/bench.py --large-file."""\nimport requests\n\nIMS = "https://ims.example.com"\n']
    for i in range(calls):
        parts.append(_CALL.format(i=i, path=_PATHS[i % len(_PATHS)]))
    text = "".join(parts)
    if size > len(text):
        row_text = '    {{"id": "{i:08d}-0000-0000-0000-000000000000", "name": "image {i}", "disk_format": "qcow2", "min_ram": {r}}},\n'
        rows = ["\nIMAGES = [\n"]
        written, i = len(text) + 20, 0
        while written < size:
            line = row_text.format(i=i, r=i % 4096)
            rows.append(line)
            written += len(line)
            i += 1
        rows.append("]\n")
        text += "".join(rows)
    return text


def measured(command: Sequence[str], limit_bytes: int, timeout: float) -> dict:
    """Runs ``command`` in a fresh wrapper process (so that RUSAGE_CHILDREN is its own), under an
    address-space limit and a timeout: wall seconds, peak RSS (MB), exit status."""
    wrapper = (
        "import resource, subprocess, sys, json, time\n"
        "limit = int(sys.argv[1]); timeout = float(sys.argv[2])\n"
        "def cap():\n"
        "    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
        "start = time.perf_counter()\n"
        "try:\n"
        "    r = subprocess.run(sys.argv[3:], preexec_fn=cap, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)\n"
        "    code, out = r.returncode, r.stdout\n"
        "    err = r.stderr.decode(errors='replace')\n"
        "    err = err if len(err) <= 800 else err[:400] + ' [...] ' + err[-400:]\n"
        "except subprocess.TimeoutExpired:\n"
        "    code, err, out = 'timeout', '', b''\n"
        "wall = time.perf_counter() - start\n"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "try:\n"
        "    findings = json.loads(out or b'[]')\n"
        "    codes = {}\n"
        "    for f in findings:\n"
        "        codes[f['code']] = codes.get(f['code'], 0) + 1\n"
        "except ValueError:\n"
        "    codes = None\n"
        "hunks = out.count(b'\\n@@ ')\n"
        "print(json.dumps({'exit': code, 'wall': wall, 'cpu': usage.ru_utime + usage.ru_stime,\n"
        "                  'peak_rss_mb': usage.ru_maxrss / 1024, 'codes': codes, 'hunks': hunks, 'stderr': err}))\n"
    )
    result = subprocess.run([sys.executable, "-c", wrapper, str(limit_bytes), str(timeout), *command],
                            cwd=PROJECT, capture_output=True, text=True, env=COLD)
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"exit": "wrapper failed", "stderr": result.stderr[-400:]}


def large_file(args) -> dict:
    """``imslint check`` on one file of 1,000, one of 10,000 request calls and one of 40 MB, and
    ``imslint fix --diff`` on the first: wall, CPU and peak RSS, reported (never asserted). Each
    run is capped (address space ``--large-memory-limit`` GB, ``--large-timeout`` s) so that a
    blow-up cannot take the machine."""
    LARGE_DIR.mkdir(parents=True, exist_ok=True)
    (LARGE_DIR / ".imslint.toml").write_text(CORPUS_CONFIG)
    check = ("check", "--no-cache", "--jobs", "1", "-o", "json", "--exit-zero")
    # The diff of every fix of a long file of alike lines (difflib was quadratic on it once).
    diff = ("fix", "--diff", "--unsafe-fixes", "--no-cache", "--jobs", "1", "--exit-zero")
    cases = [("1,000 calls", "calls_1000.py", 1000, 0, check), ("10,000 calls", "calls_10000.py", 10000, 0, check),
             ("40 MB (1,000 calls + a data table)", "large_40mb.py", 1000, 40 * 1000 * 1000, check),
             ("1,000 calls, `fix --diff --unsafe-fixes`", "calls_1000.py", 1000, 0, diff)]
    limit = int(args.large_memory_limit * 1024 ** 3)
    rows = ["| file | size MB | calls | exit | wall s | CPU s | peak RSS MB | RSS bytes / source byte | findings |",
            "|---|---:|---:|---|---:|---:|---:|---:|---|"]
    measurements = []
    print(f"\n== large files (imslint --no-cache --jobs 1; cap {args.large_memory_limit:g} GB address space, "
          f"{args.large_timeout:g} s) ==", flush=True)
    for label, name, calls, size, arguments in cases:
        path = LARGE_DIR / name
        text = large_source(calls, size)
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
        source_bytes = path.stat().st_size
        shown = os.path.relpath(path, PROJECT)
        m = measured([*imslint_command(), *arguments, shown], limit, args.large_timeout)
        m.update(file=shown, label=label, bytes=source_bytes, calls=calls)
        measurements.append(m)
        rss = m.get("peak_rss_mb")
        per_byte = f"{rss * 1024 * 1024 / source_bytes:,.0f}" if rss else ""
        codes = ", ".join(f"{c} {n}" for c, n in (m.get("codes") or {}).items()) or str(m.get("codes"))
        if arguments is diff:
            codes = f"{m.get('hunks', 0):,} diff hunks"
        rows.append(f"| {label} | {source_bytes / 1e6:.1f} | {calls:,} | {m.get('exit')} | {m.get('wall', 0):.1f} | "
                    f"{m.get('cpu', 0):.1f} | {rss or 0:,.0f} | {per_byte} | {codes} |")
        print(rows[-1], flush=True)
        if m.get("exit") not in (0, 1) and m.get("stderr"):
            print(f"   stderr: {m['stderr'].strip()}")
    table = "\n".join(rows)
    print("\n" + table)
    return {"cases": measurements, "table": table}


# -- main -----------------------------------------------------------------------------------------------------


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (median reported)")
    parser.add_argument("--jobs", type=int, default=None, help="passed to imslint --jobs and semgrep --jobs")
    parser.add_argument("--corpus", choices=("stdlib", "cloud", "both"), default=None,
                        help="which corpus to time (default stdlib; none when only --phase-profile/--large-file)")
    parser.add_argument("--corpus-dir", type=Path, default=None, help=f"where the stdlib corpus lives (default {DEFAULT_CORPUS})")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the corpus even when it is current")
    parser.add_argument("--with-semgrep", action="store_true", help=f"install semgrep into {SEMGREP_VENV} and time it")
    parser.add_argument("--no-fix-diff", action="store_true", help="do not time `imslint fix --diff` (long cold runs)")
    parser.add_argument("--phase-profile", action="store_true",
                        help="profile `imslint check --no-cache --jobs 1` on the cloud corpus, by phase")
    parser.add_argument("--reuse-profile", action="store_true", help="re-read the last --phase-profile run's profile")
    parser.add_argument("--large-file", action="store_true", help="time files of 1,000 / 10,000 calls and of 40 MB")
    parser.add_argument("--large-memory-limit", type=float, default=8.0, help="GB of address space per large-file run")
    parser.add_argument("--large-timeout", type=float, default=900.0, help="seconds per large-file run")
    parser.add_argument("--json", type=Path, help="also write the measurements to this file")
    args = parser.parse_args(argv)

    corpus_choice = args.corpus or (None if (args.phase_profile or args.large_file) else "stdlib")
    kinds = {"stdlib": ["stdlib"], "cloud": ["cloud"], "both": ["stdlib", "cloud"], None: []}[corpus_choice]
    report: Dict[str, object] = {"machine": machine()}
    compile_imslint()
    ok = True
    for kind in kinds:
        corpus_ok, data = bench_corpus(kind, args)
        ok = ok and corpus_ok
        report[kind] = data
    if len(kinds) > 1:
        print("\n== both corpora ==")
        for kind in kinds:
            print(f"\n{kind} ({report[kind]['files']} files, {report[kind]['bytes'] / 1e6:.1f} MB):\n{report[kind]['table']}")
    if args.phase_profile:
        report["phase_profile"] = phase_profile(args)
        ok = ok and bool(report["phase_profile"].get("ok"))
    if args.large_file:
        report["large_file"] = large_file(args)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0 if ok else 1


def pick_clean_files(corpus: Path, manifest: dict) -> List[str]:
    """Five clean files of typical size (4-30 kB, no ``images``): from the stdlib part of the
    corpus, or (the cloud corpus) the first such files of the tree."""
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
        for directory, subdirectories, names in os.walk(corpus):
            subdirectories.sort()
            for name in sorted(names):
                path = Path(directory) / name
                relative = str(path.relative_to(PROJECT))
                if (name.endswith(".py") and not relative.startswith(planted) and 4000 <= path.stat().st_size <= 30000
                        and b"images" not in path.read_bytes()):
                    chosen.append(relative)
                if len(chosen) == 5:
                    return chosen
    return chosen


def verify(manifest: dict, check: subprocess.CompletedProcess, diff: Optional[subprocess.CompletedProcess],
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
    if diff is not None:
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
        if key not in results:
            continue
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
