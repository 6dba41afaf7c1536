"""With usage data, a rate-limit cut lists the customers whose recorded peak, in the new
limit's own window, is over it: from an SLA, a terms text and a pricing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sla_cases import BASE, write_pair

import trustguard
from trustguard.cli import cli

# c001 peaks at 7,000 a day; c002 never sends more than 90 a day; c003 sends 110 in one day
# (80 + 30 on 1 May, in two lines hours apart); c004's line has no timestamp
USAGE = [
    {"customer": "c001", "timestamp": "2024-05-01T10:00:00Z", "count": 4000},
    {"customer": "c001", "timestamp": "2024-05-01T18:00:00Z", "count": 3000},
    {"customer": "c001", "timestamp": "2024-05-02T10:00:00Z", "count": 50},
    {"customer": "c002", "timestamp": "2024-05-01T10:00:00Z", "count": 60},
    {"customer": "c002", "timestamp": "2024-05-02T10:00:00Z", "count": 90},
    {"customer": "c003", "timestamp": "2024-05-01T09:00:00Z", "count": 80},
    {"customer": "c003", "timestamp": "2024-05-01T23:59:59Z", "count": 30},
    {"customer": "c004", "count": 99999},
]


def _usage(tmp_path: Path, rows: list[dict[str, object]] = USAGE) -> Path:
    path = tmp_path / "usage.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _customers(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text("id,name,plan,revenue\nc001,Globex,PRO,600\nc002,Initech,PRO,600\nc003,Umbrella,FREE,0\n",
                    encoding="utf-8")
    return path


def _cut(report: trustguard.Report) -> trustguard.Finding:
    return next(f for f in report.findings if f.rule == "sla-rate-limit-cut")


@pytest.mark.parametrize("kind", ["sla", "terms", "pricing"])
def test_the_customers_over_the_new_limit_are_listed_busiest_first(tmp_path: Path, kind: str) -> None:
    old, new = write_pair(tmp_path, kind, BASE, {**BASE, "rate": "100 requests per day"})
    report = trustguard.check(old, new, usage=_usage(tmp_path))
    impact = _cut(report).impact
    assert impact is not None
    assert impact.customer_ids == ["c001", "c003"]  # c002's peak (90) is under 100
    assert [(e.id, e.traffic) for e in impact.top_customers] == [("c001", 7000), ("c003", 110)]
    assert impact.details["window"] == "day" and impact.details["new_limit"] == 100
    assert any("no timestamp" in w for w in report.warnings)


def test_the_peak_is_measured_in_the_new_limits_own_window(tmp_path: Path) -> None:
    rows: list[dict[str, object]] = [
        {"customer": "burst", "timestamp": f"2024-05-01T10:00:{s:02d}Z", "count": 10} for s in range(60)]
    rows += [{"customer": "steady", "timestamp": f"2024-05-01T{h:02d}:00:00Z", "count": 500} for h in range(24)]
    old, new = write_pair(tmp_path, "sla", {**BASE, "rate": "10 requests per second"},
                          {**BASE, "rate": "300 requests per minute"})
    impact = _cut(trustguard.check(old, new, usage=_usage(tmp_path, rows))).impact
    assert impact is not None
    # burst sends 600 in one minute (never more than 10 a second); steady 500 in a minute
    assert impact.customer_ids == ["burst", "steady"]
    assert impact.details["peaks"] == {"burst": 600, "steady": 500}
    _, newer = write_pair(tmp_path, "sla", {**BASE, "rate": "10 requests per second"},
                          {**BASE, "rate": "550 requests per minute"})
    report = trustguard.check(tmp_path / "old-sla.md", newer, usage=_usage(tmp_path, rows))
    assert [f.rule for f in report.findings] == ["sla-rate-limit-trimmed"]
    assert report.findings[0].impact is not None and report.findings[0].impact.customer_ids == ["burst"]


def test_a_plans_limit_reaches_only_the_customers_on_the_plan(tmp_path: Path) -> None:
    old, new = write_pair(tmp_path, "pricing", BASE, {**BASE, "rate": "100 requests per day"})
    report = trustguard.check(old, new, usage=_usage(tmp_path), customers=_customers(tmp_path))
    impact = _cut(report).impact
    assert impact is not None and impact.customer_ids == ["c001"]  # c003 is over it but on FREE
    # the plan's other service levels reach its customers by plan
    old, new = write_pair(tmp_path, "pricing", BASE, {**BASE, "uptime": "99.5%"})
    uptime = next(f for f in trustguard.check(old, new, customers=_customers(tmp_path)).findings
                  if f.rule == "sla-uptime-cut")
    assert uptime.impact is not None and uptime.impact.customer_ids == ["c001", "c002"]


def test_a_usage_csv_with_api_keys_and_epoch_timestamps(tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text("id,name,plan,revenue,api_keys\nc001,Globex,PRO,600,sk_live_1\n", encoding="utf-8")
    usage = tmp_path / "usage.csv"
    usage.write_text("api_key,timestamp,count\nsk_live_1,1714557600,150\nsk_other,1714557600,500\n"
                     "sk_live_1,not a time,5\n", encoding="utf-8")
    old, new = write_pair(tmp_path, "terms", BASE, {**BASE, "rate": "100 requests per day"})
    report = trustguard.check(old, new, usage=usage, customers=customers)
    impact = _cut(report).impact
    assert impact is not None and impact.customers == 2
    assert impact.customer_ids[0].startswith("key:") and impact.customer_ids[1] == "c001"
    assert "sk_other" not in json.dumps(report.model_dump(mode="json"))  # a key is a secret


def test_no_cut_and_no_finding_reach_nobody_by_usage(tmp_path: Path) -> None:
    old, new = write_pair(tmp_path, "sla", BASE, {**BASE, "rate": "20,000 requests per day"})
    report = trustguard.check(old, new, usage=_usage(tmp_path))
    [raised] = report.findings
    assert raised.rule == "sla-rate-limit-raised" and raised.impact is None


def test_a_usage_log_without_timestamps_is_a_clear_error(tmp_path: Path) -> None:
    old, new = write_pair(tmp_path, "sla", BASE, {**BASE, "rate": "100 requests per day"})
    usage = _usage(tmp_path, [{"customer": "c001", "count": 5}])
    result = CliRunner().invoke(cli, ["check", str(old), str(new), "--usage", str(usage)])
    assert result.exit_code == 2, result.output
    assert "no usage line with a customer and a timestamp" in result.output


def test_the_shipped_sla_example_lists_the_customers_over_its_new_rate_limit() -> None:
    root = Path(__file__).resolve().parents[2] / "examples"
    report = trustguard.check(root / "sla" / "old.md", root / "sla" / "new.md", usage=root / "sla" / "usage.jsonl",
                              customers=root / "customers.csv")
    cut = _cut(report)
    assert cut.impact is not None and cut.impact.customer_ids == ["c001", "c003"]
    assert cut.impact.customer_share == round(2 / 12, 6)  # of the 12 listed customers
    assert [f.rule for f in report.findings] == ["sla-uptime-cut", "sla-credits-cut", "sla-rate-limit-cut",
                                                "sla-support-slower", "sla-retention-cut", "sla-credits-capped"]
