"""The edges of impact fidelity, each on a small company written for it: a status no longer
given, a customer's own Pact, what breaks nobody, and the policy guarding the raise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from fidelity_scenario import spec_v1, spec_v2

import trustguard
from trustguard.cli import cli
from trustguard.config import Config, ImpactPolicy
from trustguard.model import Finding, Report, Severity


def company(tmp_path: Path, pacts: dict[str, list[dict[str, Any]]], usage: list[dict[str, Any]],
            members: dict[str, list[str]], customers: list[str]) -> dict[str, Path]:
    folder = tmp_path / "pacts"
    folder.mkdir(exist_ok=True)
    for name, interactions in pacts.items():
        (folder / f"{name}.json").write_text(json.dumps({"consumer": {"name": name}, "provider": {"name": "Billing"},
                                                         "interactions": interactions}))
    files = {"base": tmp_path / "v1.json", "revision": tmp_path / "v2.json", "customers": tmp_path / "customers.csv",
             "integrations": tmp_path / "integrations.yaml", "usage": tmp_path / "usage.jsonl", "contracts": folder}
    files["base"].write_text(json.dumps(spec_v1()))
    files["revision"].write_text(json.dumps(spec_v2()))
    files["customers"].write_text("id,name,monthly_revenue\n" + "".join(f"{c},{c},100\n" for c in customers))
    files["integrations"].write_text(yaml.safe_dump({"integrations": [
        {"id": name, "contract": name, "customers": ids} for name, ids in members.items()]}))
    files["usage"].write_text("".join(json.dumps(u) + "\n" for u in usage))
    return files


def check(files: dict[str, Path], config: Config | None = None) -> Report:
    contracts = files["contracts"] if any(files["contracts"].iterdir()) else None
    usage = files["usage"] if files["usage"].read_text() else None
    return trustguard.check(files["base"], files["revision"], customers=files["customers"], usage=usage,
                            integrations=files["integrations"], contracts=contracts, config=config)


def finding(report: Report, kind: str, operation: str) -> Finding:
    (found,) = [f for f in report.findings if f.kind == kind and f.operation == operation]
    assert found.impact is not None
    return found


def split(f: Finding) -> tuple[set[str], set[str]]:
    assert f.impact is not None
    estimated = set(f.impact.details["estimated_ids"])
    return {c for c in f.impact.customer_ids if c not in estimated}, {c for c in f.impact.customer_ids if c in estimated}


def refund(status: int) -> dict[str, Any]:
    return {"description": f"a refund answered {status}", "request": {
        "method": "POST", "path": "/refunds", "body": {"payment_id": "p1"}},
        "response": {"status": status, "body": {"id": "r1"}}}


def test_a_status_no_longer_given_is_certain_only_for_a_contract_expecting_it(tmp_path):
    usage = [{"customer": "c3", "method": "POST", "path": "/refunds", "status": 202, "count": 5},
             {"customer": "c4", "method": "POST", "path": "/refunds", "status": 200, "count": 5}]
    files = company(tmp_path, {"Queued": [refund(202)], "Sync": [refund(200)]}, usage,
                    {"Queued": ["c1"], "Sync": ["c2"]}, ["c1", "c2", "c3", "c4", "c5"])
    f = finding(check(files), "api.response.status.removed", "POST /refunds")
    certain, estimated = split(f)
    # c1's Pact expects the 202 the revision no longer gives: its verification fails. c2's
    # expects a 200 (it may still meet a 202 today: not spared); c3, c4 only call it.
    assert certain == {"c1"} and estimated == {"c2", "c3", "c4"}
    assert f.severity is Severity.MAJOR and f.impact is not None and "contract-broken" in f.impact.flags
    assert {e.integration for e in f.impact.evidence} == {"Queued"}


def test_the_impact_json_lists_only_customers_a_finding_above_info_reaches(tmp_path):
    # an invoice reader that reads status: the response enum gains a value (major: a closed
    # enum its generated client cannot hold); the info finding 'tags added' reaches nobody;
    # GET /accounts is untouched
    reader = {"description": "an invoice", "request": {"method": "GET", "path": "/invoices/i1"},
              "response": {"status": 200, "body": {"id": "i1", "status": "open"}}}
    accounts = {"description": "accounts", "request": {"method": "GET", "path": "/accounts"},
                "response": {"status": 200, "body": {"data": [{"id": "a1"}]}}}
    files = company(tmp_path, {"Reader": [reader], "Lister": [accounts]}, [], {"Reader": ["c1"], "Lister": ["c2"]},
                    ["c1", "c2"])
    result = CliRunner().invoke(cli, ["impact", str(files["base"]), str(files["revision"]), "-f", "json",
                                      *[a for k in ("customers", "integrations", "contracts") for a in (f"--{k}", str(files[k]))]])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [c["id"] for c in doc["customers"]] == ["c1"]
    (c1,) = doc["customers"]
    assert c1["severity"] == "major" and c1["certainty"] == "estimated"
    (reason,) = c1["reasons"]
    assert doc["findings"][reason["finding"]]["kind"] == "api.schema.enum.value-added"


def test_an_info_finding_reaching_a_customer_does_not_list_it(tmp_path):
    # reversed: the response enum loses 'disputed' (info: a reader gets fewer values)
    reader = {"description": "an invoice", "request": {"method": "GET", "path": "/invoices/i1"},
              "response": {"status": 200, "body": {"id": "i1", "status": "open"}}}
    files = company(tmp_path, {"Reader": [reader]}, [], {"Reader": ["c1"]}, ["c1"])
    result = CliRunner().invoke(cli, ["impact", str(files["revision"]), str(files["base"]), "-f", "json",
                                      "--customers", str(files["customers"]), "--integrations",
                                      str(files["integrations"]), "--contracts", str(files["contracts"])])
    doc = json.loads(result.stdout)
    narrowed = next(f for f in doc["findings"] if f["kind"] == "api.schema.enum.value-removed")
    assert narrowed["severity"] == "info" and narrowed["impact"]["customer_ids"] == ["c1"]
    assert "c1" not in [c["id"] for c in doc["customers"]]


def test_a_customers_own_pact_describes_its_unlabelled_log_lines(tmp_path):
    """A consumer named after the customer is its own code: in a log that labels other
    customers' lines with their integration, its unlabelled lines are that code's calls."""
    own = {"description": "a customer", "request": {"method": "GET", "path": "/customers/k1"},
           "response": {"status": 200, "body": {"id": "k1", "email": "e"}}}
    usage = [{"customer": "c1", "method": "GET", "path": "/customers/k1", "status": 200, "count": 3},
             {"customer": "c2", "integration": "Other", "method": "GET", "path": "/customers/k2", "status": 200, "count": 3},
             {"customer": "c3", "method": "GET", "path": "/customers/k3", "status": 200, "count": 3}]
    files = company(tmp_path, {"c1": [own]}, usage, {"Other": ["c2"]}, ["c1", "c2", "c3"])
    balance = finding(check(files), "api.schema.type.changed", "GET /customers/{id}")
    certain, estimated = split(balance)
    # c1's own Pact reads no balance: spared; c2's integration says nothing, c3 is only traffic
    assert certain == set() and estimated == {"c2", "c3"}
    assert balance.severity is Severity.MAJOR


def test_lowering_the_estimate_floor_under_a_trusted_policy_is_a_weakening(tmp_path):
    files = company(tmp_path, {}, [], {}, ["c1"])

    def weakened(candidate: str, trusted: str) -> list[Finding]:
        report = trustguard.check(files["base"], files["revision"],
                                  config=Config(impact=ImpactPolicy(may_break_min_severity=candidate)),
                                  trusted_config=Config(impact=ImpactPolicy(may_break_min_severity=trusted)))
        return [f for f in report.findings if f.rule == "policy-weakened" and "may_break" in f.location]

    (found,) = weakened("off", "major")
    assert "raised less, or not at all" in found.message
    assert weakened("blocker", "major") == [] and weakened("major", "major") == []


def test_off_keeps_every_rule_severity_with_impact_data(tmp_path):
    usage = [{"customer": "c1", "method": "GET", "path": "/invoices", "status": 200, "count": 9}]
    files = company(tmp_path, {}, usage, {}, ["c1"])
    raised = finding(check(files), "api.schema.property.removed", "GET /invoices")
    kept = finding(check(files, Config(impact=ImpactPolicy(may_break_min_severity="off"))),
                   "api.schema.property.removed", "GET /invoices")
    assert raised.severity is Severity.MAJOR and raised.impact is not None and "may-break" in raised.impact.flags
    assert kept.severity is Severity.MINOR and kept.impact is not None and "may-break" not in kept.impact.flags
    assert split(kept) == (set(), {"c1"})  # still reached, as the estimate it is


def test_a_contract_sending_a_request_field_the_revision_drops_raises_the_finding(tmp_path):
    """The Pact proves it sends 'note'; the revision no longer takes it (minor by its
    rule): its note is lost -- raised, the customer reached for certain."""
    create = {"description": "an invoice with a note", "request": {
        "method": "POST", "path": "/invoices", "body": {"account_id": "a1", "amount": "1", "currency": "EUR", "note": "n"}},
        "response": {"status": 201, "body": {"id": "i1"}}}
    plain = {"description": "an invoice", "request": {
        "method": "POST", "path": "/invoices", "body": {"account_id": "a1", "amount": "1", "currency": "EUR"}},
        "response": {"status": 201, "body": {"id": "i1"}}}
    files = company(tmp_path, {"Noter": [create], "Plain": [plain]}, [], {"Noter": ["c1"], "Plain": ["c2"]},
                    ["c1", "c2"])
    revision = spec_v1()
    del revision["paths"]["/invoices"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "properties"]["note"]
    files["revision"].write_text(json.dumps(revision))
    (note,) = [f for f in check(files).findings if f.kind == "api.schema.property.removed"]
    assert note.severity is Severity.MAJOR and note.impact is not None and "may-break" in note.impact.flags
    assert split(note) == ({"c1"}, set())  # c2 does not send it: spared
    assert note.impact.details["may_break"]["raised_from"] == "minor"
    off = [f for f in check(files, Config(impact=ImpactPolicy(may_break_min_severity="off"))).findings
           if f.kind == "api.schema.property.removed"]
    assert off[0].severity is Severity.MINOR


def test_a_misspelt_request_field_is_never_a_certain_break(tmp_path):
    """'curency' is most likely the currency the revision requires: the consumer may well
    send it (the Pact's writer misspelt it), so it is an estimate, never certain; one that
    misspells another field and leaves currency out is probably broken, still an estimate."""
    def create(description: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"description": description, "request": {"method": "POST", "path": "/invoices", "body": body},
                "response": {"status": 201, "body": {"id": "i1"}}}

    typo = create("an invoice in euros", {"account_id": "a1", "amount": "1", "curency": "EUR"})
    other = create("an invoice with a note", {"account_id": "a1", "amount": "1", "nte": "n"})
    exact = create("an invoice", {"account_id": "a1", "amount": "1"})
    files = company(tmp_path, {"Typo": [typo], "Other": [other], "Exact": [exact]}, [],
                    {"Typo": ["c1"], "Other": ["c2"], "Exact": ["c3"]}, ["c1", "c2", "c3"])
    report = check(files)
    currency = finding(report, "api.schema.property.became-required", "POST /invoices")
    assert split(currency) == ({"c3"}, {"c1", "c2"})
    assert currency.impact is not None and "contract-likely-broken" in currency.impact.flags
    assert currency.impact.details["contract_broken"]["likely_integrations"] == ["Other"]
    assert any("'an invoice in euros'" in w and "curency" in w and "estimated" in w for w in report.warnings)


def test_without_a_customer_list_a_pact_named_after_a_logged_customer_is_its_code(tmp_path):
    own = {"description": "a customer", "request": {"method": "GET", "path": "/customers/k1"},
           "response": {"status": 200, "body": {"id": "k1", "email": "e"}}}
    usage = [{"customer": "c1", "method": "GET", "path": "/customers/k1", "status": 200, "count": 3},
             {"customer": "c2", "method": "GET", "path": "/customers/k2", "status": 200, "count": 3}]
    files = company(tmp_path, {"c1": [own]}, usage, {}, [])
    report = trustguard.check(files["base"], files["revision"], usage=files["usage"], contracts=files["contracts"])
    balance = finding(report, "api.schema.type.changed", "GET /customers/{id}")
    assert split(balance) == (set(), {"c2"})  # c1's own Pact reads no balance
    assert not [w for w in report.warnings if "not linked to any customer" in w]
