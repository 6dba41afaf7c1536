"""Deprecation, x-sunset grace periods (--deprecation-days-stable/beta) and
stability levels (--stability-level) of endpoints and parameters."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import trustguard
from trustguard.cli import cli as cli_main

TODAY = dt.date(2025, 1, 1)


def spec(op: dict[str, Any], *, extra_ops: dict[str, Any] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"get": {"responses": {"200": {"description": "OK"}}, **op}}
    item.update(extra_ops or {})
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/pets": item}}


def rules(base: dict[str, Any], rev: dict[str, Any], **options: Any) -> list[str]:
    report = trustguard.check(base, rev, fail_on="none", today=TODAY, **options)
    return sorted(f.rule for f in report.findings)


# --- deprecating an endpoint --------------------------------------------------------


def test_deprecation_without_sunset_is_fine_when_no_grace_period_is_enforced() -> None:
    assert rules(spec({}), spec({"deprecated": True})) == ["endpoint-deprecated"]


def test_deprecation_without_sunset_breaks_an_enforced_grace_period() -> None:
    assert rules(spec({}), spec({"deprecated": True}), deprecation_days_stable=90) == ["api-deprecated-sunset-missing"]


def test_sunset_must_be_at_least_the_grace_period_away() -> None:
    soon = spec({"deprecated": True, "x-sunset": "2025-02-01"})  # 31 days after TODAY
    later = spec({"deprecated": True, "x-sunset": "2025-12-31"})
    assert rules(spec({}), soon, deprecation_days_stable=90) == ["api-sunset-date-too-small"]
    assert rules(spec({}), soon, deprecation_days_stable=31) == ["endpoint-deprecated-with-sunset"]
    assert rules(spec({}), later, deprecation_days_stable=90) == ["endpoint-deprecated-with-sunset"]
    assert rules(spec({}), soon) == ["endpoint-deprecated-with-sunset"]


def test_beta_endpoints_use_the_beta_grace_period() -> None:
    base = spec({"x-stability-level": "beta"})
    rev = spec({"x-stability-level": "beta", "deprecated": True, "x-sunset": "2025-02-01"})
    assert rules(base, rev, deprecation_days_stable=365, deprecation_days_beta=30) == ["endpoint-deprecated-with-sunset"]
    assert rules(base, rev, deprecation_days_stable=10, deprecation_days_beta=60) == ["api-sunset-date-too-small"]
    missing = spec({"x-stability-level": "beta", "deprecated": True})
    assert rules(base, missing, deprecation_days_beta=60) == ["api-deprecated-sunset-missing"]
    assert rules(base, missing, deprecation_days_stable=60) == ["endpoint-deprecated"]


def test_sunset_in_the_past_is_too_small_even_without_policy() -> None:
    assert rules(spec({}), spec({"deprecated": True, "x-sunset": "2024-06-01"})) == ["api-sunset-date-too-small"]


def test_unreadable_sunset_date() -> None:
    assert rules(spec({}), spec({"deprecated": True, "x-sunset": "next spring"})) == ["api-deprecated-sunset-parse"]


def test_sunset_in_http_date_form_is_read() -> None:
    rev = spec({"deprecated": True, "x-sunset": "Wed, 31 Dec 2025 23:59:59 GMT"})
    report = trustguard.check(spec({}), rev, fail_on="none", today=TODAY)
    assert [(f.rule, f.facts["sunset"], f.facts["sunset_days"]) for f in report.findings] == [
        ("endpoint-deprecated-with-sunset", "2025-12-31", 364)
    ]


def test_reactivated_endpoint() -> None:
    assert rules(spec({"deprecated": True}), spec({})) == ["endpoint-reactivated"]


def test_sunset_deleted_and_moved_earlier() -> None:
    base = spec({"deprecated": True, "x-sunset": "2025-12-31"})
    assert rules(base, spec({"deprecated": True})) == ["sunset-deleted"]
    earlier = spec({"deprecated": True, "x-sunset": "2025-03-01"})
    assert rules(base, earlier, deprecation_days_stable=180) == ["api-sunset-date-changed-too-small"]
    assert rules(base, earlier, deprecation_days_stable=30) == []
    # moving it later is always fine
    assert rules(earlier, base, deprecation_days_stable=180) == []


# --- removing an endpoint ------------------------------------------------------------


def two_ops(delete: dict[str, Any]) -> dict[str, Any]:
    return spec({}, extra_ops={"delete": {"responses": {"204": {"description": "gone"}}, **delete}})


def test_removal_depends_on_deprecation_and_sunset() -> None:
    keep_get = spec({})
    assert rules(two_ops({}), keep_get) == ["api-removed-without-deprecation"]
    assert rules(two_ops({"deprecated": True}), keep_get) == ["api-removed-with-deprecation"]
    assert rules(two_ops({"deprecated": True, "x-sunset": "2025-06-01"}), keep_get) == ["api-removed-before-sunset"]
    assert rules(two_ops({"deprecated": True, "x-sunset": "2024-06-01"}), keep_get) == ["endpoint-removed-after-sunset"]
    assert rules(two_ops({"deprecated": True, "x-sunset": "?"}), keep_get) == ["api-path-sunset-parse"]


def test_removing_the_whole_path_uses_the_path_ids() -> None:
    empty: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}
    assert rules(spec({}), empty) == ["api-path-removed-without-deprecation"]
    assert rules(spec({"deprecated": True}), empty) == ["api-path-removed-with-deprecation"]
    assert rules(spec({"deprecated": True, "x-sunset": "2025-06-01"}), empty) == ["api-path-removed-before-sunset"]


# --- parameters ----------------------------------------------------------------------


def with_param(**param: Any) -> dict[str, Any]:
    return spec({"parameters": [{"name": "sort", "in": "query", "schema": {"type": "string"}, **param}]})


def test_parameter_deprecation_uses_the_operation_grace_period() -> None:
    assert rules(with_param(), with_param(deprecated=True)) == ["request-parameter-deprecated"]
    assert rules(with_param(), with_param(deprecated=True), deprecation_days_stable=30) == [
        "request-parameter-deprecated-sunset-missing"]
    soon = with_param(deprecated=True, **{"x-sunset": "2025-01-15"})
    assert rules(with_param(), soon, deprecation_days_stable=30) == ["request-parameter-sunset-date-too-small"]
    assert rules(with_param(), soon, deprecation_days_stable=14) == ["request-parameter-deprecated"]
    assert rules(with_param(deprecated=True), with_param()) == ["request-parameter-reactivated"]


def test_parameter_removal_depends_on_deprecation_and_sunset() -> None:
    gone = spec({})
    assert rules(with_param(), gone) == ["request-parameter-removed"]
    assert rules(with_param(deprecated=True), gone) == ["request-parameter-removed-with-deprecation"]
    future = with_param(deprecated=True, **{"x-sunset": "2025-06-01"})
    assert rules(future, gone) == ["request-parameter-removed-before-sunset"]
    past = with_param(deprecated=True, **{"x-sunset": "2024-06-01"})
    assert rules(past, gone) == ["request-parameter-removed-after-sunset"]


def test_parameter_sunset_deleted_moved_and_unreadable() -> None:
    base = with_param(deprecated=True, **{"x-sunset": "2025-12-31"})
    assert rules(base, with_param(deprecated=True)) == ["request-parameter-sunset-deleted"]
    earlier = with_param(deprecated=True, **{"x-sunset": "2025-02-01"})
    assert rules(base, earlier, deprecation_days_stable=60) == ["request-parameter-sunset-date-changed-too-small"]
    bad = with_param(deprecated=True, **{"x-sunset": "soon"})
    assert rules(base, bad) == ["request-parameter-sunset-parse"]


# --- stability levels ----------------------------------------------------------------


def test_draft_and_alpha_endpoints_may_change_freely_by_default() -> None:
    for level in ("draft", "alpha"):
        base = spec({"x-stability-level": level})
        rev = spec({"x-stability-level": level, "parameters": [
            {"name": "owner", "in": "query", "required": True, "schema": {"type": "string"}}]})
        assert rules(base, rev) == []
        assert rules(base, rev, stability_level="draft") == ["new-required-request-parameter"]
    beta = spec({"x-stability-level": "beta"})
    beta_rev = spec({"x-stability-level": "beta", "responses": {}})
    assert rules(beta, beta_rev) == ["response-success-status-removed"]
    assert rules(beta, beta_rev, stability_level="stable") == []


def test_removing_a_draft_endpoint_is_not_reported_by_default() -> None:
    base = two_ops({"x-stability-level": "draft"})
    assert rules(base, spec({})) == []
    assert rules(base, spec({}), stability_level="draft") == ["api-removed-without-deprecation"]


def test_stability_decrease_is_judged_by_the_level_the_endpoint_leaves() -> None:
    stable, beta, draft = spec({}), spec({"x-stability-level": "beta"}), spec({"x-stability-level": "draft"})
    assert rules(stable, draft) == ["api-stability-decreased"]
    assert rules(stable, beta) == ["api-stability-decreased"]
    assert rules(beta, stable) == ["api-stability-increased"]
    # a draft endpoint was never in scope at the default level
    assert rules(draft, stable) == []
    assert rules(draft, stable, stability_level="draft") == ["api-stability-increased"]
    assert rules(beta, stable, stability_level="stable") == []


def test_invalid_stability_level_is_reported_and_suspends_grace_checks() -> None:
    rev = spec({"x-stability-level": "experimental", "deprecated": True, "x-sunset": "2024-01-01"})
    assert rules(spec({}), rev, deprecation_days_stable=30) == ["api-invalid-stability-level"]


@pytest.mark.parametrize("level", [{"name": "beta"}, ["beta"], 3, True])
def test_a_stability_level_that_is_not_a_word_is_an_invalid_level(level: object) -> None:
    # found by fuzzing: a mapping or a list here used to stop the diff with a TypeError
    assert rules(spec({}), spec({"x-stability-level": level})) == ["api-invalid-stability-level"]
    # like an unknown word, it is reported on both sides (as oasdiff does)
    both = rules(spec({"x-stability-level": level}), spec({"x-stability-level": level}))
    assert both == rules(spec({"x-stability-level": "experimental"}), spec({"x-stability-level": "experimental"}))


def test_cli_grace_period_and_today_flags(tmp_path: Path) -> None:
    base, rev = tmp_path / "v1.json", tmp_path / "v2.json"
    base.write_text(json.dumps(spec({})), encoding="utf-8")
    rev.write_text(json.dumps(spec({"deprecated": True, "x-sunset": "2025-02-01"})), encoding="utf-8")
    runner = CliRunner()
    lenient = runner.invoke(cli_main, ["check", str(base), str(rev), "--today", "2025-01-01", "--format", "json"])
    assert lenient.exit_code == 0, lenient.output
    assert [f["rule"] for f in json.loads(lenient.output)["findings"]] == ["endpoint-deprecated-with-sunset"]
    strict = runner.invoke(cli_main, ["check", str(base), str(rev), "--today", "2025-01-01", "--format", "json",
                                      "--deprecation-days-stable", "90"])
    assert strict.exit_code == 1, strict.output
    assert [f["rule"] for f in json.loads(strict.output)["findings"]] == ["api-sunset-date-too-small"]
