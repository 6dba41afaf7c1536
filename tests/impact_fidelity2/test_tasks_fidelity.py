"""Impact fidelity on generated task-tracker companies (tasks_company.py): access logs
(nginx JSON with the key in a header, combined and ALB lines with the key in the query,
combined lines naming the tenant in the path; a glob
of a plain and a gzip file), a ``/v1`` server, nested and overlapping path templates, a
spread or a whale revenue profile. The ground truth is what each customer's calls meet
under v2; trustguard is scored on what ``trustguard impact -f json`` prints.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from spec_parts import certain_and_estimated
from tasks_company import (
    EXACT,
    OPS,
    UNTOUCHED,
    Company,
    breaks,
    draw_call,
    expected_flags,
    generate,
    spec_v1,
)

from trustguard.cli import cli

COMPANIES = [(fmt, profile, seed) for fmt in ("nginx-json", "combined", "alb", "tenant") for profile in ("spread", "whale")
             for seed in (1, 2)]
IDS = [f"{fmt}-{profile}-{seed}" for fmt, profile, seed in COMPANIES]
AT_LEAST_MAJOR = ("major", "blocker")


def impact_json(co: Company) -> dict[str, Any]:
    args = ["impact", str(co.files["base"]), str(co.files["revision"]), "-f", "json", "--customer-from", co.pick]
    for name in ("customers", "usage", "integrations", "contracts"):
        args += [f"--{name}", str(co.files[name])]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


@pytest.fixture(scope="module", params=COMPANIES, ids=IDS)
def company(request: Any, tmp_path_factory: Any) -> tuple[Company, dict[str, Any]]:
    fmt, profile, seed = request.param
    co = generate(seed, tmp_path_factory.mktemp(f"{fmt}-{profile}-{seed}"), fmt, profile)
    return co, impact_json(co)


def finding(doc: dict[str, Any], kind: str, op: str) -> dict[str, Any]:
    (found,) = [f for f in doc["findings"] if f["kind"] == kind and f["operation"] == op]
    return found


def test_every_affected_customer_is_major_and_nobody_unaffected_is_certain(company):
    co, doc = company
    reported = {c["id"]: c for c in doc["customers"]}
    affected = 0
    for cid, customer in co.customers.items():
        truth, entry = co.truth(cid), reported.get(cid)
        if entry is not None:  # the customer list's figures, not the log's
            assert (entry["revenue"], entry["name"]) == (customer.revenue, f"Account {cid[5:]}")
        if truth:
            affected += 1
            assert entry is not None, f"{cid} ({customer.evidence}) is affected ({truth}) and not reported"
            assert entry["severity"] in AT_LEAST_MAJOR, (cid, truth, entry["reasons"])
        elif entry is not None:
            assert entry["certainty"] == "estimated", (cid, customer.evidence, entry["reasons"])
        if not any(call.op not in UNTOUCHED for call in customer.calls()):
            # calls only untouched operations (GET/HEAD of a task, the projects, /status) or
            # never calls at all: nothing of the change reaches it
            assert entry is None, (cid, customer.evidence, entry and entry["reasons"])
        if customer.evidence in EXACT and not truth:
            # every call described exactly and none broken -- save one using a field whose
            # allowed values shrank: a declared field list says nothing of the values, and a
            # Pact's example value is not every value its code sends (an estimate)
            uses_values = any("priority" in (c.body or {}) or "state" in c.query for c in customer.calls())
            if not uses_values:
                assert entry is None, (cid, customer.evidence, entry and entry["reasons"])
    assert affected >= 10
    jsonschema.validate(doc, json.loads(CliRunner().invoke(cli, ["schema", "impact"]).stdout))


def test_the_removed_export_reaches_exactly_its_callers_not_the_overlapping_task_route(company):
    """``GET .../tasks/export`` is gone; in v2 its path would route to ``GET .../tasks/{task}``.
    Its callers are hit for certain, with their revenue and logged requests; the callers
    of ``GET .../tasks/{task}`` (and HEAD) only are not."""
    co, doc = company
    f = finding(doc, "api.operation.removed", OPS["EXPORT"])
    callers = co.callers(OPS["EXPORT"])
    certain, estimated = certain_and_estimated(f)
    assert certain == callers and not estimated
    assert f["severity"] in AT_LEAST_MAJOR
    revenues = [co.customers[c].revenue for c in sorted(callers)]
    assert f["impact"]["revenue"] == pytest.approx(math.fsum(revenues))
    assert f["impact"]["traffic"] == sum(n for (c, op), n in co.requests.items() if op == OPS["EXPORT"])
    # the integrations that make the call: each app whose Pact or declared operations say
    # so, the partner whose Pact does
    apps = {f"{cid}-app" for cid in callers if co.customers[cid].evidence in ("pact", "pact-no-traffic", "declared")}
    partner = {"taskbridge"} if any(c.op in (OPS["EXPORT"], OPS["HEAD_EXPORT"]) for c in co.partner_calls) else set()
    assert set(f["impact"]["integration_ids"]) == apps | partner
    total = math.fsum(c.revenue for c in co.customers.values())
    assert {x for x in f["impact"]["flags"] if x in ("community-shock", "whale-concentration")} == expected_flags(
        revenues, total)


def test_security_added_and_a_required_header_reach_every_caller(company):
    co, doc = company
    total = math.fsum(c.revenue for c in co.customers.values())
    for kind, op in (("api.security.added", OPS["MEMBERS"]), ("api.parameter.added", OPS["DELETE_TASK"])):
        f = finding(doc, kind, op)
        callers = co.callers(op)
        assert set(f["impact"]["customer_ids"]) == callers, kind
        assert f["severity"] in AT_LEAST_MAJOR
        revenues = [co.customers[c].revenue for c in callers]
        assert f["impact"]["revenue"] == pytest.approx(math.fsum(revenues))
        assert f["impact"]["traffic"] == sum(n for (c, o), n in co.requests.items() if o == op)
        assert {x for x in f["impact"]["flags"] if x in ("community-shock", "whale-concentration")} == \
            expected_flags(revenues, total), kind
    # nobody's contract sends X-Confirm-Delete: a Pact or declared parameters prove it
    certain, estimated = certain_and_estimated(finding(doc, "api.parameter.added", OPS["DELETE_TASK"]))
    described = {cid for cid in co.callers(OPS["DELETE_TASK"]) if co.customers[cid].evidence in EXACT}
    assert certain == described and estimated == co.callers(OPS["DELETE_TASK"]) - described


def test_a_renamed_response_field_hits_its_readers_only(company):
    co, doc = company
    f = finding(doc, "api.schema.property.removed", OPS["LIST_TASKS"])
    certain, estimated = certain_and_estimated(f)
    readers = {cid for cid, c in co.customers.items()
               if any(call.op == OPS["LIST_TASKS"] and "data/items/assignee" in call.reads for call in c.calls())}
    described_readers = {cid for cid in readers if co.customers[cid].evidence in EXACT}
    listers = co.callers(OPS["LIST_TASKS"])
    assert certain == described_readers
    # usage logs say who lists the tasks, not what they read: estimates
    assert estimated == {cid for cid in listers if co.customers[cid].evidence == "traffic"}
    assert not (set(f["impact"]["customer_ids"]) - listers)


def test_narrowed_enums_hit_who_sends_the_value(company):
    co, doc = company
    for op, sends_it, uses_it in (
        (OPS["CREATE_TASK"], lambda c: (c.body or {}).get("priority") == "urgent", lambda c: "priority" in (c.body or {})),
        (OPS["LIST_TASKS"], lambda c: c.query.get("state") == "archived", lambda c: "state" in c.query),
    ):
        f = finding(doc, "api.schema.enum.value-removed", op)
        certain, estimated = certain_and_estimated(f)
        senders = {cid for cid, c in co.customers.items() if any(call.op == op and sends_it(call) for call in c.calls())}
        users = {cid for cid, c in co.customers.items() if any(call.op == op and uses_it(call) for call in c.calls())}
        pact_senders = {cid for cid in senders if co.customers[cid].evidence in ("pact", "pact-no-traffic", "partner")}
        # a Pact's request is what the provider verification sends: the revision refuses it
        assert pact_senders <= certain <= senders, op
        for cid in senders:
            assert cid in certain | estimated, (op, cid)
        # a contract that does not use the field or parameter at all is spared
        spared = {cid for cid in co.callers(op) - users if co.customers[cid].evidence in EXACT}
        assert not spared & (certain | estimated), op


def test_a_deprecation_with_a_sunset_breaks_nobody_today(company):
    co, doc = company
    f = finding(doc, "api.operation.deprecated", OPS["REPORTS"])
    certain, estimated = certain_and_estimated(f)
    assert not certain and estimated <= co.callers(OPS["REPORTS"])
    assert f["severity"] not in AT_LEAST_MAJOR
    reported = {c["id"]: c for c in doc["customers"]}
    for cid in co.callers(OPS["REPORTS"]) - co.affected():
        assert cid not in reported or reported[cid]["certainty"] == "estimated"


def test_the_log_accounting_matches_what_was_written(company):
    """Lines of unknown keys, malformed lines and paths of no operation are counted, never
    attributed; the traffic attributed is exactly the known customers' requests."""
    co, doc = company
    warnings = " | ".join(doc["warnings"])
    assert f"{co.unknown_key_requests} request(s) on {co.unknown_key_requests} line(s) have no known customer" in warnings
    assert f"{co.unmatched_requests} request(s) on {co.unmatched_requests} line(s) match no operation" in warnings
    totals = doc["totals"]
    assert totals["details"]["malformed_lines"] == co.malformed_lines
    assert totals["details"]["unmatched_requests"] == co.unmatched_requests
    assert totals["customers_total"] == len(co.customers)
    assert totals["revenue_total"] == pytest.approx(math.fsum(c.revenue for c in co.customers.values()))
    assert totals["traffic_total"] == sum(co.requests.values())
    # each key of a customer maps to it: its requests are its traffic on every operation
    for f in doc["findings"]:
        impact = f.get("impact") or {}
        for entity in impact.get("top_customers", []):
            ops = f["operations"] or [f["operation"]]
            assert entity["traffic"] == sum(co.requests.get((entity["id"], op), 0) for op in ops)
    # the totals count each customer once
    reached = {c["id"] for c in doc["customers"]}
    assert totals["customers_affected"] == len(reached) and co.affected() <= reached
    assert totals["revenue_affected"] == pytest.approx(math.fsum(co.customers[c].revenue for c in reached))


def test_the_generator_is_deterministic_and_exercises_both_sides_of_each_flag(tmp_path):
    one, two = generate(3, tmp_path / "a"), generate(3, tmp_path / "b")
    assert one.files["customers"].read_bytes() == two.files["customers"].read_bytes()
    assert (tmp_path / "a" / "logs" / "access-1.log").read_bytes() == (tmp_path / "b" / "logs" / "access-1.log").read_bytes()
    seen: dict[str, set[bool]] = {"community-shock": set(), "whale-concentration": set()}
    for fmt, profile, seed in COMPANIES:
        co = generate(seed, tmp_path / f"{fmt}{profile}{seed}", fmt, profile)
        total = math.fsum(c.revenue for c in co.customers.values())
        assert {c.evidence for c in co.customers.values()} >= {"traffic", "pact", "declared", "partner", "quiet", "silent"}
        for op in (OPS["EXPORT"], OPS["MEMBERS"], OPS["DELETE_TASK"]):
            flags = expected_flags([co.customers[c].revenue for c in co.callers(op)], total)
            for name in seen:
                seen[name].add(name in flags)
    assert seen == {"community-shock": {True, False}, "whale-concentration": {True, False}}
    rng = random.Random(0)
    assert not any(breaks(draw_call(rng, op)) for op in sorted(UNTOUCHED) for _ in range(20))


def _access_log(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_a_log_whose_first_lines_are_cut_or_garbage_is_still_read(tmp_path):
    """A rotated log often starts mid-line: the format is told from the first line that
    fits one, the lines before it are counted as malformed at their numbers."""
    co = generate(1, tmp_path / "co", "combined")
    key = co.customers["acct-001"].keys[0]
    good = f'10.0.0.1 - - [02/Dec/2026:10:00:00 +0000] "GET /v1/orgs/o1/projects/p1/tasks/export?api_key={key} HTTP/1.1" 200 5 "-" "curl"'
    log = _access_log(tmp_path / "cut.log", ['0:00 +0000] "GET /v1/status HTTP/1.1" 200 5 "-" "curl"', "garbage", good, good])
    args = ["impact", str(co.files["base"]), str(co.files["revision"]), "-f", "json", "--customer-from", "query:api_key",
            "--customers", str(co.files["customers"]), "--usage", str(log)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["totals"]["details"]["malformed_lines"] == 2
    assert any("line 1, 2" in w for w in doc["warnings"]), doc["warnings"]
    removed = finding(doc, "api.operation.removed", OPS["EXPORT"])
    assert removed["impact"]["customer_ids"] == ["acct-001"] and removed["impact"]["traffic"] == 2
    # the other direction: a file no line of which fits a format is still an error
    junk = _access_log(tmp_path / "junk.log", ["garbage"] * 30)
    result = CliRunner().invoke(cli, [*args[:-1], str(junk)])
    assert result.exit_code == 2 and "cannot tell the usage format" in result.output and "Traceback" not in result.output


def test_a_server_base_path_change_reaches_every_caller_and_no_one_else(tmp_path):
    """/v1 -> /v2: every call of every customer now misses, whatever operation it calls
    (GET /status too); a customer that never calls is not reached."""
    co = generate(1, tmp_path / "co", "combined")
    moved = spec_v1()
    moved["servers"] = [{"url": "https://api.tasks.example/v2"}]
    (tmp_path / "v2.json").write_text(json.dumps(moved))
    co.files["revision"] = tmp_path / "v2.json"
    doc = impact_json(co)
    (f,) = [x for x in doc["findings"] if x["kind"] == "api.server.base-path.changed"]
    assert f["severity"] in AT_LEAST_MAJOR and f["impact"]["level"] == "api"
    callers = {cid for cid, c in co.customers.items() if c.calls()}
    assert set(f["impact"]["customer_ids"]) == callers
    assert {c["id"] for c in doc["customers"]} == callers
    assert f["impact"]["traffic"] == sum(co.requests.values())
