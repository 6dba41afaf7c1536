"""OpenTelemetry traces in OTLP JSON (the collector's file exporter, ``otlp-json``):
``{"resourceSpans": [{"resource": ..., "scopeSpans": [{"spans": [...]}]}]}``, one such
document per file or one per line.

Only HTTP server spans are requests (``kind`` 2, ``SPAN_KIND_SERVER``); attributes follow
the HTTP semantic conventions: ``http.request.method``, ``url.path`` and ``url.query``
(or the older ``http.method``, ``http.target``, ``http.url``), ``http.response.status_code``
(``http.status_code``). ``header:X-Api-Key`` reads ``http.request.header.x-api-key``,
``user`` reads ``enduser.id``, ``field:NAME`` any span or resource attribute.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ...errors import InputError
from .pick import CustomerFrom, query_value

START = re.compile(rb'^\s*\{\s*"resourceSpans"\s*:')
SERVER = (2, "SPAN_KIND_SERVER")


def _value(value: Any) -> Any:
    """An OTLP AnyValue: {"stringValue": "x"}, {"intValue": "200"}, {"arrayValue": {"values": [...]}}."""
    if not isinstance(value, dict):
        return None
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in value:
            return value[key]
    if "intValue" in value:
        try:
            return int(value["intValue"])  # int64 is a JSON string in OTLP
        except (TypeError, ValueError):
            return None
    array = value.get("arrayValue")
    if isinstance(array, dict) and isinstance(array.get("values"), list):
        return [_value(v) for v in array["values"]]
    return None


def attributes(items: Any) -> dict[str, Any]:
    if not isinstance(items, list):
        return {}
    return {a["key"]: _value(a.get("value")) for a in items if isinstance(a, dict) and isinstance(a.get("key"), str)}


def _first(attrs: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = attrs.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if value not in (None, ""):
            return value
    return None


def documents(lines: Iterator[tuple[int, str]], name: str, bad: Any) -> Iterator[tuple[int, Any]]:
    """(line where it starts, parsed document): a file of one document, or one per line."""
    buffered: list[tuple[int, str]] = []
    for number, text in lines:
        if not buffered and text.strip():
            try:
                yield number, json.loads(text)
                continue
            except ValueError:
                pass  # a document over many lines
            except RecursionError:
                bad(number, "the JSON nests too deeply")
                continue
        buffered.append((number, text))
    if buffered:
        start = buffered[0][0]
        try:
            yield start, json.loads("".join(t for _, t in buffered))
        except (ValueError, RecursionError):
            raise InputError("not OTLP JSON: the JSON does not parse", file=name, place=str(start)) from None


def rows(lines: Iterator[tuple[int, str]], pick: CustomerFrom | None, bad: Any,
         name: str = "") -> Iterator[tuple[int, dict[str, Any]]]:
    """Usage rows of the server spans, numbered by the line their document starts on."""
    for number, doc in documents(lines, name, bad):
        resource_spans = doc.get("resourceSpans") if isinstance(doc, dict) else None
        if not isinstance(resource_spans, list):
            bad(number, "not an OTLP JSON document (no resourceSpans)")
            continue
        for rs in resource_spans:
            if not isinstance(rs, dict):
                continue
            resource = attributes((rs.get("resource") or {}).get("attributes") if isinstance(rs.get("resource"), dict) else None)
            for ss in rs.get("scopeSpans") or rs.get("instrumentationLibrarySpans") or []:
                for span in (ss.get("spans") if isinstance(ss, dict) else None) or []:
                    row = _span_row(span, resource, pick)
                    if isinstance(row, str):
                        if row:
                            bad(number, row)
                        continue
                    yield number, row


def _span_row(span: Any, resource: dict[str, Any], pick: CustomerFrom | None) -> dict[str, Any] | str:
    if not isinstance(span, dict):
        return "a span is not a JSON object"
    if span.get("kind") not in SERVER:
        return ""  # client and internal spans are not requests the API served: not counted
    attrs = attributes(span.get("attributes"))
    method = _first(attrs, "http.request.method", "http.method")
    path = _first(attrs, "url.path", "http.target")
    url = _first(attrs, "url.full", "http.url")
    if path is None and isinstance(url, str):
        path = url
    if not isinstance(method, str) or not isinstance(path, str):
        return "a server span without http.request.method and url.path"
    query = _first(attrs, "url.query")
    target = f"{path}?{query}" if isinstance(query, str) and query and "?" not in path else path
    status = _first(attrs, "http.response.status_code", "http.status_code")
    row: dict[str, Any] = {"method": method, "path": target, "status": status}
    if pick is not None:
        if pick.kind == "header":
            value = _first(attrs, "http.request.header." + pick.name.lower())
        elif pick.kind == "query":
            value = query_value(target, pick.name)
        elif pick.kind == "user":
            value = _first(attrs, "enduser.id", "user.id")
        else:
            value = _first(attrs, pick.name)
            if value is None:
                value = _first(resource, pick.name)
        row["ref"] = None if value in (None, "") else str(value)
    return row
