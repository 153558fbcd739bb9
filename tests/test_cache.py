"""The result cache (``linter.cache``) and the runner's ordering: a warm run says what a cold run
says, whatever changed in between, including modules a file only imports from."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter import cache, project as project_module, runner
from linter.api import lint_paths

CLIENT = (
    "import requests\nfrom .settings import VERSION\n\n"
    "def fetch():\n    return requests.get(\"https://ims.example.com/\" + VERSION + \"/images/detail\")\n"
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IMSLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("IMSLINT_NO_CACHE", raising=False)
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "client.py").write_text(CLIENT)
    return tmp_path


def summary(findings):
    return [(f.path, f.line, f.code, f.message) for f in findings]


def new_process():
    """Forgets what this process learnt about other modules, as a new ``imslint`` run would (the
    engine's module cache is per process and not invalidated when a module changes)."""
    project_module._CACHE.clear()
    project_module._OUTLINES.clear()
    cache._RESOLVED.clear()
    cache._HASHES.clear()


def cold(monkeypatch):
    new_process()
    with monkeypatch.context() as patch:
        patch.setenv("IMSLINT_NO_CACHE", "1")
        return summary(lint_paths(["pkg"], jobs=1))


def warm():
    new_process()
    return summary(lint_paths(["pkg"], jobs=1))


def entries(project):
    return sorted((project / "cache").rglob("*.json"))


def test_second_run_comes_from_the_cache(project, monkeypatch):
    (project / "pkg" / "settings.py").write_text('VERSION = "v1.1"\n')
    first = warm()
    assert [code for _, _, code, _ in first] == ["IMS001"]
    assert len(entries(project)) == 1
    assert json.loads(entries(project)[0].read_text())["report"]["findings"][0]["code"] == "IMS001"

    def no_processing(job):
        raise AssertionError(f"{job.display_path} was analysed again")

    monkeypatch.setattr(runner, "process_file", no_processing)
    assert warm() == first


@pytest.mark.parametrize("settled", [False, True], ids=["just-written", "settled"])
@pytest.mark.parametrize("step", ["edit", "create", "delete"])
def test_imported_module_changes_invalidate(project, monkeypatch, step, settled):
    if settled:  # signatures trusted at once, as they are for files older than two seconds
        monkeypatch.setattr(cache, "RACY_NS", 0)
    settings = project / "pkg" / "settings.py"
    if step != "create":
        settings.write_text('VERSION = "v1.1"\n')
    before = warm()
    assert before == cold(monkeypatch)
    if step == "edit":
        settings.write_text('VERSION = "v2"\n')
    elif step == "create":
        settings.write_text('VERSION = "v1.1"\n')
    else:
        settings.unlink()
    after = warm()
    assert after != before
    assert after == cold(monkeypatch)


def test_a_settled_imported_module_is_checked_by_its_signature_not_read(project, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)
    settings = project / "pkg" / "settings.py"
    settings.write_text('VERSION = "v1.1"\n')
    first = warm()
    record = json.loads(entries(project)[0].read_text())["dependencies"]
    assert [found_signature for _, found, _, found_signature in record if found == str(settings)] == [
        cache.signature(settings.stat())]
    hashed = []
    original = cache.file_hash
    monkeypatch.setattr(cache, "file_hash", lambda path: hashed.append(path) or original(path))
    assert warm() == first
    assert str(settings) not in hashed
    settings.write_text('VERSION = "v1.1"  # same value, new size\n')
    assert warm() == first
    assert str(settings) in hashed  # the signature moved: the content is compared


def test_a_module_written_within_two_seconds_records_no_signature(project):
    settings = project / "pkg" / "settings.py"
    settings.write_text('VERSION = "v1.1"\n')
    warm()
    record = json.loads(entries(project)[0].read_text())["dependencies"]
    assert [found_signature for _, found, _, found_signature in record if found == str(settings)] == [None]


def test_own_content_and_options_are_part_of_the_key(project, monkeypatch):
    (project / "pkg" / "settings.py").write_text('VERSION = "v1.1"\n')
    warm()
    client = project / "pkg" / "client.py"
    client.write_text(CLIENT.replace("/images/detail", "/images/detail?limit=5"))
    assert warm() == cold(monkeypatch)
    selected = summary(lint_paths(["pkg"], jobs=1, overrides={"select": ["IMS007"]}))
    assert selected == []


def test_corrupt_entries_are_ignored_and_no_cache_writes_nothing(project, monkeypatch):
    (project / "pkg" / "settings.py").write_text('VERSION = "v1.1"\n')
    first = warm()
    for entry in entries(project):
        entry.write_text("{not json")
    assert warm() == first
    monkeypatch.setenv("IMSLINT_NO_CACHE", "1")
    monkeypatch.setenv("IMSLINT_CACHE_DIR", str(project / "other-cache"))
    assert warm() == first
    assert not (project / "other-cache").exists()


def test_parallel_reports_come_in_job_order(tmp_path, monkeypatch):
    monkeypatch.setenv("IMSLINT_NO_CACHE", "1")
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 2)
    jobs = []
    for number in range(6):
        path = tmp_path / f"m{number}.py"
        path.write_text("import requests\n" * number + 'requests.get("https://x/v1.1/images/detail")\n')
        jobs.append(runner.FileJob(path.name, str(path), frozenset({"IMS001"}), "huawei-ims"))
    serial = list(runner.run(jobs, workers=1))
    parallel = list(runner.run(jobs, workers=2))
    assert [r.display_path for r in parallel] == [job.display_path for job in jobs]
    assert [(r.display_path, [f.line for f in r.findings]) for r in parallel] == [
        (r.display_path, [f.line for f in r.findings]) for r in serial
    ]
    assert [r.findings[0].line for r in serial] == [1, 2, 3, 4, 5, 6]


def test_cache_directory_is_ignored_by_git(project):
    (project / "pkg" / "settings.py").write_text('VERSION = "v1.1"\n')
    warm()
    assert (project / "cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert Path(project / "cache").is_dir()


# -- the pre-filter index -------------------------------------------------------------------------------------


@pytest.fixture
def indexed(tmp_path, monkeypatch):
    """A small tree, an index used from the first file on, and no racy-file guard (the files are new)."""
    monkeypatch.setenv("IMSLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("IMSLINT_NO_CACHE", raising=False)
    monkeypatch.setattr(runner, "INDEX_AFTER", 1)
    monkeypatch.setattr(cache, "RACY_NS", -10**18)
    files = {
        "paths.py": 'LIST = "/v1.1/images/detail"\n',
        "client.py": "from paths import LIST\nrequests.get(LIST)\n",
        "plain.py": "x = 1\n",
        "later.py": "import settings\nrequests.get(settings.BASE + '/v1/x')\n",
        "binary.py": "x = 1\0",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def select(root):
    paths = sorted(p for p in root.glob("*.py"))
    selection = runner.select_candidates(
        [type("Item", (), {"display_path": p.name, "abs_path": p})() for p in paths]
    )
    return [item.display_path for item in selection.candidates], [r.display_path for r in selection.problems]


def test_index_spares_reading_unchanged_files(indexed, monkeypatch):
    first = select(indexed)
    assert first == (["client.py", "paths.py"], ["binary.py"])

    def no_reading(path):
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(runner, "_read", no_reading)
    monkeypatch.setattr(runner, "_read_with_status", no_reading)
    assert select(indexed) == first


def test_a_tree_checked_before_uses_its_index_from_the_first_file(indexed, monkeypatch):
    first = select(indexed)  # keeps an index (``INDEX_AFTER`` is 1 here)
    monkeypatch.setattr(runner, "INDEX_AFTER", 10**9)  # as in a tree smaller than it

    def no_reading(path):
        raise AssertionError(f"{path} was read again")

    items = [type("Item", (), {"display_path": p.name, "abs_path": p})() for p in sorted(indexed.glob("*.py"))]
    with monkeypatch.context() as patch:
        patch.setattr(runner, "_read_with_status", no_reading)
        selection = runner.select_candidates(items, index_at_once=True)
        with pytest.raises(AssertionError, match="was read again"):
            runner.select_candidates(items)  # without ``index_at_once`` the files are read
    assert ([item.display_path for item in selection.candidates], [r.display_path for r in selection.problems]) == first


def test_a_small_tree_checked_first_keeps_no_index(indexed, monkeypatch):
    monkeypatch.setattr(runner, "INDEX_AFTER", 10**9)
    items = [type("Item", (), {"display_path": p.name, "abs_path": p})() for p in sorted(indexed.glob("*.py"))]
    runner.select_candidates(items, index_at_once=True)
    assert not (indexed / "cache").exists()


def test_index_notices_changed_files_and_new_names(indexed):
    select(indexed)
    (indexed / "plain.py").write_text('URL = "/v1/images"  # now a seed\n')
    assert select(indexed)[0] == ["client.py", "paths.py", "plain.py"]
    (indexed / "settings.py").write_text('BASE = "https://ims/v1.1/images"\n')  # ``later`` mentions BASE
    assert select(indexed)[0] == ["client.py", "later.py", "paths.py", "plain.py", "settings.py"]
    (indexed / "binary.py").write_text("x = 1\n")
    assert select(indexed)[1] == []


def select_discovered(root):
    """As ``select``, with each file's status taken at discovery (as ``files.discover`` does)."""
    import os

    paths = sorted(p for p in root.glob("*.py"))
    items = [type("Item", (), {"display_path": p.name, "abs_path": p, "status": os.stat(p)})() for p in paths]
    return [item.display_path for item in runner.select_candidates(items).candidates]


def test_the_import_graph_is_solved_again_only_when_a_file_changed(indexed, monkeypatch):
    from linter import carriers

    solved = []
    real = carriers.Graph.solve
    monkeypatch.setattr(carriers.Graph, "solve", lambda self: solved.append(1) or real(self))
    first = select_discovered(indexed)
    assert select_discovered(indexed) == first == ["client.py", "paths.py"]
    count = len(solved)
    assert select_discovered(indexed) == first and len(solved) == count  # nothing changed: the answer is kept
    (indexed / "settings.py").write_text('BASE = "https://ims/v1.1/images"\n')  # ``later`` takes BASE now
    assert select_discovered(indexed) == ["client.py", "later.py", "paths.py", "settings.py"]
    assert len(solved) == count + 1
    (indexed / "paths.py").unlink()  # the set of files changed: ``client`` takes nothing any more
    assert select_discovered(indexed) == ["later.py", "settings.py"]


def test_index_of_other_code_is_ignored(indexed, monkeypatch):
    select(indexed)
    monkeypatch.setattr(cache, "_FINGERPRINT", ["another version"])
    index = cache.PrefilterIndex(str(indexed / "cache"))
    assert len(index) == 0


def test_racy_files_are_not_indexed(indexed, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 2_000_000_000)
    select(indexed)
    assert len(cache.PrefilterIndex(str(indexed / "cache"))) == 0


def test_cli_cache_dir_and_no_cache(project, monkeypatch):
    from click.testing import CliRunner

    from linter.cli import main

    monkeypatch.delenv("IMSLINT_CACHE_DIR")
    (project / "pkg" / "settings.py").write_text('VERSION = "v1.1"\n')
    new_process()
    chosen = CliRunner().invoke(main, ["check", "--cache-dir", "elsewhere", "pkg"])
    assert chosen.exit_code == 1, chosen.output
    assert list((project / "elsewhere").rglob("*.json")) and not (project / ".imslint_cache").exists()
    new_process()
    off = CliRunner().invoke(main, ["check", "--no-cache", "--cache-dir", "third", "pkg"])
    assert off.exit_code == 1 and off.output.splitlines()[0] == chosen.output.splitlines()[0]
    assert not (project / "third").exists() and not (project / ".imslint_cache").exists()
    new_process()
    default = CliRunner().invoke(main, ["check", "pkg"])
    assert default.exit_code == 1 and (project / ".imslint_cache").is_dir()


@pytest.mark.parametrize("use_cache", [True, False])
def test_a_long_lived_process_sees_imported_modules_change(project, monkeypatch, use_cache):
    """``lint_paths`` twice in one process (an editor, a script): the second call must not use
    what the first learnt from a module that has changed since."""
    if not use_cache:
        monkeypatch.setenv("IMSLINT_NO_CACHE", "1")
    settings = project / "pkg" / "settings.py"
    settings.write_text('VERSION = "v1.1"\n')
    new_process()
    seen = [summary(lint_paths(["pkg"], jobs=1))]
    for version in ("v2", "v1", "v1.1"):
        settings.write_text(f'VERSION = "{version}"\n')
        seen.append(summary(lint_paths(["pkg"], jobs=1)))  # the same process, nothing forgotten by hand
        assert seen[-1] != seen[-2], version
        assert seen[-1] == cold(monkeypatch), version
    assert [[code for _, _, code, _ in findings] for findings in seen] == [["IMS001"], ["IMS007"], ["IMS005"], ["IMS001"]]


def test_module_cache_keeps_unchanged_modules_across_calls(project, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)  # files written just now count as settled
    (project / "pkg" / "settings.py").write_text('VERSION = "v1.1"\n')
    new_process()
    monkeypatch.setenv("IMSLINT_NO_CACHE", "1")
    lint_paths(["pkg"], jobs=1)
    loaded = dict(project_module._CACHE.entries)
    assert loaded
    assert project_module.forget_changed_modules() is False
    assert dict(project_module._CACHE.entries) == loaded


def test_what_a_run_learns_of_the_tree_lasts_that_run_only(project, monkeypatch):
    """Package roots and module files are kept while a run lasts (``project.remember_package_roots``):
    a module that appears between runs is found by the next one."""
    monkeypatch.setenv("IMSLINT_NO_CACHE", "1")
    (project / "pkg" / "client.py").write_text(CLIENT.replace("from .settings", "from pkg.settings"))
    new_process()
    assert lint_paths(["pkg"], jobs=1) == []  # ``pkg/settings.py`` does not exist yet
    assert project_module._PACKAGE_ROOTS is None and project_module._FILES is None
    (project / "pkg" / "settings.py").write_text('VERSION = "v1.1"\n')
    new_process()
    assert [f.code for f in lint_paths(["pkg"], jobs=1)] == ["IMS001"]
