"""Issue 19 point 1: money compared as money. Prices compare per unit of what the customer
buys (a seat is a seat whether the pricing calls it a user or a host; 10 per 1,000 contacts
is not 10 per 500), and each customer's bill across a currency change is converted at the
user's rate or, without one, reported as a currency change with no percentage."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import corpus
import pytest
import yaml

from trustguard import api
from trustguard.diff.pricing_context import compare
from trustguard.impact.billing import BillCustomer, compute_bills
from trustguard.load.pricing import load_pricing, price_unit
from trustguard.model import Finding, Report


def pricing(**top: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "syntaxVersion": "2.1", "saasName": "Ledgerly", "version": "2025", "currency": "USD",
        "billing": {"monthly": 1.0, "annual": 0.8},
        "features": {"ledger": {"valueType": "BOOLEAN", "defaultValue": True, "type": "DOMAIN"}},
        "usageLimits": {
            "contacts": {"valueType": "NUMERIC", "defaultValue": 1000, "unit": "contact", "type": "NON_RENEWABLE"},
        },
        "plans": {
            "FREE": {"price": 0, "unit": "user/month"},
            "TEAM": {"price": 10, "unit": "user/month"},
            "MAILER": {"price": 30, "unit": "1,000 contacts/month"},
        },
    }
    doc.update(top)
    return doc


def with_plan(name: str, base: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    doc = copy.deepcopy(base or pricing())
    doc["plans"][name] = {**doc["plans"][name], **fields}
    return doc


def check(base: dict[str, Any], revision: dict[str, Any], **options: Any) -> Report:
    return api.check(base, revision, kind="pricing", **options)


def rules(report: Report) -> dict[tuple[str, str | None], Finding]:
    return {(f.rule, f.subject): f for f in report.findings}


# -- units -----------------------------------------------------------------------------------


def test_units_name_what_a_price_buys() -> None:
    assert price_unit("user/month") == price_unit("host/month") == price_unit("editor / month")
    assert price_unit("user/month").thing == "seat"
    assert (price_unit("1,000 contacts/month").quantity, price_unit("1,000 contacts/month").thing) == (1000, "contact")
    assert price_unit("/month").thing == "" and price_unit("/month").period == "month"
    assert not price_unit("/month").same_basis(price_unit("user/month"))  # flat is not per seat
    assert price_unit("seat").same_as(price_unit("seat/month"))


def test_a_seat_called_a_host_then_a_user_is_not_a_unit_change() -> None:
    revision = with_plan("TEAM", unit="host/month")
    assert not [f for f in check(pricing(), revision).findings if f.rule == "pricing-plan-unit-changed"]
    # ... but per user -> per workspace is, and stays major
    flat = with_plan("TEAM", unit="/month")
    changed = rules(check(pricing(), flat))[("pricing-plan-unit-changed", "TEAM")]
    assert changed.severity.value == "major"


def test_a_smaller_bundle_at_the_same_price_is_a_price_rise_per_unit() -> None:
    # 30 per 1,000 contacts -> 30 per 500: the headline is the same, each contact costs double
    revision = with_plan("MAILER", unit="500 contacts/month")
    got = rules(check(pricing(), revision))
    rise = got[("pricing-price-increase-steep", "MAILER")]
    assert rise.facts["percent"] == 100.0 and rise.facts["per_unit"] is True
    assert (rise.before, rise.after) == (0.03, 0.06)
    assert "compared per contact: 30 per 1,000 contacts/month -> 30 per 500 contacts/month" in rise.message
    # the other way, a bigger bundle at the same price is a cut per contact, not "no change"
    back = rules(check(revision, pricing()))
    assert back[("pricing-price-decrease", "MAILER")].facts["percent"] == -50.0
    # a bigger headline for a proportionally bigger bundle is the same price per contact
    same = with_plan("MAILER", price=60, unit="2,000 contacts/month")
    assert not [f for f in check(pricing(), same).findings if f.kind.startswith("pricing.plan.price.")]


def test_same_unit_prices_still_compare_as_they_are() -> None:
    got = rules(check(pricing(), with_plan("TEAM", price=12)))
    rise = got[("pricing-price-increase-large", "TEAM")]
    assert (rise.before, rise.after, rise.facts["percent"]) == (10, 12, 20.0)
    assert "per_unit" not in rise.facts


# -- bills across a currency change ----------------------------------------------------------


def _write(tmp_path: Path, name: str, doc: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return str(path)


def _customers(tmp_path: Path) -> str:
    path = tmp_path / "customers.csv"
    path.write_text("id,plan,seats\nc1,TEAM,3\nc2,FREE,1\n", encoding="utf-8")
    return str(path)


def test_bills_across_a_currency_change_are_not_compared_without_a_rate(tmp_path: Path) -> None:
    base = _write(tmp_path, "old.yaml", pricing())
    revision = _write(tmp_path, "new.yaml", pricing(currency="EUR"))  # same numbers, in euros
    report = api.check(base, revision, customers=_customers(tmp_path))
    assert report.impact is not None
    bills = report.impact.details["bills"]
    assert "pay_same" not in bills and "pay_more" not in bills and "revenue_change_percent" not in bills
    assert bills["currency_changed"].startswith("bills before are in USD, after in EUR: not compared")
    # today's revenue is in dollars, and no customer's two bills are put side by side
    assert (bills["currency"], bills["currency_after"], bills["revenue_before"]) == ("USD", "EUR", 30.0)
    tops = [e for f in report.findings if f.impact for e in f.impact.top_customers]
    assert tops and all(e.bill_after is None for e in tops)
    text = api.check(base, revision, customers=_customers(tmp_path))
    assert "+0.0%" not in str([f.impact.model_dump() for f in text.findings if f.impact])
    # each customer's bills are still there, in their own currencies, with no difference
    row = next(r for r in compute_bills(compare(load_pricing(pricing()), load_pricing(pricing(currency="EUR"))),
                                        [BillCustomer(id="c1", plan="TEAM", seats=3)]))
    assert (row.before.amount, row.after.amount if row.after else None, row.delta, row.percent) == (30.0, 30.0, None, None)


def test_bills_across_a_currency_change_convert_at_the_given_rate(tmp_path: Path) -> None:
    base = _write(tmp_path, "old.yaml", pricing())
    revision = _write(tmp_path, "new.yaml", pricing(currency="EUR"))
    report = api.check(base, revision, customers=_customers(tmp_path), pricing={"fx": {"USD/EUR": 0.8}})
    assert report.impact is not None
    bills = report.impact.details["bills"]
    # c1: 3 seats x USD 10 = USD 30 = EUR 24 -> EUR 30: +6 (25 %); the free user pays 0 either way
    assert (bills["pay_more"], bills["pay_same"]) == (1, 1)
    assert bills["increase"]["max"] == 6.0 and bills["increase"]["max_percent"] == 25.0
    assert (bills["revenue_before"], bills["revenue_after"]) == (24.0, 30.0)
    assert bills["exchange_rate"] == "1 USD = 0.8 EUR (bills before converted into EUR)"
    # the reverse direction at the same rate is a cut for the paying customer
    back = api.check(revision, base, customers=_customers(tmp_path), pricing={"fx": {"USD/EUR": 0.8}})
    assert back.impact is not None and back.impact.details["bills"]["pay_less"] == 1


def test_bill_impact_follows_the_diffs_own_plan_matching(tmp_path: Path) -> None:
    # TEAM renamed PRO (same content, same price): its customers' bills follow the rename,
    # taken from the comparison the diff made rather than worked out again
    renamed = copy.deepcopy(pricing())
    renamed["plans"]["PRO"] = renamed["plans"].pop("TEAM")
    base_doc, rev_doc = load_pricing(pricing()), load_pricing(renamed)
    comparison = compare(base_doc, rev_doc)
    assert comparison.plan_map()["TEAM"] == "PRO"
    row = compute_bills(comparison, [BillCustomer(id="c1", plan="TEAM", seats=3)])[0]
    assert (row.moved, row.after.plan if row.after else None, row.delta) == (False, "PRO", 0.0)


@pytest.mark.corpus
def test_dropbox_bills_across_usd_to_eur() -> None:
    comparison = compare(load_pricing(str(corpus.find("pricing", "dropbox/2023.yml"))),
                         load_pricing(str(corpus.find("pricing", "dropbox/2024.yml"))), {"USD/EUR": 0.9})
    row = compute_bills(comparison, [BillCustomer(id="x", plan="BUSINESS_PLUS", seats=2)])[0]
    # USD 24 x 2 = USD 48 = EUR 43.2 -> EUR 24 x 2 = 48: a rise of 4.8 (11.11 %), not "the same"
    assert (row.before.amount, row.after.amount if row.after else None, row.percent) == (43.2, 48.0, 11.11)


@pytest.mark.corpus
def test_dropbox_usd_to_eur_with_a_rate_file_gives_the_converted_rise_and_names_the_rate(tmp_path: Path) -> None:
    rates = tmp_path / "fx.yaml"
    rates.write_text("fx:\n  USD/EUR: 0.9\n", encoding="utf-8")
    base, revision = (str(corpus.find("pricing", f"dropbox/{y}.yml")) for y in ("2023", "2024"))
    without = api.check(base, revision)
    assert not [f for f in without.findings if "%" in f.message and f.kind.startswith("pricing.plan.price.")]
    run = subprocess.run([sys.executable, "-m", "trustguard", "check", base, revision, "--fx", str(rates),
                          "-f", "json"], capture_output=True, text=True, check=False)
    assert run.returncode in (0, 1), run.stderr
    found = {(f["rule"], f["subject"]): f["message"] for f in json.loads(run.stdout)["findings"]}
    # USD 24 = EUR 21.6 -> EUR 24: an 11.11 % rise, not "the same price"
    assert found[("pricing-price-increase-large", "BUSINESS_PLUS")] == (
        "BUSINESS_PLUS: price up 11.11% (EUR 21.6 -> 24 per user/month; USD 24 converted at 1 USD = 0.9 EUR)")


def test_an_add_on_bundle_of_another_size_compares_per_unit() -> None:
    base = pricing(addOns={"storage": {"price": 5, "unit": "100 GB/month"}})
    smaller = pricing(addOns={"storage": {"price": 5, "unit": "50 GB/month"}})
    rise = rules(check(base, smaller))
    [up] = [f for f in rise.values() if f.kind == "pricing.addon.price.increased"]
    assert up.facts["percent"] == 100.0 and up.facts["per_unit"] is True
    assert "compared per gb: 5 per 100 GB/month -> 5 per 50 GB/month" in up.message
    [down] = [f for f in check(smaller, base).findings if f.kind == "pricing.addon.price.decreased"]
    assert down.facts["percent"] == -50.0
    same = pricing(addOns={"storage": {"price": 10, "unit": "200 GB/month"}})
    assert not [f for f in check(base, same).findings if f.kind.startswith("pricing.addon.price.")]


def test_a_seat_bundle_is_billed_in_whole_bundles() -> None:
    # TEAM moves from 10 per user to 45 per 5 users: 9 a seat (a cut per seat), yet a
    # 7-seat team buys two bundles (90, was 70) and a 1-seat customer one (45, was 10)
    revision = with_plan("TEAM", price=45, unit="5 users/month")
    cut = rules(check(pricing(), revision))[("pricing-price-decrease", "TEAM")]
    assert (cut.before, cut.after, cut.facts["percent"]) == (10, 9, -10.0)
    rows = compute_bills(compare(load_pricing(pricing()), load_pricing(revision)),
                         [BillCustomer(id="a", plan="TEAM", seats=7), BillCustomer(id="b", plan="TEAM", seats=1),
                          BillCustomer(id="c", plan="TEAM", seats=10)])
    assert [(r.before.amount, r.after.amount if r.after else None) for r in rows] == [
        (70.0, 90.0), (10.0, 45.0), (100.0, 90.0)]


def test_the_bill_impact_reads_the_diffs_matching_and_neither_loads_nor_diffs() -> None:
    import ast
    import inspect

    from trustguard.errors import InternalError
    from trustguard.impact import billing

    tree = ast.parse(inspect.getsource(billing))
    at_run_time = [
        node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module
    ] + [
        node.module for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef)
        for node in ast.walk(fn) if isinstance(node, ast.ImportFrom) and node.module
    ]
    assert not [m for m in at_run_time if m.startswith(("diff", "load", "trustguard.diff", "trustguard.load"))]
    # without the diff of these two documents, the impact refuses rather than matching again
    with pytest.raises(InternalError):
        billing.diffs_comparison(load_pricing(pricing()), load_pricing(pricing()))


def test_a_mandatory_fee_in_a_new_currency_is_not_compared_without_a_rate() -> None:
    fee = {"commercialTerms": {"mandatoryFees": {"platformFee": {"price": 2, "unit": "/month", "period": "month"}}}}
    base = pricing(**fee)
    eur_fee = pricing(currency="EUR", **{"commercialTerms": {"mandatoryFees": {
        "platformFee": {"price": 3, "unit": "/month", "period": "month"}}}})
    found = check(base, eur_fee).findings
    assert not [f for f in found if f.rule.startswith("pricing-mandatory-fee")]  # not "+50 %"
    [moved] = [f for f in found if f.rule == "pricing-price-in-new-currency"]
    assert "all plans: fee platformFee USD 2 -> EUR 3" in moved.message and "%" not in moved.message
    # with a rate, USD 2 = EUR 1.6 -> EUR 3 is an 87.5 % rise, and the same fee back is a cut
    rated = check(base, eur_fee, pricing={"fx": {"USD/EUR": 0.8}}).findings
    [rise] = [f for f in rated if f.rule == "pricing-mandatory-fee-increased"]
    assert (rise.before, rise.after, rise.facts["percent"], rise.facts["fx_rate"]) == (1.6, 3, 87.5, 0.8)
    back = check(eur_fee, base, pricing={"fx": {"USD/EUR": 0.8}}).findings
    assert [f.facts["percent"] for f in back if f.kind == "pricing.terms.fee.decreased"] == [-46.67]


def _with_minimum(value: int | None) -> dict[str, Any]:
    doc = pricing()
    doc["usageLimits"]["minSeats"] = {"valueType": "NUMERIC", "defaultValue": None, "unit": "seat",
                                      "type": "NON_RENEWABLE", "description": "Minimum number of seats"}
    if value is not None:
        doc["plans"]["TEAM"]["usageLimits"] = {"minSeats": {"value": value}}
    return doc


def test_a_seat_minimum_raised_is_a_price_rise_for_small_teams_and_lowered_is_good_news() -> None:
    got = rules(check(_with_minimum(3), _with_minimum(5)))
    raised = got[("pricing-minimum-purchase-raised", "TEAM.minSeats")]
    assert raised.severity.value == "major"
    assert raised.message == "TEAM: customers must now buy at least 5 seat of minSeats (was 3)"
    introduced = rules(check(_with_minimum(None), _with_minimum(5)))
    assert introduced[("pricing-minimum-purchase-raised", "TEAM.minSeats")].before == 0
    lowered = rules(check(_with_minimum(5), _with_minimum(3)))
    assert lowered[("pricing-minimum-purchase-lowered", "TEAM.minSeats")].severity.value == "info"
    # never read as a cap: no "more included" for a higher minimum, no shrinkflation for a lower one
    assert not [k for k in got if k[0] in ("pricing-more-included", "pricing-shrinkflation")]
    assert not [k for k in lowered if k[0] in ("pricing-more-included", "pricing-shrinkflation")]


@pytest.mark.corpus
def test_zoom_license_minimums_are_minimums_not_caps() -> None:
    found = check_files("zoom", "2019", "2020")
    raised = [f for f in found if f.rule == "pricing-minimum-purchase-raised" and f.facts["limit"] == "minLicenses"]
    assert raised and "BUSINESS" in raised[0].facts.get("plans", [raised[0].facts["plan"]])
    assert not [f for f in found if f.rule == "pricing-unlimited-capped" and f.facts.get("limit") == "minLicenses"]


def check_files(saas: str, old: str, new: str) -> list[Finding]:
    return api.check(str(corpus.find("pricing", f"{saas}/{old}.yml")),
                     str(corpus.find("pricing", f"{saas}/{new}.yml"))).findings


def test_usage_of_a_renamed_limit_counts_against_its_new_name(tmp_path: Path) -> None:
    base = pricing()
    renamed = copy.deepcopy(base)
    renamed["usageLimits"]["contactsLimit"] = renamed["usageLimits"].pop("contacts")
    renamed["usageLimits"]["contactsLimit"]["defaultValue"] = 500  # ... and cut: 1,000 -> 500
    old, new = _write(tmp_path, "old.yaml", base), _write(tmp_path, "new.yaml", renamed)
    customers = tmp_path / "customers.csv"
    customers.write_text("id,plan,usage.contacts\nbig,TEAM,800\nsmall,TEAM,100\n", encoding="utf-8")
    report = api.check(old, new, customers=str(customers))
    [cut] = [f for f in report.findings if f.rule == "pricing-shrinkflation"]
    assert cut.impact is not None and cut.impact.customer_ids == ["big"]  # 800 contacts, now over 500
    assert report.impact is not None and report.impact.details["bills"]["over_limit_after"] == 1
