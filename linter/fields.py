"""Fields of a v1.1 image list answer that GET /v2/images drops, renames or empties, where code
reads them, and the mechanical rewrites (IMS003's analysis; the request's fix carries the rewrites).

``hazards(ctx, flow)`` gives one ``Hazard`` per read: where, what, why, and the rewrite of that read
alone (``rewrite``), or why there is none. Nothing here reports: the rule turns hazards into
findings, and ``context.FileContext`` puts the rewrites into the request's fix.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

import libcst as cst

from .endpoints import OPENSTACK_GLANCE
from .findings import SAFE, UNSAFE, Edit
from .responses import (
    ITEM,
    PROPERTY_KEYS,
    TIMESTAMP,
    Read,
    ResponseFlow,
    Value,
    is_store,
    keyword,
    positional,
    subscript_index,
)
from .tree import dotted_name

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


_SIZE_REASON = "IMS v2 reports `size` as 0; the byte count is `__image_size`"
FIELDS = {
    "is_public": Field("v2 has `visibility` (\"public\", \"private\", \"shared\") instead", VISIBILITY),
    "deleted": Field("v2 has no `deleted`: it lists only live images"),
    "deleted_at": Field("v2 has no `deleted_at`: it lists only live images"),
    "size": Field(_SIZE_REASON, IMAGE_SIZE, ims_only=True),
    "checksum": Field("IMS v2 does not report `checksum`", ims_only=True),
    "virtual_size": Field("IMS v2 does not report `virtual_size`", ims_only=True),
    "minRam": Field("it is `min_ram` on v2", RENAME, "min_ram"),
    "minDisk": Field("it is `min_disk` on v2", RENAME, "min_disk"),
    "created": Field("it is `created_at` on v2", RENAME, "created_at"),
    "updated": Field("it is `updated_at` on v2", RENAME, "updated_at"),
    "OS-EXT-IMG-SIZE:size": Field("the Nova proxy's size; " + _SIZE_REASON, IMAGE_SIZE),
}




@dataclass(frozen=True)
class Rewrite:
    applicability: str  # SAFE or UNSAFE
    message: str
    edits: Tuple[Edit, ...]


@dataclass(frozen=True)
class Hazard:
    node: cst.CSTNode  # what to flag
    value: Value  # the image (or list) read, and the request it came from
    what: str  # "Reads `is_public`"
    reason: str
    rewrite: Optional[Rewrite] = None
    blocked: str = ""  # why the read cannot be rewritten (beyond "no mechanical rewrite")

    @property
    def fixable(self) -> bool:
        return self.rewrite is not None


def hazards(ctx, flow: ResponseFlow) -> List[Hazard]:
    """Every read of a dropped, renamed or emptied field, in source order (computed once per file)."""
    cached = getattr(ctx, "_hazards", None)
    if cached is None:
        cached = ctx._hazards = list(_Checker(ctx, flow).hazards())
    return cached


class _Checker:
    def __init__(self, ctx, flow: ResponseFlow) -> None:
        self.ctx = ctx
        self.flow = flow
        self.glance = ctx.options.target == OPENSTACK_GLANCE

    def hazards(self) -> Iterator[Hazard]:
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

    # -- one hazard ---------------------------------------------------------------------------------
    def _report(self, node, value: Value, what: str, reason: str, fix=None, blocked: str = "") -> Hazard:
        rewrite = None
        if fix is not None and not value.through_parameter:
            applicability, message, edits = fix
            rewrite = Rewrite(applicability, message, tuple(sorted(set(edits), key=lambda e: (e.start, e.end))))
        if value.through_parameter and not blocked:
            blocked = "the image reaches this code through a function parameter"
        return Hazard(node, value, what, reason, rewrite, blocked)

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
    def _field(self, read: Read, field: Field) -> Optional[Hazard]:
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
        edits = [edit] if self._in_int(read.node) else [self._edit(start, start, "int("), edit, self._edit(end, end, ")")]
        return UNSAFE, "Read `int(image[\"__image_size\"])` (check that it matches the v1.1 size)", edits

    def _in_int(self, node) -> bool:
        """``int(image["size"])``: the read is already made a number (``__image_size`` is a string)."""
        arg = self.flow.facts.parent(node)
        call = self.flow.facts.parent(arg) if isinstance(arg, cst.Arg) else None
        return isinstance(call, cst.Call) and dotted_name(call.func) == "int" and len(call.args) == 1

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
    def _properties(self, read: Read) -> Hazard:
        """``image["properties"]["k"]`` and friends: the property is a top-level key on v2."""
        props = read.node
        reason = f"v2 has no `{read.key}`: each property is a top-level key"
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
            blocked = f"v2 uses `{key}` for its own field"
            return self._report(node, read.value, what, reason, None, blocked)
        applicability = SAFE if key is not None else UNSAFE
        start = self.ctx.span(read.base)[1]
        end = self.ctx.span(props)[1]
        message = "Read the property as a top-level key"
        if key is None:
            message += " (check that the key is not one of v2's own fields, such as `name` or `size`)"
        return self._report(node, read.value, what, reason, (applicability, message, [self._edit(start, end, "")]))

    # -- status --------------------------------------------------------------------------------------
    def _status(self, read: Read) -> Iterator[Hazard]:
        parent = self.flow.facts.parent(read.node)
        comparison = self.flow.facts.parent(parent) if isinstance(parent, cst.ComparisonTarget) else parent
        if not isinstance(comparison, cst.Comparison):
            return
        literals = [s for s in _strings_of(comparison) if _string_value(s) in NOVA_STATUSES]
        if not literals:
            return
        values = sorted({_string_value(s) for s in literals})
        reason = "v2's `status` is lower case: " + ", ".join(f'"{v}"' for v in values) + " never matches"
        fix = None
        if values == ["ACTIVE"]:
            edits = [self._key_edit(s, "active") for s in literals]
            if all(edits):
                fix = (SAFE, 'Compare with "active"', edits)
        yield self._report(comparison, read.value, "Compares `status`", reason, fix)

    # -- timestamps ----------------------------------------------------------------------------------
    def _timestamps(self) -> Iterator[Hazard]:
        """Every parse of a v1 timestamp: v1 gives ``2016-05-22T06:04:20.425843`` (naive, with
        microseconds), v2 ``2018-09-06T14:03:27Z``. No format or parser reads both alike, so none
        has a mechanical rewrite (``%f`` raises; ``fromisoformat`` raises before Python 3.11 and
        gives an aware datetime after; ``dateutil``'s ``parse`` turns naive into aware)."""
        found = []
        for name, reason in _TIMESTAMP_PARSERS.items():
            for call in self.flow.index.calls_by_name.get(name, []):
                args = positional(call)
                stamp = self.flow.value(args[0].value) if args else None
                if stamp is None or stamp.kind != TIMESTAMP:
                    continue
                fraction = False
                if name == "strptime":
                    fmt = args[1] if len(args) > 1 else keyword(call, "format")
                    template = self.flow.evaluator.evaluate(fmt.value) if fmt is not None else None
                    fraction = template is not None and "%f" in template.text
                if stamp.origin.is_v2 and not fraction and name not in ("fromisoformat", "parse_strtime"):
                    continue  # code already on v2 parses v2's times as it likes; these two fail on them
                if fraction:
                    reason = "v2 times have whole seconds and `Z`: a `%f` format raises ValueError"
                found.append((call, stamp, reason))
        for call, stamp, reason in sorted(found, key=lambda item: self.flow.facts.order.get(item[0], 0)):
            yield self._report(call, stamp, "Parses a timestamp", reason)


_TIMESTAMP_PARSERS = {
    "strptime": "v2 times end in `Z` (`2018-09-06T14:03:27Z`): a format for v1's times raises ValueError",
    "parse_strtime": "v2 times end in `Z`: a format for v1's times raises ValueError",
    "fromisoformat": "v2 times end in `Z`: ValueError before Python 3.11, an aware datetime after (v1's are naive)",
    "parse": "v2 times end in `Z`: the parsed datetime is aware where v1's was naive",
    "isoparse": "v2 times end in `Z`: the parsed datetime is aware where v1's was naive",
    "parse_date": "v2 times have whole seconds and `Z`: check what the parsed value is compared with",
    "parse_isotime": "v2 times have whole seconds and `Z`: check what the parsed value is compared with",
    "parse_datetime": "v2 times end in `Z`: the parsed datetime is aware where v1's was naive",
    "to_datetime": "v2 times end in `Z`: the parsed values are aware where v1's were naive",
}


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
