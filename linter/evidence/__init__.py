"""The evidence model: for each request site, what is known and why (``record``), one module
per question: ``method``, ``service``, ``role``, ``readers`` (who reads the answer), and
``safety`` (the fix-safety contract). ``wrappers`` follows a project's own helpers to the call
that finally sends. The deciding functions are pure over plain signals and unit-tested."""
from .record import (
    CLIENT,
    COMPUTE,
    DEFINITION,
    DOUBLE,
    EXPECTED,
    IMAGE,
    IMAGE_SERVICES,
    IMAGE_V1,
    IMAGE_V2,
    OTHER,
    SERVER,
    Evidence,
    Fact,
)

__all__ = ["CLIENT", "COMPUTE", "DEFINITION", "DOUBLE", "EXPECTED", "IMAGE", "IMAGE_SERVICES", "IMAGE_V1",
           "IMAGE_V2", "OTHER", "SERVER", "Evidence", "Fact"]
