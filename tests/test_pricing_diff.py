"""Diffing real pricings: every successive corpus pair, the README's real changes, renames,
and no change at all for the same document or a re-ordered one. The pairs copied into
tests/data/pricing (Slack, Mailchimp, GitHub) run without the corpus."""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import corpus
import pytest
import yaml

from trustguard import api
from trustguard.diff.pricing import diff_pricing, match_plans
from trustguard.load.pricing import load_pricing, pricing_of
from trustguard.model import Change

CORPUS = corpus.CORPUS / "pricing"
SAMPLE = corpus.DATA / "pricing"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "pricing"


def _pairs(folder: Path) -> list[tuple[Path, Path]]:
    out = []
    for saas in sorted(p for p in folder.iterdir() if p.is_dir()):
        files = sorted(saas.glob("*.yml"))
        out.extend(itertools.pairwise(files))
    return out


PAIRS = corpus.collect(lambda: _pairs(CORPUS))
SAMPLE_PAIRS = _pairs(SAMPLE)


def _pair_id(pair: tuple[Path, Path]) -> str:
    return f"{pair[0].parent.name}-{pair[0].stem}-{pair[1].stem}"


def changes(saas: str, old: str, new: str) -> list[Change]:
    return api.diff(str(corpus.find("pricing", f"{saas}/{old}.yml")), str(corpus.find("pricing", f"{saas}/{new}.yml")))


@pytest.mark.corpus
def test_there_are_53_successive_pairs() -> None:
    assert len(PAIRS) == 53


@pytest.mark.parametrize("pair", [pytest.param(p, id=_pair_id(p), marks=pytest.mark.corpus) for p in PAIRS]
                         + [pytest.param(p, id=f"sample-{_pair_id(p)}") for p in SAMPLE_PAIRS])
def test_every_successive_pair_runs(pair: tuple[Path, Path]) -> None:
    report = api.check(str(pair[0]), str(pair[1]), include_changes=True)
    assert report.kind.value == "pricing"
    assert report.changes is not None
    for change in report.changes:
        assert change.kind.startswith(("pricing.", "sla."))  # sla: the service levels a pricing states
        assert change.location.startswith("/")
        # every location points into the file it names
        assert change.source is not None and change.source.line is not None


@pytest.mark.parametrize("folder", [pytest.param(CORPUS, id="corpus", marks=pytest.mark.corpus),
                                    pytest.param(SAMPLE, id="sample")])
def test_same_document_twice_gives_nothing(folder: Path) -> None:
    paths = sorted(folder.glob("*/2023.yml"))
    assert paths
    for path in paths:
        doc = load_pricing(str(path))
        assert diff_pricing(doc, load_pricing(str(path))) == []


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    return value


@pytest.mark.parametrize("name", [
    pytest.param(name, id=name, marks=() if corpus.copied("pricing", name) else pytest.mark.corpus)
    for name in ["slack/2023.yml", "mailchimp/2024.yml", "github/2025.yml", "zoom/2022.yml"]
])
def test_reordered_keys_and_plans_give_nothing(name: str, tmp_path: Path) -> None:
    source = corpus.find("pricing", name)
    original = yaml.safe_load(source.read_text(encoding="utf-8"))
    shuffled = _shuffled(original, random.Random(7))
    assert list(shuffled["plans"]) != list(original["plans"])
    target = tmp_path / "reordered.yml"
    target.write_text(yaml.safe_dump(shuffled, sort_keys=False), encoding="utf-8")
    assert api.diff(str(source), str(target)) == []
    assert api.check(str(source), str(target)).findings == []


def test_mailchimp_2024_price_rises() -> None:
    rises = {c.subject: c for c in changes("mailchimp", "2023", "2024") if c.kind == "pricing.plan.price.increased"}
    assert sorted(rises) == ["ESSENTIALS", "PREMIUM", "STANDARD"]
    assert (rises["ESSENTIALS"].before, rises["ESSENTIALS"].after) == (9.99, 13)
    assert rises["ESSENTIALS"].facts["percent"] == 30.13
    assert rises["PREMIUM"].facts["delta"] == 51
    assert rises["STANDARD"].location == "/plans/STANDARD/price"


def test_slack_rename_and_message_limit_unit_change() -> None:
    found = changes("slack", "2020", "2023")
    renames = {(c.before, c.after) for c in found if c.kind == "pricing.plan.renamed"}
    assert ("STANDARD", "PRO") in renames and ("PLUS", "BUSINESS_PLUS") in renames
    assert not [c for c in found if c.kind == "pricing.plan.removed"]
    price = next(c for c in found if c.kind == "pricing.plan.price.increased")
    assert (price.subject, price.before, price.after, price.facts["base_plan"]) == ("PRO", 8, 8.75, "STANDARD")
    unit = next(c for c in found if c.kind == "pricing.limit.unit.changed" and c.subject == "useMessagesAccess")
    assert unit.after == "message" and unit.facts["cut"] is True and unit.facts["plans_cut"] == ["FREE"]
    cut = next(c for c in found if c.subject == "FREE.useMessagesAccess")
    assert cut.kind == "pricing.plan.limit.decreased"
    assert (cut.before, cut.after, cut.facts["unit_changed"]) == (10000, 90, True)


@pytest.mark.corpus
def test_notion_renames_match_by_content_and_price() -> None:
    base = pricing_of(load_pricing(str(CORPUS / "notion" / "2022.yml")))
    revision = pricing_of(load_pricing(str(CORPUS / "notion" / "2023.yml")))
    pairs = {(m.base, m.revision) for m in match_plans(base, revision)}
    assert {("PERSONAL", "FREE"), ("PERSONAL_PRO", "PLUS"), ("TEAM", "BUSINESS"), ("ENTERPRISE", "ENTERPRISE")} == pairs
    found = changes("notion", "2022", "2023")
    assert not [c for c in found if c.kind in ("pricing.plan.removed", "pricing.plan.added")]
    plus = next(c for c in found if c.kind == "pricing.plan.price.increased" and c.subject == "PLUS")
    assert (plus.before, plus.after) == (5, 8)


@pytest.mark.corpus
def test_a_free_plan_is_never_matched_to_a_paid_one() -> None:
    found = changes("postman", "2022", "2023")
    removed = [c for c in found if c.kind == "pricing.plan.removed"]
    assert [c.subject for c in removed] == ["FREE"]
    assert removed[0].facts["free"] is True
    assert any(c.kind == "pricing.free_tier.removed" for c in found)


@pytest.mark.corpus
def test_evernote_free_tier_gains_limits() -> None:
    found = changes("evernote", "2023", "2024")
    cuts = {c.subject: c for c in found if c.kind == "pricing.plan.limit.decreased" and c.facts["plan"] == "FREE"}
    assert cuts["FREE.notesLimit"].after == 50 and cuts["FREE.notesLimit"].facts["from_unlimited"] is True
    assert cuts["FREE.notebooksLimit"].after == 1
    later = changes("evernote", "2024", "2025")
    devices = next(c for c in later if c.subject == "FREE.syncAccrossDevicesLimit")
    assert (devices.kind, devices.before, devices.after) == ("pricing.plan.limit.decreased", 2, 1)


def test_github_2020_team_cut_and_pro_removed() -> None:
    found = changes("github", "2019", "2020")
    team = next(c for c in found if c.subject == "TEAM" and c.kind.startswith("pricing.plan.price"))
    assert team.kind == "pricing.plan.price.decreased"
    assert team.facts["percent"] == -55.56
    assert [c.subject for c in found if c.kind == "pricing.plan.removed"] == ["PRO"]


@pytest.mark.corpus
def test_zoom_2025_cut_is_flagged_as_a_billing_basis_echo() -> None:
    found = changes("zoom", "2024", "2025")
    pro = next(c for c in found if c.subject == "PRO" and c.kind == "pricing.plan.price.decreased")
    assert pro.facts["suspect_billing_basis"] is True and pro.facts["suspect_period"] == "annual"
    business = next(c for c in found if c.subject == "BUSINESS" and c.kind == "pricing.plan.price.decreased")
    assert "suspect_billing_basis" not in business.facts


def test_example_covers_extension_keys_and_unbundling() -> None:
    found = api.diff(str(EXAMPLE / "old.yaml"), str(EXAMPLE / "new.yaml"))
    kinds = {(c.kind, c.location) for c in found}
    assert ("pricing.terms.trial.shortened", "/commercialTerms/trialDays") in kinds
    assert ("pricing.terms.cancellation.harder", "/commercialTerms/cancellationMethod") in kinds
    assert ("pricing.terms.fee.added", "/plans/PRO/commercialTerms/mandatoryFees/platformFee") in kinds
    assert ("pricing.billing.discount.reduced", "/billing/annual") in kinds
    moved = next(c for c in found if c.kind == "pricing.plan.feature.moved_to_addon")
    assert (moved.subject, moved.facts["addon"]) == ("BUSINESS.sso", "ssoPack")
    rename = next(c for c in found if c.kind == "pricing.plan.renamed")
    assert (rename.before, rename.after) == ("TEAM", "PRO")
    price = next(c for c in found if c.kind == "pricing.plan.price.increased")
    assert price.facts["by_period"]["annual"] == {"before": 8.0, "after": 10.2, "delta": 2.2, "percent": 27.5}


def test_auto_renewal_and_fee_changes_on_dicts() -> None:
    old = yaml.safe_load((EXAMPLE / "old.yaml").read_text(encoding="utf-8"))
    new = yaml.safe_load((EXAMPLE / "old.yaml").read_text(encoding="utf-8"))
    old["commercialTerms"]["autoRenewal"] = False
    new["commercialTerms"]["renewalReminderDays"] = 0
    new["commercialTerms"]["minimumCommitmentMonths"] = 12
    old["commercialTerms"]["minimumCommitmentMonths"] = 1
    new["commercialTerms"]["trialRequiresPaymentMethod"] = True
    found = diff_pricing(load_pricing(old, name="old"), load_pricing(new, name="new"))
    kinds = {c.kind: c for c in found}
    assert kinds["pricing.terms.auto_renewal.introduced"].facts["reminder_days"] == 0
    assert kinds["pricing.terms.commitment.increased"].after == 12
    assert "pricing.terms.trial.payment_method_required" in kinds
