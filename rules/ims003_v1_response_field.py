"""IMS003: code reads a field of an image list answer that GET /v2/images drops, renames or empties."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, List, Optional

import libcst as cst

from linter.endpoints import OPENSTACK_GLANCE
from linter.findings import SAFE, UNSAFE, Edit, Finding, Fix
from linter.responses import (
    ITEM,
    PROPERTY_KEYS,
    TIMESTAMP,
    Read,
    ResponseFlow,
    Value,
    for_context,
    is_store,
    keyword,
    positional,
    subscript_index,
)
from linter.rule import Invalid, Rule, Valid

# Keys of a GET /v2/images item that are not custom properties (upstream Glance's base set plus
# the links): a v1.1 property with one of these names cannot be read as a top-level key.
V2_BASE_KEYS = frozenset(
    """checksum container_format created_at direct_url disk_format file id locations min_disk
    min_ram name os_hash_algo os_hash_value os_hidden owner protected schema self size status
    stores tags updated_at virtual_size visibility""".split()
)
NOVA_STATUSES = frozenset({"ACTIVE", "SAVING", "DELETED", "ERROR", "UNKNOWN"})

VISIBILITY, IMAGE_SIZE, RENAME = "visibility", "image-size", "rename"


@dataclass(frozen=True)
class Field:
    reason: str
    fix: Optional[str] = None  # VISIBILITY, IMAGE_SIZE, RENAME or None
    new_key: Optional[str] = None
    ims_only: bool = False  # only a hazard on IMS (not on upstream Glance)


_SIZE_REASON = "IMS GET /v2/images reports `size` as 0; the byte count is `__image_size`, a string"
FIELDS = {
    "is_public": Field("v2 has no `is_public`: `visibility` is \"public\", \"private\" or \"shared\"", VISIBILITY),
    "deleted": Field("v2 has no `deleted`: GET /v2/images lists only live images, so read it as false"),
    "deleted_at": Field("v2 has no `deleted_at`: GET /v2/images lists only live images"),
    "size": Field(_SIZE_REASON, IMAGE_SIZE, ims_only=True),
    "checksum": Field("IMS GET /v2/images does not report `checksum` (it holds the MD5 of no data)", ims_only=True),
    "virtual_size": Field("IMS GET /v2/images does not report `virtual_size` (it is null)", ims_only=True),
    "minRam": Field("`minRam` is the Nova proxy's name; GET /v2/images calls it `min_ram`", RENAME, "min_ram"),
    "minDisk": Field("`minDisk` is the Nova proxy's name; GET /v2/images calls it `min_disk`", RENAME, "min_disk"),
    "created": Field("`created` is the Nova proxy's name; GET /v2/images calls it `created_at`", RENAME, "created_at"),
    "updated": Field("`updated` is the Nova proxy's name; GET /v2/images calls it `updated_at`", RENAME, "updated_at"),
    "OS-EXT-IMG-SIZE:size": Field("the Nova proxy's size; " + _SIZE_REASON, IMAGE_SIZE),
}


class V1ResponseField(Rule):
    """Flags code that reads, from the images of a `GET /v2/images` list, or of an abandoned list
    that imslint rewrites to it (`GET /v1.1/images/detail`, IMS001; the Glance v1 lists, IMS005;
    `GET /v2/images/detail`, IMS007), a field that v2 drops, renames or empties.

    The answer is followed from the request through the module: `resp.json()["images"]`,
    `data = resp.json(); data["images"]`, `data.get("images", [])`, `json.loads(resp.text)`,
    `for image in ...`, comprehensions, `enumerate`, `images[0]`, `sorted(..., key=lambda i: ...)`,
    lists built with `.extend(...)`/`+=` page by page, `self.images`, and helper functions of the
    same module that return or yield the images (or get one as a parameter).

    | read on an image | on v2 | fix |
    |---|---|---|
    | `is_public` | `visibility` | `image["visibility"] == "public"` (safe) |
    | `properties["k"]`, `.get("properties", {}).get("k")`, `"k" in image["properties"]` | each property is a top-level key | `image["k"]`, `image.get("k")`, `"k" in image` (safe; unsafe for a key built at runtime; none for a key v2 uses itself, like `name`) |
    | `deleted`, `deleted_at` | absent: v2 lists only live images | none |
    | `size` (IMS) | reads 0; the byte count is `__image_size`, a string | `int(image["__image_size"])` (unsafe: the docs leave open whether it equals the v1.1 size) |
    | `checksum`, `virtual_size` (IMS) | unavailable | none |
    | `created_at`/`updated_at` parsed by `strptime` with `%f` | whole seconds with `Z` (`2018-09-06T14:03:27Z`): ValueError | none |
    | Nova proxy fields: `minRam`, `minDisk`, `created`, `updated` | `min_ram`, `min_disk`, `created_at`, `updated_at` | rename (safe) |
    | Nova `metadata["k"]`, `OS-EXT-IMG-SIZE:size`, upper-case `status` (`"ACTIVE"`) | top-level `k`, `__image_size`, lower-case `status` | as `properties`, as `size`, `"ACTIVE"` → `"active"` (others none) |

    `size`, `checksum` and `virtual_size` are only flagged on IMS targets (upstream Glance
    reports them). Reads of other dictionaries (`config["size"]`), of fields v2 keeps
    (`name`, `visibility`, ...), and of single-image answers (`GET /v2/images/{id}`) are not
    flagged; neither are writes (`image["is_public"] = ...`).

    When the request still calls the abandoned query, the fix also carries the request's rewrite
    (IMS001, IMS005, IMS007): the new reads only work on the v2 answer. When the request cannot
    be rewritten, no fix is offered. The Nova proxy's own lists (IMS006) are not followed: there
    `minRam` and `metadata` are right until the call moves to the image endpoint. A read reached
    through a function parameter is reported without a fix (the function may have other callers).
    """

    code = "IMS003"
    name = "v1-response-field"
    summary = "A field of the v1.1 image list answer that GET /v2/images drops, renames or empties"
    severity = "warning"
    fixable = "sometimes"

    VALID = [
        Valid('config = load()\nprint(config["size"], config["is_public"])\n'),
        Valid(
            'image = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\n'
            'print(image["name"], image["visibility"] == "public", int(image["__image_size"]))\n'
        ),
        Valid('image = requests.get(f"{ep}/v2/images/{image_id}").json()\nprint(image["size"], image["checksum"])\n'),
        Valid(
            'image = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\nprint(image["size"])\n',
            options={"target": "openstack-glance"},
        ),
        Valid(
            'image = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\n'
            'created = datetime.strptime(image["created_at"], "%Y-%m-%dT%H:%M:%SZ")\n'
        ),
        Valid('image = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\nimage["is_public"] = True\n'),
    ]
    INVALID = [
        Invalid(
            'image = requests.get(f"{ep}/v2/images", params={"limit": 1}).json()["images"][0]\n'
            'shared = not image["is_public"]\n'
            "flag = image.get('is_public', False) == True\n",
            fixed='image = requests.get(f"{ep}/v2/images", params={"limit": 1}).json()["images"][0]\n'
            'shared = not image["visibility"] == "public"\n'
            "flag = (image.get('visibility') == 'public') == True\n",
        ),
        Invalid(
            'first = requests.get(f"{ep}/v1.1/images/detail?limit=1").json()["images"][0]\n'
            'os_type = first["properties"]["__os_type"]\n'
            'platform = first.get("properties", {}).get("__platform", "unknown")\n',
            fixed='first = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\n'
            'os_type = first["__os_type"]\n'
            'platform = first.get("__platform", "unknown")\n',
            codes=("IMS001", "IMS003"),
        ),
        Invalid(
            "def biggest(ep):\n"
            '    data = requests.get(ep + "/v2/images?limit=1&sort_key=size").json()\n'
            '    return data["images"][0]["size"]\n',
            fixed="def biggest(ep):\n"
            '    data = requests.get(ep + "/v2/images?limit=1&sort_key=size").json()\n'
            '    return int(data["images"][0]["__image_size"])\n',
            unsafe=True,
        ),
        Invalid(
            "def live_names(ep):\n"
            '    url = f"{ep}/v2/images"\n'
            "    names = []\n"
            "    while url:\n"
            "        body = requests.get(url).json()\n"
            '        names += [i["name"] for i in body["images"] if not i["deleted"]]\n'
            '        url = urljoin(url, body["next"]) if "next" in body else None\n'
            "    return names\n",
        ),
        Invalid(
            'images = session.get(IMS + "/v1.1/images/detail", params={"size_min": 1}).json()["images"]\n'
            'stamps = [datetime.strptime(i["created_at"], "%Y-%m-%dT%H:%M:%S.%f") for i in images[:10]]\n',
            codes=("IMS001", "IMS002", "IMS003"),
        ),
        Invalid(
            'image = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\n'
            'ok = image["status"] == "ACTIVE" and image["minRam"] <= 2048\n',
            fixed='image = requests.get(f"{ep}/v2/images?limit=1").json()["images"][0]\n'
            'ok = image["status"] == "active" and image["min_ram"] <= 2048\n',
        ),
    ]

    def check(self, ctx) -> Iterable[Finding]:
        flow = for_context(ctx)
        if flow is None:
            return []
        return list(_Checker(ctx, flow, self).findings())


class _Checker:
    def __init__(self, ctx, flow: ResponseFlow, rule: V1ResponseField) -> None:
        self.ctx = ctx
        self.flow = flow
        self.rule = rule
        self.glance = ctx.options.target == OPENSTACK_GLANCE

    def findings(self) -> Iterator[Finding]:
        for read in self.flow.reads():
            if read.store or read.value.kind != ITEM or read.key is None:
                continue
            if read.key in PROPERTY_KEYS:
                yield self._properties(read)
            elif read.key == "status":
                yield from self._status(read)
            elif read.key in FIELDS:
                found = self._field(read, FIELDS[read.key])
                if found is not None:
                    yield found
        yield from self._timestamps()

    # -- one finding ---------------------------------------------------------------------------------
    def _report(self, node, value: Value, what: str, reason: str, fix=None, blocked: str = "") -> Finding:
        origin = value.origin
        line = self.ctx.position(origin.url)[0]
        message = f"{what} of an image listed by {origin.title} (line {line}): {reason}"
        if fix is not None:
            fix = self._with_request(value, *fix)
            if fix is None and not value.through_parameter:
                code = origin.request_site.match.endpoint.code if origin.request_site is not None else "IMS001"
                blocked = f"no automatic fix until the request at line {line} is migrated ({code})"
        if value.through_parameter and not blocked:
            blocked = "no automatic fix: the image reaches this code through a function parameter"
        if blocked:
            message += f" ({blocked})"
        return self.ctx.finding(self.rule.code, self.rule.name, node, message, self.rule.severity, fix)

    def _with_request(self, value: Value, applicability: str, message: str, edits: List[Edit]) -> Optional[Fix]:
        """The fix, with the rewrite of the request when it still calls GET /v1.1/images/detail."""
        if value.through_parameter:
            return None
        site = value.origin.request_site
        if site is not None:
            request = self.ctx.fix_for(self.ctx.migration(site))
            if request is None:
                return None
            edits = [*request.edits, *edits]
            if request.applicability == UNSAFE:
                applicability = UNSAFE
            message += " (and rewrite the request to GET /v2/images)"
        return Fix(applicability, message, tuple(sorted(set(edits), key=lambda e: (e.start, e.end))))

    def _edit(self, start: int, end: int, content: str) -> Edit:
        line, column = self.ctx.lines.position(start)
        end_line, end_column = self.ctx.lines.position(end)
        return Edit(start, end, content, line, column, end_line, end_column)

    def _key_edit(self, key_node: cst.CSTNode, new_key: str) -> Optional[Edit]:
        """The key literal rewritten, same prefix and quotes."""
        literal = _literal_like(key_node, new_key)
        if literal is None:
            return None
        start, end = self.ctx.span(key_node)
        return self._edit(start, end, literal)

    # -- plain fields --------------------------------------------------------------------------------
    def _field(self, read: Read, field: Field) -> Optional[Finding]:
        if field.ims_only and self.glance:
            return None
        what = f"Reads `{read.key}`"
        if read.via == "in":
            return self._report(read.node, read.value, f"Tests for `{read.key}`", field.reason)
        fix = None
        if field.fix == VISIBILITY:
            fix = self._visibility(read)
        elif field.fix == IMAGE_SIZE:
            fix = self._renamed(read, "size", SAFE) if self.glance else self._image_size(read)
        elif field.fix == RENAME:
            fix = self._renamed(read, field.new_key, SAFE)
        return self._report(read.node, read.value, what, field.reason, fix)

    def _renamed(self, read: Read, new_key: str, applicability: str):
        edit = self._key_edit(read.key_node, new_key)
        return (applicability, f"Read `{new_key}`", [edit]) if edit is not None else None

    def _visibility(self, read: Read):
        edit = self._key_edit(read.key_node, "visibility")
        public = _literal_like(read.key_node, "public")
        if edit is None or public is None or not self._droppable_default(read):
            return None
        start, end = self.ctx.span(read.node)
        edits = [edit, *self._drop_default(read)]
        if _needs_parentheses(self.flow.facts.parent(read.node), read.node):
            edits += [self._edit(start, start, "("), self._edit(end, end, f" == {public})")]
        else:
            edits.append(self._edit(end, end, f" == {public}"))
        return SAFE, f"Read `visibility == {public}`", edits

    def _image_size(self, read: Read):
        if read.via == "get" and not _int_default(read.node):
            return None
        edit = self._key_edit(read.key_node, "__image_size")
        if edit is None:
            return None
        start, end = self.ctx.span(read.node)
        edits = [self._edit(start, start, "int("), edit, self._edit(end, end, ")")]
        return UNSAFE, "Read `int(image[\"__image_size\"])` (check that it matches the v1.1 size)", edits

    def _droppable_default(self, read: Read) -> bool:
        if read.via != "get":
            return True
        args = read.node.args
        if len(args) == 1:
            return True
        return len(args) == 2 and isinstance(args[1].value, (cst.Name, cst.Integer)) and args[1].keyword is None

    def _drop_default(self, read: Read) -> List[Edit]:
        if read.via != "get" or len(read.node.args) < 2:
            return []
        start = self.ctx.span(read.node.args[0].value)[1]
        end = self.ctx.span(read.node.args[1].value)[1]
        return [self._edit(start, end, "")]

    # -- properties ----------------------------------------------------------------------------------
    def _properties(self, read: Read) -> Finding:
        """``image["properties"]["k"]`` and friends: the property is a top-level key on v2."""
        props = read.node
        reason = f"v2 has no `{read.key}`: each property is a top-level key of the image"
        if read.via == "in":
            return self._report(props, read.value, f"Tests for `{read.key}`", reason)
        consumer = _consumer(self.flow.facts, props)
        if consumer is None or props.lpar or (
            isinstance(consumer[0], cst.Subscript) and is_store(self.flow.facts, consumer[0])
        ):
            return self._report(props, read.value, f"Reads `{read.key}`", reason)
        node, key_node = consumer
        key = self.flow.literal_key(key_node)
        what = f"Reads `{read.key}[{key!r}]`" if key is not None else f"Reads `{read.key}[...]`"
        if key in V2_BASE_KEYS:
            blocked = f"no automatic fix: v2 uses `{key}` for its own field"
            return self._report(node, read.value, what, reason, None, blocked)
        applicability = SAFE if key is not None else UNSAFE
        start = self.ctx.span(read.base)[1]
        end = self.ctx.span(props)[1]
        message = "Read the property as a top-level key"
        if key is None:
            message += " (check that the key is not one of v2's own fields, such as `name` or `size`)"
        return self._report(node, read.value, what, reason, (applicability, message, [self._edit(start, end, "")]))

    # -- status --------------------------------------------------------------------------------------
    def _status(self, read: Read) -> Iterator[Finding]:
        parent = self.flow.facts.parent(read.node)
        comparison = self.flow.facts.parent(parent) if isinstance(parent, cst.ComparisonTarget) else parent
        if not isinstance(comparison, cst.Comparison):
            return
        literals = [s for s in _strings_of(comparison) if _string_value(s) in NOVA_STATUSES]
        if not literals:
            return
        values = sorted({_string_value(s) for s in literals})
        reason = (
            "v2 reports `status` in lower case (`active`, `queued`, `saving`, ...), so "
            + ", ".join(f'"{v}"' for v in values)
            + " never matches"
        )
        fix = None
        if values == ["ACTIVE"]:
            edits = [self._key_edit(s, "active") for s in literals]
            if all(edits):
                fix = (SAFE, 'Compare with "active"', edits)
        yield self._report(comparison, read.value, "Compares `status`", reason, fix)

    # -- timestamps ----------------------------------------------------------------------------------
    def _timestamps(self) -> Iterator[Finding]:
        for call in self.flow.index.calls_by_name.get("strptime", []):
            args = positional(call)
            stamp = self.flow.value(args[0].value) if args else None
            if stamp is None or stamp.kind != TIMESTAMP:
                continue
            fmt = args[1] if len(args) > 1 else keyword(call, "format")
            template = self.flow.evaluator.evaluate(fmt.value) if fmt is not None else None
            if template is None or "%f" not in template.text:
                continue
            reason = (
                "v2 timestamps are whole seconds with `Z` (`2018-09-06T14:03:27Z`); this format expects "
                "microseconds (`%f`) and raises ValueError"
            )
            yield self._report(call, stamp, "Parses a timestamp", reason)


def _consumer(facts, props: cst.CSTNode):
    """``props[k]``, ``props.get(k, ...)`` or ``k in props``: (the read, the key) or None."""
    parent = facts.parent(props)
    if isinstance(parent, cst.Subscript) and parent.value is props:
        index = subscript_index(parent)
        return (parent, index) if index is not None else None
    if isinstance(parent, cst.Attribute) and parent.value is props and parent.attr.value == "get":
        call = facts.parent(parent)
        if isinstance(call, cst.Call) and call.func is parent and positional(call):
            return call, positional(call)[0].value
        return None
    if isinstance(parent, cst.ComparisonTarget) and isinstance(parent.operator, (cst.In, cst.NotIn)):
        comparison = facts.parent(parent)
        if isinstance(comparison, cst.Comparison) and len(comparison.comparisons) == 1:
            return comparison, comparison.left
    return None


def _literal_like(node: cst.CSTNode, text: str) -> Optional[str]:
    if not isinstance(node, cst.SimpleString) or any(c in node.prefix.lower() for c in "bf"):
        return None
    return f"{node.prefix}{node.quote}{text}{node.quote}"


def _string_value(node: cst.SimpleString) -> Optional[str]:
    try:
        value = node.evaluated_value
    except Exception:  # pragma: no cover
        return None
    return value if isinstance(value, str) else None


def _strings_of(comparison: cst.Comparison) -> List[cst.SimpleString]:
    found = []
    for operand in (comparison.left, *(t.comparator for t in comparison.comparisons)):
        if isinstance(operand, cst.SimpleString):
            found.append(operand)
        elif isinstance(operand, (cst.Tuple, cst.List, cst.Set)):
            found += [e.value for e in operand.elements if isinstance(e.value, cst.SimpleString)]
    return found


def _int_default(call: cst.Call) -> bool:
    args = call.args
    return len(args) == 2 and args[1].keyword is None and isinstance(args[1].value, cst.Integer)


_TIGHTER = (cst.Comparison, cst.ComparisonTarget, cst.BinaryOperation, cst.Await)


def _needs_parentheses(parent: Optional[cst.CSTNode], node: cst.CSTNode) -> bool:
    """Whether ``node`` turned into ``a == b`` needs parentheses where it stands."""
    if isinstance(parent, _TIGHTER):
        return True
    if isinstance(parent, cst.UnaryOperation):
        return not isinstance(parent.operator, cst.Not)
    if isinstance(parent, (cst.Attribute, cst.Subscript)):
        return parent.value is node
    if isinstance(parent, cst.Call):
        return parent.func is node
    return False
