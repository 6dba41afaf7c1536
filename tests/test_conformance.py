"""Conformance with oasdiff: its own test cases must keep passing at the recorded level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conformance import SAMPLE, load_cases, rates, run_all

BASELINE = json.loads((Path(__file__).with_name("conformance_baseline.json")).read_text(encoding="utf-8"))


@pytest.mark.corpus
def test_oasdiff_conformance_does_not_regress() -> None:
    outcomes = run_all()
    breaking, overall, n_breaking, n_all = rates(outcomes)
    print(f"\noasdiff conformance: ERR/WARN cases {breaking:.1%} of {n_breaking}, all cases {overall:.1%} of {n_all}")
    failing = sorted(o.case["name"] for o in outcomes if not o.passed)
    print(f"failing cases ({len(failing)}): {', '.join(failing[:40])}{' ...' if len(failing) > 40 else ''}")
    assert n_all == 404
    assert breaking >= BASELINE["breaking"], f"ERR/WARN pass rate fell to {breaking:.1%}"
    assert overall >= BASELINE["all"], f"overall pass rate fell to {overall:.1%}"
    # the floor: 90% of the cases expecting an ERR/WARN id, 75% of all cases
    assert breaking >= 0.90 and overall >= 0.75


def test_the_sample_of_oasdiff_cases_all_pass() -> None:
    """tests/data/oasdiff: oasdiff's cases for 72 check ids (one small case each) and cases
    where oasdiff reports nothing; all passed when they were copied, so any failure is a
    regression, also without the corpus."""
    outcomes = run_all(folder=SAMPLE)
    assert len(outcomes) == len(load_cases(SAMPLE)) == 78
    expected_ids = {e["id"] for o in outcomes for e in o.case["expected"]}
    assert len(expected_ids) >= 70
    assert any(o.case.get("count") == 0 for o in outcomes), "cases where nothing may be reported"
    failing = [(o.case["name"], o.error or o.reason) for o in outcomes if not o.passed]
    assert failing == []
    assert rates(outcomes)[:2] == (1.0, 1.0)
