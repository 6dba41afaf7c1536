"""Plain records for the pipeline, pydantic models for the public API.

The report's and the policy's classes (``model.Finding``, ``config.Config``...) are plain
classes: their fields, their defaults and what they do. Each has a public twin, a pydantic
model that subclasses it (``model_public``, ``config_public``) and adds what pydantic
gives: validation, JSON Schema, ``model_dump``. A check builds plain records only
(``model_construct``), so that ``trustguard check`` never imports pydantic (~50 ms of every
run, and ~15 ms more for the models' classes); the API hands out the public models
(:func:`to_public`), which are the plain classes too (``isinstance`` holds both ways up).

- Calling a plain class (``Summary(changes=1)``) builds its public model, validated, as
  before: only ``model_construct`` builds a plain record, for values already typed.
- A class's pydantic face is reached from the plain class too: ``Config.model_validate``,
  ``Report.model_json_schema``, ``Finding.model_fields`` (the public model's).
- A record's ``model_dump``/``model_dump_json`` dump its public form.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, ParamSpec, TypeVar, dataclass_transform

R = TypeVar("R", bound="Record")
_P = ParamSpec("_P")
_T = TypeVar("_T")

_MISSING: Any = object()


class _Field:
    """A field's default made anew for each record (a list, a dict, a section), or an
    attribute that is not a field (``init=False``: a public model's private attribute)."""

    __slots__ = ("default", "default_factory", "init")

    def __init__(self, default: Any, default_factory: Callable[[], Any] | None, init: bool) -> None:
        self.default, self.default_factory, self.init = default, default_factory, init


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] | None = None, init: bool = True) -> Any:
    """``operations: list[str] = field(default_factory=list)``: each record gets its own;
    ``_template: str = field(init=False, default="")``: not a field, an attribute each
    record has (the public model's private attribute)."""
    return _Field(default, default_factory, init)


class RecordType(type):
    """The plain classes' metaclass: a call builds the public model; the public model's
    pydantic class attributes (``model_validate``...) are reached from the plain class."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls.__dict__.get("_public_name") is None:  # the public model itself, or a subclass of it
            return super().__call__(*args, **kwargs)
        return public_class(cls)(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("model_") or name.startswith("__pydantic"):
            if cls.__dict__.get("_public_name") is not None:
                return getattr(public_class(cls), name)
        raise AttributeError(name)


@dataclass_transform(kw_only_default=True, field_specifiers=(field,))
class Record(metaclass=RecordType):
    """A plain record: its fields are its annotations, in order; a default is a class
    attribute (shared: immutable values only) or a :func:`field`. ``_public_name``
    (``"module:Class"``) names the public model; ``_private`` the attributes that are
    not fields (pydantic's private attributes on the public model) with their defaults."""

    _public_name: ClassVar[str | None] = None
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    _factories: ClassVar[dict[str, Callable[[], Any]]] = {}
    _private: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "model_config" in cls.__dict__ or cls.__dict__.get("_public_name") is None:
            return  # a public model: pydantic reads the annotations itself
        fields: list[str] = []
        defaults: dict[str, Any] = {}
        factories: dict[str, Callable[[], Any]] = {}
        private: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            for name in inspect.get_annotations(klass):
                if not name.startswith("_") and name not in fields:
                    fields.append(name)
        for klass in reversed(cls.__mro__[1:]):  # what the plain bases declared (taken off them already)
            defaults.update(klass.__dict__.get("_defaults", {}))
            factories.update(klass.__dict__.get("_factories", {}))
            private.update(klass.__dict__.get("_private", {}))
        for name, value in list(cls.__dict__.items()):
            if isinstance(value, _Field) and not value.init:
                private[name] = value.default_factory or value.default
                delattr(cls, name)  # the public model declares it again, as a private attribute
        for name in fields:
            if name not in cls.__dict__:
                continue
            value = cls.__dict__[name]
            if isinstance(value, property):
                continue
            if isinstance(value, _Field) and value.default_factory is not None:
                factories[name] = value.default_factory
                defaults.pop(name, None)
            else:
                defaults[name] = value.default if isinstance(value, _Field) else value
                factories.pop(name, None)
            # the public model declares every field again, as pydantic reads it: a default
            # left on the plain class would be an attribute its field shadows
            delattr(cls, name)
        cls._private = private
        cls._fields = tuple(fields)
        cls._defaults = defaults
        cls._factories = factories

    @classmethod
    def model_construct(cls: type[R], _fields_set: set[str] | None = None, **values: Any) -> R:
        """A record from values already typed: no validation, defaults filled in."""
        obj = object.__new__(cls)
        data = obj.__dict__
        for name in cls._fields:
            if name in values:
                data[name] = values[name]
            elif name in cls._defaults:
                data[name] = cls._defaults[name]
            elif name in cls._factories:
                data[name] = cls._factories[name]()
        for name, default in cls._private.items():
            data[name] = default() if callable(default) else default  # a factory, or the value
        return obj

    def model_copy(self: R, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> R:
        """A shallow copy (``deep``: a deep one) with ``update`` applied, unvalidated."""
        obj = object.__new__(type(self))
        if deep:
            import copy

            obj.__dict__.update(copy.deepcopy(self.__dict__))
        else:
            obj.__dict__.update(self.__dict__)
        if update:
            obj.__dict__.update(update)
        return obj

    def model_dump(self, **options: Any) -> dict[str, Any]:
        """The public model's dump of this record."""
        dumped: dict[str, Any] = to_public(self).model_dump(**options)
        return dumped

    def model_dump_json(self, **options: Any) -> str:
        dumped: str = to_public(self).model_dump_json(**options)
        return dumped

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """A pydantic model with a field of this record's type (a public model's, a
        config's waivers) validates, dumps and documents it as the public model, and
        takes a plain record there too, made its public model unvalidated (as pydantic
        takes an instance of the model itself)."""
        from pydantic_core import core_schema

        return core_schema.no_info_before_validator_function(to_public, handler.generate_schema(public_class(cls)))

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={self.__dict__[name]!r}" for name in self._fields if name in self.__dict__)
        return f"{type(self).__name__}({shown})"


def handed_out(records: Callable[_P, _T], name: str) -> Callable[_P, _T]:
    """The public API's function ``name`` for ``records`` (what the CLI calls: it builds
    plain records): the same, with the records in its result made their public models."""
    import functools

    @functools.wraps(records)
    def public(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        result: _T = to_public(records(*args, **kwargs))
        return result

    public.__name__ = public.__qualname__ = name
    return public


def fields_of(cls: type[Record]) -> tuple[str, ...]:
    """A record class's field names, in order (its public model's ``model_fields``, without
    importing it)."""
    return cls._fields


def public_class(cls: type[Any]) -> Any:
    """The public pydantic model of a plain record class (its module imported now)."""
    for klass in cls.__mro__:
        name = klass.__dict__.get("_public_name")
        if name is not None:
            module, _, attr = name.partition(":")
            return getattr(importlib.import_module(module), attr)
    raise TypeError(f"{cls.__name__} has no public model")


#: values that hold no record: a list or dict of only these is handed out as it is
_SCALARS = frozenset((str, int, float, bool, type(None)))


def to_public(value: Any, _seen: dict[int, Any] | None = None) -> Any:
    """``value`` with every plain record in it (in lists, dicts and fields) made its
    public model, unvalidated; a record held twice stays one object. Public models and
    other values are returned as they are (their fields converted in place when they
    hold records)."""
    seen: dict[int, Any] = {} if _seen is None else _seen
    kind = type(value)
    if kind is list:
        if set(map(type, value)) <= _SCALARS:  # a shared schema's 53,000 operations: nothing to convert
            return value
        return [to_public(item, seen) for item in value]
    if kind is dict:
        if set(map(type, value.values())) <= _SCALARS:
            return value
        return {key: to_public(item, seen) for key, item in value.items()}
    if not isinstance(value, Record):
        return value
    done = seen.get(id(value))
    if done is not None:
        return done
    if kind.__dict__.get("_public_name") is None:  # a public model already
        seen[id(value)] = value
        for name, item in list(value.__dict__.items()):
            if isinstance(item, (Record, list, dict)):
                value.__dict__[name] = to_public(item, seen)
        return value
    public = public_class(kind)
    obj = object.__new__(public)
    seen[id(value)] = obj
    values = value.__dict__
    fields: dict[str, Any] = {}  # in the fields' order, as pydantic dumps them
    for name in kind._fields:
        if name in values:
            item = values[name]
            fields[name] = to_public(item, seen) if isinstance(item, (Record, list, dict)) else item
    private = {name: values[name] for name in kind._private if name in values}
    object.__setattr__(obj, "__dict__", fields)
    object.__setattr__(obj, "__pydantic_fields_set__", set(fields))
    object.__setattr__(obj, "__pydantic_extra__", None)
    declared = public.__private_attributes__
    for name, attr in declared.items():
        if name not in private:
            private[name] = attr.get_default()
    object.__setattr__(obj, "__pydantic_private__", private if declared else None)
    return obj
