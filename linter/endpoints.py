"""The catalogue of abandoned image endpoints and the pure translation functions.

Everything here works on plain strings and tuples, so the migration policy
(``ims-api-migration.md``, Part 1) is tested directly, without parsing any code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import FrozenSet, List, Optional, Sequence, Tuple

from .evidence.record import COMPUTE, IMAGE, IMAGE_V1, IMAGE_V2


HUAWEI_IMS = "huawei-ims"
OPENSTACK_GLANCE = "openstack-glance"
HUAWEI_CLOUDIMAGES = "huawei-cloudimages"
TARGETS = (HUAWEI_IMS, OPENSTACK_GLANCE, HUAWEI_CLOUDIMAGES)

SAFE, UNSAFE, NONE = "safe", "unsafe", "none"
HOLE_CHAR = "\x00"  # stands for a runtime value in a template's text


def list_path(target: str) -> str:
    """The recommended list query for a target."""
    return "/v2/cloudimages" if target == HUAWEI_CLOUDIMAGES else "/v2/images"


# -- path matching -----------------------------------------------------------------------------------

# Pattern tokens besides literal segments.
ID = "{id}"  # one segment: an image ID (literal or runtime), not a reserved word
PROJECT = "{project}"  # one segment: a project/tenant ID
MEMBER = "{member}"  # one segment: a member (tenant) ID or a metadata key
V1_ALIASES = ("v1", "v1.0", "v1.1")  # Glance's version negotiation maps all three to v1
_RESERVED = frozenset({"detail", "tags", "resource_instances", "action", "file", "members", "metadata", "images"})

# What a request does, and so what its v2 form is (``migrate.plan`` fixes LIST, NEVER_EXISTED and DELETE_IMAGE).
LIST, DELETE_IMAGE, IMAGE_METADATA, NOVA, NEVER_EXISTED = "list", "delete", "metadata", "nova", "never-existed"
DOWNLOAD, CREATE, UPDATE, MEMBERS = "download", "create", "update", "members"
RELATIVE_IMAGE = "relative-image"

# The service a relative endpoint is relative to (``evidence.service`` decides which one a call uses):
# ``COMPUTE``, ``IMAGE``, ``IMAGE_V1``, ``IMAGE_V2`` of ``evidence.record``.


@dataclass(frozen=True)
class Endpoint:
    """An abandoned endpoint: the HTTP methods that make it abandoned and its path's last segments.

    ``versions`` are the accepted spellings of the version segment (``None``: no version
    segment). ``relative`` endpoints are a bare path a client joins to a catalogue URL: they
    match only as a whole path, never as the tail of a longer one, and ``base`` says which
    service's endpoint they are relative to.
    """

    code: str
    key: str
    methods: FrozenSet[str]
    segments: Tuple[str, ...]
    title: str
    kind: str
    versions: Optional[Tuple[str, ...]] = None
    relative: bool = False
    base: Optional[str] = None
    action: str = ""  # what the request does: list, create, delete, metadata, download, update, members, show

    @property
    def version_index(self) -> Optional[int]:
        return self.segments.index("{version}") if "{version}" in self.segments else None


GET, HEAD, DELETE = frozenset({"GET"}), frozenset({"HEAD"}), frozenset({"DELETE"})
POST, PUT = frozenset({"POST"}), frozenset({"PUT"})
ANY = frozenset({"GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"})
_NOVA_VERSIONS = ("v2", "v2.1")

ABANDONED_DETAIL = Endpoint(
    "IMS001", "ims-v1.1-detail", GET, ("{version}", "images", "detail"), "GET /v1.1/images/detail", LIST, ("v1.1",), action="list"
)


def _v1_family(prefix: str, versions, relative: bool, base: Optional[str]) -> Tuple[Endpoint, ...]:
    """The Glance / IMS v1 image API, absolute (``/v1/images...``) or relative to a v1 endpoint."""
    head = ("{version}",) if versions else ()
    where = " (relative to a v1 image endpoint)" if relative else ""
    root = "" if relative else "/v1/"
    rel = RELATIVE_IMAGE if relative else None
    return (
        Endpoint("IMS005", prefix + "detail", GET, head + ("images", "detail"), f"GET {root}images/detail{where}",
                 rel or LIST, versions, relative, base, "list"),
        Endpoint("IMS005", prefix + "list", GET, head + ("images",), f"GET {root}images{where}", rel or LIST,
                 versions, relative, base, "list"),
        Endpoint("IMS005", prefix + "create", POST, head + ("images",), f"POST {root}images{where}", rel or CREATE,
                 versions, relative, base, "create"),
        Endpoint("IMS005", prefix + "delete", DELETE, head + ("images", ID), f"DELETE {root}images/{{id}}{where}",
                 rel or DELETE_IMAGE, versions, relative, base, "delete"),
        Endpoint("IMS005", prefix + "head", HEAD, head + ("images", ID), f"HEAD {root}images/{{id}}{where}",
                 rel or IMAGE_METADATA, versions, relative, base, "metadata"),
        Endpoint("IMS005", prefix + "download", GET, head + ("images", ID), f"GET {root}images/{{id}}{where}",
                 rel or DOWNLOAD, versions, relative, base, "download"),
        Endpoint("IMS005", prefix + "update", PUT, head + ("images", ID), f"PUT {root}images/{{id}}{where}",
                 rel or UPDATE, versions, relative, base, "update"),
        Endpoint("IMS005", prefix + "members", ANY, head + ("images", ID, "members"),
                 f"{root}images/{{id}}/members{where}", rel or MEMBERS, versions, relative, base, "members"),
        Endpoint("IMS005", prefix + "member", ANY, head + ("images", ID, "members", MEMBER),
                 f"{root}images/{{id}}/members/{{member}}{where}", rel or MEMBERS, versions, relative, base, "members"),
    )


def _nova_family(prefix: str, head: Tuple[str, ...], versions, relative: bool, where: str) -> Tuple[Endpoint, ...]:
    """The compute (Nova / ECS) image proxy under ``head`` (``/v2.1/{project_id}``, or nothing)."""
    root = "/".join("{project_id}" if t == PROJECT else ("v2.1" if t == "{version}" else t) for t in head)
    root = f"/{root}/" if root else ""
    return (
        Endpoint("IMS006", prefix + "detail", GET, head + ("images", "detail"), f"GET {root}images/detail{where}",
                 NOVA, versions, relative, COMPUTE, "list"),
        Endpoint("IMS006", prefix + "list", GET, head + ("images",), f"GET {root}images{where}", NOVA, versions,
                 relative, COMPUTE, "list"),
        Endpoint("IMS006", prefix + "show", frozenset({"GET", "DELETE"}), head + ("images", ID),
                 f"{root}images/{{id}}{where}", NOVA, versions, relative, COMPUTE, "show"),
        Endpoint("IMS006", prefix + "metadata", frozenset({"GET", "PUT", "POST"}), head + ("images", ID, "metadata"),
                 f"{root}images/{{id}}/metadata{where}", NOVA, versions, relative, COMPUTE, "metadata"),
        Endpoint("IMS006", prefix + "metadata-key", frozenset({"GET", "PUT", "DELETE"}),
                 head + ("images", ID, "metadata", MEMBER), f"{root}images/{{id}}/metadata/{{key}}{where}", NOVA,
                 versions, relative, COMPUTE, "metadata"),
    )


ENDPOINTS: Tuple[Endpoint, ...] = (
    ABANDONED_DETAIL,
    Endpoint("IMS005", "glance-v1-detail", GET, ("{version}", "images", "detail"), "GET /v1/images/detail", LIST, ("v1", "v1.0"),
             action="list"),
    *_v1_family("v1-", V1_ALIASES, False, None)[1:],
    Endpoint("IMS007", "v2-detail", GET, ("{version}", "images", "detail"), "GET /v2/images/detail", NEVER_EXISTED, ("v2",),
             action="list"),
    *_nova_family("nova-", ("{version}", PROJECT), _NOVA_VERSIONS + ("v1.1",), False, ""),
    # ``/{project_id}/images/detail``: a path below the compute API root (its script name holds the version).
    *_nova_family("nova-root-", (PROJECT,), None, True, " (below the compute API root)"),
    # Relative paths: which one a call uses depends on the endpoint it is sent to (``select_endpoint``).
    *_v1_family("image-relative-", None, True, IMAGE_V1),
    Endpoint("IMS007", "image-v2-relative-detail", GET, ("images", "detail"),
             "GET images/detail (relative to a v2 image endpoint)", NEVER_EXISTED, None, True, IMAGE_V2, "list"),
    *_nova_family("compute-relative-", (), None, True, " (relative to a compute endpoint)"),
)

@dataclass(frozen=True)
class QueryParam:
    key: str
    key_span: Tuple[int, int]
    value_span: Optional[Tuple[int, int]]  # None for a bare ``key`` without ``=``

    @property
    def key_is_static(self) -> bool:
        return HOLE_CHAR not in self.key


@dataclass(frozen=True)
class PathMatch:
    endpoint: Endpoint
    segment_spans: Tuple[Tuple[int, int], ...]  # the matched segments in the template text
    path_end: int  # index just past the path (``?``, ``#`` or the end)
    query: Tuple[QueryParam, ...]
    query_start: Optional[int]  # index of ``?``
    runtime_suffix: bool  # a runtime value follows the path directly (a query string, usually)
    host: Optional[str] = None  # the literal host, when the template has one

    def segment(self, text: str, token: str) -> Tuple[int, int]:
        return self.segment_spans[self.endpoint.segments.index(token)]


_WHITESPACE = re.compile(r"\s")
_PLACEHOLDER = re.compile(r"\{\w*\}|\$\(\w+\)s|%[sd]|<\w+>|:\w+")


def _looks_like_id(segment: str) -> bool:
    """A literal image ID: with a digit, a placeholder, a short token (tests' ``"a"``), named for
    an ID, or words joined as tests name images (``my-image``, ``fake_img``); not a single word such
    as ``detailed`` (another resource) nor ``detail...`` compounds."""
    lowered = segment.lower()
    return (
        len(segment) <= 4
        or any(character.isdigit() for character in segment)
        or bool(_PLACEHOLDER.fullmatch(segment))
        or "id" in lowered.replace("-", "_").split("_")
        or "uuid" in lowered
        or (bool(re.search(r"[-_]", segment)) and not lowered.startswith("detail"))
    )


_VERSION_SEGMENT = re.compile(r"v\d+(\.\d+)?")


_PROJECT_ID = re.compile(r"[0-9a-fA-F-]{8,}|\{\w+\}|\$\(\w+\)s|%s|<\w+>")


def _segment_matches(token: str, segment: str, endpoint: Endpoint) -> bool:
    if token == "{version}":
        return endpoint.versions is not None and segment in endpoint.versions
    if token == ID:  # a runtime value or something shaped like an ID: ``detailed`` is another resource
        if not segment or segment in _RESERVED or _VERSION_SEGMENT.fullmatch(segment):
            return False
        return HOLE_CHAR in segment or _looks_like_id(segment)
    if token == MEMBER:
        return bool(segment)
    if token == PROJECT:  # a runtime value, an ID, or a placeholder: never a word like "schemas"
        if not segment or segment in _RESERVED:
            return False
        return HOLE_CHAR in segment or bool(_PROJECT_ID.fullmatch(segment))
    return token == segment


def match_paths(text: str, endpoints: Sequence[Endpoint] = ENDPOINTS) -> List[PathMatch]:
    """The abandoned endpoints a URL or path template can be, best first.

    ``text`` is a template's text with holes as ``HOLE_CHAR``. Segments are compared whole, so
    ``/v1.1/images/detailed`` or ``.../details-report`` never match; text with whitespace in the
    path is prose (a log or error message), not a URL.
    """
    if "images" not in text:  # a literal ``images`` segment can match only text that holds it
        endpoints = [endpoint for endpoint in endpoints if "images" not in endpoint.segments]
        if not endpoints:
            return []
    path_end = len(text)
    for stop in "?#":
        found = text.find(stop)
        if found != -1:
            path_end = min(path_end, found)
    path = text[:path_end]
    if not path or _WHITESPACE.search(path):
        return []
    runtime_suffix = False
    end = len(path)
    if path.endswith(HOLE_CHAR) and path_end == len(text):
        stripped = path.rstrip(HOLE_CHAR)
        if stripped.endswith(("/detail", "/detail/")):
            end = len(stripped)
            runtime_suffix = True
    if path[:end].endswith("$"):  # a route regex's anchor (``r"^api/v1.1/images/detail$"``)
        end -= 1
    if path[:end].endswith("/"):
        end -= 1
    spans = _segment_spans(path, end)
    matches = []
    for endpoint in endpoints:
        count = len(endpoint.segments)
        if len(spans) < count:
            continue
        tail = spans[-count:]
        if endpoint.relative and not _is_whole_relative_path(path, spans, count, endpoint.segments[-1] == "detail"):
            continue
        if runtime_suffix and endpoint.segments[-1] != "detail":
            continue
        if all(_segment_matches(token, path[a:b], endpoint) for token, (a, b) in zip(endpoint.segments, tail)):
            query, query_start = parse_query(text, path_end)
            matches.append(PathMatch(endpoint, tuple(tail), path_end, query, query_start, runtime_suffix, literal_host(text)))
    return matches


def match_path(text: str, endpoints: Sequence[Endpoint] = ENDPOINTS) -> Optional[PathMatch]:
    """The first of ``match_paths``."""
    matches = match_paths(text, endpoints)
    return matches[0] if matches else None


def _is_whole_relative_path(path: str, spans, count: int, after_base: bool = False) -> bool:
    """``images/detail`` or ``/images/detail`` and nothing before it; with ``after_base`` also
    after one runtime value (``url + "/images/detail"``: only the abandoned APIs have that path)."""
    leading = spans[: len(spans) - count]
    if after_base and len(leading) == 1 and path[slice(*leading[0])] == HOLE_CHAR:
        return True
    return all(path[a:b] == "" for a, b in leading) and len(leading) <= 1


def literal_host(text: str) -> Optional[str]:
    """The host of a URL template when it is all literal (``ims.eu-de.otc.t-systems.com``)."""
    host = url_host(text)
    return None if host is None or HOLE_CHAR in host else host


def url_host(text: str) -> Optional[str]:
    """The host of a URL template, holes included (``\x00.iaas.cloud.ibm.com``)."""
    scheme = text.find("://")
    if scheme == -1:
        return None
    end = text.find("/", scheme + 3)
    host = text[scheme + 3 : end if end != -1 else len(text)]
    return host.lower() or None


def _segment_spans(path: str, end: int) -> List[Tuple[int, int]]:
    spans = []
    start = 0
    while start <= end:
        slash = path.find("/", start, end)
        stop = end if slash == -1 else slash
        spans.append((start, stop))
        if slash == -1:
            break
        start = slash + 1
    return spans


def parse_query(text: str, path_end: int) -> Tuple[Tuple[QueryParam, ...], Optional[int]]:
    if path_end >= len(text) or text[path_end] != "?":
        return (), None
    end = text.find("#", path_end)
    end = len(text) if end == -1 else end
    params = []
    start = path_end + 1
    while start < end:
        amp = text.find("&", start, end)
        stop = end if amp == -1 else amp
        if stop > start:
            eq = text.find("=", start, stop)
            if eq == -1:
                params.append(QueryParam(text[start:stop], (start, stop), None))
            else:
                params.append(QueryParam(text[start:eq], (start, eq), (eq + 1, stop)))
        start = stop + 1
    return tuple(params), path_end


def path_edits(match: PathMatch, text: str, target: str) -> List[Tuple[int, int, str]]:
    """Template-text edits turning an abandoned path into its v2 replacement.

    Lists (``.../v1.1/images/detail[/]``) become the target's list path; a v1 image path
    (``/v1.1/images/{id}``) becomes ``/v2/images/{id}``.
    """
    endpoint = match.endpoint
    edits = []
    version = endpoint.version_index
    if version is not None and text[slice(*match.segment_spans[version])] != "v2":
        edits.append((*match.segment_spans[version], "v2"))
    images_start, images_end = match.segment_spans[endpoint.segments.index("images")]
    if endpoint.kind in (LIST, NEVER_EXISTED):
        if target == HUAWEI_CLOUDIMAGES:
            edits.append((images_start, images_end, "cloudimages"))
        path_stop = match.path_end
        if match.runtime_suffix:
            path_stop = len(text.rstrip(HOLE_CHAR))
        if path_stop > images_end:
            edits.append((images_end, path_stop, ""))
    return [edit for edit in edits if text[edit[0] : edit[1]] != edit[2]]


def replacement(endpoint: Endpoint, target: str, method: Optional[str] = None) -> str:
    """What to call instead, for messages (on the image endpoint, for the compute proxy)."""
    action = endpoint.action
    if endpoint.kind == NOVA:
        if action == "list":
            return f"GET {list_path(target)}"
        if action == "show":
            return f"{method if method in ('GET', 'DELETE') else 'GET'} /v2/images/{{id}}"
        return "GET /v2/images/{id}" if method == "GET" else "PATCH /v2/images/{id}"
    if action == "list":
        return f"GET {list_path(target)}"
    return {
        "delete": "DELETE /v2/images/{id}",
        "metadata": "GET /v2/images/{id}",
        "download": "GET /v2/images/{id}/file",
        "create": "POST /v2/images, then PUT /v2/images/{id}/file",
        "update": "PATCH /v2/images/{id}",
        "members": "/v2/images/{id}/members",
    }.get(action, "its /v2/images form")


def family_replacement(endpoint: Endpoint, target: str) -> str:
    """What to use instead when the method is not known: the v2 resource of the same path."""
    if endpoint.kind == NOVA:
        return "/v2/images/{id}" if ID in endpoint.segments else list_path(target)
    if ID in endpoint.segments:
        return "/v2/images/{id}" + ("/members" if MEMBERS == endpoint.kind else "")
    return list_path(target)


def called_title(match: PathMatch, text: str, method: Optional[str], service_known: bool = True) -> str:
    """The endpoint as this code calls it: ``DELETE /v1.0/images/{id}``, ``GET /v2.1/{project_id}/images``;
    without a known method, the path alone and ``(method unknown)``; a relative path whose
    service no evidence tells is said to be relative to either endpoint it can be."""
    endpoint = match.endpoint
    parts = []
    for token, (start, end) in zip(endpoint.segments, match.segment_spans):
        if token == ID:
            parts.append("{id}")
        elif token == PROJECT:
            parts.append("{project_id}")
        elif token == MEMBER:
            parts.append("{key}" if "metadata" in endpoint.segments else "{member}")
        else:
            parts.append(text[start:end])
    below_base = endpoint.relative and PROJECT not in endpoint.segments  # ``images/...`` of some endpoint
    path = "/".join(parts) if below_base else "/" + "/".join(parts)
    if below_base:
        where = {IMAGE_V1: " (v1 image endpoint)", IMAGE_V2: " (v2 image endpoint)"}.get(endpoint.base or "", " (compute endpoint)")
        if not service_known:
            where = " (relative to a compute or v1 image endpoint)"
    else:
        where = " (below the compute root)" if endpoint.relative else ""
    if method is None:
        return f"{path}{where} (method unknown)"
    return f"{method} {path}{where}"


def title_as_code(title: str) -> str:
    """A ``called_title`` as messages show it: the path as code, imslint's notes as prose
    (``GET images/detail (v1 image endpoint) (method unknown)`` becomes the path in backquotes,
    then ``(v1 image endpoint; method unknown)``)."""
    path, paren, notes = title.partition(" (")
    return f"`{path}` ({notes.replace(') (', '; ')}" if paren else f"`{title}`"


def select_endpoint(matches: Sequence[PathMatch], method: Optional[str], base: Optional[str]) -> Optional[PathMatch]:
    """The abandoned endpoint a request uses, from the path's matches (best first), its HTTP method
    (None: unknown) and, for a relative path, the service it is sent to (``IMAGE_V1``,
    ``IMAGE_V2``, ``IMAGE``: an image endpoint of unknown version, ``COMPUTE``; None: unknown).

    A relative path counts only where its service is known, except two shapes that are abandoned
    on every service that has them: ``images/detail`` (v1 image or compute; never v2) and a
    project-id path below the compute root. A known method must be one the endpoint answers."""
    for match in matches:
        endpoint = match.endpoint
        if endpoint.relative and PROJECT not in endpoint.segments:
            if base == IMAGE:
                if endpoint.key != "image-relative-detail":
                    continue  # ``images``, ``images/{id}`` are live on v2
            elif base is None:
                if endpoint.key != "compute-relative-detail":
                    continue
            elif endpoint.base != base:
                continue
        if method is not None and method not in endpoint.methods:
            continue
        return match
    return None


# -- filters -------------------------------------------------------------------------------------

# The IMS ``__*`` keys GET /v2/images documents as filters (SDK GlanceListImagesRequest wire names).
IMS_PROPERTY_FILTERS = frozenset(
    {
        "__imagetype",
        "__isregistered",
        "__os_bit",
        "__os_type",
        "__platform",
        "__support_diskintensive",
        "__support_highperformance",
        "__support_kvm",
        "__support_kvm_gpu_type",
        "__support_kvm_infiniband",
        "__support_largememory",
        "__support_xen",
        "__support_xen_gpu_type",
        "__support_xen_hana",
    }
)
UNCHANGED_FILTERS = frozenset(
    {"name", "container_format", "disk_format", "status", "min_ram", "min_disk", "sort_dir", "limit", "marker"}
)
IMS_SORT_KEYS = frozenset({"name", "container_format", "disk_format", "status", "id", "created_at"})
CHANGES_SINCE = ("changes-since", "changes_since")
PROPERTY_PREFIX = "property-"

KEEP, TIMESTAMP_GT, LOWER = "keep", "timestamp-gt", "lower"


@dataclass(frozen=True)
class FilterPlan:
    """How one v1.1 filter becomes a v2 filter.

    ``safety`` is SAFE (same images), UNSAFE (a translation that can change the result, applied
    only on request) or NONE (no translation: the call is left as is). ``reason`` is set for every
    filter that must be reported (IMS002).
    """

    key: str
    new_key: Optional[str]
    value_op: str
    safety: str
    reason: Optional[str] = None

    @property
    def translatable(self) -> bool:
        return self.safety != NONE


def plan_filter(key: str, target: str = HUAWEI_IMS, value: Optional[str] = None) -> FilterPlan:
    """The translation of filter ``key`` (with its literal ``value`` when known) for ``target``."""
    if key in UNCHANGED_FILTERS:
        return FilterPlan(key, key, KEEP, SAFE)
    if key == "sort_key":
        if target != OPENSTACK_GLANCE and value is not None and value not in IMS_SORT_KEYS:
            return FilterPlan(
                key, None, KEEP, NONE,
                f"`sort_key={value}` is not a sort key of IMS v2 ({', '.join(sorted(IMS_SORT_KEYS))})",
            )
        return FilterPlan(key, key, KEEP, SAFE)
    if key == "protected":
        return FilterPlan(key, key, LOWER, SAFE)
    if key in CHANGES_SINCE:
        return FilterPlan(
            key, "updated_at", TIMESTAMP_GT, UNSAFE,
            f"`{key}` becomes `updated_at=gt:`, but v1.1 also listed deleted images and v2 never does",
        )
    if key in ("size_min", "size_max"):
        if target == OPENSTACK_GLANCE:
            return FilterPlan(key, key, KEEP, SAFE)
        return FilterPlan(
            key, None, KEEP, NONE,
            f"`{key}` has no IMS v2 filter (`size` reads 0): filter on `int(image[\"__image_size\"])`",
        )
    if key == "is_public":
        return FilterPlan(
            key, None, KEEP, NONE,
            "`is_public` has no exact v2 filter (v1 ignored it for non-admins): choose a `visibility`",
        )
    if key.startswith(PROPERTY_PREFIX):
        name = key[len(PROPERTY_PREFIX) :]
        if name in IMS_PROPERTY_FILTERS or (target == OPENSTACK_GLANCE and name):
            return FilterPlan(key, name, KEEP, SAFE)
        return FilterPlan(
            key, None, KEEP, NONE,
            f"`{key}` is no v2 filter (only IMS's `__*` properties are): filter client-side",
        )
    if key == "deleted":
        return FilterPlan(key, None, KEEP, NONE, "`deleted` has no v2 form: v2 never lists deleted images")
    return FilterPlan(
        key, None, KEEP, NONE,
        f"`{key}` is no v1.1 filter imslint can translate",
    )


def runtime_key_reason(prefix: str, target: str = HUAWEI_IMS) -> Optional[str]:
    """Why filter names built at runtime after ``prefix`` have no v2 form (None: they may have one).
    ``property-<k>`` names are v1-only; on v2 only IMS's documented ``__*`` properties are filters."""
    if prefix.startswith(PROPERTY_PREFIX) and target != OPENSTACK_GLANCE:
        return f"filter names `{prefix}...` built at runtime have no v2 form: filter client-side"
    return None


_ISO = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?"
    r"(?P<tz>Z|z|[+-]\d{2}:?\d{2})?"
)


def normalize_timestamp(value: str) -> Optional[str]:
    """An ISO 8601 time as IMS wants it: UTC, whole seconds, ``yyyy-MM-ddThh:mm:ssZ``.

    Naive times are taken as UTC (v1 timestamps are naive UTC). Fractions are truncated.
    """
    match = _ISO.fullmatch(value.strip())
    if match is None:
        return None
    try:
        moment = datetime.strptime(match.group("date"), "%Y-%m-%d").replace(
            hour=int(match.group("h") or 0),
            minute=int(match.group("m") or 0),
            second=int(match.group("s") or 0),
        )
    except ValueError:
        return None
    tz = match.group("tz")
    if tz and tz not in "Zz":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def translate_value(op: str, value: str) -> Optional[str]:
    """The v2 form of a literal filter value; None when it cannot be translated."""
    if op == KEEP:
        return value
    if op == LOWER:
        lowered = value.lower()
        return lowered if lowered in ("true", "false") else None
    if op == TIMESTAMP_GT:
        normalized = normalize_timestamp(value)
        return None if normalized is None else "gt:" + normalized
    raise ValueError(op)
