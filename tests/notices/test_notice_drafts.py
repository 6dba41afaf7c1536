"""Customer notice drafts: every affected customer gets one, with its own bill and its own
operations; grandfathering is costed from the bills; short notice ranks who to call first."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from trustguard import api
from trustguard.model import Report
from trustguard.model_notices import CustomerNoticePolicy
from trustguard.release.notices import Part, draft, draft_report, parts_of
from trustguard.release.notices_out import notices_csv, notices_jsonl, notices_markdown

API_V1 = """\
openapi: 3.0.3
info: {title: Shop, version: '1'}
paths:
  /orders:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: string}
                  tracking: {type: string}
  /reports:
    get:
      responses:
        '200': {description: ok}
  /health:
    get:
      responses:
        '200': {description: ok}
"""

API_V2 = """\
openapi: 3.0.3
info: {title: Shop, version: '2'}
paths:
  /orders:
    get:
      parameters:
        - {name: region, in: query, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: string}
  /health:
    get:
      responses:
        '200': {description: ok}
"""

# k1 calls /orders only, k2 /reports only, k3 both, k4 only /health (untouched)
CUSTOMERS = """\
id,name,plan,segment,monthly_revenue,api_keys
k1,Kestrel Books,pro,smb,300,key1
k2,Lark Travel,pro,smb,120,key2
k3,Merlin Bank,enterprise,enterprise,9000,key3
k4,Nightjar Cafe,free,smb,0,key4
"""

USAGE = "\n".join(json.dumps(row) for row in [
    {"customer": "k1", "method": "GET", "path": "/orders", "status": 200, "count": 500},
    {"customer": "k2", "method": "GET", "path": "/reports", "status": 200, "count": 40},
    {"customer": "k3", "method": "GET", "path": "/orders", "status": 200, "count": 7000},
    {"customer": "k3", "method": "GET", "path": "/reports", "status": 200, "count": 90},
    {"customer": "k4", "method": "GET", "path": "/health", "status": 200, "count": 10},
]) + "\n"

PRICING_OLD = """\
syntaxVersion: '2.1'
saasName: Quill
version: '1'
createdAt: '2024-01-01'
currency: EUR
features:
  notes: {valueType: BOOLEAN, defaultValue: true, type: DOMAIN}
plans:
  SOLO:
    price: 10
    unit: user/month
    features: {}
  TEAM:
    price: 20
    unit: user/month
    features: {}
"""

PRICING_NEW = PRICING_OLD.replace("price: 10", "price: 12").replace("version: '1'", "version: '2'")

BILL_CUSTOMERS = """\
id,name,plan,seats,billing
p1,Osprey Ltd,SOLO,1,monthly
p2,Puffin GmbH,SOLO,5,monthly
p3,Quail SA,TEAM,3,monthly
"""


@pytest.fixture()
def api_files(tmp_path: Path) -> dict[str, str]:
    files = {"v1.yaml": API_V1, "v2.yaml": API_V2, "customers.csv": CUSTOMERS, "usage.jsonl": USAGE}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return {name: str(tmp_path / name) for name in files}


@pytest.fixture()
def pricing_files(tmp_path: Path) -> dict[str, str]:
    files = {"old.yaml": PRICING_OLD, "new.yaml": PRICING_NEW, "bills.csv": BILL_CUSTOMERS}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return {name: str(tmp_path / name) for name in files}


def _api_report(files: dict[str, str], **options: object) -> Report:
    return api.check(files["v1.yaml"], files["v2.yaml"], customers=files["customers.csv"],
                     usage=files["usage.jsonl"], **options)  # type: ignore[arg-type]


def test_every_affected_customer_gets_a_draft_with_its_own_operations(api_files: dict[str, str]) -> None:
    report = _api_report(api_files)
    assert report.impact is not None
    by_id = {n.id: n for n in report.notices}
    # exactly the affected customers: the one calling only /health gets nothing
    assert sorted(by_id) == ["k1", "k2", "k3"]
    assert report.impact.customers_affected == 3
    ops = {cid: sorted({op for ch in n.changes for op in ch.operations}) for cid, n in by_id.items()}
    assert ops == {"k1": ["GET /orders"], "k2": ["GET /reports"], "k3": ["GET /orders", "GET /reports"]}
    # the letter names the customer, its own operations and what to do about each
    k1 = by_id["k1"]
    assert k1.body.startswith("Hello Kestrel Books,")
    assert "GET /reports" not in k1.body
    assert any("`region`" in a for a in k1.actions)
    assert any("tracking" in a and "Stop reading" in a for a in k1.actions)
    assert by_id["k2"].actions == ["Stop calling GET /reports before it is removed."]
    assert [r.id for r in k1.recipients] == ["k1"] and k1.recipients[0].traffic == 500


def test_every_affected_customer_gets_its_own_bill(pricing_files: dict[str, str]) -> None:
    report = api.check(pricing_files["old.yaml"], pricing_files["new.yaml"], customers=pricing_files["bills.csv"])
    by_id = {n.id: n for n in report.notices}
    # SOLO went from 10 to 12 per user: p1 and p2; TEAM is unchanged, so p3 is not affected
    assert sorted(by_id) == ["p1", "p2"]
    bills = {cid: (n.recipients[0].bill_before, n.recipients[0].bill_after) for cid, n in by_id.items()}
    assert bills == {"p1": (10.0, 12.0), "p2": (50.0, 60.0)}
    assert "**Your bill**: EUR 50.00 → EUR 60.00 a month (+EUR 10.00, +20.0%)." in by_id["p2"].body
    assert "EUR 50.00" not in by_id["p1"].body


def test_grandfathering_cost_comes_from_the_bills(pricing_files: dict[str, str], tmp_path: Path) -> None:
    report = api.check(pricing_files["old.yaml"], pricing_files["new.yaml"], customers=pricing_files["bills.csv"])
    g = report.make_whole.grandfathering if report.make_whole else None
    assert g is not None and not g.offered
    # (12 - 10) x 1 seat + (12 - 10) x 5 seats = 12 a month; shown for 12 months when not offered
    assert (g.customers, g.monthly, g.months, g.total, g.currency) == (2, 12.0, 12, 144.0, "EUR")
    assert g.by_plan == {"SOLO": 12.0}
    config = tmp_path / "trustguard.yaml"
    config.write_text("customer_notices:\n  grandfather_months: 3\n  credit_percent: 10\n  contact: help@quill.example\n")
    offered = api.check(pricing_files["old.yaml"], pricing_files["new.yaml"], customers=pricing_files["bills.csv"],
                        config=str(config))
    assert offered.make_whole is not None and offered.make_whole.grandfathering is not None
    assert (offered.make_whole.grandfathering.total, offered.make_whole.grandfathering.offered) == (36.0, True)
    assert offered.make_whole.credits == 6.0  # 10% of the current bills, 10 + 50
    p2 = next(n for n in offered.notices if n.id == "p2")
    assert "You keep your current price for 3 month(s) after the change." in p2.offer
    assert "A credit of 10% of your monthly bill (EUR 5.00)." in p2.offer
    assert "Reply to help@quill.example" in p2.body


def test_no_rise_no_grandfathering(api_files: dict[str, str]) -> None:
    report = _api_report(api_files)
    assert report.make_whole is not None and report.make_whole.grandfathering is None
    assert report.make_whole.bill_changes == []


def test_no_impact_data_no_drafts(api_files: dict[str, str]) -> None:
    report = api.check(api_files["v1.yaml"], api_files["v2.yaml"])
    assert report.notices == [] and report.make_whole is None


def test_contact_first_only_for_short_notice_ranked_by_revenue(api_files: dict[str, str]) -> None:
    report = _api_report(api_files)
    assert report.make_whole is not None
    assert report.make_whole.contact_first == [] and report.make_whole.short_notice is None
    removed = next(f for f in report.findings if f.kind == "api.operation.removed")
    _, whole = draft(parts_of(report), CustomerNoticePolicy(), short={removed.fingerprint})
    assert whole is not None and whole.short_notice is True
    # only those the short-notice change reaches (k2, k3), biggest revenue first
    assert [(c.id, c.rules) for c in whole.contact_first] == [("k3", [removed.rule]), ("k2", [removed.rule])]
    _, none_short = draft(parts_of(report), CustomerNoticePolicy(), short=set())
    assert none_short is not None and none_short.contact_first == [] and none_short.short_notice is False


def test_contact_first_ties_go_to_traffic_then_the_community_shock_crowd() -> None:
    from trustguard.model import Finding, Impact, Principle, Severity

    def finding(rule: str, ids: list[str], flags: list[str]) -> Finding:
        return Finding(rule=rule, severity=Severity.MAJOR, principle=Principle.NO_SURPRISES, kind="terms.clause.added",
                       title=rule, message=rule, fingerprint=rule, impact=Impact(customer_ids=ids, flags=flags))

    people = {cid: {"id": cid, "revenue": rev, "traffic": traffic} for cid, rev, traffic in
              [("a", 10.0, 5), ("b", 10.0, 50), ("c", 10.0, 5), ("d", 99.0, 0)]}
    parts = [Part("terms", [finding("calm", ["a", "b", "d"], []), finding("loud", ["c"], ["community-shock"])], people)]
    _, whole = draft(parts, CustomerNoticePolicy(contact_first=3), short={"calm", "loud"})
    assert whole is not None
    assert [c.id for c in whole.contact_first] == ["d", "b", "c"]  # revenue, traffic, then the shock flag before a
    assert [c.community_shock for c in whole.contact_first] == [False, False, True]


def test_many_customers_get_one_draft_per_segment_with_merge_fields(api_files: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("customer_notices:\n  max_drafts: 2\n")
    # above the threshold drafts cost time on every CI run: written only when asked for
    assert _api_report(api_files, config=str(config)).notices == []
    report = _api_report(api_files, config=str(config), notices=True)
    assert report.make_whole is not None and report.make_whole.drafts == "segment"
    assert [(n.audience, n.id, sorted(r.id for r in n.recipients)) for n in report.notices] == [
        ("segment", "enterprise", ["k3"]), ("segment", "smb", ["k1", "k2"])]
    smb = report.notices[1]
    assert "Hello {{name}}," in smb.body
    rows = list(csv.DictReader(io.StringIO(notices_csv(report))))
    assert [(r["customer_id"], r["notice"]) for r in rows] == [("k3", "enterprise"), ("k1", "smb"), ("k2", "smb")]
    # the merge fields are filled per recipient, with its own operations
    k2 = rows[2]
    assert k2["body"].startswith("Hello Lark Travel,") and "{{" not in k2["body"]
    assert k2["operations"] == "GET /reports"


def test_mail_merge_files_have_a_row_per_customer(api_files: dict[str, str]) -> None:
    report = _api_report(api_files)
    rows = list(csv.DictReader(io.StringIO(notices_csv(report))))
    assert [r["customer_id"] for r in rows] == ["k1", "k2", "k3"]
    assert rows[2]["name"] == "Merlin Bank" and rows[2]["revenue"] == "9000.00" and rows[2]["traffic"] == "7090"
    lines = [json.loads(line) for line in notices_jsonl(report).splitlines()]
    assert [line["customer_id"] for line in lines] == ["k1", "k2", "k3"]
    assert {c["rule"] for c in lines[1]["changes"]} == {next(f.rule for f in report.findings if f.kind == "api.operation.removed")}
    md = notices_markdown(report)
    assert md.count("\n## ") == 3 and "## Merlin Bank (k3)" in md


def test_hostile_customer_text_is_inert_in_the_outputs(tmp_path: Path, api_files: dict[str, str]) -> None:
    hostile = tmp_path / "hostile.csv"
    hostile.write_text(CUSTOMERS.replace("Kestrel Books", "=HYPERLINK(\"http://x\") <script>alert(1)</script> **b**"))
    report = api.check(api_files["v1.yaml"], api_files["v2.yaml"], customers=str(hostile), usage=api_files["usage.jsonl"])
    rows = list(csv.reader(io.StringIO(notices_csv(report))))
    assert rows[1][3].startswith("'=HYPERLINK")  # a spreadsheet shows it, never runs it
    md = notices_markdown(report)
    heading = next(line for line in md.splitlines() if line.startswith("## ") and "k1" in line)
    assert "<script>" not in heading and "**b**" not in heading


def test_cli_writes_every_notices_file_or_none(api_files: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    args = [sys.executable, "-m", "trustguard", "review", api_files["v1.yaml"], api_files["v2.yaml"],
            "--customers", api_files["customers.csv"], "--usage", api_files["usage.jsonl"]]
    done = subprocess.run([*args, "--notices-out", str(out / "n.md"), "--notices-out", str(out / "n.csv"),
                           "--notices-out", str(out / "n.jsonl")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["n.csv", "n.jsonl", "n.md"]
    assert (out / "n.csv").read_text().count("\nk") == 3
    bad = subprocess.run([*args, "--notices-out", str(out / "x.csv"), "--notices-out", str(out / "x.pdf")],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "x.pdf" in bad.stderr and ".md, .csv or .jsonl" in bad.stderr
    no_data = subprocess.run([sys.executable, "-m", "trustguard", "review", api_files["v1.yaml"], api_files["v2.yaml"],
                              "--notices-out", str(out / "y.md")], capture_output=True, text=True)
    assert no_data.returncode == 2 and "--customers" in no_data.stderr
    assert sorted(p.name for p in out.iterdir()) == ["n.csv", "n.jsonl", "n.md"]  # nothing half-written


def test_drafts_are_deterministic(api_files: dict[str, str]) -> None:
    first, second = _api_report(api_files), _api_report(api_files)
    assert notices_csv(first) == notices_csv(second)
    assert notices_markdown(first) == notices_markdown(second)
    assert [n.model_dump() for n in first.notices] == [n.model_dump() for n in second.notices]


def test_draft_report_is_idempotent(api_files: dict[str, str]) -> None:
    report = _api_report(api_files)
    before = [n.model_dump() for n in report.notices]
    draft_report(report, CustomerNoticePolicy())
    assert [n.model_dump() for n in report.notices] == before


def test_notices_survive_the_json_report(api_files: dict[str, str]) -> None:
    from trustguard.report import render

    report = _api_report(api_files)
    back = Report.model_validate_json(render(report, "json"))
    assert [n.id for n in back.notices] == ["k1", "k2", "k3"]
    assert back.make_whole == report.make_whole
    assert back.notices[0].body == report.notices[0].body


def test_the_release_gives_one_letter_per_customer_over_every_document(tmp_path: Path) -> None:
    import trustguard

    release = Path(__file__).resolve().parents[2] / "examples" / "release.yaml"
    report = trustguard.release(release)
    assert report.release is not None
    by_id = {n.id: n for n in report.notices}
    # every customer the release reaches, once, with the documents that reach it
    assert sorted(by_id) == sorted(c.id for c in report.release.customers)
    for c in report.release.customers:
        notice = by_id[c.id]
        assert {ch.fingerprint for ch in notice.changes} == {r.fingerprint for r in c.reasons}
        assert notice.effective == "2026-03-16" and "**From when**: 2026-03-16" in notice.body
    # a customer hit by the API and by the price rise: one letter with both, and its own bill
    both = next(n for n in report.notices if {"openapi", "pricing"} <= {ch.document for ch in n.changes})
    assert both.recipients[0].bill_before is not None and "**Your bill**" in both.body
    assert "Changes to our API, your plan and price and our terms" in both.subject
    # the notice is short (14 days where 30 are owed): who to call first, biggest first
    assert report.make_whole is not None and report.make_whole.short_notice is True
    first = report.make_whole.contact_first
    assert first and [c.revenue for c in first] == sorted((c.revenue for c in first), reverse=True)
    short = {n.fingerprint for n in report.release.notice if n.status == "short"}
    reached = {c.id for c in report.release.customers if any(r.fingerprint in short for r in c.reasons)}
    assert {c.id for c in first} == reached


def test_release_cli_writes_the_notices(tmp_path: Path) -> None:
    release = Path(__file__).resolve().parents[2] / "examples" / "release.yaml"
    done = subprocess.run([sys.executable, "-m", "trustguard", "release", str(release),
                           "--notices-out", str(tmp_path / "n.jsonl")], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr  # the release fails its policy; the drafts are written
    lines = [json.loads(line) for line in (tmp_path / "n.jsonl").read_text().splitlines()]
    assert len(lines) == 12 and all(line["effective"] == "2026-03-16" for line in lines)


def test_a_report_without_drafts_keeps_its_json_as_before(api_files: dict[str, str]) -> None:
    from trustguard.report import render

    data = json.loads(render(api.check(api_files["v1.yaml"], api_files["v2.yaml"]), "json"))
    assert "notices" not in data and "make_whole" not in data
    assert Report.model_validate(data).notices == []
    with_drafts = json.loads(render(_api_report(api_files), "json"))
    assert [n["id"] for n in with_drafts["notices"]] == ["k1", "k2", "k3"] and with_drafts["make_whole"]["customers"] == 3
