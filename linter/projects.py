"""What a whole project says about its files, from the facts each file's first pass reports.

Two things need more than one file:

* **Test doubles elsewhere.** A request in ``client/images.py`` and the ``requests_mock``
  fixtures in ``tests/test_images.py`` that serve it move together or not at all: when the
  project has test doubles for an endpoint family, its requests for that family get no fix
  (``EngineOptions.double_endpoints``).
* **Server trees.** A project that registers routes for the abandoned paths serves the API: its
  own tests exercise that server and its views build its links. Such a project gets one IMS008
  finding (at its first route file), and its tests and the files beside its routes are not
  checked (configuration ``check-server-tests = true`` checks them).

A project is the nearest directory above a file holding ``setup.py``, ``setup.cfg`` or
``pyproject.toml`` (else the directory the run started in).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

from .evidence.test_paths import is_test_path


_MARKERS = ("setup.py", "setup.cfg", "pyproject.toml")
SERVER_CODE = "IMS008"


@dataclass
class Project:
    root: str
    doubles: Dict[str, str] = field(default_factory=dict)  # endpoint family -> "path:line"
    route_files: List[Tuple[str, int, str]] = field(default_factory=list)  # (abs path, line, title)

    @property
    def serves(self) -> bool:
        return bool(self.route_files)

    def view_directories(self) -> List[str]:
        return sorted({os.path.dirname(path) for path, _, _ in self.route_files})


class Projects:
    def __init__(self, fallback: str) -> None:
        self.fallback = os.path.abspath(fallback)
        self._roots: Dict[str, str] = {}
        self.by_root: Dict[str, Project] = {}
        self.imported: Dict[str, set] = {}  # defining file -> names other files of the run import

    def root_of(self, path: str) -> str:
        directory = os.path.dirname(os.path.abspath(path))
        chain = []
        found: Optional[str] = None
        while True:
            if directory in self._roots:
                found = self._roots[directory]
                break
            chain.append(directory)
            if any(os.path.isfile(os.path.join(directory, marker)) for marker in _MARKERS):
                found = directory
                break
            parent = os.path.dirname(directory)
            if parent == directory:
                found = self.fallback
                break
            directory = parent
        for directory in chain:
            self._roots[directory] = found
        return found

    def project_of(self, path: str) -> Project:
        root = self.root_of(path)
        return self.by_root.setdefault(root, Project(root))


def survey(reports_and_paths: Iterable[Tuple[object, str]], fallback: str) -> Projects:
    """The projects of the files a first pass reported on (``(report, absolute path)`` pairs)."""
    projects = Projects(fallback)
    for report, path in reports_and_paths:
        facts = getattr(report, "facts", None) or {}
        if not facts:
            continue
        project = projects.project_of(path)
        for family, line in facts.get("doubles", {}).items():
            project.doubles.setdefault(family, f"{report.display_path}:{line}")
        for line, title in facts.get("routes", []):
            project.route_files.append((os.path.abspath(path), line, title))
        for defining, name in facts.get("imports", []):
            projects.imported.setdefault(os.path.realpath(defining), set()).add(name)
    for project in projects.by_root.values():
        project.route_files.sort()
    return projects


def doubles_for(projects: Projects, path: str) -> Tuple[Tuple[str, str], ...]:
    """The endpoint families served by test doubles in *other* files of the file's project."""
    project = projects.project_of(path)
    own = os.path.abspath(path)
    return tuple(sorted((family, where) for family, where in project.doubles.items()
                        if not _same_file(where, own, project.root)))


def _same_file(where: str, path: str, root: str) -> bool:
    display = where.rsplit(":", 1)[0]
    return os.path.abspath(display) == path


def imported_elsewhere(projects: Projects, path: str) -> Tuple[str, ...]:
    """Names of the file's constants that other files of the run import."""
    return tuple(sorted(projects.imported.get(os.path.realpath(path), ())))


def left_alone(projects: Projects, path: str) -> Optional[str]:
    """Why a file of a server project is not checked (its tests, its views), or None."""
    project = projects.project_of(path)
    if not project.serves:
        return None
    absolute = os.path.abspath(path)
    if absolute in {route for route, _, _ in project.route_files}:
        return None
    relative = os.path.relpath(absolute, project.root)
    if is_test_path(relative):
        return "a test of a project that serves the abandoned API"
    for directory in project.view_directories():
        if absolute.startswith(directory + os.sep):
            return "server code beside the project's routes"
    return None


def keep_one_server_finding(findings_by_path: Dict[str, list], projects: Projects, paths: Dict[str, str]) -> None:
    """One IMS008 finding per project: the one at its first route file (mutates the lists)."""
    first: Dict[str, str] = {}
    for display, absolute in sorted(paths.items(), key=lambda item: item[1]):
        if not any(f.code == SERVER_CODE for f in findings_by_path.get(display, [])):
            continue
        root = projects.root_of(absolute)
        if root not in first:
            first[root] = display
            continue
        findings_by_path[display] = [f for f in findings_by_path[display] if f.code != SERVER_CODE]
