"""The evidence record of one request site: plain data, so it pickles, caches as JSON and prints.

Each question (the HTTP method, the service, the role of the code, whether a fix is safe) has a
``Fact``: the answer, or None when imslint does not know, and the reason it was decided. Rules
and fixes read the record instead of guessing; ``--show-fixes`` and ``-o json`` expose it, so a
reviewer can trust or overrule a fix.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

# Roles of the code that holds an abandoned path.
CLIENT = "client-request"  # sends a request (directly, or through a wrapper)
DOUBLE = "test-double"  # stands in for the server in a test (a mock registration, a fake, an expected call)
EXPECTED = "expected-value"  # a compared or asserted string
SERVER = "server"  # serves the API (a route, a view building links)
DEFINITION = "definition"  # a constant whose sending imslint could not trace

# Services.
IMAGE, IMAGE_V1, IMAGE_V2, COMPUTE, OTHER = "image", "image-v1", "image-v2", "compute", "other-provider"
IMAGE_SERVICES = (IMAGE, IMAGE_V1, IMAGE_V2)

# How strong a signal is: positive evidence for a safe fix needs at least STRONG.
WEAK, MEDIUM, STRONG, EXPLICIT = 1, 2, 3, 4


@dataclass(frozen=True)
class Fact:
    value: Optional[str]  # None: unknown
    reason: str
    strength: int = 0

    @property
    def known(self) -> bool:
        return self.value is not None

    def to_dict(self) -> Dict[str, Any]:
        return {"value": self.value, "reason": self.reason}


UNKNOWN = Fact(None, "no evidence")


@dataclass(frozen=True)
class Evidence:
    method: Fact
    service: Fact
    role: Fact
    fix: Fact = UNKNOWN  # "safe", "unsafe" or "none", and why

    def to_dict(self) -> Dict[str, Any]:
        return {name: getattr(self, name).to_dict() for name in ("method", "service", "role", "fix")}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Evidence":
        return cls(**{
            name: Fact(part.get("value"), part.get("reason", ""), part.get("strength", 0)) for name, part in data.items()
        })

    def with_fix(self, applicability: str, reason: str) -> "Evidence":
        return Evidence(self.method, self.service, self.role, Fact(applicability, reason))

    def lines(self) -> str:
        """``method: GET (requests.get)`` and so on, one line each, for ``--show-fixes``."""
        out = []
        for name in ("method", "service", "role", "fix"):
            fact = getattr(self, name)
            value = fact.value if fact.value is not None else "unknown"
            out.append(f"{name}: {value} ({fact.reason})")
        return "\n".join(out)
