"""``json-lines``: one compact JSON object per finding and line."""
from __future__ import annotations

from typing import Sequence

from ..findings import Finding
from .common import Options, dump_json


def render(findings: Sequence[Finding], options: Options) -> str:
    return "".join(dump_json(finding.to_dict()) + "\n" for finding in findings)
