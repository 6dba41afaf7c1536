"""The notice each change is owed, where the number comes from, and whether it is given."""

from __future__ import annotations

import shutil
from pathlib import Path

from release_support import ARBITRATION, COURTS, EXAMPLES, TERMS, write_release  # type: ignore[import-not-found]

import trustguard
from trustguard.model import Report

NOTICE_RULE = "release-notice-too-short"


def _terms_release(tmp_path: Path, days: int, effective: str) -> Path:
    (tmp_path / "old.md").write_text(TERMS.format(days=days, disputes=COURTS), encoding="utf-8")
    (tmp_path / "new.md").write_text(TERMS.format(days=days, disputes=ARBITRATION), encoding="utf-8")
    return write_release(tmp_path, {"terms": ("old.md", "new.md")}, effective=effective,
                         announcement="Disputes now go to binding arbitration.\n")


def _notice_findings(report: Report) -> list[str]:
    return [f.message for f in report.findings if f.rule == NOTICE_RULE]


def test_notice_from_the_terms_change_notice_clause(tmp_path: Path) -> None:
    report = trustguard.release(_terms_release(tmp_path, 45, "2026-04-01"))  # 31 days after 2026-03-01
    assert report.release is not None
    check = next(n for n in report.release.notice if n.rule == "forced-arbitration-added")
    assert (check.days_owed, check.days_given, check.status) == (45, 31, "short")
    assert check.source is not None and check.source.kind == "document"
    assert check.source.file is not None and check.source.file.endswith("old.md") and check.source.line == 5
    assert check.source.text == "We will give you at least 45 days' notice of any change to these Terms."
    [message] = _notice_findings(report)
    assert "old.md:5" in message and "31 days" in message and "45 are owed" in message
    assert report.exit_code == 1


def test_enough_notice_for_the_terms_clause_is_no_finding(tmp_path: Path) -> None:
    report = trustguard.release(_terms_release(tmp_path, 45, "2026-04-20"))  # 50 days
    assert report.release is not None
    assert report.release.notice_status == "ok"
    assert _notice_findings(report) == []


def _pricing_release(tmp_path: Path, notice_field: str | None, effective: str, extra: str = "") -> Path:
    old = (EXAMPLES / "release" / "pricing-v1.yaml").read_text(encoding="utf-8")
    new = (EXAMPLES / "release" / "pricing-v2.yaml").read_text(encoding="utf-8")
    old = old.replace("  priceChangeNoticeDays: 30\n", notice_field or "")
    new = new.replace("  priceChangeNoticeDays: 30\n", notice_field or "")
    (tmp_path / "old.yaml").write_text(old, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(new, encoding="utf-8")
    shutil.copy(EXAMPLES / "release" / "customers.csv", tmp_path / "customers.csv")
    return write_release(tmp_path, {"pricing": ("old.yaml", "new.yaml")}, effective=effective,
                         announcement="Pro now costs $1,380 a month. The Free plan includes 100 orders.\n",
                         extra=extra)


def test_notice_from_the_pricing_notice_field(tmp_path: Path) -> None:
    release = _pricing_release(tmp_path, "  priceChangeNoticeDays: 60\n", "2026-04-01")
    report = trustguard.release(release)
    assert report.release is not None
    check = next(n for n in report.release.notice if n.rule == "pricing-price-increase-large")
    assert (check.days_owed, check.days_given, check.status) == (60, 31, "short")
    assert check.source is not None and check.source.kind == "document"
    assert check.source.pointer == "/commercialTerms/priceChangeNoticeDays"
    assert check.source.line == 14
    assert any("old.yaml:14" in m and "60 are owed" in m for m in _notice_findings(report))


def test_without_a_promise_the_documented_default_applies_and_cites_its_source(tmp_path: Path) -> None:
    report = trustguard.release(_pricing_release(tmp_path, None, "2026-04-01"))  # 31 days
    assert report.release is not None
    rise = next(n for n in report.release.notice if n.rule == "pricing-price-increase-large")
    assert rise.source is not None and rise.source.kind == "default"
    assert rise.days_owed == 30 and rise.status == "ok"
    assert rise.source.citation is not None and "GitHub" in rise.source.citation
    free = next(n for n in report.release.notice if n.rule == "pricing-free-tier-cut")
    assert free.days_owed == 90 and free.status == "short"
    assert free.source is not None and "Heroku" in (free.source.citation or "")


def test_notice_from_the_config(tmp_path: Path) -> None:
    extra_config = tmp_path / "trustguard.yaml"
    extra_config.write_text("release:\n  notice:\n    severity: {major: 10}\n"
                            "    rules: {pricing-price-increase-large: 45}\n", encoding="utf-8")
    report = trustguard.release(_pricing_release(tmp_path, None, "2026-04-01"), config=extra_config)
    assert report.release is not None
    rise = next(n for n in report.release.notice if n.rule == "pricing-price-increase-large")
    assert rise.source is not None and rise.source.kind == "config"
    assert rise.source.config_key == "release.notice.rules.pricing-price-increase-large"
    assert (rise.days_owed, rise.status) == (45, "short")
    free = next(n for n in report.release.notice if n.rule == "pricing-free-tier-cut")
    assert free.source is not None and free.source.config_key == "release.notice.severity.major"
    assert (free.days_owed, free.status) == (10, "ok")


def test_a_document_promise_binds_above_a_lower_config(tmp_path: Path) -> None:
    config = tmp_path / "trustguard.yaml"
    config.write_text("release:\n  notice:\n    severity: {major: 7}\n", encoding="utf-8")
    release = _pricing_release(tmp_path, "  priceChangeNoticeDays: 60\n", "2026-04-01")
    report = trustguard.release(release, config=config)
    assert report.release is not None
    rise = next(n for n in report.release.notice if n.rule == "pricing-price-increase-large")
    assert rise.days_owed == 60 and rise.source is not None and rise.source.kind == "document"


def _api_release(tmp_path: Path, effective: str) -> Path:
    shutil.copy(EXAMPLES / "api" / "v1.yaml", tmp_path / "v1.yaml")
    shutil.copy(EXAMPLES / "api" / "v2.yaml", tmp_path / "v2.yaml")
    return write_release(tmp_path, {"api": ("v1.yaml", "v2.yaml")}, effective=effective,
                         announcement="The daily reports endpoint is gone.\n")


def test_notice_from_the_api_deprecation_policy(tmp_path: Path) -> None:
    release = _api_release(tmp_path, "2026-06-09")  # 100 days
    report = trustguard.release(release, deprecation_days_stable=120)
    assert report.release is not None
    gone = next(n for n in report.release.notice if n.rule == "api-path-removed-without-deprecation")
    assert gone.source is not None and gone.source.config_key == "deprecation_days_stable"
    assert (gone.days_owed, gone.days_given, gone.status) == (120, 100, "short")
    assert any("deprecation_days_stable" in m for m in _notice_findings(report))
    enough = trustguard.release(release, deprecation_days_stable=90)
    assert enough.release is not None and enough.release.notice_status == "ok"


def test_an_api_without_a_policy_is_owed_the_ga_norm(tmp_path: Path) -> None:
    report = trustguard.release(_api_release(tmp_path, "2026-06-09"))
    assert report.release is not None
    gone = next(n for n in report.release.notice if n.rule == "api-path-removed-without-deprecation")
    assert gone.days_owed == 365 and gone.source is not None and gone.source.kind == "default"
    # an added endpoint (info) is owed nothing
    added = next(n for n in report.release.notice if n.rule == "endpoint-added")
    assert added.days_owed is None and added.status == "ok"


def test_without_dates_notice_is_unknown_and_said_once(tmp_path: Path) -> None:
    (tmp_path / "old.md").write_text(TERMS.format(days=30, disputes=COURTS), encoding="utf-8")
    (tmp_path / "new.md").write_text(TERMS.format(days=30, disputes=ARBITRATION), encoding="utf-8")
    shutil.copy(EXAMPLES / "api" / "v1.yaml", tmp_path / "v1.yaml")
    shutil.copy(EXAMPLES / "api" / "v2.yaml", tmp_path / "v2.yaml")
    release = write_release(tmp_path, {"terms": ("old.md", "new.md"), "api": ("v1.yaml", "v2.yaml")},
                            announced=None, effective=None, announcement="Arbitration.\n")
    report = trustguard.release(release)
    assert report.release is not None
    owed = [n for n in report.release.notice if n.days_owed]
    assert owed and all(n.status == "unknown" and n.days_given is None for n in owed)
    assert report.release.notice_status == "unknown"
    assert _notice_findings(report) == []  # never judged short either
    assert len(report.release.notes) == 1 and "unknown" in report.release.notes[0]
    # said once: one finding for the whole release, failing it (never assumed enough)
    [unknown] = [f for f in report.findings if f.rule == "release-notice-unknown"]
    assert "never assumed enough" in unknown.message and unknown.fails
    assert not any("never assumed" in w for w in report.warnings)
    text = trustguard.render(report, "text")
    assert text.count("never assumed enough") == 1


def test_an_announcement_date_without_an_effective_one_is_unknown(tmp_path: Path) -> None:
    release = _terms_release(tmp_path, 30, "2026-04-01")
    release.write_text(release.read_text(encoding="utf-8").replace("effective: 2026-04-01\n", ""), encoding="utf-8")
    report = trustguard.release(release)
    assert report.release is not None
    assert report.release.notice_status == "unknown"
    assert report.release.notes == ["no effective date for terms: the notice those changes get is unknown "
                                    "(never assumed enough)"]


def test_a_misspelt_notice_policy_is_an_error_naming_the_key(tmp_path: Path) -> None:
    import pytest

    from trustguard.errors import ConfigError

    config = tmp_path / "trustguard.yaml"
    config.write_text("release:\n  notice:\n    rule: {pricing-price-increase-large: 45}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        trustguard.load_config(config)
    assert "release.notice" in str(caught.value) and "did you mean 'rules'" in str(caught.value)
    config.write_text("release:\n  notice:\n    severity: {major: -3}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="0 or more"):
        trustguard.load_config(config)


def test_a_plans_own_notice_promise_replaces_the_pricings(tmp_path: Path) -> None:
    plan_terms = "    commercialTerms:\n      priceChangeNoticeDays: 90\n"
    release = _pricing_release(tmp_path, "  priceChangeNoticeDays: 30\n", "2026-04-15")  # 45 days
    for name in ("old.yaml", "new.yaml"):
        path = tmp_path / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("      support: {value: Priority email}\n",
                                     "      support: {value: Priority email}\n" + plan_terms), encoding="utf-8")
    report = trustguard.release(release)
    assert report.release is not None
    rise = next(n for n in report.release.notice if n.rule == "pricing-price-increase-large")  # the PRO plan
    assert (rise.days_owed, rise.status) == (90, "short")
    assert rise.source is not None and rise.source.pointer == "/plans/PRO/commercialTerms/priceChangeNoticeDays"
    assert "PRO plan's promised notice" in rise.source.description
    free = next(n for n in report.release.notice if n.rule == "pricing-free-tier-cut")  # the pricing's 30
    assert (free.days_owed, free.status) == (30, "ok")
    assert free.source is not None and free.source.pointer == "/commercialTerms/priceChangeNoticeDays"
