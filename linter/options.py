"""Options that shape how one file is analysed (light: no libcst import)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from .endpoints import HUAWEI_IMS


@dataclass(frozen=True)
class EngineOptions:
    target: str = HUAWEI_IMS
    # Resolves an imported name to a template (the project-wide constant index); optional.
    resolve_import: Optional[Callable[..., object]] = None
