"""HAR 1.2 captures (browser dev tools, proxies, recorders): one JSON document, ``log.entries``.

:func:`read_har` yields every entry as a :class:`HarEntry` (request and response with
their headers, query and bodies) for whoever needs them: usage counting here, replaying
recorded calls against a spec elsewhere. An entry that is not a usable request is a
problem at its JSON pointer (``/log/entries/3``), never a crash.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ...errors import InputError
from .pick import CustomerFrom, query_value, unavailable
from .source import read_all

START = re.compile(rb'^\s*\{\s*"log"\s*:')
OFFERS = "header:NAME, query:NAME or field:NAME (a key of the entry, dotted: _customer, request.x)"


@dataclass(frozen=True)
class HarBody:
    mime: str | None
    text: str | None  # decoded when the HAR stored it base64 ("encoding": "base64")


@dataclass(frozen=True)
class HarEntry:
    """One recorded call of a HAR file."""

    index: int  # its place in log.entries, from 0
    method: str
    url: str
    status: int | None  # None when the capture holds no response (HAR writes 0)
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    query: list[tuple[str, str]] = field(default_factory=list)
    request_body: HarBody | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: HarBody | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def pointer(self) -> str:
        return f"/log/entries/{self.index}"

    def header(self, name: str) -> str | None:
        """A request header's value (names compare case-insensitively, as in HTTP)."""
        wanted = name.lower()
        return next((v for k, v in self.request_headers if k.lower() == wanted), None)


def _pairs(value: Any) -> list[tuple[str, str]]:
    if not isinstance(value, list):
        return []
    return [(str(p["name"]), str(p.get("value", ""))) for p in value
            if isinstance(p, dict) and isinstance(p.get("name"), str)]


def _body(value: Any, text_key: str) -> HarBody | None:
    if not isinstance(value, dict):
        return None
    text = value.get(text_key)
    if isinstance(text, str) and value.get("encoding") == "base64":
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            text = None  # a binary body: there is no text to validate
    return HarBody(value.get("mimeType") if isinstance(value.get("mimeType"), str) else None,
                   text if isinstance(text, str) else None)


def parse_entries(data: Any, name: str, bad: Any) -> Iterator[HarEntry]:
    """The usable entries of a parsed HAR document; ``bad(pointer, reason)`` hears of the rest."""
    log = data.get("log") if isinstance(data, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise InputError("not a HAR file: expected {\"log\": {\"entries\": [...]}}", file=name, place="/log/entries")
    for index, entry in enumerate(entries):
        request = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or not isinstance(request.get("method"), str) \
                or not isinstance(request.get("url"), str):
            bad(f"/log/entries/{index}", "not a HAR entry with request.method and request.url")
            continue
        response = entry.get("response") if isinstance(entry.get("response"), dict) else {}
        status = response.get("status")
        yield HarEntry(
            index=index,
            method=request["method"].upper(),
            url=request["url"],
            status=status if type(status) is int and 100 <= status <= 599 else None,
            request_headers=_pairs(request.get("headers")),
            query=_pairs(request.get("queryString")),
            request_body=_body(request.get("postData"), "text"),
            response_headers=_pairs(response.get("headers")),
            response_body=_body(response.get("content"), "text"),
            raw=entry,
        )


def read_har(path: str | os.PathLike[str], bad: Any = None) -> Iterator[HarEntry]:
    """Every usable entry of a HAR file (plain or gzip); ``bad(pointer, reason)`` is told of
    each unusable one (default: ignored)."""
    name = os.fspath(path)
    raw = read_all(name)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"not a HAR file: the JSON does not parse ({exc})", file=name) from None
    yield from parse_entries(data, name, bad or (lambda pointer, reason: None))


def check_pick(pick: CustomerFrom | None, name: str) -> None:
    if pick is not None and pick.kind == "user":
        raise unavailable(pick, "a HAR file", OFFERS, name)


def _dotted(value: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def ref_of(entry: HarEntry, pick: CustomerFrom) -> str | None:
    if pick.kind == "header":
        value: Any = entry.header(pick.name)
    elif pick.kind == "query":
        value = next((v for k, v in entry.query if k == pick.name), None) or query_value(entry.url, pick.name)
    else:
        value = _dotted(entry.raw, pick.name)
    return str(value) if value not in (None, "") and not isinstance(value, (dict, list)) else None


def rows(name: str, pick: CustomerFrom | None, bad: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """Usage rows of a HAR file, numbered by entry from 1 (problems name the entry)."""
    def bad_entry(pointer: str, reason: str) -> None:
        bad(int(pointer.rsplit("/", 1)[1]) + 1, f"{reason} (entry {pointer})")

    for entry in read_har(name, bad_entry):
        row: dict[str, Any] = {"method": entry.method, "path": entry.url, "status": entry.status}
        if pick is not None:
            row["ref"] = ref_of(entry, pick)
        yield entry.index + 1, row
