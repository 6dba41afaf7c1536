"""Impact fidelity on generated companies (fidelity_scenario.py): the ground truth is what
each customer's calls meet under the revision; trustguard is scored on what it prints.

- recall: every truly affected customer is reported at major or above;
- no customer is reported *for certain* that is not truly affected;
- a customer that calls nothing affected is not reported at all;
- what only traffic shows (no contract says what the calls use) is an estimate, never
  certain -- save a call of a removed operation, which breaks whatever it reads;
- the impact JSON says per customer its severity, certainty, evidence and reasons, and
  validates against ``trustguard schema impact``.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from fidelity_scenario import EXACT, Scenario, breaks, generate, write_replay

from trustguard.cli import cli

SEEDS = [1, 2, 3]
DIRECTIONS = ["forward", "reverse"]
AT_LEAST_MAJOR = ("major", "blocker")
ALL_INPUTS = ("customers", "usage", "integrations", "contracts")


def run(args: list[str]) -> Any:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), result.output
    return result


def impact_json(sc: Scenario, inputs: tuple[str, ...] = ALL_INPUTS, *extra: str) -> dict[str, Any]:
    args = ["impact", str(sc.files["base"]), str(sc.files["revision"]), "-f", "json", *extra]
    for name in inputs:
        args += [f"--{name}", str(sc.files[name])]
    result = run(args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


_LINKED_PACTS = ("pact", "pact-no-traffic", "pact-bare-list", "pact-misspelt", "partner", "mixed")


def visible_breaks(sc: Scenario, cid: str, inputs: tuple[str, ...]) -> list[str]:
    """Why the customer is affected, from the calls the given data can show at all (a
    call in no input is one trustguard cannot know of)."""
    customer = sc.customers[cid]
    out = []
    for n, program in enumerate(customer.programs):
        by_usage = "usage" in inputs and customer.evidence != "pact-no-traffic"
        by_contract = "contracts" in inputs and (
            ("integrations" in inputs and customer.evidence in _LINKED_PACTS and not (customer.evidence == "mixed" and n))
            or (customer.evidence == "own-name-pact" and "customers" in inputs))
        if by_usage or by_contract:
            out += [why for call in program for why in breaks(call, sc.direction)]
    return out


def score(sc: Scenario, doc: dict[str, Any], inputs: tuple[str, ...] = ALL_INPUTS) -> dict[str, int]:
    reported = {c["id"]: c for c in doc["customers"]}
    counts = {"affected": 0, "certain": 0, "estimated-affected": 0, "quiet": 0, "unaffected-reported": 0}
    for cid, customer in sorted(sc.customers.items()):
        truth = sc.truth(cid)
        entry = reported.get(cid)
        if visible_breaks(sc, cid, inputs):
            assert entry is not None, f"{cid} ({customer.evidence}) is affected ({truth}) and not reported"
            assert entry["severity"] in AT_LEAST_MAJOR, (cid, customer.evidence, truth, entry["reasons"])
            counts["affected"] += 1
            counts["estimated-affected"] += entry["certainty"] == "estimated"
        if entry is not None and entry["certainty"] == "certain":
            assert truth, f"{cid} ({customer.evidence}) is reported for certain and is not affected: {entry['reasons']}"
            counts["certain"] += 1
        if entry is not None and not truth:
            counts["unaffected-reported"] += 1
            assert entry["certainty"] == "estimated", cid
        if all(call.op == "GET /accounts" for call in customer.calls()):
            assert entry is None, f"{cid} calls only the untouched GET /accounts, yet is reported: {entry}"
            counts["quiet"] += 1
        if entry is not None:
            assert entry["certainty"] == ("estimated" if entry["estimated"] else "certain")
            assert entry["reasons"] and {r["finding"] for r in entry["reasons"]} == set(entry["findings"])
            for reason in entry["reasons"]:
                finding = doc["findings"][reason["finding"]]
                assert reason["severity"] == finding["severity"] and finding["severity"] != "info"
    return counts


@pytest.mark.parametrize("shared", [False, True], ids=["inline", "shared-schema"])
@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_affected_customer_is_major_and_no_unaffected_one_is_certain(tmp_path, seed, direction, shared):
    sc = generate(seed, tmp_path, direction, shared=shared)
    doc = impact_json(sc)
    counts = score(sc, doc)
    # the scenario exercised every side: affected (certain and estimated), quiet, and
    # unaffected callers reported only as estimates
    assert counts["affected"] >= 20 and counts["certain"] >= 10 and counts["estimated-affected"] >= 1, counts
    assert counts["quiet"] >= 2, counts
    # the JSON a scorer reads is the one `trustguard schema impact` describes
    schema = json.loads(run(["schema", "impact"]).stdout)
    jsonschema.validate(doc, schema)


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_the_generated_change_set_is_what_the_diff_finds(tmp_path, direction):
    sc = generate(1, tmp_path, direction)
    kinds = {(f["kind"], f["operation"]) for f in impact_json(sc)["findings"]}
    expected = {
        "forward": {("api.operation.removed", "DELETE /invoices/{id}"), ("api.parameter.added", "GET /payments"),
                    ("api.schema.property.became-required", "POST /invoices"),
                    ("api.schema.enum.value-removed", "POST /invoices"), ("api.schema.type.changed", "GET /invoices"),
                    ("api.schema.property.removed", "GET /invoices/{id}"), ("api.schema.property.removed", "GET /invoices"),
                    ("api.schema.type.changed", "GET /customers/{id}"),
                    ("api.schema.enum.value-added", "GET /invoices/{id}"),
                    ("api.response.status.removed", "POST /refunds"), ("api.operation.added", "GET /reports"),
                    ("api.schema.property.added", "GET /invoices/{id}")},
        "reverse": {("api.operation.removed", "GET /reports"), ("api.parameter.removed", "GET /payments"),
                    ("api.schema.type.changed", "GET /invoices"), ("api.schema.property.removed", "GET /invoices/{id}"),
                    ("api.schema.type.changed", "GET /customers/{id}"), ("api.operation.added", "DELETE /invoices/{id}")},
    }[direction]
    assert expected <= kinds
    assert not any(op == "GET /accounts" for _, op in kinds)


def test_the_generator_is_deterministic_and_covers_every_kind_of_evidence(tmp_path):
    one, two, other = (generate(s, tmp_path / n) for s, n in ((7, "a"), (7, "b"), (8, "c")))
    for name in ("base", "revision", "customers", "integrations", "usage"):
        assert one.files[name].read_bytes() == two.files[name].read_bytes(), name
    assert one.files["usage"].read_bytes() != other.files["usage"].read_bytes()
    assert sorted(p.name for p in one.files["contracts"].iterdir()) == sorted(
        p.name for p in two.files["contracts"].iterdir())
    evidence = {c.evidence for c in one.customers.values()}
    assert evidence == {"pact", "pact-no-traffic", "traffic-only", "pact-bare-list", "pact-misspelt", "partner",
                        "mixed", "own-name-pact", "quiet"}
    assert one.affected() and set(one.customers) - one.affected()


@pytest.mark.parametrize("seed", SEEDS)
def test_traffic_only_customers_are_estimates_at_major_unless_they_call_a_removed_operation(tmp_path, seed):
    sc = generate(seed, tmp_path)
    reported = {c["id"]: c for c in impact_json(sc)["customers"]}
    found = 0
    for cid, customer in sc.customers.items():
        if customer.evidence != "traffic-only" or not sc.truth(cid):
            continue
        entry = reported[cid]
        assert entry["severity"] in AT_LEAST_MAJOR
        removed = any(call.op == "DELETE /invoices/{id}" for call in customer.calls())
        assert entry["certainty"] == ("certain" if removed else "estimated"), (cid, entry["reasons"])
        for reason in entry["reasons"]:
            assert reason["certainty"] == "estimated" or "contract-broken" not in reason["evidence"]
        found += 1
    assert found >= 3


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("inputs", [("customers", "usage"), ("customers", "contracts", "integrations"), ("usage",),
                                    ("usage", "contracts")])
def test_recall_and_certainty_hold_with_part_of_the_data(tmp_path, direction, inputs):
    """Logs alone, contracts alone, logs and Pacts without a customer list or integrations
    (the logs' integration names and the consumers' own names link them): who the data
    can see is still scored the same way."""
    sc = generate(4, tmp_path, direction)
    counts = score(sc, impact_json(sc, inputs), inputs)
    assert counts["affected"] >= 10, counts


def test_an_optional_response_field_removed_with_only_traffic_is_major_as_an_estimate(tmp_path):
    """The case a rule calls minor (an optional field gone): with logs only nobody is
    proven to read it, and every caller may -- raised, each caller 'may be affected'."""
    sc = generate(2, tmp_path)
    doc = impact_json(sc, ("customers", "usage"))
    memo = next(f for f in doc["findings"] if f["kind"] == "api.schema.property.removed" and f["operation"] == "GET /invoices")
    assert memo["severity"] == "major" and "may-break" in memo["impact"]["flags"]
    assert memo["impact"]["details"]["may_break"]["raised_from"] == "minor"
    callers = {cid for cid, c in sc.customers.items() if any(call.op == "GET /invoices" for call in c.calls())
               and c.evidence not in ("pact-no-traffic",)}
    assert set(memo["impact"]["customer_ids"]) == callers
    estimated = {i for i in memo["impact"]["details"]["estimated_ids"] if not i.startswith("integration:")}
    assert estimated == callers  # every one an estimate
    reported = {c["id"]: c for c in doc["customers"]}
    for cid in callers:
        reason = next(r for r in reported[cid]["reasons"] if doc["findings"][r["finding"]] is memo)
        assert reason["certainty"] == "estimated" and "may-break" in reason["evidence"]
        assert "may be affected" in reason["detail"]


def test_the_floor_for_estimates_is_the_policys(tmp_path):
    sc = generate(2, tmp_path)

    def memo_severity(config: str | None) -> str:
        extra = []
        if config is not None:
            path = tmp_path / "trustguard.yaml"
            path.write_text(config)
            extra = ["-c", str(path)]
        doc = impact_json(sc, ("customers", "usage"), *extra)
        return str(next(f["severity"] for f in doc["findings"]
                        if f["kind"] == "api.schema.property.removed" and f["operation"] == "GET /invoices"))

    assert memo_severity(None) == "major"
    assert memo_severity("impact:\n  may_break_min_severity: 'off'\n") == "minor"
    assert memo_severity("impact:\n  may_break_min_severity: blocker\n") == "blocker"
    (tmp_path / "bad.yaml").write_text("impact:\n  may_break_min_severity: huge\n")
    result = CliRunner().invoke(cli, ["impact", str(sc.files["base"]), str(sc.files["revision"]),
                                      "--usage", str(sc.files["usage"]), "-c", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 2 and "may_break_min_severity" in result.output and "Traceback" not in result.output


def test_without_impact_data_the_findings_keep_the_rules_severity_and_gate(tmp_path):
    sc = generate(2, tmp_path)
    base, rev = str(sc.files["base"]), str(sc.files["revision"])
    plain = run(["check", base, rev, "-f", "json"])
    findings = {(f["kind"], f["operation"]): f["severity"] for f in json.loads(plain.stdout)["findings"]}
    assert findings[("api.schema.property.removed", "GET /invoices")] == "minor"
    assert findings[("api.schema.enum.value-added", "GET /invoices/{id}")] == "major"  # a closed response enum grew
    with_data = run(["check", base, rev, "-f", "json", "--usage", str(sc.files["usage"])])
    raised = {(f["kind"], f["operation"]): f["severity"] for f in json.loads(with_data.stdout)["findings"]}
    assert raised[("api.schema.property.removed", "GET /invoices")] == "major"
    assert plain.exit_code == with_data.exit_code == 1  # the removed operation fails it either way


def test_check_json_carries_the_same_per_finding_certainty(tmp_path):
    """A scorer reading check's JSON (findings -> impact.customer_ids, estimated_ids)
    sees what impact's JSON says per customer."""
    sc = generate(3, tmp_path)
    args = ["check", str(sc.files["base"]), str(sc.files["revision"]), "-f", "json"]
    for name in ALL_INPUTS:
        args += [f"--{name}", str(sc.files[name])]
    data = json.loads(run(args).stdout)
    worst: dict[str, int] = {}
    certain: set[str] = set()
    rank = {"info": 0, "minor": 1, "major": 2, "blocker": 3}
    for f in data["findings"]:
        impact = f.get("impact") or {}
        if f["severity"] == "info":
            continue
        for cid in impact.get("customer_ids", []):
            worst[cid] = max(worst.get(cid, 0), rank[f["severity"]])
            if cid not in impact["details"]["estimated_ids"]:
                certain.add(cid)
    for cid in sc.affected():
        assert worst.get(cid, 0) >= rank["major"], cid
    assert certain <= sc.affected()


@pytest.mark.parametrize("seed", SEEDS)
def test_bare_list_and_misspelt_pacts_are_warned_by_interaction_and_never_spared(tmp_path, seed):
    sc = generate(seed, tmp_path)
    doc = impact_json(sc)
    for consumer, description in sc.bare_list_interactions + sc.misspelt_interactions:
        assert any(f"'{description}'" in w and f"consumer '{consumer}'" in w and "estimated" in w
                   for w in doc["warnings"]), (consumer, description)
    reported = {c["id"]: c for c in doc["customers"]}
    for cid, customer in sc.customers.items():
        if customer.evidence in ("pact-bare-list", "pact-misspelt") and sc.truth(cid):
            assert reported[cid]["severity"] in AT_LEAST_MAJOR, (cid, sc.truth(cid))


def _value_estimate(call: Any, direction: str) -> bool:
    """A call that a change of allowed values or of the status touches: who makes it is an
    estimate whatever its contract writes (an example's value is not every value it sends)."""
    if direction != "forward":
        return False
    return call.op == "POST /refunds" or (call.op == "POST /invoices" and "priority" in (call.body or {}))


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("seed", SEEDS)
def test_exactly_described_customers_that_are_not_hit_are_not_reported(tmp_path, seed, direction):
    """The other direction: a customer whose every call a contract describes exactly, and
    whom nothing breaks, is spared -- estimates are for what the data cannot say."""
    sc = generate(seed, tmp_path, direction)
    reported = {c["id"] for c in impact_json(sc)["customers"]}
    spared = [cid for cid, c in sc.customers.items() if c.evidence in EXACT and not sc.truth(cid)
              and not any(_value_estimate(call, direction) for call in c.calls())]
    assert len(spared) >= 2, "the scenario has exactly described, unaffected customers"
    assert not set(spared) & reported


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_replayed_call_the_revision_refuses_makes_its_customer_certain(tmp_path, direction):
    sc = generate(5, tmp_path, direction)
    recording = tmp_path / "calls.jsonl"
    recorded = write_replay(sc, recording)
    doc = impact_json(sc, ("customers", "usage"), "--replay", str(recording))
    reported = {c["id"]: c for c in doc["customers"]}
    refused = {c["customer"] for c in doc["replay"]["customers"] if c["customer"] and any(
        i["refused"] for i in c["integrations"])}
    assert refused, "some recorded call is refused by the revision"
    for cid in recorded:
        request_breaks = [why for call in sc.customers[cid].calls() for why in breaks(call, direction)
                          if not why.startswith("reads") and "expects" not in why]
        if cid in refused:
            assert request_breaks, f"{cid}: a refused call, yet nothing it sends breaks"
            entry = reported[cid]
            assert entry["certainty"] == "certain" and entry["severity"] in AT_LEAST_MAJOR
            assert "observed-broken" in entry["evidence"], entry["reasons"]
        elif cid in reported:
            assert "observed-broken" not in reported[cid]["evidence"], cid
    assert score(sc, doc, ("customers", "usage"))["affected"] >= 10
