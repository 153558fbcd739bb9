"""Which service a request goes to: the image service (and which version), the compute proxy,
another provider, or unknown — from the strongest evidence, never from a class name alone.

Signals, strongest first (``record``'s strengths):

* explicit: a ``service_type`` (keyword, ``endpoint_filter``, the adapter or session the call goes
  through, a class attribute), Glance's port 9292 or Nova's 8774 in the URL;
* strong: the URL's host (``ims.``/``image.``/``glance`` hosts; ``ecs.``/``compute.``/``nova``; any
  other real host is another provider, while fake hosts ``*.example``, ``*.test``, ``localhost``
  are no evidence), a service word passed to the sending call, class attributes of the calling
  class or its bases (``api_version``/``_endpoint_suffix`` ``v1``, ``base_url``, ``host``);
* medium: the module path (``compute/``, ``image/v1/``, ``glanceclient``), the client libraries the
  module imports (glanceclient, novaclient), the path's own shape (``/v1.1/images/detail`` is only
  ever the image API, ``/v2.1/{project}/images`` only the compute proxy);
* weak: base class and receiver names (``ComputeAPI``, ``image_client``).

``decide`` keeps the strongest level; signals there that disagree make the service unknown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence

from .record import COMPUTE, EXPLICIT, IMAGE, IMAGE_SERVICES, IMAGE_V1, IMAGE_V2, MEDIUM, OTHER, STRONG, WEAK, Fact


@dataclass(frozen=True)
class Signal:
    service: str  # IMAGE, IMAGE_V1, IMAGE_V2, COMPUTE or OTHER
    strength: int
    reason: str


def family(service: str) -> str:
    return IMAGE if service in IMAGE_SERVICES else service


def decide(signals: Sequence[Signal]) -> Fact:
    """The service the strongest signals agree on (an image version where one is known and no
    signal contradicts it); unknown when they disagree or there are none."""
    if not signals:
        return Fact(None, "no evidence of the service (image or compute)")
    top = max(signal.strength for signal in signals)
    best = [signal for signal in signals if signal.strength == top]
    families = sorted({family(signal.service) for signal in best})
    if len(families) > 1:
        listed = "; ".join(f"{s.service} ({s.reason})" for s in best)
        return Fact(None, f"conflicting evidence, image or compute: {listed}", top)
    chosen = families[0]
    reason = best[0].reason
    if chosen == IMAGE:
        # the version from the strongest signals that name one (``_endpoint_suffix = "/v2"`` over an import of a v1 module)
        versioned = [s for s in signals if s.service in (IMAGE_V1, IMAGE_V2) and s.strength >= MEDIUM]
        level = max((s.strength for s in versioned), default=0)
        versions = {s.service for s in versioned if s.strength == level}
        if len(versions) == 1:
            version = versions.pop()
            detail = next(s.reason for s in versioned if s.service == version and s.strength == level)
            if detail != reason:
                reason = f"{reason}; {detail}"
            return Fact(version, reason, top)
    return Fact(chosen, reason, top)


# -- hosts and ports -------------------------------------------------------------------------------

_FAKE_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local", ".example.com", ".example.org",
                  ".example.net", ".fake", ".foo", ".bar")
_FAKE_NAMES = frozenset({"localhost", "example.com", "example.org", "example.net", "fake", "host", "server",
                         "127.0.0.1", "::1", "0.0.0.0", "testserver", "test", "foo", "bar"})
_IMAGE_LABELS = frozenset({"ims", "image", "images", "glance"})
_COMPUTE_LABELS = frozenset({"ecs", "compute", "nova"})


def is_fake_host(name: str) -> bool:
    """A host tests use (RFC 2606/6761 names, loopback, bare words): not another provider."""
    name = name.lower().strip("[]")
    if name in _FAKE_NAMES or name.endswith(_FAKE_SUFFIXES) or "." not in name:
        return True
    return bool(re.fullmatch(r"[\d.]+|[0-9a-f:]+", name))


_LOOPBACK = re.compile(r"localhost|[\d.]+|[0-9a-f:]+|[^.]+")  # loopback, addresses, bare names: test servers


def host_signals(host: Optional[str], where: str, double: bool = False) -> List[Signal]:
    """What a literal host (``name[:port]``) says. A named host that is neither an image nor a
    compute host is another provider's, even with a reserved name (``api.vendor.example``), except
    for a test double, whose fake host (``gopher.test``) stands in for whatever the code calls and
    whose other hosts are only weak evidence (tests make hosts up: ``gopher.dev10.com``)."""
    if not host:
        return []
    name, _, port = host.partition(":")
    name = name.split("@")[-1].lower()
    if port == "9292":
        return [Signal(IMAGE, EXPLICIT, f"Glance's port 9292 in {where}")]
    if port == "8774":
        return [Signal(COMPUTE, EXPLICIT, f"Nova's port 8774 in {where}")]
    labels = name.split(".")
    if labels[0] in _IMAGE_LABELS or "glance" in name:
        return [Signal(IMAGE, STRONG, f"the image host `{name}` in {where}")]
    if labels[0] in _COMPUTE_LABELS or "nova" in labels:
        return [Signal(COMPUTE, STRONG, f"the compute host `{name}` in {where}")]
    if _LOOPBACK.fullmatch(name) or (double and is_fake_host(name)):
        return []
    if double:  # a test's made-up host (``gopher.dev10.com``) or a mocked vendor: what the test imports decides
        return [Signal(OTHER, WEAK, f"the host `{name}` in {where} (a made-up test host or another provider's)")]
    return [Signal(OTHER, STRONG, f"another provider's host `{name}` in {where}")]


def service_word(text: Optional[str]) -> Optional[str]:
    """``"image"`` → IMAGE, ``"compute"`` → COMPUTE, another service type → OTHER, else None."""
    if text is None:
        return None
    word = text.strip().lower()
    if word in ("image", "glance"):
        return IMAGE
    if word in ("compute", "nova"):
        return COMPUTE
    if word in ("volume", "volumev2", "volumev3", "network", "object-store", "identity", "orchestration",
                "baremetal", "dns", "load-balancer", "container-infra", "share", "key-manager", "workflow"):
        return OTHER
    return None


def version_signals(value: Optional[str], where: str, suffix: bool = False) -> List[Signal]:
    """An API version a class pins (``api_version = "v1"``; ``suffix``: an endpoint's path suffix,
    ``_endpoint_suffix = "/v2"``, which a compute endpoint never is: it ends in a project id)."""
    if value is None:
        return []
    version = value.strip().strip("/").lower()
    if version in ("v1", "v1.0", "1", "1.0"):
        return [Signal(IMAGE_V1, STRONG, f"{where} is {value!r}")]
    if version == "v1.1":
        return [Signal(IMAGE_V1, MEDIUM, f"{where} is {value!r}")]
    if version in ("v2", "2"):
        return [Signal(IMAGE_V2, STRONG if suffix else MEDIUM, f"{where} is {value!r}")]
    if version in ("v2.1", "2.1"):
        return [Signal(COMPUTE, MEDIUM, f"{where} is {value!r}")]
    return []


# -- module paths, imports, names ----------------------------------------------------------------

def module_path_signals(path: str) -> List[Signal]:
    """``.../compute/...`` → compute; ``.../image/v1/...``, ``glance/api/v1/...`` → image v1: the
    deepest service word wins, and a version segment after it gives the image API's version."""
    parts = [part.lower() for part in re.split(r"[\\/]", path) if part]
    if not parts:
        return []
    parts[-1] = parts[-1].rsplit(".", 1)[0]
    found: Optional[Signal] = None
    for index, part in enumerate(parts[:-1]):  # directories: a file called images.py is about images
        if part in ("image", "images", "glance", "glanceclient"):
            at = next((i for i in range(index + 1, len(parts) - 1) if re.fullmatch(r"v\d(_\d)?", parts[i])), None)
            version = parts[at] if at is not None else ""
            service = IMAGE_V1 if version.startswith("v1") else IMAGE_V2 if version.startswith("v2") else IMAGE
            shown = "/".join(parts[: (at if at is not None else index) + 1])
            found = Signal(service, MEDIUM, f"the module path `{shown}/`")
        elif part in ("compute", "nova", "novaclient"):
            found = Signal(COMPUTE, MEDIUM, f"the module path `{'/'.join(parts[: index + 1])}/`")
    provider = _provider_module(parts)
    if provider is not None:  # libcloud's ``compute/drivers/scaleway.py``: another provider's API
        return [Signal(OTHER, STRONG, f"the module `{'/'.join(parts)}` is the driver of another provider ({provider})")]
    return [found] if found else []


_PLUGIN_DIRECTORIES = frozenset({"drivers", "providers", "provider", "vendors", "backends"})
_OPENSTACK_MODULES = frozenset({"openstack", "nova", "glance", "huawei", "huaweicloud", "otc", "opentelekomcloud",
                                "ecs", "ims", "rackspace", "vexxhost", "ovh", "citycloud", "openstack_identity"})


def _provider_module(parts: List[str]) -> Optional[str]:
    """The provider a plugin module (``.../drivers/<provider>.py``) is for, unless OpenStack's own."""
    if len(parts) < 2 or parts[-2] not in _PLUGIN_DIRECTORIES:
        return None
    stem = parts[-1]
    if stem in ("__init__", "base", "common") or any(word in stem for word in _OPENSTACK_MODULES):
        return None
    return stem


_IMAGE_V1_MODULE = re.compile(r"(^|\.)(image|glance)(_v1|\.v1)(\.|$)")


def import_signals(modules: Iterable[str]) -> List[Signal]:
    """Client libraries a module imports: glanceclient (image; ``glanceclient.v1``: v1), novaclient,
    a project's v1 image client module (``openstackclient.api.image_v1``, ``openstack.image.v1``)."""
    found = {}
    for module in modules:
        root = module.split(".")[0]
        if root == "glanceclient":
            service = IMAGE_V1 if module.startswith("glanceclient.v1") else IMAGE
            found.setdefault(service, Signal(service, MEDIUM, f"the module imports `{module}`"))
        elif root == "novaclient":
            found.setdefault(COMPUTE, Signal(COMPUTE, MEDIUM, f"the module imports `{module}`"))
        elif _IMAGE_V1_MODULE.search(module):  # a project's own v1 image client (``...api.image_v1``)
            found.setdefault(IMAGE_V1, Signal(IMAGE_V1, MEDIUM, f"the module imports `{module}`"))
    if IMAGE_V1 in found:
        found.pop(IMAGE, None)
    return list(found.values())


_IMAGE_WORDS = re.compile(r"image|glance|\bims", re.I)
_COMPUTE_WORDS = re.compile(r"compute|nova|\becs", re.I)


def name_signals(name: str, what: str) -> List[Signal]:
    """A base class or receiver named for a service (weak: names lie)."""
    if not name:
        return []
    compute, image = bool(_COMPUTE_WORDS.search(name)), bool(_IMAGE_WORDS.search(name))
    if compute and not image:
        return [Signal(COMPUTE, WEAK, f"{what} `{name}`")]
    if image and not compute:
        return [Signal(IMAGE, WEAK, f"{what} `{name}`")]
    return []


def shape_signals(endpoint_key: str, code: str) -> List[Signal]:
    """What an absolute path's shape says: only the image API has ``/v1.1/images/detail`` and the
    ``v1.0``/``v1.1`` aliases; only the compute proxy puts a project id before ``images``."""
    if code == "IMS006" and endpoint_key.startswith("nova-"):
        return [Signal(COMPUTE, MEDIUM, "a project id before `images` in the path")]
    if endpoint_key in ("ims-v1.1-detail", "glance-v1-detail"):
        return [Signal(IMAGE_V1, MEDIUM, "the path `.../images/detail` of the v1 image API")]
    if endpoint_key == "v2-detail":
        return [Signal(IMAGE_V2, MEDIUM, "the path `/v2/images/detail`, a v2 image path (the compute proxy has a project id)")]
    return []


def version_segment_signal(version: Optional[str]) -> List[Signal]:
    """``/v1.0/images/...`` and ``/v1.1/images/...``: spellings only the image API used."""
    if version in ("v1.0", "v1.1"):
        return [Signal(IMAGE_V1, MEDIUM, f"the `{version}` version segment of the v1 image API")]
    return []
