"""Replay recorded calls against the revision: which of them it would reject or answer
differently, per customer and integration.

Input: a HAR 1.2 capture (``log.entries``: request and response with bodies) or JSON
lines of request/response pairs::

    {"customer": "c001", "integration": "labelmaker",
     "request": {"method": "GET", "url": "/orders/ord_1?expand=lines", "headers": {...}, "body": ...},
     "response": {"status": 200, "headers": {...}, "body": {...}}}

Each call is checked against the operation it routes to, in the base and in the
revision, with openapi-schema-validator (the OpenAPI dialects of JSON Schema: 3.0's
``nullable``, ``readOnly`` in requests, ``writeOnly`` in responses). Only what the
revision finds and the base does not is reported: a call the base already refuses is the
caller's old problem, not this change's. A request the revision refuses (a missing
required parameter or field, a value of the wrong type, a removed operation) is a
proven break; a response it would give otherwise (a field no longer returned or of
another type, a status no longer documented) is what the caller will see change.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..errors import InputError
from ..load.parse import check_depth, decode_text
from .contracts import Interaction, body_fields, pact_request
from .files import RowProblems, display_name, parse_json_line
from .logs.har import HarEntry, parse_entries
from .logs.pick import parse_customer_from
from .logs.source import read_all
from .operations import UNKNOWN, SpecOperation, SpecOperations
from .routes import HTTP_METHODS, PathRouter

_NO_BODY = object()
MAX_CALLS = 1_000_000
_KEY_HEADERS = ("x-api-key", "api-key", "x-api-token")
_KEY_QUERY = ("api_key", "apikey", "key")
# problems a request meets: the revision refuses the call
REJECTIONS = frozenset({"operation-removed", "missing-parameter", "missing-body", "missing-field",
                        "wrong-type", "invalid-value", "unknown-field"})


@dataclass
class RecordedCall:
    place: str  # file:/log/entries/3 or file:line
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    status: int | None
    response_body: Any
    customer: str | None = None
    integration: str | None = None


@dataclass(frozen=True)
class CallProblem:
    kind: str
    direction: str  # request | response
    where: str  # a parameter name or a body path (lines/items/sku)
    message: str

    @property
    def rejects(self) -> bool:
        return self.direction == "request" and self.kind in REJECTIONS


@dataclass
class ReplayedCall:
    call: RecordedCall
    operation: str  # canonical key
    label: str
    problems: list[CallProblem]

    @property
    def rejected(self) -> bool:
        return any(p.rejects for p in self.problems)

    def as_json(self) -> dict[str, Any]:
        call = self.call
        return {
            "place": call.place, "method": call.method, "path": call.path, "status": call.status,
            "operation": self.label, "refused": self.rejected,
            "problems": [{"kind": p.kind, "direction": p.direction, "where": p.where, "message": p.message}
                         for p in self.problems],
        }


@dataclass
class Replay:
    file: str
    calls: int = 0
    checked: int = 0
    unmatched: int = 0
    unknown_customer: int = 0
    failing: list[ReplayedCall] = field(default_factory=list)
    problems: RowProblems | None = None
    warnings: list[str] = field(default_factory=list)

    def summary(self, listed: int = 20) -> dict[str, Any]:
        """What the JSON report carries: the counts, and per customer and integration the
        calls that now fail (at most ``listed`` of each pair; the counts are whole)."""
        customers = []
        for cid, by_integration in self.by_customer().items():
            integrations: list[dict[str, Any]] = []
            for iid, failed in by_integration.items():
                integrations.append({
                    "integration": iid or None, "failing": len(failed),
                    "refused": sum(1 for f in failed if f.rejected),
                    "calls": [f.as_json() for f in failed[:listed]],
                })
            customers.append({"customer": cid or None, "failing": sum(len(f) for f in by_integration.values()),
                              "integrations": integrations})
        return {
            "file": self.file, "calls": self.calls, "checked": self.checked, "unmatched": self.unmatched,
            "unknown_customer": self.unknown_customer, "malformed": self.problems.total if self.problems else 0,
            "failing": len(self.failing), "refused": sum(1 for f in self.failing if f.rejected),
            "customers": customers,
        }

    def by_customer(self) -> dict[str, dict[str, list[ReplayedCall]]]:
        """customer (``""``: not known) -> integration (``""``: none named) -> failing calls."""
        out: dict[str, dict[str, list[ReplayedCall]]] = {}
        for r in self.failing:
            out.setdefault(r.call.customer or "", {}).setdefault(r.call.integration or "", []).append(r)
        return {c: dict(sorted(v.items())) for c, v in sorted(out.items())}


# ---- reading ----------------------------------------------------------------------

def load_recorded(path: str | os.PathLike[str], keys: dict[str, str],
                  who: Callable[[Any, dict[str, str], dict[str, list[str]]], str | None] | None = None,
                  ) -> tuple[list[RecordedCall], RowProblems]:
    """The calls of a HAR file or a JSON-lines file of request/response pairs (plain or
    gzip); ``keys`` maps the customer list's API keys to customer ids, ``who`` (from
    ``--customer-from``) names the customer of an entry or line instead."""
    name = display_name(path)
    problems = RowProblems(name)
    text = decode_text(read_all(name), name)
    whole = _whole_json(text)
    if isinstance(whole, dict) and isinstance(whole.get("log"), dict):
        check_depth(whole, name)
        calls = []

        def bad(pointer: str, reason: str) -> None:
            problems.add(int(pointer.rsplit("/", 1)[1]), f"{reason} ({pointer})")

        for entry in parse_entries(whole, name, bad):
            call = _har_entry(entry, f"{name}:{entry.pointer}", keys, who)
            if isinstance(call, str):
                problems.add(entry.index, f"{call} ({entry.pointer})")
            else:
                calls.append(call)
            if len(calls) >= MAX_CALLS:
                break
        return calls, problems
    if text.lstrip()[:1] != "{" or (isinstance(whole, dict) and "request" not in whole):
        raise InputError(
            "recorded calls not recognised: expected a HAR file (JSON with log.entries) or JSON lines "
            'of {"request": {...}, "response": {...}} pairs', file=name, place="1")
    calls = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = parse_json_line(line)
        except ValueError:
            problems.add(number, "not valid JSON")
            continue
        call = _pair(row, f"{name}:{number}", keys, who)
        if isinstance(call, str):
            problems.add(number, call)
        else:
            calls.append(call)
        if len(calls) >= MAX_CALLS:
            break
    if not calls and problems.total:
        raise InputError(f"no usable recorded call: {problems.summary('line')}", file=name, place="1")
    return calls, problems


def _whole_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None  # JSON lines: each line an object, the whole not one


def _har_entry(entry: HarEntry, place: str, keys: dict[str, str], who: Any = None) -> RecordedCall | str:
    if entry.method.lower() not in HTTP_METHODS:
        return f"unknown HTTP method {entry.method!r}"
    headers = {k.lower(): v for k, v in entry.request_headers}
    parts = urlsplit(entry.url)
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    body: Any = _NO_BODY
    if entry.request_body is not None and entry.request_body.text:
        body = _decode(entry.request_body.text, entry.request_body.mime or "")
    response_body: Any = _NO_BODY
    if entry.response_body is not None and entry.response_body.text:
        response_body = _decode(entry.response_body.text, entry.response_body.mime or "")
    customer = who(entry.raw, headers, query) if who is not None else (
        _text(entry.raw.get("_customer")) or _customer_from(headers, query, keys))
    return RecordedCall(place, entry.method, parts.path or "/", query, headers, body, entry.status, response_body,
                        customer, _text(entry.raw.get("_integration")))


def _pair(row: Any, place: str, keys: dict[str, str], who: Any = None) -> RecordedCall | str:
    if not isinstance(row, dict) or not isinstance(row.get("request"), dict):
        return "expected an object with a 'request' object"
    req, resp = row["request"], row.get("response")
    method = req.get("method")
    url = req.get("url", req.get("path"))
    if not isinstance(method, str) or method.lower() not in HTTP_METHODS or not isinstance(url, str):
        return "request method or path missing"
    parts = urlsplit(url)
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    if isinstance(req.get("query"), dict):
        for name, value in req["query"].items():
            query.setdefault(str(name), []).extend(str(v) for v in (value if isinstance(value, list) else [value]))
    headers = {str(k).lower(): str(v) for k, v in req.get("headers", {}).items()} if isinstance(req.get("headers"), dict) else {}
    body = req["body"] if "body" in req else _NO_BODY
    status, response_body = None, _NO_BODY
    if isinstance(resp, dict):
        status = resp.get("status") if isinstance(resp.get("status"), int) else None
        response_body = resp["body"] if "body" in resp else _NO_BODY
    if who is not None:
        customer = who(row, headers, query)
    else:
        customer = _text(row.get("customer"))
        if customer is None and _text(row.get("api_key")):
            customer = keys.get(str(row["api_key"]).strip())
        customer = customer or _customer_from(headers, query, keys)
    return RecordedCall(place, method.upper(), parts.path or "/", query, headers, body, status, response_body,
                        customer, _text(row.get("integration")))


def _decode(text: str, media: str) -> Any:
    """A JSON body as data; any other body is not checked (``_NO_BODY`` stands for it
    where a JSON body is expected, so it is never taken for a missing one)."""
    if "json" in media.lower() or text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            return _Opaque(text)
    return _Opaque(text)


@dataclass(frozen=True)
class _Opaque:
    text: str


def _text(value: Any) -> str | None:
    return str(value).strip() if isinstance(value, (str, int)) and str(value).strip() else None


def _customer_from(headers: dict[str, str], query: dict[str, list[str]], keys: dict[str, str]) -> str | None:
    """The customer an API key names (a header, a bearer token or a query parameter),
    through the customer list's keys; None when nothing known names one."""
    if not keys:
        return None
    candidates = [headers[h] for h in _KEY_HEADERS if h in headers]
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        candidates.append(auth[7:])
    candidates.extend(v for q in _KEY_QUERY for v in query.get(q, []))
    for key in candidates:
        found = keys.get(key.strip())
        if found is not None:
            return found
    return None


def _picker(customer_from: str, keys: dict[str, str], ids: set[str] | None) -> Callable[..., str | None]:
    """The customer a call names where ``--customer-from`` says: an API key of the customer
    list, else one of its ids (with no list, an id as given; a key only through the list)."""
    pick = parse_customer_from(customer_from)
    if pick.kind == "user":
        raise InputError("--customer-from user: recorded calls carry no authenticated user; use header:NAME, "
                         "query:NAME or field:NAME")

    def who(raw: Any, headers: dict[str, str], query: dict[str, list[str]]) -> str | None:
        if pick.kind == "header":
            value: Any = headers.get(pick.name.lower())
        elif pick.kind == "query":
            value = next(iter(query.get(pick.name, [])), None)
        else:
            value = raw
            for part in pick.name.split("."):
                value = value.get(part) if isinstance(value, dict) else None
        text = _text(value)
        if text is None:
            return None
        if text in keys:
            return keys[text]
        if ids is None:
            return None if pick.secret else text
        return text if text in ids else None

    return who


# ---- checking ---------------------------------------------------------------------

class SpecChecker:
    """Checks recorded calls against one spec's operations."""

    def __init__(self, spec: Any) -> None:
        self.ops = SpecOperations(spec)
        self.router = PathRouter.from_specs([spec])
        self._validators: dict[tuple[int, str], Any] = {}

    def operation(self, call: RecordedCall) -> SpecOperation | None:
        key = self.router.match(call.method, call.path)
        return self.ops.by_key.get(key) if key is not None else None

    def problems(self, op: SpecOperation, call: RecordedCall) -> list[CallProblem]:
        out = self._parameters(op, call)
        out.extend(self._request_body(op, call))
        out.extend(self._response(op, call))
        return out

    def _validator(self, schema: dict[str, Any], mode: str) -> Any:
        """An OpenAPI schema validator whose local ``$ref`` resolve against the spec:
        the schema's keywords laid over the spec's root, which no keyword reads."""
        found = self._validators.get((id(schema), mode))
        if found is None:
            import openapi_schema_validator as osv  # imported here: only replay needs it

            if self.ops.openapi_31:
                cls = osv.OAS31Validator
            else:
                cls = osv.OAS30WriteValidator if mode == "write" else osv.OAS30ReadValidator
            root = {**self.ops.spec, **schema}
            found = self._validators[(id(schema), mode)] = cls(root)
        return found

    def _errors(self, schema: Any, value: Any, mode: str) -> list[tuple[str, str, str]]:
        """(keyword, body path, message) of each way ``value`` breaks ``schema``."""
        if not isinstance(schema, dict):
            return []
        out = []
        for error in self._validator(schema, mode).iter_errors(value):
            path = "/".join("items" if isinstance(p, int) else str(p) for p in error.absolute_path)
            keyword = str(error.validator)
            if keyword == "required" and isinstance(error.validator_value, list) and isinstance(error.instance, dict):
                for name in error.validator_value:
                    if name not in error.instance:
                        out.append(("required", f"{path}/{name}".strip("/"), f"required field '{name}' missing"))
                continue
            if keyword in ("oneOf", "anyOf", "allOf"):
                # a branch's own errors say what is wrong; the combined one only that none fit
                inner = [e for e in (error.context or []) if e.validator in ("type", "required")]
                if inner:
                    keyword = "type"
            out.append((keyword, path, error.message[:300]))
        return out

    def _parameters(self, op: SpecOperation, call: RecordedCall) -> list[CallProblem]:
        out = []
        for param in self.ops.parameters(op):
            where, name = str(param.get("in", "")), str(param["name"])
            if where == "query":
                values = call.query.get(name)
            elif where == "header":
                values = [call.headers[name.lower()]] if name.lower() in call.headers else None
            else:
                continue  # path parameters route the call; cookies are not recorded reliably
            if values is None:
                if param.get("required"):
                    out.append(CallProblem("missing-parameter", "request", name, f"required {where} parameter '{name}' not sent"))
                continue
            schema = self.ops.resolve(param.get("schema"))
            if isinstance(schema, dict):
                value = _coerce(values, schema, self.ops)
                for keyword, _, message in self._errors(schema, value, "write"):
                    kind = "wrong-type" if keyword == "type" else "invalid-value"
                    out.append(CallProblem(kind, "request", name, f"{where} parameter '{name}': {message}"))
        documented = {str(p["name"]) for p in self.ops.parameters(op) if p.get("in") == "query"}
        for name in sorted(call.query):
            if name not in documented:
                out.append(CallProblem("parameter-undocumented", "request", name, f"query parameter '{name}' is not documented"))
        return out

    def _request_body(self, op: SpecOperation, call: RecordedCall) -> list[CallProblem]:
        body = self.ops.resolve(op.operation.get("requestBody"))
        if not isinstance(body, dict):
            return []
        if call.body is _NO_BODY:
            if body.get("required"):
                return [CallProblem("missing-body", "request", "", "a request body is required and none was sent")]
            return []
        if isinstance(call.body, _Opaque):
            return []
        schema = self.ops.body_schema(body)
        if schema is UNKNOWN:
            return []
        return [_body_problem(k, p, m, "request") for k, p, m in self._errors(schema, call.body, "write")]

    def _response(self, op: SpecOperation, call: RecordedCall) -> list[CallProblem]:
        if call.status is None:
            return []
        response = self.ops.response(op, str(call.status))
        if response is None:
            if not self.ops.statuses(op):
                return []
            return [CallProblem("status-undocumented", "response", str(call.status), f"status {call.status} is not documented")]
        if call.response_body is _NO_BODY or isinstance(call.response_body, _Opaque):
            return []
        schema = self.ops.body_schema(response)
        if schema is UNKNOWN or schema is None:
            return []
        out = [_body_problem(k, p, m, "response") for k, p, m in self._errors(schema, call.response_body, "read")
               if k == "type"]  # a value the server no longer sends, or a field it now adds, harms nobody
        for path in body_fields(call.response_body):
            if path and not self.ops.has_path(schema, path.split("/")):
                out.append(CallProblem("field-removed", "response", path, f"field '{path}' is no longer in the response (the revision does not document it)"))
        return out


def _content_key(call: RecordedCall, rev: SpecChecker, rev_op: SpecOperation, base: SpecChecker,
                 base_op: SpecOperation | None) -> tuple[Any, ...] | None:
    """What the checks of a call read (its operations, query, the headers either spec
    declares, status and bodies), or None when a body is not JSON data."""
    if isinstance(call.body, _Opaque) or isinstance(call.response_body, _Opaque):
        return None
    declared = [*rev.ops.parameters(rev_op), *(base.ops.parameters(base_op) if base_op is not None else ())]
    names = {str(p["name"]).lower() for p in declared if p.get("in") == "header"}
    try:
        bodies = tuple(json.dumps(b, sort_keys=True) if b is not _NO_BODY else None
                       for b in (call.body, call.response_body))
    except (TypeError, ValueError):
        return None
    return (rev_op.key, base_op.key if base_op is not None else None,
            tuple(sorted((k, tuple(v)) for k, v in call.query.items())),
            tuple(sorted((k, v) for k, v in call.headers.items() if k in names or k.startswith("content-"))),
            call.status, *bodies)


def _body_problem(keyword: str, path: str, message: str, direction: str) -> CallProblem:
    kind = {"required": "missing-field", "type": "wrong-type", "additionalProperties": "unknown-field"}.get(
        keyword, "invalid-value")
    return CallProblem(kind, direction, path, f"{direction} body{' at ' + path if path else ''}: {message}")


def _coerce(values: list[str], schema: dict[str, Any], ops: SpecOperations) -> Any:
    """A query or header value as the type its schema says (they travel as text)."""
    kind = schema.get("type")
    if kind == "array":
        items = ops.resolve(schema.get("items"))
        parts = [p for v in values for p in (v.split(",") if len(values) == 1 else [v])]
        return [_scalar(p, items if isinstance(items, dict) else {}) for p in parts]
    return _scalar(values[0], schema)


def _scalar(text: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    for k in kinds:
        try:
            if k == "integer":
                return int(text)
            if k == "number":
                return float(text)
        except ValueError:
            continue
        if k == "boolean" and text.lower() in ("true", "false"):
            return text.lower() == "true"
    return text


def replay(path: str | os.PathLike[str], base_spec: Any, rev_spec: Any, keys: dict[str, str] | None = None,
           customer_from: str | None = None, ids: set[str] | None = None) -> Replay:
    """Check every recorded call in ``path`` against the base and the revision (``keys``:
    API key -> customer id, from the customer list; ``customer_from``: where a call names
    its customer, as ``--customer-from`` says it: header:NAME, query:NAME, field:NAME)."""
    # a customer in the path (path:NAME) is the logs' way: a recorded call then names its
    # customer as it does without the option (its _customer field or an API key)
    routed = customer_from is not None and parse_customer_from(customer_from).routed
    picker = _picker(customer_from, keys or {}, ids) if customer_from and not routed else None
    calls, problems = load_recorded(path, keys or {}, picker)
    out = Replay(display_name(path), calls=len(calls), problems=problems)
    check_calls(calls, base_spec, rev_spec, out)
    summary = problems.summary("recorded call")
    if summary:
        out.warnings.append(summary)
    if out.unmatched:
        out.warnings.append(f"{out.file}: {out.unmatched} recorded call(s) match no operation of the base or revision spec")
    if out.unknown_customer:
        out.warnings.append(
            f"{out.file}: {out.unknown_customer} recorded call(s) name no known customer (no 'customer', "
            "'_customer', or API key from the customer list); they are reported under no customer")
    return out


def contract_requests(contracts: list[tuple[str, Interaction]]) -> list[RecordedCall]:
    """The requests of Pact interactions (integration id, interaction) as calls to check:
    what the provider's verification of each contract will send the revision."""
    out = []
    for iid, interaction in contracts:
        query, headers, body = pact_request(interaction)
        place = f"{interaction.place} '{interaction.description}'" if interaction.description else interaction.place
        out.append(RecordedCall(place, interaction.method, interaction.path.split("?", 1)[0], query, headers,
                                _NO_BODY if body is None else body, None, _NO_BODY, None, iid))
    return out


def check_calls(calls: list[RecordedCall], base_spec: Any, rev_spec: Any, out: Replay) -> Replay:
    """Check ``calls`` against the base and the revision, into ``out``."""
    base, rev = SpecChecker(base_spec), SpecChecker(rev_spec)
    seen: dict[tuple[Any, ...], list[CallProblem]] = {}
    for call in calls:
        if call.customer is None:
            out.unknown_customer += 1
        base_op, rev_op = base.operation(call), rev.operation(call)
        # the operation the call made is gone even when the revision routes its path to
        # another (GET /tasks/export, removed, now fills GET /tasks/{id}): not what it calls
        gone = base_op is not None and rev_op is not None and rev_op.key != base_op.key \
            and base_op.key not in rev.ops.by_key
        if rev_op is None or gone:
            if base_op is None:
                out.unmatched += 1
                continue
            out.checked += 1
            label = f"{base_op.method} {base_op.template}"
            taken = f" (its path now routes to {rev_op.method} {rev_op.template})" if gone and rev_op else ""
            out.failing.append(ReplayedCall(call, base_op.key, label, [CallProblem(
                "operation-removed", "request", "", f"{label} is not in the revision{taken}")]))
            continue
        out.checked += 1
        # recordings repeat themselves: a call equal in all that is checked is checked once
        key = _content_key(call, rev, rev_op, base, base_op)
        new = seen.get(key) if key is not None else None
        if new is None:
            new = rev.problems(rev_op, call)
            if base_op is not None:
                old = {(p.kind, p.direction, p.where) for p in base.problems(base_op, call)}
                new = [p for p in new if (p.kind, p.direction, p.where) not in old]
            if key is not None:
                seen[key] = new
        if new:
            out.failing.append(ReplayedCall(call, rev_op.key, f"{rev_op.method} {rev_op.template}", new))
    return out

