import pickle
import textwrap

import pytest

from linter.config import (
    DEFAULT_TARGET,
    ConfigError,
    ConfigResolver,
    RuleSelection,
    resolve_enabled,
    settings_from_table,
)
from linter.options import DEFAULT_MAX_FILE_SIZE

KNOWN = ["IMS000", "IMS001", "IMS002", "IMS003", "IMS004", "IMS005", "IMS006", "IMS007"]


def write(path, text=""):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def settings(table, tmp_path, overrides=None):
    return settings_from_table(table, KNOWN, root=tmp_path, overrides=overrides)


# --- finding the config file --------------------------------------------------------------------


def test_defaults_without_any_config(tmp_path):
    resolver = ConfigResolver(KNOWN, cwd=tmp_path)
    found = resolver.settings_for(tmp_path / "a.py")
    assert found.enabled == frozenset(KNOWN)
    assert found.target == DEFAULT_TARGET
    assert found.respect_gitignore and not found.force_exclude and not found.unsafe_fixes
    assert found.root == tmp_path and found.path is None


def test_nearest_pyproject_with_table_wins(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.imslint]\nselect = ["IMS001"]\n')
    write(tmp_path / "sub" / "pyproject.toml", '[tool.imslint]\nselect = ["IMS002"]\n')
    resolver = ConfigResolver(KNOWN, cwd=tmp_path)
    assert resolver.settings_for(tmp_path / "a.py").enabled == {"IMS001"}
    nested = resolver.settings_for(tmp_path / "sub" / "deep" / "b.py")
    assert nested.enabled == {"IMS002"}
    assert nested.root == tmp_path / "sub"
    assert nested.path == tmp_path / "sub" / "pyproject.toml"


def test_pyproject_without_table_is_skipped(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.imslint]\nselect = ["IMS001"]\n')
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "x"\n[tool.other]\na = 1\n')
    found = ConfigResolver(KNOWN, cwd=tmp_path).settings_for(tmp_path / "sub" / "b.py")
    assert found.enabled == {"IMS001"}
    assert found.root == tmp_path


@pytest.mark.parametrize("name", [".imslint.toml", "imslint.toml"])
def test_standalone_config_preferred_over_pyproject(tmp_path, name):
    write(tmp_path / "pyproject.toml", '[tool.imslint]\nselect = ["IMS001"]\n')
    write(tmp_path / name, 'select = ["IMS003"]\n')
    found = ConfigResolver(KNOWN, cwd=tmp_path).settings_for(tmp_path / "a.py")
    assert found.enabled == {"IMS003"}
    assert found.path == tmp_path / name


def test_dot_imslint_toml_preferred_over_imslint_toml(tmp_path):
    write(tmp_path / "imslint.toml", 'select = ["IMS001"]\n')
    write(tmp_path / ".imslint.toml", 'select = ["IMS002"]\n')
    found = ConfigResolver(KNOWN, cwd=tmp_path).settings_for(tmp_path / "a.py")
    assert found.enabled == {"IMS002"}


def test_explicit_config_file_replaces_search(tmp_path, monkeypatch):
    write(tmp_path / "sub" / "pyproject.toml", '[tool.imslint]\nselect = ["IMS002"]\n')
    write(tmp_path / "conf" / "imslint.toml", 'select = ["IMS005"]\ntarget = "openstack-glance"\n')
    monkeypatch.chdir(tmp_path)
    resolver = ConfigResolver(KNOWN, config_file="conf/imslint.toml")
    found = resolver.settings_for("sub/a.py")
    assert found.enabled == {"IMS005"} and found.target == "openstack-glance"
    assert found.root == tmp_path / "conf"


def test_explicit_pyproject_config_file(tmp_path):
    write(tmp_path / "cfg.d" / "pyproject.toml", '[tool.imslint]\nignore = ["IMS0"]\n')
    resolver = ConfigResolver(KNOWN, config_file="cfg.d/pyproject.toml", cwd=tmp_path)
    assert resolver.settings_for(tmp_path / "x.py").enabled == set()


def test_missing_explicit_config_file(tmp_path):
    with pytest.raises(ConfigError, match=r"^nope\.toml: config file not found"):
        ConfigResolver(KNOWN, config_file="nope.toml", cwd=tmp_path)


def test_files_outside_any_config_use_the_one_from_cwd(tmp_path):
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    write(project / "pyproject.toml", '[tool.imslint]\nselect = ["IMS004"]\n')
    elsewhere.mkdir()
    resolver = ConfigResolver(KNOWN, cwd=project / "src")
    assert resolver.settings_for(elsewhere / "a.py").enabled == {"IMS004"}


def test_settings_are_cached_per_directory_and_shared(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.imslint]\nselect = ["IMS001"]\n')
    resolver = ConfigResolver(KNOWN, cwd=tmp_path)
    first = resolver.settings_for(tmp_path / "a" / "b" / "x.py")
    (tmp_path / "pyproject.toml").write_text('[tool.imslint]\nselect = ["IMS002"]\n')
    assert resolver.settings_for(tmp_path / "a" / "y.py") is first


def test_settings_pickle(tmp_path):
    found = settings({"per-file-ignores": {"tests/*": ["IMS001"]}}, tmp_path)
    copy = pickle.loads(pickle.dumps(found))
    assert copy == found
    test_file = tmp_path / "tests" / "t.py"
    assert copy.codes_for(test_file) == found.codes_for(test_file) == set(KNOWN) - {"IMS001"}


# --- validation ---------------------------------------------------------------------------------


def check_error(tmp_path, body, *expected):
    write(tmp_path / "pyproject.toml", "[tool.imslint]\n" + body)
    with pytest.raises(ConfigError) as caught:
        ConfigResolver(KNOWN, cwd=tmp_path).settings_for(tmp_path / "a.py")
    message = str(caught.value)
    assert message.startswith("pyproject.toml: [tool.imslint] ")
    for part in expected:
        assert part in message
    return message


def test_unknown_key_suggests(tmp_path):
    message = check_error(tmp_path, 'selct = ["IMS001"]\n')
    assert message == "pyproject.toml: [tool.imslint] unknown key 'selct' (did you mean 'select'?)"


@pytest.mark.parametrize(
    "body, expected",
    [
        ('select = "IMS001"\n', "select: expected an array of rule codes, got a string"),
        ("ignore = [1]\n", "ignore: expected an array of rule codes, got an array holding an integer"),
        ('extend-select = ["IMS9"]\n', "extend-select: unknown rule code or prefix 'IMS9'"),
        ('extend-ignore = ["XYZ"]\n', "extend-ignore: unknown rule code or prefix 'XYZ'"),
        ('select = ["ims001"]\n', "(did you mean 'IMS001'?)"),
        ('exclude = "build"\n', "exclude: expected an array of glob patterns, got a string"),
        ("extend-exclude = [true]\n", "extend-exclude: expected an array of glob patterns"),
        ("include = {}\n", "include: expected an array of glob patterns, got a table"),
        ('per-file-ignores = ["x"]\n', "per-file-ignores: expected a table of glob = [rule"),
        ('per-file-ignores = {"t/*" = "IMS001"}\n', "per-file-ignores: 't/*': expected an array"),
        ('extend-per-file-ignores = {"t/*" = ["IMS8"]}\n',
         "extend-per-file-ignores: 't/*': unknown rule code or prefix 'IMS8'"),
        ('target = "glance"\n', "target: expected one of 'huawei-ims', 'openstack-glance'"),
        ("target = 3\n", "target: expected one of"),
        ('respect-gitignore = "yes"\n', "respect-gitignore: expected true or false, got a string"),
        ("force-exclude = 1\n", "force-exclude: expected true or false, got an integer"),
        ("unsafe-fixes = []\n", "unsafe-fixes: expected true or false, got an array"),
    ],
)
def test_bad_values_name_key_and_file(tmp_path, body, expected):
    check_error(tmp_path, body, expected)


def test_bad_glob_pattern(tmp_path):
    check_error(tmp_path, 'exclude = ["!"]\n', "exclude: invalid glob pattern '!'")


def test_invalid_toml_names_file(tmp_path):
    write(tmp_path / "sub" / "pyproject.toml", "[tool.imslint\nselect = \n")
    with pytest.raises(ConfigError, match=r"^sub/pyproject\.toml: invalid TOML: "):
        ConfigResolver(KNOWN, cwd=tmp_path).settings_for(tmp_path / "sub" / "a.py")


def test_tool_imslint_must_be_a_table(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool]\nimslint = "on"\n')
    with pytest.raises(ConfigError, match=r"\[tool.imslint\] must be a table, got a string"):
        ConfigResolver(KNOWN, cwd=tmp_path).settings_for(tmp_path / "a.py")


def test_standalone_file_errors_name_file_without_table(tmp_path):
    write(tmp_path / "imslint.toml", 'selecct = ["IMS001"]\n')
    with pytest.raises(ConfigError) as caught:
        ConfigResolver(KNOWN, cwd=tmp_path).settings_for(tmp_path / "a.py")
    assert str(caught.value) == "imslint.toml: unknown key 'selecct' (did you mean 'select'?)"


def test_max_file_size_default_and_units(tmp_path):
    assert settings({}, tmp_path).max_file_size == DEFAULT_MAX_FILE_SIZE == 4 * 1024 * 1024
    cases = {1000: 1000, 0: 0, "0": 0, "512KB": 512 * 1024, "512 kb": 512 * 1024, "1.5MB": 1536 * 1024,
             "4MiB": 4 * 1024 * 1024, "1GB": 1024 ** 3, "100B": 100, "100": 100}
    for value, size in cases.items():
        assert settings({"max-file-size": value}, tmp_path).max_file_size == size, value


@pytest.mark.parametrize("value, expected", [
    (-1, "expected a size of 0 or more bytes, got -1"),
    ("big", "expected a size in bytes or a string such as \"4MB\" or \"512KB\", got 'big'"),
    ("4 TB", "got '4 TB'"),
    (True, "got a boolean"),
    (1.5, "got a float"),
])
def test_bad_max_file_size_names_the_key(tmp_path, value, expected):
    with pytest.raises(ConfigError, match=r"^\[tool.imslint\] max-file-size: ") as caught:
        settings({"max-file-size": value}, tmp_path)
    assert expected in str(caught.value)


def test_max_file_size_override_wins_over_the_file(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.imslint]\nmax-file-size = "1MB"\n')
    assert ConfigResolver(KNOWN, cwd=tmp_path).settings_for(tmp_path / "a.py").max_file_size == 1024 * 1024
    found = ConfigResolver(KNOWN, overrides={"max-file-size": "2KB"}, cwd=tmp_path).settings_for(tmp_path / "a.py")
    assert found.max_file_size == 2048
    with pytest.raises(ConfigError, match=r"^--max-file-size: expected a size"):
        ConfigResolver(KNOWN, overrides={"max-file-size": "lots"}, cwd=tmp_path)


def test_bad_override_names_flag(tmp_path):
    with pytest.raises(ConfigError, match=r"^--select: unknown rule code or prefix 'IMS42'"):
        ConfigResolver(KNOWN, overrides={"select": ["IMS42"]}, cwd=tmp_path)


def test_every_key_accepted(tmp_path):
    table = {
        "select": ["IMS"], "ignore": ["IMS007"], "extend-select": ["IMS00"],
        "extend-ignore": ["IMS006"], "exclude": ["gen"], "extend-exclude": ["old"],
        "per-file-ignores": {"tests/*": ["IMS001"]},
        "extend-per-file-ignores": {"scripts/*": ["ALL"]},
        "target": "huawei-cloudimages", "respect-gitignore": False, "force-exclude": True,
        "include": ["*.py", "*.pyi"], "unsafe-fixes": True, "max-file-size": "8MB",
    }
    found = settings(table, tmp_path)
    assert found.max_file_size == 8 * 1024 * 1024
    assert found.enabled == {"IMS000", "IMS001", "IMS002", "IMS003", "IMS004", "IMS005"}
    assert found.target == "huawei-cloudimages"
    assert not found.respect_gitignore and found.force_exclude and found.unsafe_fixes
    assert found.include.matches_file_itself(tmp_path / "a" / "stub.pyi")
    assert found.exclude.matches(tmp_path / "old", is_dir=True)
    assert found.exclude.matches(tmp_path / "gen" / "x.py")
    assert not found.exclude.matches(tmp_path / ".venv", is_dir=True)  # exclude replaces defaults
    assert found.codes_for(tmp_path / "scripts" / "run.py") == frozenset()


# --- rule selection -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "table, enabled",
    [
        ({}, KNOWN),
        ({"select": ["IMS001", "IMS002"]}, ["IMS001", "IMS002"]),
        ({"ignore": ["IMS00"]}, []),
        ({"select": ["IMS001"], "ignore": ["IMS"]}, ["IMS001"]),  # specific select beats ignore
        ({"select": ["IMS"], "ignore": ["IMS001"]}, [c for c in KNOWN if c != "IMS001"]),
        ({"select": ["IMS001"], "ignore": ["IMS001"]}, []),  # equal specificity: ignore wins
        ({"select": ["IMS001"], "extend-select": ["IMS004"]}, ["IMS001", "IMS004"]),
        ({"extend-ignore": ["IMS003"], "ignore": ["IMS004"]},
         [c for c in KNOWN if c not in ("IMS003", "IMS004")]),
        ({"select": ["ALL"], "ignore": ["IMS0"], "extend-select": ["IMS002"]}, ["IMS002"]),
        ({"select": []}, []),
    ],
)
def test_select_and_ignore(tmp_path, table, enabled):
    assert settings(table, tmp_path).enabled == frozenset(enabled)


def test_resolve_enabled_later_layer_without_select_amends():
    layers = [RuleSelection(select=("IMS001",)), RuleSelection(extend_select=("IMS002",))]
    assert resolve_enabled(KNOWN, layers) == {"IMS001", "IMS002"}


# --- command-line overrides ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "table, overrides, enabled",
    [
        ({"select": ["IMS001"]}, {"select": ["IMS002"]}, ["IMS002"]),
        ({"select": ["IMS001", "IMS002"]}, {"ignore": ["IMS002"]}, ["IMS001"]),
        ({"ignore": ["IMS001"]}, {"extend-select": ["IMS001"]}, KNOWN),
        ({"ignore": ["IMS001"]}, {"select": ["IMS00"]}, ["IMS000", "IMS001", "IMS002", "IMS003",
                                                         "IMS004", "IMS005", "IMS006", "IMS007"]),
    ],
)
def test_overrides_rule_selection(tmp_path, table, overrides, enabled):
    assert settings(table, tmp_path, overrides).enabled == frozenset(enabled)


def test_overrides_scalars_and_excludes(tmp_path, monkeypatch):
    project = tmp_path / "project"
    write(project / "pyproject.toml", """\
        [tool.imslint]
        target = "openstack-glance"
        extend-exclude = ["gen"]
        force-exclude = false
        """)
    overrides = {"target": "huawei-cloudimages", "force-exclude": True,
                 "extend-exclude": ["legacy"], "unsafe-fixes": True}
    found = ConfigResolver(KNOWN, overrides=overrides, cwd=project).settings_for(project / "a.py")
    assert found.target == "huawei-cloudimages"
    assert found.force_exclude and found.unsafe_fixes
    assert found.exclude.matches(project / "gen", is_dir=True)
    assert found.exclude.matches(project / "legacy", is_dir=True)
    assert found.exclude.matches(project / "build", is_dir=True)


def test_override_exclude_replaces_file_excludes_and_is_relative_to_cwd(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.imslint]\nextend-exclude = ["gen"]\n')
    resolver = ConfigResolver(KNOWN, overrides={"exclude": ["/only"]}, cwd=tmp_path / "sub")
    found = resolver.settings_for(tmp_path / "a.py")
    assert found.exclude.matches(tmp_path / "sub" / "only", is_dir=True)
    assert not found.exclude.matches(tmp_path / "only", is_dir=True)
    assert found.exclude.matches(tmp_path / "gen", is_dir=True)  # extend-exclude still adds
    assert not found.exclude.matches(tmp_path / "build", is_dir=True)


# --- per-file ignores ---------------------------------------------------------------------------


def test_per_file_ignores(tmp_path):
    found = settings(
        {
            "per-file-ignores": {"tests/**/*.py": ["IMS001"], "conftest.py": ["IMS00"],
                                 "/top.py": ["IMS002"]},
            "extend-per-file-ignores": {"!src/**": ["IMS003"]},
        },
        tmp_path,
    )
    everything = frozenset(KNOWN)
    assert found.codes_for(tmp_path / "src" / "app.py") == everything
    in_tests = tmp_path / "tests" / "unit" / "t.py"
    assert found.codes_for(in_tests) == everything - {"IMS001", "IMS003"}
    assert found.codes_for(tmp_path / "src" / "deep" / "conftest.py") == frozenset()
    assert found.codes_for(tmp_path / "top.py") == everything - {"IMS002", "IMS003"}
    assert found.codes_for(tmp_path / "src" / "top.py") == everything  # anchored to the root
    assert found.codes_for("/elsewhere/conftest.py") == frozenset()  # outside root: basename


def test_per_file_ignores_relative_to_nested_config(tmp_path):
    write(tmp_path / "pkg" / "pyproject.toml",
          '[tool.imslint]\nper-file-ignores = {"/gen/*.py" = ["IMS001"]}\n')
    resolver = ConfigResolver(KNOWN, cwd=tmp_path)
    target = tmp_path / "pkg" / "gen" / "x.py"
    assert "IMS001" not in resolver.settings_for(target).codes_for(target)


def test_override_extend_per_file_ignores_adds(tmp_path):
    found = settings({"per-file-ignores": {"a.py": ["IMS001"]}}, tmp_path,
                     {"extend-per-file-ignores": {"b.py": ["IMS002"]}})
    assert "IMS001" not in found.codes_for(tmp_path / "a.py")
    assert "IMS002" not in found.codes_for(tmp_path / "b.py")


def test_gitignore_verdict_without_check_file():
    """pathspec < 0.12 has no ``check_file``; the fallback must agree with it."""
    from pathspec import GitIgnoreSpec

    from linter.config import _spec_verdict

    spec = GitIgnoreSpec.from_lines(["*.log", "!keep.log", "build/", "# comment"])

    class OldSpec:
        patterns = spec.patterns

    for key in ["a.log", "x/keep.log", "build/", "build/a.py", "a.py", "build"]:
        assert _spec_verdict(OldSpec(), key) == _spec_verdict(spec, key), key
