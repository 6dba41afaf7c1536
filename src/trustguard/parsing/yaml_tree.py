"""YAML built into plain Python values straight from libyaml's event stream, with an
explicit stack: nothing recurses, so 10,000-deep nesting is refused at the line where it
crosses the limit instead of overflowing the C stack, and an alias bomb (billion laughs)
is refused as soon as the values reached through aliases pass a bound, before anything
is expanded. The same pass records the line of every mapping key and sequence item
(:class:`YamlIndex`)."""

from __future__ import annotations

from typing import Any

import yaml
from yaml import events as ev

from ..errors import InputError
from .text import MAX_DEPTH, refuse_lone_surrogates

#: Most values a document may reach through YAML aliases (each alias counts the whole
#: subtree it names). Real specs use a handful; a billion-laughs file needs billions.
MAX_ALIAS_EXPANSION = 1_000_000


try:  # the C parser is ~10x faster; fall back when libyaml is missing
    from yaml import CSafeLoader as _YamlLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _YamlLoader  # type: ignore[assignment]


_constructor = yaml.constructor.SafeConstructor()


_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers


_TAG = "tag:yaml.org,2002:"


_BOOLS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}


class _Merge:
    """The ``<<`` merge key (a sentinel: it never reaches the data)."""


_MERGE = _Merge()


_NO_KEY = object()


class YamlIndex:
    """The mark of every mapping key and sequence item, by container identity.

    It keeps the root alive, so the identities stay valid as long as the index does.
    """

    def __init__(self, root: Any, root_mark: Any, marks: dict[int, Any]) -> None:
        self.root = root
        self.root_mark = root_mark
        self.marks = marks


def _plain_scalar(value: str) -> Any:
    """An unquoted scalar, typed as PyYAML's safe loader types it (YAML 1.1)."""
    for tag, regexp in _IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            return _typed(tag, value)
    return value


def _typed(tag: str, value: str) -> Any:
    kind = tag[len(_TAG):] if tag.startswith(_TAG) else ""
    if kind == "null":
        return None
    if kind == "bool":
        return _BOOLS.get(value.lower(), value)
    if kind == "merge":
        return _MERGE
    if kind in ("int", "float"):
        node = yaml.ScalarNode(tag, value)
        try:
            if kind == "int":
                return _constructor.construct_yaml_int(node)
            return _constructor.construct_yaml_float(node)
        except (ValueError, TypeError):  # e.g. an integer beyond Python's digit limit
            return value
    return value  # strings, timestamps (kept as text, as JSON would) and unknown tags


def _scalar(event: ev.ScalarEvent) -> Any:
    if event.tag is None or event.tag == "!":
        if event.implicit[0] and event.tag is None:
            return _plain_scalar(event.value) if event.value else None
        return event.value
    if event.tag in (_TAG + "null", _TAG + "bool", _TAG + "int", _TAG + "float"):
        return _typed(event.tag, event.value)
    return event.value


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def parse_yaml(text: str, name: str) -> tuple[Any, YamlIndex]:
    """Parse one YAML document into plain values and a position index."""
    loader = _YamlLoader(text)
    try:
        built = _YamlBuilder(name).build(loader)
        refuse_lone_surrogates(text, built[0], name)
        return built
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f"{mark.line + 1}:{mark.column + 1}" if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in problem:
            # libyaml (PyYAML >= 6.0.2) has a depth bound of its own, and its scanner can
            # reach it before the builder's bound sees the events: one message either way
            raise InputError(f"the YAML nests deeper than {MAX_DEPTH} levels", file=name, place=place) from None
        raise InputError(f"invalid YAML: {problem}", file=name, place=place) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=name) from None
    finally:
        loader.dispose()


class _Frame:
    __slots__ = ("anchor", "container", "is_map", "key", "marks", "merges", "size")

    def __init__(self, container: Any, anchor: str | None) -> None:
        self.container = container
        self.is_map = isinstance(container, dict)
        self.key: Any = _NO_KEY
        self.size = 1
        self.anchor = anchor
        self.merges: list[Any] | None = None
        self.marks: Any = {} if self.is_map else []


class _YamlBuilder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.through_aliases = 0
        self.marks: dict[int, Any] = {}

    def error(self, message: str, mark: Any) -> InputError:
        place = f"{mark.line + 1}:{mark.column + 1}" if mark is not None else None
        return InputError(message, file=self.name, place=place)

    def build(self, loader: Any) -> tuple[Any, YamlIndex]:
        get_event = loader.get_event
        frames: list[_Frame] = []
        root: Any = _NO_KEY
        root_mark: Any = None
        documents = 0
        while True:
            event = get_event()
            kind = type(event)
            if kind is ev.ScalarEvent:
                value = _scalar(event)
                size = 1
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
            elif kind is ev.MappingStartEvent or kind is ev.SequenceStartEvent:
                if len(frames) >= MAX_DEPTH:
                    raise self.error(f"the YAML nests deeper than {MAX_DEPTH} levels", event.start_mark)
                container: Any = {} if kind is ev.MappingStartEvent else []
                frame = _Frame(container, event.anchor)
                self.marks[id(container)] = frame.marks
                if event.anchor:
                    self.open_anchors.add(event.anchor)
                if frames:
                    self.attach(frames[-1], container, 0, event)
                else:
                    root, root_mark = container, event.start_mark
                frames.append(frame)
                continue
            elif kind is ev.AliasEvent:
                value, size = self.alias(event)
            elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
                done = frames.pop()
                if done.merges:
                    self.merge(done)
                if done.anchor:
                    self.anchors[done.anchor] = (done.container, done.size)
                    self.open_anchors.discard(done.anchor)
                if frames:
                    frames[-1].size += done.size
                continue
            elif kind is ev.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self.error("expected one YAML document, found several (---)", event.start_mark)
                continue
            elif kind is ev.StreamEndEvent:
                break
            else:
                continue
            if frames:
                self.attach(frames[-1], value, size, event)
            else:
                root, root_mark = value, event.start_mark
        if root is _NO_KEY:
            raise InputError("the file holds no YAML document", file=self.name, place="1")
        return root, YamlIndex(root, root_mark, self.marks)

    def attach(self, frame: _Frame, value: Any, size: int, event: Any) -> None:
        frame.size += size
        if not frame.is_map:
            frame.container.append(value)
            frame.marks.append(event.start_mark)
            return
        if frame.key is _NO_KEY:
            if value is _MERGE:
                frame.key = _MERGE
                return
            if isinstance(value, (dict, list)):
                raise self.error("a mapping key must be a plain value, not a mapping or a list",
                                 event.start_mark)
            key = _key_text(value)
            first = frame.marks.get(key)
            if first is not None:
                # YAML requires unique keys; taking the last one would silently drop
                # the first (a whole operation, when it is a method)
                raise self.error(f"duplicate key {key!r} in a mapping (first at line {first.line + 1})",
                                 event.start_mark)
            frame.key = key
            frame.marks[key] = event.start_mark
            return
        if frame.key is _MERGE:
            if frame.merges is None:
                frame.merges = []
            frame.merges.append((value, event.start_mark))
        else:
            frame.container[frame.key] = value
        frame.key = _NO_KEY

    def alias(self, event: Any) -> tuple[Any, int]:
        name = event.anchor
        if name in self.open_anchors:
            raise self.error(f"alias *{name} refers to a value that contains it (a recursive structure)",
                             event.start_mark)
        found = self.anchors.get(name)
        if found is None:
            raise self.error(f"alias *{name} names no anchor defined before it", event.start_mark)
        value, size = found
        self.through_aliases += size
        if self.through_aliases > MAX_ALIAS_EXPANSION:
            raise self.error(
                f"the YAML reaches more than {MAX_ALIAS_EXPANSION:,} values through aliases "
                "(an alias bomb?)",
                event.start_mark,
            )
        return value, size

    def merge(self, frame: _Frame) -> None:
        # YAML merge keys: explicit keys win, then earlier merged mappings win.
        out = frame.container
        for value, mark in frame.merges or []:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    raise self.error("a merge key (<<) takes a mapping or a list of mappings", mark)
                for key, item in source.items():
                    out.setdefault(key, item)
