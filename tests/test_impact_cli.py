"""``trustguard impact`` and the impact options of ``trustguard check``."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustguard.cli import cli

ROOT = Path(__file__).resolve().parents[1]
ALL = [
    "examples/api/v1.yaml", "examples/api/v2.yaml",
    "--customers", "examples/customers.csv", "--usage", "examples/usage.jsonl",
    "--integrations", "examples/integrations.yaml", "--contracts", "examples/pacts",
]


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_impact_prints_customers_and_integrations() -> None:
    result = invoke("impact", *ALL)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("impact of examples/api/v1.yaml -> examples/api/v2.yaml\n")
    assert "GET /reports/daily" in out
    # The removed endpoint reaches Globex (through its ERP bridge) and Umbrella (its own calls).
    block = out[out.index("GET /reports/daily"):]
    block = block[: block.index("\n", block.index("integration globex-erp"))]
    assert "reaches 2 customer(s) (16.7%), 27,500.00 a month (78.5% of revenue), 61 request(s)" in block
    assert "customer c001  Globex Retail" in block and "customer c004  Umbrella Pharmacy" in block
    assert "flag: Whale concentration: the 3 largest affected customers hold" in out
    assert "It means a few of the affected customers" in out  # explained where it first appears
    assert out.count("It means a few of the affected customers") == 1
    assert "warning: examples/usage.jsonl: 720 request(s) on 1 line(s) match no operation" in out
    assert "affected customers (" in out


def test_impact_output_is_deterministic() -> None:
    assert invoke("impact", *ALL).output == invoke("impact", *ALL).output


def test_impact_writes_csv(tmp_path: Path) -> None:
    target = tmp_path / "affected.csv"
    result = invoke("impact", *ALL, "-o", str(target))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    removed = [r for r in rows if r["operation"] == "GET /reports/daily"]
    assert [(r["entity"], r["id"], r["name"], r["monthly_revenue"], r["estimated"]) for r in removed] == [
        ("customer", "c001", "Globex Retail", "18000.00", "no"),
        ("customer", "c004", "Umbrella Pharmacy", "9500.00", "no"),
        ("integration", "globex-erp", "Globex ERP bridge", "", "no"),
    ]
    assert {r["severity"] for r in removed} == {"major"}
    assert all(r["finding"] for r in rows)


def test_impact_needs_impact_data() -> None:
    result = invoke("impact", "examples/api/v1.yaml", "examples/api/v2.yaml")
    assert result.exit_code == 2
    assert "give impact data" in result.output


def test_unusable_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "affected.csv"
    bad = tmp_path / "usage.jsonl"
    bad.write_text("garbage\nmore garbage\n")
    result = invoke("impact", "examples/api/v1.yaml", "examples/api/v2.yaml", "--usage", str(bad), "-o", str(target))
    assert result.exit_code == 2
    assert "no usable usage line" in result.output and "usage.jsonl" in result.output
    assert "Traceback" not in result.output
    assert not target.exists()


def test_unwritable_output_exits_2(tmp_path: Path) -> None:
    result = invoke("impact", *ALL, "-o", str(tmp_path / "no-such-folder" / "out.csv"))
    assert result.exit_code == 2
    assert "cannot write" in result.output
    assert os.listdir(tmp_path) == []


def test_malformed_lines_are_warnings_not_errors() -> None:
    result = invoke(
        "impact", "examples/api/v1.yaml", "examples/api/v2.yaml",
        "--customers", "examples/customers.csv", "--usage", "tests/data/impact/usage_messy.jsonl",
    )
    assert result.exit_code == 0, result.output
    assert "6 malformed line(s) skipped" in result.output
    assert "missing from the customer list (c999)" in result.output


def test_check_with_impact_policy_passes_when_nobody_is_hit(tmp_path: Path) -> None:
    # One customer, calling an operation v2 leaves alone: every breaking change is unused.
    usage = tmp_path / "usage.jsonl"
    usage.write_text('{"customer": "c007", "method": "GET", "path": "/products/BOOK-1", "count": 3}\n')
    config = tmp_path / "trustguard.yaml"
    config.write_text("impact:\n  fail_unused: false\n")
    result = invoke("check", "examples/api/v1.yaml", "examples/api/v2.yaml", "--usage", str(usage), "-c", str(config))
    assert result.exit_code == 0, result.output
    strict = invoke("check", "examples/api/v1.yaml", "examples/api/v2.yaml", "--usage", str(usage))
    assert strict.exit_code == 1, strict.output
