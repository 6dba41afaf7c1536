"""The customer list a bill impact reads: per customer ``id``, ``plan`` (a base plan
name), ``seats`` (default 1), ``billing`` (``monthly`` / ``annual``, default monthly),
``addons`` (names, ``;``-separated in CSV) and the monthly usage of any limit, as a column
``usage.<limitName>`` (or a bare column named like the limit; in JSON/YAML a ``usage``
mapping). CSV, JSON or YAML; bad rows are warnings, an unusable file an InputError.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .files import RowProblems, csv_rows, normalise_key, read_text, structured_records
from .usage import first_value

if TYPE_CHECKING:  # the models arrive with the diff's comparison: impact neither loads nor diffs
    from ..load.pricing import Pricing

_ID_KEYS = ("id", "customer_id", "customer")
_SEAT_KEYS = ("seats", "users", "quantity", "licenses")
_PERIOD_KEYS = ("billing", "billing_period", "period")
_ADDON_KEYS = ("addons", "add_ons")
_USAGE_PREFIXES = ("usage.", "usage_", "usage:")
_RESERVED = frozenset({*_ID_KEYS, *_SEAT_KEYS, *_PERIOD_KEYS, *_ADDON_KEYS, "plan", "name", "segment"})


@dataclass(frozen=True, slots=True)
class BillCustomer:
    id: str
    plan: str
    seats: int = 1
    period: str = "monthly"
    usage: dict[str, float] = field(default_factory=dict)
    addons: tuple[str, ...] = ()
    name: str | None = None
    segment: str | None = None


def load_bill_customers(
    path: str | os.PathLike[str], base: Pricing, revision: Pricing
) -> tuple[list[BillCustomer], list[str]]:
    """Read the customers; rows naming an unknown plan or with bad numbers become warnings."""
    name = os.fspath(path)
    limit_names = {n.lower(): n for n in (*revision.limits, *base.limits)}
    plan_names = {n.lower(): n for n in base.plans}
    problems = RowProblems(name)
    out: list[BillCustomer] = []
    seen: set[str] = set()
    if Path(name).suffix.lower() == ".csv":
        header, rows = csv_rows(read_text(path), name)
        if not any(k in header for k in _ID_KEYS) or "plan" not in header:
            raise InputError(
                "the customer CSV needs 'id' and 'plan' columns (header: " + ", ".join(header) + ")",
                file=name, place="1",
            )
        usage_cols = _usage_columns(header, limit_names)
        for line, cells in rows:
            if len(cells) != len(header):
                problems.add(line, f"expected {len(header)} cells, found {len(cells)}")
                continue
            row = dict(zip(header, cells, strict=False))
            usage: dict[str, Any] = {limit: row[col] for col, limit in usage_cols.items() if row.get(col, "").strip() != ""}
            addons = tuple(a.strip() for a in str(first_value(row, _ADDON_KEYS) or "").split(";") if a.strip())
            _add(out, seen, row, usage, addons, plan_names, problems, line, base)
    else:
        name, records = structured_records(path, problems, "customers", "customer")
        for number, record in records:
            row = {normalise_key(str(k)): v for k, v in record.items()}
            given = record.get("usage")
            raw_usage: dict[str, Any] = given if isinstance(given, dict) else {}
            usage = {}
            for key, value in raw_usage.items():
                limit = limit_names.get(str(key).lower())
                if limit is None:
                    problems.add(number, f"usage of an unknown limit {key!r} (ignored)")
                    continue
                usage[limit] = value
            raw_addons = first_value(row, _ADDON_KEYS) or []
            addons = tuple(str(a) for a in raw_addons) if isinstance(raw_addons, list) else tuple(
                a.strip() for a in str(raw_addons).split(";") if a.strip()
            )
            _add(out, seen, row, usage, addons, plan_names, problems, number, base)
    warnings = [s for s in [problems.summary("row" if name.lower().endswith(".csv") else "entry")] if s]
    if not out:
        raise InputError("no usable customer in the file (each needs an id and a plan of the base pricing)", file=name)
    return out, warnings


def _usage_columns(header: list[str], limits: dict[str, str]) -> dict[str, str]:
    """Column -> limit name; headers arrive lower-cased, limit names are matched likewise."""
    cols: dict[str, str] = {}
    for norm in header:
        if norm in _RESERVED:
            continue
        key = norm
        for prefix in _USAGE_PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix):]
                break
        limit = limits.get(key.lower())
        if limit is not None:
            cols[norm] = limit
    return cols


#: bounds no real customer reaches; beyond them a bill's sums overflow a float
MAX_SEATS = 1e9
MAX_USAGE = 1e15


def _bounded(number: float, bound: float, what: str, name: str, line: int) -> float:
    if number > bound:
        raise InputError(f"{what} is {number:g}, more than {bound:g}: not a real customer's figure",
                         file=name, place=str(line))
    return number


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        try:
            number = float(str(value).replace(",", "").strip())
        except ValueError:
            return None
    return number if number >= 0 and math.isfinite(number) else None


def _add(
    out: list[BillCustomer], seen: set[str], row: dict[str, Any], usage_raw: dict[str, Any],
    addons: tuple[str, ...], plans: dict[str, str], problems: RowProblems, line: int, base: Pricing,
) -> None:
    cid = first_value(row, _ID_KEYS)
    if cid is None:
        problems.add(line, "no customer id")
        return
    cid = str(cid).strip()
    if cid in seen:
        problems.add(line, "duplicate customer id (the first entry is kept)")
        return
    plan = plans.get(str(row.get("plan") or "").strip().lower())
    if plan is None:
        problems.add(line, "plan not in the base pricing")
        return
    seats_raw = first_value(row, _SEAT_KEYS)
    seats = _number(seats_raw) if seats_raw is not None else 1.0
    if seats is None or seats < 1 or not float(seats).is_integer():
        problems.add(line, "seats is not a whole number >= 1")
        return
    _bounded(seats, MAX_SEATS, "seats", problems.name, line)
    usage: dict[str, float] = {}
    for limit, value in usage_raw.items():
        number = _number(value)
        if number is None:
            problems.add(line, f"usage of {limit} is not a number >= 0")
            return
        usage[limit] = _bounded(number, MAX_USAGE, f"usage of {limit}", problems.name, line)
    period = base.period_of(str(first_value(row, _PERIOD_KEYS) or "monthly"))
    seen.add(cid)
    name, segment = row.get("name"), row.get("segment")
    out.append(BillCustomer(
        id=cid, plan=plan, seats=int(seats), period=period, usage=usage, addons=addons,
        name=str(name) if name not in (None, "") else None,
        segment=str(segment) if segment not in (None, "") else None,
    ))
