"""``--flatten-allof``: schemas built with ``allOf`` compared as the one schema they mean.

Moving properties into a shared base (``Pet: {allOf: [{$ref: Base}, {properties: ...}]}``)
changes no payload, but compared keyword by keyword it reads as every property removed
and an ``allOf`` added. With the option on, each ``allOf`` whose branches merge without a
conflict (local ``$ref``s, no property or keyword defined twice in different ways) is
replaced by the merged schema before the diff. Anything else is left as written.

The documents are not changed: a flattened document is a copy of the parts on the way to
each merged schema (a loaded pair shares its unchanged members), and its ``pointer_map``
sends a position in a merged schema back to the branch that holds it in the file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ..load.document import Document, resolve_pointer
from ..load.openapi_common import DATA_KEYS
from ..parsing.pointers import escape_token
from .values import value_key

# Maps whose keys are names (a property may be called "default"): every value is walked.
_NAME_MAPS = frozenset(("properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "schemas",
                        "paths", "webhooks", "responses", "parameters", "requestBodies", "headers", "content",
                        "callbacks", "pathItems"))
_Origins = dict[str, str]  # pointer in the flattened data -> pointer in the file


def flatten_all_of(doc: Document) -> Document:
    """``doc`` with its mergeable ``allOf`` schemas merged (the same object when none is)."""
    origins: _Origins = {}
    data = _rewrite(doc.data, "", doc.data, origins, 0)
    if data is doc.data:
        return doc
    inner = doc.pointer_map
    # ref_holders still answers for every schema the copy shares; the merged ones are new
    # objects, for which the diff looks for $refs itself
    return dataclasses.replace(doc, data=data, pointer_map=_mapper(origins, inner), _positions={}, _resolved={})


def _mapper(origins: _Origins, inner: Callable[[str], str] | None) -> Callable[[str], str]:
    def back(pointer: str) -> str:
        for _ in range(16):  # a merged schema inside a merged one maps twice
            at = pointer
            while at and at not in origins:
                at = at.rpartition("/")[0]
            if not at or origins[at] == at:
                break
            pointer = origins[at] + pointer[len(at):]
        return inner(pointer) if inner is not None else pointer

    return back


def _rewrite(node: Any, pointer: str, root: Any, origins: _Origins, depth: int, names: bool = False) -> Any:
    """``node``, or a copy of it with the ``allOf`` schemas under it merged. ``names``: the
    keys of ``node`` are names, not keywords."""
    if depth > 200:
        return node
    if isinstance(node, list):
        items = [_rewrite(item, f"{pointer}/{index}", root, origins, depth + 1) for index, item in enumerate(node)]
        return items if any(new is not old for new, old in zip(items, node, strict=True)) else node
    if not isinstance(node, dict):
        return node
    out = node
    if not names and isinstance(node.get("allOf"), list) and node["allOf"]:
        merged = _merged(node, pointer, root, set())
        if merged is not None:
            out, found = merged
            origins.update({pointer + at: origin for at, origin in found.items()})
    changed = out is not node
    rewritten = {}
    for key, value in out.items():
        if not names and (key in DATA_KEYS or str(key).startswith("x-")):
            rewritten[key] = value
            continue
        rewritten[key] = _rewrite(value, f"{pointer}/{escape_token(str(key))}", root, origins, depth + 1,
                                  not names and key in _NAME_MAPS)
        changed = changed or rewritten[key] is not value
    return rewritten if changed else node


def merged_schema(node: dict[str, Any], pointer: str, root: Any) -> dict[str, Any] | None:
    """The one schema ``node``'s allOf means (``root``: the document, for its local $refs);
    None when its members do not merge plainly."""
    merged = _merged(node, pointer, root, set())
    return merged[0] if merged is not None else None


def _merged(node: dict[str, Any], pointer: str, root: Any, seen: set[str]) -> tuple[dict[str, Any], _Origins] | None:
    """The schema ``node``'s ``allOf`` means, with where each of its keywords and
    properties is written; None when the branches do not merge plainly."""
    parts: list[tuple[dict[str, Any], _Origins]] = [
        ({k: v for k, v in node.items() if k != "allOf"},
         {f"/{escape_token(str(k))}": f"{pointer}/{escape_token(str(k))}" for k in node if k != "allOf"})]
    for index, branch in enumerate(node["allOf"]):
        at = f"{pointer}/allOf/{index}"
        if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
            ref = branch["$ref"]
            if not ref.startswith("#") or ref in seen or len(branch) > 1:
                return None  # another file, a loop, or siblings beside the $ref
            try:
                branch = resolve_pointer(root, ref[1:])
            except KeyError:
                return None
            at = ref[1:]
            seen = seen | {ref}
        if not isinstance(branch, dict):
            return None
        if isinstance(branch.get("allOf"), list) and branch["allOf"]:
            nested = _merged(branch, at, root, seen)
            if nested is None:
                return None
            parts.append(nested)
        else:
            parts.append((branch, {f"/{escape_token(str(k))}": f"{at}/{escape_token(str(k))}" for k in branch}))
    return _combine(parts)


def _combine(parts: list[tuple[dict[str, Any], _Origins]]) -> tuple[dict[str, Any], _Origins] | None:
    out: dict[str, Any] = {}
    origins: _Origins = {}
    required_marks: set[Any] = set()  # the names in out["required"], hashed
    for schema, where in parts:
        for key, value in schema.items():
            place = f"/{escape_token(str(key))}"
            if key == "properties":
                if not isinstance(value, dict):
                    return None
                props = out.setdefault("properties", {})
                for name, prop in value.items():
                    if name in props and props[name] != prop:
                        return None  # one property, two schemas: a real allOf
                    props.setdefault(name, prop)
                    sub = f"{place}/{escape_token(str(name))}"
                    origins.setdefault(sub, where.get(sub, where.get(place, "") + sub[len(place):]))
            elif key == "required":
                if not isinstance(value, list):
                    return None
                required = out.setdefault("required", [])
                for name in value:  # by hash: a wide allOf may list thousands of names
                    try:
                        mark = value_key(name)
                        if mark in required_marks:
                            continue
                        required_marks.add(mark)
                    except TypeError:  # no hashable form (not from JSON): compared one by one
                        if name in required:
                            continue
                    required.append(name)
                origins.setdefault(place, where[place])
            elif key in out:
                if out[key] != value:
                    return None  # e.g. two maxLength: the stricter would need judging
            else:
                out[key] = value
                origins[place] = where.get(place, place)
    return out, origins
