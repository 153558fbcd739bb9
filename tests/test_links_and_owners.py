"""`fix` and what a file shares: symbolic links, hard links, owner, group and mode.

A symbolic link inside the checked tree has its target edited (once, however many links point
to it); one pointing outside is refused with IMS000. A file with several hard links is refused,
never split. Owner, group and mode stay. A file `fix` could not write keeps its findings and is
never counted as fixed or passed.
"""
from __future__ import annotations

import errno
import os

import pytest
from click.testing import CliRunner

from linter.cli import main

POSIX = os.name == "posix"
# A request whose safe fix is the path alone: the first image's name needs no page loop.
BAD = 'import requests\n\n\ndef images(ep):\n    return requests.get(f"{ep}/v1.1/images/detail", params={"disk_format": "qcow2"}).json()["images"][0]["name"]\n'
GOOD = BAD.replace("/v1.1/images/detail", "/v2/images")

pytestmark = pytest.mark.skipif(not POSIX, reason="POSIX links and owners")


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


def fix(*args):
    return CliRunner().invoke(main, ["fix", "--no-cache", "--output-format", "concise", *args], catch_exceptions=False)


def lines_with(output, *words):
    return [line for line in output.splitlines() if all(word in line for word in words)]


# -- symbolic links ------------------------------------------------------------------------------


def test_symlink_inside_root_edits_its_target_once(project):
    real = project / "pkg" / "real.py"
    real.parent.mkdir()
    real.write_text(BAD)
    links = [project / "a_link.py", project / "b_link.py", project / "pkg" / "z_link.py"]
    for link in links:
        link.symlink_to(real)
    result = fix(".")
    assert result.exit_code == 0, result.output
    assert real.read_text() == GOOD
    for link in links:
        assert link.is_symlink() and os.readlink(link) == str(real), f"{link} is no longer the link it was"
    assert "Fixed 1 finding." in result.output  # one file, written once


@pytest.mark.parametrize("relative", [False, True], ids=["absolute-link", "relative-link"])
def test_named_symlink_inside_root_edits_its_target(project, relative):
    real = project / "src" / "client.py"
    real.parent.mkdir()
    real.write_text(BAD)
    link = project / "link.py"
    link.symlink_to(os.path.join("src", "client.py") if relative else real)
    before = os.readlink(link)
    result = fix("link.py")
    assert result.exit_code == 0, result.output
    assert real.read_text() == GOOD
    assert link.is_symlink() and os.readlink(link) == before


def test_named_symlink_outside_root_refused_naming_the_link(project, tmp_path):
    outside = tmp_path / "elsewhere" / "client.py"
    outside.parent.mkdir()
    outside.write_text(BAD)
    link = project / "link.py"
    link.symlink_to(outside)
    result = fix("link.py")
    assert result.exit_code == 1, result.output
    assert outside.read_text() == BAD
    assert link.is_symlink() and os.readlink(link) == str(outside)
    [refusal] = lines_with(result.output, "IMS000")
    assert refusal.startswith("link.py:1:1: IMS000 not fixed: it is a symbolic link to ")
    assert str(outside) in refusal and "outside the checked tree" in refusal
    # The file still holds its finding, and nothing claims otherwise.
    assert lines_with(result.output, "link.py:5:", "IMS001")
    assert "Fixed" not in result.output and "All checks passed" not in result.output


def test_symlink_outside_root_is_not_walked(project, tmp_path):
    outside = tmp_path / "elsewhere" / "client.py"
    outside.parent.mkdir()
    outside.write_text(BAD)
    (project / "link.py").symlink_to(outside)
    (project / "ok.py").write_text(GOOD)
    result = fix(".")
    assert result.exit_code == 0, result.output
    assert outside.read_text() == BAD  # not followed out of the tree (design §2.1)


def test_named_symlink_into_the_project_from_a_subdirectory(project, monkeypatch):
    (project / "pyproject.toml").write_text("[tool.imslint]\n")
    real = project / "lib" / "client.py"
    real.parent.mkdir()
    real.write_text(BAD)
    sub = project / "app"
    sub.mkdir()
    (sub / "client.py").symlink_to(real)
    monkeypatch.chdir(sub)
    result = fix("client.py")  # outside the working directory, inside the project
    assert result.exit_code == 0, result.output
    assert real.read_text() == GOOD and (sub / "client.py").is_symlink()


def test_write_atomically_never_replaces_a_link(project):
    from linter.fixes import Refused, write_atomically

    real = project / "real.py"
    real.write_text("old\n")
    link = project / "link.py"
    link.symlink_to(real)
    with pytest.raises(Refused, match="symbolic link"):
        write_atomically(str(link), b"new\n", b"old\n")
    assert link.is_symlink() and real.read_text() == "old\n"


# -- hard links ------------------------------------------------------------------------------------


def test_hard_link_refused_never_split(project):
    first = project / "a.py"
    first.write_text(BAD)
    second = project / "b.py"
    os.link(first, second)
    result = fix(".")
    assert result.exit_code == 1, result.output
    assert first.read_text() == BAD
    assert os.stat(first).st_ino == os.stat(second).st_ino and os.stat(first).st_nlink == 2
    [refusal] = lines_with(result.output, "IMS000")  # one file, under its first name
    assert refusal.startswith("a.py:1:1: IMS000 not fixed: it has 2 hard links")
    assert lines_with(result.output, "a.py:5:", "IMS001")
    assert "Fixed" not in result.output
    diff = CliRunner().invoke(main, ["fix", "--no-cache", "--diff", "a.py"])
    assert diff.exit_code == 1 and diff.stdout.startswith("--- a/a.py\n")  # the change, to apply by hand


# -- owner, group, mode ----------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file to another user needs root")
def test_owner_group_and_mode_kept(project):
    path = project / "a.py"
    path.write_text(BAD)
    os.chown(path, 4321, 8765)
    path.chmod(0o640)
    result = fix("a.py")
    assert result.exit_code == 0, result.output
    status = os.stat(path)
    assert path.read_text() == GOOD
    assert (status.st_uid, status.st_gid, status.st_mode & 0o7777) == (4321, 8765, 0o640)


def test_owner_that_cannot_be_kept_is_refused(project, monkeypatch):
    path = project / "a.py"
    path.write_text(BAD)
    real_stat = os.stat
    me = os.geteuid()

    class Foreign:
        """The status of a file another user owns."""

        def __init__(self, status):
            self._status = status

        def __getattr__(self, name):
            if name == "st_uid":
                return me + 1
            return getattr(self._status, name)

    def lstat(target, *args, **kwargs):
        status = real_stat(target, *args, follow_symlinks=False, **kwargs)
        return Foreign(status) if os.path.samefile(target, path) else status

    def chown(*args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "lstat", lstat)
    monkeypatch.setattr(os, "chown", chown)
    result = fix("a.py")
    assert result.exit_code == 1, result.output
    assert path.read_text() == BAD
    [refusal] = lines_with(result.output, "IMS000")
    from linter.fixes import _owner

    owner = _owner(me + 1, real_stat(path).st_gid)
    assert f"not fixed: it belongs to {owner}, and imslint, running as " in refusal
    assert "cannot give a rewritten file that owner and group" in refusal
    assert "Fixed" not in result.output
    assert not list(project.glob(".imslint-*")), "the temporary file was left behind"


def test_unwritable_file_keeps_its_findings_and_is_not_counted(project):
    path = project / "a.py"
    path.write_text(BAD)
    ok = project / "b.py"
    ok.write_text(BAD)
    path.chmod(0o444)
    result = fix(".")
    assert result.exit_code == 1, result.output
    assert path.read_text() == BAD and ok.read_text() == GOOD
    assert lines_with(result.output, "a.py:1:1: IMS000 not fixed:", "read-only")
    assert lines_with(result.output, "a.py:5:", "IMS001")  # still there, still reported
    assert "Fixed 1 finding." in result.output  # b.py only
    assert "All checks passed" not in result.output
