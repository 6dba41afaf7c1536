"""A loaded, normalised input: the data plus what is needed to point back into the file."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote

from ..errors import InputError
from ..model import DocumentKind, SourcePosition
from ..parsing.json_text import equal_members, parse_json_against
from ..parsing.locator import Locator
from ..parsing.pointers import unescape_pointer
from ..parsing.text import decode_text, looks_like_json
from .sources import Source

M = TypeVar("M")

@dataclass
class Document:
    """One version of a promise (an API spec, a pricing, a terms text), ready to diff.

    ``data`` is normalised per kind. ``model`` is the kind's typed reading of it, when the
    kind has one (a pricing: ``load.pricing.Pricing``), read with :meth:`model_as`.
    ``files`` holds the other files a ``$ref`` reached, keyed by their path relative to
    the main file's folder. ``meta`` holds what the loader noted about the source
    (``openapi_version``, ``converted_from``, ``syntax_version``), plain values only.
    """

    kind: DocumentKind
    data: Any
    name: str
    key: str = ""
    locator: Locator | None = None
    files: dict[str, Any] = field(default_factory=dict)
    locators: dict[str, Locator] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    model: object = None
    warnings: list[str] = field(default_factory=list)
    #: maps a pointer into ``data`` back to the file's own structure (Swagger 2.0 input)
    pointer_map: Callable[[str], str] | None = None
    #: id of each schema object the loader checked -> whether it holds a ``$ref`` where
    #: the diff follows one (an unchanged schema needs a walk only if so)
    ref_holders: dict[int, bool] = field(default_factory=dict, repr=False)
    #: what the loader's structure check found (OpenAPI: every ``$ref``, and which of them
    #: each path item, operation and component holds), so that the other version of a
    #: pair skips the members equal to this one's
    checked: Any = field(default=None, repr=False)
    _positions: dict[tuple[str, str], SourcePosition | None] = field(default_factory=dict, repr=False)
    _resolved: dict[tuple[str, str], tuple[str, str, Any]] = field(default_factory=dict, repr=False)
    #: (file key, pointer) of a link of a long chain of refs -> (value, file key, pointer)
    #: where the chain ends (see :func:`~trustguard.diff.schema.follow_refs`)
    ref_ends: dict[tuple[str, str], tuple[Any, str, str]] = field(default_factory=dict, repr=False)
    #: the differ's own matching of this revision with the base it was diffed against (a
    #: pricing: its PricingComparison), for the stages after the diff to follow: (base, result)
    compared: tuple[Document, object] | None = field(default=None, repr=False)

    def model_as(self, cls: type[M]) -> M:
        """The kind's typed model, checked to be a ``cls``."""
        if not isinstance(self.model, cls):
            raise InputError(f"not a loaded {self.kind.value} document (no {cls.__name__} model)", file=self.name)
        return self.model

    def position(self, pointer: str, file_key: str | None = None) -> SourcePosition | None:
        """The line of ``pointer`` in the source file (None when unknown)."""
        cache_key = (pointer, file_key or "")
        cached = self._positions.get(cache_key)
        if cached is None:
            cached = self._position(pointer, file_key)
            self._positions[cache_key] = cached
        return cached

    def _position(self, pointer: str, file_key: str | None = None) -> SourcePosition | None:
        if self.pointer_map is not None:
            pointer = self.pointer_map(pointer)
        locator = self.locator if file_key in (None, "", self.key) else self.locators.get(file_key or "")
        name = self.file_label(file_key)
        # typed values: validating them would build the model's pydantic schema (model.py)
        if locator is None:
            return SourcePosition.model_construct(file=name)
        pos = locator.position(pointer)
        if pos is None:
            return SourcePosition.model_construct(file=name)
        return SourcePosition.model_construct(file=name, line=pos[0], column=pos[1])

    def file_label(self, file_key: str | None) -> str:
        """How to name one of the document's files to a user: as the main file was named,
        with the folder it was given in (``api/spec.yaml`` -> ``api/schemas/pet.yaml``)."""
        if file_key in (None, "", self.key):
            return self.name
        name = self.name.replace("\\", "/")
        rev, sep, path = name.partition(":") if ":" in name and not name[1:3] == ":/" else ("", "", name)
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
        return f"{rev}{sep}{posixpath.normpath(folder + str(file_key))}"

    def clear_resolved(self) -> None:
        """Forget what refs resolved to (the data was replaced: a converted Swagger 2.0)."""
        self._resolved.clear()
        self.ref_ends.clear()

    def chain_end(self, node: Any, file_key: str, pointer: str) -> tuple[Any, str, str]:
        """(value, file key, pointer) where the chain of bare refs from ``node`` (the value
        at ``file_key``, ``pointer``) ends. Each link's end is kept, so that many refs into
        one long chain walk it once; a loop (refused when loading) stops at the first
        link seen twice."""
        ends = self.ref_ends
        links: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and (file_key, pointer) not in seen:
            end = ends.get((file_key, pointer))
            if end is not None:
                node, file_key, pointer = end
                break
            links.append((file_key, pointer))
            seen.add((file_key, pointer))
            file_key, pointer, node = self.resolve(node["$ref"], file_key)
        for link in links:
            ends[link] = (node, file_key, pointer)
        return node, file_key, pointer

    def resolve(self, ref: str, file_key: str = "") -> tuple[str, str, Any]:
        """Resolve a ``$ref`` seen in file ``file_key``: (file key, pointer, value).

        The pointer is percent-decoded. Refs were checked when the document was loaded,
        so a miss here means the caller passed a ref from elsewhere: it raises KeyError.
        """
        cached = self._resolved.get((ref, file_key))
        if cached is not None:
            return cached  # a large spec names the same component thousands of times
        from .openapi_common import ref_file_key, split_ref

        target_file, pointer = split_ref(ref)
        target_key = file_key or self.key
        if target_file:
            target_key = ref_file_key(target_key, target_file)
        root = self.data if target_key == self.key else self.files[target_key]
        found = self._resolved[(ref, file_key)] = (target_key, pointer, resolve_pointer(root, pointer))
        return found


def parse_structured(source: Source, name: str | None = None) -> tuple[Any, Locator]:
    """Parse JSON or YAML bytes into plain values and a position locator.

    The result is kept on the source, so recognising the kind and then loading parses once.
    """
    data, locator, _ = parse_against(source, None, name)
    return data, locator


def parse_against(
    source: Source, like: Any, name: str | None = None, like_locator: Locator | None = None,
) -> tuple[Any, Locator, dict[int, Any]]:
    """:func:`parse_structured` for one version of a document whose other version
    ``like`` (its parsed data) was loaded already: also the members equal to ``like``'s,
    by id, with their twins (see :func:`~trustguard.parsing.json_text.equal_members`). With
    ``like_locator`` (the locator of ``like``'s JSON text), the members whose text is
    unchanged are ``like``'s own objects, not parsed again."""
    label = name or source.name
    cached = source.cache.get(label)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    text = decode_text(source.raw, label)
    result: tuple[Any, Locator, dict[int, Any]]
    if text.lstrip()[:1] in ("{", "["):
        try:
            data, same, spans = parse_json_against(text, label, like, like_locator=like_locator)
            result = data, Locator(text, "json", data, spans), same
        except InputError:
            if looks_like_json(text, label) and not label.lower().endswith((".yaml", ".yml")):
                raise
            # YAML flow style can start like JSON ({a: 1}); let the YAML parser judge it.
            result = _parse_yaml(text, label, like)
    else:
        result = _parse_yaml(text, label, like)
    source.cache[label] = result
    return result


def _parse_yaml(text: str, label: str, like: Any) -> tuple[Any, Locator, dict[int, Any]]:
    # here: a JSON pair needs no YAML parser (~9 ms to import)
    from ..parsing.yaml_tree import parse_yaml

    data, index = parse_yaml(text, label)  # bounds its nesting as it reads
    return data, Locator(text, "yaml", index), equal_members(data, like) if like is not None else {}


def resolve_pointer(data: Any, pointer: str) -> Any:
    """Follow a JSON pointer; raises KeyError when a step is missing."""
    node = data
    for token in unescape_pointer(pointer):
        if isinstance(node, dict):
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(token)
    return node


def rebase_refs(node: Any, file: str) -> Any:
    """A copy of ``node``, an object of sibling ``file``, whose refs mean the same from the
    main file (an object of another file moved into the main one). Example data is kept
    as it is."""
    if isinstance(node, list):
        return [rebase_refs(v, file) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and "://" not in value:
            target, sep, fragment = value.partition("#")
            path = posixpath.normpath(posixpath.join(posixpath.dirname(file), unquote(target))) if target else file
            out[key] = path + sep + fragment if sep else path
        elif key in ("example", "examples", "default", "enum", "const", "value", "x-example"):
            out[key] = value
        else:
            out[key] = rebase_refs(value, file)
    return out
