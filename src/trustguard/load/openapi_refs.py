"""The ``$ref`` checks of an OpenAPI document: local refs and refs to sibling files under
the spec's folder only, what a ref reaches checked as what its place expects, no loops,
and path items that are a ref put in place."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from ..errors import InputError
from ..parsing.pointers import escape_token
from .document import Document, parse_structured, rebase_refs, resolve_pointer
from .openapi_common import (
    DATA_KEYS,
    MAX_REF_FILES,
    ROLE_CHECKS,
    WINDOWS_ABSOLUTE,
    At,
    Ref,
    fail_at,
    place_of,
    ref_file_key,
    split_ref,
    type_name,
)
from .openapi_structure import Walker
from .sources import Source


def _generic_refs(data: Any, file_key: str) -> list[Ref]:
    """Every ``$ref`` of a sibling file, whose role is not known, skipping example data."""
    found: list[Ref] = []
    stack: list[tuple[Any, str]] = [(data, "")]
    seen: set[int] = set()
    while stack:
        node, ptr = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                found.append((ref, file_key, ptr + "/$ref", None))
            for key, value in node.items():
                if isinstance(value, (dict, list)) and key not in DATA_KEYS and not str(key).startswith("x-"):
                    stack.append((value, ptr + "/" + escape_token(str(key))))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    stack.append((value, f"{ptr}/{index}"))
    found.sort(key=lambda item: item[2])
    return found


# Where the walk of the main file checks objects of a role already (a $ref to one of them,
# the common case, needs no second check).
_HOMES_3: dict[str, tuple[str, ...]] = {
    "a schema": ("/components/schemas/",), "a parameter": ("/components/parameters/",),
    "a request body": ("/components/requestBodies/",), "a response": ("/components/responses/",),
    "a header": ("/components/headers/",), "a security scheme": ("/components/securitySchemes/",),
    "a callback": ("/components/callbacks/",),
    "a path item": ("/components/pathItems/", "/webhooks/", "/paths/~1"),
}


_HOMES_2: dict[str, tuple[str, ...]] = {
    "a schema": ("/definitions/",), "a parameter": ("/parameters/",), "a response": ("/responses/",),
    "a security scheme": ("/securityDefinitions/",), "a path item": ("/paths/~1",),
}


def _at_home(pointer: str, role: str, swagger: bool) -> bool:
    """Whether ``pointer`` (in the main file) names an object the walk checked as ``role``."""
    for prefix in (_HOMES_2 if swagger else _HOMES_3).get(role, ()):
        if pointer.startswith(prefix) and "/" not in pointer[len(prefix):] and len(pointer) > len(prefix):
            return True
    return False


def check_refs(doc: Document, reader: Any, walker: Walker, allow_outside: bool) -> list[tuple[str, str, str]]:
    """Every ``$ref`` resolves, stays in the spec's folder, reaches a value of the kind its
    place expects (a schema where a schema goes...) and no chain of refs loops.

    A target is checked as what its place expects, once per kind, wherever it is (in a
    sibling file, or in the main file outside the places the walk checks): a ``$ref`` to
    a string, a list or a mapping of another shape would hide what it stands for from
    the diff -- a breaking change behind it would pass the gate unseen.

    Returns the (file, pointer, role) of each target checked here, outside the places the
    walk of the main file checks: a Swagger 2.0 conversion converts them too."""
    pending: list[Ref] = list(walker.refs)  # grows as targets and sibling files are read
    resolved: dict[tuple[str, str], tuple[str, str]] = {}  # (ref, file) -> (file, pointer)
    targets: dict[tuple[str, str], Any] = {}
    checked: set[tuple[str, str, str]] = set()
    for ref, file_key, where, role in pending:  # a list's iterator also yields what is appended
        target = resolved.get((ref, file_key))
        if target is None:
            target = _ref_target(doc, reader, ref, file_key, where, allow_outside, pending)
            root = doc.data if target[0] == doc.key else doc.files[target[0]]
            try:
                targets[target] = resolve_pointer(root, target[1])
            except KeyError:
                where_to = f" in {target[0]}" if target[0] != file_key else ""
                raise fail_at(doc, file_key, where,
                            f"unresolvable $ref {ref!r}: nothing at {target[1] or '/'}{where_to}") from None
            resolved[(ref, file_key)] = target
        if role is None or (*target, role) in checked:
            continue
        checked.add((*target, role))
        pending.extend(_check_target(doc, walker, (ref, file_key, where, role), target, targets[target]))
    _check_ref_loops(doc, targets)
    return sorted(target for target in checked
                  if not (target[0] == doc.key and _at_home(target[1], target[2], walker.swagger)))


def inline_path_items(doc: Document) -> None:
    """Put the path items that are a ``$ref`` (to another file, or elsewhere in this one)
    in their place in the data, refs rebased to the main file: the diff reads paths,
    operations and what they hold as parts of the main file."""
    data = doc.data
    copied = False
    for root in ("paths", "webhooks"):
        items = data.get(root)
        if not isinstance(items, dict):
            continue
        inlined = dict(items)
        for path, item in items.items():
            if isinstance(item, dict) and isinstance(item.get("$ref"), str) and not str(path).startswith("x-"):
                file_key, _, value = follow_ref(doc, item["$ref"], doc.key)
                inlined[path] = value if file_key == doc.key else rebase_refs(value, file_key)
        if inlined != items or any(a is not b for a, b in zip(inlined.values(), items.values(), strict=True)):
            if not copied:
                data, copied = dict(data), True
            data[root] = inlined
    if copied:
        doc.data = data
        doc.clear_resolved()


def follow_ref(doc: Document, ref: str, file_key: str) -> tuple[str, str, Any]:
    """Where a chain of refs from ``ref`` (seen in ``file_key``) ends: (file, pointer, value).
    The refs were checked: they resolve and do not loop."""
    target_key, pointer, value = doc.resolve(ref, file_key)
    value, target_key, pointer = doc.chain_end(value, target_key, pointer)
    return target_key, pointer, value


def _check_target(doc: Document, walker: Walker, seen: Ref, target: tuple[str, str], value: Any) -> list[Ref]:
    """Check what a ``$ref`` reaches as what its place expects; the refs found in it."""
    ref, file_key, where, role = seen
    assert role is not None
    target_key, pointer = target
    if role == "a schema" and isinstance(value, bool) and walker.openapi31:
        return []  # JSON Schema 2020-12: true and false are schemas, as they are inline
    if not isinstance(value, dict):
        in_file = f" in {doc.file_label(target_key)}" if target_key != file_key else ""
        raise fail_at(doc, file_key, where,
                    f"$ref {ref!r} must point at {role}, found {type_name(value)} at {pointer or '/'}{in_file}")
    if target_key == doc.key and _at_home(pointer, role, walker.swagger):
        return []
    sub = walker.at(target_key)
    try:
        getattr(sub, ROLE_CHECKS[role])(value, pointer)
    except InputError as exc:
        place = place_of(doc, file_key, where)
        raise InputError(f"{exc.message} (in {role} reached by $ref {ref!r} at "
                         f"{doc.file_label(file_key)}:{place})", file=exc.file, place=exc.place) from None
    return sub.refs


def _ref_target(
    doc: Document, reader: Any, ref: str, file_key: str, where: At, allow_outside: bool,
    pending: list[Ref],
) -> tuple[str, str]:
    if "://" in ref or ref.startswith("//"):
        raise fail_at(doc, file_key, where, f"remote $ref {ref!r} is refused: trustguard reads local files only")
    target_file, pointer = split_ref(ref)
    if pointer and not pointer.startswith("/"):
        raise fail_at(doc, file_key, where,
                    f"$ref {ref!r}: only JSON pointer fragments (#/...) are supported, not named anchors")
    if not target_file:
        return file_key, pointer
    if (target_file.startswith(("/", "\\")) or WINDOWS_ABSOLUTE.match(target_file)) and not allow_outside:
        raise fail_at(doc, file_key, where, f"$ref {ref!r} is an absolute path, outside the spec's folder; "
                    "pass --allow-external-refs to allow it")
    target_key = ref_file_key(file_key, target_file)
    if (target_key == ".." or target_key.startswith("../")) and not allow_outside:
        raise fail_at(doc, file_key, where, f"$ref {ref!r} points outside the spec's folder; "
                    "pass --allow-external-refs to allow it")
    if target_key == doc.key or target_key in doc.files:
        return target_key, pointer
    label = doc.file_label(file_key)
    place = place_of(doc, file_key, where)
    if reader is None:
        raise InputError(f"cannot resolve $ref {ref!r}: the input has no folder to read files from",
                         file=label, place=place)
    if len(doc.files) >= MAX_REF_FILES:
        raise InputError(f"more than {MAX_REF_FILES} files reached through $ref", file=label, place=place)
    raw = reader.read(unquote(target_file), file_key, label, place)
    data, locator = parse_structured(Source(target_key, raw, reader), name=doc.file_label(target_key))
    doc.files[target_key] = data
    doc.locators[target_key] = locator
    pending.extend(_generic_refs(data, target_key))
    return target_key, pointer


def _check_ref_loops(doc: Document, targets: dict[tuple[str, str], Any]) -> None:
    """A chain of bare refs that comes back to itself has no value to compare.

    Each target is followed once: a chain already followed to its end is not walked
    again from another of its links (a chain of 10,000 refs is 10,000 steps, not 50 M)."""
    ended: set[tuple[str, str]] = set()  # targets whose chain reaches a value
    for start in sorted(targets):
        chain: list[tuple[str, str]] = []
        on_chain: set[tuple[str, str]] = set()
        node: tuple[str, str] | None = start
        while node is not None and node not in ended:
            if node in on_chain:  # the last link's $ref closes the loop: name that one
                file_key, pointer = chain[-1]
                ref = targets[chain[-1]]["$ref"]
                raise fail_at(doc, file_key, pointer + "/$ref",
                            f"$ref {ref!r} loops back to itself without ever reaching a value")
            on_chain.add(node)
            chain.append(node)
            value = targets.get(node)
            if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
                break
            target_file, next_pointer = split_ref(value["$ref"])
            next_file = ref_file_key(node[0], target_file) if target_file else node[0]
            node = (next_file, next_pointer) if (next_file, next_pointer) in targets else None
        ended.update(chain)
