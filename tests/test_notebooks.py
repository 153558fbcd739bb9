"""Jupyter notebooks: code cells checked and fixed; outputs, other cells and the JSON layout kept."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from linter.cli import main
from linter.notebooks import _placeholders, read, restore_magics
from linter.prefilter import alive, classify

SAFE_LINE = '    return requests.get(f"{ep}/v1.1/images/detail", params={"disk_format": "qcow2"}).json()["images"][0]["name"]\n'
OUTPUT = {"name": "stdout", "output_type": "stream", "text": ["GET /v1.1/images/detail 200\n"]}


def notebook(**changes):
    cells = [
        {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": ["# Images — café\n", "Lists `/v1.1/images/detail`."]},
        {"cell_type": "code", "execution_count": 1, "id": "c1", "metadata": {"tags": ["setup"]}, "outputs": [],
         "source": ["%matplotlib inline\n", "import requests\n", "\n", 'IMS = "https://ims.eu-de.otc.t-systems.com"']},
        {"cell_type": "code", "execution_count": 2, "id": "c2", "metadata": {}, "outputs": [OUTPUT],
         "source": ["def first(ep):\n", SAFE_LINE, "!echo done"]},
        {"cell_type": "code", "execution_count": None, "id": "c3", "metadata": {}, "outputs": [],
         "source": 'r = requests.get(IMS + "/v1.1/images/detail", params={"size_max": 10})'},
        {"cell_type": "code", "execution_count": None, "id": "c4", "metadata": {}, "outputs": [],
         "source": ["%%bash\n", "curl $IMS/v1.1/images/detail\n"]},
        {"cell_type": "raw", "id": "r1", "metadata": {}, "source": ['requests.get(IMS + "/v1.1/images/detail")']},
    ]
    data = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}
    data.update(changes)
    return data


def nbformat_style(data) -> str:
    """What Jupyter writes: indent 1, non-ASCII kept, a trailing newline."""
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IMSLINT_NO_CACHE", "1")
    (tmp_path / "nb.ipynb").write_text(nbformat_style(notebook()), encoding="utf-8")
    return tmp_path


def invoke(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_findings_are_told_by_cell(project):
    result = invoke("check", ".")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:3] == [
        "nb.ipynb:cell 3:2:25: IMS001 [*] `GET /v1.1/images/detail` is abandoned: use `GET /v2/images`",
        "nb.ipynb:cell 4:1:18: IMS001 `GET /v1.1/images/detail` is abandoned: use `GET /v2/images`; no fix: `size_max` cannot be translated",
        'nb.ipynb:cell 4:1:55: IMS002 `size_max` has no IMS v2 filter (`size` reads 0): filter on `int(image["__image_size"])`',
    ]
    assert "Found 3 findings in 1 file" in result.stdout  # not the markdown, raw or %%bash cells


def test_json_has_the_cell(project):
    findings = json.loads(invoke("check", "-o", "json", ".").stdout)
    assert [(f["cell"], f["line"], f["column"], f["code"]) for f in findings] == [
        (3, 2, 25, "IMS001"), (4, 1, 18, "IMS001"), (4, 1, 55, "IMS002")]
    assert findings[0]["fix"]["edits"][0]["location"]["line"] == 2  # edits told within the cell too


def test_fix_rewrites_only_the_code_and_keeps_outputs_and_layout(project):
    before = (project / "nb.ipynb").read_bytes()
    result = invoke("fix", ".")
    assert "Fixed 1 finding." in result.stdout
    after = (project / "nb.ipynb").read_bytes()
    expected = notebook()
    expected["cells"][2]["source"][1] = SAFE_LINE.replace("/v1.1/images/detail", "/v2/images")
    assert after.decode("utf-8") == nbformat_style(expected)  # byte for byte: indent, key order, é, newline
    assert after.count(b"\n") == before.count(b"\n")
    data = json.loads(after)
    assert data["cells"][2]["outputs"] == [OUTPUT]
    assert data["cells"][1]["source"][0] == "%matplotlib inline\n" and data["cells"][2]["source"][2] == "!echo done"


@pytest.mark.parametrize("style", [
    dict(indent=2, ensure_ascii=True),
    dict(indent=4, ensure_ascii=False),
    dict(indent="\t", ensure_ascii=False),
])
@pytest.mark.parametrize("end", ["\n", ""])
def test_other_layouts_are_written_back_as_they_were(project, style, end):
    (project / "nb.ipynb").write_text(json.dumps(notebook(), **style) + end, encoding="utf-8")
    invoke("fix", ".")
    expected = notebook()
    expected["cells"][2]["source"][1] = SAFE_LINE.replace("/v1.1/images/detail", "/v2/images")
    assert (project / "nb.ipynb").read_text(encoding="utf-8") == json.dumps(expected, **style) + end


def test_crlf_is_kept(project):
    (project / "nb.ipynb").write_bytes(nbformat_style(notebook()).replace("\n", "\r\n").encode("utf-8"))
    invoke("fix", ".")
    written = (project / "nb.ipynb").read_bytes()
    assert b"/v2/images" in written and b"\n" not in written.replace(b"\r\n", b"")


def test_a_layout_imslint_cannot_reproduce_is_checked_but_never_rewritten(project):
    odd = nbformat_style(notebook()).replace('"nbformat": 4', '"nbformat" :   4')
    (project / "nb.ipynb").write_text(odd, encoding="utf-8")
    assert "nb.ipynb:cell 3:2:25: IMS001" in invoke("check", ".").stdout
    result = invoke("fix", ".")
    assert result.exit_code == 1
    assert "IMS000 not fixed: its JSON layout is not one imslint can write back unchanged" in result.stdout
    assert (project / "nb.ipynb").read_text(encoding="utf-8") == odd


def test_diff_is_per_cell(project):
    result = invoke("fix", "--diff", ".")
    assert result.exit_code == 1
    assert result.stdout.startswith("--- a/nb.ipynb:cell 3\n+++ b/nb.ipynb:cell 3\n")
    assert "-" + SAFE_LINE in result.stdout and "+" + SAFE_LINE.replace("/v1.1/images/detail", "/v2/images") in result.stdout
    assert " !echo done" in result.stdout  # the magic shown as it is, not as imslint's placeholder
    assert "imslint-cell" not in result.stdout and "imslint-magic" not in result.stdout


def test_notebooks_are_discovered_by_default_and_can_be_excluded(project):
    assert invoke("check", "--show-files", ".").stdout == "nb.ipynb\n"
    (project / "pyproject.toml").write_text('[tool.imslint]\ninclude = ["*.py"]\n')
    assert invoke("check", "--show-files", ".").stdout == ""


def test_the_pre_filter_keeps_a_notebook_whose_path_ends_at_an_escaped_quote(project, monkeypatch):
    # In the JSON the path ends with `images\"`: the byte test passes (a backslash may end a
    # segment), but read as Python the file is one dict whose strings hold `images"` mid-value,
    # which the ast screen would not take for a path. The pre-filter reads the cells' code instead.
    cell = {"cell_type": "code", "execution_count": None, "id": "x", "metadata": {}, "outputs": [],
            "source": ['import requests\n', 'requests.get(EP + "/v1/images", headers={"X-A": "b"}).json()']}
    data = notebook(cells=[cell])
    raw = nbformat_style(data).encode("utf-8")
    assert b'images\\"' in raw
    assert classify(raw) and not alive(raw)  # the JSON as it is: live bytes, nothing the screen keeps
    (project / "nb.ipynb").write_bytes(raw)
    assert classify(read(raw).text.encode("utf-8")) and alive(read(raw).text.encode("utf-8"))
    monkeypatch.delenv("IMSLINT_NO_CACHE")
    for cache in ("--no-cache", "--cache-dir=.cache", "--cache-dir=.cache"):  # cold, then from the cache
        result = invoke("check", cache, "nb.ipynb")
        assert "nb.ipynb:cell 1:2:14: IMS005" in result.stdout, result.stdout


def test_a_notebook_that_imports_a_constant_from_the_project(project):
    (project / "paths.py").write_text('LIST = "/v1.1/images/detail"\n')
    cell = {"cell_type": "code", "execution_count": None, "id": "x", "metadata": {}, "outputs": [],
            "source": ["import requests\n", "from paths import LIST\n", "r = requests.get(EP + LIST)"]}
    (project / "nb.ipynb").write_text(nbformat_style(notebook(cells=[cell])), encoding="utf-8")
    result = invoke("check", ".")
    assert "nb.ipynb:cell 1:3:" in result.stdout, result.stdout


@pytest.mark.parametrize("content, message", [
    ("{not json", "not a notebook: invalid JSON"),
    ('{"cells": 3}', 'not a notebook: no "cells" list'),
])
def test_a_broken_notebook_is_ims000(project, content, message):
    (project / "nb.ipynb").write_text(content)
    result = invoke("check", ".")
    assert result.exit_code == 1
    assert f"nb.ipynb:1:1: IMS000 {message}" in result.stdout


def test_stdin_notebook(project):
    text = (project / "nb.ipynb").read_text(encoding="utf-8")
    checked = invoke("check", "--stdin-filename", "nb.ipynb", input=text)
    assert "nb.ipynb:cell 3:2:25: IMS001" in checked.stdout
    fixed = invoke("fix", "--stdin-filename", "nb.ipynb", input=text)
    assert json.loads(fixed.stdout)["cells"][2]["source"][1] == SAFE_LINE.replace("/v1.1/images/detail", "/v2/images")


def test_add_noqa_and_todo_in_a_cell(project):
    result = invoke("check", "--add-noqa", "--reason", "notebook kept as is", ".")
    assert result.exit_code == 0, result.stderr
    data = json.loads((project / "nb.ipynb").read_text(encoding="utf-8"))
    assert data["cells"][3]["source"].endswith("  # noqa: IMS001, IMS002 notebook kept as is")
    assert data["cells"][2]["source"][1].endswith("  # noqa: IMS001 notebook kept as is\n")
    assert invoke("check", ".").exit_code == 0
    data["cells"][3]["source"] = data["cells"][3]["source"].replace("# noqa: IMS001, IMS002", "# imslint: todo[IMS001,IMS002]")
    (project / "nb.ipynb").write_text(nbformat_style(data), encoding="utf-8")
    assert "2 marked todo" in invoke("check", ".").stdout
    report = invoke("report", ".").stdout
    assert "- notebook kept as is — 1 site: `nb.ipynb:cell 4:1`" in report


def test_magic_lines_become_placeholders_only_where_a_statement_starts():
    code = ("%time f()\nx = (\n    '%s'\n    % y\n)\nfiles = !ls\nobj?\nif x:\n    %timeit g()\ny = 1  # why?\n")
    replaced = _placeholders(code, "0123abcd")
    assert replaced.splitlines() == [
        "# imslint-magic 0123abcd %time f()", "x = (", "    '%s'", "    % y", ")",
        "# imslint-magic 0123abcd files = !ls", "# imslint-magic 0123abcd obj?", "if x:",
        "    # imslint-magic 0123abcd %timeit g()", "y = 1  # why?"]
    assert restore_magics(replaced) == code


def test_diff_as_json_edits_lines_of_the_cell(project):
    result = invoke("fix", "--diff", "-o", "json", ".")
    [entry] = json.loads(result.stdout)
    assert entry["path"] == "nb.ipynb"
    assert entry["edits"] == [{"content": SAFE_LINE.replace("/v1.1/images/detail", "/v2/images"), "cell": 3,
                               "location": {"line": 2, "column": 1}, "end_location": {"line": 3, "column": 1}}]
