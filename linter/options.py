"""Options that shape how one file is analysed (light: no libcst import)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Tuple

from .endpoints import HUAWEI_IMS


@dataclass(frozen=True)
class EngineOptions:
    target: str = HUAWEI_IMS
    # Resolves an imported name to a template (the project-wide constant index); optional.
    resolve_import: Optional[Callable[..., object]] = None
    # Endpoint families ("image:list") that test doubles elsewhere in the project serve, with where
    # (``projects.survey``): a request for one of them is fixed together with its doubles or not at all.
    double_endpoints: Tuple[Tuple[str, str], ...] = ()
    # Names of this module's constants that other modules of the project import (None: unknown,
    # as for one file alone): a constant no other module imports may be rewritten where it is defined.
    imported_elsewhere: Optional[Tuple[str, ...]] = None
