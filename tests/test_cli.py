"""The command line as CI uses it: exit codes, formats, stdin, output files, rules and schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema

DATA = Path(__file__).parent / "data" / "core"
BASE, REV, PACK = str(DATA / "base.yaml"), str(DATA / "revision.yaml"), str(DATA / "rules.yaml")


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "trustguard", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_check_exit_codes() -> None:
    assert run("check", BASE, BASE).returncode == 0
    failing = run("check", BASE, REV, "--rule-pack", PACK, "--no-color")
    assert failing.returncode == 1
    assert "base.yaml:26:5: MAJOR test-endpoint-gone  GET /internal/stats" in failing.stdout
    assert "FAIL: " in failing.stdout
    assert run("check", BASE, REV, "--rule-pack", PACK, "--fail-on", "none").returncode == 0


def test_diff_lists_changes_and_never_fails() -> None:
    proc = run("diff", BASE, REV, "--rule-pack", PACK, "-f", "json")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    kinds = {c["kind"] for c in data["changes"]}
    assert "api.operation.removed" in kinds
    assert data["verdict"] == "pass"


def test_json_report_matches_its_published_schema() -> None:
    schema = json.loads(run("schema").stdout)
    proc = run("check", BASE, REV, "--rule-pack", PACK, "-f", "json")
    report = json.loads(proc.stdout)
    jsonschema.validate(report, schema)
    finding = next(f for f in report["findings"] if f["rule"] == "test-endpoint-gone")
    for key in ("rule", "severity", "principle", "kind", "operation", "location", "message", "fingerprint"):
        assert key in finding
    assert finding["operation"] == "GET /internal/stats"
    assert finding["location"] == "/paths/~1internal~1stats/get"


def test_stdin_input() -> None:
    proc = run("check", "-", REV, "--rule-pack", PACK, "-f", "json", stdin=Path(BASE).read_bytes())
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["base"] == "<stdin>"


def test_output_file_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = run("check", BASE, REV, "--rule-pack", PACK, "-f", "json", "-o", str(out))
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text())["verdict"] == "fail"
    # an input error writes nothing
    bad = tmp_path / "never.json"
    proc = run("check", BASE, str(tmp_path / "missing.yaml"), "-f", "json", "-o", str(bad))
    assert proc.returncode == 2 and not bad.exists()
    assert list(tmp_path.iterdir()) == [out]


def test_waive_flag_and_severity_flag() -> None:
    waived = run("check", BASE, REV, "--rule-pack", PACK, "--severity", "*became-optional=off",
                 "--waive", "*@GET /internal/stats:internal only:2999-01-01", "-f", "json")
    data = json.loads(waived.stdout)
    assert waived.returncode == 0, waived.stdout
    assert sorted(f["rule"] for f in data["waived"]) == ["api-path-removed-without-deprecation", "test-endpoint-gone"]
    assert {f["waived"]["reason"] for f in data["waived"]} == {"internal only"}
    assert not any("became-optional" in f["rule"] for f in data["findings"])
    bad = run("check", BASE, REV, "--severity", "nonsense")
    assert bad.returncode == 2 and "RULE=SEVERITY" in bad.stderr


def test_usage_errors_exit_2() -> None:
    assert run("check", BASE).returncode == 2
    assert run("check", BASE, REV, "-f", "pdf").returncode == 2
    assert run("check", BASE, REV, "--stability-level", "gamma").returncode == 2
    assert run("nonsense").returncode == 2


def test_config_file_is_found_from_the_working_directory(tmp_path: Path) -> None:
    # a config names only files inside its repository (or its folder): the pack sits beside it
    (tmp_path / "pack.yaml").write_text(Path(PACK).read_text())
    (tmp_path / "trustguard.yaml").write_text("rule_packs: [pack.yaml]\nfail_on: none\n")
    proc = run("check", BASE, REV, "-f", "json", cwd=tmp_path)
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and data["fail_on"] == "none"
    assert any(f["rule"] == "test-endpoint-gone" for f in data["findings"])
    (tmp_path / "trustguard.yaml").write_text("fail_on: [\n")
    broken = run("check", BASE, REV, cwd=tmp_path)
    assert broken.returncode == 2 and "trustguard.yaml" in broken.stderr


def test_rules_command_lists_and_explains() -> None:
    listing = run("rules", "--rule-pack", PACK)
    assert listing.returncode == 0 and "test-endpoint-gone" in listing.stdout
    explained = run("rules", "test-endpoint-gone", "--rule-pack", PACK)
    assert "Why: Clients calling a removed endpoint get 404s." in explained.stdout
    data = json.loads(run("rules", "--format", "json").stdout)
    assert all({"id", "severity", "principle", "rationale", "remediation"} <= set(r) for r in data)
    assert run("rules", "no-such-rule").returncode == 2
    md = run("rules", "--format", "markdown").stdout
    assert md.startswith("# trustguard rules")


def test_python_module_and_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0 and "trustguard" in proc.stdout


def test_review_reports_the_verdict_but_never_fails_the_build(tmp_path: Path) -> None:
    proc = run("review", BASE, REV, "--rule-pack", PACK, "--no-color")
    assert proc.returncode == 0
    assert "FAIL: " in proc.stdout and "test-endpoint-gone" in proc.stdout
    html = tmp_path / "report.html"
    assert run("review", BASE, REV, "-f", "html", "-o", str(html)).returncode == 0
    assert html.read_text().lstrip().lower().startswith("<!doctype html>")
    assert run("review", BASE, str(tmp_path / "missing.yaml")).returncode == 2


def test_diff_text_lists_every_change() -> None:
    proc = run("diff", BASE, REV, "--no-color")
    assert proc.returncode == 0
    assert "Changes (" in proc.stdout
    assert "api.operation.removed  GET /internal/stats" in proc.stdout
