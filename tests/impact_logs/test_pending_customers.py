"""A customer list handed to load_usage still unread (PendingCustomers) is read while
DuckDB reads the logs: the results are those of the list read first, it is read once, and
a broken list is still the error the user is told, before anything about the logs."""

from __future__ import annotations

import gzip
import random
from pathlib import Path
from typing import Any

import pytest

from trustguard.errors import InputError
from trustguard.impact.customers import PendingCustomers, customer_table, load_customers
from trustguard.impact.routes import PathRouter
from trustguard.impact.usage import load_usage

SPEC: dict[str, Any] = {"servers": [{"url": "https://api.shop.example/v1"}],
                        "paths": {"/orders": {"get": {}, "post": {}}, "/orders/{id}": {"get": {}, "delete": {}}}}
COMPARED = ("calls", "by_status", "lines", "requests", "unmatched_requests", "unattributed_lines",
            "unattributed_no_value", "unknown_customers", "unknown_keys")


def _log(path: Path) -> None:
    rng = random.Random(3)
    with gzip.open(path, "wt") as handle:
        for _ in range(2000):
            key = rng.choice(["k1", "k2", "c3", "nobody", ""])
            target = rng.choice(["/v1/orders", "/v1/orders/7", "/v1/nope"]) + (f"?api_key={key}" if key else "")
            handle.write(f'10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "{rng.choice(["GET", "DELETE"])} {target} '
                         f'HTTP/1.1" {rng.choice([200, 404])} 23 "-" "curl/8"\n')


def _customers(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text("id,api_keys,monthly_revenue\nc1,k1,10\nc2,k2,20\nc3,,5\n")
    return path


@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_a_pending_list_counts_as_the_list_read_first(tmp_path: Path, engine: str) -> None:
    log = tmp_path / "access.log.gz"
    _log(log)
    router = PathRouter.from_specs([SPEC])
    table = load_customers(_customers(tmp_path))
    pending = PendingCustomers(_customers(tmp_path))
    read_first = load_usage(log, router, table, customer_from="query:api_key", engine=engine)
    read_late = load_usage(log, router, pending, customer_from="query:api_key", engine=engine)
    for name in COMPARED:
        assert getattr(read_late, name) == getattr(read_first, name), name
    assert read_late.warnings() == read_first.warnings()
    # the keys resolved: c1 and c2 by their keys, c3 by its id; "nobody" unattributed
    assert {who for who, _ in read_late.calls} == {"c1", "c2", "c3"}
    assert read_late.unattributed_lines > 0
    # read once: the table the reader used is the one the caller gets
    assert customer_table(pending) is pending.table()


@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_a_broken_pending_list_is_the_error_told(tmp_path: Path, engine: str) -> None:
    log = tmp_path / "access.log.gz"
    _log(log)
    broken = tmp_path / "customers.csv"
    broken.write_text("name,plan\nAcme,pro\n")  # no id column
    router = PathRouter.from_specs([SPEC])
    with pytest.raises(InputError, match="needs an 'id' column") as caught:
        load_usage(log, router, PendingCustomers(broken), customer_from="query:api_key", engine=engine)
    assert caught.value.file == str(broken)


def test_a_broken_list_is_told_before_a_missing_log(tmp_path: Path) -> None:
    broken = tmp_path / "customers.csv"
    broken.write_text("id\n")  # a header, no customer
    router = PathRouter.from_specs([SPEC])
    with pytest.raises(InputError, match="no usable customer"):
        load_usage(tmp_path / "missing.log", router, PendingCustomers(broken), customer_from="query:api_key")
    # and with a good list, the missing log is the error
    with pytest.raises(InputError) as caught:
        load_usage(tmp_path / "missing.log", router, PendingCustomers(_customers(tmp_path)),
                   customer_from="query:api_key")
    assert "missing.log" in str(caught.value)


def test_a_broken_list_is_told_before_a_log_the_pick_does_not_fit(tmp_path: Path) -> None:
    # DuckDB's reader refuses the --customer-from before its pass starts (a CloudFront log
    # has no X-Api-Key header field): the broken list is still the error told
    fields = ["date", "time", "cs-method", "cs-uri-stem", "sc-status", "cs-uri-query"]
    log = tmp_path / "E2EXAMPLE.2019-12-04-21.d111111a"
    log.write_text("#Version: 1.0\n#Fields: " + " ".join(fields) + "\n"
                   + "2019-12-04\t21:02:31\tGET\t/v1/orders\t200\tapi_key=k1\n")
    broken = tmp_path / "broken.csv"
    broken.write_text("id\n")
    router = PathRouter.from_specs([SPEC])
    for engine in ("duckdb", "python"):
        with pytest.raises(InputError, match="no usable customer"):
            load_usage(log, router, PendingCustomers(broken), customer_from="header:X-Api-Key", engine=engine)
        with pytest.raises(InputError, match="CloudFront") as caught:
            load_usage(log, router, PendingCustomers(_customers(tmp_path)), customer_from="header:X-Api-Key",
                       engine=engine)
        assert "X-Api-Key" in str(caught.value)
