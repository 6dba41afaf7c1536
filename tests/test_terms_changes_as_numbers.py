"""Changes as numbers and new money: a cut notice period is major, a lengthened one is
not above info; new fees, a removed export right and dropped notice before assignment
are findings of their own rules, and the same text unchanged is none."""

from __future__ import annotations

import pytest

from trustguard.api import check
from trustguard.model import Severity

BASE = """# Terms

## 1. Changes

We will notify you at least 30 days before any change to these Terms takes effect.

## 2. Fees

The Basic plan costs $10 per month.

## 3. Termination

After termination you may export your data for 30 days.

## 4. Assignment

We may assign this Agreement to an affiliate after giving you 30 days' notice.
"""


def _findings(old: str, new: str) -> dict[str, Severity]:
    report = check({"text": old, "name": "old.md"}, {"text": new, "name": "new.md"}, kind="terms")
    return {f.rule: f.severity for f in report.findings}


def _above_info(found: dict[str, Severity]) -> set[str]:
    return {rule for rule, severity in found.items() if severity.at_least(Severity.MINOR)}


def test_a_change_notice_cut_from_30_to_7_days_is_major() -> None:
    found = _findings(BASE, BASE.replace("at least 30 days", "at least 7 days"))
    assert found.get("terms-change-notice-shortened") is Severity.MAJOR


@pytest.mark.parametrize("replacement", ["at least 60 days", "at least 45 days"])
def test_a_lengthened_notice_is_nothing_above_info(replacement: str) -> None:
    assert _above_info(_findings(BASE, BASE.replace("at least 30 days", replacement))) == set()


@pytest.mark.parametrize(("added", "rule"), [
    ("A dormant account fee of $5 per month applies to accounts inactive for 12 months.", "inactivity-fee-added"),
    ("If you exceed your plan's limits we will automatically upgrade you to the next tier and charge its fee.",
     "automatic-upgrade-added"),
])
def test_a_new_fee_is_a_finding_of_its_rule(added: str, rule: str) -> None:
    found = _findings(BASE, BASE.replace("$10 per month.", f"$10 per month. {added}"))
    assert found.get(rule) is Severity.MAJOR


@pytest.mark.parametrize("added", [
    "We do not charge any fees on dormant accounts.",
    "You can upgrade to a higher plan at any time from the billing page.",
])
def test_a_promise_of_no_fee_or_a_users_own_upgrade_is_no_fee_finding(added: str) -> None:
    found = _findings(BASE, BASE.replace("$10 per month.", f"$10 per month. {added}"))
    assert not {"inactivity-fee-added", "automatic-upgrade-added"} & set(found)


def test_the_right_to_export_after_termination_removed_is_major() -> None:
    found = _findings(BASE, BASE.replace("After termination you may export your data for 30 days.",
                                         "After termination your data is deleted."))
    assert found.get("data-export-right-removed") is Severity.MAJOR


def test_notice_before_assignment_dropped_is_an_assignment_finding_not_termination() -> None:
    found = _findings(BASE, BASE.replace("after giving you 30 days' notice", "at any time without notice to you"))
    assert found.get("assignment-notice-removed") is Severity.MAJOR
    assert found.get("assignment-without-notice-added") is Severity.MAJOR
    # the model once read it as termination and as a change of terms
    assert not {r for r in found if r.startswith(("account-termination", "terms-unilateral"))}


def test_assignment_notice_cut_is_major_and_lengthened_is_quiet() -> None:
    cut = _findings(BASE, BASE.replace("30 days' notice", "5 days' notice"))
    assert cut.get("assignment-notice-shortened") is Severity.MAJOR
    assert _above_info(_findings(BASE, BASE.replace("30 days' notice", "90 days' notice"))) == set()


def test_the_same_terms_give_nothing() -> None:
    assert _findings(BASE, BASE) == {}
