"""The report's models as JSON data: what ``model.model_dump(mode="json")`` gives, built
without pydantic's serializer.

Why: the models defer their pydantic build (see trustguard.model), so the JSON report's
first ``Report.model_dump`` built the whole report's serializer (~20 ms), and then dumped
each finding through Finding's wrap serializer (~30 ms on Stripe's 6-month pair). Here
each model class gets a plan, made once from its fields' annotations, that converts a
value as pydantic's json mode does for the types the report's models use: str, int,
bool, float, enums (their value), DocumentKind, Literal strings, ``X | None``, lists and str-keyed
dicts of those, nested models (Finding with its change's fields flat, as its own
serializer writes it) and plain JSON values for ``Any``. Lists of strings (a shared
schema's 53,000 operations) are checked and copied in C, not item by item.

Anything it is not sure of raises :class:`Unplain`, and the caller dumps with pydantic
instead, so the data is the same either way (tests/test_report_json_data.py compares
them): a value whose type is not exactly the one its field names (pydantic would coerce
it, or warn), a non-finite float, a tuple, a set or a date in an ``Any`` value, an
annotation not listed above, a model with a serializer, computed field, excluded field
or extra values of its own.

It also notes whether a float below 1e-4 in magnitude went in (:attr:`JsonData.small_float`):
the one value orjson writes otherwise than the standard library (report/json_dump.py),
so that a report without one needs no search of its text for it.
"""

from __future__ import annotations

import enum
import inspect
import math
import sys
import types
import typing
from collections.abc import Callable
from typing import Any

from .._record import Record
from ..model import FINDING_CHANGE_FIELDS, DocumentKind, Finding

_STR_ONLY = frozenset((str,))
_PUBLIC_MODULE = "trustguard.model_public"  # where the records' public models are (model_public.py)

class Unplain(Exception):
    """A value this module leaves to pydantic's own dump."""


class JsonData:
    """One dump's conversions; :attr:`small_float` says whether a float below 1e-4 in
    magnitude (not 0) went in."""

    def __init__(self) -> None:
        self.small_float = False

    def model(self, obj: Record, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
        """``obj.model_dump(mode="json", exclude=exclude)``; raises :class:`Unplain`."""
        return _dump_model(self, obj, exclude)

    def plain(self, value: Any) -> Any:
        """A copy of a plain JSON value (what pydantic dumps an ``Any`` as); raises :class:`Unplain`."""
        kind = type(value)
        if kind is str or kind is int or kind is bool or value is None:
            return value
        if kind is float:
            return self.number(value)
        if kind is list:
            return [self.plain(item) for item in value]
        if kind is dict:
            if not set(map(type, value)) <= _STR_ONLY:
                raise Unplain  # pydantic writes other keys as strings its own way
            return {key: self.plain(item) for key, item in value.items()}
        raise Unplain

    def number(self, value: float) -> float:
        if not math.isfinite(value):
            raise Unplain  # pydantic keeps it or makes it None depending on the field
        if value and -1e-4 < value < 1e-4:
            self.small_float = True
        return value


Plan = tuple[tuple[str, Callable[["JsonData", Any], Any]], ...] | None  # None: dumped by pydantic
_PLANS: dict[type[Record], Plan] = {}


def _dump_model(dumper: JsonData, obj: Record, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    cls = type(obj)
    try:
        plan = _PLANS[cls]
    except KeyError:
        plan = _PLANS[cls] = _plan(cls)
    if plan is None or getattr(obj, "__pydantic_extra__", None):
        raise Unplain
    values = obj.__dict__
    try:
        out = {name: convert(dumper, values[name]) for name, convert in plan if name not in exclude}
    except KeyError:
        raise Unplain from None  # a field never set (a model built by hand)
    if issubclass(cls, Finding) and "change" in out:  # as Finding._dump writes it: the change's fields flat
        change = out.pop("change")
        out.update((key, change[key]) for key in FINDING_CHANGE_FIELDS if key in change)
    return out


def _record_of(cls: type[Any]) -> type[Record] | None:
    """The plain record ``cls`` is, or whose public model it is (None: another class, a
    subclass of a public model among them, which pydantic dumps its own way)."""
    for klass in cls.__mro__:
        if klass.__dict__.get("_public_name") is not None:
            if cls is klass or (cls.__module__ == _PUBLIC_MODULE and cls.__name__ == klass.__name__):
                return klass
            return None
    return None


def _plan(cls: type[Record]) -> Plan:
    """The record's fields in order, each with its converter, from the record's own
    annotations (the public model declares the same: tests/test_model_public.py)."""
    record = _record_of(cls)
    if record is None:
        return None
    written: dict[str, tuple[str, str]] = {}
    for klass in reversed(record.__mro__):
        for name, annotation in inspect.get_annotations(klass).items():
            written.setdefault(name, (annotation, klass.__module__))
    plan: list[tuple[str, Callable[[JsonData, Any], Any]]] = []
    for name in record._fields:
        annotation, module = written[name]
        try:  # the names a record's annotations use are its module's
            hint = eval(annotation, vars(sys.modules[module])) if isinstance(annotation, str) else annotation
        except NameError:  # a model imported only for type checking (a notice, a release)
            plan.append((name, _empty))
            continue
        plan.append((name, _converter(hint)))
    return tuple(plan)


def _empty(dumper: JsonData, value: Any) -> Any:
    """A field of a model this module does not know: written when it is empty."""
    if value is None or (type(value) is list and not value):
        return None if value is None else []
    raise Unplain


def _unplain(dumper: JsonData, value: Any) -> Any:
    raise Unplain


def _converter(annotation: Any) -> Callable[[JsonData, Any], Any]:
    """How pydantic's json mode writes a value of a field so annotated (only when the
    value's type is exactly the annotated one)."""
    if annotation is Any:
        return JsonData.plain
    if annotation is str or annotation is int or annotation is bool:
        return _exactly(annotation)
    if annotation is float:
        return _float
    if annotation is DocumentKind:
        return _kind
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _enum(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Record):
        return _model(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal and all(type(arg) is str for arg in args):
        return _literal(frozenset(args))
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        inner = _converter(args[0] if args[1] is type(None) else args[1])
        return lambda dumper, value: None if value is None else inner(dumper, value)
    if origin is list and len(args) == 1:
        return _strings if args[0] is str else _list(_converter(args[0]))
    if origin is dict and len(args) == 2 and args[0] is str:
        return _str_map if args[1] is str else _dict(_converter(args[1]))
    return _unplain


def _exactly(kind: type) -> Callable[[JsonData, Any], Any]:
    def convert(dumper: JsonData, value: Any) -> Any:
        if type(value) is not kind:
            raise Unplain
        return value
    return convert


def _float(dumper: JsonData, value: Any) -> Any:
    if type(value) is float:
        return dumper.number(value)
    if type(value) is int and -(2 ** 53) <= value <= 2 ** 53:
        return dumper.number(float(value))  # pydantic writes an int in a float field as a float
    raise Unplain


def _kind(dumper: JsonData, value: Any) -> Any:
    if type(value) is not DocumentKind:
        raise Unplain
    return str.__str__(value)  # its pydantic serializer: the plain string


def _enum(cls: type[enum.Enum]) -> Callable[[JsonData, Any], Any]:
    def convert(dumper: JsonData, value: Any) -> Any:
        if type(value) is not cls or type(value.value) is not str:
            raise Unplain
        return value.value
    return convert


def _model(cls: type[Record]) -> Callable[[JsonData, Any], Any]:
    def convert(dumper: JsonData, value: Any) -> Any:
        if _record_of(type(value)) is not cls:
            raise Unplain  # a subclass: pydantic writes the annotated class's fields (or warns)
        return _dump_model(dumper, value)
    return convert


def _literal(allowed: frozenset[str]) -> Callable[[JsonData, Any], Any]:
    def convert(dumper: JsonData, value: Any) -> Any:
        if type(value) is not str or value not in allowed:
            raise Unplain
        return value
    return convert


def _strings(dumper: JsonData, value: Any) -> Any:
    if type(value) is not list or not set(map(type, value)) <= _STR_ONLY:
        raise Unplain
    return list(value)


def _str_map(dumper: JsonData, value: Any) -> Any:
    if type(value) is not dict or not set(map(type, value)) <= _STR_ONLY \
            or not set(map(type, value.values())) <= _STR_ONLY:
        raise Unplain
    return dict(value)


def _list(item: Callable[[JsonData, Any], Any]) -> Callable[[JsonData, Any], Any]:
    def convert(dumper: JsonData, value: Any) -> Any:
        if type(value) is not list:
            raise Unplain
        return [item(dumper, one) for one in value]
    return convert


def _dict(item: Callable[[JsonData, Any], Any]) -> Callable[[JsonData, Any], Any]:
    def convert(dumper: JsonData, value: Any) -> Any:
        if type(value) is not dict or not set(map(type, value)) <= _STR_ONLY:
            raise Unplain
        return {key: item(dumper, one) for key, one in value.items()}
    return convert
