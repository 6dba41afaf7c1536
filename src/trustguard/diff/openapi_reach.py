"""Which unchanged operations can still reach a change: the differ skips the others.

Between two versions of a large spec most operations are the same, text for text
(GitHub, six weeks: 1,068 of 1,083; Stripe, six months: 311 of 385), and comparing
them anyway was most of the diff's time: resolving each parameter, body, response and
header, and asking the schema differ about every schema pair they name. An operation
that is equal in both versions (at the same path, with the same path-level parameters
and servers) yields a change only through what its ``$ref``\\ s reach: every other
comparison the differ makes of it pairs equal values. So its refs are followed first,
each target once for the whole diff: when every target is equal in both versions and
refers only to targets that are equal too, nothing the operation reaches can differ,
and it is not compared (see :func:`~trustguard.diff.openapi._operation`, which still
reports what does not depend on a change: an invalid stability level).

The refs are found by a walk of the base's values that takes every ``"$ref"`` string it
meets (example data included: a ref too many only makes an operation compared) and
skips the schemas the loader found to hold none (``Document.ref_holders``). A target
that does not resolve in both versions, or resolves to different places, counts as
changed: the operation is compared as before. The search for a changed target stops
at the first one (on Stripe's six-month pair every unchanged operation reaches one, and
settling all they reach cost more than it saved); refs loop (a schema that contains
itself), so only a search that finds nothing settles what it visited as clean.
"""

from __future__ import annotations

from typing import Any

from ..load.document import Document, resolve_pointer
from ..load.openapi_structure import Checked

#: a target of refs: (file key, "" for the main file; pointer)
Target = tuple[str, str]


class Reach:
    """Whether what an operation refers to is the same in both documents; one instance
    per diff."""

    def __init__(self, base: Document, revision: Document) -> None:
        self.base = base
        self.revision = revision
        self._holders = base.ref_holders
        # what the loader noted of the base's members (not of a converted Swagger 2.0: the
        # diff reads other objects, with other refs)
        checked = base.checked
        self._checked = checked if isinstance(checked, Checked) and "converted_from" not in base.meta else None
        self._clean: dict[Target, bool] = {}  # settled targets: equal all the way down?
        self._edges: dict[Target, list[Target] | None] = {}  # what each refers to (None: differs)
        self._targets_of: dict[tuple[str, str], Target | None] = {}  # (ref, file) -> its target

    def unchanged_operation(
        self, bitem: dict[str, Any], ritem: dict[str, Any], bop: dict[str, Any], rop: dict[str, Any],
    ) -> bool:
        """Whether an operation at the same path in both versions can reach no change: it,
        its path item's parameters and servers are equal, and so is all its refs reach."""
        if not _same(bop, rop):
            return False
        params = bitem.get("parameters")
        if bitem is not ritem and not (_same(params, ritem.get("parameters"))
                                       and _same(bitem.get("servers"), ritem.get("servers"))):
            return False
        refs = self._refs(bop, "")
        if params:
            refs |= self._refs(params, "")
        return self._reaches_nothing(refs)

    # --- refs and their targets --------------------------------------------------------

    def _refs(self, node: Any, file: str) -> set[str]:
        """The refs under ``node``, a value of file ``file``: as the loader noted them for a
        member of the main file (where it notes every ref as seen in the main file), else
        walked."""
        noted = self._checked.refs_of(node) if self._checked is not None and not file else None
        if noted is None:
            return self._walk_refs(node)
        return {ref for ref, _, _, _ in noted}

    def _walk_refs(self, node: Any) -> set[str]:
        """Every ``$ref`` string under ``node``, but in schemas known to hold none."""
        found: set[str] = set()
        holders = self._holders
        stack = [node]
        while stack:
            item = stack.pop()
            if type(item) is dict:
                if holders.get(id(item)) is False:
                    continue
                ref = item.get("$ref")
                if isinstance(ref, str):
                    found.add(ref)
                stack.extend(value for value in item.values() if type(value) is dict or type(value) is list)
            elif type(item) is list:
                stack.extend(value for value in item if type(value) is dict or type(value) is list)
        return found

    def _targets(self, refs: set[str], file: str) -> list[Target] | None:
        """The targets of ``refs`` seen in ``file``; None when one does not resolve to the
        same place in both versions."""
        out: list[Target] = []
        for ref in refs:
            target = self._target_of(ref, file)
            if target is None:
                return None
            out.append(target)
        return out

    def _target_of(self, ref: str, file: str) -> Target | None:
        known = self._targets_of
        key = (ref, file)
        return known[key] if key in known else known.setdefault(key, self._target(ref, file))

    def _target(self, ref: str, file: str) -> Target | None:
        try:
            bkey, pointer, _ = self.base.resolve(ref, file)
            rkey, rpointer, _ = self.revision.resolve(ref, file)
        except (KeyError, ValueError, TypeError, IndexError):
            return None
        bkey = "" if bkey == self.base.key else bkey
        rkey = "" if rkey == self.revision.key else rkey
        return (bkey, pointer) if bkey == rkey and pointer == rpointer else None

    # --- settling ---------------------------------------------------------------------

    def _reaches_nothing(self, refs: set[str]) -> bool:
        """Whether no target of ``refs`` (seen in the main file) differs, nor anything it
        reaches; a target known to differ ends the look at once."""
        clean = self._clean
        pending: list[Target] = []
        for ref in refs:
            target = self._target_of(ref, "")
            if target is None:
                return False
            state = clean.get(target)
            if state is False:
                return False
            if state is None:
                pending.append(target)
        return not pending or self._search(pending)

    def _search(self, starts: list[Target]) -> bool:
        """Whether nothing ``starts`` reach differs: depth first, to the first target that
        differs. Found, every target on the way to it differs too (it reaches it); none
        found, every target visited is clean. (The others visited when the search stops
        early stay unsettled: one may reach the changed target through a loop. What they
        refer to is kept, so that a later search does not compare them again.)"""
        clean = self._clean
        visited: set[Target] = set()
        for start in starts:
            if start in visited or start in clean:
                continue
            visited.add(start)
            children = self._children(start)
            if children is None:
                clean[start] = False
                return False
            path, branches = [start], [iter(children)]
            while branches:
                child = next(branches[-1], None)
                if child is None:
                    branches.pop()
                    path.pop()
                    continue
                state = clean.get(child)
                if state is True or child in visited:
                    continue
                grandchildren = self._children(child) if state is None else None
                visited.add(child)
                if grandchildren is None:
                    for target in (*path, child):
                        clean[target] = False
                    return False
                path.append(child)
                branches.append(iter(grandchildren))
        for target in visited:
            clean[target] = True
        return True

    def _children(self, target: Target) -> list[Target] | None:
        """The targets ``target`` refers to, or None when it differs between the versions."""
        if target in self._edges:
            return self._edges[target]
        found = self._edges[target] = self._read_children(target)
        return found

    def _read_children(self, target: Target) -> list[Target] | None:
        try:
            bnode, rnode = _at(self.base, target), _at(self.revision, target)
        except (KeyError, ValueError, TypeError, IndexError):
            return None
        if not _same(bnode, rnode):
            return None
        return self._targets(self._refs(bnode, target[0]), target[0])


def _at(doc: Document, target: Target) -> Any:
    """The value at a target of ``doc``."""
    file, pointer = target
    return resolve_pointer(doc.data if not file else doc.files[file], pointer)


def _same(a: Any, b: Any) -> bool:
    """Whether two values are equal (a value handed in as a dict may refuse ``==``: then
    they count as different, and are compared as usual)."""
    try:
        return a is b or bool(a == b)
    except Exception:
        return False
