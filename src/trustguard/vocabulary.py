"""The words every stage and the rule packs share, which need no pydantic: Severity,
Principle, DocumentKind and Verdict (trustguard.model re-exports them).

Apart from model.py so that what only reads rules (``trustguard rules``, the rule packs,
the registry of kinds) does not import pydantic and build the report's models: ~0.1 s.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic_core import CoreSchema


class Severity(str, Enum):
    """How bad a finding is. Ordered: blocker > major > minor > info."""

    BLOCKER = "blocker"
    MAJOR = "major"
    MINOR = "minor"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]  # a str enum: looked up as its text, without the slow .value

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls(value.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r} (expected one of: {choices})") from None


_SEVERITY_RANK = {"info": 0, "minor": 1, "major": 2, "blocker": 3}


class Principle(str, Enum):
    """The promise a change can break."""

    BACKWARD_COMPATIBILITY = "backward-compatibility"
    NO_SURPRISES = "no-surprises"
    NO_DARK_PATTERNS = "no-dark-patterns"


class DocumentKind(str):
    """The kind of a document: ``openapi``, ``pricing``, ``terms``, or one a plug-in
    declares (``trustguard.kinds.register_kind``). An open set, so not an Enum; it keeps
    an Enum's use: ``DocumentKind.OPENAPI``, ``kind.value``, ``DocumentKind("terms")``
    (ValueError for a kind nobody declared), and one object per kind, so ``is`` compares."""

    OPENAPI: ClassVar[DocumentKind]
    PRICING: ClassVar[DocumentKind]
    TERMS: ClassVar[DocumentKind]
    _known: ClassVar[dict[str, DocumentKind]] = {}

    def __new__(cls, value: str) -> DocumentKind:
        known = cls._known.get(value)
        if known is None:
            raise ValueError(f"{value!r} is not a known document kind")
        return known

    @classmethod
    def declare(cls, value: str) -> DocumentKind:
        """The kind named ``value``, made known (the registry of kinds calls this)."""
        known = cls._known.get(value)
        if known is None:
            known = cls._known[value] = str.__new__(cls, value)
        return known

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(cls._known)

    @property
    def value(self) -> str:
        return str.__str__(self)

    def __str__(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"DocumentKind({str.__str__(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (DocumentKind, (str.__str__(self),))

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        from pydantic_core import core_schema  # here: only a model that holds a kind needs it

        return core_schema.no_info_plain_validator_function(
            cls._validate, serialization=core_schema.plain_serializer_function_ser_schema(str.__str__),
            json_schema_input_schema=core_schema.str_schema(), ref="trustguard.model.DocumentKind")

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        return {"enum": list(cls._known), "title": "DocumentKind", "type": "string"}

    @classmethod
    def _validate(cls, value: Any) -> DocumentKind:
        if isinstance(value, DocumentKind):
            return value
        if isinstance(value, str) and value in cls._known:
            return cls._known[value]
        raise ValueError(f"unknown document kind {value!r} (expected one of: {', '.join(cls._known)})")


DocumentKind.OPENAPI = DocumentKind.declare("openapi")
DocumentKind.PRICING = DocumentKind.declare("pricing")
DocumentKind.TERMS = DocumentKind.declare("terms")


class Verdict(str, Enum):
    PASS = "pass"
    FAIL = "fail"
