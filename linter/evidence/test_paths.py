"""Which files are tests, from their path alone (no libcst: a warm run of clean files asks too)."""
from __future__ import annotations

import re

_TEST_PATH = re.compile(r"(^|[\\/])(tests?|testing|functional|unit|fakes?)([\\/])|(^|[\\/])(test_[^\\/]*|[^\\/]*_tests?|conftest|fakes?)\.py$")


def is_test_path(path: str) -> bool:
    return bool(_TEST_PATH.search(path.replace("\\", "/")))
