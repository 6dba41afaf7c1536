"""Pairing the branches of a oneOf, anyOf or allOf across two versions, and the shapes of
branch lists the schema diff reads specially (a nullable wrapper, a schema moved into
oneOf branches, annotation-only branches)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from .values import value_key


def is_ref(node: Any) -> bool:
    return isinstance(node, dict) and isinstance(node.get("$ref"), str)


def wrapped_in_one_of(bn: dict[str, Any], rn: dict[str, Any]) -> bool:
    branches = rn.get("oneOf")
    if not isinstance(branches, list) or any(k in bn for k in ("oneOf", "anyOf")):
        return False
    if sum(1 for branch in branches if not is_null_branch(branch)) < 2:
        return False  # a single branch beside null only spells nullability
    own = ("type", "properties", "items", "enum")
    return any(k in bn for k in own) and not any(k in rn for k in own)


def old_schema_kept(old: dict[str, Any], branches: list[Any]) -> bool:
    """Whether a schema wrapped in ``oneOf`` is itself one of the (resolved) ``branches`` and
    every other branch excludes what a client of the old schema sends: such a client still
    matches exactly one branch, so its requests stay valid."""
    kept = [i for i, branch in enumerate(branches) if branch == old]
    if not kept:
        return False
    return all(i == kept[0] or is_null_branch(branch) or _excludes(branch, old) for i, branch in enumerate(branches))


def _excludes(branch: Any, old: dict[str, Any]) -> bool:
    """Whether no value a client builds from ``old`` can match ``branch``: their types cannot
    overlap, or ``branch`` requires a property ``old`` does not declare (a client, generated
    or hand-written from the old spec, sends only the properties it declares)."""
    if not isinstance(branch, dict):
        return False
    mine, theirs = _json_types(branch), _json_types(old)
    if mine and theirs and not mine & theirs:
        return True
    declared = old.get("properties")
    required = branch.get("required")
    if not isinstance(declared, dict):
        declared = {}
    return "object" in theirs and isinstance(required, list) and any(name not in declared for name in required)


def _json_types(node: dict[str, Any]) -> set[str]:
    raw = node.get("type")
    types = {raw} if isinstance(raw, str) else {str(t) for t in raw} if isinstance(raw, list) else set()
    if not types and isinstance(node.get("properties"), dict):
        types = {"object"}
    types.discard("null")
    return types | {"number"} if "integer" in types else types  # every integer is a number


def types_disjoint(branches: list[Any]) -> bool:
    """Whether no value can match two of the (resolved) ``branches``: each declares types the
    others do not. Then oneOf and anyOf over them accept the same values."""
    seen: set[str] = set()
    for branch in branches:
        types = _json_types(branch) if isinstance(branch, dict) else set()
        if not types or types & seen:
            return False
        seen |= types
    return True


def nullable_wrapper(bl: list[Any], rl: list[Any], bn: dict[str, Any], rn: dict[str, Any]) -> bool:
    """One side has no branches, the other one real branch plus a null branch."""
    if bl and rl:
        return False
    branches, plain = (rl, bn) if rl else (bl, rn)
    real = [x for x in branches if not is_null_branch(x)]
    return len(real) == 1 and len(real) < len(branches) and any(k in plain for k in ("type", "properties", "$ref", "items"))


def is_null_branch(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") == "null" and len(node) <= 2


def annotation_only(node: Any) -> bool:
    return isinstance(node, dict) and bool(node) and all(
        k in ("description", "title", "example", "examples", "deprecated", "x-extensible-enum") or k.startswith("x-")
        for k in node
    )


def branch_name(node: Any, index: int) -> str:
    if is_ref(node):
        return str(node["$ref"]).rsplit("/", 1)[-1]
    if isinstance(node, dict) and isinstance(node.get("title"), str):
        return str(node["title"])
    return f"#{index}"


_NO_KEY: Any = object()  # a branch that pairs with none in a pass of match_branches


_CONTENT_PAIRS = 10_000  # renamed-component pairing compares pairs: bounded, a oneOf may be huge


def match_branches(
    bl: list[Any], rl: list[Any], same_content: Callable[[Any, Any], bool] | None = None,
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair oneOf/anyOf/allOf branches: same $ref first, then $refs to schemas of the same
    content (a renamed component), then equal, then same title."""
    pairs: list[tuple[int, int]] = []
    free_b = list(range(len(bl)))
    free_r = list(range(len(rl)))

    def take(key_of: Callable[[Any], Any]) -> None:
        # Each base branch, in order, pairs with the first free revision branch of the
        # same key: by hash, as a oneOf may list thousands of branches.
        waiting: dict[Any, deque[int]] = {}
        for ri in free_r:
            key = key_of(rl[ri])
            if key is not _NO_KEY:
                waiting.setdefault(key, deque()).append(ri)
        kept_b: list[int] = []
        taken_r: set[int] = set()
        for bi in free_b:
            key = key_of(bl[bi])
            queue = waiting.get(key) if key is not _NO_KEY else None
            if queue:
                ri = queue.popleft()
                pairs.append((bi, ri))
                taken_r.add(ri)
            else:
                kept_b.append(bi)
        free_b[:] = kept_b
        free_r[:] = [ri for ri in free_r if ri not in taken_r]

    take(lambda x: value_key(x["$ref"]) if is_ref(x) else _NO_KEY)
    if same_content is not None and free_b and free_r and len(free_b) * len(free_r) <= _CONTENT_PAIRS:
        for bi in [i for i in free_b if is_ref(bl[i])]:
            ri = next((ri for ri in free_r if is_ref(rl[ri]) and same_content(bl[bi], rl[ri])), None)
            if ri is not None:
                pairs.append((bi, ri))
                free_b.remove(bi)
                free_r.remove(ri)
    take(value_key)
    take(lambda x: value_key(x["title"]) if isinstance(x, dict) and x.get("title") is not None else _NO_KEY)
    take(lambda x: value_key(x["type"]) if not is_ref(x) and isinstance(x, dict) and x.get("type") is not None
         else _NO_KEY)
    # An inline branch facing one left-over branch is the same branch, modified.
    if len(free_b) == 1 and len(free_r) == 1 and not (is_ref(bl[free_b[0]]) and is_ref(rl[free_r[0]])):
        pairs.append((free_b.pop(), free_r.pop()))
    # Likewise the only inline branch left on each side (the others are $refs).
    inline_b = [i for i in free_b if not is_ref(bl[i])]
    inline_r = [i for i in free_r if not is_ref(rl[i])]
    if len(inline_b) == 1 and len(inline_r) == 1:
        pairs.append((inline_b[0], inline_r[0]))
        free_b.remove(inline_b[0])
        free_r.remove(inline_r[0])
    pairs.sort(key=lambda p: p[1])
    return pairs, free_b, free_r


