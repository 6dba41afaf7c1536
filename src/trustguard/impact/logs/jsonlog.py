"""JSON access-log lines: nginx ``log_format ... escape=json``, Envoy's ``json_format``,
and trustguard's own usage lines (``schemas/usage-line.schema.json``).

Each site names its keys, so the usual spellings are tried: nginx's ``request``
(``"GET /x HTTP/1.1"``), ``request_method``, ``request_uri``/``uri``, ``status``;
Envoy's ``method``, ``path``, ``response_code``. ``header:X-Api-Key`` reads the key
nginx writes for ``$http_x_api_key`` or one named like the header; ``user`` reads
``remote_user``/``user``; ``field:NAME`` any key (dotted for nested objects).
"""

from __future__ import annotations

import re
from typing import Any

from .pick import CustomerFrom, query_value

METHOD_KEYS = ("method", "request_method", "http_method", ":method", "httpMethod")
PATH_KEYS = ("path", "request_uri", "uri", "url", "x-envoy-original-path", "requestUri", "request_path")
STATUS_KEYS = ("status", "response_code", "status_code", "http_status", "statusCode")
USER_KEYS = ("remote_user", "user", "user_id", "enduser.id")
_REQUEST = re.compile(r"^([A-Za-z]+) (\S+)(?: HTTP/[0-9.]+)?$")


def _first(row: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = row.get(key)
        if value not in (None, "", "-"):
            return value
    return None


def _dotted(row: dict[str, Any], name: str) -> Any:
    if name in row:
        return row[name]
    value: Any = row
    for part in name.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _header(row: dict[str, Any], name: str) -> Any:
    snake = name.lower().replace("-", "_")
    for key in (name, name.lower(), "http_" + snake, snake, "req_" + snake):
        if row.get(key) not in (None, "", "-"):
            return row[key]
    for nest in ("headers", "request_headers", "req_headers"):
        headers = row.get(nest)
        if isinstance(headers, dict):
            for key, value in headers.items():
                if str(key).lower() == name.lower():
                    return value[0] if isinstance(value, list) and value else value
    return None


def adapt(row: dict[str, Any], pick: CustomerFrom | None) -> dict[str, Any]:
    """A usage row from one access-log object (a row already in usage form is kept)."""
    out = row
    if "method" not in row or ("path" not in row and "url" not in row):
        out = dict(row)
        method = _first(row, METHOD_KEYS)
        path = _first(row, PATH_KEYS)
        request = row.get("request")
        if isinstance(request, str) and (method is None or path is None):
            found = _REQUEST.match(request)
            if found is not None:
                method = method or found.group(1)
                path = path or found.group(2)
        out["method"], out["path"] = method, path
    if "status" not in row:
        out = out if out is not row else dict(row)
        out["status"] = _first(row, STATUS_KEYS)
    if pick is not None:
        if pick.kind == "header":
            value = _header(row, pick.name)
        elif pick.kind == "query":
            value = query_value(out.get("path") if isinstance(out.get("path"), str) else None, pick.name)
            if value is None and isinstance(row.get("args"), str):  # nginx $args
                value = query_value("?" + row["args"], pick.name)
        elif pick.kind == "user":
            value = _first(row, USER_KEYS)
        else:
            value = _dotted(row, pick.name)
        out = out if out is not row else dict(row)
        out["ref"] = None if value in (None, "", "-") or isinstance(value, (dict, list)) else str(value)
    return out
