"""The impact part of the verdict: ``finding_fails`` with impact data."""

from __future__ import annotations

from trustguard.classify.policy import finding_fails
from trustguard.config import Config, ImpactPolicy
from trustguard.model import Finding, Impact, Principle, Severity


def finding(severity: Severity, customers: int = 0, *, with_data: bool = True, flags: list[str] | None = None,
            revenue_share: float = 0.0, integrations: int = 0) -> Finding:
    return Finding(
        rule="r", severity=severity, principle=Principle.BACKWARD_COMPATIBILITY, kind="k", title="t", message="m",
        impact=Impact(customers=customers, integrations=integrations, revenue_share=revenue_share,
                      flags=flags or [], details={"with_data": with_data, "unused": customers == 0 and integrations == 0}),
    )


def test_without_impact_data_severity_alone_decides() -> None:
    cfg = Config(impact=ImpactPolicy(min_customers=5, fail_unused=False))
    assert finding_fails(finding(Severity.MAJOR, 0, with_data=False), cfg)
    assert not finding_fails(finding(Severity.MINOR, 0, with_data=False), cfg)


def test_default_policy_fails_unused_breaking_changes() -> None:
    assert finding_fails(finding(Severity.MAJOR, 0), Config())


def test_unused_operation_may_pass() -> None:
    cfg = Config(impact=ImpactPolicy(fail_unused=False))
    assert not finding_fails(finding(Severity.MAJOR, 0), cfg)
    assert finding_fails(finding(Severity.MAJOR, 1), cfg)
    # An integration relies on it even if no customer is linked: not unused.
    assert finding_fails(finding(Severity.MAJOR, 0, integrations=1), cfg)


def test_fail_on_major_affecting_at_least_one_customer() -> None:
    cfg = Config(impact=ImpactPolicy(min_customers=1))
    assert not finding_fails(finding(Severity.MAJOR, 0), cfg)
    assert finding_fails(finding(Severity.MAJOR, 1), cfg)
    assert finding_fails(finding(Severity.BLOCKER, 3), cfg)
    assert not finding_fails(finding(Severity.MINOR, 3), cfg)


def test_min_revenue_share() -> None:
    cfg = Config(impact=ImpactPolicy(min_revenue_share=0.1))
    assert not finding_fails(finding(Severity.MAJOR, 4, revenue_share=0.05), cfg)
    assert finding_fails(finding(Severity.MAJOR, 1, revenue_share=0.5), cfg)


def test_flags_can_fail_findings_below_the_threshold() -> None:
    cfg = Config(impact=ImpactPolicy(fail_flags=["whale-concentration"]))
    assert finding_fails(finding(Severity.MINOR, 1, flags=["whale-concentration"]), cfg)
    assert not finding_fails(finding(Severity.MINOR, 30, flags=["community-shock"]), cfg)
    assert not finding_fails(finding(Severity.INFO, 1, flags=["whale-concentration"]), cfg)
    assert not finding_fails(
        finding(Severity.MINOR, 1, flags=["whale-concentration"]), Config(fail_on="none", impact=cfg.impact)
    )


def test_unknown_flag_in_config_is_rejected() -> None:
    import pytest

    from trustguard.config import build_config
    from trustguard.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown impact flag"):
        build_config({"impact": {"fail_flags": ["whale"]}})
