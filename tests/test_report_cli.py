"""End to end through the CLI on real specs: two runs give byte-identical output in every
format, even with a different hash seed (set order) in each process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from test_report_sarif import assert_valid_sarif

from trustguard.report import FORMATS

ROOT = Path(__file__).resolve().parents[1]
SPECS = "tests/data/oasdiff/specs"  # oasdiff's specs, copied from the corpus: relative to ROOT
PAIRS = [
    (f"{SPECS}/openapi-test1.yaml", f"{SPECS}/openapi-test3.yaml"),
    (f"{SPECS}/openapi-test3.yaml", f"{SPECS}/openapi-test1.yaml"),
]


def _run(base: str, revision: str, fmt: str, seed: str, *extra: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "trustguard", "check", base, revision, "-f", fmt, "--today", "2025-06-01", *extra],
        cwd=ROOT, env=env, capture_output=True, check=False, timeout=120,
    )


@pytest.mark.parametrize("pair", PAIRS, ids=["forward", "reverse"])
def test_two_cli_runs_give_identical_bytes_in_every_format(pair: tuple[str, str]) -> None:
    base, revision = pair
    findings_seen = 0
    for fmt in sorted(FORMATS):
        first = _run(base, revision, fmt, "1")
        second = _run(base, revision, fmt, "2")
        assert first.returncode in (0, 1), first.stderr.decode()
        assert (first.returncode, first.stdout) == (second.returncode, second.stdout), fmt
        out = first.stdout.decode("utf-8")
        assert str(ROOT) not in out, f"{fmt}: machine path in the report"
        if fmt == "json":
            findings_seen = len(json.loads(out)["findings"])
        elif fmt == "sarif":
            log = assert_valid_sarif(out)
            assert all(
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(f"{SPECS}/")
                for r in log["runs"][0]["results"]
            )
        elif fmt in ("junit", "html"):
            if fmt == "junit":
                ET.fromstring(first.stdout)
            else:
                assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    # the pairs differ: a determinism test over empty output would prove nothing
    json_out = json.loads(_run(base, revision, "json", "3", "--fail-on", "none").stdout)
    assert json_out["summary"]["changes"] > 0
    assert findings_seen == len(json_out["findings"])


def test_output_file_matches_stdout_and_exit_code_follows_the_verdict(tmp_path: Path) -> None:
    base, revision = PAIRS[1]
    target = tmp_path / "trustguard.sarif"
    written = _run(base, revision, "sarif", "1", "-o", str(target))
    printed = _run(base, revision, "sarif", "2")
    assert target.read_bytes() == printed.stdout
    assert written.stdout == b""
    verdict = json.loads(printed.stdout)["runs"][0]["properties"]["verdict"]
    assert written.returncode == (1 if verdict == "fail" else 0)
    never = _run(base, revision, "github", "1", "--fail-on", "none")
    assert never.returncode == 0
    assert "::error" not in never.stdout.decode() or "check passed" in never.stdout.decode()


EXAMPLES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "openapi": ("examples/api/v1.yaml", "examples/api/v2.yaml", {
        "customers": "examples/customers.csv", "usage": "examples/usage.jsonl",
        "integrations": "examples/integrations.yaml", "contracts": "examples/pacts",
    }),
    "pricing": ("examples/pricing/old.yaml", "examples/pricing/new.yaml", {"customers": "examples/pricing/customers.csv"}),
    "terms": ("examples/terms/old.md", "examples/terms/new.md", {}),
}


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_bundled_examples_render_valid_output_in_every_format(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from test_report_markdown import _parse

    import trustguard
    from trustguard.report import render

    monkeypatch.chdir(ROOT)
    base, revision, impact = EXAMPLES[kind]
    report = trustguard.check(base, revision, today=dt.date(2025, 6, 1), **impact)
    assert report.findings, "the example is meant to show findings"
    log = assert_valid_sarif(render(report, "sarif"))
    assert len(log["runs"][0]["results"]) == len(report.findings) + len(report.waived)
    suite = ET.fromstring(render(report, "junit")).find("testsuite")
    assert suite is not None and suite.get("failures") == str(report.summary.failing)
    _parse(render(report, "html"))
    markdown = render(report, "markdown")
    assert markdown.startswith(f"### trustguard: {'✅ PASS' if report.passed else '❌ FAIL'} · {kind}")
    if impact:
        assert "#### Blast radius" in markdown
        assert any(f.impact is not None and f.impact.top_customers for f in report.findings)
        top = next(f.impact.top_customers[0] for f in report.findings if f.impact is not None and f.impact.top_customers)
        assert (top.name or top.id) in render(report, "html")
    errors = [line for line in render(report, "github").splitlines() if line.startswith("::error file=")]
    assert len(errors) == report.summary.failing
