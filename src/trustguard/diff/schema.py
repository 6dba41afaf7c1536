"""Schema diff: compares JSON Schemas once per pair of components, attributes per operation.

A schema pair (base node, revision node) is compared once and its result memoised:
the changes found *locally* (with their property path relative to the pair) and the
edges to the ``$ref`` pairs it contains. An operation then walks that graph of pairs
from its root, visiting each pair once, so a shared component is diffed once and a
change inside a recursive schema is reported once per operation, never per expansion.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from ..load.document import Document, resolve_pointer
from ..parsing.pointers import escape_token
from .flatten import merged_schema
from .schema_branches import (
    annotation_only,
    branch_name,
    is_null_branch,
    is_ref,
    match_branches,
    nullable_wrapper,
    old_schema_kept,
    types_disjoint,
    wrapped_in_one_of,
)
from .schema_keywords import MISSING, compare_keywords, openness, types_of

PairKey = tuple[str, str, str, str]  # base file, base pointer, revision file, revision pointer

_SIMPLE_SUBSCHEMAS = {
    "if": "if",
    "then": "then",
    "else": "else",
    "contains": "contains",
    "propertyNames": "property-names",
    "unevaluatedItems": "unevaluated-items",
    "unevaluatedProperties": "unevaluated-properties",
    "contentSchema": "content-schema",
    "not": "not",
}
_ONE_SUBSCHEMA = ("items", "additionalProperties", *_SIMPLE_SUBSCHEMAS)
_SUBSCHEMA_KEYS = frozenset((*_ONE_SUBSCHEMA, "oneOf", "anyOf", "allOf", "prefixItems", "patternProperties",
                             "dependentSchemas", "discriminator"))


@dataclass(frozen=True, eq=False)
class SchemaChange:
    """A change found in a schema pair. ``path`` is relative to the pair's root.

    Compared and hashed by identity: one object per change found (the pair's memo keeps
    it), which the walks of many operations reach and the attribution keys maps by."""

    kind: str
    path: tuple[str, ...]
    pointer: str
    file: str
    before: Any = None
    after: Any = None
    facts: dict[str, Any] = field(default_factory=dict)
    at_root: bool = False
    side: str = "revision"  # which document ``pointer`` and ``file`` refer to

    @cached_property
    def path_text(self) -> str | None:
        """``path`` joined with ``/``; None for the root (a walk reaches a change from
        hundreds of roots: its own part of the path is joined once)."""
        return "/".join(self.path) if self.path else None


@dataclass
class PairResult:
    changes: list[SchemaChange]
    edges: list[tuple[PairKey, tuple[str, ...], bool]]  # key, path prefix, at root?


# a pair as the walks cross it: its changes, its edges to pairs with changes (number,
# property path as text or None, at the body's root?)
_WalkNode = tuple[list[SchemaChange], list[tuple[int, str | None, bool]]]


@dataclass
class Located:
    node: Any
    file: str
    pointer: str


def follow_refs(doc: Document, node: Any, file: str, pointer: str) -> tuple[Any, str, str]:
    """(node, file, pointer) where the chain of refs from ``node`` (at ``file``,
    ``pointer``) ends: the same when ``node`` is not a reference."""
    for _ in range(64):  # the common chains, one or two refs long
        if not isinstance(node, dict):
            return node, file, pointer
        ref = node.get("$ref")
        if not isinstance(ref, str):
            return node, file, pointer
        file, pointer, node = doc.resolve(ref, file)
    # A longer chain is followed to its end too (stopping short would leave the diff a
    # bare ref to read, blind to what it stands for), each link's end remembered.
    return doc.chain_end(node, file, pointer)


class SchemaDiffer:
    """Compares schemas of two documents; one instance per document pair."""

    def __init__(self, base: Document, revision: Document, today: date | None = None) -> None:
        self.base = base
        self.revision = revision
        self.today = today or date.today()
        self._memo: dict[PairKey, PairResult] = {}
        self._dirty: dict[PairKey, bool] = {}
        self._walk_numbers: dict[PairKey, int] = {}
        self._walk_keys: list[PairKey] = []
        self._walk_nodes: list[_WalkNode | None] = []
        self._holders = base.ref_holders  # equal pairs are tested on the base side

    # --- resolving -------------------------------------------------------------------

    def _deref(self, doc: Document, loc: Located) -> Located:
        return Located(*follow_refs(doc, loc.node, loc.file, loc.pointer))

    def pair_key(self, base: Located, rev: Located) -> PairKey:
        # asked for thousands of times: no Located made
        _, bfile, bpointer = follow_refs(self.base, base.node, base.file, base.pointer)
        _, rfile, rpointer = follow_refs(self.revision, rev.node, rev.file, rev.pointer)
        return (bfile or self.base.key, bpointer, rfile or self.revision.key, rpointer)

    def _node(self, doc: Document, file: str, pointer: str) -> Any:
        root = doc.data if file in ("", doc.key) else doc.files[file]
        return resolve_pointer(root, pointer)

    # --- pair results -----------------------------------------------------------------

    def result(self, key: PairKey) -> PairResult:
        found = self._memo.get(key)
        if found is not None:
            return found
        b = Located(self._node(self.base, key[0], key[1]), key[0], key[1])
        r = Located(self._node(self.revision, key[2], key[3]), key[2], key[3])
        res = PairResult([], [])
        self._memo[key] = res
        self._compare(b, r, (), res, True, 0)
        return res

    def is_dirty(self, key: PairKey) -> bool:
        """Whether anything changes in the pair or in a pair it reaches."""
        cached = self._dirty.get(key)
        if cached is not None:
            return cached
        # Iterative DFS over the pair graph; a cycle member is clean unless some
        # member of its cycle has changes, so settle the whole reachable set first.
        order: list[PairKey] = []
        seen: set[PairKey] = set()
        stack = [key]
        while stack:
            k = stack.pop()
            if k in seen or k in self._dirty:
                continue
            seen.add(k)
            order.append(k)
            for child, _, _ in self.result(k).edges:
                if child not in seen and child not in self._dirty:
                    stack.append(child)
        local = {k: bool(self.result(k).changes) for k in order}
        # propagate dirtiness backwards until stable (the graphs are small per pair)
        reverse: dict[PairKey, list[PairKey]] = {}
        for k in order:
            for child, _, _ in self._memo[k].edges:
                reverse.setdefault(child, []).append(k)
        dirty = {k for k, v in local.items() if v}
        dirty.update(c for k in order for c, _, _ in self._memo[k].edges if self._dirty.get(c))
        work = list(dirty)
        while work:
            k = work.pop()
            for parent in reverse.get(k, ()):
                if parent not in dirty:
                    dirty.add(parent)
                    work.append(parent)
        for k in order:
            self._dirty[k] = k in dirty
        return self._dirty[key]

    def walk(self, base: Located, rev: Located) -> list[tuple[list[SchemaChange], str | None, bool]]:
        """The pairs with changes reachable from a root pair, once each, breadth first (so
        that each change is named by its shortest property path): (their changes, the
        property path they are reached at, joined with ``/`` -- None at the root pair, as a
        property name may be empty --, whether that is the body's root). A change's own
        path follows the pair's."""
        start = self.pair_key(base, rev)
        found: list[tuple[list[SchemaChange], str | None, bool]] = []
        if not self.is_dirty(start):
            return found
        # is_dirty settled (and compared) every pair reachable from the start
        nodes = self._walk_nodes
        first = self._number(start)
        seen = {first}
        add = found.append
        queue: deque[tuple[int, str | None, bool]] = deque([(first, None, True)])
        while queue:
            node, prefix, root = queue.popleft()
            changes, edges = nodes[node] or self._walk_node(node)
            if changes:
                add((changes, prefix, root))
            for child, sub, child_root in edges:
                if child not in seen:
                    seen.add(child)
                    queue.append((child, sub if prefix is None else prefix if sub is None else prefix + "/" + sub,
                                  root and child_root))
        return found

    def _number(self, key: PairKey) -> int:
        """The number of a settled pair in the graph the walks cross (numbers hash faster
        than the pairs' four names)."""
        number = self._walk_numbers.get(key)
        if number is None:
            number = self._walk_numbers[key] = len(self._walk_keys)
            self._walk_keys.append(key)
            self._walk_nodes.append(None)
        return number

    def _walk_node(self, number: int) -> _WalkNode:
        """A pair's changes, and its edges to pairs with changes, each with its path as
        text (None: none): walks from hundreds of operations cross the same pairs, most
        of whose edges lead to unchanged ones."""
        node = self._walk_nodes[number]
        if node is None:
            result, dirty = self._memo[self._walk_keys[number]], self._dirty
            node = self._walk_nodes[number] = (result.changes, [
                (self._number(child), "/".join(sub) if sub else None, child_root)
                for child, sub, child_root in result.edges if dirty[child]
            ])
        return node

    # --- comparing two schema nodes --------------------------------------------------

    def _compare(self, b: Located, r: Located, path: tuple[str, ...], out: PairResult, at_root: bool, depth: int) -> None:
        if is_ref(b.node) or is_ref(r.node):
            try:
                key = self.pair_key(b, r)
            except KeyError:
                return
            out.edges.append((key, path, at_root))
            return
        bn, rn = b.node, r.node
        if not isinstance(bn, dict) or not isinstance(rn, dict):
            if isinstance(bn, bool) or isinstance(rn, bool):
                if bn != rn:
                    self._emit(out, "schema.boolean.changed", path, b, r, bn, rn, at_root,
                               closes=openness(rn) < openness(bn), opens=openness(rn) > openness(bn))
            return
        if depth > 200:
            return
        if bn == rn:
            # Equal text, but the components it refers to may differ: only the walk to
            # its $refs is needed, no keyword can have changed.
            self._ref_edges(bn, b.file, r.file, path, out, at_root, depth)
            return
        unwrapped = _unwrap_nullable(b, r)
        if unwrapped is not None:
            # `T` <-> `oneOf: [T, {type: null}]` is nullability, not a new branch: compare T
            # with the single real branch, then report the nullability change once
            ub, ur = unwrapped
            bnull, rnull = types_of(bn)[1], types_of(rn)[1]
            if bnull != rnull:
                self._emit(out, "nullable.added" if rnull else "nullable.removed", path, b, r, bnull, rnull, at_root)
            self._compare(ub, ur, path, out, at_root, depth + 1)
            return
        emit: Callable[..., None] = lambda kind, before, after, **facts: self._emit(  # noqa: E731
            out, kind, path, b, r, before, after, at_root, **facts
        )
        if "allOf" in bn or "allOf" in rn:
            merged = self._all_of_moved(b, r)
            if merged is not None:
                # properties moved into or out of an allOf member: compare the schemas they
                # make (equal ones are no change), as --flatten-allof does
                self._compare(Located(merged[0], b.file, b.pointer), Located(merged[1], r.file, r.pointer),
                              path, out, at_root, depth + 1)
                return
        if wrapped_in_one_of(bn, rn):
            # the old schema moved into oneOf branches: one finding, not a cascade of
            # removed properties and type changes
            branches = [self._deref(self.revision, Located(branch, r.file, f"{r.pointer}/oneOf/{i}")).node
                        for i, branch in enumerate(rn["oneOf"])]
            # said only when true, so the changes of other wrappings read as before
            kept = {"old_schema_kept": True} if old_schema_kept(bn, branches) else {}
            emit("wrapped-in-one-of", None, len(rn["oneOf"]), **kept)
            return
        compare_keywords(bn, rn, emit, self.today)
        self._properties(b, r, path, out, depth)
        self._subschemas(b, r, path, out, at_root, depth)

    def _merged(self, doc: Document, loc: Located) -> dict[str, Any] | None:
        """The one schema a node's allOf means (the node itself without one); None when its
        members do not merge plainly (see flatten.py)."""
        node = loc.node
        if not isinstance(node.get("allOf"), list) or not node["allOf"]:
            return node if isinstance(node, dict) else None
        if loc.file not in ("", doc.key):
            return None
        return merged_schema(node, loc.pointer, doc.data)

    def _all_of_moved(self, b: Located, r: Located) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The merged schemas of two schemas whose own properties moved into an allOf member
        or out of one (None when nothing moved, or a side does not merge plainly)."""
        bn, rn = b.node, r.node
        if bn.get("allOf") == rn.get("allOf"):
            # the same members; only a `required` beside them naming a property one of them
            # defines ({allOf: [Pet], required: [name]}) is invisible without merging
            toggled = set(_list_of(bn, "required")) ^ set(_list_of(rn, "required"))
            if not toggled - set(_mapping_of(bn, "properties")) - set(_mapping_of(rn, "properties")):
                return None
        if bn.get("properties") == rn.get("properties") and bn.get("required") == rn.get("required"):
            return None  # a member added or removed, nothing moved: judged as such
        merged_b, merged_r = self._merged(self.base, b), self._merged(self.revision, r)
        if merged_b is None or merged_r is None or "allOf" in merged_b or "allOf" in merged_r:
            return None
        return merged_b, merged_r

    def _all_of_effect(self, b: Located, r: Located) -> dict[str, Any]:
        """What the allOf members added or removed do to the merged schema: the properties
        it gains or loses, and whether the only change is new optional properties (judged
        then like adding them inline)."""
        merged_b, merged_r = self._merged(self.base, b), self._merged(self.revision, r)
        if merged_b is None or merged_r is None:
            return {}
        bprops, rprops = _mapping_of(merged_b, "properties"), _mapping_of(merged_r, "properties")
        breq, rreq = set(_list_of(merged_b, "required")), set(_list_of(merged_r, "required"))
        added, removed = sorted(set(rprops) - set(bprops)), sorted(set(bprops) - set(rprops))
        rest_b = {k: v for k, v in merged_b.items() if k not in ("properties", "required")}
        rest_r = {k: v for k, v in merged_r.items() if k not in ("properties", "required")}
        kept_same = all(bprops[name] == rprops[name] for name in bprops if name in rprops)
        return {
            "properties_added": added,
            "properties_removed": removed,
            "only_optional_properties": bool(added) and not removed and kept_same and rest_b == rest_r
            and rreq == breq,
            "drops_properties": bool(removed),
            "drops_required": bool(set(removed) & breq),
        }

    def _ref_edges(
        self, node: Any, bfile: str, rfile: str, path: tuple[str, ...], out: PairResult, at_root: bool, depth: int,
    ) -> None:
        """The edges of a schema equal on both sides: its $refs, found by the ways and in
        the order :meth:`_compare` takes (properties, sub-schemas, branches), with the
        same property paths, but without comparing anything."""
        if not isinstance(node, dict) or depth > 200 or not contains_ref(node, self._holders):
            return
        if is_ref(node):
            try:
                pair = self.pair_key(Located(node, bfile, ""), Located(node, rfile, ""))
            except KeyError:
                return
            out.edges.append((pair, path, at_root))
            return
        props = node.get("properties")
        if isinstance(props, dict):
            # a property the loader found without a $ref has no edge: not even a call
            holders = self._holders
            for name in sorted([name for name, sub in props.items() if holders.get(id(sub)) is not False]):
                self._ref_edges(props[name], bfile, rfile, (*path, name), out, False, depth + 1)
        present = _SUBSCHEMA_KEYS.intersection(node)
        if not present:
            return
        for key in _ONE_SUBSCHEMA:
            if key in present:
                self._ref_edges(node[key], bfile, rfile, _keyword_path(path, key), out,
                                _keyword_root(at_root, key), depth + 1)
        for key in ("oneOf", "anyOf", "allOf", "prefixItems"):
            branches = node.get(key) if key in present else None
            if isinstance(branches, list):
                for index, branch in enumerate(branches):
                    self._ref_edges(branch, bfile, rfile, _branch_path(path, key, index),
                                    out, _branch_root(at_root, key), depth + 1)
        for key in ("patternProperties", "dependentSchemas"):
            mapping = node.get(key) if key in present else None
            if isinstance(mapping, dict):
                for name in sorted(mapping):
                    self._ref_edges(mapping[name], bfile, rfile, path, out, False, depth + 1)

    def _emit(
        self, out: PairResult, kind: str, path: tuple[str, ...], b: Located, r: Located,
        before: Any, after: Any, at_root: bool, removed: bool = False, **facts: Any,
    ) -> None:
        where = b if removed else r
        facts.setdefault("read_only", bool(_get(r.node, "readOnly") or _get(b.node, "readOnly")))
        facts.setdefault("write_only", bool(_get(r.node, "writeOnly") or _get(b.node, "writeOnly")))
        out.changes.append(
            SchemaChange(
                kind="api.schema." + kind if not kind.startswith("schema.") else "api." + kind,
                path=path, pointer=where.pointer, file=where.file,
                before=before, after=after, facts=facts, at_root=at_root,
                side="base" if removed else "revision",
            )
        )


    def _properties(self, b: Located, r: Located, path: tuple[str, ...], out: PairResult, depth: int) -> None:
        bn, rn = b.node, r.node
        bprops = bn.get("properties") if isinstance(bn.get("properties"), dict) else {}
        rprops = rn.get("properties") if isinstance(rn.get("properties"), dict) else {}
        breq = set(bn.get("required") or []) if isinstance(bn.get("required"), list) else set()
        rreq = set(rn.get("required") or []) if isinstance(rn.get("required"), list) else set()
        if not bprops and not rprops and breq == rreq:
            return
        bptr = b.pointer + "/properties/"
        rptr = r.pointer + "/properties/"
        holders = self._holders
        for name in sorted(set(bprops) | set(rprops)):
            if name in bprops and name in rprops and (name in breq) == (name in rreq):
                bp = bprops[name]
                if bp == rprops[name] and not contains_ref(bp, holders):
                    continue  # the same property, referring to nothing that could differ
            sub = (*path, name)
            if name not in rprops:
                prop = self._deref(self.base, Located(bprops[name], b.file, bptr + escape_token(name))).node
                out.changes.append(SchemaChange(
                    "api.schema.property.removed", sub, bptr + escape_token(name), b.file,
                    before=name, after=None,
                    # said only when true, as the other facts added since
                    facts={**_prop_facts(prop, name in breq), **({"closed_object": True} if _closed(rn) else {})},
                    side="base",
                ))
            elif name not in bprops:
                prop = self._deref(self.revision, Located(rprops[name], r.file, rptr + escape_token(name))).node
                out.changes.append(SchemaChange(
                    "api.schema.property.added", sub, rptr + escape_token(name), r.file,
                    before=None, after=name,
                    facts=_prop_facts(prop, name in rreq),
                ))
            else:
                if (name in breq) != (name in rreq):
                    prop = self._deref(self.revision, Located(rprops[name], r.file, rptr + escape_token(name))).node
                    out.changes.append(SchemaChange(
                        "api.schema.property.became-required" if name in rreq else "api.schema.property.became-optional",
                        sub, rptr + escape_token(name), r.file,
                        before=name in breq, after=name in rreq,
                        facts=_prop_facts(prop, name in rreq),
                    ))
                first = len(out.changes)
                self._compare(
                    Located(bprops[name], b.file, bptr + escape_token(name)),
                    Located(rprops[name], r.file, rptr + escape_token(name)),
                    sub, out, False, depth + 1,
                )
                # rules on the property itself (read-only, write-only...) depend on
                # whether it is required in the revision
                for change in out.changes[first:]:
                    if change.path == sub:
                        change.facts.setdefault("required", name in rreq)

    def _subschemas(self, b: Located, r: Located, path: tuple[str, ...], out: PairResult, at_root: bool, depth: int) -> None:
        bn, rn = b.node, r.node
        present = _SUBSCHEMA_KEYS.intersection(bn).union(_SUBSCHEMA_KEYS.intersection(rn))
        if not present:
            return  # most schemas hold none: no need to ask for each keyword
        for key in _ONE_SUBSCHEMA:
            if key not in present:
                continue
            bv, rv = bn.get(key, MISSING), rn.get(key, MISSING)
            name = _SIMPLE_SUBSCHEMAS.get(key, "items" if key == "items" else "additional-properties")
            if bv is MISSING or rv is MISSING:
                if key == "items":
                    if not ("array" in types_of(bn)[0] and "array" in types_of(rn)[0]):
                        continue  # a type change already says it
                    # an array on both sides whose items became (un)described: judged as
                    # items changed to or from `true` (any item)
                    self._emit(out, "items.changed", path, b, r, "absent" if bv is MISSING else bv,
                               "absent" if rv is MISSING else rv, at_root,
                               closes=openness(rv) < openness(bv), opens=openness(rv) > openness(bv))
                    continue
                kind = "added" if bv is MISSING else "removed"
                self._emit(out, f"{name}.{kind}", path, b, r, None if bv is MISSING else bv,
                           None if rv is MISSING else rv, at_root, removed=kind == "removed",
                           closes=openness(rv) < openness(bv), opens=openness(rv) > openness(bv))
                continue
            if isinstance(bv, bool) or isinstance(rv, bool):
                if bv != rv:
                    self._emit(out, f"{name}.changed", path, b, r, bv, rv, at_root,
                               closes=openness(rv) < openness(bv), opens=openness(rv) > openness(bv))
                continue
            self._compare(
                Located(bv, b.file, f"{b.pointer}/{key}"),
                Located(rv, r.file, f"{r.pointer}/{key}"),
                _keyword_path(path, key), out, _keyword_root(at_root, key), depth + 1,
            )
        switched = self._union_switched(b, r)
        if switched is not None:
            # anyOf <-> oneOf over branches no value can match twice: the same values pass, so
            # the branches are compared with each other as under one keyword
            self._branches(b, r, path, out, at_root, depth, switched[1], "one-of" if switched[1] == "oneOf" else "any-of",
                           base_key=switched[0])
            present = present - {"oneOf", "anyOf"}
        for key, name in (("oneOf", "one-of"), ("anyOf", "any-of"), ("allOf", "all-of"), ("prefixItems", "prefix-items")):
            if key in present:
                self._branches(b, r, path, out, at_root, depth, key, name)
        for key, name in (("patternProperties", "pattern-property"), ("dependentSchemas", "dependent-schema")):
            if key not in present:
                continue
            bm = bn.get(key) if isinstance(bn.get(key), dict) else {}
            rm = rn.get(key) if isinstance(rn.get(key), dict) else {}
            for k in sorted(set(bm) | set(rm)):
                if k not in rm:
                    self._emit(out, f"{name}.removed", path, b, r, k, None, at_root, removed=True, key=k)
                elif k not in bm:
                    self._emit(out, f"{name}.added", path, b, r, None, k, at_root, key=k)
                else:
                    self._compare(
                        Located(bm[k], b.file, f"{b.pointer}/{key}/{escape_token(k)}"),
                        Located(rm[k], r.file, f"{r.pointer}/{key}/{escape_token(k)}"),
                        path, out, False, depth + 1,
                    )
        if "discriminator" in present:
            self._discriminator(b, r, path, out, at_root)

    def _union_switched(self, b: Located, r: Located) -> tuple[str, str] | None:
        """(base keyword, revision keyword) when one side's anyOf is the other's oneOf over
        branches whose types cannot overlap (on both sides)."""
        bn, rn = b.node, r.node
        for bkey, rkey in (("anyOf", "oneOf"), ("oneOf", "anyOf")):
            bl, rl = bn.get(bkey), rn.get(rkey)
            if not isinstance(bl, list) or not isinstance(rl, list) or rkey in bn or bkey in rn:
                continue
            bres = [self._deref(self.base, Located(x, b.file, f"{b.pointer}/{bkey}/{i}")).node for i, x in enumerate(bl)]
            rres = [self._deref(self.revision, Located(x, r.file, f"{r.pointer}/{rkey}/{i}")).node
                    for i, x in enumerate(rl)]
            if types_disjoint(bres) and types_disjoint(rres):
                return bkey, rkey
        return None

    def _branches(self, b: Located, r: Located, path: tuple[str, ...], out: PairResult, at_root: bool, depth: int,
                  key: str, name: str, base_key: str | None = None) -> None:
        bkey = base_key or key
        bl = b.node.get(bkey) if isinstance(b.node.get(bkey), list) else []
        rl = r.node.get(key) if isinstance(r.node.get(key), list) else []
        if not bl and not rl:
            return
        if bl == rl and not contains_ref(bl, self._holders):
            return
        if key == "prefixItems":
            pairs = [(i, i) for i in range(min(len(bl), len(rl)))]
            for i in range(len(rl), len(bl)):
                self._emit(out, f"{name}.removed", path, b, r, i, None, at_root, removed=True, index=i)
            for i in range(len(bl), len(rl)):
                self._emit(out, f"{name}.added", path, b, r, None, i, at_root, index=i)
        else:
            pairs, removed, added = match_branches(bl, rl, self._same_content)
            effect = self._all_of_effect(b, r) if key == "allOf" and (removed or added) else {}
            for i in removed:
                if is_null_branch(bl[i]):
                    continue
                self._emit(out, f"{name}.removed", path, b, r, branch_name(bl[i], i), None, at_root,
                           removed=True, branch=branch_name(bl[i], i),
                           annotation_only=annotation_only(bl[i]), **effect)
            for i in added:
                if is_null_branch(rl[i]):
                    continue
                self._emit(out, f"{name}.added", path, b, r, None, branch_name(rl[i], i), at_root,
                           branch=branch_name(rl[i], i), annotation_only=annotation_only(rl[i]),
                           wrapped=not bl and bool(rl), **effect)
        for bi, ri in pairs:
            self._compare(
                Located(bl[bi], b.file, f"{b.pointer}/{bkey}/{bi}"),
                Located(rl[ri], r.file, f"{r.pointer}/{key}/{ri}"),
                _branch_path(path, key, ri), out, _branch_root(at_root, key), depth + 1,
            )

    def _discriminator(self, b: Located, r: Located, path: tuple[str, ...], out: PairResult, at_root: bool) -> None:
        bd, rd = b.node.get("discriminator"), r.node.get("discriminator")
        if bd == rd:
            return
        if not isinstance(bd, dict) and isinstance(rd, dict):
            self._emit(out, "discriminator.added", path, b, r, None, rd.get("propertyName"), at_root)
            return
        if isinstance(bd, dict) and not isinstance(rd, dict):
            self._emit(out, "discriminator.removed", path, b, r, bd.get("propertyName"), None, at_root, removed=True)
            return
        if not isinstance(bd, dict) or not isinstance(rd, dict):
            return
        if bd.get("propertyName") != rd.get("propertyName"):
            self._emit(out, "discriminator.property-name.changed", path, b, r, bd.get("propertyName"), rd.get("propertyName"), at_root)
        bm = bd.get("mapping") or {}
        rm = rd.get("mapping") or {}
        for k in sorted(set(bm) | set(rm)):
            if k not in rm:
                self._emit(out, "discriminator.mapping.removed", path, b, r, k, None, at_root, key=k)
            elif k not in bm:
                self._emit(out, "discriminator.mapping.added", path, b, r, None, k, at_root, key=k)
            elif bm[k] != rm[k]:
                self._emit(out, "discriminator.mapping.changed", path, b, r, bm[k], rm[k], at_root, key=k,
                           same_content=self._same_target(bm[k], b.file, rm[k], r.file))

    def _same_content(self, bnode: Any, rnode: Any) -> bool:
        """Whether two branches written as different $refs name schemas of equal content (a
        component renamed): the same branch."""
        try:
            bt = follow_refs(self.base, bnode, "", "")[0]
            rt = follow_refs(self.revision, rnode, "", "")[0]
        except (KeyError, ValueError, TypeError):
            return False
        return bool(bt == rt and not contains_ref(bt))

    def _same_target(self, bref: Any, bfile: str, rref: Any, rfile: str) -> bool:
        """Whether two discriminator mapping values (a schema name or a $ref) name schemas of
        the same content: a component renamed with nothing else changed selects the same shape."""
        found = []
        for doc, ref, file in ((self.base, bref, bfile), (self.revision, rref, rfile)):
            if not isinstance(ref, str):
                return False
            target = ref if "/" in ref or ref.startswith("#") else "#/components/schemas/" + escape_token(ref)
            try:
                node, _, _ = follow_refs(doc, {"$ref": target}, file, "")
            except (KeyError, ValueError, TypeError):
                return False
            found.append(node)
        return bool(found[0] == found[1] and not contains_ref(found[0]))


# How a walk names what sits under a schema keyword (the comparison and the search for
# $refs in an equal schema must agree): the property path, and whether it is still the body.
def _keyword_path(path: tuple[str, ...], key: str) -> tuple[str, ...]:
    return (*path, "items") if key == "items" else (*path, "*") if key == "additionalProperties" else path


def _keyword_root(at_root: bool, key: str) -> bool:
    return at_root and key in ("if", "then", "else", "not")


def _branch_path(path: tuple[str, ...], key: str, index: int) -> tuple[str, ...]:
    return (*path, str(index)) if key == "prefixItems" else path


def _branch_root(at_root: bool, key: str) -> bool:
    return at_root and key != "prefixItems"


def _mapping_of(node: dict[str, Any], key: str) -> dict[str, Any]:
    value = node.get(key)
    return value if isinstance(value, dict) else {}


def _list_of(node: dict[str, Any], key: str) -> list[Any]:
    value = node.get(key)
    return value if isinstance(value, list) else []


def _get(node: Any, key: str) -> Any:
    return node.get(key) if isinstance(node, dict) else None


def _closed(node: dict[str, Any]) -> bool:
    """Whether an object schema rejects properties it does not list: a request that still
    carries a removed property is then refused, not ignored."""
    return node.get("additionalProperties") is False or node.get("unevaluatedProperties") is False


def _prop_facts(prop: Any, required: bool) -> dict[str, Any]:
    prop = prop if isinstance(prop, dict) else {}
    return {
        "required": required,
        "read_only": bool(prop.get("readOnly")),
        "write_only": bool(prop.get("writeOnly")),
        "has_default": "default" in prop,
        "default": prop.get("default"),
        "deprecated": bool(prop.get("deprecated")),
        "property_stability": prop.get("x-stability-level"),
    }


def contains_ref(node: Any, known: dict[int, bool] | None = None) -> bool:
    """Whether a ``$ref`` sits in ``node``; ``known`` is the loader's answer per schema
    (``Document.ref_holders``), asked first."""
    if known:
        if type(node) is list:
            return any(contains_ref(item, known) for item in node)
        found = known.get(id(node))
        if found is not None:
            return found
    # The C encoder walks a large equal subtree far faster than a Python loop; a
    # "$ref" key can only appear in its output as this exact text.
    try:
        return '"$ref"' in json.dumps(node, check_circular=False)
    except (TypeError, ValueError):
        stack = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if "$ref" in item:
                    return True
                stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
            elif isinstance(item, list):
                stack.extend(v for v in item if isinstance(v, (dict, list)))
        return False


def _unwrap_nullable(b: Located, r: Located) -> tuple[Located, Located] | None:
    """When one side is `oneOf`/`anyOf` of one real branch and null and the other side is
    plain, the pair to compare: the plain side and the real branch (its nullability aside)."""
    for key in ("oneOf", "anyOf"):
        bl = b.node.get(key) if isinstance(b.node.get(key), list) else []
        rl = r.node.get(key) if isinstance(r.node.get(key), list) else []
        if not nullable_wrapper(bl, rl, b.node, r.node):
            continue
        wrapped, branches = (r, rl) if rl else (b, bl)
        index = next(i for i, x in enumerate(branches) if not is_null_branch(x))
        branch = branches[index]
        inner = Located(branch, wrapped.file, f"{wrapped.pointer}/{key}/{index}")
        if isinstance(branch, dict) and not is_ref(branch):
            # keywords beside the oneOf (description, deprecated...) still belong to the schema
            merged = {k: v for k, v in wrapped.node.items() if k != key} | branch
            merged.pop("nullable", None)
            inner = Located(merged, inner.file, inner.pointer)
        plain = b if rl else r
        plain_node = {k: v for k, v in plain.node.items() if k not in ("nullable", "x-nullable")}
        if isinstance(plain_node.get("type"), list):
            types = [t for t in plain_node["type"] if t != "null"]
            plain_node["type"] = types[0] if len(types) == 1 else types
        plain = Located(plain_node, plain.file, plain.pointer)
        return (plain, inner) if rl else (inner, plain)
    return None


