"""CI formats and files: JUnit XML, GitHub workflow commands, the composite action and
the pre-commit hook."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from test_report_formats import HOSTILE, make_finding, openapi_report, passing_report, terms_report

from trustguard.model import Severity, SourcePosition, Waiver
from trustguard.report import render
from trustguard.report.github import escape_data, escape_property

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------- junit


def _suite(xml_text: str) -> ET.Element:
    root = ET.fromstring(xml_text.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    for attr in ("tests", "failures", "errors", "skipped"):
        assert root.get(attr) == suite.get(attr)
    return suite


def test_junit_one_case_per_finding_failing_ones_fail() -> None:
    report = openapi_report()
    suite = _suite(render(report, "junit"))
    cases = suite.findall("testcase")
    assert len(cases) == len(report.findings) + len(report.waived) == 6
    outcome = {}
    for case in cases:
        rule = case.get("classname", "").rsplit(".", 1)[-1]
        if case.find("failure") is not None:
            outcome[rule] = "failure"
        elif case.find("skipped") is not None:
            outcome[rule] = "skipped"
        else:
            outcome[rule] = "passed"
    assert outcome == {
        "api-path-removed-without-deprecation": "failure",
        "response-property-removed": "failure",
        "request-parameter-became-required": "failure",
        "request-parameter-enum-value-added": "passed",
        "endpoint-added": "passed",
        "response-success-status-removed": "skipped",
    }
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped"), suite.get("errors")) == ("6", "3", "1", "0")
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("type") == "major"
    assert failure.get("message") == f"removed the response property '{HOSTILE}'"
    assert "fix: Undo the change that triggered response-property-removed." in (failure.text or "")
    assert (cases[1].get("file"), cases[1].get("line")) == ("specs/schemas/pet.yaml", "12")
    skipped = cases[5].find("skipped")
    assert skipped is not None and skipped.get("message") == "waived: owners API is internal | not public (until 2999-12-31)"
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["verdict"] == "fail" and props["fail_on"] == "major"
    err = suite.find("system-err")
    assert err is not None and "waiver for request-parameter-became-required expired" in (err.text or "")


def test_junit_failures_follow_the_policy_not_the_severity() -> None:
    report = openapi_report()
    report.fail_on = "none"
    for finding in report.findings:
        finding.fails = None  # not judged: the renderer applies the report's threshold
    suite = _suite(render(report, "junit"))
    assert suite.get("failures") == "0"
    report.fail_on = "info"
    assert _suite(render(report, "junit")).get("failures") == "5"


def test_junit_passing_run_is_one_passed_case() -> None:
    suite = _suite(render(passing_report(), "junit"))
    (case,) = suite.findall("testcase")
    assert case.find("failure") is None and case.find("skipped") is None
    assert case.get("name") == "no findings: api/v1.json -> api/v2.json"
    assert (suite.get("tests"), suite.get("failures")) == ("1", "0")


def test_junit_survives_control_characters_and_carries_the_redline() -> None:
    report = terms_report()
    report.findings[0].message = "bell \x07 and nul \x00 inside"
    xml_text = render(report, "junit")
    suite = _suite(xml_text)
    failure = suite.findall("testcase")[0].find("failure")
    assert failure is not None
    assert failure.get("message") == "bell \\x07 and nul \\x00 inside"  # shown, not sent
    assert "redline: We may change these terms [-with 30 days' notice-][+at any time+]." in (failure.text or "")


# ---------------------------------------------------------------- github


_COMMAND = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


def _unescape(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def _commands(out: str) -> list[tuple[str, dict[str, str], str]]:
    parsed = []
    for line in out.splitlines():
        match = _COMMAND.match(line)
        assert match, line
        props = {}
        if match.group(2):
            for field in match.group(2).split(","):
                key, _, value = field.partition("=")
                props[key] = _unescape(value)
        parsed.append((match.group(1), props, _unescape(match.group(3))))
    return parsed


def test_github_escaping() -> None:
    assert escape_data("100% a\r\nb") == "100%25 a%0D%0Ab"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"


def test_github_annotations_levels_places_and_round_trip() -> None:
    commands = _commands(render(openapi_report(), "github"))
    levels = [(kind, props.get("title", "").split(":")[0]) for kind, props, _ in commands]
    assert levels == [
        ("error", "blocker api-path-removed-without-deprecation"),
        ("error", "major response-property-removed"),
        ("error", "major request-parameter-became-required"),
        ("warning", "minor request-parameter-enum-value-added"),
        ("notice", "info endpoint-added"),
        ("warning", "trustguard"),
        ("error", "trustguard"),
    ]
    _kind, props, message = commands[1]
    assert props["file"] == "specs/schemas/pet.yaml" and props["line"] == "12" and props["col"] == "7"
    assert message.startswith(f"GET /pets: removed the response property '{HOSTILE}'\nFix: ")
    # a removed endpoint: line 1 of the revision, and the message says where it was
    assert commands[0][1]["file"] == "specs/v2.yaml" and commands[0][1]["line"] == "1"
    assert "(in the base at specs/v1.yaml:40:5)" in commands[0][2]
    assert "waived" not in " ".join(c[1].get("title", "") for c in commands)
    assert commands[-1][2].startswith("openapi check failed: 5 finding(s), 3 failing, 1 waived")


def test_github_properties_with_commas_and_colons_stay_intact() -> None:
    report = passing_report()
    report.revision = "specs/a,b.yaml"
    report.findings.append(
        make_finding("x-rule", Severity.MAJOR, operation="GET /a", source=SourcePosition(file="specs/a,b.yaml", line=4),
                     message="multi\nline", fails=True)
    )
    (kind, props, message), _summary = _commands(render(report, "github"))
    assert kind == "error"
    assert props["file"] == "specs/a,b.yaml" and props["line"] == "4"
    assert props["title"] == "major x-rule: X rule"
    assert message.startswith("GET /a: multi line\nFix:")  # a value stays on one line of the annotation


def test_github_passing_run_is_one_notice() -> None:
    commands = _commands(render(passing_report(), "github"))
    assert [c[0] for c in commands] == ["notice"]
    assert commands[0][2] == "openapi check passed: 0 finding(s), 0 failing, 0 waived; the policy fails on major or worse"


def test_github_expired_waiver_is_said() -> None:
    report = passing_report()
    report.findings.append(
        make_finding("x-rule", Severity.MINOR, operation="GET /a", fails=False,
                     waiver_expired=Waiver(rule="x-rule", reason="r", expires="2020-01-01"))
    )
    assert "Its waiver expired on 2020-01-01." in _commands(render(report, "github"))[0][2]


# ---------------------------------------------------------------- action and hook


def test_action_is_a_composite_action_that_uploads_sarif_and_keeps_the_exit_code() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    for name in ("base", "revision", "fail-on", "format", "config", "args"):
        assert name in inputs and inputs[name].get("description"), name
    assert inputs["base"]["required"] is True and inputs["revision"]["required"] is True
    steps = action["runs"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "pip install" in runs
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
    assert len(uploads) == 1
    # uploaded after a failing verdict too, but not after an input error (no SARIF then)
    assert uploads[0]["if"].startswith("always()") and "exit-code == '1'" in uploads[0]["if"]
    assert uploads[0]["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    for step in steps:
        if "run" in step:
            assert step.get("shell") == "bash", step.get("name")
            # inputs reach the shell through the environment, never pasted into the script
            assert "${{" not in step["run"], step.get("name")
    install = next(s for s in steps if "pip install" in s.get("run", ""))
    assert install["env"]["TG_ACTION_PATH"] == "${{ github.action_path }}"
    check = next(s for s in steps if s.get("id") == "check")
    assert "trustguard \"${args[@]}\" -f sarif -o \"$TG_SARIF\"" in check["run"]
    assert "set +e" in check["run"] and "exit-code=$code" in check["run"]
    # the last step turns the recorded verdict back into the step's exit code
    assert steps[-1]["env"]["TG_EXIT"] == "${{ steps.check.outputs.exit-code }}"
    assert 'exit "${TG_EXIT:-2}"' in steps[-1]["run"]
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.check.outputs.exit-code }}"


def test_pre_commit_hook_runs_the_check_on_openapi_files() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {hook["id"]: hook for hook in hooks}
    hook = by_id["trustguard"]
    assert hook["language"] == "python"
    assert hook["entry"].startswith("trustguard")
    assert hook["pass_filenames"] is False
    assert re.search(hook["files"], "openapi.yaml") and not re.search(hook["files"], "README.md")


# ---------------------------------------------------------------- gitlab code quality


def test_codequality_lists_active_findings_at_revision_lines() -> None:
    import json

    issues = json.loads(render(openapi_report(), "codequality"))
    assert [i["check_name"] for i in issues] == [
        "api-path-removed-without-deprecation",
        "response-property-removed",
        "request-parameter-became-required",
        "request-parameter-enum-value-added",
        "endpoint-added",
    ]
    assert [i["severity"] for i in issues] == ["blocker", "major", "major", "minor", "info"]
    assert issues[1]["location"] == {"path": "specs/schemas/pet.yaml", "lines": {"begin": 12}}
    assert issues[3]["location"] == {"path": "specs/v2.yaml", "lines": {"begin": 1}}
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["categories"][0] in ("Compatibility", "Clarity")
    assert json.loads(render(passing_report(), "codequality")) == []
