"""Rule message templates, filled from a Change's facts and fields.

The model uses it too: a finding in a shared schema re-renders its message for each
operation that reaches the schema through another property path."""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import Any, Protocol


class _Judged(Protocol):
    """What a template can name: a Change and a Finding both have it."""

    @property
    def kind(self) -> str: ...
    @property
    def location(self) -> str: ...
    @property
    def operation(self) -> str | None: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def before(self) -> Any: ...
    @property
    def after(self) -> Any: ...
    @property
    def facts(self) -> dict[str, Any]: ...


class _Values(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


#: the widest field and the longest precision a message may ask for: a rule pack is input
#: too, and ``{subject:>1500000000}`` would build a 1.5 GB line
MAX_FIELD_WIDTH = 200

_SPEC = re.compile(r"(?P<head>(?:.?[<>=^])?[-+ ]?z?#?0?)(?P<width>\d*)(?P<group>[,_]?)"
                   r"(?:\.(?P<precision>\d*))?(?P<type>[a-zA-Z%]?)", re.S)


def bounded_spec(format_spec: str) -> str:
    """``format_spec`` with its width and precision at most MAX_FIELD_WIDTH."""
    match = _SPEC.fullmatch(format_spec)
    if match is None:
        return format_spec  # not a valid spec: format() refuses it, and the value is shown plainly
    width, precision = match["width"], match["precision"]
    if not _too_big(width) and not _too_big(precision):
        return format_spec
    width = str(MAX_FIELD_WIDTH) if _too_big(width) else width
    dot = "" if precision is None else "." + (str(MAX_FIELD_WIDTH) if _too_big(precision) else precision)
    return f"{match['head']}{width}{match['group']}{dot}{match['type']}"


def _too_big(digits: str | None) -> bool:
    if not digits:
        return False
    # the length first: int() of thousands of digits is refused (and slow)
    return len(digits) > 4 or int(digits) > MAX_FIELD_WIDTH


class _Formatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec:
            format_spec = bounded_spec(format_spec)
        if value is None:
            return "none"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer() and not format_spec:
            return str(int(value))
        if isinstance(value, (list, tuple)) and not format_spec:
            return ", ".join(str(v) for v in value)
        try:
            return str(super().format_field(value, format_spec))
        except (ValueError, TypeError):
            return str(value)

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        try:
            return super().get_field(field_name, args, kwargs)
        except (KeyError, AttributeError, IndexError, TypeError):
            return "?", field_name


_formatter = _Formatter()


_Part = tuple[str, str | None, str]


@lru_cache(maxsize=4096)
def _compile_template(template: str) -> tuple[_Part, ...] | None:
    """Split a message template once; None when it needs the full formatter."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return None
    out: list[_Part] = []
    for literal, field, spec, conversion in parts:
        if field is not None and (conversion or not field.isidentifier()):
            return None
        out.append((literal, field, spec or ""))
    return tuple(out)


#: what a template names from the change itself rather than from its facts
_FIELDS = frozenset(("subject", "before", "after", "operation", "location", "kind"))


def _field(change: _Judged, name: str) -> Any:
    if name == "subject":
        return change.subject or change.location or ""
    if name == "operation":
        return change.operation or ""
    return getattr(change, name)


def render_message(template: str, change: _Judged) -> str:
    """A rule's message template filled with a change's (or finding's) facts and fields
    (a field wins over a fact of the same name; anything else is ``?``)."""
    compiled = _compile_template(template)
    if compiled is not None:
        # hundreds of findings a run: no merged copy of the facts, and text as it is
        facts = change.facts
        pieces: list[str] = []
        for literal, field, spec in compiled:
            pieces.append(literal)
            if field is not None:
                value = _field(change, field) if field in _FIELDS else facts.get(field, "?")
                pieces.append(value if type(value) is str and not spec else _formatter.format_field(value, spec))
        return "".join(pieces)
    values = _Values(change.facts)
    values.update({name: _field(change, name) for name in _FIELDS})
    try:
        return _formatter.vformat(template, (), values)
    except (ValueError, IndexError):
        return template
