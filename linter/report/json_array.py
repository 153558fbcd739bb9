"""``json``: one pretty-printed JSON array of the findings (design §4)."""
from __future__ import annotations

from typing import Sequence

from ..findings import Finding
from .common import Options, dump_json


def render(findings: Sequence[Finding], options: Options) -> str:
    return dump_json([finding.to_dict() for finding in findings], indent=2) + "\n"
