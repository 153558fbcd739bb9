import os
import textwrap

import pytest

from linter.config import ConfigResolver
from linter.files import DiscoveredFile, DiscoveryError, discover

KNOWN = ["IMS000", "IMS001", "IMS002", "IMS003", "IMS004", "IMS005", "IMS006", "IMS007"]


def make(root, *names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("/"):
            path.mkdir(exist_ok=True)
        else:
            path.write_text("x = 1\n")


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def found(paths=(), cwd=None, overrides=None, config_file=None):
    resolver = ConfigResolver(KNOWN, overrides=overrides, config_file=config_file, cwd=cwd)
    return list(discover(list(paths), resolver, cwd=cwd))


def shown(paths=(), cwd=None, **options):
    """Display paths of the files found; errors as ``!path: message``."""
    return [
        item.display_path if isinstance(item, DiscoveredFile)
        else f"!{item.display_path}: {item.message}"
        for item in found(paths, cwd, **options)
    ]


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


# --- walking, order and display paths ------------------------------------------------------------


def test_walks_sorted_depth_first_only_python(project):
    make(project, "b.py", "a.py", "notes.txt", "pkg/z.py", "pkg/sub/y.py", "pkg/m.pyi", "c.py")
    assert shown() == ["a.py", "b.py", "c.py", "pkg/sub/y.py", "pkg/z.py"]
    assert shown() == shown(["."])


def test_display_paths_follow_the_argument(project):
    make(project, "src/pkg/a.py")
    assert shown(["src"]) == ["src/pkg/a.py"]
    assert shown(["src/"]) == ["src/pkg/a.py"]
    assert shown(["./src"]) == ["src/pkg/a.py"]
    assert shown([str(project / "src")]) == [str(project / "src" / "pkg" / "a.py")]
    os.chdir(project / "src" / "pkg")
    assert shown([".."]) == ["../pkg/a.py"]


def test_explicit_file_shown_as_given_with_absolute_path(project):
    make(project, "src/a.py")
    [item] = found(["./src/a.py"])
    assert item.display_path == "./src/a.py"
    assert item.abs_path == str(project / "src" / "a.py")
    assert item.settings.root == project


def test_explicit_file_linted_whatever_its_suffix(project):
    make(project, "script", "build/gen.py")
    assert shown(["script", "build/gen.py"]) == ["script", "build/gen.py"]


def test_each_file_once(project):
    make(project, "src/a.py")
    assert shown(["src", "src/a.py", "."]) == ["src/a.py"]


def test_directory_named_like_a_python_file_is_walked(project):
    make(project, "x.py/inner.py", "x.py/data.txt")
    assert shown() == ["x.py/inner.py"]
    assert shown(["x.py"]) == ["x.py/inner.py"]


def test_cwd_argument_instead_of_chdir(tmp_path):
    make(tmp_path, "p/a.py")
    [item] = found(["p"], cwd=str(tmp_path))
    assert item.display_path == "p/a.py" and item.abs_path == str(tmp_path / "p" / "a.py")


def test_discovery_is_lazy(project):
    make(project, "a.py", "sub/b.py")
    stream = discover(["."], ConfigResolver(KNOWN))
    assert next(stream).display_path == "a.py"
    (project / "sub" / "c.py").write_text("")  # seen: "sub" has not been listed yet
    assert [item.display_path for item in stream] == ["sub/b.py", "sub/c.py"]


def test_settings_follow_nearest_config(project):
    write(project / "pyproject.toml", '[tool.imslint]\nselect = ["IMS001"]\n')
    write(project / "sub" / "pyproject.toml", '[tool.imslint]\nselect = ["IMS002"]\n')
    make(project, "a.py", "sub/b.py")
    items = {item.display_path: item.settings.enabled for item in found()}
    assert items == {"a.py": {"IMS001"}, "sub/b.py": {"IMS002"}}


def test_include_setting(project):
    write(project / "pyproject.toml", '[tool.imslint]\ninclude = ["*.py", "*.pyi"]\n')
    make(project, "a.py", "b.pyi", "c.txt")
    assert shown() == ["a.py", "b.pyi"]


# --- excludes ------------------------------------------------------------------------------------


def test_default_excludes(project):
    make(project, "a.py", ".venv/lib/x.py", "build/b.py", "node_modules/n.py", ".git/hooks/h.py",
         "pkg/__pypackages__/p.py", "pkg/dist/d.py", ".imslint_cache/c.py", "pkg/ok.py")
    assert shown() == ["a.py", "pkg/ok.py"]


def test_named_excluded_directory_is_walked(project):
    make(project, "build/b.py", "build/dist/c.py")
    assert shown(["build"]) == ["build/b.py"]


def test_exclude_and_extend_exclude(project):
    write(project / "pyproject.toml", """\
        [tool.imslint]
        extend-exclude = ["/generated", "*_pb2.py", "docs/"]
        """)
    make(project, "generated/g.py", "pkg/generated/keep.py", "pkg/api_pb2.py", "docs/conf.py",
         "docs.py", "build/b.py", "a.py")
    assert shown() == ["a.py", "docs.py", "pkg/generated/keep.py"]


def test_exclude_replaces_defaults(project):
    write(project / "pyproject.toml", '[tool.imslint]\nexclude = ["skip"]\n')
    make(project, "build/b.py", "skip/s.py")
    assert shown() == ["build/b.py"]


def test_nested_config_excludes_relative_to_itself(project):
    write(project / "pkg" / "pyproject.toml", '[tool.imslint]\nextend-exclude = ["/gen"]\n')
    make(project, "gen/a.py", "pkg/gen/b.py", "pkg/c.py")
    assert shown() == ["gen/a.py", "pkg/c.py"]


def test_exclude_override_from_command_line(project):
    make(project, "a.py", "old/b.py")
    assert shown(overrides={"extend-exclude": ["old"]}) == ["a.py"]


def test_force_exclude_applies_to_named_paths(project):
    write(project / "pyproject.toml", '[tool.imslint]\nextend-exclude = ["migrations"]\n')
    make(project, "app/migrations/0001.py", "app/models.py", "build/gen.py")
    named = ["app/migrations/0001.py", "app/models.py", "build/gen.py", "app/migrations"]
    assert shown(named) == ["app/migrations/0001.py", "app/models.py", "build/gen.py"]
    assert shown(named, overrides={"force-exclude": True}) == ["app/models.py"]


def test_force_exclude_from_config(project):
    write(project / "pyproject.toml", """\
        [tool.imslint]
        force-exclude = true
        extend-exclude = ["x.py"]
        """)
    make(project, "x.py", "y.py")
    assert shown(["x.py", "y.py"]) == ["y.py"]


def test_force_exclude_stops_at_config_root(tmp_path, monkeypatch):
    root = tmp_path / "build" / "project"  # "build" above the root does not exclude
    write(root / "pyproject.toml", "[tool.imslint]\nforce-exclude = true\n")
    make(root, "a.py")
    monkeypatch.chdir(root)
    assert shown(["a.py"]) == ["a.py"]


# --- .gitignore ----------------------------------------------------------------------------------


def test_gitignore_nested_with_negation(project):
    write(project / ".gitignore", "*.gen.py\nlogs/\n/top_only.py\nsecret*\n")
    write(project / "pkg" / ".gitignore", "!keep.gen.py\nlocal.py\n/anchored.py\n")
    make(project, "a.gen.py", "top_only.py", "logs/l.py", "secret.py", "b.py",
         "pkg/x.gen.py", "pkg/keep.gen.py", "pkg/top_only.py", "pkg/local.py",
         "pkg/anchored.py", "pkg/deeper/anchored.py", "pkg/deeper/local.py", "other/local.py")
    assert shown() == ["b.py", "other/local.py", "pkg/deeper/anchored.py", "pkg/keep.gen.py",
                       "pkg/top_only.py"]


def test_gitignore_cannot_reinclude_inside_ignored_directory(project):
    write(project / ".gitignore", "out/\n!out/keep.py\n")
    make(project, "out/keep.py", "a.py")
    assert shown() == ["a.py"]


def test_gitignore_deeper_file_overrides(project):
    write(project / ".gitignore", "!special.py\n")
    write(project / "sub" / ".gitignore", "special.py\n")
    write(project / "sub" / "inner" / ".gitignore", "!special.py\n")
    make(project, "special.py", "sub/special.py", "sub/inner/special.py")
    assert shown() == ["special.py", "sub/inner/special.py"]


def test_gitignore_of_repository_above_the_argument_and_info_exclude(project):
    (project / ".git" / "info").mkdir(parents=True)
    write(project / ".git" / "info" / "exclude", "local_*.py\n")
    write(project / ".gitignore", "src/skip/\n")
    make(project, "src/a.py", "src/skip/b.py", "src/local_c.py")
    assert shown(["src"]) == ["src/a.py"]


def test_gitignore_above_argument_not_read_outside_a_repository(project):
    write(project / ".gitignore", "*.py\n")
    make(project, "src/a.py")
    assert shown(["src"]) == ["src/a.py"]


def test_gitignore_above_repository_root_not_read(tmp_path, monkeypatch):
    write(tmp_path / ".gitignore", "*.py\n")
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    make(repository, "src/a.py")
    monkeypatch.chdir(repository)
    assert shown(["src"]) == ["src/a.py"]


def test_named_gitignored_directory_is_walked(project):
    (project / ".git").mkdir()
    write(project / ".gitignore", "out/\n*.tmp.py\n")
    make(project, "out/a.py", "out/b.tmp.py")
    assert shown(["out"]) == ["out/a.py"]


def test_respect_gitignore_false(project):
    write(project / "pyproject.toml", "[tool.imslint]\nrespect-gitignore = false\n")
    write(project / ".gitignore", "*.py\n")
    make(project, "a.py")
    assert shown() == ["a.py"]


def test_gitignore_does_not_apply_to_named_files(project):
    write(project / ".gitignore", "a.py\n")
    make(project, "a.py")
    assert shown(["a.py"]) == ["a.py"]
    assert shown(["a.py"], overrides={"force-exclude": True}) == ["a.py"]


# --- symbolic links and problems ----------------------------------------------------------------


def test_symlink_outside_root_not_followed(tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    make(outside, "secret.py", "lib/s.py")
    root = tmp_path / "root"
    make(root, "a.py", "inner/i.py")
    (root / "link.py").symlink_to(outside / "secret.py")
    (root / "linkdir").symlink_to(outside / "lib", target_is_directory=True)
    (root / "inside.py").symlink_to(root / "inner" / "i.py")
    monkeypatch.chdir(root)
    assert shown() == ["a.py", "inner/i.py"]  # inside.py is the same file: yielded once
    assert shown(["inside.py", "inner"]) == ["inside.py"]


def test_symlink_inside_root_followed(project):
    make(project, "real/r.py")
    (project / "alias").symlink_to(project / "real", target_is_directory=True)
    assert shown(["alias"]) == ["alias/r.py"]  # the argument's own target is the root


def test_broken_symlink_reported(project):
    make(project, "a.py")
    (project / "broken.py").symlink_to(project / "missing.py")
    (project / "broken.txt").symlink_to(project / "missing.txt")  # not a candidate: silent
    assert shown() == ["a.py", "!broken.py: broken symbolic link"]
    assert shown(["broken.py"]) == ["!broken.py: broken symbolic link"]


def test_looping_symlinks_reported(project):
    make(project, "pkg/a.py")
    (project / "pkg" / "again").symlink_to(project, target_is_directory=True)
    (project / "self.py").symlink_to(project / "self.py")
    assert shown() == ["pkg/a.py", "!pkg/again: symbolic link loop, not followed",
                       "!self.py: symbolic link loop"]


def test_missing_path_reported_and_walk_continues(project):
    make(project, "a.py")
    assert shown(["nope.py", "a.py"]) == ["!nope.py: no such file or directory", "a.py"]


def test_unreadable_directory_reported(project, monkeypatch):
    make(project, "a/x.py", "b/y.py")
    real_scandir = os.scandir

    def scandir(path):
        if os.path.basename(path) == "a":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    items = found()
    assert items == [DiscoveryError("a", "permission denied"), items[1]]
    assert items[1].display_path == "b/y.py"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any directory")
def test_unreadable_directory_on_disk(project):
    make(project, "locked/x.py", "z.py")
    (project / "locked").chmod(0)
    try:
        assert shown() == ["!locked: permission denied", "z.py"]
    finally:
        (project / "locked").chmod(0o755)
