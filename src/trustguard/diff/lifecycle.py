"""Dates of an API's lifecycle (``x-sunset``), read the way the specs write them."""

from __future__ import annotations

import datetime as _dt
from typing import Any


def parse_date(value: Any) -> _dt.date | None:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    for candidate in (text[:10], text):
        try:
            return _dt.date.fromisoformat(candidate)
        except ValueError:
            continue
    try:  # RFC 1123 / HTTP-date, as in the Sunset header
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None
