"""Rule message templates, filled from a Change's facts and fields.

The model uses it too: a finding in a shared schema re-renders its message for each
operation that reaches the schema through another property path."""

from __future__ import annotations

import string
from functools import lru_cache
from typing import Any, Protocol


class _Judged(Protocol):
    """What a template can name: a Change and a Finding both have it."""

    kind: str
    location: str
    operation: str | None
    subject: str | None
    before: Any
    after: Any
    facts: dict[str, Any]


class _Values(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


class _Formatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
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


def render_message(template: str, change: _Judged) -> str:
    """A rule's message template filled with a change's (or finding's) facts and fields."""
    values = _Values(change.facts)
    values.update(
        subject=change.subject or change.location or "",
        before=change.before,
        after=change.after,
        operation=change.operation or "",
        location=change.location,
        kind=change.kind,
    )
    compiled = _compile_template(template)
    if compiled is not None:
        pieces: list[str] = []
        for literal, field, spec in compiled:
            pieces.append(literal)
            if field is not None:
                pieces.append(_formatter.format_field(values[field], spec))
        return "".join(pieces)
    try:
        return _formatter.vformat(template, (), values)
    except (ValueError, IndexError):
        return template
