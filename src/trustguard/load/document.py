"""A loaded, normalised input: the data plus what is needed to point back into the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import DocumentKind, SourcePosition
from .parse import Locator, check_depth, decode_text, looks_like_json, parse_json, parse_yaml
from .sources import Source


@dataclass
class Document:
    """One version of a promise (an API spec, a pricing, a terms text), ready to diff.

    ``data`` is normalised per kind. ``files`` holds the other files a ``$ref`` reached,
    keyed by their path relative to the main file's folder.
    """

    kind: DocumentKind
    data: Any
    name: str
    key: str = ""
    locator: Locator | None = None
    files: dict[str, Any] = field(default_factory=dict)
    locators: dict[str, Locator] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    pointer_map: Any = None
    _positions: dict[tuple[str, str], SourcePosition | None] = field(default_factory=dict, repr=False)

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
        name = self.name if file_key in (None, "", self.key) else file_key or self.name
        if locator is None:
            return SourcePosition(file=name)
        pos = locator.position(pointer)
        if pos is None:
            return SourcePosition(file=name)
        return SourcePosition(file=name, line=pos[0], column=pos[1])

    def resolve(self, ref: str, file_key: str = "") -> tuple[str, str, Any]:
        """Resolve a ``$ref`` seen in file ``file_key``: (file key, pointer, value).

        Refs were checked when the document was loaded, so a miss here is a bug.
        """
        target_file, _, pointer = ref.partition("#")
        if target_file:
            from .openapi import ref_file_key

            file_key = ref_file_key(file_key or self.key, target_file)
        else:
            file_key = file_key or self.key
        root = self.data if file_key == self.key else self.files[file_key]
        return file_key, pointer, resolve_pointer(root, pointer)


def parse_structured(source: Source, name: str | None = None) -> tuple[Any, Locator]:
    """Parse JSON or YAML bytes into plain values and a position locator."""
    label = name or source.name
    text = decode_text(source.raw, label)
    if looks_like_json(text, label) and text.lstrip()[:1] in ("{", "["):
        data = parse_json(text, label)
        check_depth(data, label)
        return data, Locator(text, "json")
    data, node = parse_yaml(text, label)
    return data, Locator(text, "yaml", node)


def resolve_pointer(data: Any, pointer: str) -> Any:
    """Follow a JSON pointer; raises KeyError when a step is missing."""
    from .parse import unescape_pointer

    node = data
    for token in unescape_pointer(pointer):
        if isinstance(node, dict):
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(token)
    return node
