"""``--usage-summary``: usage already aggregated elsewhere (the result of ``--emit-sql``
run on the user's engine), as Parquet or CSV with columns ``customer``, ``operation``,
``requests`` (or ``count``) and optionally ``status``, ``integration``, ``lines``.

An operation is ``METHOD /template`` (as the SQL writes it) and must be one of the specs';
a NULL operation is traffic no operation matched. ``customer`` is the value the logs gave
(with ``--customer-from``, mapped through the customer list like a log line's).
"""

from __future__ import annotations

import os
from typing import Any

from ..errors import InputError
from .customers import CustomerTable
from .logs.pick import parse_customer_from
from .logs.problems import FileProblems
from .routes import PathRouter, operation_key
from .usage import UsageData, _Aggregator

REQUIRED = ("customer", "operation")


def load_usage_summary(
    path: str | os.PathLike[str], router: PathRouter, customers: CustomerTable | None,
    customer_from: str | None = None,
) -> UsageData:
    import duckdb  # lazily: start-up time matters

    name = os.fspath(path)
    if not os.path.isfile(name):
        raise InputError("no such file", file=name)
    problems = FileProblems(name)
    pick = parse_customer_from(customer_from) if customer_from else None
    data = UsageData(name, problems=problems, customer_from=str(pick) if pick else None)
    agg = _Aggregator(data, router, customers)
    agg.pick = pick
    reader = "read_parquet" if _is_parquet(name) else "read_csv"
    literal = "'" + name.replace("'", "''") + "'"
    con = duckdb.connect()
    try:
        relation = con.sql(f"SELECT * FROM {reader}({literal})")
        columns = [c.lower() for c in relation.columns]
        missing = [c for c in REQUIRED if c not in columns]
        count_col = next((c for c in ("requests", "count") if c in columns), None)
        if missing or count_col is None:
            raise InputError(
                "a usage summary needs the columns customer, operation and requests (or count); "
                f"found: {', '.join(columns)}", file=name)
        pick_col = {c.lower(): c for c in relation.columns}
        wanted = ["customer", "operation", count_col, "status", "integration", "lines"]
        select = ", ".join(f'"{pick_col[c]}"' if c in pick_col else "NULL" for c in wanted)
        rows = con.sql(f"SELECT {select} FROM {reader}({literal})").fetchall()
    except duckdb.Error as exc:
        raise InputError(f"cannot read the usage summary: {exc}".splitlines()[0], file=name) from None
    finally:
        con.close()
    for number, (customer, operation, requests, status, integration, lines) in enumerate(rows, start=2):
        _add(agg, number, customer, operation, requests, status, integration, lines)
    data.unknown_keys = len(agg.unknown_key_ids)
    if data.lines == 0 and problems.total:
        raise InputError("no usable row: " + (problems.summary("row") or ""), file=name)
    return data


def _is_parquet(name: str) -> bool:
    with open(name, "rb") as handle:
        return handle.read(4) == b"PAR1"


def _add(agg: _Aggregator, number: int, customer: Any, operation: Any, requests: Any, status: Any,
         integration: Any, lines: Any) -> None:
    data = agg.data
    try:
        count = int(requests)
        code = int(status) if status not in (None, "") else 0
        line_count = int(lines) if lines not in (None, "") else 1
    except (TypeError, ValueError):
        agg.problems.add(number, "requests, status or lines is not a whole number")
        return
    if count < 0:
        agg.problems.add(number, "requests is negative")
        return
    data.lines += line_count
    op = None
    if operation not in (None, ""):
        key = operation_key(str(operation))
        if key in agg.router.labels:
            op = key
        else:
            method, _, target = str(operation).strip().partition(" ")
            op = agg.router.match(method, target.strip()) if target.strip().startswith("/") else None
    if op is None:
        data.unmatched_lines += line_count
        data.unmatched_requests += count
        data.unmatched[("", str(operation) if operation not in (None, "") else "(paths no operation matched)")] += count
        return
    text = "" if customer is None else str(customer).strip()
    if agg.pick is None and not text:
        agg.problems.add(number, "empty customer")
        return
    # a listed API key names its customer (the SQL's customer column may be a key); with
    # --customer-from a value naming no listed customer is not attributed, as in a log
    who = agg._resolve(text) if agg.pick is not None else agg.keys.get(text, text)
    if who is None:
        data.unattributed_lines += line_count
        data.unattributed_requests += count
        if not text:
            data.unattributed_no_value += line_count
        return
    iid = "" if integration is None else str(integration).strip()
    data.requests += count
    skey = (who, iid, op, code)
    data.by_status[skey] = data.by_status.get(skey, 0) + count
    data.calls[(who, op)] = data.calls.get((who, op), 0) + count
    if agg.known is not None and who not in agg.known and not who.startswith("key:"):
        data.unknown_customers[who] += count
    if iid:
        data.integration_calls[(iid, op)] = data.integration_calls.get((iid, op), 0) + count
        data.customer_integrations.add((who, iid))
