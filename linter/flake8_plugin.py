"""A flake8 plugin (entry point ``flake8.extension``, code prefix ``IMS``): imslint's findings
in an existing flake8 run. Configuration comes from the nearest ``[tool.imslint]`` as usual."""
from __future__ import annotations

import os
from typing import Iterator, List, Tuple

from . import __version__


class Flake8Plugin:
    name = "imslint"
    version = __version__

    def __init__(self, tree, filename: str, lines: List[str]) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        from .config import ConfigError, ConfigResolver
        from .engine import lint_source
        from .options import EngineOptions
        from .project import ImportResolver
        from .registry import known_codes

        path = os.path.abspath(self.filename) if self.filename not in ("-", "stdin") else os.path.abspath("stdin.py")
        try:
            settings = ConfigResolver(known_codes()).settings_for(path)
            codes, target = settings.codes_for(path), settings.target
        except ConfigError:
            codes, target = None, "huawei-ims"
        options = EngineOptions(target=target, resolve_import=ImportResolver(path, (os.getcwd(),)))
        for finding in lint_source("".join(self.lines), self.filename, codes=codes, options=options):
            yield finding.line, finding.column - 1, f"{finding.code} {finding.message}", type(self)
