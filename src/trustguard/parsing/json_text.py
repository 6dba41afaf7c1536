"""JSON through the C decoder, its nesting bounded, constants (NaN, Infinity) refused;
against the other version of a document, the members whose text is unchanged are shared
(:func:`equal_members`, :mod:`trustguard.parsing.json_members`)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .json_members import Spans, decode_members
from .text import MAX_DEPTH, _depth_exceeds, _offset_place, refuse_lone_surrogates

if TYPE_CHECKING:
    from .locator import Locator


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_json_decoder = json.JSONDecoder(parse_constant=_reject_constant)


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|-?Infinity|NaN', re.S)


def parse_json(text: str, name: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text; errors carry line:column. Nesting is bounded by ``max_depth``."""
    return parse_json_against(text, name, None, max_depth)[0]


def parse_json_against(
    text: str, name: str, like: Any, max_depth: int = MAX_DEPTH, like_locator: Locator | None = None,
) -> tuple[Any, dict[int, Any], Spans]:
    """:func:`parse_json`, for one version of a document whose other version ``like`` was
    parsed and checked already: also the members equal to ``like``'s (see
    :func:`equal_members`), whose depth needs no second look, and the text span of each
    member (see :mod:`~trustguard.load.json_members`). With ``like_locator``, the locator
    of ``like``'s text, members whose text is unchanged are not parsed again."""
    shared = like_locator is not None and like is not None and like_locator.node is like
    try:
        data, spans = decode_members(
            text, _json_decoder, like if shared else None,
            like_locator.text if shared else None,  # type: ignore[union-attr]
            like_locator.members if shared else None,  # type: ignore[union-attr]
        )
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", file=name, place=f"{exc.lineno}:{exc.colno}") from None
    except RecursionError:
        raise _json_depth_error(text, name, max_depth) from None
    except ValueError as exc:  # NaN / Infinity, or an integer beyond Python's digit limit
        if "digits" in str(exc):
            long_number = re.search(r"[0-9]{4000,}", text)
            place = _offset_place(text, long_number.start()) if long_number else None
            raise InputError("invalid JSON: a number has too many digits", file=name, place=place) from None
        raise InputError(f"invalid JSON: {exc}", file=name, place=_json_constant_place(text)) from None
    same = equal_members(data, like) if like is not None else {}
    if _depth_exceeds(data, max_depth, exact=True, skip=same):
        raise _json_depth_error(text, name, max_depth)
    refuse_lone_surrogates(text, data, name)
    return data, same, spans


def equal_members(data: Any, like: Any) -> dict[int, Any]:
    """The containers two or three levels down in ``data`` (a path item, a component,
    an operation) equal to the one at the same place in ``like``, the other version of
    the document, by id, with their twin in ``like``. Between two versions of a spec most
    of it is unchanged: what passed the checks in one version passes them in the other."""
    same: dict[int, Any] = {}
    if type(data) is not dict or type(like) is not dict:
        return same
    for key, section in data.items():
        other = like.get(key)
        if type(section) is not dict or type(other) is not dict:
            continue
        for name, member in section.items():
            twin: Any = other.get(name)
            if type(member) is not type(twin) or type(member) not in (dict, list):
                continue
            equal = member is twin or _equal(member, twin)
            if equal:
                same[id(member)] = twin
            if type(member) is dict:  # the members of an equal member are equal too
                for sub, value in member.items():
                    twin_value = twin.get(sub)
                    if (type(value) is type(twin_value) and type(value) in (dict, list)
                            and (equal or _equal(value, twin_value))):
                        same[id(value)] = twin_value
    return same


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # a cyclic value, or one whose == is not a truth (handed in as a dict)
        return False


def _json_depth_error(text: str, name: str, limit: int) -> InputError:
    depth = 0
    place = None
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                place = _offset_place(text, match.start())
                break
        elif token in ("]", "}"):
            depth -= 1
    return InputError(f"the JSON nests deeper than {limit} levels", file=name, place=place)


def _json_constant_place(text: str) -> str | None:
    for match in _JSON_TOKEN.finditer(text):
        if match.group() in ("NaN", "Infinity", "-Infinity"):
            return _offset_place(text, match.start())
    return None
