#!/usr/bin/env python3
"""The cloud corpus: pinned releases of OpenStack-family and cloud-SDK packages, as source.

Shared by ``bench/bench.py --corpus cloud`` and ``bench/audit.py``. Each pinned package is
downloaded once with the ordinary client (``pip download --no-deps --no-binary :all:``, a wheel
only when the release has no sdist) into ``bench/.cache/sdists/<name>-<version>/`` and unpacked
into ``bench/.cache/cloud/<name>-<version>/`` (the sdist's top directory stripped). Both are
git-ignored; nothing here installs a package or imports its code (``pip download`` prepares an
sdist's metadata in pip's own isolated build environment, as it always does). Running it again
does nothing for what is already there (a marker in each unpacked tree names the archive and its
SHA-256). ``--check`` verifies that each release still holds the code it was chosen for.

The manifest ``bench/cloud-corpus.json`` (committed: metadata, not code) records per package the
version, the archive kind, name, size and SHA-256, the number and size of its ``.py`` files, and
which of its paths are *server trees* (code that serves the abandoned API, and that code's own
tests: the audit counts findings there separately).

    .venv/bin/python bench/corpus.py                 # download + unpack what is missing, write the manifest
    .venv/bin/python bench/corpus.py --check         # also verify the expected files are there
    .venv/bin/python bench/corpus.py --list          # the pins
    .venv/bin/python bench/corpus.py --packages nova,glance
"""
from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Dict, List, Optional, Sequence, Tuple

PROJECT = Path(__file__).resolve().parent.parent
BENCH = PROJECT / "bench"
CACHE = BENCH / ".cache"
SDISTS = CACHE / "sdists"
CLOUD = CACHE / "cloud"
MANIFEST = BENCH / "cloud-corpus.json"
MARKER = ".corpus-unpacked.json"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", ".whl", ".tar")


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    kind: str  # "client", "sdk", "server", "tests" (a test suite that is a client), "control"
    why: str  # what abandoned API code the release holds (or, for a control, why it must be clean)
    expect: Tuple[str, ...] = ()  # paths (relative to the unpacked tree) that must exist: --check
    server_trees: Tuple[str, ...] = ()  # fnmatch globs, relative to the unpacked tree
    dist: str = "sdist"  # "sdist", or "wheel" when the release has no sdist

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"


# The pins. OpenStack releases of the Pike/Queens era (2017-2018), the last that still carry
# Glance v1 (server and clients) and the Nova image proxy clients; the registry has no glance
# 16.x (Queens) sdist, so glance is 15.0.2 (Pike), nova the matching 16.1.8 (Pike).
PACKAGES: Tuple[Package, ...] = (
    Package("glance", "15.0.2", "server",
            "Glance server, Pike: the v1 API (glance/api/v1), its registry and their functional tests",
            ("glance/api/v1/images.py", "glance/api/v1/router.py"),
            ("glance/api/*", "glance/registry/*", "glance/tests/*")),
    Package("nova", "16.1.8", "server",
            "Nova server, Pike: the compute image proxy (nova/api/openstack/compute/images.py), "
            "its Glance v1/v2 client (nova/image/glance.py) and their tests",
            ("nova/api/openstack/compute/images.py", "nova/image/glance.py"),
            ("nova/api/*", "nova/tests/*")),
    Package("cinder", "11.2.2", "client",
            "Cinder, Pike: a Glance client of its own (cinder/image/glance.py, v1 and v2) and its test doubles; "
            "it serves volumes, not images, so no server tree for the image paths",
            ("cinder/image/glance.py",)),
    Package("python-glanceclient", "2.8.0", "client",
            "Glance client, Pike: the v1 client (glanceclient/v1/images.py: /v1/images[/detail], HEAD, members)",
            ("glanceclient/v1/images.py", "glanceclient/v1/image_members.py")),
    Package("python-novaclient", "7.1.2", "client",
            "Nova client 7.x: novaclient/v2/images.py ImageManager (/images/detail through the compute proxy)",
            ("novaclient/v2/images.py",)),
    Package("tempest", "17.2.0", "tests",
            "Tempest, Pike: image v1 service clients (tempest/lib/services/image/v1) and compute images client",
            ("tempest/lib/services/image/v1/images_client.py", "tempest/lib/services/compute/images_client.py")),
    Package("openstacksdk", "0.46.0", "sdk",
            "OpenStack SDK: openstack/image/v1, the compute image proxy (openstack/compute/v2/image.py), "
            "the cloud layer's image listing",
            ("openstack/image/v1/_proxy.py", "openstack/compute/v2/image.py")),
    Package("shade", "1.33.0", "sdk",
            "shade: the cloud layer that lists images through Glance v1/v2 and the Nova proxy",
            ("shade/openstackcloud.py",)),
    Package("apache-libcloud", "2.8.3", "sdk",
            "libcloud: the OpenStack compute driver lists /images/detail through Nova; many other providers' /images",
            ("libcloud/compute/drivers/openstack.py",)),
    Package("kamaki", "0.16", "client",
            "kamaki (Synnefo/OpenStack): image and compute clients, /images/detail (Python 2 code)",
            ("kamaki/clients/image/__init__.py", "kamaki/clients/compute/__init__.py")),
    Package("ooi", "1.2.0", "client",
            "ooi (OCCI over OpenStack): calls the compute image proxy /{tenant}/images[/detail]",
            ("ooi/openstack/helpers.py",)),
    Package("python-openstackclient", "3.12.0", "client",
            "OpenStackClient, Pike: the image v1 commands (openstackclient/image/v1)",
            ("openstackclient/image/v1/image.py",)),
    Package("os-client-config", "1.28.0", "sdk",
            "os-client-config: the service catalogue defaults for image API versions 1 and 2",
            ("os_client_config/config.py",)),
    # Controls: other clouds' SDKs and Huawei's own live APIs. Findings here are false positives.
    Package("huaweicloudsdkims", "3.1.100", "control",
            "Huawei Cloud IMS SDK: only the live /v1/cloudimages, /v2/cloudimages and /v2/{project_id}/... APIs",
            ("huaweicloudsdkims/v2/ims_client.py",)),
    Package("google-cloud-compute", "1.20.0", "control",
            "Google Compute Engine client (generated, large): its own /compute/v1/projects/.../images paths",
            ("google/cloud/compute_v1/services/images/client.py",)),
    Package("python-digitalocean", "1.17.0", "control",
            "DigitalOcean client: its own /v2/images",
            ("digitalocean/Image.py",)),
    Package("linode-api4", "5.20.0", "control",
            "Linode client: its own /images",
            ("linode_api4/objects/image.py",)),
    Package("botocore", "1.34.100", "control",
            "AWS botocore (Python part; the service models are JSON): EC2 images are query actions, never paths",
            ("botocore/client.py",)),
)


def by_name(names: Optional[Sequence[str]] = None) -> List[Package]:
    """The pinned packages, all or those named (by name or name-version), in pin order."""
    if not names:
        return list(PACKAGES)
    wanted = [n.strip() for n in names if n.strip()]
    chosen = [p for p in PACKAGES if p.name in wanted or p.key in wanted]
    unknown = [n for n in wanted if not any(n in (p.name, p.key) for p in PACKAGES)]
    if unknown:
        raise SystemExit(f"corpus: unknown packages {unknown}; pinned: {', '.join(p.name for p in PACKAGES)}")
    return chosen


def tree(package: Package) -> Path:
    return CLOUD / package.key


def is_server_path(package: Package, relative: str) -> bool:
    """Whether ``relative`` (a path inside the package's unpacked tree) is in a server tree."""
    relative = relative.replace(os.sep, "/")
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in package.server_trees)


# -- download ---------------------------------------------------------------------------------------------------


def archive_of(package: Package) -> Optional[Path]:
    directory = SDISTS / package.key
    if not directory.is_dir():
        return None
    found = sorted(p for p in directory.iterdir() if p.is_file() and p.name.lower().endswith(ARCHIVE_SUFFIXES))
    return found[0] if found else None


def download(package: Package, quiet: bool = False) -> Path:
    """The package's archive in the cache, downloading it first when missing."""
    existing = archive_of(package)
    if existing is not None:
        return existing
    SDISTS.mkdir(parents=True, exist_ok=True)
    spec = f"{package.name}=={package.version}"
    attempts = [["--no-binary", ":all:"], ["--only-binary", ":all:"]]
    if package.dist == "wheel":
        attempts.reverse()
    errors = []
    for extra in attempts:
        with tempfile.TemporaryDirectory(dir=SDISTS, prefix=".download-") as scratch:
            command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
                       *extra, spec, "-d", scratch]
            if not quiet:
                print(f"corpus: pip download {' '.join(extra)} {spec}", flush=True)
            result = subprocess.run(command, capture_output=True, text=True, timeout=900,
                                    env=dict(os.environ, PIP_NO_INPUT="1"))
            files = [p for p in Path(scratch).iterdir() if p.name.lower().endswith(ARCHIVE_SUFFIXES)]
            if result.returncode == 0 and len(files) == 1:
                target = SDISTS / package.key
                target.mkdir(exist_ok=True)
                final = target / files[0].name
                shutil.move(str(files[0]), final)
                return final
            errors.append(f"{' '.join(extra)}: exit {result.returncode}: {result.stderr.strip()[-400:]}")
    raise RuntimeError(f"cannot download {spec}:\n  " + "\n  ".join(errors))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- unpack -----------------------------------------------------------------------------------------------------


def _safe_member(name: str) -> Optional[PurePosixPath]:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return None
    return path


def _strip_top(names: List[PurePosixPath]) -> int:
    """1 when every member lies under one top directory (an sdist's ``name-version/``), else 0."""
    tops = {p.parts[0] for p in names}
    return 1 if len(tops) == 1 and all(len(p.parts) > 1 or p.parts[0] in tops for p in names) else 0


def unpack(package: Package, archive: Path, quiet: bool = False) -> Path:
    """Unpacks ``archive`` into the package's tree unless the marker says it is there already.

    Only regular files and directories are written (no links, devices or paths leaving the tree).
    """
    target = tree(package)
    digest = sha256(archive)
    marker = target / MARKER
    if marker.is_file():
        try:
            if json.loads(marker.read_text()).get("sha256") == digest:
                return target
        except ValueError:
            pass
    if target.exists():
        shutil.rmtree(target)
    scratch = Path(tempfile.mkdtemp(dir=CLOUD.parent if CLOUD.parent.is_dir() else None, prefix=".unpack-"))
    try:
        lower = archive.name.lower()
        if lower.endswith((".zip", ".whl")):
            with zipfile.ZipFile(archive) as bundle:
                members = [(m, _safe_member(m.filename)) for m in bundle.infolist() if not m.is_dir()]
                members = [(m, p) for m, p in members if p is not None]
                strip = 0 if lower.endswith(".whl") else _strip_top([p for _, p in members])
                for member, path in members:
                    if len(path.parts) <= strip:
                        continue
                    destination = scratch.joinpath(*path.parts[strip:])
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    with bundle.open(member) as source, open(destination, "wb") as sink:
                        shutil.copyfileobj(source, sink)
        else:
            with tarfile.open(archive) as bundle:
                members = [(m, _safe_member(m.name)) for m in bundle.getmembers() if m.isfile()]
                members = [(m, p) for m, p in members if p is not None]
                strip = _strip_top([p for _, p in members])
                for member, path in members:
                    if len(path.parts) <= strip:
                        continue
                    destination = scratch.joinpath(*path.parts[strip:])
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    source = bundle.extractfile(member)
                    if source is None:
                        continue
                    with source, open(destination, "wb") as sink:
                        shutil.copyfileobj(source, sink)
        (scratch / MARKER).write_text(json.dumps({"archive": archive.name, "sha256": digest}) + "\n")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(scratch, target)
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    if not quiet:
        print(f"corpus: unpacked {archive.name} into {os.path.relpath(target, PROJECT)}", flush=True)
    return target


def py_files(root: Path) -> List[Path]:
    """The regular ``.py`` files under ``root``, sorted (symbolic links not followed)."""
    found = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        for name in sorted(names):
            path = Path(directory) / name
            if name.endswith(".py") and not path.is_symlink() and path.is_file():
                found.append(path)
    return found


def stats(root: Path) -> Tuple[int, int, int]:
    """(.py files, .py bytes, all bytes) of a tree."""
    files = size = total = 0
    for directory, subdirectories, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            if os.path.islink(path):
                continue
            bytes_ = os.path.getsize(path)
            total += bytes_
            if name.endswith(".py"):
                files += 1
                size += bytes_
    return files, size, total


def ensure(packages: Optional[Sequence[Package]] = None, quiet: bool = False) -> List[Tuple[Package, Path]]:
    """Every package downloaded and unpacked; (package, tree) in pin order. Idempotent."""
    result = []
    for package in packages or PACKAGES:
        archive = download(package, quiet)
        result.append((package, unpack(package, archive, quiet)))
    return result


def check(package: Package) -> List[str]:
    """The expected paths missing from the package's unpacked tree."""
    return [p for p in package.expect if not (tree(package) / p).is_file()]


def manifest_entry(package: Package) -> dict:
    archive = archive_of(package)
    files, size, total = stats(tree(package))
    server_files = sum(1 for p in py_files(tree(package))
                       if is_server_path(package, str(p.relative_to(tree(package)))))
    return {
        "name": package.name, "version": package.version, "kind": package.kind, "why": package.why,
        "archive": archive.name if archive else None,
        "archive_type": ("wheel" if archive and archive.name.endswith(".whl") else "sdist") if archive else None,
        "archive_bytes": archive.stat().st_size if archive else None,
        "sha256": sha256(archive) if archive else None,
        "py_files": files, "py_bytes": size, "py_mb": round(size / 1e6, 2), "unpacked_mb": round(total / 1e6, 2),
        "server_trees": list(package.server_trees), "server_py_files": server_files,
        "expect": list(package.expect),
    }


def write_manifest(packages: Sequence[Package]) -> dict:
    """Rewrites ``cloud-corpus.json`` for ``packages`` (entries of other pins already there are kept)."""
    entries: Dict[str, dict] = {}
    if MANIFEST.is_file():
        try:
            entries = {e["name"]: e for e in json.loads(MANIFEST.read_text()).get("packages", [])}
        except (ValueError, KeyError, TypeError):
            entries = {}
    for package in packages:
        entries[package.name] = manifest_entry(package)
    ordered = [entries[p.name] for p in PACKAGES if p.name in entries
               and entries[p.name].get("version") == p.version]
    totals = {
        "packages": len(ordered),
        "py_files": sum(e["py_files"] for e in ordered),
        "py_mb": round(sum(e["py_bytes"] for e in ordered) / 1e6, 1),
        "unpacked_mb": round(sum(e["unpacked_mb"] for e in ordered), 1),
        "archive_mb": round(sum(e["archive_bytes"] or 0 for e in ordered) / 1e6, 1),
        "controls": [e["name"] for e in ordered if e["kind"] == "control"],
    }
    document = {"about": "bench/corpus.py: pinned releases unpacked under bench/.cache/cloud/<name>-<version>/ "
                         "(git-ignored); sizes measured on the unpacked trees",
                "totals": totals, "packages": ordered}
    MANIFEST.write_text(json.dumps(document, indent=1) + "\n")
    return document


def table(document: dict) -> str:
    lines = ["| package | version | kind | archive | archive MB | .py files | .py MB | unpacked MB |",
             "|---|---|---|---|---:|---:|---:|---:|"]
    for e in document["packages"]:
        lines.append(f"| {e['name']} | {e['version']} | {e['kind']} | {e['archive_type']} | "
                     f"{(e['archive_bytes'] or 0) / 1e6:.1f} | {e['py_files']:,} | {e['py_mb']:.1f} | {e['unpacked_mb']:.1f} |")
    t = document["totals"]
    lines.append(f"| **total** ({t['packages']}) | | | | {t['archive_mb']:.1f} | {t['py_files']:,} | "
                 f"{t['py_mb']:.1f} | {t['unpacked_mb']:.1f} |")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", help="comma-separated subset (names or name-version)")
    parser.add_argument("--list", action="store_true", help="print the pins and exit")
    parser.add_argument("--check", action="store_true", help="verify each release holds the files it was chosen for")
    parser.add_argument("--quiet", "-q", action="store_true")
    args = parser.parse_args(argv)
    packages = by_name(args.packages.split(",") if args.packages else None)
    if args.list:
        for p in packages:
            print(f"{p.name}=={p.version}  [{p.kind}]  {p.why}")
        return 0
    started = time.perf_counter()
    failed = []
    for package in packages:
        try:
            ensure([package], args.quiet)
        except (RuntimeError, subprocess.SubprocessError, OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
            failed.append(package.name)
            print(f"corpus: FAILED {package.key}: {exc}", file=sys.stderr, flush=True)
    document = write_manifest([p for p in packages if p.name not in failed])
    print(table(document))
    print(f"corpus: {os.path.relpath(CLOUD, PROJECT)} ready in {time.perf_counter() - started:.1f}s; "
          f"manifest {os.path.relpath(MANIFEST, PROJECT)}")
    ok = not failed
    if args.check:
        for package in packages:
            if package.name in failed:
                continue
            missing = check(package)
            if missing:
                ok = False
                print(f"corpus: CHECK FAILED {package.key}: missing {missing}")
        print("corpus: check " + ("OK: every release holds the files it was chosen for" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
