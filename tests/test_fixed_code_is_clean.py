"""Fixed code stays clean for other linters: where a fixture's original passes Ruff's unused-import
(F401) and import-order (I001) checks, its fixed file (``after``) and the hazard repros' fixed
files do too. Ruff is a test extra; it runs on copies in a temporary directory."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RUFF = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")


def _ruff(path: Path) -> list:
    process = subprocess.run(
        [RUFF, "check", "--isolated", "--no-cache", "--select", "F401,I001", "--output-format", "json", str(path)],
        capture_output=True, text=True, timeout=120,
    )
    assert process.returncode in (0, 1), process.stderr
    return [(item["code"], item["location"]["row"]) for item in json.loads(process.stdout or "[]")]


def _pairs():
    for case in sorted((FIXTURES / "cases").iterdir()):
        if (case / "before.py").exists():
            yield pytest.param(case / "before.py", case / "after.py", id=case.name)
        for before in sorted((case / "before").rglob("*.py")) if (case / "before").is_dir() else ():
            yield pytest.param(before, case / "after" / before.relative_to(case / "before"), id=f"{case.name}/{before.name}")
    for after in sorted((FIXTURES / "hazards").glob("after*/*.py")):
        yield pytest.param(FIXTURES / "hazards" / after.name, after, id=f"hazards/{after.parent.name}/{after.name}")


@pytest.mark.skipif(not Path(RUFF).exists(), reason="ruff is a test extra")
@pytest.mark.parametrize("before, after", list(_pairs()))
def test_fixed_file_keeps_ruff_clean(tmp_path, before, after):
    old = tmp_path / "old" / "module.py"
    new = tmp_path / "new" / "module.py"
    for target, source in ((old, before), (new, after)):
        target.parent.mkdir()
        shutil.copyfile(source, target)
    if _ruff(old):
        pytest.skip("the original has F401/I001 findings of its own")
    assert _ruff(new) == []
