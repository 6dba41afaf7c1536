"""AWS Application Load Balancer access logs (the ``.log.gz`` files ALB writes to S3).

One space-separated line per request, fields in the documented order, those that may hold
spaces in double quotes. The request field is ``"METHOD scheme://host:port/path?query
HTTP/x"``; the status the client saw is ``elb_status_code``. ALB logs no request header
and no user: the customer comes from ``query:NAME`` or ``field:NAME``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...errors import InputError
from .pick import CustomerFrom, query_value, unavailable

FIELDS = (
    "type", "time", "elb", "client:port", "target:port", "request_processing_time",
    "target_processing_time", "response_processing_time", "elb_status_code", "target_status_code",
    "received_bytes", "sent_bytes", "request", "user_agent", "ssl_cipher", "ssl_protocol",
    "target_group_arn", "trace_id", "domain_name", "chosen_cert_arn", "matched_rule_priority",
    "request_creation_time", "actions_executed", "redirect_url", "error_reason", "target:port_list",
    "target_status_code_list", "classification", "classification_reason", "conn_trace_id",
)
_INDEX = {name: i for i, name in enumerate(FIELDS)}
TYPES = ("http", "https", "h2", "grpcs", "ws", "wss")
START = re.compile(r"^(?:http|https|h2|grpcs|ws|wss) \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')
_REQUEST = re.compile(r"^([A-Z]+) (\S+) \S+$")
OFFERS = "query:NAME or field:NAME (a documented ALB field)"


def check_pick(pick: CustomerFrom | None, name: str) -> None:
    if pick is None or pick.kind == "query":
        return
    if pick.kind == "field" and pick.name in _INDEX:
        return
    if pick.kind == "field":
        raise InputError(f"--customer-from {pick}: not an ALB log field (expected one of {', '.join(FIELDS)})", file=name)
    raise unavailable(pick, "an ALB access log", OFFERS, name)


def rows(lines: Iterator[tuple[int, str]], pick: CustomerFrom | None, bad: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, text in lines:
        tokens = [m.group(1) if m.group(1) is not None else m.group(2) for m in _TOKEN.finditer(text)]
        if len(tokens) < 13 or tokens[0] not in TYPES:
            bad(number, "not an ALB access log line")
            continue
        req = _REQUEST.match(tokens[12])
        if req is None:  # ALB writes "- - -" for a request it could not parse
            bad(number, "the request is not 'METHOD URL HTTP/x'")
            continue
        method, url = req.groups()
        status = tokens[8]
        row: dict[str, Any] = {"method": method, "path": url, "status": None if status == "-" else status}
        if pick is not None:
            if pick.kind == "query":
                row["ref"] = query_value(url, pick.name)
            else:
                index = _INDEX[pick.name]
                value = tokens[index] if index < len(tokens) else None
                row["ref"] = None if value in (None, "-", "") else value
        yield number, row
