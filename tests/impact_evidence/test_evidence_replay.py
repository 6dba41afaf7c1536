"""Replaying recorded calls (HAR, JSON lines) against the revision: the calls it would
refuse or answer otherwise, per customer and integration, and the findings they confirm."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from evidence_shop import spec_v1, spec_v2, write_json

import trustguard
from trustguard.cli import cli
from trustguard.impact.replay import replay

ORDER = {"id": "o1", "status": "open", "total": {"amount": "4.20", "currency": "EUR"}}


def entry(method: str, url: str, status: int, *, body: Any = None, response: Any = None,
          customer: str | None = None, headers: dict[str, str] | None = None, integration: str | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"method": method, "url": "https://api.shop.test" + url, "httpVersion": "HTTP/1.1",
                               "headers": [{"name": k, "value": v} for k, v in (headers or {}).items()],
                               "queryString": [], "cookies": [], "headersSize": -1, "bodySize": -1}
    if body is not None:
        request["postData"] = {"mimeType": "application/json", "text": json.dumps(body)}
    content: dict[str, Any] = {"size": 0, "mimeType": "application/json"}
    if response is not None:
        content["text"] = json.dumps(response)
    out: dict[str, Any] = {"startedDateTime": "2026-01-05T10:00:00Z", "time": 12, "request": request,
                           "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": [],
                                        "cookies": [], "content": content, "redirectURL": "", "headersSize": -1,
                                        "bodySize": -1},
                           "cache": {}, "timings": {"send": 1, "wait": 10, "receive": 1}}
    if customer:
        out["_customer"] = customer
    if integration:
        out["_integration"] = integration
    return out


def har(path: Path, entries: list[Any]) -> Path:
    return write_json(path, {"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": entries}})


def capture(tmp_path: Path) -> Path:
    return har(tmp_path / "capture.har", [
        entry("POST", "/orders", 201, body={"customer_ref": "r1"}, response={"id": "o1"}, customer="c1", integration="shopsync"),
        entry("POST", "/orders", 201, body={"customer_ref": "r2", "currency": "EUR"},
              response={**ORDER, "tracking_url": "https://t/1"}, customer="c2"),
        entry("GET", "/orders/o9", 404, customer="c2"),
        entry("DELETE", "/legacy/x1", 204, headers={"X-Api-Key": "key-c3"}),
        entry("GET", "/orders?limit=abc", 200, response={"data": []}, customer="c4"),
        entry("GET", "/orders?limit=5&region=eu", 200, response={"data": [{"id": "o1"}]}, customer="c5"),
        entry("GET", "/orders/o1", 200, response={"id": "o1"}),
        {"request": "nonsense"},
    ])


def test_each_recorded_call_that_now_fails_is_reported_with_why(tmp_path):
    result = replay(capture(tmp_path), spec_v1(), spec_v2(), {"key-c3": "c3"})
    assert (result.calls, result.checked, result.unmatched) == (7, 7, 0)
    assert result.problems is not None and result.problems.total == 1  # the nonsense entry, counted
    failing = {(r.call.customer, r.label): sorted((p.kind, p.where) for p in r.problems) for r in result.failing}
    assert failing == {
        ("c1", "POST /orders"): [("missing-field", "currency")],
        ("c2", "POST /orders"): [("field-removed", "tracking_url"), ("wrong-type", "total/amount")],
        ("c2", "GET /orders/{id}"): [("status-undocumented", "404")],
        ("c3", "DELETE /legacy/{id}"): [("operation-removed", "")],
        # limit=abc was already wrong for the base: only the missing region is this change's
        ("c4", "GET /orders"): [("missing-parameter", "region")],
    }
    refused = {(r.call.customer, r.label) for r in result.failing if r.rejected}
    assert refused == {("c1", "POST /orders"), ("c3", "DELETE /legacy/{id}"), ("c4", "GET /orders")}
    assert list(result.by_customer()) == ["c1", "c2", "c3", "c4"]  # c5 sends region; the last GET is fine
    assert list(result.by_customer()["c1"]) == ["shopsync"]


def test_replay_confirms_findings_and_makes_a_refused_customer_certain(tmp_path, specs):
    report = trustguard.check(specs[0], specs[1], replay=capture(tmp_path))
    by_kind = {(f.kind, f.operations[0]): f for f in report.findings}
    currency = by_kind[("api.schema.property.added", "POST /orders")]
    assert currency.impact is not None and currency.impact.customer_ids == ["c1"]
    assert currency.impact.details["estimated_ids"] == []  # refused by the revision: a proven break
    assert "observed-broken" in currency.impact.flags
    (seen,) = [e for e in currency.impact.evidence if e.kind == "observed"]
    assert seen.customer == "c1" and seen.integration == "shopsync" and "/log/entries/0" in seen.source
    tracking = by_kind[("api.schema.property.removed", "POST /orders")]
    assert tracking.impact is not None and "observed" in tracking.impact.flags
    assert tracking.impact.customer_ids == ["c2"] and tracking.impact.details["estimated_ids"] == ["c2"]
    # answered without it; whether c2 reads it is not known: it may break, an estimate
    assert tracking.severity.value == "major" and "may-break" in tracking.impact.flags
    region = by_kind[("api.parameter.added", "GET /orders")]
    assert region.impact is not None and region.impact.customer_ids == ["c4"]
    summary = report.impact.details["replay"] if report.impact else {}
    assert summary["failing"] == 5 and summary["refused"] == 3 and summary["unknown_customer"] == 2


def test_json_lines_of_pairs_and_api_keys_from_the_customer_list(tmp_path):
    lines = [
        {"api_key": "k-9", "request": {"method": "POST", "path": "/orders", "body": {"customer_ref": "x"}},
         "response": {"status": 201, "body": {"id": "o1"}}},
        {"customer": "c8", "integration": "erp", "request": {"method": "GET", "url": "/orders", "query": {"region": "eu"}},
         "response": {"status": 200, "body": {"data": [{"id": "o1", "total": {"amount": 3}}]}}},
        "not an object",
    ]
    path = tmp_path / "calls.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n{broken\n")
    result = replay(path, spec_v1(), spec_v2(), {"k-9": "c9"})
    assert result.calls == 2 and result.problems is not None and result.problems.total == 2
    assert [(r.call.customer, r.label, [p.kind for p in r.problems]) for r in result.failing] == [
        ("c9", "POST /orders", ["missing-field"])]  # c8's number amount is what the revision documents


def test_the_cli_shows_the_failing_calls_per_customer(tmp_path, specs):
    result = CliRunner().invoke(cli, ["impact", str(specs[0]), str(specs[1]), "--replay", str(capture(tmp_path))])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "replayed 7 of 7 recorded call(s)" in out and "5 now fail (3 refused" in out
    c1 = out.index("customer c1: 1 call(s)")
    assert out.index("through shopsync: 1 call(s), 1 refused") > c1
    assert "required field 'currency' missing" in out
    assert "customer c3: 1 call(s)" not in out  # c3 is named only by an API key, and no customer list is given
    assert "(no known customer): 1 call(s)" in out


def test_an_unknown_recording_format_exits_2_naming_the_file(tmp_path, specs):
    bad = tmp_path / "capture.txt"
    bad.write_text("GET /orders HTTP/1.1\n")
    result = CliRunner().invoke(cli, ["impact", str(specs[0]), str(specs[1]), "--replay", str(bad)])
    assert result.exit_code == 2
    assert "capture.txt" in result.output and "expected a HAR file" in result.output
    assert "Traceback" not in result.output


def test_customer_from_names_the_customer_of_each_recorded_call(tmp_path, specs):
    calls = har(tmp_path / "keys.har", [
        entry("POST", "/orders", 201, body={"customer_ref": "r"}, headers={"X-Client-Key": "k-1"}),
        entry("POST", "/orders", 201, body={"customer_ref": "r"}, headers={"X-Client-Key": "nobody"}),
    ])
    customers = tmp_path / "customers.csv"
    customers.write_text("id,name,api_keys\nc1,One,k-1\n")
    report = trustguard.check(specs[0], specs[1], customers=customers, replay=calls, customer_from="header:X-Client-Key")
    summary = report.impact.details["replay"] if report.impact else {}
    assert [c["customer"] for c in summary["customers"]] == [None, "c1"]  # an unknown key is never guessed
    assert summary["unknown_customer"] == 1
    currency = next(f for f in report.findings if f.kind == "api.schema.property.added")
    assert currency.impact is not None and currency.impact.customer_ids == ["c1"]


def test_repeated_calls_are_each_reported(tmp_path):
    same = {"customer": "c1", "request": {"method": "POST", "path": "/orders", "body": {"customer_ref": "x"}},
            "response": {"status": 201, "body": {"id": "o1"}}}
    fine = {**same, "request": {**same["request"], "body": {"customer_ref": "x", "currency": "EUR"}}}
    path = tmp_path / "calls.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in (same, fine, same, fine)))
    result = replay(path, spec_v1(), spec_v2())
    assert [r.call.place.rsplit(":", 1)[1] for r in result.failing] == ["1", "3"]


def test_check_takes_a_replay_too(tmp_path, specs):
    result = CliRunner().invoke(cli, ["check", str(specs[0]), str(specs[1]), "--replay", str(capture(tmp_path)),
                                      "-f", "json"])
    assert result.exit_code == 1, result.output  # the removals fail the gate
    data = json.loads(result.stdout)
    assert data["impact"]["details"]["replay"]["refused"] == 3
    currency = next(f for f in data["findings"] if f["kind"] == "api.schema.property.added")
    assert "observed-broken" in currency["impact"]["flags"] and currency["impact"]["customer_ids"] == ["c1"]
