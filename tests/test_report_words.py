"""Words a person reads: the impact figures of a real run in text, Markdown and HTML have
labels in words, money with its currency and period, and each flag explained with its
figures where it first appears -- no machine key."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from trustguard import api
from trustguard.config import Config, ImpactPolicy
from trustguard.model import Report
from trustguard.report import render
from trustguard.report.json import report_schema

EX = Path(__file__).resolve().parents[1] / "examples"
API_INPUTS = {
    "customers": str(EX / "customers.csv"), "usage": str(EX / "usage.jsonl"),
    "integrations": str(EX / "integrations.yaml"), "contracts": str(EX / "pacts"),
}
RAW_KEYS = ("customers_by_severity", "malformed_lines", "unmatched_requests", "bills.", "pay_more",
            "estimated: yes", "whale_concentration", "community_shock", "with_data", "revenue_change")
HUMAN = ("text", "markdown", "html")


def _api_report(cfg: Config | None = None) -> Report:
    return api.check(str(EX / "api" / "v1.yaml"), str(EX / "api" / "v2.yaml"), config=cfg, **API_INPUTS)


def _pricing_report() -> Report:
    return api.check(str(EX / "pricing" / "old.yaml"), str(EX / "pricing" / "new.yaml"),
                     customers=str(EX / "pricing" / "customers.csv"))


@pytest.mark.parametrize("fmt", HUMAN)
def test_api_impact_reads_in_words(fmt: str) -> None:
    out = render(_api_report(), fmt, verbose=True)
    for key in RAW_KEYS:
        assert key not in out, (fmt, key)
    assert "Customers whose worst finding is major" in out
    assert "Estimated reach" in out
    assert "Requests in the usage logs that match no operation of the spec" in out
    # the flag with its figures, and what it means, once: where it first appears
    assert "Whale concentration: the 3 largest affected customers hold 81.9% of all revenue" in out
    assert out.count("It means a few of the affected customers carry a large share") == 1
    assert out.index("It means a few") < out.index("api-path-removed-without-deprecation")
    # the customer list's revenue is monthly, in no stated currency
    assert "29,490.00 a month" in out
    assert "monthly revenue" in out


@pytest.mark.parametrize("fmt", HUMAN)
def test_pricing_money_has_its_currency_and_period(fmt: str) -> None:
    out = render(_pricing_report(), fmt)
    for key in RAW_KEYS:
        assert key not in out, (fmt, key)
    assert "Median bill increase" in out and "USD 5.00 a month (+8.6%)" in out
    assert "Revenue change" in out and "+USD 43.00 a month (+7.2%)" in out
    assert "USD 593.00" in out  # the monthly revenue total
    assert "Customers whose worst finding is blocker" in out
    assert "0 integrations" not in out  # a pricing change reaches customers, not integrations


def test_community_shock_is_explained_with_its_thresholds() -> None:
    cfg = Config(impact=ImpactPolicy(community_shock_customers=3, community_shock_max_share=0.05))
    report = _api_report(cfg)
    assert report.impact is not None and "community-shock" in report.impact.flags
    small = report.impact.details["community_shock"]["small_customers"]
    for fmt in HUMAN:
        out = render(report, fmt)
        assert (f"Community shock: {small:,} affected customers each paying at most 5% of revenue "
                "(flagged at 3 or more)") in out, fmt
        assert out.count("It means many small customers are affected at once") == 1, fmt


def test_a_flag_without_figures_is_named_as_given() -> None:
    from trustguard.report.words import flag_text

    assert flag_text("whale-concentration", {}, explain=False) == "Whale concentration"
    assert flag_text("some-new-flag", {}, explain=True) == "some-new-flag"


def test_the_json_report_keeps_machine_keys_and_matches_its_schema() -> None:
    for report in (_api_report(), _pricing_report()):
        data = json.loads(render(report, "json"))
        assert "customers_by_severity" in data["impact"]["details"]
        assert data["rules"] and {r["id"] for r in data["rules"]} == {f["rule"] for f in data["findings"]}
        jsonschema.validate(data, report_schema())
