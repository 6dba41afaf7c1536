"""Contract evidence: a Pact that reads what a change removes is a proven break (major,
contract-broken); one that provably does not is spared; one whose paths the spec does not
document is an estimate with a warning naming the interaction, never spared for certain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from evidence_shop import interaction, pact, write_json

import trustguard
from trustguard.config import Config, ImpactPolicy
from trustguard.errors import ConfigError
from trustguard.model import Finding, Report, Severity

ORDER = {"id": "o1", "status": "open", "total": {"amount": "4.20", "currency": "EUR"}}


def run(tmp_path: Path, specs: tuple[Path, Path], pacts: dict[str, dict[str, Any]],
        customers: dict[str, list[str]], config: Config | None = None, usage: list[dict[str, Any]] | None = None) -> Report:
    folder = tmp_path / "pacts"
    folder.mkdir(exist_ok=True)
    for name, data in pacts.items():
        write_json(folder / f"{name}.json", data)
    rows = sorted({c for ids in customers.values() for c in ids})
    (tmp_path / "customers.csv").write_text("id,name,monthly_revenue\n" + "".join(f"{c},{c},100\n" for c in rows))
    (tmp_path / "integrations.yaml").write_text(yaml.safe_dump({"integrations": [
        {"id": name, "contract": name, "customers": ids} for name, ids in customers.items()]}))
    inputs: dict[str, Any] = {}
    if usage is not None:
        (tmp_path / "usage.jsonl").write_text("".join(__import__("json").dumps(u) + "\n" for u in usage))
        inputs["usage"] = tmp_path / "usage.jsonl"
    return trustguard.check(specs[0], specs[1], customers=tmp_path / "customers.csv",
                            integrations=tmp_path / "integrations.yaml", contracts=folder, config=config, **inputs)


def one(report: Report, kind: str, operation: str, path_part: str = "") -> Finding:
    found = [f for f in report.findings if f.kind == kind and operation in f.operations
             and path_part in str(f.facts.get("property_path") or f.facts.get("param_name") or "")]
    assert len(found) == 1, [(f.kind, f.operations) for f in report.findings]
    return found[0]


def certain(f: Finding) -> set[str]:
    assert f.impact is not None
    return set(f.impact.customer_ids) - set(f.impact.details["estimated_ids"])


def estimated(f: Finding) -> set[str]:
    assert f.impact is not None
    return set(f.impact.customer_ids) & set(f.impact.details["estimated_ids"])


def test_a_pact_reading_a_removed_optional_field_makes_the_finding_major(tmp_path, specs):
    reader = pact("Reader", [interaction("an order with its tracking link", "GET", "/orders/o1",
                                         response={**ORDER, "tracking_url": "https://t/1"})])
    other = pact("Other", [interaction("an order", "GET", "/orders/o1", response=ORDER)])
    report = run(tmp_path, specs, {"Reader": reader, "Other": other}, {"Reader": ["c1", "c2"], "Other": ["c3"]})
    f = one(report, "api.schema.property.removed", "GET /orders/{id}", "tracking_url")
    assert f.severity is Severity.MAJOR  # the rule says minor: an optional response field
    assert f.impact is not None and "contract-broken" in f.impact.flags
    assert f.impact.details["contract_broken"] == {"integrations": ["Reader"], "raised_from": "minor"}
    assert certain(f) == {"c1", "c2"} and estimated(f) == set()  # Other's Pact does not read it: spared
    (evidence,) = f.impact.evidence
    assert evidence.kind == "contract" and evidence.integration == "Reader"
    assert "an order with its tracking link" in evidence.source and evidence.detail == "reads tracking_url"
    assert not report.passed  # a major finding fails the default gate


def test_nobody_reading_the_removed_field_leaves_it_minor_and_reaching_nobody(tmp_path, specs):
    other = pact("Other", [interaction("an order", "GET", "/orders/o1", response=ORDER)])
    report = run(tmp_path, specs, {"Other": other}, {"Other": ["c3"]})
    f = one(report, "api.schema.property.removed", "GET /orders/{id}", "tracking_url")
    assert f.severity is Severity.MINOR and f.impact is not None
    assert f.impact.customer_ids == [] and "contract-broken" not in f.impact.flags


def test_the_raise_follows_the_policy(tmp_path, specs):
    reader = pact("Reader", [interaction("tracking", "GET", "/orders/o1", response={"tracking_url": "u"})])
    off = run(tmp_path, specs, {"Reader": reader}, {"Reader": ["c1"]},
              Config(impact=ImpactPolicy(contract_broken_min_severity="off")))
    f = one(off, "api.schema.property.removed", "GET /orders/{id}", "tracking_url")
    assert f.severity is Severity.MINOR and f.impact is not None and "contract-broken" in f.impact.flags
    blocker = run(tmp_path, specs, {"Reader": reader}, {"Reader": ["c1"]},
                  Config(impact=ImpactPolicy(contract_broken_min_severity="blocker")))
    assert one(blocker, "api.schema.property.removed", "GET /orders/{id}", "tracking_url").severity is Severity.BLOCKER


def test_the_policy_key_is_checked(tmp_path):
    config = tmp_path / "trustguard.yaml"
    config.write_text("impact:\n  contract_broken_min_severity: huge\n")
    with pytest.raises(ConfigError, match="contract_broken_min_severity"):
        trustguard.load_config(config)


def test_an_interaction_that_leaves_out_a_newly_required_field_breaks_even_if_another_sends_it(tmp_path, specs):
    sends = interaction("an order in euros", "POST", "/orders", body={"customer_ref": "r", "currency": "EUR"}, status=201)
    omits = interaction("a quick order", "POST", "/orders", body={"customer_ref": "r"}, status=201)
    report = run(tmp_path, specs, {"Mixed": pact("Mixed", [sends, omits]), "Good": pact("Good", [sends])},
                 {"Mixed": ["c1"], "Good": ["c2"]})
    f = one(report, "api.schema.property.added", "POST /orders", "currency")
    assert certain(f) == {"c1"} and estimated(f) == set()
    assert f.impact is not None and [e.detail for e in f.impact.evidence] == ["does not send 'currency'"]
    assert "a quick order" in f.impact.evidence[0].source


def test_a_new_required_parameter_breaks_the_pacts_that_do_not_send_it(tmp_path, specs):
    plain = interaction("orders", "GET", "/orders", response={"data": [ORDER]})
    regional = interaction("orders in a region", "GET", "/orders", query={"region": ["eu"]}, response={"data": [ORDER]})
    report = run(tmp_path, specs, {"Plain": pact("Plain", [plain]), "Regional": pact("Regional", [regional])},
                 {"Plain": ["c1"], "Regional": ["c2"]})
    f = one(report, "api.parameter.added", "GET /orders", "region")
    assert certain(f) == {"c1"} and f.impact is not None and "contract-broken" in f.impact.flags


def test_a_list_body_without_its_envelope_is_an_estimate_with_a_warning(tmp_path, specs):
    # the consumer reads data[].tracking_url, but its Pact writes the body as a bare list
    bare = pact("Bare", [interaction("the open orders", "GET", "/orders",
                                     response=[{"id": "o1", "tracking_url": "u"}])])
    report = run(tmp_path, specs, {"Bare": bare}, {"Bare": ["c1"]})
    warning = next(w for w in report.warnings if "Bare" in w and "does not document" in w)
    assert "'the open orders'" in warning and "items/tracking_url" in warning
    assert "(probably data/items/id, data/items/tracking_url)" in warning
    f = one(report, "api.schema.property.removed", "GET /orders", "tracking_url")
    assert certain(f) == set() and estimated(f) == {"c1"}  # fields unknown: never spared, never certain
    assert f.impact is not None and "contract-likely-broken" in f.impact.flags and "contract-broken" not in f.impact.flags
    assert f.severity is Severity.MAJOR  # a probable break of a contract is raised like a proven one
    # every other field finding on the operation reaches it as an estimate too, not as spared
    amount = one(report, "api.schema.type.changed", "GET /orders", "total/amount")
    assert estimated(amount) == {"c1"} and certain(amount) == set()


def test_a_misspelt_field_is_an_estimate_never_spared(tmp_path, specs):
    typo = pact("Typo", [interaction("an order", "GET", "/orders/o1", response={"id": "o1", "totl": {"amount": "1"}})])
    report = run(tmp_path, specs, {"Typo": typo}, {"Typo": ["c1"]})
    assert any("'an order'" in w and "totl/amount" in w and "probably total/amount" in w for w in report.warnings)
    tracking = one(report, "api.schema.property.removed", "GET /orders/{id}", "tracking_url")
    # it probably reads total, not this: no likely break -- but what it reads is unknown, so
    # it may read tracking_url: raised as an estimate the finding may break
    assert estimated(tracking) == {"c1"} and tracking.severity is Severity.MAJOR
    assert tracking.impact is not None and "may-break" in tracking.impact.flags
    assert "contract-likely-broken" not in tracking.impact.flags
    amount = one(report, "api.schema.type.changed", "GET /orders/{id}", "total/amount")
    assert estimated(amount) == {"c1"} and certain(amount) == set()


def test_documented_paths_give_no_warning(tmp_path, specs):
    good = pact("Good", [interaction("orders", "GET", "/orders", response={"data": [ORDER], "next": "c2"}),
                         interaction("create", "POST", "/orders", body={"customer_ref": "r", "lines": [{"sku": "a"}]},
                                     status=201, response={"id": "o2"})])
    report = run(tmp_path, specs, {"Good": good}, {"Good": ["c1"]})
    assert not [w for w in report.warnings if "does not document" in w]


def test_a_customer_calling_directly_without_a_contract_is_an_estimate(tmp_path, specs):
    other = pact("Other", [interaction("an order", "GET", "/orders/o1", response=ORDER)])
    usage = [{"customer": "c9", "method": "GET", "path": "/orders/o5", "status": 200, "count": 4}]
    report = run(tmp_path, specs, {"Other": other}, {"Other": ["c3"]}, usage=usage)
    f = one(report, "api.schema.property.removed", "GET /orders/{id}", "tracking_url")
    assert estimated(f) == {"c9"} and certain(f) == set()
    removed = one(report, "api.operation.removed", "DELETE /legacy/{id}")
    assert removed.impact is not None and removed.impact.customer_ids == []  # nobody calls it


def test_sending_a_field_whose_allowed_values_shrink_is_an_estimate(tmp_path, specs):
    # which priority a consumer sends is a value, not a field: sending the field proves nothing
    sends = interaction("a low-priority order", "POST", "/orders", status=201,
                        body={"customer_ref": "r", "currency": "EUR", "priority": "low"})
    quiet = interaction("an order", "POST", "/orders", status=201, body={"customer_ref": "r", "currency": "EUR"})
    report = run(tmp_path, specs, {"Sender": pact("Sender", [sends]), "Quiet": pact("Quiet", [quiet])},
                 {"Sender": ["c1"], "Quiet": ["c2"]})
    f = one(report, "api.schema.enum.value-removed", "POST /orders", "priority")
    assert estimated(f) == {"c1"} and certain(f) == set()  # Quiet never sends it: spared
    assert f.impact is not None and "contract-broken" not in f.impact.flags


def test_a_pact_consumer_named_after_a_customer_is_its_own_code(tmp_path, specs):
    folder = tmp_path / "pacts"
    folder.mkdir()
    write_json(folder / "c7.json", pact("C7", [interaction("tracking", "GET", "/orders/o1", response={"tracking_url": "u"})]))
    write_json(folder / "c8.json", pact("Acme Corp", [interaction("an order", "GET", "/orders/o1", response=ORDER)]))
    (tmp_path / "customers.csv").write_text("id,name,monthly_revenue\nc7,Seven,10\nc8,Acme Corp,20\n")
    report = trustguard.check(specs[0], specs[1], customers=tmp_path / "customers.csv", contracts=folder)
    f = one(report, "api.schema.property.removed", "GET /orders/{id}", "tracking_url")
    assert certain(f) == {"c7"} and f.severity is Severity.MAJOR  # c8's Pact does not read it: spared
    assert not [w for w in report.warnings if "not linked to any customer" in w]


def test_own_code_in_a_log_that_names_no_integration(tmp_path, specs):
    # c3 also calls an operation its integration never calls: it has code of its own, which
    # may read the field; c4's calls are all its integration's kind: the Pact decides
    other = pact("Other", [interaction("an order", "GET", "/orders/o1", response=ORDER)])
    usage = [{"customer": c, "method": "GET", "path": "/orders/o5", "status": 200, "count": 2} for c in ("c3", "c4")]
    usage.append({"customer": "c3", "method": "DELETE", "path": "/legacy/l1", "status": 204, "count": 1})
    report = run(tmp_path, specs, {"Other": other}, {"Other": ["c3", "c4"]}, usage=usage)
    f = one(report, "api.schema.property.removed", "GET /orders/{id}", "tracking_url")
    assert estimated(f) == {"c3"} and certain(f) == set()
    labelled = [{**u, "integration": "Other"} if u["method"] == "GET" else u for u in usage]
    report = run(tmp_path, specs, {"Other": other}, {"Other": ["c3", "c4"]}, usage=labelled)
    f = one(report, "api.schema.property.removed", "GET /orders/{id}", "tracking_url")
    assert f.impact is not None and f.impact.customer_ids == []  # every GET is the integration's: spared


def test_lowering_the_raise_under_a_trusted_policy_is_a_weakening(specs):
    def weakened(candidate: str, trusted: str) -> list[Finding]:
        report = trustguard.check(specs[0], specs[1],
                                  config=Config(impact=ImpactPolicy(contract_broken_min_severity=candidate)),
                                  trusted_config=Config(impact=ImpactPolicy(contract_broken_min_severity=trusted)))
        return [f for f in report.findings if f.rule == "policy-weakened" and "contract_broken" in f.location]

    (found,) = weakened("off", "major")
    assert "raised less, or not at all" in found.message
    assert weakened("minor", "major") and not weakened("blocker", "major") and not weakened("major", "major")


def test_a_pact_sending_a_value_the_revision_refuses_is_a_proven_break(tmp_path, specs):
    # provider verification sends the Pact's own request: 'high' is no longer a priority
    high = interaction("an urgent order", "POST", "/orders", status=201,
                       body={"customer_ref": "r", "currency": "EUR", "priority": "high"})
    low = interaction("a slow order", "POST", "/orders", status=201,
                      body={"customer_ref": "r", "currency": "EUR", "priority": "low"})
    report = run(tmp_path, specs, {"Urgent": pact("Urgent", [high]), "Slow": pact("Slow", [low])},
                 {"Urgent": ["c1"], "Slow": ["c2"]})
    f = one(report, "api.schema.enum.value-removed", "POST /orders", "priority")
    assert certain(f) == {"c1"} and estimated(f) == {"c2"}  # c2 sends a priority, 'low' in its Pact
    assert f.impact is not None and "contract-broken" in f.impact.flags
    (evidence,) = f.impact.evidence
    assert evidence.integration == "Urgent" and "an urgent order" in evidence.source
    assert evidence.detail.startswith("the revision refuses its request") and "high" in evidence.detail


def test_an_error_status_no_longer_documented_is_no_proven_break(tmp_path, specs):
    missing = pact("Careful", [interaction("no such order", "GET", "/orders/o404", status=404)])
    report = run(tmp_path, specs, {"Careful": missing}, {"Careful": ["c1"]})
    f = one(report, "api.response.status.removed", "GET /orders/{id}")
    assert f.severity is Severity.INFO and f.impact is not None and "contract-broken" not in f.impact.flags


def test_pact_v4_bodies_are_read_and_checked_the_same(tmp_path, specs):
    v4 = {"consumer": {"name": "Four"}, "provider": {"name": "Shop"}, "metadata": {"pactSpecification": {"version": "4.0"}},
          "interactions": [
              {"type": "Synchronous/HTTP", "description": "tracking, v4", "key": "k1",
               "request": {"method": "GET", "path": "/orders/o1"},
               "response": {"status": 200, "body": {"contentType": "application/json", "encoded": False,
                                                    "content": {"id": "o1", "tracking_url": "u"}}}},
              {"type": "Synchronous/HTTP", "description": "orders, v4, no envelope",
               "request": {"method": "GET", "path": "/orders", "query": {"region": ["eu"]}},
               "response": {"status": 200, "body": {"contentType": "application/json", "encoded": False,
                                                    "content": [{"total": {"amount": "1"}}]}}}]}
    report = run(tmp_path, specs, {"Four": v4}, {"Four": ["c1"]})
    tracking = one(report, "api.schema.property.removed", "GET /orders/{id}", "tracking_url")
    assert certain(tracking) == {"c1"} and tracking.severity is Severity.MAJOR
    assert any("'orders, v4, no envelope'" in w and "probably data/items/total/amount" in w for w in report.warnings)
    amount = one(report, "api.schema.type.changed", "GET /orders", "total/amount")
    assert estimated(amount) == {"c1"} and amount.impact is not None and "contract-likely-broken" in amount.impact.flags
