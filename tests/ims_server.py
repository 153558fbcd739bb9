"""A fake Huawei Cloud IMS (image service) and ECS Nova image proxy, for tests.

The behavioural tests use this server to show that a rewritten client call
(``GET /v2/images`` and friends) returns the same images as the original
(``GET /v1.1/images/detail`` and friends).  It follows the facts in
``docs/ims-api-migration.md`` (shared docs); where the docs leave a question
open, the choice made here is written down below.  Stdlib only.

Usage::

    with ImsServer() as ims:                      # or ImsServer(target="openstack-glance")
        r = requests.get(ims.url + "/v2/images", headers={"X-Auth-Token": "t"})
        ims.requests[-1].query                    # [(key, value), ...] as sent
        ims.reset()                               # restore the data set, clear the log

Data set (``IMAGES``, built by ``build_images()``; deterministic, no randomness)
-------------------------------------------------------------------------------
60 images: 54 live, 6 soft-deleted (status "deleted", deleted=True, deleted_at set).

=================  =====  ====  ==========================================
disk_format        total  live  notes
=================  =====  ====  ==========================================
vhd                30     27    more than one v2 page (default limit 25)
qcow2              12     11
zvhd2              12     11
raw                6      5
=================  =====  ====  ==========================================

Other live counts (all in ``LIVE_COUNTS``; a test recomputes every number):

* status: active 50, queued 2, saving 2; the 6 deleted images are all private,
  unprotected images of PROJECT_ID (3 vhd, 1 qcow2, 1 zvhd2, 1 raw).
* container_format: bare 47, ovf 7.
* ``__platform``: Ubuntu 24, CentOS 20, Windows 10; ``__os_type``: Linux 44, Windows 10.
* ``__imagetype``: gold 17 (is_public, protected, owner PUBLIC_OWNER),
  private 28 (owner PROJECT_ID), shared 9 (owner OTHER_PROJECT_ID).
* ``__os_bit``: 64 on 50, 32 on 4; ``__isregistered``: "true" 52, "false" 2
  (the queued ones); ``__support_kvm`` "true" on 40 (absent elsewhere);
  ``hw_firmware_type`` (custom key): bios 41, uefi 13; ``owner_team`` (custom
  key) on private images only: data 11, ops 11, web 6.
* min_ram: 0 on 9, 512 on 18, 1024 on 8, 2048 on 14, 4096 on 5;
  min_disk: 0 on 14, 20 on 17, 40 on 23.
* protected: 17 (the gold images); visibility: public 17, private 37.
* ``DUPLICATE_NAME`` ("Ubuntu 22.04 server 64bit") names 2 live images (one vhd,
  one zvhd2); the other 52 names are unique.  Names contain no spaces otherwise.
* Filters matching MORE than 25 live images (pagination matters on v2):
  disk_format=vhd (27), __imagetype=private / owner=PROJECT_ID (28),
  protected=false / visibility=private (37), __support_kvm=true (40),
  hw_firmware_type=bios (41), __os_type=Linux (44), container_format=bare (47),
  status=active (50), __os_bit=64 (50), __isregistered=true (52), no filter (54).
* Filters matching fewer than 25: disk_format=qcow2 (11) / zvhd2 (11) / raw (5),
  __platform=Ubuntu (24) / CentOS (20) / Windows (10), container_format=ovf (7),
  status=queued / saving (2 each), every min_ram and min_disk value, name=<any>.
* ``LATEST_LIVE_UPDATE`` is the newest ``updated_at`` of a live image; 4 of the
  6 deleted images were deleted (= updated) after it, so on v1.1
  ``changes-since=LATEST_LIVE_UPDATE`` returns exactly those 4 deleted images
  while v2 ``updated_at=gt:...`` returns nothing.  The other 2 deleted images
  were deleted early (2016/2017), before most live updates.
* Timestamps are naive UTC with microseconds (some have 0 microseconds);
  created_at is strictly increasing with the index in ``IMAGES``.

Endpoints (every request needs a non-empty ``X-Auth-Token``, else 401)
----------------------------------------------------------------------
IMS legacy (v1 prefix ``/v1``, ``/v1.0`` or ``/v1.1``):
  ``GET {v1}/images/detail``  all matches at once (no default limit, no links);
  ``GET {v1}/images``         summary items; ``HEAD {v1}/images/{id}`` metadata
  in ``X-Image-Meta-*`` headers; ``DELETE {v1}/images/{id}`` 200, empty body.
IMS v2: ``GET /v2/images`` (25 a page, relative ``next``/``first`` links),
  ``GET /v2/images/{id}`` (bare object), ``DELETE /v2/images/{id}`` (204),
  ``GET /v2/cloudimages`` (default limit 500, envelope ``{"images": [...]}`` only).
  ``GET /v2/images/detail`` is 404.
Nova proxy (version ``v2``, ``v2.1`` or ``v1.1`` plus a project id):
  ``GET /{ver}/{project}/images[/detail]``, ``GET /{ver}/{project}/images/{id}``
  (``{"image": ...}``), ``GET .../images/{id}/metadata``, ``DELETE .../images/{id}`` (204).

Choices where the docs are silent or unsettled (§7 of the docs):
* Deletes are soft on every API (status "deleted", deleted_at/updated_at = now).
  Deleting a protected image answers 403; an unknown or deleted one 404.
* v1 HEAD and v2/Nova GET of a deleted image answer 404 (non-admin view).
* Time filters compare against the stored microsecond timestamps (v2 only
  *shows* whole seconds), so ``gt:`` on a truncated time can re-include items of
  the same second, as the docs warn.
* v2 ``member_status`` is validated but does not narrow (there are no
  memberships); ``tag`` matches nothing (every image has ``tags: []``);
  ``visibility`` is "public" if is_public else "private", so ``shared`` and
  ``community`` match nothing.  v2 ``status`` must be a known lower-case Glance
  status (else 400), like upstream.  ``/v2/cloudimages`` takes the same filters as
  ``/v2/images``.
* The Nova proxy never lists deleted images (ECS docs: changes-since "cannot query
  deleted images"); its changes-since is ``updated_at >= T`` (Nova's v2 shim).
  ``images_links`` is present whenever a page came back full (so the last link
  may lead to an empty page), and its href is absolute.  Unknown keys ignored.
* ``target="openstack-glance"`` (upstream Glance v2): ``size_min``/``size_max``
  are accepted (inclusive, on the real size), and items carry the real ``size``
  and ``checksum`` and no ``__image_size``.  Everything else is as on IMS.
* A known path with another method answers 405; anything else 404.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable, Optional
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

__all__ = [
    "ImsServer", "RecordedRequest", "Response", "ApiError",
    "IMAGES", "build_images", "live_images", "deleted_images", "image_by_id",
    "LIVE_COUNTS", "TOTAL_IMAGES", "LIVE_IMAGES", "DELETED_IMAGES",
    "LATEST_LIVE_UPDATE", "DUPLICATE_NAME", "PROJECT_ID", "OTHER_PROJECT_ID",
    "PUBLIC_OWNER", "EMPTY_MD5", "TARGETS", "V2_DEFAULT_LIMIT",
    "CLOUDIMAGES_DEFAULT_LIMIT", "IMS_PROPERTY_FILTERS",
    "v1_time", "v2_time", "parse_iso8601", "nova_status", "nova_progress",
]

# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------

TARGETS = ("huawei-ims", "openstack-glance")
PROJECT_ID = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"        # the caller's project
OTHER_PROJECT_ID = "f9e8d7c6b5a44938271605f4e3d2c1b0"  # owner of shared images
PUBLIC_OWNER = "1bed856811654c1cb661a6ca845ebc77"      # owner of public (gold) images
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
DUPLICATE_NAME = "Ubuntu 22.04 server 64bit"

V2_DEFAULT_LIMIT = 25
CLOUDIMAGES_DEFAULT_LIMIT = 500
MAX_LIMIT = 1000           # Glance api_limit_max / Nova osapi_max_limit
NOVA_MAX_LIMIT = 1000

#: The ``__*`` query keys IMS v2 documents (SDK GlanceListImagesRequest wire names).
IMS_PROPERTY_FILTERS = frozenset({
    "__imagetype", "__isregistered", "__os_bit", "__os_type", "__platform",
    "__support_diskintensive", "__support_highperformance", "__support_kvm",
    "__support_kvm_gpu_type", "__support_kvm_infiniband", "__support_largememory",
    "__support_xen", "__support_xen_gpu_type", "__support_xen_hana",
})

_UUID_NAMESPACE = uuid.UUID("6ba7b812-9dad-11d1-80b4-00c04fd430c8")
_BASE_TIME = datetime(2016, 5, 22, 6, 4, 20, 425843)
_DISK_CYCLE = ("vhd", "qcow2", "vhd", "zvhd2", "vhd", "raw", "vhd", "qcow2", "vhd", "zvhd2")
_PLATFORM_CYCLE = ("Ubuntu", "Ubuntu", "CentOS", "Windows", "Ubuntu", "CentOS")
_OS_VERSIONS = {
    "Ubuntu": ("Ubuntu 18.04 server 64bit", "Ubuntu 20.04 server 64bit", "Ubuntu 22.04 server 64bit"),
    "CentOS": ("CentOS 7.6 64bit", "CentOS 7.9 64bit", "CentOS 8.2 64bit"),
    "Windows": ("Windows Server 2016 Standard 64bit", "Windows Server 2019 Datacenter 64bit"),
}
_IMAGETYPE_CYCLE = ("gold", "private", "private", "shared", "private", "gold", "private")
_TEAMS = ("data", "web", "ops")
_QUEUED = frozenset({8, 31})
_SAVING = frozenset({19, 44})
_DUPLICATE_NAME_INDEXES = frozenset({12, 49})  # both gold Ubuntu 22.04
#: index -> deleted_at.  4 and 13 early; the rest after every live update.
_DELETED = {
    4: datetime(2016, 11, 2, 9, 15, 0, 120000),
    13: datetime(2017, 8, 30, 17, 45, 12, 0),
    22: datetime(2024, 3, 1, 8, 0, 0, 500001),
    37: datetime(2024, 3, 2, 12, 30, 45, 0),
    46: datetime(2024, 6, 18, 23, 59, 59, 999999),
    55: datetime(2025, 1, 7, 1, 2, 3, 456789),
}

# --------------------------------------------------------------------------
# Data set
# --------------------------------------------------------------------------


def _image_id(index: int) -> str:
    return str(uuid.uuid5(_UUID_NAMESPACE, f"ims-fake-image-{index}"))


def _created_at(index: int) -> datetime:
    micro = 0 if index % 10 == 0 else (index * 104729) % 1_000_000
    return _BASE_TIME.replace(microsecond=micro) + timedelta(days=31 * index, seconds=3607 * index)


def _updated_at(index: int, created: datetime) -> datetime:
    if index % 8 == 3:  # touched much later, so updates interleave with creations
        return created + timedelta(days=400, minutes=7 * index, microseconds=index * 1013)
    return created + timedelta(hours=(index % 5) * 13 + 1, microseconds=index * 1013)


def _status(index: int) -> str:
    if index in _DELETED:
        return "deleted"
    if index in _QUEUED:
        return "queued"
    if index in _SAVING:
        return "saving"
    return "active"


def _properties(index: int, platform: str, imagetype: str, status: str) -> dict:
    props = {
        "__os_type": "Windows" if platform == "Windows" else "Linux",
        "__platform": platform,
        "__imagetype": imagetype,
        "__os_bit": "32" if index % 11 == 4 else "64",
        "__isregistered": "false" if status == "queued" else "true",
        "__os_version": _OS_VERSIONS[platform][(index // 6) % len(_OS_VERSIONS[platform])],
        "hw_firmware_type": "uefi" if index % 4 == 1 else "bios",
    }
    if index % 4 != 3:
        props["__support_kvm"] = "true"
    if imagetype == "private":
        props["owner_team"] = _TEAMS[index % len(_TEAMS)]
    return props


def _name(index: int, platform: str, imagetype: str, disk_format: str) -> str:
    if index in _DUPLICATE_NAME_INDEXES:
        return DUPLICATE_NAME
    return f"{platform.lower()}-{imagetype}-{disk_format}-{index:02d}"


def _min_ram_disk(index: int, platform: str) -> tuple:
    if platform == "Windows":
        return (4096 if index % 4 == 1 else 2048), 40
    return (0, 512, 1024, 2048, 512)[index % 5], (0, 20, 40, 20)[index % 4]


def _build_image(index: int) -> dict:
    platform = _PLATFORM_CYCLE[index % len(_PLATFORM_CYCLE)]
    imagetype = _IMAGETYPE_CYCLE[index % len(_IMAGETYPE_CYCLE)]
    disk_format = _DISK_CYCLE[index % len(_DISK_CYCLE)]
    status = _status(index)
    created = _created_at(index)
    updated = _updated_at(index, created)
    deleted_at = _DELETED.get(index)
    min_ram, min_disk = _min_ram_disk(index, platform)
    owner = {"gold": PUBLIC_OWNER, "private": PROJECT_ID, "shared": OTHER_PROJECT_ID}[imagetype]
    empty = status == "queued"
    return {
        "id": _image_id(index),
        "name": _name(index, platform, imagetype, disk_format),
        "status": status,
        "container_format": "ovf" if index % 9 == 2 else "bare",
        "disk_format": disk_format,
        "size": 0 if empty else 536_870_912 + ((index * 37) % 60) * 97_654_321 + index * 13,
        "checksum": None if empty else hashlib.md5(f"image-{index}".encode()).hexdigest(),
        "min_ram": min_ram,
        "min_disk": min_disk,
        "is_public": imagetype == "gold",
        "protected": imagetype == "gold",
        "owner": owner,
        "created_at": created,
        "updated_at": deleted_at or updated,
        "deleted": deleted_at is not None,
        "deleted_at": deleted_at,
        "properties": _properties(index, platform, imagetype, status),
    }


def build_images() -> list:
    """A fresh copy of the 60-image data set (v1 field names, datetimes naive UTC)."""
    return [_build_image(index) for index in range(60)]


#: Read-only reference copy of the data set; the server works on its own copy.
IMAGES = tuple(build_images())


def live_images(images: Iterable[dict] = IMAGES) -> list:
    return [img for img in images if not img["deleted"]]


def deleted_images(images: Iterable[dict] = IMAGES) -> list:
    return [img for img in images if img["deleted"]]


def image_by_id(image_id: str, images: Iterable[dict] = IMAGES) -> Optional[dict]:
    return next((img for img in images if img["id"] == image_id), None)


def _count_live(images: Iterable[dict]) -> dict:
    """Counts of live images by filter (key) and value, as documented above."""
    counts: dict = {}
    for img in live_images(images):
        pairs = [(k, img[k]) for k in ("disk_format", "container_format", "status",
                                        "min_ram", "min_disk", "protected", "owner", "name")]
        pairs.append(("visibility", "public" if img["is_public"] else "private"))
        pairs.extend(img["properties"].items())
        for key, value in pairs:
            counts.setdefault(key, Counter())[value] += 1
    return {key: dict(counter) for key, counter in counts.items()}


TOTAL_IMAGES = len(IMAGES)
LIVE_IMAGES = len(live_images())
DELETED_IMAGES = len(deleted_images())
#: {filter key: {value: number of live images}}; e.g. LIVE_COUNTS["disk_format"]["vhd"] == 27.
LIVE_COUNTS = _count_live(IMAGES)
LATEST_LIVE_UPDATE = max(img["updated_at"] for img in live_images())

# --------------------------------------------------------------------------
# Time helpers
# --------------------------------------------------------------------------

_ISO8601 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)
_V2_TIME_FORMATS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"), "%Y-%m-%dT%H:%M:%SZ"),
    (re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"), "%Y-%m-%d %H:%M:%S"),
)


def v1_time(value: Optional[datetime]) -> Optional[str]:
    """v1 style: ``2016-05-22T06:04:20.425843`` (naive UTC, always microseconds)."""
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def v2_time(value: Optional[datetime]) -> Optional[str]:
    """v2 style: ``2018-09-06T14:03:27Z`` (whole seconds, truncated)."""
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso8601(text: str) -> datetime:
    """Any ISO 8601 date or date-time (Z, offset, fraction optional) -> naive UTC.

    Raises ValueError when the text is not ISO 8601.
    """
    match = _ISO8601.match(text.strip())
    if not match:
        raise ValueError(f"not an ISO 8601 time: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                     int(second or 0), micro)
    if zone and zone not in "Zz":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        value -= sign * offset
    return value


def _parse_v2_time(text: str) -> datetime:
    for pattern, fmt in _V2_TIME_FORMATS:
        if pattern.match(text):
            return datetime.strptime(text, fmt)
    raise ValueError(text)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)

# --------------------------------------------------------------------------
# Views (how each API renders one stored image)
# --------------------------------------------------------------------------


def v1_detail(img: dict) -> dict:
    item = {k: img[k] for k in ("id", "name", "status", "container_format", "disk_format",
                                "size", "checksum", "min_ram", "min_disk", "is_public",
                                "protected", "owner")}
    item.update(created_at=v1_time(img["created_at"]), updated_at=v1_time(img["updated_at"]),
                deleted=img["deleted"], deleted_at=v1_time(img["deleted_at"]),
                properties=dict(img["properties"]))
    return item


def v1_summary(img: dict) -> dict:
    return {k: img[k] for k in ("id", "name", "disk_format", "container_format", "size", "checksum")}


def v1_headers(img: dict) -> list:
    """``HEAD /v1/images/{id}`` headers, title case as in the IMS example."""
    headers = []
    for key in ("id", "name", "status", "container_format", "disk_format", "size", "checksum",
                "min_ram", "min_disk", "is_public", "protected", "owner", "created_at",
                "updated_at", "deleted", "deleted_at"):
        value = img[key]
        if value is None:
            continue
        if isinstance(value, datetime):
            value = v1_time(value)
        headers.append(("X-Image-Meta-" + key.capitalize(), str(value)))
    for key, value in img["properties"].items():
        headers.append(("X-Image-Meta-Property-" + key.capitalize(), str(value)))
    if img["checksum"]:
        headers.append(("ETag", img["checksum"]))
    return headers


def v2_view(img: dict, target: str = "huawei-ims") -> dict:
    """A ``GET /v2/images`` item: properties flattened, IMS's unavailable fields."""
    glance = target == "openstack-glance"
    item = {k: img[k] for k in ("id", "name", "status", "container_format", "disk_format",
                                "protected", "owner", "min_ram", "min_disk")}
    item.update(
        visibility="public" if img["is_public"] else "private",
        created_at=v2_time(img["created_at"]),
        updated_at=v2_time(img["updated_at"]),
        size=img["size"] if glance else 0,
        checksum=img["checksum"] if glance else EMPTY_MD5,
        virtual_size=None,
        tags=[],
        self=f"/v2/images/{img['id']}",
        file=f"/v2/images/{img['id']}/file",
        schema="/v2/schemas/image",
    )
    if not glance:
        item["__image_size"] = str(img["size"])
    item.update(img["properties"])
    return item


_NOVA_STATUS = {"active": "ACTIVE", "queued": "SAVING", "saving": "SAVING",
                "deleted": "DELETED", "pending_delete": "DELETED", "killed": "ERROR"}
_NOVA_PROGRESS = {"queued": 25, "saving": 50, "active": 100}


def nova_status(glance_status: str) -> str:
    return _NOVA_STATUS.get(glance_status, "UNKNOWN")


def nova_progress(glance_status: str) -> int:
    return _NOVA_PROGRESS.get(glance_status, 0)


def _nova_links(img: dict, base_url: str, version: str, project_id: str) -> list:
    return [
        {"rel": "self", "href": f"{base_url}/{version}/{project_id}/images/{img['id']}"},
        {"rel": "bookmark", "href": f"{base_url}/{project_id}/images/{img['id']}"},
        {"rel": "alternate", "type": "application/vnd.openstack.image",
         "href": f"{base_url}/images/{img['id']}"},
    ]


def nova_summary(img: dict, base_url: str, version: str, project_id: str) -> dict:
    return {"id": img["id"], "name": img["name"],
            "links": _nova_links(img, base_url, version, project_id)}


def nova_detail(img: dict, base_url: str, version: str, project_id: str) -> dict:
    item = nova_summary(img, base_url, version, project_id)
    item.update({
        "status": nova_status(img["status"]),
        "progress": nova_progress(img["status"]),
        "minRam": img["min_ram"],
        "minDisk": img["min_disk"],
        "metadata": dict(img["properties"]),
        "OS-EXT-IMG-SIZE:size": img["size"],
        "created": v2_time(img["created_at"]),
        "updated": v2_time(img["updated_at"]),
    })
    return item

# --------------------------------------------------------------------------
# Query layer: validation, filtering, sorting, pagination (no HTTP here)
# --------------------------------------------------------------------------


class ApiError(Exception):
    """An HTTP error answer; ``parameter`` names the offending query key."""

    def __init__(self, status: int, message: str, parameter: Optional[str] = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


Predicate = Callable[[dict], bool]

V1_SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id",
                "created_at", "updated_at")
V2_SORT_KEYS = ("name", "container_format", "disk_format", "status", "id", "size", "created_at")
V2_STATUSES = ("queued", "saving", "active", "killed", "deleted", "pending_delete",
               "deactivated", "uploading", "importing")
V2_VISIBILITIES = ("public", "private", "shared", "community", "all")
V2_MEMBER_STATUSES = ("accepted", "pending", "rejected", "all")
V2_REJECTED = {
    "changes-since": "changes-since is not supported on v2; use updated_at=gt:<time>",
    "size_min": "size_min is not supported on IMS v2 (size is unavailable)",
    "size_max": "size_max is not supported on IMS v2 (size is unavailable)",
    "is_public": "is_public is not supported on v2; use visibility",
    "deleted": "deleted is not supported on v2",
}
_TIME_OPS = {
    "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b,
    "eq": lambda a, b: a == b, "neq": lambda a, b: a != b,
}


def _last_values(pairs: list) -> dict:
    return dict(pairs)


def _int_param(key: str, value: str, minimum: Optional[int] = None) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ApiError(400, f"Invalid value for {key}: {value!r} is not an integer", key) from None
    if minimum is not None and number < minimum:
        raise ApiError(400, f"Invalid value for {key}: must be >= {minimum}", key)
    return number


def _equals(key: str, value) -> Predicate:
    return lambda img: img[key] == value


def _property_equals(key: str, value: str) -> Predicate:
    return lambda img: img["properties"].get(key) == value


def _size_bound(key: str, value: str) -> Predicate:
    bound = _int_param(key, value)
    if key == "size_min":
        return lambda img: img["size"] >= bound
    return lambda img: img["size"] <= bound


def _sort_dir(params: dict, key: str = "sort_dir") -> str:
    direction = params.get(key, "desc")
    if direction not in ("asc", "desc"):
        raise ApiError(400, f"Invalid sort direction: {direction!r}", key)
    return direction


def _sort_key(params: dict, allowed: tuple) -> str:
    key = params.get("sort_key", "created_at")
    if key not in allowed:
        raise ApiError(400, f"Invalid sort key: {key!r}; allowed: {', '.join(allowed)}", "sort_key")
    return key


@dataclass
class Page:
    items: list
    has_more: bool


def select_page(candidates: list, predicates: list, sort_key: str = "created_at",
                sort_dir: str = "desc", marker: Optional[str] = None,
                limit: Optional[int] = None) -> Page:
    """Filter ``candidates``, sort (ties by created_at, id), start after ``marker``.

    ``marker`` must be one of ``candidates`` (else 400), but need not match the
    filters: the page starts where it would sit in the sort order, like Glance.
    """
    matches = [img for img in candidates if all(pred(img) for pred in predicates)]
    marker_img = None
    if marker is not None:
        marker_img = next((img for img in candidates if img["id"] == marker), None)
        if marker_img is None:
            raise ApiError(400, f"marker not found: {marker}", "marker")
        if all(img["id"] != marker for img in matches):
            matches.append(marker_img)
    ordered = sorted(matches, key=lambda img: (img[sort_key], img["created_at"], img["id"]),
                     reverse=sort_dir == "desc")
    if marker_img is not None:
        position = next(i for i, img in enumerate(ordered) if img["id"] == marker)
        ordered = ordered[position + 1:]
    if limit is None:
        return Page(ordered, False)
    return Page(ordered[:limit], len(ordered) > limit)


def _v1_protected(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ApiError(400, f"Invalid value for protected: {value!r}", "protected")


def _v1_predicate(key: str, value: str) -> Optional[Predicate]:
    """Glance v1 list filter for one query pair; None for ignored keys."""
    if key in ("name", "container_format", "disk_format", "status"):
        return _equals(key, value)
    if key in ("size_min", "size_max"):
        return _size_bound(key, value)
    if key in ("min_ram", "min_disk"):
        return _equals(key, _int_param(key, value))
    if key == "protected":
        return _equals("protected", _v1_protected(value))
    if key.startswith("property-"):
        return _property_equals(key[len("property-"):], value)
    if key == "changes-since":
        try:
            since = parse_iso8601(value)
        except ValueError:
            raise ApiError(400, f"Invalid changes-since value: {value!r}", key) from None
        return lambda img: img["updated_at"] > since
    return None  # is_public (non-admin), paging keys, unknown keys: ignored as v1 did


def v1_query(images: list, pairs: list) -> list:
    """``GET /v1.1/images/detail``: every match at once unless ``limit`` is given."""
    params = _last_values(pairs)
    candidates = images if "changes-since" in params else live_images(images)
    predicates = [p for p in (_v1_predicate(k, v) for k, v in pairs) if p is not None]
    limit = _int_param("limit", params["limit"], 0) if "limit" in params else None
    return select_page(candidates, predicates, _sort_key(params, V1_SORT_KEYS),
                       _sort_dir(params), params.get("marker"), limit).items


def _v2_time_predicate(key: str, value: str) -> Predicate:
    op, sep, text = value.partition(":")
    if not sep or op not in _TIME_OPS:
        raise ApiError(400, f"Invalid {key} filter {value!r}: expected <op>:<time> with op in "
                            f"{', '.join(_TIME_OPS)}", key)
    try:
        when = _parse_v2_time(text)
    except ValueError:
        raise ApiError(400, f"Invalid time in {key}: {text!r}; expected yyyy-MM-ddThh:mm:ssZ "
                            f"or yyyy-MM-dd hh:mm:ss", key) from None
    compare = _TIME_OPS[op]
    return lambda img: compare(img[key], when)


def _v2_choice(key: str, value: str, allowed: tuple) -> str:
    if value not in allowed:
        raise ApiError(400, f"Invalid value for {key}: {value!r}; allowed: {', '.join(allowed)}", key)
    return value


def _v2_predicate(key: str, value: str, target: str) -> Optional[Predicate]:
    """IMS v2 list filter for one query pair; None for paging keys; 400 otherwise."""
    if key in ("limit", "marker", "sort_key", "sort_dir"):
        return None
    if key in ("name", "container_format", "disk_format", "id", "owner"):
        return _equals(key, value)
    if key == "status":
        return _equals(key, _v2_choice(key, value, V2_STATUSES))
    if key in ("min_ram", "min_disk"):
        return _equals(key, _int_param(key, value))
    if key == "protected":
        return _equals(key, _v2_choice(key, value, ("true", "false")) == "true")
    if key == "visibility":
        wanted = _v2_choice(key, value, V2_VISIBILITIES)
        return lambda img: wanted == "all" or wanted == ("public" if img["is_public"] else "private")
    if key == "member_status":
        _v2_choice(key, value, V2_MEMBER_STATUSES)
        return None
    if key == "tag":
        return lambda img: False  # no image has tags
    if key in ("created_at", "updated_at"):
        return _v2_time_predicate(key, value)
    if key in IMS_PROPERTY_FILTERS:
        return _property_equals(key, value)
    if key in ("size_min", "size_max") and target == "openstack-glance":
        return _size_bound(key, value)
    if key in V2_REJECTED:
        raise ApiError(400, V2_REJECTED[key], key)
    if key.startswith("property-"):
        raise ApiError(400, f"{key}: property-<key> filters are not supported on v2", key)
    raise ApiError(400, f"Unsupported query parameter: {key}", key)


def v2_query(images: list, pairs: list, target: str = "huawei-ims",
             default_limit: int = V2_DEFAULT_LIMIT) -> Page:
    """``GET /v2/images`` (and ``/v2/cloudimages``): one page of live images."""
    predicates = [p for p in (_v2_predicate(k, v, target) for k, v in pairs) if p is not None]
    params = _last_values(pairs)
    limit = default_limit
    if "limit" in params:
        limit = min(_int_param("limit", params["limit"], 0), MAX_LIMIT)
    return select_page(live_images(images), predicates, _sort_key(params, V2_SORT_KEYS),
                       _sort_dir(params), params.get("marker"), limit)


def v2_links(path: str, pairs: list, page: Page) -> dict:
    """``first`` and (unless last page) ``next``: relative, other parameters kept."""
    kept = [(k, v) for k, v in pairs if k != "marker"]
    query = urlencode(kept)
    links = {"first": path + ("?" + query if query else "")}
    if page.has_more and page.items:
        links["next"] = path + "?" + urlencode(kept + [("marker", page.items[-1]["id"])])
    return links


def _nova_predicate(key: str, value: str) -> Optional[Predicate]:
    if key == "name":
        return _equals("name", value)
    if key == "status":
        return _equals("status", value.lower())
    if key in ("minRam", "minDisk"):
        return _equals("min_ram" if key == "minRam" else "min_disk", _int_param(key, value))
    if key == "changes-since":
        try:
            since = parse_iso8601(value)
        except ValueError:
            raise ApiError(400, f"Invalid changes-since value: {value!r}", key) from None
        return lambda img: img["updated_at"] >= since
    return None  # limit, marker and anything else: ignored


def nova_query(images: list, pairs: list) -> tuple:
    """Nova proxy list: (page items, limit_hit)."""
    params = _last_values(pairs)
    predicates = [p for p in (_nova_predicate(k, v) for k, v in pairs) if p is not None]
    limit = NOVA_MAX_LIMIT
    if "limit" in params:
        limit = min(_int_param("limit", params["limit"], 0), NOVA_MAX_LIMIT)
    page = select_page(live_images(images), predicates, marker=params.get("marker"), limit=limit)
    return page.items, len(page.items) == limit and limit > 0

# --------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    query: list            # [(key, value), ...] decoded, in order, duplicates kept
    headers: dict          # as sent (original case)
    body: bytes = b""

    @property
    def params(self) -> dict:
        """The query as a dict (last value wins)."""
        return dict(self.query)

    def header(self, name: str, default=None):
        """Case-insensitive header lookup."""
        return _header(self.headers, name, default)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list = field(default_factory=list)

    def json(self):
        return json.loads(self.body)


def _header(headers: dict, name: str, default=None):
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), default)


def _json_response(status: int, payload) -> Response:
    body = json.dumps(payload).encode()
    return Response(status, body, [("Content-Type", "application/json")])


_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 500: "Internal Server Error"}


def _error_response(error: ApiError) -> Response:
    payload = {"error": {"code": error.status, "title": _REASONS.get(error.status, "Error"),
                         "message": error.message}}
    if error.parameter is not None:
        payload["error"]["parameter"] = error.parameter
    return _json_response(error.status, payload)


_V1 = r"/v1(?:\.[01])?"
_NOVA = r"/(?P<version>v2|v2\.1|v1\.1)/(?P<project>[^/]+)/images"
_ID = r"(?P<image_id>[^/]+)"
# (method, path pattern, handler name); first match wins.
_ROUTES = [
    ("GET", _V1 + r"/images/detail/?", "_v1_list_detail"),
    ("GET", _V1 + r"/images/?", "_v1_list_summary"),
    ("HEAD", _V1 + r"/images/" + _ID, "_v1_head"),
    ("DELETE", _V1 + r"/images/" + _ID, "_v1_delete"),
    ("GET", r"/v2/images/?", "_v2_list"),
    ("GET", r"/v2/images/detail", "_not_found"),
    ("GET", r"/v2/images/" + _ID, "_v2_show"),
    ("DELETE", r"/v2/images/" + _ID, "_v2_delete"),
    ("GET", r"/v2/cloudimages/?", "_cloudimages_list"),
    ("GET", _NOVA + r"(?P<detail>/detail)?/?", "_nova_list"),
    ("GET", _NOVA + "/" + _ID, "_nova_show"),
    ("GET", _NOVA + "/" + _ID + "/metadata", "_nova_metadata"),
    ("DELETE", _NOVA + "/" + _ID, "_nova_delete"),
]
_COMPILED_ROUTES = [(method, re.compile("^" + pattern + "$"), name) for method, pattern, name in _ROUTES]


class ImsServer:
    """Fake IMS + Nova image proxy on 127.0.0.1 (port 0), in a background thread."""

    def __init__(self, target: str = "huawei-ims", *, host: str = "127.0.0.1", port: int = 0,
                 clock: Callable[[], datetime] = _utcnow):
        if target not in TARGETS:
            raise ValueError(f"target must be one of {TARGETS}, not {target!r}")
        self.target = target
        self._address = (host, port)
        self._clock = clock
        self._lock = threading.RLock()
        self._images = build_images()
        self._requests: list = []
        self._httpd: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> "ImsServer":
        if self._httpd is not None:
            return self
        httpd = _QuietHTTPServer(self._address, _Handler)
        httpd.ims = self
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-ims", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> "ImsServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        if self._httpd is None:
            raise RuntimeError("ImsServer is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # -- state ---------------------------------------------------------------

    def reset(self) -> None:
        """Restore the original data set and clear the request log."""
        with self._lock:
            self._images = build_images()
            self._requests.clear()

    @property
    def requests(self) -> list:
        """Recorded requests (``RecordedRequest``), oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def images(self) -> list:
        """A copy of the current data set (deletes applied)."""
        with self._lock:
            return [dict(img, properties=dict(img["properties"])) for img in self._images]

    def get_image(self, image_id: str) -> Optional[dict]:
        """A copy of the stored image (deleted ones too), or None."""
        return image_by_id(image_id, self.images())

    # -- request handling (usable without sockets) ----------------------------

    def dispatch(self, method: str, raw_path: str, headers: dict, body: bytes = b"") -> Response:
        split = urlsplit(raw_path)
        pairs = parse_qsl(split.query, keep_blank_values=True)
        with self._lock:
            self._requests.append(RecordedRequest(method, split.path, pairs, dict(headers), body))
            try:
                token = _header(headers, "X-Auth-Token", "")
                if not token.strip():
                    raise ApiError(401, "Authentication required: missing X-Auth-Token")
                handler, groups = self._route(method, split.path)
                return handler(groups, pairs, headers)
            except ApiError as error:
                return _error_response(error)
            except Exception:  # a bug in the fake: make it visible to the test
                return _json_response(500, {"error": {"code": 500, "message": traceback.format_exc()}})

    def _route(self, method: str, path: str):
        path_known = False
        for route_method, pattern, name in _COMPILED_ROUTES:
            match = pattern.match(path)
            if not match:
                continue
            if route_method == method:
                groups = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
                return getattr(self, name), groups
            path_known = True
        if path_known:
            raise ApiError(405, f"Method {method} not allowed on {path}")
        raise ApiError(404, f"No such resource: {path}")

    def _not_found(self, groups, pairs, headers) -> Response:
        raise ApiError(404, "Not found")

    def _find(self, image_id: str, include_deleted: bool = False) -> dict:
        img = image_by_id(image_id, self._images)
        if img is None or (img["deleted"] and not include_deleted):
            raise ApiError(404, f"Image {image_id} not found")
        return img

    def _soft_delete(self, image_id: str) -> None:
        img = self._find(image_id)
        if img["protected"]:
            raise ApiError(403, f"Image {image_id} is protected and cannot be deleted")
        now = self._clock()
        img.update(status="deleted", deleted=True, deleted_at=now, updated_at=now)

    # v1 -------------------------------------------------------------------

    def _v1_list_detail(self, groups, pairs, headers) -> Response:
        return _json_response(200, {"images": [v1_detail(i) for i in v1_query(self._images, pairs)]})

    def _v1_list_summary(self, groups, pairs, headers) -> Response:
        return _json_response(200, {"images": [v1_summary(i) for i in v1_query(self._images, pairs)]})

    def _v1_head(self, groups, pairs, headers) -> Response:
        img = self._find(groups["image_id"])
        return Response(200, b"", v1_headers(img) + [("Content-Type", "text/html; charset=UTF-8")])

    def _v1_delete(self, groups, pairs, headers) -> Response:
        self._soft_delete(groups["image_id"])
        return Response(200, b"", [("Content-Type", "text/html; charset=UTF-8")])

    # v2 -------------------------------------------------------------------

    def _v2_list(self, groups, pairs, headers) -> Response:
        page = v2_query(self._images, pairs, self.target)
        body = {"images": [v2_view(i, self.target) for i in page.items]}
        body.update(v2_links("/v2/images", pairs, page))
        body["schema"] = "/v2/schemas/images"
        return _json_response(200, body)

    def _v2_show(self, groups, pairs, headers) -> Response:
        return _json_response(200, v2_view(self._find(groups["image_id"]), self.target))

    def _v2_delete(self, groups, pairs, headers) -> Response:
        self._soft_delete(groups["image_id"])
        return Response(204)

    def _cloudimages_list(self, groups, pairs, headers) -> Response:
        page = v2_query(self._images, pairs, self.target, CLOUDIMAGES_DEFAULT_LIMIT)
        return _json_response(200, {"images": [v2_view(i, self.target) for i in page.items]})

    # Nova proxy -----------------------------------------------------------

    def _base_url(self, headers: dict) -> str:
        host = _header(headers, "Host")
        return f"http://{host}" if host else self.url

    def _nova_list(self, groups, pairs, headers) -> Response:
        items, limit_hit = nova_query(self._images, pairs)
        base, version, project = self._base_url(headers), groups["version"], groups["project"]
        view = nova_detail if "detail" in groups else nova_summary
        body = {"images": [view(img, base, version, project) for img in items]}
        if limit_hit:
            path = f"/{version}/{project}/images" + ("/detail" if "detail" in groups else "")
            kept = [(k, v) for k, v in pairs if k != "marker"]
            query = urlencode(kept + [("marker", items[-1]["id"])])
            body["images_links"] = [{"rel": "next", "href": f"{base}{path}?{query}"}]
        return _json_response(200, body)

    def _nova_show(self, groups, pairs, headers) -> Response:
        img = self._find(groups["image_id"])
        return _json_response(200, {"image": nova_detail(img, self._base_url(headers),
                                                         groups["version"], groups["project"])})

    def _nova_metadata(self, groups, pairs, headers) -> Response:
        return _json_response(200, {"metadata": dict(self._find(groups["image_id"])["properties"])})

    def _nova_delete(self, groups, pairs, headers) -> Response:
        self._soft_delete(groups["image_id"])
        return Response(204)


class _QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    ims: ImsServer

    def handle_error(self, request, client_address) -> None:
        pass  # client disconnects etc.; handler bugs already become 500 answers


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeIMS/1.0"
    sys_version = ""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        response = self.server.ims.dispatch(self.command, self.path, dict(self.headers.items()), body)
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.status != 204:
            length = 0 if self.command == "HEAD" else len(response.body)
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)

    do_GET = do_HEAD = do_DELETE = do_POST = do_PUT = do_PATCH = _handle

    def log_message(self, format, *args) -> None:  # noqa: A002 - stdlib signature
        pass
