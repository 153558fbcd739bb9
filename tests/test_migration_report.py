"""``imslint report``: the migration's state per package and file, as Markdown or one HTML page,
checked as text and as rendered by headless Chromium (its DOM and its screenshot, by content)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import zlib
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from linter.cli import main
from linter.endpoints import HOLE_CHAR
from linter.progress_report import sites_of
from linter import lint_source
from linter.v2_requests import v2_path_kind

EP = 'EP = "https://ims.eu-de.otc.t-systems.com"\n'
DONE = ("import requests\n" + EP +
        'def show(i):\n    return requests.get(f"{EP}/v2/images/{i}").json()["name"]\n'
        'def drop(i):\n    requests.delete(f"{EP}/v2/images/{i}").raise_for_status()\n'
        'def first(i):\n    return requests.get(EP + "/v2/images", params={"limit": 1}).json()["images"][0]\n')
ONCE = "import requests\n" + EP + 'def page():\n    return requests.get(EP + "/v2/images").json()["images"]\n'
SAFE = ('import requests\n\n\ndef images(ep):\n    return requests.get(f"{ep}/v1.1/images/detail",'
        ' params={"disk_format": "qcow2"}).json()["images"][0]["name"]\n')
MANUAL = 'import requests\nr = requests.get(EP + "/v1.1/images/detail", params={"size_max": 10})\n'
TODO = ('import requests\nr = requests.get(EP + "/v1.1/images/detail", params={"size_min": 1})'
        "  # imslint: todo[IMS001,IMS002] size filter in v2.3\n")
DOUBLE = 'import responses\nresponses.add(responses.GET, "https://ims.eu-de.otc.t-systems.com/v2/images/x", json={})\n'

# What the project below holds, per file: (on v2, safe, unsafe, manual, todo).
EXPECTED = {
    "app/done.py": (3, 0, 0, 0, 0),
    "app/once.py": (0, 0, 1, 0, 0),  # a v2 list read once is not done: its fix adds the page loop
    "app/legacy/safe.py": (0, 1, 0, 0, 0),
    "app/legacy/manual.py": (0, 0, 0, 1, 0),
    "app/legacy/todo.py": (0, 0, 0, 0, 1),
}
CATEGORIES = ("on_v2", "safe", "unsafe", "manual", "todo")


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, text in (("app/done.py", DONE), ("app/once.py", ONCE), ("app/legacy/safe.py", SAFE),
                       ("app/legacy/manual.py", MANUAL), ("app/legacy/todo.py", TODO), ("tests/test_x.py", DOUBLE)):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_v2_path_kinds():
    assert v2_path_kind(HOLE_CHAR + "/v2/images") == "list"
    assert v2_path_kind(HOLE_CHAR + "/v2/images?limit=5") == "list"
    assert v2_path_kind(HOLE_CHAR + "v2/images/" + HOLE_CHAR) == "image"
    assert v2_path_kind("/v2/images/" + HOLE_CHAR + "/file") == "image"
    for other in ("/v2/images/detail", "/v1/images", "/v2/cloudimages", "/v2/" + HOLE_CHAR + "/images", "/v2/imagesx"):
        assert v2_path_kind(other) is None, other


def test_the_findings_of_one_request_are_one_site():
    sites = sites_of(lint_source(SAFE, "a.py") + lint_source(MANUAL, "b.py"))
    assert len(lint_source(MANUAL, "b.py")) == 2  # IMS001 and IMS002 of one request...
    assert [site.category for site in sites if site.category == "manual"] == ["manual"]  # ...one manual site


class Cells(HTMLParser):
    """Every element with data-category and data-count, by the row (data-file/data-package) it is in."""

    def __init__(self) -> None:
        super().__init__()
        self.row = None
        self.counts = {}
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if tag == "tr":
            self.row = attrs.get("data-file") or attrs.get("data-package")
        if "data-category" in attrs and "data-count" in attrs and self.row is not None:
            self.counts.setdefault(self.row, {})[attrs["data-category"]] = int(attrs["data-count"])


def expected_counts(paths):
    totals = [sum(EXPECTED[p][i] for p in paths) for i in range(len(CATEGORIES))]
    return dict(zip(CATEGORIES, totals), total=sum(totals))


def test_markdown_report_counts_per_package_and_file(project):
    result = invoke("report", "--no-cache")
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert page.startswith("# imslint migration report\n")
    assert "**43% on v2: 7 request sites (3 on v2, 1 safe fix, 1 unsafe fix, 1 manual, 1 todo).**" in page
    for path, counts in EXPECTED.items():
        row = f"| {path} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |"
        assert row in page, row
    assert "| app/legacy | 0 | 1 | 0 | 1 | 1 | 3 |" in page and "| app | 3 | 0 | 1 | 0 | 0 | 4 |" in page
    assert "- `size_max` cannot be translated — 1 site: `app/legacy/manual.py:2`" in page
    assert "- size filter in v2.3 — 1 site: `app/legacy/todo.py:2`" in page
    assert "tests/test_x.py" not in page  # a test double is no request


def test_html_report_is_self_contained_and_holds_the_counts(project):
    result = invoke("report", "--no-cache", "--format", "html")
    assert result.exit_code == 0
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>")
    for outside in ("<script", "<link", "src=", "http://", "https://", "url("):
        assert outside not in page, outside
    cells = Cells()
    cells.feed(page)
    for path, counts in EXPECTED.items():
        assert cells.counts[path] == dict(zip(CATEGORIES, counts), total=sum(counts))
    assert cells.counts["app/legacy"] == expected_counts([p for p in EXPECTED if p.startswith("app/legacy/")])


def test_report_to_a_file_and_errors(project):
    assert invoke("report", "-o", "html", "--output-file", "r.html", "app").exit_code == 0
    assert (project / "r.html").read_text().startswith("<!DOCTYPE html>")
    missing = invoke("report", "nowhere")
    assert missing.exit_code == 2 and "no such file or directory: nowhere" in missing.stderr
    bad = invoke("report", "--output-file", "no/dir/r.md")
    assert bad.exit_code == 2 and "cannot write --output-file" in bad.stderr and "Traceback" not in bad.stderr
    assert invoke("report", "--format", "pdf").exit_code == 2


def test_a_todo_marker_takes_its_request_s_other_findings(project):
    (project / "app" / "legacy" / "todo.py").write_text(
        'import requests\n\n\ndef since(t):\n    params = {"status": "active"}\n    params["changes-since"] = t\n'
        '    return requests.get(EP + "/v1.1/images/detail", params=params).json()["images"]'
        '  # imslint: todo[IMS001,IMS004] compare image IDs instead\n')
    page = invoke("report", "--no-cache").stdout
    # The IMS002 on the line before (no fix, the same evidence) is part of the marked request.
    assert "| app/legacy/todo.py | 0 | 0 | 0 | 0 | 1 | 1 |" in page, page
    assert "- compare image IDs instead — 1 site: `app/legacy/todo.py:7`" in page


def test_progress_shows_after_fixing(project):
    invoke("fix", "--no-cache", "app")
    page = invoke("report", "--no-cache").stdout
    assert "| app/legacy/safe.py | 1 | 0 | 0 | 0 | 0 | 1 |" in page  # the safe fix moved it to v2


# -- rendered in headless Chromium -------------------------------------------------------------------------


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no chromium binary on PATH: `apt-get install -y chromium` (Debian) to render the report")


def run_chromium(binary, profile, *args):
    command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--window-size=1280,1000", *args]
    return subprocess.run(command, capture_output=True, timeout=120, check=True)


def png_rows(data: bytes, limit: int):
    """The first ``limit`` rows of an 8-bit RGB(A) PNG as lists of (r, g, b)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, compressed = 8, b""
    while position < len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind, body = data[position + 4:position + 8], data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big")
            assert body[8] == 8 and body[12] == 0, "8-bit, not interlaced"
            channels = {2: 3, 6: 4}[body[9]]
        elif kind == b"IDAT":
            compressed += body
    raw = zlib.decompress(compressed)
    stride = width * channels
    previous = bytearray(stride)
    rows = []
    for y in range(min(limit, height)):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, channels)])
        previous = line
    return rows


def test_report_rendered_in_headless_chromium(project, tmp_path_factory):
    binary = chromium()
    invoke("report", "--no-cache", "-o", "html", "--output-file", "report.html")
    url = "file://" + os.path.abspath("report.html")
    profile = tmp_path_factory.mktemp("chromium-profile")
    dom = run_chromium(binary, profile, "--dump-dom", url).stdout.decode("utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom))
    # What is on screen, by content: the headline, the totals of the legend, each file's row.
    assert "43% on v2: 7 request sites (3 on v2, 1 safe fix, 1 unsafe fix, 1 manual, 1 todo)." in text
    assert "on v2: 3 safe fix: 1 unsafe fix: 1 manual: 1 todo: 1 total: 7" in text
    cells = Cells()
    cells.feed(dom)
    for path, counts in EXPECTED.items():
        assert cells.counts[path] == dict(zip(CATEGORIES, counts), total=sum(counts)), path
    # The screenshot: a real PNG whose top holds the bar, one colour per category present.
    shot = tmp_path_factory.mktemp("shot") / "report.png"
    run_chromium(binary, profile, f"--screenshot={shot}", url)
    colours = {pixel for row in png_rows(shot.read_bytes(), 260) for pixel in row}
    from linter.report.progress_html import COLORS

    for category in CATEGORIES:
        rgb = tuple(int(COLORS[category][i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, (category, COLORS[category])
