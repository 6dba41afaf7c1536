"""The SLA as a document kind: OpenSLO objectives as code, the recognition of an SLA by
content (or --kind sla), and bad input as a clear error with the place, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sla_cases import BASE, sla_text

import trustguard
from trustguard.cli import cli

SLO = """apiVersion: openslo/v1
kind: Service
metadata:
  name: checkout
spec:
  description: Checkout API
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
  displayName: Checkout availability
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 30d
      isRolling: true
  objectives:
    - displayName: Successful requests
      {target}
    - displayName: Fast requests
      op: lte
      value: 300
      target: 0.95
"""


def _slo(tmp_path: Path, name: str, target: str) -> Path:
    path = tmp_path / name
    path.write_text(SLO.replace("{target}", target), encoding="utf-8")
    return path


def test_an_openslo_target_lowered_is_fifty_times_the_downtime(tmp_path: Path) -> None:
    old, new = _slo(tmp_path, "old.yaml", "target: 0.9999"), _slo(tmp_path, "new.yaml", "targetPercent: 99.5")
    report = trustguard.check(old, new)
    assert report.kind.value == "sla"
    [finding] = report.findings
    assert finding.rule == "sla-uptime-cut" and finding.severity.value == "major"
    assert finding.subject == "uptime (Checkout availability / Successful requests)"
    assert "4.3 minutes -> 3.6 hours (50× more)" in finding.message
    assert finding.source is not None and finding.source.line == 20  # the objective's own line


def test_an_openslo_target_written_as_a_fraction_or_a_percentage_is_the_same(tmp_path: Path) -> None:
    old, new = _slo(tmp_path, "old.yaml", "target: 0.999"), _slo(tmp_path, "new.yaml", "targetPercent: 99.9")
    assert trustguard.check(old, new).findings == []


def test_a_latency_objective_cut_is_an_error_budget_not_downtime(tmp_path: Path) -> None:
    old = _slo(tmp_path, "old.yaml", "target: 0.999")
    new = tmp_path / "new.yaml"
    new.write_text(old.read_text(encoding="utf-8").replace("target: 0.95", "target: 0.90"), encoding="utf-8")
    [finding] = trustguard.check(old, new).findings
    assert finding.facts["availability"] is False and "error budget a month" in finding.message
    assert finding.subject == "objective (Checkout availability / Fast requests)"


def test_an_openslo_file_and_an_sla_text_compare_with_each_other(tmp_path: Path) -> None:
    text = tmp_path / "sla.md"
    text.write_text("# Checkout Service Level Agreement\n\n| Objective | Target |\n|---|---|\n"
                    "| Checkout availability / Successful requests | 99.99% uptime |\n"
                    "| Checkout availability / Fast requests | 95% of requests under 300 ms |\n", encoding="utf-8")
    slo = _slo(tmp_path, "slo.yaml", "target: 0.999")
    [finding] = [f for f in trustguard.check(text, slo).findings if f.kind.startswith("sla.uptime")]
    assert (finding.before, finding.after) == ("99.99%", "99.9%")


@pytest.mark.parametrize(("text", "kind"), [
    ("# Acme API Service Level Agreement\n\nAcme will be available 99.9% of the time.\n", "sla"),
    ("SLA\n\nUptime: 99.9%.\n", "sla"),
    # a terms text with a section on service levels is still a terms text
    ("# Terms of Service\n\nBy using the service you agree to these terms.\n\n## Service Level Agreement\n\n"
     "We will be available 99.9% of the time.\n", "terms"),
])
def test_an_sla_is_recognised_by_its_title(tmp_path: Path, text: str, kind: str) -> None:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    assert trustguard.load(path).kind.value == kind


def test_kind_sla_reads_any_text_as_an_sla(tmp_path: Path) -> None:
    old, new = tmp_path / "a.md", tmp_path / "b.md"
    old.write_text("# Our promises\n\nThe API is available 99.9% of the time.\n", encoding="utf-8")
    new.write_text("# Our promises\n\nThe API is available 99% of the time.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(old), str(new), "--kind", "sla"])
    assert result.exit_code == 1, result.output
    assert "sla-uptime-cut" in result.output and "43.2 minutes -> 7.2 hours (10× more)" in result.output


@pytest.mark.parametrize(("body", "place", "said"), [
    ("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec:\n  objectives:\n    - target: 99.9\n",
     "/0/spec/objectives/0/target", "'target' must be a number from 0 up to 1"),
    ("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec: {}\n", "/0/spec/objectives",
     "an SLO needs 'spec.objectives'"),
    ("apiVersion: openslo/v1\nkind: SLO\nspec:\n  objectives:\n    - displayName: x\n",
     "/0/spec/objectives/0", "an objective needs 'target'"),
    ("apiVersion: openslo/v1\nkind: SLO\nspec: [unclosed\n", "bad.yaml:4:1", "invalid YAML"),
    ("apiVersion: openslo/v1\nkind: Service\n---\n- a list\n", "/1", "must be a mapping"),
])
def test_bad_openslo_is_exit_2_naming_the_place(tmp_path: Path, body: str, place: str, said: str) -> None:
    good = _slo(tmp_path, "good.yaml", "target: 0.999")
    bad = tmp_path / "bad.yaml"
    bad.write_text(body, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(good), str(bad)])
    assert result.exit_code == 2, result.output
    assert said in result.output and place in result.output and "Traceback" not in result.output
    with pytest.raises(trustguard.InputError):
        trustguard.check(good, bad)


def test_an_empty_sla_text_is_a_clear_error(tmp_path: Path) -> None:
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text(sla_text(BASE), encoding="utf-8")
    new.write_text("\n\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(old), str(new), "--kind", "sla"])
    assert result.exit_code == 2 and "empty" in result.output


@pytest.mark.parametrize("body", ["a: [\n", "plans:\n  pro: {uptime: 99.9}\n", "{\"uptime\": 99.9}\n"])
def test_a_yaml_or_json_file_that_is_no_openslo_is_an_error_not_prose(tmp_path: Path, body: str) -> None:
    # read as SLA prose it would state no service level, and two broken files would pass
    bad = tmp_path / ("bad.json" if body.startswith("{") else "bad.yaml")
    bad.write_text(body, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(bad), str(bad), "--kind", "sla"])
    assert result.exit_code == 2, result.output
    assert "not an OpenSLO document" in result.output and bad.name in result.output


def test_a_reordered_and_reformatted_sla_is_no_change(tmp_path: Path) -> None:
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text(sla_text(BASE), encoding="utf-8")
    sections = sla_text(BASE).split("## ")
    new.write_text("## ".join([sections[0], *reversed(sections[1:])]).replace("\n\n", "\n\n\n"), encoding="utf-8")
    assert trustguard.check(old, new).findings == []


def test_the_sla_page_names_every_sla_rule_and_only_shipped_ones() -> None:
    import re

    page = (Path(__file__).resolve().parents[2] / "docs" / "sla.md").read_text(encoding="utf-8")
    assert set(re.findall(r"`(sla-[a-z-]+)`", page)) == {r.id for r in trustguard.rules_for("sla")}
