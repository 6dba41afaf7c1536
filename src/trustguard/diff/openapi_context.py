"""What the OpenAPI differ shares: the run context (both documents, the date, the schema
differ, the changes found) and small helpers for paths, refs and stability levels."""

from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass, field
from itertools import count
from operator import itemgetter
from typing import Any

from ..config import STABILITY_RANK as STABILITY
from ..load.document import Document
from ..model import Change, canonical, new_change, path_rank, subject_of, value_detail
from .lifecycle import parse_date
from .openapi_reach import Reach
from .schema import Located, SchemaChange, SchemaDiffer, contains_ref, follow_refs

_first = itemgetter(0)
# A parameter runs from "{" to the first "}" before any "/". The second branch takes a
# "{" that closes nowhere with the rest of its run, so the search resumes after it rather
# than at each "{" of the run again (quadratic in a path of 100,000 "{").
_PARAM_RE = re.compile(r"\{[^}/]*\}|\{[^}/]*")


def normalize_path(path: str) -> str:
    """``/users/{id}`` and ``/users/{userId}`` are the same endpoint."""
    return _PARAM_RE.sub(_param, path.rstrip("/") or "/")


def _param(match: re.Match[str]) -> str:
    text = match.group()
    return "{}" if text[-1] == "}" else text


@functools.lru_cache(maxsize=256)
def path_param_places(path: str) -> dict[str, int]:
    """Each parameter name of a path template with the place of its first use: asked
    once per path parameter, so a hash lookup rather than a scan (a path may have
    thousands). Read-only: the dict is shared by every caller."""
    places: dict[str, int] = {}
    names = [m.group()[1:-1] for m in _PARAM_RE.finditer(path) if m.group()[-1] == "}"]
    for index, name in enumerate(names):
        places.setdefault(name, index)
    return places


class Operations(list[str]):
    """The operations that reach a set of changes together, shared as one list by every
    change of the set (one walk's changes, reached first-hand by the same operations) and
    never copied per change; a Change's operations are joined from such lists at the end.
    Hashed by identity (compared by content), so a tuple of them keys what is computed
    from the same lists once."""

    __hash__ = object.__hash__  # type: ignore[assignment]


# (ident, group, schema change, property path, target) of one change a schema pair reaches
_Entry = tuple[int, int, SchemaChange, str, str]


@dataclass
class _Reachable:
    """The changes a schema pair reaches in one context, walked once; ``operations``
    reached all of them first-hand and are added to their Changes at the end."""

    entries: list[_Entry]
    idents: frozenset[int]
    facts: dict[str, Any]
    subject_prefix: str | None
    context: Any
    operations: Operations = field(default_factory=Operations)


@dataclass
class _Reached:
    """One attributed Change in the making: its fields but the operations, and each
    operation with the property path it reaches the change at."""

    fields: dict[str, Any]
    subject_prefix: str | None
    place: Any  # (kind, location, target, context): twins share it
    own_facts: dict[str, Any]  # the schema change's facts, which twins share too
    # its parts: lists of operations, each with the property path they reach it at; a list
    # of operations is shared by every change of one walk, so it is not copied per change
    op_lists: list[Operations] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def by_operation(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for ops, path in zip(self.op_lists, self.paths, strict=True):
            if len(ops) == 1:  # most parts: a walk from one operation's own inline schema
                out[ops[0]] = path
            else:
                out.update(dict.fromkeys(ops, path))
        return out


class _Ctx:
    def __init__(self, base: Document, rev: Document, today: _dt.date) -> None:
        self.base = base
        self.rev = rev
        self.today = today
        self.schemas = SchemaDiffer(base, rev, today)
        self.reach = Reach(base, rev)
        self.changes: list[Change] = []
        self._lists: dict[Any, _Reachable] = {}  # per (schema pair, context)
        self._seen: dict[str, set[int]] = {}  # per operation: the changes it reached
        # (schema change, target, context) -> one Change per schema change reached in one context
        self._reached: dict[int, _Reached] = {}
        self._ids: dict[Any, int] = {}
        # per (target, subject prefix or context): a small number for each schema change
        self._id_maps: dict[tuple[str, Any], dict[SchemaChange, int]] = {}
        self._numbers = count()
        self._pending: list[_Reachable] = []  # every list walked, in order

    def attribute(
        self, b: Located, r: Located, op: str, *, body: str, prop: str,
        subject_prefix: str | None = None, **facts: Any,
    ) -> None:
        """Attribute every change reachable from a schema pair to ``op``.

        The walk and the Change fields are computed once per (schema pair, context);
        here ``op`` only joins the list of operations of each change. In a large API every
        operation's error response reaches most of the schema graph: one Change per
        schema change, not one per operation, is what keeps large specs fast.
        """
        if self.unchanged(b.node, r.node):
            return
        reachable: _Reachable | None
        try:
            context: Any = (body, prop, subject_prefix, tuple(sorted(facts.items())))
            key: Any = (self.schemas.pair_key(b, r), context)
            reachable = self._lists.get(key)
        except (KeyError, TypeError):  # a $ref that does not resolve, or a fact not hashable
            context, key, reachable = id(facts), None, None
        if reachable is None:
            reachable = self._walk(b, r, body, prop, subject_prefix, context, facts)
            if key is not None:
                self._lists[key] = reachable
        # A schema change reached through several responses (200, 4xx, default) of one
        # operation is one change of that operation: the first response names it. Reached
        # in the same context by other operations, it is the same Change: every fact of it
        # holds for each of them, and each keeps its own property path.
        seen = self._seen.setdefault(op, set())
        if seen.isdisjoint(reachable.idents):
            # nothing of it reached yet by this operation (the usual case): note the
            # operation once; finish() adds it to each change of the list
            seen.update(reachable.idents)
            reachable.operations.append(op)
            return
        fresh = reachable.idents - seen  # often empty: another response reached them all
        if fresh:
            seen.update(fresh)
            self._join(reachable, [entry for entry in reachable.entries if entry[0] in fresh], Operations([op]))

    def unchanged(self, bnode: Any, rnode: Any) -> bool:
        """Whether two schemas are the same and refer to nothing that could differ: no
        change can be reached from them."""
        return (bnode is rnode or bnode == rnode) and not contains_ref(bnode, self.base.ref_holders)

    def _walk(
        self, b: Located, r: Located, body: str, prop: str, subject_prefix: str | None,
        context: Any, facts: dict[str, Any],
    ) -> _Reachable:
        entries = []
        ids = self._ids
        # small ints for the keys hashed once per operation, from maps by schema change
        # (hashed by identity): one per target for the change as an operation reaches it,
        # one per target in this context for the Change it becomes
        in_context = ids.setdefault(("context", context), len(ids))
        maps = self._id_maps
        number = self._numbers
        reach_body = maps.setdefault((body, subject_prefix), {})
        reach_prop = maps.setdefault((prop, subject_prefix), {})
        group_body = maps.setdefault((body, in_context), {})
        group_prop = maps.setdefault((prop, in_context), {})
        for changes, prefix, root in self.schemas.walk(b, r):
            for change in changes:
                own = change.path_text
                path = (own or "") if prefix is None else prefix if own is None else prefix + "/" + own
                if root and change.at_root:
                    reach, group, target = reach_body, group_body, body
                else:
                    reach, group, target = reach_prop, group_prop, prop
                ident = reach.get(change)
                if ident is None:
                    ident = reach[change] = next(number)
                grouped = group.get(change)
                if grouped is None:
                    grouped = group[change] = next(number)
                entries.append((ident, grouped, change, path, target))
        reachable = _Reachable(entries, frozenset(map(_first, entries)), facts, subject_prefix, context)
        self._pending.append(reachable)
        return reachable

    def _join(self, reachable: _Reachable, entries: list[_Entry], ops: Operations) -> None:
        """Add ``ops`` to the Change of each entry (made from the first one to reach it)."""
        reached = self._reached
        for _, group, change, path, target in entries:
            found = reached.get(group)
            if found is None:
                fields = _prepare(self, change, target=target, facts=reachable.facts)
                place = (change.kind, fields["location"], target, reachable.context)
                found = reached[group] = _Reached(fields, reachable.subject_prefix, place, change.facts)
            found.op_lists.append(ops)
            found.paths.append(path)

    def finish(self) -> list[Change]:
        """Every change found, the attributed ones once each with their operations."""
        for reachable in self._pending:
            if reachable.operations:
                self._join(reachable, reachable.entries, reachable.operations)
        self._pending.clear()
        reached = list(self._reached.values())
        self._reached.clear()
        at_place: dict[Any, list[_Reached]] = {}
        for one in reached:
            at_place.setdefault(one.place, []).append(one)
        for candidates in at_place.values():
            if len(candidates) > 1:
                twins: dict[tuple[str, str], list[_Reached]] = {}
                for one in candidates:
                    detail = value_detail(one.fields["before"], one.fields["after"])
                    twins.setdefault((detail, canonical(one.own_facts)), []).append(one)
                for group in twins.values():
                    if len(group) > 1:
                        _shortest_only(group)
        # the operations of a Change, sorted, from its parts' lists of operations: a
        # few walks' lists make the parts of most Changes (docs/performance.md)
        in_order: dict[tuple[Operations, ...], tuple[list[str], list[int], list[int]]] = {}
        for one in reached:
            fields, prefix, op_lists, paths = one.fields, one.subject_prefix, one.op_lists, one.paths
            if not op_lists:
                continue
            key = tuple(op_lists)
            order = in_order.get(key)
            if order is None:
                order = in_order[key] = _operation_order(op_lists)
            ordered, part_of, used = order
            path = paths[part_of[0]] if part_of else paths[0]
            if len(used) > 1 and _differ(paths, used):
                fields["property_paths"] = dict(zip(ordered, map(paths.__getitem__, part_of), strict=True))
            ordered = list(ordered)
            fields["facts"]["property_path"] = path
            fields["subject"] = subject_of(prefix, path)
            self.changes.append(new_change(operations=ordered, **fields))
        return self.changes

    def add(
        self, kind: str, *, location: str, operation: str | None = None, subject: str | None = None,
        before: Any = None, after: Any = None, removed: bool = False, file: str | None = None, **facts: Any,
    ) -> None:
        doc = self.base if removed else self.rev
        self.changes.append(
            new_change(
                kind=kind, location=location, operation=operation, subject=subject,
                before=before, after=after, facts=facts,
                source=doc.position(location, file), base_source=None,
            )
        )

    def lifecycle_facts(self, node: dict[str, Any], prefix: str = "") -> dict[str, Any]:
        sunset_raw = node.get("x-sunset")
        sunset = parse_date(sunset_raw)
        facts: dict[str, Any] = {
            f"{prefix}deprecated": bool(node.get("deprecated")),
            f"{prefix}sunset": sunset.isoformat() if sunset else sunset_raw,
            f"{prefix}sunset_valid": sunset is not None if sunset_raw is not None else None,
            f"{prefix}sunset_passed": (sunset <= self.today) if sunset else None,
            f"{prefix}sunset_days": (sunset - self.today).days if sunset else None,
            f"{prefix}stability": node.get("x-stability-level"),
        }
        return facts


def _differ(paths: list[str], used: list[int]) -> bool:
    """Whether the paths at ``used`` are not all the same (compared, not hashed: each was
    just joined)."""
    first = paths[used[0]]
    if len(used) == len(paths):
        return paths.count(first) != len(paths)
    return any(paths[index] != first for index in used)


def _operation_order(op_lists: list[Operations]) -> tuple[list[str], list[int], list[int]]:
    """The operations of several lists, sorted; for each one the index of the list it is
    taken from (the last that holds it, as :meth:`_Reached.by_operation` does); and the
    indexes of the lists any is taken from."""
    part_of: dict[str, int] = {}
    for index, ops in enumerate(op_lists):
        part_of.update(dict.fromkeys(ops, index))
    ordered = sorted(part_of)
    indexes = [part_of[op] for op in ordered]
    return ordered, indexes, sorted(set(indexes))


def _shortest_only(group: list[_Reached]) -> None:
    """Equal schema changes (two pairs of schemas may change one place the same way): each
    operation keeps the one it reaches at the shortest property path, as a single walk names
    a change by its shortest path."""
    best: dict[str, tuple[int | str, ...]] = {}
    maps = [one.by_operation() for one in group]
    for index, by_op in enumerate(maps):
        for op, path in by_op.items():
            candidate = (*path_rank(path), index)
            if op not in best or candidate < best[op]:
                best[op] = candidate
    for index, (one, by_op) in enumerate(zip(group, maps, strict=True)):
        kept = [(op, path) for op, path in by_op.items() if best[op][2] == index]
        one.op_lists = [Operations([op]) for op, _ in kept]
        one.paths = [path for _, path in kept]


def _resolve(doc: Document, node: Any) -> tuple[Any, str | None, str | None]:
    """Follow a $ref (parameters, responses, bodies, headers): (node, file, pointer), the
    file and pointer None when ``node`` is not a reference."""
    target, file, pointer = follow_refs(doc, node, "", "")
    if target is node:  # not a reference (a loop of refs is refused when loading)
        return node, None, None
    return target, file, pointer


def _paths(
    doc: Document, strip: str = "", prefix: str = "", names: bool = False,
) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The path items by the endpoint they serve (parameter names aside), each with its path
    as written, in document order: several when paths differ only in parameter names
    (GitHub: ``.../attestations/{attestation_id}`` for DELETE, ``.../{subject_digest}`` for
    GET). ``strip`` then ``prefix`` rewrite a path for matching only (oasdiff's
    --strip-prefix-* and --prefix-*: a version prefix moved into ``servers``). ``names``:
    parameter names count too (oasdiff's --include-path-params)."""
    out: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for path, item in (doc.data.get("paths") or {}).items():
        if not isinstance(item, dict) or not str(path).startswith("/"):
            continue
        item, _, _ = _resolve(doc, item)
        matched = path
        if strip and (path == strip or path.startswith(strip + "/")):
            matched = path[len(strip):] or "/"
        endpoint = (prefix + matched).rstrip("/") or "/" if names else normalize_path(prefix + matched)
        out.setdefault(endpoint, []).append((path, item))
    return out


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _op_key(method: str, path: str, root: str = "paths") -> str:
    if root == "webhooks":
        return f"{method.upper()} webhook:{path}"
    return f"{method.upper()} {path}"


def _stability_rank(value: Any) -> int:
    return STABILITY.get(str(value), STABILITY["stable"]) if value is not None else STABILITY["stable"]


def known_level(value: Any) -> bool:
    """Whether ``value`` is one of the stability levels (any other value, a mapping
    included, is an invalid level)."""
    return isinstance(value, str) and value in STABILITY


def _grace(value: Any) -> str:
    """Which sunset grace period applies: draft and alpha endpoints have none, and an
    invalid level leaves it unknown (reported by itself, as oasdiff does)."""
    if value is not None and not known_level(value):
        return "invalid"
    rank = _stability_rank(value)
    return "none" if rank < STABILITY["beta"] else "beta" if rank == STABILITY["beta"] else "stable"


def _stability_facts(value: Any) -> dict[str, Any]:
    return {"stability": value, "stability_rank": _stability_rank(value), "grace": _grace(value)}


def _prepare(ctx: _Ctx, change: Any, *, target: str, facts: dict[str, Any]) -> dict[str, Any]:
    """The fields of an attributed schema Change, all but its operations and property path."""
    doc = ctx.base if change.side == "base" else ctx.rev
    return {
        "kind": change.kind,
        "location": change.pointer if change.file in ("", doc.key) else f"{change.file}#{change.pointer}",
        "before": change.before,
        "after": change.after,
        "facts": {**facts, **change.facts, "target": target, "property_path": ""},
        "source": doc.position(change.pointer, change.file or None),
        "base_source": None,
    }
