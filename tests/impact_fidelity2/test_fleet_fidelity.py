"""Impact fidelity on generated fleet companies (fleet_company.py): a component schema
shared by three operations, a nested field removed, a type changed, a query parameter and
a closed request body's field removed, and changes that break nobody; trustguard's own
usage lines with API keys and integrations; Pacts of apps, of a customer's own code (v4)
and of a partner. The ground truth is what each customer's calls meet under v2."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from fleet_company import TRIPS, VEHICLE_OPS, Call, Fleet, breaks, generate
from spec_parts import certain_and_estimated
from tasks_company import expected_flags

from trustguard.cli import cli

CASES = [(profile, seed) for profile in ("spread", "whale") for seed in (1, 2, 3)]
AT_LEAST_MAJOR = ("major", "blocker")
# the programs whose every call a contract describes: an app's Pact, the customer's own
# Pact, the partner's (a mixed customer's own code is described by nothing)
DESCRIBED = ("pact", "own-name-pact", "partner")


@pytest.fixture(scope="module", params=CASES, ids=[f"{p}-{s}" for p, s in CASES])
def fleet(request: Any, tmp_path_factory: Any) -> tuple[Fleet, dict[str, Any]]:
    profile, seed = request.param
    co = generate(seed, tmp_path_factory.mktemp(f"fleet-{profile}-{seed}"), profile)
    args = ["impact", str(co.files["base"]), str(co.files["revision"]), "-f", "json"]
    for name in ("customers", "usage", "integrations", "contracts"):
        args += [f"--{name}", str(co.files[name])]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return co, json.loads(result.stdout)


def _described(co: Fleet, cid: str) -> list[list[Call]]:
    c = co.customers[cid]
    return c.programs[:1] if c.evidence in (*DESCRIBED, "mixed") else []


def _undescribed(co: Fleet, cid: str) -> list[list[Call]]:
    c = co.customers[cid]
    return c.programs[1:] if c.evidence == "mixed" else c.programs if c.evidence == "traffic" else []


def test_recall_certainty_and_silence(fleet):
    co, doc = fleet
    reported = {c["id"]: c for c in doc["customers"]}
    for cid, customer in co.customers.items():
        truth, entry = co.truth(cid), reported.get(cid)
        if truth:
            assert entry is not None and entry["severity"] in AT_LEAST_MAJOR, (cid, customer.evidence, truth)
        elif entry is not None:
            assert entry["certainty"] == "estimated", (cid, customer.evidence, entry["reasons"])
        if customer.evidence in ("quiet", "silent") or (customer.evidence in DESCRIBED and not truth):
            assert entry is None, (cid, customer.evidence, entry and entry["reasons"])


def _check_field(co: Fleet, doc: dict[str, Any], kind: str, op: str, ops: tuple[str, ...],
                 hits: Callable[[Call], bool]) -> None:
    (f,) = [x for x in doc["findings"] if x["kind"] == kind and x["operation"] == op and hits.__doc__ in json.dumps(x)]
    assert sorted(f["operations"]) == sorted(ops)
    assert f["severity"] in AT_LEAST_MAJOR
    certain, estimated = certain_and_estimated(f)
    listed = {cid for cid in certain | estimated if cid in co.customers}

    def calls(programs: list[list[Call]], test: Callable[[Call], bool]) -> bool:
        return any(test(c) for p in programs for c in p if c.op in ops)

    proven = {cid for cid in co.customers if calls(_described(co, cid), hits)}
    unknown = {cid for cid in co.customers if calls(_undescribed(co, cid), lambda c: True)}
    assert certain == proven, (kind, op)
    assert listed - certain == unknown - proven, (kind, op)
    # revenue: the reached customers'; traffic: their requests on each operation that
    # reaches them (a customer hit through GET /vehicles and spared on PUT by its contract
    # brings only its GET requests)
    assert f["impact"]["revenue"] == pytest.approx(math.fsum(co.customers[c].revenue for c in listed))

    def reached_on(o: str) -> set[str]:
        return {cid for cid in co.customers if any(c.op == o and hits(c) for p in _described(co, cid) for c in p)
                or any(c.op == o for p in _undescribed(co, cid) for c in p)}

    revenues = [co.customers[c].revenue for c in listed] + [0.0] * len((certain | estimated) - listed)
    total = math.fsum(c.revenue for c in co.customers.values())
    assert {x for x in f["impact"]["flags"] if x in ("community-shock", "whale-concentration")} == expected_flags(
        revenues, total), (kind, op)
    # the unknown key's 7 requests on GET /vehicles: a caller nothing describes, an estimate
    strangers = (certain | estimated) - listed
    assert strangers <= estimated and len(strangers) == ("GET /vehicles" in ops)
    assert f["impact"]["traffic"] == sum(co.requests.get((cid, o), 0) for o in ops for cid in reached_on(o)) + \
        7 * len(strangers)


def test_field_changes_hit_exactly_who_uses_the_field(fleet):
    co, doc = fleet

    def updated_at(c: Call) -> bool:
        """location/updated_at"""
        return any(r.endswith("location/updated_at") for r in c.reads)

    def odometer(c: Call) -> bool:
        """odometer"""
        return any(r.endswith("odometer") for r in c.reads)

    def region(c: Call) -> bool:
        """region"""
        return "region" in c.query

    def legacy(c: Call) -> bool:
        """legacy_code"""
        return "legacy_code" in (c.body or {})

    def phone(c: Call) -> bool:
        """phone"""
        return "phone" in c.reads

    _check_field(co, doc, "api.schema.property.removed", "GET /vehicles", VEHICLE_OPS, updated_at)
    _check_field(co, doc, "api.schema.type.changed", "GET /vehicles", VEHICLE_OPS, odometer)
    _check_field(co, doc, "api.parameter.removed", "GET /vehicles", ("GET /vehicles",), region)
    _check_field(co, doc, "api.schema.property.removed", "POST /trips", ("POST /trips",), legacy)
    _check_field(co, doc, "api.schema.property.removed", "GET /drivers/{driverId}", ("GET /drivers/{driverId}",), phone)


def test_what_breaks_nobody_reaches_nobody_above_info(fleet):
    """An integer is a number to a reader of distance_km; a request enum that gains a value
    takes every value it took: info, and no customer is reported for them."""
    co, doc = fleet
    harmless = [n for n, f in enumerate(doc["findings"]) if f["operation"] in (TRIPS, "PUT /vehicles/{vehicleId}")
                and f["kind"] in ("api.schema.type.specialized", "api.schema.enum.value-added")]
    assert len(harmless) == 2 and all(doc["findings"][n]["severity"] == "info" for n in harmless)
    for entry in doc["customers"]:
        assert not set(entry["findings"]) & set(harmless)
    for cid, c in co.customers.items():
        if c.calls() and all(call.op in (TRIPS, "GET /ping") for call in c.calls()):
            assert cid not in {e["id"] for e in doc["customers"]}
    assert not any(breaks(c) for c in co.customers["fl000"].calls() if c.op in (TRIPS, "GET /ping"))


def test_totals_and_the_unknown_key(fleet):
    """An API key in trustguard's own usage lines that no listed customer holds is counted
    as a customer of its own (``key:<digest>``, never the key itself), as documented."""
    co, doc = fleet
    totals = doc["totals"]
    strangers = [c["id"] for c in doc["customers"] if c["id"] not in co.customers]
    assert len(strangers) == 1 and strangers[0].startswith("key:") and "fk-nobody" not in json.dumps(doc)
    assert totals["customers_total"] == len(co.customers) + 1
    assert totals["revenue_total"] == pytest.approx(math.fsum(c.revenue for c in co.customers.values()))
    assert totals["traffic_total"] == sum(co.requests.values()) + 7
    assert co.affected() <= {c["id"] for c in doc["customers"]}


def test_a_customer_certain_for_a_field_change_has_the_contract_that_proves_it(fleet):
    """Certain means a contract proves it: for a change of a field or parameter, each
    customer reported for certain carries contract-broken evidence naming the consumer --
    the closed trip body's legacy_code too (the revision refuses a request that sends it)."""
    co, doc = fleet
    for entry in doc["customers"]:
        for reason in entry["reasons"]:
            f = doc["findings"][reason["finding"]]
            if f["impact"]["level"] in ("field", "parameter") and reason["certainty"] == "certain":
                assert "contract-broken" in reason["evidence"], (entry["id"], f["kind"], reason)
    (legacy,) = [f for f in doc["findings"] if f["kind"] == "api.schema.property.removed" and f["operation"] == "POST /trips"]
    senders = {cid for cid in co.customers for p in _described(co, cid) for c in p if "legacy_code" in (c.body or {})}
    consumers = {"routeplanner" if co.customers[cid].evidence in ("partner", "mixed") else
                 cid if co.customers[cid].evidence == "own-name-pact" else f"{cid}-app" for cid in senders}
    assert {e["integration"] for e in legacy["impact"]["evidence"] if e["kind"] == "contract"} == consumers
    assert ("contract-broken" in legacy["impact"]["flags"]) == bool(senders)
