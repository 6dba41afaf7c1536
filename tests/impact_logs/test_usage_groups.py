"""DuckDB's counters kept as the groups it fetched (impact/usage_groups.py): the impact
graph reads them one operation at a time, and sees what it would read from the whole
``calls`` and ``by_status`` dicts (the streaming reader's, and those built from the
groups), in the same order; a report is the same either way."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from trustguard.cli import cli
from trustguard.impact import usage as usage_module
from trustguard.impact.customers import load_customers
from trustguard.impact.graph import ImpactGraph, build_graph
from trustguard.impact.routes import PathRouter
from trustguard.impact.usage import UsageData, load_usage
from trustguard.impact.usage_groups import Row, UsageGroups

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = {
    "servers": [{"url": "https://api.shop.example/v1"}],
    "paths": {"/orders": {"get": {}, "post": {}}, "/orders/{id}": {"get": {}, "delete": {}},
              "/orders/export": {"get": {}}, "/products/{sku}": {"get": {}}},
}
PATHS = ["/v1/orders", "/v1/orders/12", "/v1/orders/export", "/v1/products/p9", "/v1/nope"]


def _log(path: Path, integrations: list[str]) -> None:
    """Customers calling operations with several statuses and integrations, by id and by
    API key (one key no customer has), in no particular order."""
    rng = random.Random(11)
    with path.open("w") as handle:
        for _ in range(4000):
            who = rng.choice([{"customer": f"c{rng.randint(1, 60)}"}, {"customer": "ghost"},
                              {"api_key": rng.choice(["k1", "k2", "unknown-key"])}])
            handle.write(json.dumps({**who, "method": rng.choice(["GET", "POST", "DELETE"]), "path": rng.choice(PATHS),
                                     "status": rng.choice([200, 201, 404, 500]), "count": rng.randint(0, 9),
                                     "integration": rng.choice(integrations)}) + "\n")


def _customers(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text("id,api_keys\n" + "".join(f"c{i},{'k' + str(i) if i < 3 else ''}\n" for i in range(1, 50)))
    return path


def _eager(data: UsageData) -> UsageData:
    """The same log with its counters as whole dicts, as they were before groups were kept."""
    copy = UsageData(data.name, calls=dict(data.calls), by_status=dict(data.by_status),
                     integration_calls=dict(data.integration_calls),
                     customer_integrations=set(data.customer_integrations), requests=data.requests)
    assert copy.groups is None
    return copy


def _usage_of(g: ImpactGraph, op: str) -> list[tuple[str, str, Any]]:
    return [(a, b, dict(d)) for a, b, d in g.graph.in_edges("o:" + op, data=True)]


@pytest.mark.parametrize("integrations", [[""], ["", "erp", "sdk"]], ids=["no-integration", "integrations"])
def test_the_graph_reads_duckdbs_groups_per_operation_as_it_reads_the_whole_counters(
        tmp_path: Path, integrations: list[str]) -> None:
    log = tmp_path / "usage.jsonl"
    _log(log, integrations)
    router = PathRouter.from_specs([SPEC])
    table = load_customers(_customers(tmp_path))
    duck = load_usage(log, router, table, engine="duckdb")
    python = load_usage(log, router, table, engine="python")
    assert duck.groups is not None and python.groups is None
    asked: list[int | None] = []
    fetch, sums = duck.groups.fetch, duck.groups.sums
    assert sums is not None
    duck.groups.fetch = lambda code: asked.append(code) or fetch(code)  # type: ignore[func-returns-value]
    duck.groups.sums = lambda code: asked.append(code) or sums(code)  # type: ignore[func-returns-value]
    lazy = build_graph(router, table, [duck])
    # which requests an integration made is read from every group, when the log names any
    assert asked == ([None] if len(integrations) > 1 else [])
    asked.clear()
    ops = sorted(router.labels)
    lazy.prepare(ops[:2])
    fetched = [] if len(integrations) > 1 else [duck.groups.ops.index(op) for op in ops[:2]]
    assert asked == fetched  # those operations' rows only, if not all are in memory already
    for op in ops:
        lazy.callers_of(op)
    # the graph and every operation's usage came from the groups, one operation at a time:
    # the dicts were never built, nor all the groups fetched at once
    assert "calls" not in vars(duck) and "by_status" not in vars(duck)
    if len(integrations) == 1:
        assert None not in asked and sorted(asked) == [duck.groups.ops.index(op) for op in ops if op in duck.groups.ops]
    whole = build_graph(router, table, [_eager(load_usage(log, router, table, engine="duckdb"))])
    streamed = build_graph(router, table, [python])
    assert list(lazy.customers) == list(whole.customers)  # the callers missing from the list, in one order
    assert sorted(lazy.customers) == sorted(streamed.customers)
    assert lazy.attributed == whole.attributed == streamed.attributed
    assert bool(lazy.attributed) == (len(integrations) > 1)
    for op in [*ops, "GET /missing"]:
        assert list(lazy.op_calls(op).items()) == list(whole.op_calls(op).items()), op
        assert lazy.op_calls(op) == streamed.op_calls(op) == {
            who: n for (who, key), n in python.calls.items() if key == op}, op
        assert lazy.callers_of(op) == whole.callers_of(op), op
        assert _usage_of(lazy, op) == _usage_of(whole, op), op
    for who in [*dict.fromkeys(who for who, _ in python.calls), "nobody"]:
        assert lazy.customer_traffic(who) == streamed.customer_traffic(who) == sum(
            n for (caller, _), n in python.calls.items() if caller == who)
    assert "calls" not in vars(duck)  # an API-wide finding's traffic needs no calls either
    assert len(integrations) > 1 or asked[-1] is None  # but all the groups
    some = [who for (who, _), n in python.calls.items() if n][:20]
    for who in some:
        for op in ops:
            assert lazy.calls_itself(who, op) == whole.calls_itself(who, op)
    # read whole at last, the counters are the streaming reader's, in sorted order
    assert duck.calls == python.calls and duck.by_status == python.by_status
    assert list(duck.calls) == sorted(duck.calls) and list(duck.by_status) == sorted(duck.by_status)


def test_an_operation_with_several_statuses_sums_them_per_customer() -> None:
    ops = ["DELETE /orders/{}", "GET /orders"]
    rows = [(0, 0, 1, 200, 3), (0, 0, 1, 404, 2), (0, 1, 0, 204, 1), (0, 1, 1, 200, 4), (1, 0, 1, 500, 0)]
    asked: list[int | None] = []

    def fetch(code: int | None) -> list[Row]:
        asked.append(code)
        return rows if code is None else [row for row in rows if row[2] == code]

    groups = UsageGroups(["a", "b"], ["", "erp"], ops, fetch)
    assert groups.callers("GET /orders") == (["a", "b"], [9, 0])
    assert groups.callers("DELETE /orders/{}") == (["a"], [1])
    assert groups.callers("POST /orders") == ([], [])
    assert asked == [1, 0]  # each operation's rows, not all of them
    assert groups.calls() == {("a", "DELETE /orders/{}"): 1, ("a", "GET /orders"): 9, ("b", "GET /orders"): 0}
    assert list(groups.calls()) == sorted(groups.calls())
    assert groups.attributed() == {("a", "DELETE /orders/{}"): 1, ("a", "GET /orders"): 4}
    assert groups.by_status()[("a", "", "GET /orders", 404)] == 2


def test_a_second_log_sums_with_the_first_logs_groups(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    _log(log, ["", "erp"])
    router = PathRouter.from_specs([SPEC])
    duck = load_usage(log, router, engine="duckdb")
    python = load_usage(log, router, engine="python")
    g = build_graph(router, None, [duck, python])
    for op in sorted(router.labels):
        assert g.op_calls(op) == {who: 2 * n for (who, key), n in python.calls.items() if key == op}
    assert g.calls == {pair: 2 * n for pair, n in python.calls.items()}
    assert duck.calls == python.calls  # the first log's own counters are left as they were


@pytest.mark.parametrize("command", ["impact", "check"])
def test_a_report_from_duckdbs_groups_is_byte_identical_to_one_from_the_whole_counters(
        monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(usage_module, "DUCKDB_FROM_BYTES", 0)  # DuckDB reads even the example's log
    args = [command, "examples/api/v1.yaml", "examples/api/v2.yaml", "--customers", "examples/customers.csv",
            "--usage", "examples/usage.jsonl", "--integrations", "examples/integrations.yaml",
            "--contracts", "examples/pacts", "-f", "json"]
    kept: list[UsageData] = []
    original = UsageData.keep_groups

    def keep(self: UsageData, groups: UsageGroups) -> None:
        kept.append(self)
        original(self, groups)

    monkeypatch.setattr(UsageData, "keep_groups", keep)
    lazy = CliRunner().invoke(cli, args)
    assert kept and kept[-1].groups is not None

    def whole(self: UsageData, groups: UsageGroups) -> None:  # the dicts built at once, as before
        self.calls, self.by_status = groups.calls(), groups.by_status()

    monkeypatch.setattr(UsageData, "keep_groups", whole)
    eager = CliRunner().invoke(cli, args)
    assert lazy.exit_code == eager.exit_code and lazy.exit_code in (0, 1)
    assert json.loads(lazy.output)  # a real report
    assert lazy.output == eager.output


def test_an_operations_callers_come_from_the_sums_until_every_row_is_fetched() -> None:
    ops = ["DELETE /orders/{}", "GET /orders"]
    rows = [(0, 0, 1, 200, 3), (0, 0, 1, 404, 2), (0, 1, 0, 204, 1), (0, 1, 1, 200, 4), (1, 0, 1, 500, 0)]
    summed: list[int] = []

    def sums(code: int) -> list[tuple[int, int]]:
        summed.append(code)
        totals: dict[int, int] = {}
        for w, _, o, _, n in rows:
            if o == code:
                totals[w] = totals.get(w, 0) + n
        return sorted(totals.items())

    groups = UsageGroups(["a", "b"], ["", "erp"], ops, lambda code: rows if code is None else [], sums)
    assert groups.callers("GET /orders") == (["a", "b"], [9, 0]) and summed == [1]
    assert groups.callers("PATCH /orders") == ([], []) and summed == [1]  # no such operation: nothing asked
    assert groups.rows == rows  # every row fetched (a whole read): picked from them, the sums not asked
    assert groups.callers("DELETE /orders/{}") == (["a"], [1]) and summed == [1]
