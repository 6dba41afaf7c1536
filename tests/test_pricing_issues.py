"""Issue 19 point 3: one finding per issue. A change that shows up in many plans is one
finding listing the plans; grouping never lowers a severity and never drops a plan (each
plan's values and customers stay with the finding)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from trustguard import api
from trustguard.model import Finding


def pricing() -> dict[str, Any]:
    return {
        "syntaxVersion": "2.1", "saasName": "Orbitdesk", "version": "2025", "currency": "USD",
        "features": {
            "sso": {"valueType": "BOOLEAN", "defaultValue": True, "type": "INTEGRATION"},
            "chat": {"valueType": "BOOLEAN", "defaultValue": True, "type": "DOMAIN"},
        },
        "usageLimits": {
            "seatsMax": {"valueType": "NUMERIC", "defaultValue": 50, "unit": "user", "type": "NON_RENEWABLE"},
            "storage": {"valueType": "NUMERIC", "defaultValue": 100, "unit": "GB", "type": "NON_RENEWABLE"},
        },
        "plans": {
            "FREE": {"price": 0, "unit": "user/month", "features": {"sso": {"value": False}},
                     "usageLimits": {"seatsMax": {"value": 3}, "storage": {"value": 5}}},
            "TEAM": {"price": 10, "unit": "user/month"},
            "BUSINESS": {"price": 20, "unit": "user/month", "usageLimits": {"storage": {"value": 1000}}},
            "ENTERPRISE": {"price": 40, "unit": "user/month", "usageLimits": {"storage": {"value": 5000}}},
        },
        "addOns": {
            "extraStorage": {"price": 5, "unit": "month", "availableFor": ["TEAM", "BUSINESS"]},
            "prioritySupport": {"price": 50, "unit": "month", "availableFor": ["BUSINESS", "ENTERPRISE"]},
        },
    }


def check(base: dict[str, Any], revision: dict[str, Any]) -> list[Finding]:
    return api.check(base, revision, kind="pricing").findings


def of_rule(found: list[Finding], rule: str) -> list[Finding]:
    return [f for f in found if f.rule == rule]


def test_a_feature_dropped_from_every_paid_plan_is_one_finding_listing_the_plans() -> None:
    revision = copy.deepcopy(pricing())
    revision["features"]["sso"]["defaultValue"] = False  # TEAM, BUSINESS and ENTERPRISE lose SSO
    [dropped] = of_rule(check(pricing(), revision), "pricing-feature-removed-from-plan")
    assert dropped.severity.value == "major" and dropped.principle.value == "no-dark-patterns"
    assert dropped.facts["plans"] == ["BUSINESS", "ENTERPRISE", "TEAM"]
    assert dropped.message == ("shrinkflation: BUSINESS no longer includes sso (price: same); "
                               "also in ENTERPRISE, TEAM")
    # the other way round, SSO given to every paid plan is one piece of good news
    [gained] = of_rule(check(revision, pricing()), "pricing-more-included")
    assert gained.severity.value == "info" and gained.facts["plans"] == ["BUSINESS", "ENTERPRISE", "TEAM"]


def test_a_change_in_one_plan_stays_a_finding_of_that_plan() -> None:
    revision = copy.deepcopy(pricing())
    revision["plans"]["TEAM"]["features"] = {"chat": {"value": False}}
    [one] = of_rule(check(pricing(), revision), "pricing-feature-removed-from-plan")
    assert (one.subject, one.facts["plan"]) == ("TEAM.chat", "TEAM") and "parts" not in one.facts


def test_each_plans_own_values_are_kept() -> None:
    revision = copy.deepcopy(pricing())
    revision["plans"]["BUSINESS"]["usageLimits"]["storage"] = {"value": 500}
    revision["plans"]["ENTERPRISE"]["usageLimits"]["storage"] = {"value": 2000}
    [cut] = of_rule(check(pricing(), revision), "pricing-shrinkflation")
    assert cut.facts["by_plan"] == {
        "BUSINESS": {"before": 1000, "after": 500, "base_plan": "BUSINESS"},
        "ENTERPRISE": {"before": 5000, "after": 2000, "base_plan": "ENTERPRISE"},
    }
    assert cut.message.endswith("; also in ENTERPRISE (5000 -> 2000)")


def test_plans_inheriting_one_default_are_each_found() -> None:
    # TEAM, BUSINESS and ENTERPRISE all take seatsMax from the default: cutting it cuts each
    revision = copy.deepcopy(pricing())
    revision["usageLimits"]["seatsMax"]["defaultValue"] = 20
    [cut] = of_rule(check(pricing(), revision), "pricing-shrinkflation")
    assert cut.facts["plans"] == ["BUSINESS", "ENTERPRISE", "TEAM"]


def test_grouping_never_lowers_a_severity() -> None:
    # the same cut in two plans, one of which also got cheaper: two rules, two severities
    revision = copy.deepcopy(pricing())
    revision["plans"]["BUSINESS"]["usageLimits"]["storage"] = {"value": 500}
    revision["plans"]["ENTERPRISE"]["usageLimits"]["storage"] = {"value": 2500}
    revision["plans"]["ENTERPRISE"]["price"] = 30
    found = check(pricing(), revision)
    assert [(f.severity.value, f.facts["plan"]) for f in of_rule(found, "pricing-shrinkflation")] == [("major", "BUSINESS")]
    assert [(f.severity.value, f.facts["plan"]) for f in of_rule(found, "pricing-limit-cut-with-price-cut")] == [
        ("minor", "ENTERPRISE")]


def test_add_ons_withdrawn_together_are_one_issue_and_one_alone_is_its_own() -> None:
    both = copy.deepcopy(pricing())
    both["addOns"] = {}
    [withdrawn] = of_rule(check(pricing(), both), "pricing-addon-removed")
    assert withdrawn.severity.value == "major"
    assert withdrawn.facts["addons"] == ["extraStorage", "prioritySupport"]
    assert withdrawn.facts["plans"] == ["BUSINESS", "ENTERPRISE", "TEAM"]
    one = copy.deepcopy(pricing())
    del one["addOns"]["prioritySupport"]
    [alone] = of_rule(check(pricing(), one), "pricing-addon-removed")
    assert alone.subject == "prioritySupport" and "addons" not in alone.facts


def test_the_bill_impact_of_a_grouped_finding_reaches_every_plans_customers(tmp_path: Path) -> None:
    base, revision = tmp_path / "old.yaml", tmp_path / "new.yaml"
    base.write_text(yaml.safe_dump(pricing()), encoding="utf-8")
    changed = copy.deepcopy(pricing())
    changed["features"]["sso"]["defaultValue"] = False
    revision.write_text(yaml.safe_dump(changed), encoding="utf-8")
    customers = tmp_path / "customers.csv"
    customers.write_text("id,plan,seats\nt1,TEAM,2\nb1,BUSINESS,1\ne1,ENTERPRISE,4\nf1,FREE,1\n", encoding="utf-8")
    report = api.check(str(base), str(revision), customers=str(customers))
    [dropped] = of_rule(report.findings, "pricing-feature-removed-from-plan")
    assert dropped.impact is not None and dropped.impact.customer_ids == ["b1", "e1", "t1"]


def test_features_a_catalogue_stops_or_starts_listing_are_one_finding_each_way() -> None:
    base = copy.deepcopy(pricing())
    for name in ("whiteboards", "polls", "breakouts"):
        base["features"][name] = {"valueType": "BOOLEAN", "defaultValue": True, "type": "DOMAIN"}
    [gone] = of_rule(check(base, pricing()), "pricing-feature-no-longer-listed")
    assert (gone.subject, gone.severity.value) == ("3 features", "minor")
    assert gone.facts["features"] == ["breakouts", "polls", "whiteboards"]
    assert gone.message.startswith("3 features are gone from the pricing: breakouts, polls, whiteboards")
    [listed] = of_rule(check(pricing(), base), "pricing-feature-listed")
    assert listed.severity.value == "info" and listed.facts["features"] == ["breakouts", "polls", "whiteboards"]
