"""Issue 19 point 4: each class of pricing change judged by what it does to a customer, both ways.

Every case is a small Pricing2Yaml pricing written here: a base and a revision that differ in
the one change under test, checked in both directions (the reverse change is good news or a
different, milder finding).
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import corpus
import pytest
import yaml

from trustguard import api
from trustguard.errors import ConfigError
from trustguard.model import Finding


def pricing(**changes: Any) -> dict[str, Any]:
    """A three-plan pricing (FREE, TEAM, BUSINESS), with ``changes`` merged in at the top."""
    doc: dict[str, Any] = {
        "syntaxVersion": "2.1",
        "saasName": "Quillbox",
        "version": "2025-01-01",
        "currency": "USD",
        "billing": {"monthly": 1.0, "annual": 0.8},
        "features": {
            "notes": {"valueType": "BOOLEAN", "defaultValue": True, "type": "DOMAIN"},
            "sso": {"valueType": "BOOLEAN", "defaultValue": False, "type": "INTEGRATION"},
            "exports": {"valueType": "BOOLEAN", "defaultValue": True, "type": "DOMAIN"},
        },
        "usageLimits": {
            "projects": {"valueType": "NUMERIC", "defaultValue": 100, "unit": "project", "type": "NON_RENEWABLE"},
        },
        "plans": {
            "FREE": {"price": 0, "unit": "user/month", "usageLimits": {"projects": {"value": 10}}},
            "TEAM": {"price": 10, "unit": "user/month"},
            "BUSINESS": {"price": 20, "unit": "user/month", "features": {"sso": {"value": True}}},
        },
        "addOns": {
            "extraStorage": {"price": 5, "unit": "month", "availableFor": ["TEAM", "BUSINESS"]},
        },
    }
    for key, value in changes.items():
        doc[key] = value
    return doc


def edited(path: tuple[str, ...], value: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of ``base`` (default: the standard pricing) with the value at ``path`` replaced;
    a value of ``...`` deletes the key."""
    doc = copy.deepcopy(base or pricing())
    node = doc
    for key in path[:-1]:
        node = node.setdefault(key, {})
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


def findings(base: dict[str, Any], revision: dict[str, Any]) -> list[Finding]:
    return api.check(base, revision, kind="pricing").findings  # type: ignore[arg-type]


def by_rule(base: dict[str, Any], revision: dict[str, Any]) -> dict[str, Finding]:
    return {f.rule: f for f in findings(base, revision)}


def worst(base: dict[str, Any], revision: dict[str, Any]) -> str:
    order = ["info", "minor", "major", "blocker"]
    got = [f.severity.value for f in findings(base, revision)]
    return max(got, key=order.index) if got else "none"


# -- a published price replaced by "contact sales" --------------------------------------------


@pytest.mark.parametrize("hidden", ["Contact Sales", "custom", None])
def test_a_published_price_replaced_by_contact_sales_or_nothing_is_major(hidden: str | None) -> None:
    base = pricing()
    revision = edited(("plans", "TEAM", "price"), hidden)
    got = by_rule(base, revision)["pricing-price-hidden"]
    assert got.severity.value == "major"
    assert got.principle.value == "no-surprises"
    assert got.subject == "TEAM"
    assert ("no published price" if hidden is None else hidden) in got.message
    # the other way the price is published: good news
    back = by_rule(revision, base)
    assert back["pricing-price-published"].severity.value == "info"
    assert "pricing-price-hidden" not in back


def test_an_add_on_price_replaced_by_contact_sales_is_major_too() -> None:
    revision = edited(("addOns", "extraStorage", "price"), "Contact Sales")
    assert by_rule(pricing(), revision)["pricing-price-hidden"].severity.value == "major"


# -- an annual-discount cut is a price rise for annual customers ------------------------------


@pytest.mark.parametrize(("annual", "rule", "severity", "percent"), [
    (0.84, "pricing-billing-discount-reduced", "minor", "5"),          # 0.80 -> 0.84: +5 %
    (0.9, "pricing-billing-discount-reduced-large", "major", "12.5"),  # +12.5 %
    (1.0, "pricing-billing-discount-reduced-steep", "blocker", "25"),  # the whole discount: +25 %
])
def test_an_annual_discount_cut_is_graded_by_the_rise_annual_customers_pay(
    annual: float, rule: str, severity: str, percent: str,
) -> None:
    base = pricing()
    revision = pricing(billing={"monthly": 1.0, "annual": annual})
    got = by_rule(base, revision)
    assert got[rule].severity.value == severity
    assert f"annual customers pay {percent}% more" in got[rule].message
    # the reverse is a deeper discount: information, never a rise
    back = by_rule(revision, base)
    assert back["pricing-billing-discount-increased"].severity.value == "info"
    assert not [r for r in back if r.startswith("pricing-billing-discount-reduced")]


def test_the_discount_grades_follow_the_configured_price_thresholds() -> None:
    revision = pricing(billing={"monthly": 1.0, "annual": 0.9})  # +12.5 %
    report = api.check(pricing(), revision, kind="pricing", pricing={"price_increase_major_percent": 20})
    assert {f.rule: f.severity.value for f in report.findings}["pricing-billing-discount-reduced"] == "minor"


def test_removing_the_discounted_period_is_graded_by_what_its_customers_pay_more() -> None:
    revision = pricing(billing={"monthly": 1.0})  # annual customers lose 20 % off: +25 %
    got = by_rule(pricing(), revision)
    assert got["pricing-billing-period-removed-costly"].severity.value == "major"
    assert "25% more" in got["pricing-billing-period-removed-costly"].message
    assert by_rule(revision, pricing())["pricing-billing-period-added"].severity.value == "info"


# -- an add-on withdrawn from the plans that could buy it -------------------------------------


def test_an_add_on_existing_plans_could_buy_is_major_when_withdrawn() -> None:
    revision = pricing(addOns={})
    got = by_rule(pricing(), revision)["pricing-addon-removed"]
    assert got.severity.value == "major"
    assert "BUSINESS" in got.message and "TEAM" in got.message
    # adding it is more choice, not a loss
    back = by_rule(revision, pricing())
    assert back["pricing-addon-added"].severity.value == "info"
    assert "pricing-addon-removed" not in back


def test_an_add_on_no_plan_could_buy_is_only_minor_when_dropped() -> None:
    base = edited(("addOns", "extraStorage", "availableFor"), [])
    got = by_rule(base, pricing(addOns={}))
    assert got["pricing-addon-removed-unsold"].severity.value == "minor"
    assert "pricing-addon-removed" not in got


def test_an_add_on_taken_from_some_plans_is_a_withdrawal_for_their_customers() -> None:
    revision = edited(("addOns", "extraStorage", "availableFor"), ["BUSINESS"])
    got = by_rule(pricing(), revision)["pricing-addon-availability-reduced"]
    assert got.severity.value == "major" and "TEAM" in got.message
    assert "pricing-addon-availability-reduced" not in by_rule(revision, pricing())


def test_with_customer_data_the_withdrawn_add_on_names_its_subscribers(tmp_path: Any) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "id,name,plan,seats,billing,addons\n"
        "c1,Ash,TEAM,2,monthly,extraStorage\n"
        "c2,Birch,BUSINESS,3,monthly,\n", encoding="utf-8")
    report = api.check(pricing(), pricing(addOns={}), kind="pricing", customers=str(customers))
    got = {f.rule: f for f in report.findings}["pricing-addon-removed"]
    assert got.severity.value == "major"
    assert got.impact is not None and got.impact.customer_ids == ["c1"]


# -- shrinkflation: less included, price not lower ---------------------------------------------


@pytest.mark.parametrize(("team_price", "change"), [(10, "same"), (12, "up")])
def test_a_feature_taken_from_a_plan_whose_price_stays_or_rises_is_shrinkflation(
    team_price: float, change: str,
) -> None:
    base = pricing()
    revision = edited(("plans", "TEAM"), {"price": team_price, "unit": "user/month",
                                          "features": {"exports": {"value": False}}})
    got = by_rule(base, revision)["pricing-feature-removed-from-plan"]
    assert got.severity.value == "major"
    assert got.principle.value == "no-dark-patterns"
    assert "shrinkflation" in got.message and "Shrinkflation" in got.title
    assert f"price: {change}" in got.message
    # giving the feature back is good news
    back = by_rule(revision, base)
    assert back["pricing-more-included"].severity.value == "info"
    assert "pricing-feature-removed-from-plan" not in back


def test_a_feature_removed_with_a_price_cut_is_a_trade_off_not_shrinkflation() -> None:
    revision = edited(("plans", "TEAM"), {"price": 6, "unit": "user/month",
                                          "features": {"exports": {"value": False}}})
    got = by_rule(pricing(), revision)
    assert got["pricing-feature-removed-with-price-cut"].severity.value == "minor"
    assert "pricing-feature-removed-from-plan" not in got


def test_a_limit_cut_at_the_same_price_is_shrinkflation() -> None:
    revision = edited(("plans", "TEAM", "usageLimits"), {"projects": {"value": 40}})
    got = by_rule(pricing(), revision)["pricing-shrinkflation"]
    assert got.severity.value == "major" and got.principle.value == "no-dark-patterns"
    assert got.message.startswith("shrinkflation: TEAM: projects cut 100 -> 40")
    assert "pricing-shrinkflation" not in by_rule(revision, pricing())


# -- a free tier cut is judged by how much of it is left --------------------------------------


def _free_projects(value: float) -> dict[str, Any]:
    return edited(("plans", "FREE", "usageLimits"), {"projects": {"value": value}})


def test_a_free_tier_cut_by_90_percent_is_worse_than_one_by_10_percent() -> None:
    base = pricing()  # FREE has 10 projects
    deep = by_rule(base, _free_projects(1))
    light = by_rule(base, _free_projects(9))
    assert deep["pricing-free-tier-cut"].severity.value == "major"
    assert "pricing-free-tier-trimmed" not in deep
    assert light["pricing-free-tier-trimmed"].severity.value == "minor"
    assert "90% of it is left" in light["pricing-free-tier-trimmed"].message
    assert "pricing-free-tier-cut" not in light
    # raising the free limit back is good news either way
    assert worst(_free_projects(1), base) == "info"


def test_half_of_the_free_tier_gone_is_already_major() -> None:
    assert by_rule(pricing(), _free_projects(5))["pricing-free-tier-cut"].severity.value == "major"


def test_a_feature_taken_from_the_free_plan_is_a_free_tier_cut() -> None:
    revision = edited(("plans", "FREE", "features"), {"exports": {"value": False}})
    assert by_rule(pricing(), revision)["pricing-free-tier-cut"].severity.value == "major"


# -- drip fees in plain Pricing2Yaml -----------------------------------------------------------


def test_a_fee_add_on_every_paid_plan_takes_is_a_drip_fee() -> None:
    addons = {**pricing()["addOns"], "serviceFee": {"price": 3, "unit": "month"}}  # no availableFor: all plans
    revision = pricing(addOns=addons)
    got = by_rule(pricing(), revision)["pricing-drip-fee-in-catalogue"]
    assert got.severity.value == "blocker" and got.principle.value == "no-dark-patterns"
    assert "serviceFee" in got.message and "USD 3 per month" in got.message
    # dropping the fee again is not a drip fee (its withdrawal is judged as an add-on)
    assert "pricing-drip-fee-in-catalogue" not in by_rule(revision, pricing())


def test_an_add_on_described_as_mandatory_for_every_plan_is_a_drip_fee() -> None:
    addons = {**pricing()["addOns"], "compliancePack": {
        "price": 4, "unit": "month", "availableFor": ["TEAM", "BUSINESS"],
        "description": "Mandatory for all paid subscriptions"}}
    got = by_rule(pricing(), pricing(addOns=addons))
    assert got["pricing-drip-fee-in-catalogue"].severity.value == "blocker"
    assert "described as mandatory" in got["pricing-drip-fee-in-catalogue"].message


def test_an_optional_extra_or_a_fee_some_plans_can_skip_is_not_a_drip_fee() -> None:
    optional = {**pricing()["addOns"], "priorityHelp": {"price": 3, "unit": "month"}}
    assert "pricing-drip-fee-in-catalogue" not in by_rule(pricing(), pricing(addOns=optional))
    some_plans = {**pricing()["addOns"], "serviceFee": {"price": 3, "availableFor": ["BUSINESS"]}}
    assert "pricing-drip-fee-in-catalogue" not in by_rule(pricing(), pricing(addOns=some_plans))


def test_an_existing_fee_add_on_made_available_to_every_plan_becomes_a_drip_fee() -> None:
    base = pricing(addOns={"serviceFee": {"price": 3, "availableFor": ["BUSINESS"]}})
    revision = pricing(addOns={"serviceFee": {"price": 3, "availableFor": ["TEAM", "BUSINESS"]}})
    assert by_rule(base, revision)["pricing-drip-fee-in-catalogue"].severity.value == "blocker"
    assert "pricing-drip-fee-in-catalogue" not in by_rule(revision, base)


def test_a_fee_feature_every_paid_plan_has_is_a_drip_fee() -> None:
    features = {**pricing()["features"], "platformFee": {
        "valueType": "NUMERIC", "defaultValue": 2, "type": "PAYMENT", "description": "Per invoice"}}
    revision = pricing(features=features)
    got = by_rule(pricing(), revision)["pricing-drip-fee-in-catalogue"]
    assert got.severity.value == "blocker" and "USD 2" in got.message
    assert "pricing-drip-fee-in-catalogue" not in by_rule(revision, pricing())
    # a fee feature only one plan has is something that plan pays, not a drip fee on every plan
    only_business = copy.deepcopy(revision)
    only_business["features"]["platformFee"]["defaultValue"] = 0
    only_business["plans"]["BUSINESS"]["features"]["platformFee"] = {"value": 2}
    assert "pricing-drip-fee-in-catalogue" not in by_rule(pricing(), only_business)


def test_a_feature_whose_name_only_contains_the_letters_fee_is_not_a_fee() -> None:
    features = {**pricing()["features"], "feedbackWidget": {"valueType": "BOOLEAN", "defaultValue": True}}
    assert "pricing-drip-fee-in-catalogue" not in by_rule(pricing(), pricing(features=features))


# -- issue 19 point 1: prices in two currencies are not compared as one ------------------------

CORPUS = corpus.CORPUS / "pricing"


def _eur(**changes: Any) -> dict[str, Any]:
    return pricing(currency="EUR", **changes)


def test_without_a_rate_a_price_in_a_new_currency_has_both_amounts_and_no_percentage() -> None:
    revision = _eur(plans={**pricing()["plans"], "TEAM": {"price": 16, "unit": "user/month"}})
    found = findings(pricing(), revision)
    got = {f.rule: f for f in found}
    assert got["pricing-currency-changed"].severity.value == "major"
    # one issue (the prices moved to euros), listing every price with both amounts
    [moved] = [f for f in found if f.rule == "pricing-price-in-new-currency"]
    # BUSINESS is 20 in both and the add-on 5 in both: not "the same price" either
    assert moved.facts["by_item"] == {
        "BUSINESS": {"before": 20, "after": 20}, "TEAM": {"before": 10, "after": 16},
        "extraStorage": {"before": 5, "after": 5}}
    assert moved.message == (
        "3 prices are now quoted in EUR instead of USD and are not compared without an exchange rate "
        "(pricing.fx in the config, or --fx FILE): BUSINESS USD 20 -> EUR 20, TEAM USD 10 -> EUR 16, "
        "extraStorage USD 5 -> EUR 5")
    assert "%" not in moved.message and moved.severity.value == "minor"
    # a single price in a new currency is a finding of its own, in the rule's words
    one = _eur(plans={"TEAM": {"price": 16, "unit": "user/month"}}, addOns={})
    [alone] = [f for f in findings(pricing(plans={"TEAM": {"price": 10, "unit": "user/month"}}, addOns={}), one)
               if f.rule == "pricing-price-in-new-currency"]
    assert alone.message.startswith("TEAM: USD 10 -> EUR 16;") and "%" not in alone.message
    assert not [f for f in found if f.rule.startswith(("pricing-price-increase", "pricing-price-decrease"))]


def test_with_a_rate_the_comparison_converts_and_names_the_rate() -> None:
    revision = _eur(plans={**pricing()["plans"], "TEAM": {"price": 16, "unit": "user/month"}})
    report = api.check(pricing(), revision, kind="pricing", pricing={"fx": {"USD/EUR": 0.8}})
    got = {(f.rule, f.subject): f for f in report.findings}
    rise = got[("pricing-price-increase-steep", "TEAM")]  # USD 10 = EUR 8 -> EUR 16: +100 %
    assert rise.message == (
        "TEAM: price up 100% (EUR 8 -> 16 per user/month; USD 10 converted at 1 USD = 0.8 EUR)")
    # BUSINESS is 20 in both currencies, yet USD 20 = EUR 16 -> EUR 20 is a 25 % rise
    assert got[("pricing-price-increase-steep", "BUSINESS")].message.startswith("BUSINESS: price up 25% (EUR 16 -> 20")
    # the reverse, EUR -> USD at the same rate, is the same prices back: cuts
    back = api.check(revision, pricing(), kind="pricing", pricing={"fx": {"USD/EUR": 0.8}})
    cuts = {f.subject: f.message for f in back.findings if f.rule == "pricing-price-decrease"}
    assert cuts["TEAM"].startswith("TEAM: price down")
    assert cuts["TEAM"].endswith("(USD 20 -> 10 per user/month; EUR 16 converted at 1 EUR = 1.25 USD)")


def test_a_rate_given_the_other_way_round_is_inverted() -> None:
    revision = _eur()
    report = api.check(pricing(), revision, kind="pricing", pricing={"fx": {"EUR/USD": 1.25}})
    got = {(f.rule, f.subject): f.message for f in report.findings}
    # USD 10 = EUR 8 -> EUR 10: +25 %, graded steep at the default thresholds
    assert got[("pricing-price-increase-steep", "TEAM")].endswith("USD 10 converted at 1 USD = 0.8 EUR)")
    assert ("pricing-price-in-new-currency", "TEAM") not in got


@pytest.mark.corpus
def test_box_and_dropbox_give_no_percentage_across_currencies_and_convert_with_a_rate() -> None:
    box = api.check(str(CORPUS / "box" / "2022.yml"), str(CORPUS / "box" / "2023.yml"))
    [box_moved] = [f for f in box.findings if f.rule == "pricing-price-in-new-currency"]
    assert "BUSINESS_STARTER USD 5 -> EUR 8" in box_moved.message and "%" not in box_moved.message
    assert box_moved.facts["by_item"]["ENTERPRISE"] == {"before": 35, "after": 42}
    assert not [f for f in box.findings if f.rule.startswith("pricing-price-increase")]
    dropbox = api.check(str(CORPUS / "dropbox" / "2023.yml"), str(CORPUS / "dropbox" / "2024.yml"))
    [dropbox_moved] = [f for f in dropbox.findings if f.rule == "pricing-price-in-new-currency"]
    assert "BUSINESS_PLUS USD 24 -> EUR 24" in dropbox_moved.message and "%" not in dropbox_moved.message
    assert not [f for f in dropbox.findings if f.rule.startswith(("pricing-price-increase", "pricing-price-decrease"))]
    rated = api.check(str(CORPUS / "box" / "2022.yml"), str(CORPUS / "box" / "2023.yml"),
                      pricing={"fx": {"USD/EUR": 0.92}})
    messages = {(f.rule, f.subject): f.message for f in rated.findings}
    assert messages[("pricing-price-increase-steep", "BUSINESS_STARTER")] == (
        "BUSINESS_STARTER: price up 73.91% (EUR 4.6 -> 8 per user/month; USD 5 converted at 1 USD = 0.92 EUR)")


def test_the_fx_file_on_the_command_line_converts_and_a_bad_one_exits_2(tmp_path: Path) -> None:
    base, revision = tmp_path / "old.yaml", tmp_path / "new.yaml"
    base.write_text(yaml.safe_dump(pricing()), encoding="utf-8")
    revision.write_text(yaml.safe_dump(_eur()), encoding="utf-8")
    rates = tmp_path / "fx.yaml"
    rates.write_text("USD/EUR: 0.8\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "trustguard", "check", str(base), str(revision), "--fx", str(rates)],
                         capture_output=True, text=True, check=False)
    assert "USD 10 converted at 1 USD = 0.8 EUR" in run.stdout, run.stdout + run.stderr
    rates.write_text("USD/EUR: -1\n", encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "trustguard", "check", str(base), str(revision), "--fx", str(rates)],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "fx.yaml" in bad.stderr and "/USD~1EUR" in bad.stderr and "positive number" in bad.stderr


@pytest.mark.parametrize("fx", [{"USD": 0.9}, {"USD/EUR": "0.9"}, {"USD/USD": 1}, [1]])
def test_bad_rates_in_the_config_are_a_config_error(fx: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        api.check(pricing(), _eur(), kind="pricing", pricing={"fx": fx})
    assert "pricing.fx" in str(caught.value)


def test_an_unlimited_allowance_capped_at_the_same_price_is_named_shrinkflation() -> None:
    base = edited(("plans", "TEAM", "usageLimits"), {"projects": {"value": float("inf")}})
    revision = edited(("plans", "TEAM", "usageLimits"), {"projects": {"value": 500}})
    got = by_rule(base, revision)["pricing-unlimited-capped"]
    assert got.severity.value == "major" and got.principle.value == "no-dark-patterns"
    assert got.message == "shrinkflation: TEAM: projects was unlimited, now 500 project (price: same)"
    assert "pricing-unlimited-capped" not in by_rule(revision, base)
