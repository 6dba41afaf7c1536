"""The keywords of one schema pair that need no walk: type and format, values (enum,
const, default, pattern...), numeric bounds, and lifecycle (deprecated, stability).

:func:`compare_keywords` emits what differs through the pair's ``emit``; the pair graph
(diff/schema.py) calls it once per compared pair, and handles the keywords holding
sub-schemas (properties, items, oneOf...) itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ..config import STABILITY_RANK
from .lifecycle import parse_date
from .values import missing_from


def compare_keywords(bn: dict[str, Any], rn: dict[str, Any], emit: Callable[..., None], today: date) -> None:
    """Every keyword change of the pair (base node ``bn``, revision node ``rn``)."""
    _types(bn, rn, emit)
    _values(bn, rn, emit)
    _numbers(bn, rn, emit)
    _lifecycle(bn, rn, emit, today)


_NUMERIC = {
    "maxLength": ("max-length", "max"),
    "minLength": ("min-length", "min"),
    "maxItems": ("max-items", "max"),
    "minItems": ("min-items", "min"),
    "maxProperties": ("max-properties", "max"),
    "minProperties": ("min-properties", "min"),
    "maximum": ("max", "max"),
    "minimum": ("min", "min"),
    "maxContains": ("max-contains", "max"),
    "minContains": ("min-contains", "min"),
}


_MATCH_ANYTHING = {".*", "^.*$", "(.*)", "^(.*)$"}


_TYPE_WIDENING = {("integer", "number")}


# format pairs where every value of the first is a valid value of the second
_FORMAT_WIDENING = {("int32", "int64"), ("float", "double"), ("int32", "double")}


def types_of(schema: dict[str, Any]) -> tuple[frozenset[str], bool]:
    """The declared types (without null) and whether null is allowed, in any of the
    three spellings: ``nullable: true``, a type list with ``null``, a ``null`` oneOf/anyOf branch."""
    raw = schema.get("type")
    if isinstance(raw, list):
        types = {str(t) for t in raw}
    elif isinstance(raw, str):
        types = {raw}
    else:
        types = set()
    nullable = "null" in types or schema.get("nullable") is True or schema.get("x-nullable") is True
    types.discard("null")
    for key in ("oneOf", "anyOf"):
        branches = schema.get(key)
        if isinstance(branches, list):
            for branch in branches:
                if isinstance(branch, dict) and branch.get("type") == "null":
                    nullable = True
    return frozenset(types), nullable


def _steps_within(step: Any, coarser: Any) -> bool:
    """Whether every multiple of ``step`` (anything when absent) is a multiple of ``coarser``
    (absent: no constraint). Decimal arithmetic: 0.3 is a multiple of 0.1."""
    if coarser is None or isinstance(coarser, bool) or not isinstance(coarser, (int, float)) or coarser <= 0:
        return True
    if step is None or isinstance(step, bool) or not isinstance(step, (int, float)) or step <= 0:
        return False
    try:
        return Decimal(str(step)) % Decimal(str(coarser)) == 0
    except InvalidOperation:
        return False


def openness(value: Any) -> int:
    """How much a sub-schema keyword lets through: 0 nothing (false), 1 what a schema
    allows, 2 anything (absent, true, {})."""
    if value is False:
        return 0
    if value is MISSING or value is True or value == {}:
        return 2
    return 1


def _format(schema: dict[str, Any]) -> str | None:
    value = schema.get("format")
    return value if isinstance(value, str) else None


def _type_label(types: frozenset[str], fmt: str | None) -> str:
    name = "/".join(sorted(types)) or "any"
    return f"{name}/{fmt}" if fmt else name


def _direction(before: Any, after: Any, widening: set[tuple[str, str]]) -> str:
    """'same', 'generalized', 'specialized' or 'changed' for one dimension (type or format)."""
    if before == after:
        return "same"
    if (before, after) in widening:
        return "generalized"
    if (after, before) in widening:
        return "specialized"
    return "changed"


def _type_change(bt: frozenset[str], bf: str | None, rt: frozenset[str], rf: str | None) -> str:
    """Classify a single-type change together with its format: a dropped format or a wider
    type/format accepts every old value (generalized), the reverse rejects some (specialized)."""
    tdir = _direction(next(iter(bt), None), next(iter(rt), None), _TYPE_WIDENING)
    if bf is not None and rf is None:
        fdir = "generalized"
    elif bf is None and rf is not None:
        fdir = "specialized"
    else:
        fdir = _direction(bf, rf, _FORMAT_WIDENING)
    if tdir == "changed" or fdir == "changed":
        return "changed"
    kinds = {tdir, fdir} - {"same"}
    if len(kinds) == 1:
        return kinds.pop()
    return "changed"  # one dimension wider, the other narrower: incomparable


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


def _presence(emit: Callable[..., None], name: str, before: Any, after: Any, **changed: Any) -> None:
    """A keyword that is added, removed or changed (``MISSING`` when absent)."""
    if before == after:
        return
    if before is MISSING:
        emit(f"{name}.added", None, after)
    elif after is MISSING:
        emit(f"{name}.removed", before, None)
    else:
        emit(f"{name}.changed", before, after, **changed)


# what an array item may say without restricting which text it accepts
_ANNOTATIONS = frozenset(("type", "title", "description", "example", "examples", "default", "deprecated",
                          "readOnly", "writeOnly", "nullable", "$comment"))


def _scalar_fits_as_item(before: frozenset[str], after: frozenset[str], rn: dict[str, Any]) -> bool:
    """Whether scalar types became an array whose items take any value the scalar took,
    read as text (how parameters travel): items of type string, of no type, or of every
    old type, and no constraint on them or against a single item."""
    if not before or after != {"array"} or before & {"array", "object"}:
        return False
    items = rn.get("items")
    if not isinstance(items, dict) or any(k not in _ANNOTATIONS and not k.startswith("x-") for k in items):
        return False
    item_types = types_of(items)[0]
    if item_types and "string" not in item_types and not before <= item_types:
        return False
    low, high = rn.get("minItems"), rn.get("maxItems")
    return (not isinstance(low, int) or low <= 1) and (not isinstance(high, int) or high >= 1)



def _types(bn: dict[str, Any], rn: dict[str, Any], emit: Callable[..., None]) -> None:
    bt, bnull = types_of(bn)
    rt, rnull = types_of(rn)
    bf, rf = _format(bn), _format(rn)
    # a scalar that became an array any old value still fits in as its one item: a
    # form-exploded query parameter (?q=a) accepts every request it did
    text_facts = {"scalar_to_wider_array": True} if _scalar_fits_as_item(bt, rt, rn) else {}
    # a number, integer or boolean that becomes free text only widens what a parameter (sent
    # as text: ?limit=10 is a string too) accepts; said only when true, as scalar_to_wider_array
    if rt == {"string"} and bt and bt <= {"number", "integer", "boolean"} and rf is None:
        text_facts["widened_to_string"] = True
    if bt != rt and bt and rt and (len(bt) > 1 or len(rt) > 1):
        before, after = "/".join(sorted(bt)), "/".join(sorted(rt))
        if bt < rt:
            emit("list-of-types.widened", before, after)
        elif rt < bt:
            emit("list-of-types.narrowed", before, after)
        else:
            emit("type.changed", before, after, change="changed", object_string_swap=False, **text_facts)
    elif (bt != rt and bt and rt) or (bf != rf and bt == rt):
        change = _type_change(bt, bf, rt, rf)
        emit(f"type.{change}", _type_label(bt, bf), _type_label(rt, rf), change=change,
             object_string_swap=bt | rt == {"object", "string"} and bt != rt,
             # parameters travel as text: string -> number only narrows what is accepted
             narrowed_from_string=bt == {"string"} and bool(rt) and rt <= {"number", "integer", "boolean"},
             **text_facts)
    elif bt and not rt and "type" in bn and not any(k in rn for k in ("oneOf", "anyOf", "allOf")):
        emit("type.generalized", _type_label(bt, bf), "any", change="generalized", object_string_swap=False)
    if bnull != rnull:
        emit("nullable.added" if rnull else "nullable.removed", bnull, rnull)


def _same_single_value(bn: dict[str, Any], rn: dict[str, Any]) -> bool:
    """``enum: [x]`` on one side and ``const: x`` on the other: one allowed value either way."""
    for one, other in ((bn, rn), (rn, bn)):
        listed = one.get("enum")
        if (isinstance(listed, list) and len(listed) == 1 and "const" not in one and "enum" not in other
                and "const" in other and listed[0] == other["const"]):
            return True
    return False


def _values(bn: dict[str, Any], rn: dict[str, Any], emit: Callable[..., None]) -> None:
    if _same_single_value(bn, rn):
        bn = {k: v for k, v in bn.items() if k not in ("enum", "const")}
        rn = {k: v for k, v in rn.items() if k not in ("enum", "const")}
    for key, name in (("enum", "enum"), ("x-extensible-enum", "x-extensible-enum")):
        be, re_ = bn.get(key), rn.get(key)
        if be == re_:
            continue
        if not isinstance(be, list) and isinstance(re_, list):
            emit(f"{name}.set", None, re_)
        elif isinstance(be, list) and not isinstance(re_, list):
            emit(f"{name}.cleared", be, None)
        elif isinstance(be, list) and isinstance(re_, list):
            bset = missing_from(be, re_)  # hashed: an enum may list 50,000 values
            aset = missing_from(re_, be)
            for value in bset:
                emit(f"{name}.value-removed", value, None, value=value)
            for value in aset:
                emit(f"{name}.value-added", None, value, value=value)
    _presence(emit, "const", bn.get("const", MISSING), rn.get("const", MISSING))
    _presence(emit, "default", bn.get("default", MISSING), rn.get("default", MISSING))
    # an empty pattern constrains nothing, like no pattern
    bp, rp = bn.get("pattern") or MISSING, rn.get("pattern") or MISSING
    _presence(emit, "pattern", bp, rp, pattern_generalized=isinstance(rp, str) and rp in _MATCH_ANYTHING)
    for key, name in (("contentEncoding", "content-encoding"), ("contentMediaType", "content-media-type")):
        if bn.get(key) != rn.get(key):
            emit(f"{name}.changed", bn.get(key), rn.get(key))
    for key, name in (("readOnly", "read-only"), ("writeOnly", "write-only")):
        if bool(bn.get(key)) != bool(rn.get(key)):
            emit(f"{name}.{'added' if rn.get(key) else 'removed'}", bool(bn.get(key)), bool(rn.get(key)))
    if bn.get("uniqueItems") != rn.get("uniqueItems") and (bn.get("uniqueItems") or rn.get("uniqueItems")):
        emit("unique-items.added" if rn.get("uniqueItems") else "unique-items.removed",
             bool(bn.get("uniqueItems")), bool(rn.get("uniqueItems")))
    bdr, rdr = bn.get("dependentRequired") or {}, rn.get("dependentRequired") or {}
    if bdr != rdr and isinstance(bdr, dict) and isinstance(rdr, dict):
        for prop in sorted(set(bdr) | set(rdr)):
            if prop not in bdr:
                emit("dependent-required.added", None, rdr[prop], property=prop)
            elif prop not in rdr:
                emit("dependent-required.removed", bdr[prop], None, property=prop)
            elif bdr[prop] != rdr[prop]:
                emit("dependent-required.changed", bdr[prop], rdr[prop], property=prop)


def _numeric_exclusive(node: dict[str, Any], key: str, plain: str) -> dict[str, Any]:
    """``node`` with an OpenAPI 3.0 exclusive bound (``minimum: 0, exclusiveMinimum: true``)
    written the 3.1 way (``exclusiveMinimum: 0``)."""
    flag = node.get(key)
    if not isinstance(flag, bool):
        return node
    out = {k: v for k, v in node.items() if k != key}
    if flag and isinstance(node.get(plain), (int, float)) and not isinstance(node.get(plain), bool):
        out[key] = out.pop(plain)
    return out


def _numbers(bn: dict[str, Any], rn: dict[str, Any], emit: Callable[..., None]) -> None:
    for key, plain in (("exclusiveMaximum", "maximum"), ("exclusiveMinimum", "minimum")):
        # a spec moving from 3.0 to 3.1 rewrites its exclusive bounds: compare them in one spelling
        if isinstance(bn.get(key), bool) != isinstance(rn.get(key), bool) and key in bn and key in rn:
            bn, rn = _numeric_exclusive(bn, key, plain), _numeric_exclusive(rn, key, plain)
    for key, (name, side) in _NUMERIC.items():
        _bound(name, side, bn.get(key), rn.get(key), emit)
    bm, rm = bn.get("multipleOf"), rn.get("multipleOf")
    if bm != rm:
        # a value valid before stays valid when the old step is a multiple of the new one
        emit("multiple-of.changed", bm, rm, narrowed=not _steps_within(bm, rm), widened=not _steps_within(rm, bm))
    # exclusive bounds: a number in 3.1, a boolean modifier in 3.0
    for key, name, side, plain in (
        ("exclusiveMaximum", "exclusive-max", "max", "maximum"),
        ("exclusiveMinimum", "exclusive-min", "min", "minimum"),
    ):
        bv, rv = bn.get(key), rn.get(key)
        if isinstance(bv, bool) or isinstance(rv, bool):
            if bool(bv) != bool(rv) and bn.get(plain) == rn.get(plain) and rn.get(plain) is not None:
                # turning exclusivity on narrows the range, off widens it
                tighter = bool(rv)
                kind = ("decreased" if side == "max" else "increased") if tighter else (
                    "increased" if side == "max" else "decreased")
                emit(f"{name}.{kind}", bv, rv)
            continue
        _bound(name, side, bv, rv, emit)


def _bound(name: str, side: str, bv: Any, rv: Any, emit: Callable[..., None]) -> None:
    if bv == rv or isinstance(bv, bool) or isinstance(rv, bool):
        return
    if bv is None:
        emit(f"{name}.set", None, rv)
    elif rv is None:
        emit(f"{name}.removed", bv, None)
    else:
        try:
            emit(f"{name}.{'increased' if rv > bv else 'decreased'}", bv, rv)
        except TypeError:
            return


def _lifecycle(bn: dict[str, Any], rn: dict[str, Any], emit: Callable[..., None], today: date) -> None:
    if bool(bn.get("deprecated")) != bool(rn.get("deprecated")):
        if rn.get("deprecated"):
            emit("deprecated", False, True, **_sunset_facts(rn.get("x-sunset"), today))
        else:
            emit("reactivated", True, False)
    bs, rs = bn.get("x-stability-level"), rn.get("x-stability-level")
    if bs != rs:
        brank, rrank = STABILITY_RANK.get(str(bs)), STABILITY_RANK.get(str(rs))
        facts = {"property_stability": rs, "base_property_stability": bs,
                 "base_property_stability_rank": brank if bs is not None else STABILITY_RANK["stable"]}
        if rs is not None and rrank is None:
            emit("stability.invalid", bs, rs, **facts)
        elif bs is not None and brank is not None and rrank is not None:
            emit("stability.decreased" if rrank < brank else "stability.increased", bs, rs, **facts)


def _sunset_facts(raw: Any, today: date) -> dict[str, Any]:
    sunset = parse_date(raw) if raw is not None else None
    return {
        "sunset": sunset.isoformat() if sunset else raw,
        "sunset_valid": sunset is not None if raw is not None else None,
        "sunset_days": (sunset - today).days if sunset else None,
    }
