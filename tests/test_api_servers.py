"""Base URLs: a server that disappears strands the clients configured with it."""

from __future__ import annotations

from pathlib import Path

import trustguard

DATA = Path(__file__).parent / "data" / "servers"


def _by_rule(report: trustguard.Report) -> dict[str, list[trustguard.Finding]]:
    out: dict[str, list[trustguard.Finding]] = {}
    for finding in report.findings:
        out.setdefault(finding.rule, []).append(finding)
    return out


def test_server_changes_at_the_top_and_on_an_operation() -> None:
    report = trustguard.check(DATA / "base.yaml", DATA / "revision.yaml", fail_on="none")
    found = _by_rule(report)
    removed = sorted((f.operation or "", f.subject) for f in found["api-server-removed"])
    assert removed == [("", "https://api.example.com/v1"), ("POST /upload", "https://upload.example.com")]
    # like oasdiff, a documented base URL changing is a changelog entry, not a break
    assert all(f.severity is trustguard.Severity.INFO for f in found["api-server-removed"])
    assert found["api-server-variable-enum-value-removed"][0].severity is trustguard.Severity.MINOR
    added = sorted((f.operation or "", f.subject) for f in found["api-server-added"])
    assert added == [("", "https://api.example.com/v2"), ("POST /upload", "https://files.example.com")]
    (value,) = found["api-server-variable-enum-value-removed"]
    assert value.before == "ap" and "no longer allows 'ap'" in value.message
    (default,) = found["api-server-variable-default-changed"]
    assert (default.before, default.after) == ("us", "eu")
    assert default.source is not None and default.source.line == 7  # the line of the variable


def test_same_servers_reordered_are_no_change() -> None:
    spec = trustguard.load(DATA / "base.yaml").data
    reordered = {**spec, "servers": list(reversed(spec["servers"]))}
    report = trustguard.check(spec, reordered, fail_on="none")
    assert [f.rule for f in report.findings if f.rule.startswith("api-server")] == []
