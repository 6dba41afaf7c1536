"""Conformance with oasdiff: its own test cases must keep passing at the recorded level."""

from __future__ import annotations

import json
from pathlib import Path

from conformance import rates, run_all

BASELINE = json.loads((Path(__file__).with_name("conformance_baseline.json")).read_text(encoding="utf-8"))


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
