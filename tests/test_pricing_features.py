"""Issue 19 point 2: feature and usage-limit identity across renames. A renamed entry is
matched by name similarity, description and its values in each plan (as plans are), so it
is one "renamed" fact and its plans are compared under the new name; a catalogue-wide
rename is one summary; a genuinely removed feature stays a removal, even when an unrelated
one is added in the same revision."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from trustguard import api
from trustguard.diff.pricing_features import name_similarity
from trustguard.model import Change, Finding


def pricing() -> dict[str, Any]:
    return {
        "syntaxVersion": "2.1", "saasName": "Tallyhub", "version": "2025", "currency": "USD",
        "features": {
            "singleSignOn": {"valueType": "BOOLEAN", "defaultValue": False, "type": "INTEGRATION",
                             "description": "Sign in through your identity provider"},
            "exportToCsv": {"valueType": "BOOLEAN", "defaultValue": True, "type": "DOMAIN"},
            "auditLog": {"valueType": "BOOLEAN", "defaultValue": False, "type": "DOMAIN"},
        },
        "usageLimits": {
            "maxProjects": {"valueType": "NUMERIC", "defaultValue": 100, "unit": "project", "type": "NON_RENEWABLE"},
        },
        "plans": {
            "FREE": {"price": 0, "unit": "user/month", "usageLimits": {"maxProjects": {"value": 3}}},
            "TEAM": {"price": 10, "unit": "user/month", "features": {"auditLog": {"value": True}}},
            "BUSINESS": {"price": 20, "unit": "user/month",
                         "features": {"singleSignOn": {"value": True}, "auditLog": {"value": True}}},
        },
    }


def rename(doc: dict[str, Any], section: str, old: str, new: str) -> dict[str, Any]:
    """``doc`` with a feature or limit renamed everywhere (catalogue and plan overrides)."""
    out = copy.deepcopy(doc)
    out[section][new] = out[section].pop(old)
    for plan in out["plans"].values():
        if old in (plan.get(section) or {}):
            plan[section][new] = plan[section].pop(old)
    return out


def changes(base: dict[str, Any], revision: dict[str, Any]) -> list[Change]:
    return api.diff(base, revision, kind="pricing")


def findings(base: dict[str, Any], revision: dict[str, Any]) -> list[Finding]:
    return api.check(base, revision, kind="pricing").findings


def kinds(found: list[Change]) -> list[tuple[str, str | None]]:
    return sorted((c.kind, c.subject) for c in found)


def test_names_that_say_the_same_are_similar_and_unrelated_ones_are_not() -> None:
    assert name_similarity("maxProjects", "projectsLimit") == 1.0
    assert name_similarity("singleSignOn", "samlSingleSignOn") >= 0.6
    assert name_similarity("syncAccrossDevicesLimit", "syncAcrossDevicesLimit") >= 0.9
    assert name_similarity("singleSignOn", "aiAssistant") == 0.0
    assert name_similarity("advancedReports", "basicReports") < 0.6


def test_a_renamed_feature_is_one_renamed_fact() -> None:
    revision = rename(pricing(), "features", "singleSignOn", "samlSingleSignOn")
    assert kinds(changes(pricing(), revision)) == [("pricing.feature.renamed", "samlSingleSignOn")]
    assert not findings(pricing(), revision)  # nothing a customer loses
    # the other way round it is the same rename back
    assert kinds(changes(revision, pricing())) == [("pricing.feature.renamed", "singleSignOn")]


def test_a_renamed_feature_is_still_compared_plan_by_plan() -> None:
    revision = rename(pricing(), "features", "auditLog", "auditLogs")
    del revision["plans"]["TEAM"]["features"]  # ... and taken from TEAM at the same price
    got = {(f.rule, f.subject) for f in findings(pricing(), revision)}
    assert ("pricing-feature-removed-from-plan", "TEAM.auditLogs") in got
    assert not [r for r, _ in got if r == "pricing-feature-no-longer-listed"]


def test_a_renamed_limit_that_is_cut_is_shrinkflation_not_a_new_limit() -> None:
    revision = rename(pricing(), "usageLimits", "maxProjects", "projectsLimit")
    revision["usageLimits"]["projectsLimit"]["defaultValue"] = 50  # TEAM and BUSINESS: 100 -> 50
    found = findings(pricing(), revision)
    cut = [f for f in found if f.rule == "pricing-shrinkflation"]
    assert cut and all(f.facts["new_limit"] is False for f in cut)
    assert sorted(p for f in cut for p in f.facts["plans"]) == ["BUSINESS", "TEAM"]
    assert not [f for f in found if f.rule == "pricing-limit-on-newly-listed-feature"]


def test_a_feature_removed_while_an_unrelated_one_is_added_stays_a_removal() -> None:
    revision = copy.deepcopy(pricing())
    del revision["features"]["singleSignOn"]
    del revision["plans"]["BUSINESS"]["features"]["singleSignOn"]
    # an unrelated feature, on exactly the plans that had SSO
    revision["features"]["aiAssistant"] = {"valueType": "BOOLEAN", "defaultValue": False, "type": "DOMAIN"}
    revision["plans"]["BUSINESS"]["features"]["aiAssistant"] = {"value": True}
    assert kinds(changes(pricing(), revision)) == [
        ("pricing.feature.added", "aiAssistant"), ("pricing.feature.removed", "singleSignOn")]
    removed = [f for f in findings(pricing(), revision) if f.rule == "pricing-feature-no-longer-listed"]
    assert [f.facts["feature"] for f in removed] == ["singleSignOn"] and removed[0].facts["plans"] == ["BUSINESS"]


def test_a_similar_name_with_other_values_is_not_a_rename() -> None:
    # "exportToCsv" (every plan) gone, "exportToCsvFiles" on BUSINESS only: a different offer
    revision = copy.deepcopy(pricing())
    del revision["features"]["exportToCsv"]
    revision["features"]["exportToCsvFiles"] = {"valueType": "BOOLEAN", "defaultValue": False, "type": "DOMAIN"}
    revision["plans"]["BUSINESS"]["features"]["exportToCsvFiles"] = {"value": True}
    got = kinds(changes(pricing(), revision))
    assert ("pricing.feature.removed", "exportToCsv") in got and ("pricing.feature.added", "exportToCsvFiles") in got
    assert not [k for k, _ in got if k.endswith("renamed")]


@pytest.mark.parametrize("count", [5, 8])
def test_a_catalogue_wide_rename_is_one_summary(count: int) -> None:
    base = copy.deepcopy(pricing())
    for i in range(count):
        base["features"][f"reportPack{i}"] = {"valueType": "BOOLEAN", "defaultValue": True, "type": "DOMAIN"}
    revision = copy.deepcopy(base)
    for i in range(count):
        revision = rename(revision, "features", f"reportPack{i}", f"reportPack{i}Plus")
    found = changes(base, revision)
    assert kinds(found) == [("pricing.catalogue.renamed", "catalogue")]
    summary = found[0]
    assert summary.facts["count"] == count and summary.facts["renamed_features"]["reportPack0"] == "reportPack0Plus"
    [finding] = findings(base, revision)
    assert finding.rule == "pricing-catalogue-renamed" and finding.severity.value == "info"
    assert finding.message.startswith(f"{count} features and limits have new names: reportPack0 -> reportPack0Plus")


def test_a_few_renames_stay_one_fact_each() -> None:
    revision = rename(pricing(), "features", "singleSignOn", "samlSingleSignOn")
    revision = rename(revision, "usageLimits", "maxProjects", "projectsLimit")
    assert kinds(changes(pricing(), revision)) == [
        ("pricing.feature.renamed", "samlSingleSignOn"), ("pricing.limit.renamed", "projectsLimit")]


def test_a_lesser_name_is_never_a_rename() -> None:
    # "auditLog" replaced by "auditLogLimited" on the same plans: a cut to judge, not a rename
    revision = rename(pricing(), "features", "auditLog", "auditLogLimited")
    got = kinds(changes(pricing(), revision))
    assert ("pricing.feature.removed", "auditLog") in got and ("pricing.feature.added", "auditLogLimited") in got
    # ... and the same word added the other way ("auditLogLimited" -> "auditLog") is a rename
    assert kinds(changes(revision, pricing())) == [("pricing.feature.renamed", "auditLog")]
    # a grading word dropped ("advancedAuditLog" -> "auditLog") is no rename either
    advanced = rename(pricing(), "features", "auditLog", "advancedAuditLog")
    assert ("pricing.feature.removed", "advancedAuditLog") in kinds(changes(advanced, pricing()))


def test_a_catalogue_renamed_by_rule_is_one_summary_and_a_lone_prefix_is_not_a_rename() -> None:
    # every feature gains the word "core": each pair alone is only half alike by name
    base = copy.deepcopy(pricing())
    names = ["chat", "search", "export", "calendar", "tasks"]
    for i, name in enumerate(names):
        base["features"][name] = {"valueType": "BOOLEAN", "defaultValue": i % 2 == 0, "type": "DOMAIN"}
    revision = copy.deepcopy(base)
    for name in names:
        revision = rename(revision, "features", name, "core" + name.capitalize())
    found = changes(base, revision)
    assert kinds(found) == [("pricing.catalogue.renamed", "catalogue")]
    assert found[0].facts["renamed_features"]["tasks"] == "coreTasks"
    assert kinds(changes(revision, base)) == [("pricing.catalogue.renamed", "catalogue")]
    # one feature gaining a word on its own is a removal and an addition
    lone = rename(base, "features", "chat", "coreChat")
    assert ("pricing.feature.removed", "chat") in kinds(changes(base, lone))
