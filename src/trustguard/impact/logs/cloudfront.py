"""Amazon CloudFront standard (access) logs: tab-separated, described by their own header.

``#Version: 1.0`` then ``#Fields: date time x-edge-location sc-bytes c-ip cs-method
cs(Host) cs-uri-stem sc-status ...``: the fields are read by the names the ``#Fields``
line gives, so a log with fewer or more fields (CloudFront added some over the years)
is read the same. ``cs-uri-query`` holds the query string, ``-`` when there is none.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...errors import InputError
from .pick import CustomerFrom, query_value, unavailable

#: the fields of the 33-field standard log, in the order CloudFront documents them
STANDARD_FIELDS = (
    "date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)", "cs-uri-stem",
    "sc-status", "cs(Referer)", "cs(User-Agent)", "cs-uri-query", "cs(Cookie)", "x-edge-result-type",
    "x-edge-request-id", "x-host-header", "cs-protocol", "cs-bytes", "time-taken", "x-forwarded-for",
    "ssl-protocol", "ssl-cipher", "x-edge-response-result-type", "cs-protocol-version", "fle-status",
    "fle-encrypted-fields", "c-port", "time-to-first-byte", "x-edge-detailed-result-type",
    "sc-content-type", "sc-content-len", "sc-range-start", "sc-range-end",
)
#: the request headers CloudFront logs, by the header's name
HEADERS = {"host": "cs(Host)", "referer": "cs(Referer)", "user-agent": "cs(User-Agent)", "cookie": "cs(Cookie)"}
OFFERS = "query:NAME, field:NAME (a #Fields name) or header:Host|Referer|User-Agent|Cookie"


def check_pick(pick: CustomerFrom | None, name: str) -> None:
    if pick is None or pick.kind in ("query", "field"):
        return
    if pick.kind == "header" and pick.name.lower() in HEADERS:
        return
    raise unavailable(pick, "a CloudFront standard log", OFFERS, name)


def rows(lines: Iterator[tuple[int, str]], pick: CustomerFrom | None, bad: Any,
         name: str = "") -> Iterator[tuple[int, dict[str, Any]]]:
    index: dict[str, int] | None = None
    for number, text in lines:
        line = text.rstrip("\r\n")
        if line.startswith("#"):
            if line.startswith("#Fields:"):
                index = {f: i for i, f in enumerate(line[len("#Fields:"):].split())}
                missing = [f for f in ("cs-method", "cs-uri-stem") if f not in index]
                if missing:
                    raise InputError(f"the #Fields line has no {', '.join(missing)} field", file=name, place=str(number))
                if pick is not None and pick.kind == "field" and pick.name not in index:
                    raise InputError(f"--customer-from {pick}: the #Fields line names no such field "
                                     f"(it has {', '.join(index)})", file=name, place=str(number))
            continue
        if index is None:  # a log without its header: the standard fields in their order
            index = {f: i for i, f in enumerate(STANDARD_FIELDS)}
        cells = line.split("\t")
        if len(cells) != len(index):
            bad(number, f"expected {len(index)} tab-separated fields, found {len(cells)}")
            continue
        method = cells[index["cs-method"]]
        stem = cells[index["cs-uri-stem"]]
        query = cells[index["cs-uri-query"]] if "cs-uri-query" in index else "-"
        status = cells[index["sc-status"]] if "sc-status" in index else "-"
        target = stem if query in ("-", "") else f"{stem}?{query}"
        row: dict[str, Any] = {"method": method, "path": target, "status": None if status in ("-", "000") else status}
        if pick is not None:
            if pick.kind == "query":
                value = query_value(target, pick.name)
            else:
                field = pick.name if pick.kind == "field" else HEADERS[pick.name.lower()]
                value = cells[index[field]] if field in index else None
            row["ref"] = None if value in (None, "-", "") else value
        yield number, row
