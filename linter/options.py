"""Options that shape how one file is analysed (light: no libcst import)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Tuple

from .endpoints import HUAWEI_IMS

# Files above this many bytes are not parsed (``max-file-size``): libcst needs a few hundred bytes
# of memory per source byte, so a generated 40 MB module would exhaust the machine. They get an
# IMS000 finding and the token-level literal scan instead (``engine.too_large``).
DEFAULT_MAX_FILE_SIZE = 4 * 1024 * 1024


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
    # Bytes above which a file is not parsed (``DEFAULT_MAX_FILE_SIZE``); 0: no limit.
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # A test of a project that serves the abandoned API (``server_tests``): its findings are thrown
    # away, so only what the project pass takes from it is computed (``engine.file_facts``: doubles,
    # routes, imports), unless it registers routes itself; then it is analysed as any file.
    survey_only: bool = False
