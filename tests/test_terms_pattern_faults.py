"""Pattern faults seen on real terms, each tested both ways: the sentence that was misread
is no finding of the wrong rule, and the sentence the rule is for still is one. --explain
shows the sentence a finding rests on."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from trustguard.api import check
from trustguard.cli import cli

BASE = """# Terms of Service

## 1. Your account

You may use the service to keep notes for your own team.

## 2. General

Questions about these terms can be sent to legal@example.com.
"""


def _rules(sentence: str) -> set[str]:
    """Rules that fire at minor or above when the sentence is added to the account section."""
    new = BASE.replace("for your own team.", f"for your own team. {sentence}")
    report = check({"text": BASE, "name": "old.md"}, {"text": new, "name": "new.md"}, kind="terms")
    return {f.rule for f in report.findings if f.severity.value != "info"}


def _families(rules: set[str], *prefixes: str) -> set[str]:
    return {r for r in rules if r.startswith(prefixes)}


@pytest.mark.parametrize("sentence", [
    "You may deactivate your account for any reason at any time from the settings page.",
    "You can suspend or close your account at any time, for any reason.",
])
def test_the_users_own_action_is_not_provider_termination(sentence: str) -> None:
    assert not _families(_rules(sentence), "account-termination")


def test_provider_termination_for_any_reason_is_still_found() -> None:
    rules = _rules("We may deactivate your account for any reason at any time.")
    assert _families(rules, "account-termination")


def test_an_indemnitys_fee_list_is_not_a_liability_cap() -> None:
    rules = _rules("You will indemnify us against all claims, liabilities, damages and costs, "
                   "including but not limited to reasonable attorneys' fees.")
    assert not _families(rules, "liability-cap")


def test_a_real_cap_is_still_found() -> None:
    assert _families(_rules("Our total liability to you is limited to the fees you paid in the last 12 months."),
                     "liability-cap")


def test_a_savings_clause_is_not_an_exclusion() -> None:
    rules = _rules("Some jurisdictions do not allow the exclusion of certain warranties or the limitation of "
                   "liability for incidental or consequential damages, so the above limitations may not apply to you.")
    assert not _families(rules, "liability")


@pytest.mark.parametrize("sentence", [
    "We are not responsible for any content posted by other users.",
    "In no event shall we be liable for any indirect or consequential damages.",
])
def test_an_exclusion_is_found(sentence: str) -> None:
    assert _families(_rules(sentence), "liability-exclusion")


def test_a_change_both_parties_must_sign_is_not_unilateral() -> None:
    rules = _rules("This Agreement may be amended only by a written agreement signed by both parties.")
    assert not _families(rules, "unilateral", "terms-unilateral")


def test_a_unilateral_change_is_still_found() -> None:
    assert _families(_rules("We may change these terms at any time by posting the revised terms on this page."),
                     "terms-unilateral-change")


@pytest.mark.parametrize("sentence", [
    "By using the service you agree to these Terms.",
    "By placing an order you agree to be bound by these Terms of Sale.",
])
def test_contract_by_using_is_found(sentence: str) -> None:
    assert _families(_rules(sentence), "continued-use")


def test_by_clicking_a_link_to_confirm_is_not_contract_by_using() -> None:
    assert not _families(_rules("By clicking the link in the email you confirm your address."), "continued-use")


def test_explain_shows_the_sentence_and_what_read_it(tmp_path: Path) -> None:
    sentence = "We may deactivate your account for any reason at any time."
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text(BASE, encoding="utf-8")
    new.write_text(BASE.replace("for your own team.", f"for your own team. {sentence}"), encoding="utf-8")
    plain = CliRunner().invoke(cli, ["review", str(old), str(new)])
    explained = CliRunner().invoke(cli, ["review", str(old), str(new), "--explain"])
    assert plain.exit_code == 0 and explained.exit_code == 0, explained.output
    assert "read by a pattern" not in plain.stdout
    why = explained.stdout.split("Why (the sentence each finding rests on):", 1)[1]
    assert f'read by a pattern: "{sentence}"' in why and "account-termination" in why


def test_explain_with_json_is_a_usage_error(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_text(BASE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(doc), str(doc), "-f", "json", "--explain"])
    assert result.exit_code == 2 and "--explain" in result.output
