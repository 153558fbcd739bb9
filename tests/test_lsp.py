"""``imslint server`` end to end: a JSON-RPC client over the server's stdin/stdout (no pygls on this side)."""
from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from linter import fix_source

pytest.importorskip("pygls", reason="the language server needs the lsp extra: pip install -e '.[lsp]'")

# Line 5 has a safe fix, line 9 an unsafe one; on line 9 a character outside the BMP (two UTF-16
# code units) stands before the filter IMS002 flags, so a column counted in code points is off by one.
SOURCE = '''import requests


def images(ep):
    return requests.get(f"{ep}/v1.1/images/detail", headers={"X-Note": "\U0001F600"}, params={"disk_format": "qcow2"}).json()["images"][0]["name"]


def changed(ep):
    return requests.get(ep + "/v1.1/images/detail", headers={"X-Note": "\U0001F600"}, params={"changes-since": "2024-01-01T00:00:00"}).json()["images"][0]["name"]
'''


class Client:
    """A minimal LSP client: Content-Length framing, requests with ids, notifications in a queue."""

    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "linter", "server"], cwd=str(cwd), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: "queue.Queue[dict]" = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params) -> dict:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.messages.get(timeout=60)
            if message.get("id") == self.next_id and "method" not in message:
                assert "error" not in message, message
                return message.get("result")

    def notification(self, method: str) -> dict:
        while True:
            message = self.messages.get(timeout=60)
            if message.get("method") == method:
                return message["params"]


def apply_edits(text: str, edits) -> str:
    """LSP text edits (UTF-16 positions) applied to ``text``, as an editor does."""
    lines = text.splitlines(keepends=True)

    def offset(position) -> int:
        if position["line"] >= len(lines):
            return len(text)
        line = lines[position["line"]]
        units, index = 0, 0
        while units < position["character"] and index < len(line):
            units += 2 if ord(line[index]) > 0xFFFF else 1
            index += 1
        return sum(len(l) for l in lines[: position["line"]]) + index

    for edit in sorted(edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]), reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


@pytest.fixture
def server(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.imslint]\n")
    client = Client(tmp_path)
    result = client.request("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}})
    assert result["serverInfo"]["name"] == "imslint"
    assert result["capabilities"]["codeActionProvider"]
    client.notify("initialized", {})
    yield client, tmp_path
    try:
        client.request("shutdown", None)
        client.notify("exit", None)
        assert client.process.wait(timeout=30) == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()
            client.process.wait()


def test_diagnostics_code_actions_and_the_applied_edit(server):
    client, root = server
    path = root / "app.py"
    path.write_text(SOURCE)
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": SOURCE}})
    published = client.notification("textDocument/publishDiagnostics")
    assert published["uri"] == uri
    diagnostics = published["diagnostics"]
    assert [(d["code"], d["range"]["start"]["line"]) for d in diagnostics] == [
        ("IMS001", 4), ("IMS001", 8), ("IMS002", 8)]
    first = diagnostics[0]
    assert first["source"] == "imslint" and first["severity"] == 1
    assert first["range"]["start"]["character"] == SOURCE.splitlines()[4].index('f"{ep}')
    assert first["data"]["fix"]["applicability"] == "safe"
    assert first["data"]["evidence"]["method"] == {"value": "GET", "reason": "`requests.get`"}
    assert first["data"]["evidence"]["fix"]["value"] == "safe"
    assert diagnostics[1]["data"]["evidence"]["fix"]["value"] == "unsafe"
    line8 = SOURCE.splitlines()[8]
    prefix = line8[: line8.index('"changes-since"')]
    assert diagnostics[2]["range"]["start"]["character"] == len(prefix.encode("utf-16-le")) // 2 == len(prefix) + 1

    # The safe fix: a preferred quick fix whose edit is what `imslint fix` writes.
    line4 = {"start": {"line": 4, "character": 0}, "end": {"line": 4, "character": 10}}
    actions = client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": line4,
                                                         "context": {"diagnostics": [first]}})
    quick = [a for a in actions if a["kind"] == "quickfix"]
    assert len(quick) == 1 and quick[0]["isPreferred"] is True
    assert quick[0]["title"] == "imslint: Rewrite to `GET /v2/images`"
    assert [d["code"] for d in quick[0]["diagnostics"]] == ["IMS001"]
    fixed = apply_edits(SOURCE, quick[0]["edit"]["changes"][uri])
    assert fixed == SOURCE.replace('f"{ep}/v1.1/images/detail"', 'f"{ep}/v2/images"', 1)
    assert any(a["kind"] == "source.fixAll.imslint" for a in actions)

    # The unsafe one is offered too, marked, and never preferred.
    line8 = {"start": {"line": 8, "character": 0}, "end": {"line": 8, "character": 0}}
    actions = client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": line8,
                                                         "context": {"diagnostics": []}})
    unsafe = [a for a in actions if a["kind"] == "quickfix"]
    assert len(unsafe) == 1 and unsafe[0]["title"].endswith("(unsafe)") and not unsafe[0].get("isPreferred")
    assert sorted(d["code"] for d in unsafe[0]["diagnostics"]) == ["IMS001", "IMS002"]

    # The editor applies the safe fix: the change is linted again.
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]})
    published = client.notification("textDocument/publishDiagnostics")
    assert published["version"] == 2
    assert [d["range"]["start"]["line"] for d in published["diagnostics"]] == [8, 8]

    # Fix all: every safe fix, as `imslint fix` would.
    actions = client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": line4,
                                                         "context": {"diagnostics": [], "only": ["source.fixAll"]}})
    assert actions == []  # nothing safe is left
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": SOURCE}]})
    client.notification("textDocument/publishDiagnostics")
    actions = client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": line4,
                                                         "context": {"diagnostics": [], "only": ["source.fixAll"]}})
    assert [a["kind"] for a in actions] == ["source.fixAll.imslint"]
    assert apply_edits(SOURCE, actions[0]["edit"]["changes"][uri]) == fix_source(SOURCE, "app.py").text

    # Saved: linted again (the configuration is read again too); closed: cleared.
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert len(client.notification("textDocument/publishDiagnostics")["diagnostics"]) == 3
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.notification("textDocument/publishDiagnostics")["diagnostics"] == []


def test_the_configuration_of_the_file_applies(server):
    client, root = server
    (root / "pyproject.toml").write_text('[tool.imslint]\nignore = ["IMS002"]\n')
    path = root / "app.py"
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": SOURCE}})
    codes = [d["code"] for d in client.notification("textDocument/publishDiagnostics")["diagnostics"]]
    assert codes == ["IMS001", "IMS001"]


def test_a_file_that_does_not_parse_gets_one_diagnostic_not_a_crash(server):
    client, root = server
    uri = (root / "broken.py").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                            "text": "def f(:\n    pass\n"}})
    diagnostics = client.notification("textDocument/publishDiagnostics")["diagnostics"]
    assert [d["code"] for d in diagnostics] == ["IMS000"]


def test_a_change_to_an_imported_module_shows_at_the_next_lint(server):
    """The server lives as long as the editor: what it read of other modules must not outlive a
    change to them (``project.forget_changed_modules``)."""
    client, root = server
    (root / "settings.py").write_text('VERSION = "v2"\n')
    text = 'import requests\nfrom settings import VERSION\n\n\ndef images(ep):\n    return requests.get(f"{ep}/{VERSION}/images/detail").json()\n'
    uri = (root / "app.py").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}})
    assert [d["code"] for d in client.notification("textDocument/publishDiagnostics")["diagnostics"]] == ["IMS007"]
    (root / "settings.py").write_text('VERSION = "v1.1"\n')
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]})
    assert [d["code"] for d in client.notification("textDocument/publishDiagnostics")["diagnostics"]] == ["IMS001"]


def test_without_pygls_the_server_says_how_to_get_it():
    blocked = ("import sys; sys.modules['pygls'] = sys.modules['lsprotocol'] = None; "
               "from linter.cli import main; main(['server'])")
    result = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == "imslint: the language server needs pygls: pip install 'imslint[lsp]'\n"
