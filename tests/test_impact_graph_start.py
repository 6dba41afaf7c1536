"""The graph's customer layer made while DuckDB reads the logs (graph.start_graph, run by
PendingCustomers' ``then`` right after the list is read): the graph and every finding's
impact are those of a graph built in one go, and a broken list stops the run before it."""

from __future__ import annotations

import gzip
import random
from pathlib import Path
from typing import Any

import pytest

import trustguard.impact as impact_package
from trustguard.errors import InputError
from trustguard.impact.customers import PendingCustomers, load_customers
from trustguard.impact.graph import build_graph, start_graph
from trustguard.impact.routes import PathRouter
from trustguard.impact.usage import load_usage

ROOT = Path(__file__).resolve().parents[1]
SPEC: dict[str, Any] = {"servers": [{"url": "https://api.shop.example/v1"}],
                        "paths": {"/orders": {"get": {}, "post": {}}, "/orders/{id}": {"get": {}, "delete": {}}}}


def _log(path: Path) -> None:
    rng = random.Random(5)
    with gzip.open(path, "wt") as handle:
        for _ in range(1500):
            key = rng.choice(["k1", "k2", "c3", "nobody", ""])
            target = rng.choice(["/v1/orders", "/v1/orders/7"]) + (f"?api_key={key}" if key else "")
            handle.write(f'10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "{rng.choice(["GET", "DELETE"])} {target} '
                         f'HTTP/1.1" {rng.choice([200, 404])} 23 "-" "curl/8"\n')


def _customers(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text("id,api_keys,monthly_revenue,plan\nc1,k1,10,pro\nc2,k2,20,\nc3,,5,free\nc4,k4,7,pro\n")
    return path


def _shape(g: Any) -> tuple[Any, ...]:
    G = g.graph
    return (list(G.nodes(data=True)), sorted((a, b, sorted(d.items())) for a, b, d in G.edges(data=True)),
            list(g.customers.items()), g.warnings, g.customer_list)


@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_a_graph_started_from_the_list_is_the_graph_built_at_once(tmp_path: Path, engine: str) -> None:
    log = tmp_path / "access.log.gz"
    _log(log)
    router = PathRouter.from_specs([SPEC])
    started: list[Any] = []
    pending = PendingCustomers(_customers(tmp_path), lambda table: started.append(start_graph(router, table)))
    usage = load_usage(log, router, pending, customer_from="query:api_key", engine=engine)
    assert len(started) == 1  # made once, by the reader, when it read the list
    pending.table()
    assert len(started) == 1
    table = load_customers(_customers(tmp_path))
    at_once = build_graph(router, table, [usage])
    late = build_graph(router, table, [usage], start=started[0])
    assert late is started[0]
    for op in sorted(router.labels):
        assert late.callers_of(op) == at_once.callers_of(op), op
        assert late.op_calls(op) == at_once.op_calls(op), op
    assert _shape(late) == _shape(at_once)
    assert "p:pro" in late.graph
    assert sorted(late.graph.predecessors("p:pro")) == ["c:c1", "c:c4"]


def test_then_runs_after_the_list_is_read_and_not_for_a_broken_list(tmp_path: Path) -> None:
    seen: list[Any] = []
    pending = PendingCustomers(_customers(tmp_path), seen.append)
    assert seen == []  # nothing before the list is needed
    table = pending.table()
    assert seen == [table]
    broken = tmp_path / "broken.csv"
    broken.write_text("name,plan\nAcme,pro\n")  # no id column
    pending = PendingCustomers(broken, seen.append)
    with pytest.raises(InputError, match="'id' column"):
        pending.table()
    assert seen == [table]


def test_check_starts_the_graph_while_reading_the_usage_and_reports_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole run: the graph's customer layer is made inside load_usage (the list read by
    the log's reader), and the report is the one a graph built after the logs gives."""
    import trustguard

    ex = ROOT / "examples"
    args = dict(customers=ex / "customers.csv", usage=ex / "usage.jsonl", integrations=ex / "integrations.yaml",
                contracts=ex / "pacts")
    phases: list[str] = []
    reading: list[bool] = []
    load_usage_real, start_real = impact_package.load_usage, impact_package.start_graph

    def load(*a: Any, **k: Any) -> Any:
        reading.append(True)
        try:
            return load_usage_real(*a, **k)
        finally:
            reading.pop()

    def start(*a: Any, **k: Any) -> Any:
        phases.append("while reading" if reading else "after")
        return start_real(*a, **k)

    monkeypatch.setattr(impact_package, "load_usage", load)
    monkeypatch.setattr(impact_package, "start_graph", start)
    early = trustguard.check(ex / "api" / "v1.yaml", ex / "api" / "v2.yaml", **args)
    assert phases == ["while reading"]
    monkeypatch.setattr(impact_package, "PendingCustomers", lambda path, then=None: PendingCustomers(path))
    late = trustguard.check(ex / "api" / "v1.yaml", ex / "api" / "v2.yaml", **args)
    assert phases == ["while reading"]  # not started: built at once
    assert [f.model_dump() for f in early.findings] == [f.model_dump() for f in late.findings]
    assert early.impact is not None and early.impact.model_dump() == late.impact.model_dump()


def test_revenue_covers_the_customers_the_logs_add_after_the_list(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    log.write_text('{"customer": "c2", "method": "GET", "path": "/v1/orders"}\n'
                   '{"customer": "ghost", "method": "GET", "path": "/v1/orders"}\n'
                   '{"customer": "c9", "method": "DELETE", "path": "/v1/orders/3"}\n')
    router = PathRouter.from_specs([SPEC])
    table = load_customers(_customers(tmp_path))
    started = start_graph(router, table)
    assert started.revenue == {"c1": 10.0, "c2": 20.0, "c3": 5.0, "c4": 7.0}
    g = build_graph(router, table, [load_usage(log, router, table, engine="python")], start=started)
    # the callers missing from the list count, at no revenue; the listed keep theirs
    assert g.revenue == {cid: c.revenue for cid, c in g.customers.items()}
    assert g.revenue == {"c1": 10.0, "c2": 20.0, "c3": 5.0, "c4": 7.0, "ghost": 0.0, "c9": 0.0}
