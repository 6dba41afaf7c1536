"""Declared integrations: who uses which app, and what each app relies on.

Format: ``schemas/integrations.schema.json``. A file that does not follow the schema
is unusable (an InputError with the line); an integration that names an operation the
spec does not have, or a customer missing from the customer list, is a warning.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from ..errors import InputError
from .files import place_of, read_structured

KINDS = ("app", "partner", "sdk")


@dataclass
class OperationUse:
    """What an integration does with one operation. ``None`` fields: unknown."""

    operation: str  # as written in the file
    response_fields: list[str] | None = None
    request_fields: list[str] | None = None
    parameters: list[str] | None = None
    pointer: str = ""


@dataclass
class Integration:
    id: str
    name: str | None = None
    kind: str = "app"
    customers: list[str] | None = None  # None: every customer ("*")
    contract: str | None = None
    operations: list[OperationUse] = field(default_factory=list)
    pointer: str = ""
    source: str = ""


@cache
def load_schema(name: str) -> dict[str, Any]:
    text = resources.files("trustguard.impact").joinpath("schemas", name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def field_path(text: str) -> str:
    """``lines[]/sku`` and ``lines/items/sku`` are the same path (the diff's spelling)."""
    tokens: list[str] = []
    for token in text.strip().strip("/").split("/"):
        depth = 0
        while token.endswith("[]"):
            token = token[:-2]
            depth += 1
        tokens.append(token)
        tokens.extend(["items"] * depth)
    return "/".join(t for t in tokens if t)


def load_integrations(path: str | os.PathLike[str]) -> list[Integration]:
    data, locator, name = read_structured(path)
    validator = jsonschema.Draft202012Validator(load_schema("integrations.schema.json"))
    errors = sorted(validator.iter_errors(_for_schema(data, name, locator)),
                    key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if errors:
        first = errors[0]
        pointer = "".join(f"/{p}" for p in first.absolute_path)
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise InputError(
            f"not a valid integrations file at {pointer or '/'}: {_explain(first)}{more}",
            file=name, place=place_of(locator, pointer),
        )
    out: list[Integration] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(data["integrations"]):
        pointer = f"/integrations/{index}"
        iid = str(raw["id"])
        if iid in seen:
            raise InputError(
                f"integration id {iid!r} is used twice (first at {seen[iid]})",
                file=name, place=place_of(locator, pointer + "/id"),
            )
        seen[iid] = pointer
        customers = raw.get("customers", [])
        ops = []
        for op_index, op in enumerate(raw.get("operations") or []):
            op_ptr = f"{pointer}/operations/{op_index}"
            if isinstance(op, str):
                ops.append(OperationUse(op, pointer=op_ptr))
                continue
            ops.append(OperationUse(
                op["operation"],
                response_fields=_fields(op.get("response_fields")),
                request_fields=_fields(op.get("request_fields")),
                parameters=[str(p) for p in op["parameters"]] if "parameters" in op else None,
                pointer=op_ptr,
            ))
        out.append(Integration(
            id=iid,
            name=raw.get("name"),
            kind=raw.get("kind", "app"),
            customers=None if customers == "*" else [str(c) for c in customers],
            contract=raw.get("contract"),
            operations=ops,
            pointer=pointer,
            source=f"{name}:{place_of(locator, pointer)}",
        ))
    return out


def _for_schema(data: Any, name: str, locator: Any) -> Any:
    """The data to validate, with long customer lists checked here instead: a partner
    app can list a hundred thousand customers, and jsonschema walks them one by one."""
    if not isinstance(data, dict) or not isinstance(data.get("integrations"), list):
        return data
    slim = []
    for index, item in enumerate(data["integrations"]):
        customers = item.get("customers") if isinstance(item, dict) else None
        if isinstance(customers, list) and len(customers) > 1:
            for pos, cid in enumerate(customers):
                if isinstance(cid, bool) or not isinstance(cid, (str, int)):
                    pointer = f"/integrations/{index}/customers/{pos}"
                    raise InputError(
                        f"not a valid integrations file at {pointer}: a customer id must be text, "
                        f"found {cid!r}", file=name, place=place_of(locator, pointer),
                    )
            item = {**item, "customers": customers[:1]}
        slim.append(item)
    return {**data, "integrations": slim}


def _fields(value: Any) -> list[str] | None:
    if value is None:
        return None
    return [field_path(str(v)) for v in value]


def _explain(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return str(error.message)
    if error.validator == "oneOf" and isinstance(error.instance, str):
        return f"{error.instance!r} is not 'METHOD /path'"
    if error.validator == "oneOf":
        return "expected " + " or ".join(
            str(s.get("description") or s.get("type") or s.get("const") or "a valid value")
            for s in (error.validator_value if isinstance(error.validator_value, list) else [])
            if isinstance(s, dict)
        )
    return str(error.message)
