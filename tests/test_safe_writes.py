"""Safe writes: atomic replace (temporary file in the same directory, fsync, rename), mode bits
kept, and faults: imslint killed at random points, disks filling up, two runs at once.

After any of these every file is either its original or its complete fixed version, and no
temporary file is left behind (a killed run's are removed by the next run).
"""
from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Tuple

import pytest
from click.testing import CliRunner

import linter.fixes
from linter.cli import main
from linter.engine import fix_source, lint_source
from linter.fixes import write_atomically
from linter.registry import all_rules

POSIX = os.name == "posix"
# Rule examples whose safe fix leaves nothing to report: (before, after).
FIXABLE = [
    (example.code, fix_source(example.code).text) for rule in all_rules() for example in rule.INVALID
    if example.fixed is not None and not example.unsafe and not example.options
]
FIXABLE = [(before, after) for before, after in FIXABLE if not lint_source(after)]
# Padding makes every write big enough for a kill to land in the middle of one.
PADDING = 'PADDING = "' + "x" * 32_000 + '"\n'


def make_tree(root: Path, files: int, padding: str = "") -> Dict[Path, Tuple[bytes, bytes]]:
    """``files`` fixable files under ``root``: {path: (original bytes, fixed bytes)}."""
    tree = {}
    for number in range(files):
        path = root / f"pkg{number % 7}" / f"module_{number}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        before, after = FIXABLE[number % len(FIXABLE)]
        head = f"# module {number}\n{padding}"
        path.write_text(head + before, encoding="utf-8")
        tree[path] = ((head + before).encode(), (head + after).encode())
    return tree


def temporaries(root: Path):
    return sorted(root.rglob(".imslint-*"))


def assert_whole(tree: Dict[Path, Tuple[bytes, bytes]]) -> Tuple[int, int]:
    """Every file is its original or its fixed version; (originals, fixed) counted."""
    counts = [0, 0]
    for path, (original, fixed) in tree.items():
        data = path.read_bytes()
        assert data in (original, fixed), f"{path} is neither the original nor the fixed version"
        counts[data == fixed] += 1
    return counts[0], counts[1]


def fix(*args: str):
    return CliRunner().invoke(main, ["fix", "--output-format", "concise", *args], catch_exceptions=False)


IMSLINT = [sys.executable, "-m", "linter", "fix", "--quiet", "--jobs", "2"]
KILLS = int(os.environ.get("IMSLINT_KILLS", "6"))


# -- the write path ---------------------------------------------------------------------------------


@pytest.mark.skipif(not POSIX, reason="POSIX mode bits")
@pytest.mark.parametrize("mode", [0o644, 0o755, 0o600, 0o640, 0o2775])
def test_mode_bits_kept(tmp_path, monkeypatch, mode):
    monkeypatch.chdir(tmp_path)
    tree = make_tree(tmp_path / "src", 1)
    [path] = tree
    path.chmod(mode)
    assert fix("src").exit_code == 0
    assert path.read_bytes() == tree[path][1]
    assert path.stat().st_mode & 0o7777 == mode


def test_temporary_file_in_same_directory_fsynced_then_renamed(tmp_path, monkeypatch):
    path = tmp_path / "sub" / "a.py"
    path.parent.mkdir()
    path.write_bytes(b"old\n")
    path.chmod(0o640)
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        status = os.fstat(fd)
        calls.append(("fsync", (status.st_dev, status.st_ino)))
        return real_fsync(fd)

    def replace(source, target):
        status = os.stat(source)
        calls.append(("replace", (status.st_dev, status.st_ino), str(source), str(target), status.st_mode & 0o777))
        return real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_atomically(str(path), b"new\n", b"old\n")
    assert path.read_bytes() == b"new\n"
    (_, synced), (_, renamed, temporary, target, mode) = calls  # fsync first, then one rename
    assert synced == renamed, "the file renamed into place is not the one flushed to disk"
    assert target == str(path) and os.path.dirname(temporary) == str(path.parent)
    assert os.path.basename(temporary).startswith(f".imslint-{os.getpid()}-")
    assert mode == 0o640, "the mode bits must be in place before the rename"
    assert temporaries(tmp_path) == []


FAULTS = {
    # where the disk fills up or the OS refuses: (function to patch, error)
    "mkstemp": ("tempfile.mkstemp", OSError(errno.ENOSPC, "No space left on device")),
    "write": ("os.fdopen", OSError(errno.ENOSPC, "No space left on device")),
    "fsync": ("os.fsync", OSError(errno.ENOSPC, "No space left on device")),
    "chmod": ("os.chmod", PermissionError(errno.EPERM, "Operation not permitted")),
    "replace": ("os.replace", OSError(errno.ENOSPC, "No space left on device")),
    "replace-exdev": ("os.replace", OSError(errno.EXDEV, "Invalid cross-device link")),
}


class _FailingStream:
    """A file object whose writes fail after the first ``budget`` bytes (a half-written file)."""

    def __init__(self, stream, error):
        self.stream, self.error = stream, error

    def write(self, data):
        self.stream.write(data[: len(data) // 2])
        raise self.error

    def __getattr__(self, name):
        return getattr(self.stream, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stream.close()


def _inject(monkeypatch, where: str, error: OSError, fail_after: int = 0) -> None:
    """Makes ``where`` fail from its ``fail_after + 1``-th call on."""
    module_name, name = where.rsplit(".", 1)
    module = {"os": os, "tempfile": __import__("tempfile")}[module_name]
    real = getattr(module, name)
    count = [0]

    def failing(*args, **kwargs):
        count[0] += 1
        if count[0] <= fail_after:
            return real(*args, **kwargs)
        if name == "fdopen":
            return _FailingStream(real(*args, **kwargs), error)
        raise error

    monkeypatch.setattr(module, name, failing)


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("fail_after", [0, 3], ids=["every-write", "after-3-writes"])
def test_write_faults_leave_whole_files_and_no_temporaries(tmp_path, monkeypatch, fault, fail_after):
    monkeypatch.chdir(tmp_path)
    tree = make_tree(tmp_path / "src", 8)
    where, error = FAULTS[fault]
    with monkeypatch.context() as patches:
        _inject(patches, where, error, fail_after)
        result = fix("--jobs", "1", "--no-cache", "src")  # count the writes of fixed files only
    originals, fixed = assert_whole(tree)
    assert fixed == fail_after and originals == len(tree) - fail_after
    assert result.exit_code == 1
    failures = [line for line in result.output.splitlines() if "IMS000" in line and "not fixed" in line]
    assert len(failures) == originals, result.output
    assert all(error.strerror in line for line in failures), failures
    assert temporaries(tmp_path) == []
    # With the disk back, a second run completes the job.
    assert fix("--jobs", "1", "src").exit_code == 0
    assert assert_whole(tree) == (0, len(tree))


@pytest.mark.skipif(not POSIX, reason="process ids")
def test_temporaries_of_killed_runs_swept_others_kept(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tree = make_tree(tmp_path / "src", 1)
    [path] = tree
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = path.parent / f".imslint-{dead.pid}-abc123.tmp"
        live = path.parent / f".imslint-{alive.pid}-def456.tmp"
        foreign = path.parent / ".imslint-notes.tmp"  # not a name imslint makes
        for other in (stale, live, foreign):
            other.write_bytes(b"partial")
        linter.fixes._swept.clear()
        assert fix("--jobs", "1", "src").exit_code == 0
        assert not stale.exists() and live.exists() and foreign.exists()
        assert path.read_bytes() == tree[path][1]
    finally:
        alive.kill()
        alive.wait()


# -- killing imslint ------------------------------------------------------------------------------------


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the run and its worker processes, and wait until every one of them is gone."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)
    raise AssertionError("worker processes outlived the kill")


@pytest.mark.skipif(not POSIX, reason="process groups and SIGKILL")
def test_killed_at_random_points_every_file_whole(tmp_path):
    root = tmp_path / "src"
    tree = make_tree(root, 200, PADDING)
    started = time.monotonic()
    subprocess.run([*IMSLINT, "--diff", str(root)], cwd=tmp_path, capture_output=True, timeout=600)
    duration = time.monotonic() - started  # a whole run, less the writes
    random_points = random.Random(20261127)
    kills, seen_temporaries = 0, 0
    for _ in range(KILLS):
        process = subprocess.Popen([*IMSLINT, str(root)], cwd=tmp_path, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(random_points.uniform(0.05, duration))
        kills += process.poll() is None
        _kill_group(process)
        assert_whole(tree)  # never a partial file, whenever the kill came
        seen_temporaries += len(temporaries(root))
    print(f"{kills} of {KILLS} runs killed while going; {seen_temporaries} temporary files seen after kills")
    assert kills >= KILLS // 2, f"only {kills} of {KILLS} runs were still going when killed ({duration:.2f}s a run)"
    finished = subprocess.run([*IMSLINT, str(root)], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert assert_whole(tree) == (0, len(tree))
    assert temporaries(root) == [], f"{seen_temporaries} temporary files were seen after kills"


@pytest.mark.skipif(not POSIX, reason="process groups")
def test_two_runs_at_once_end_in_the_fixed_tree(tmp_path):
    root = tmp_path / "src"
    tree = make_tree(root, 200, PADDING)
    runs = [subprocess.Popen([*IMSLINT, "--output-format", "concise", str(root)], cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=600) for run in runs]
    for run, (stdout, stderr) in zip(runs, outputs):
        assert run.returncode in (0, 1), stderr
        # The only complaint a run may have: the other run fixed a file first.
        for line in stdout.splitlines():
            assert "changed while imslint was fixing it" in line, line
    assert assert_whole(tree) == (0, len(tree))
    assert temporaries(root) == []
