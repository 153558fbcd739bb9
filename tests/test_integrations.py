"""The real tools around imslint: pre-commit, flake8, a SARIF validator, and the README snippets."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
# A request whose safe fix is the path alone: the first image's id needs no page loop.
BAD = 'import requests\n\n\ndef images(ep):\n    return requests.get(ep + "/v1.1/images/detail", params={"name": "web"}).json()["images"][0]["id"]\n'
GOOD = BAD.replace("/v1.1/images/detail", "/v2/images")
IMSLINT = [sys.executable, "-m", "linter"]


def snippet(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\n```yaml\n(.*?)```", README, re.S)
    assert match, marker
    return match.group(1)


def run(command, cwd, **kwargs):
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, **kwargs)


@pytest.fixture
def git_repo(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "project"
    repo.mkdir()
    for command in (["git", "init", "-q"], ["git", "config", "user.email", "t@example.com"],
                    ["git", "config", "user.name", "t"]):
        run(command, repo, check=True)
    (repo / "client.py").write_text(BAD)
    run(["git", "add", "client.py"], repo, check=True)
    return repo


def test_pre_commit_hooks_from_readme_snippet(git_repo, tmp_path):
    """The README's pre-commit snippet, pointed at this checkout: fails, fixes, then passes."""
    yaml = pytest.importorskip("yaml")
    head = run(["git", "rev-parse", "HEAD"], REPO).stdout.strip()
    if not head:
        pytest.skip("not a git checkout")
    config = yaml.safe_load(snippet("pre-commit-snippet"))
    config["repos"][0]["repo"] = str(REPO)
    config["repos"][0]["rev"] = head
    hooks = {hook["id"] for hook in config["repos"][0]["hooks"]}
    assert hooks == {"imslint", "imslint-fix"}
    (git_repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    pre_commit = [sys.executable, "-m", "pre_commit"]
    check = run([*pre_commit, "run", "imslint", "--all-files"], git_repo, env=env)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "IMS001" in check.stdout
    fix = run([*pre_commit, "run", "imslint-fix", "--all-files"], git_repo, env=env)
    assert fix.returncode == 1, fix.stdout + fix.stderr  # files were modified
    assert (git_repo / "client.py").read_text() == GOOD
    again = run([*pre_commit, "run", "imslint", "--all-files"], git_repo, env=env)
    assert again.returncode == 0, again.stdout + again.stderr


def test_pre_commit_snippet_pins_a_commit_that_exists():
    """There are no release tags: ``rev:`` is a full commit SHA of this repository's history,
    and the hooks file at that commit defines the hooks the snippet uses."""
    yaml = pytest.importorskip("yaml")
    if shutil.which("git") is None or not run(["git", "rev-parse", "HEAD"], REPO).stdout.strip():
        pytest.skip("not a git checkout")
    [entry] = yaml.safe_load(snippet("pre-commit-snippet"))["repos"]
    rev = str(entry["rev"])
    assert re.fullmatch(r"[0-9a-f]{40}", rev), f"rev {rev!r} is not a commit SHA"
    assert run(["git", "cat-file", "-e", f"{rev}^{{commit}}"], REPO).returncode == 0, f"{rev} is not a commit here"
    assert run(["git", "merge-base", "--is-ancestor", rev, "HEAD"], REPO).returncode == 0, "not in this history"
    hooks = yaml.safe_load(run(["git", "show", f"{rev}:.pre-commit-hooks.yaml"], REPO, check=True).stdout)
    assert {hook["id"] for hook in entry["hooks"]} <= {hook["id"] for hook in hooks}
    assert entry["repo"] == INSTALL_URL


def _install_lines():
    """Every ``pip install`` line of the README that installs imslint without a clone."""
    return re.findall(r'pip install "imslint @ [^"]*"', README)


INSTALL_URL = "https://github.com/imslint/imslint"


def test_one_install_line_from_git_everywhere():
    """The README's install line, and the CI snippets use the same; pip's requirement parser
    reads it as imslint from the repository the pre-commit snippet names."""
    from packaging.requirements import Requirement

    block = re.search(r"<!-- install-line -->\n```sh\n(.*?)\n```", README, re.S)
    assert block, "install-line"
    line = block.group(1).strip()
    assert line in snippet("github-snippet") and line in snippet("gitlab-snippet")
    assert "pip install imslint\n" not in README  # not published: that line cannot work
    for found in _install_lines():
        assert found.startswith(line[:-1]), found  # the same line, at most pinned to a commit
    requirement = Requirement(line.split(" ", 2)[2].strip('"'))
    assert requirement.name == "imslint" and requirement.url == f"git+{INSTALL_URL}"
    pinned = Requirement(f"imslint @ git+{INSTALL_URL}@{'0' * 40}")
    assert pinned.url.endswith("@" + "0" * 40)  # the documented way to pin parses too


def test_pre_commit_try_repo(git_repo, tmp_path):
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    result = run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "imslint", "--all-files"], git_repo, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "IMS001" in result.stdout


def test_flake8_reports_imslint_findings(tmp_path):
    (tmp_path / "client.py").write_text(BAD)
    result = run([sys.executable, "-m", "flake8", "--select", "IMS", "client.py"], tmp_path)
    assert result.returncode == 1, result.stderr
    assert "client.py:5:25: IMS001 `GET /v1.1/images/detail` is abandoned" in result.stdout
    (tmp_path / "client.py").write_text(GOOD)
    assert run([sys.executable, "-m", "flake8", "--select", "IMS", "client.py"], tmp_path).returncode == 0


def test_sarif_from_cli_validates_against_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    (tmp_path / "client.py").write_text(BAD)
    (tmp_path / "odd name, with: chars é.py").write_text(BAD)
    result = run([*IMSLINT, "check", "-o", "sarif", "."], tmp_path)
    assert result.returncode == 1
    log = json.loads(result.stdout)
    schema = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    assert len(results) == 2 and all(r["ruleId"] == "IMS001" for r in results)
    assert all(r.get("fixes") for r in results)


def test_github_snippet_commands_run(tmp_path):
    (tmp_path / "client.py").write_text(BAD)
    commands = re.findall(r"- run: (imslint .*)", snippet("github-snippet"))
    assert len(commands) == 2
    annotations = run([*IMSLINT, *commands[0].split()[1:]], tmp_path)
    assert annotations.returncode == 1
    assert annotations.stdout.startswith("::error file=client.py,line=5,col=25")
    sarif = run([*IMSLINT, *commands[1].split()[1:]], tmp_path)
    assert sarif.returncode == 0
    assert json.loads((tmp_path / "imslint.sarif").read_text())["version"] == "2.1.0"


def test_gitlab_snippet_commands_run(tmp_path):
    (tmp_path / "client.py").write_text(BAD)
    commands = re.findall(r"    - (imslint .*)", snippet("gitlab-snippet"))
    assert len(commands) == 2
    report = run([*IMSLINT, *commands[0].split()[1:]], tmp_path)
    assert report.returncode == 0
    issues = json.loads((tmp_path / "gl-code-quality-report.json").read_text())
    assert issues[0]["check_name"] == "IMS001" and issues[0]["location"]["path"] == "client.py"
    assert run([*IMSLINT, *commands[1].split()[1:]], tmp_path).returncode == 1


def test_library_api(tmp_path, monkeypatch):
    import linter

    assert [f.code for f in linter.lint_source(BAD, "client.py")] == ["IMS001"]
    assert linter.fix_source(BAD, "client.py").text == GOOD
    (tmp_path / "client.py").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    assert [(f.path, f.code) for f in linter.lint_paths(["."])] == [("client.py", "IMS001")]
    assert (REPO / "linter" / "py.typed").exists()
