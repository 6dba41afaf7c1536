"""Bill impact: each customer's bill before and after, worked out by hand on the example."""

from __future__ import annotations

import json
from pathlib import Path

import corpus
import pytest

from trustguard import api
from trustguard.diff.pricing_context import compare
from trustguard.errors import InputError
from trustguard.impact.billing import BillCalculator, BillCustomer, _cheapest_blocks, compute_bills
from trustguard.load.pricing import load_pricing, pricing_of

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "pricing"
OLD, NEW, CUSTOMERS = (str(EXAMPLE / n) for n in ("old.yaml", "new.yaml", "customers.csv"))


def test_example_bills_by_hand() -> None:
    report = api.check(OLD, NEW, customers=CUSTOMERS)
    by_id = {}
    for finding in report.findings:
        assert finding.impact is not None
        for entity in finding.impact.top_customers:
            by_id[entity.id] = (entity.bill_before, entity.bill_after)
    # c03: TEAM 5 seats monthly, 80 GB of 100: 10*5 = 50 -> PRO 12*5 + platform fee 2 = 62
    assert by_id["c03"] == (50.0, 62.0)
    # c04: TEAM 10 seats annual, 150 GB: 10*10*0.8 + one 100 GB block (5) = 85
    #      -> 12*10*0.85 + 5 + 2 = 109
    assert by_id["c04"] == (85.0, 109.0)
    # c06: BUSINESS 3 seats annual, 700 GB of 500: 3*20*0.8 + two blocks (10) = 58 -> 51 + 10 + 2 = 63
    assert by_id["c06"] == (58.0, 63.0)
    assert report.impact is not None
    bills = report.impact.details["bills"]
    assert bills["pay_more"] == 4  # c03 +12, c04 +24, c05 +2, c06 +5
    assert bills["pay_same"] == 2  # the two free users
    assert bills["unpriced"] == 1  # c07 is on a Contact Sales plan
    assert bills["increase"] == {
        "median": 5.0, "p90": 24.0, "max": 24.0,
        "median_percent": 8.62, "p90_percent": 28.24, "max_percent": 28.24,
    }
    assert (bills["revenue_before"], bills["revenue_after"], bills["revenue_change"]) == (593.0, 636.0, 43.0)
    assert bills["over_limit_after"] == 1  # c02 has 250 notes; FREE now allows 100
    assert report.impact.customers_total == 7


def test_findings_carry_the_customers_they_touch() -> None:
    report = api.check(OLD, NEW, customers=CUSTOMERS)
    got = {f.rule: f.impact for f in report.findings if f.impact is not None}
    # only the free user above the new 100-note limit is hit by the cut
    assert got["pricing-free-tier-cut"].customer_ids == ["c02"]
    assert got["pricing-free-tier-cut"].estimated is False
    assert got["pricing-price-increase-large"].customer_ids == ["c03", "c04"]
    assert got["pricing-price-increase-large"].top_customers[0].id == "c04"  # the biggest rise first
    assert got["pricing-billing-discount-reduced"].customer_ids == ["c04", "c06", "c07"]
    assert got["pricing-unbundled-to-addon"].estimated is True
    assert got["pricing-addon-added"].customers == 0


def test_json_customers_and_forced_moves(tmp_path: Path) -> None:
    path = tmp_path / "customers.json"
    path.write_text(json.dumps({"customers": [
        {"id": "a", "plan": "PRO", "seats": 2},
        {"id": "b", "plan": "TEAM", "seats": 1, "billing": "annual", "usage": {"githubActionsQuota": 500}},
    ]}), encoding="utf-8")
    report = api.check(str(corpus.find("pricing", "github/2019.yml")), str(corpus.find("pricing", "github/2020.yml")),
                       customers=str(path))
    assert report.impact is not None
    bills = report.impact.details["bills"]
    # PRO (7/user) is retired: its customer moves to the cheapest plan that fits, FREE
    assert bills["forced_moves"] == 1
    retired = next(f for f in report.findings if f.rule == "pricing-plan-retired")
    assert retired.impact is not None
    assert [(e.id, e.bill_before, e.bill_after) for e in retired.impact.top_customers] == [("a", 14.0, 0.0)]
    # TEAM 9 -> 4 (no annual billing in these files: billed monthly)
    team = next(f for f in report.findings if f.rule == "pricing-price-decrease")
    assert team.impact is not None and team.impact.top_customers[0].bill_after == 4.0


def test_overage_blocks_mix_big_and_small() -> None:
    # Postman: 50,000 calls for 20 or 1,000 for 0.75
    assert _cheapest_blocks(51_000, [(1000, 0.75), (50000, 20)]) == 20.75
    assert _cheapest_blocks(10_000, [(1000, 0.75), (50000, 20)]) == 7.5
    assert _cheapest_blocks(40_000, [(1000, 0.75), (50000, 20)]) == 20


@pytest.mark.corpus
def test_overage_priced_from_the_corpus() -> None:
    pricing = pricing_of(load_pricing(str(corpus.find("pricing", "postman/2025.yml"))))
    calc = BillCalculator(pricing)
    # BASIC: 19/user, 10,000 monitoring calls; extra calls in blocks of 1,000 (0.75) or 50,000 (20)
    heavy = BillCustomer(id="x", plan="BASIC", seats=2, usage={"monitoringCallsLimit": 61_500})
    assert calc.bill(heavy, "BASIC").amount == 19 * 2 + 20 + 2 * 0.75
    # FREE cannot buy extra calls: the customer is over the limit, not charged
    free = BillCustomer(id="y", plan="FREE", usage={"monitoringCallsLimit": 1_500})
    bill = calc.bill(free, "FREE")
    assert (bill.amount, bill.over_limits) == (0.0, ("monitoringCallsLimit",))


def test_bad_customer_files(tmp_path: Path) -> None:
    no_plan = tmp_path / "c.csv"
    no_plan.write_text("id,seats\n1,3\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        api.check(OLD, NEW, customers=str(no_plan))
    assert info.value.file == str(no_plan) and "'plan'" in info.value.message
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("id,plan,seats\n1,TEAM,2\n2,GOLD,1\n3,TEAM,zero\n", encoding="utf-8")
    report = api.check(OLD, NEW, customers=str(mixed))
    assert report.impact is not None and report.impact.customers_total == 1
    assert any("plan not in the base pricing (1: row 3)" in w for w in report.warnings)
    assert any("seats is not a whole number" in w for w in report.warnings)


def test_bills_are_deterministic() -> None:
    comparison = compare(load_pricing(OLD), load_pricing(NEW))
    customers = [BillCustomer(id=str(i), plan="TEAM", seats=i % 7 + 1) for i in range(50)]
    first = [(r.before.amount, r.after.amount if r.after else None) for r in compute_bills(comparison, customers)]
    second = [(r.before.amount, r.after.amount if r.after else None) for r in compute_bills(comparison, customers)]
    assert first == second
    assert first[0] == (10.0, 14.0)  # 1 seat: 10 -> 12 + 2 fee
