"""Config mistakes are errors, not silence: unknown keys and rule ids (with a did-you-mean),
dates that do not exist, and waivers that waive nothing -- each named by file, key and line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import trustguard
from trustguard.config import load_config
from trustguard.model import Waiver

DATA = Path(__file__).parent / "data" / "core"
BASE, REV, PACK = str(DATA / "base.yaml"), str(DATA / "revision.yaml"), str(DATA / "rules.yaml")
GONE = "api-path-removed-without-deprecation"  # a shipped rule base -> revision triggers


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "trustguard", *args], capture_output=True, text=True,
                          cwd=cwd, check=False, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _config(tmp_path: Path, text: str, name: str = "trustguard.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# --- unknown keys, in words -------------------------------------------------------------


@pytest.mark.parametrize(("text", "says", "line"), [
    ("fail_on: major\nfail_onn: minor\n", "unknown key 'fail_onn' (did you mean 'fail_on'?)", 2),
    ("impact:\n  fail_unused: true\n  min_customer: 2\n",
     "unknown key 'min_customer' in impact (did you mean 'min_customers'?)", 3),
    ("waivers:\n  - rule: x\n    reason: r\n    expire: 2027-01-01\n",
     "unknown key 'expire' in waivers[0] (did you mean 'expires'?)", 4),
    ("colour: red\n", "unknown key 'colour'", 1),
])
def test_an_unknown_key_is_named_with_its_line_and_the_closest_key(tmp_path: Path, text: str, says: str,
                                                                  line: int) -> None:
    path = _config(tmp_path, text)
    with pytest.raises(trustguard.ConfigError) as info:
        load_config(path)
    assert info.value.message == says
    assert info.value.file == str(path) and info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert "Extra inputs" not in str(info.value) and "permitted" not in str(info.value)


def test_an_unknown_key_in_pyproject_is_named_as_written_with_its_line(tmp_path: Path) -> None:
    path = _config(tmp_path, '[project]\nname = "x"\n\n[tool.trustguard]\nfail-on = "major"\nfail-onn = "minor"\n',
                   "pyproject.toml")
    with pytest.raises(trustguard.ConfigError) as info:
        load_config(path)
    assert info.value.message == "unknown key 'fail-onn' (did you mean 'fail-on'?)"
    assert info.value.line == 6


def test_wrong_types_and_bounds_are_said_in_words(tmp_path: Path) -> None:
    with pytest.raises(trustguard.ConfigError) as info:
        load_config(_config(tmp_path, "fail_on: major\ndeprecation_days_stable: -3\n"))
    assert info.value.message == "deprecation_days_stable: must be at least 0, found a number, -3"
    assert info.value.line == 2
    with pytest.raises(trustguard.ConfigError) as info:
        load_config(_config(tmp_path, "include_paths: /v1/*\n"))
    assert info.value.message == "include_paths: expected a list, found a text, '/v1/*'"
    with pytest.raises(trustguard.ConfigError) as info:
        load_config(_config(tmp_path, "waivers:\n  - rule: x\n"))
    assert info.value.message == "waivers[0].reason: missing (this setting is required)"


def test_an_unknown_option_of_the_api_suggests_the_right_one() -> None:
    with pytest.raises(trustguard.ConfigError, match=r"unknown option 'fail_onn' \(did you mean 'fail_on'\?\)"):
        trustguard.check(BASE, REV, fail_onn="none")


# --- unknown rule ids --------------------------------------------------------------------


def test_an_unknown_rule_id_in_the_file_severity_is_an_error_with_a_did_you_mean(tmp_path: Path) -> None:
    path = _config(tmp_path, f"fail_on: major\nseverity:\n  {GONE[:-1]}: info\n")
    proc = run("check", BASE, REV, "-c", str(path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert f"{path}:3: unknown rule id '{GONE[:-1]}' in severity (did you mean '{GONE}'?)" in proc.stderr
    with pytest.raises(trustguard.ConfigError) as info:
        trustguard.check(BASE, REV, config=path)
    assert info.value.place == f"/severity/{GONE[:-1]}" and info.value.line == 3


def test_an_unknown_rule_id_given_with_severity_flag_names_the_flag() -> None:
    proc = run("check", BASE, REV, "--severity", "response-property-became-optionl=info")
    assert proc.returncode == 2
    assert ("unknown rule id 'response-property-became-optionl' in --severity "
            "(did you mean 'response-property-became-optional'?)") in proc.stderr
    # the correct id is accepted and applied
    fixed = run("check", BASE, REV, "--severity", "response-property-became-optional=info", "-f", "json")
    found = {f["rule"]: f["severity"] for f in json.loads(fixed.stdout)["findings"]}
    assert found["response-property-became-optional"] == "info"


def test_an_unknown_rule_id_in_a_waiver_is_an_error_with_a_did_you_mean(tmp_path: Path) -> None:
    path = _config(tmp_path, "waivers:\n  - reason: accepted\n    rule: api-path-removed-without-deprecatoin\n")
    proc = run("check", BASE, REV, "-c", str(path))
    assert proc.returncode == 2
    assert (f"{path}:3: unknown rule id 'api-path-removed-without-deprecatoin' in waivers[0].rule "
            f"(did you mean '{GONE}'?)") in proc.stderr
    flag = run("check", BASE, REV, "--waive", "api-path-removed-without-deprecatoin:accepted")
    assert flag.returncode == 2 and f"in --waive (did you mean '{GONE}'?)" in flag.stderr
    with pytest.raises(trustguard.ConfigError, match=f"did you mean '{GONE}'"):
        trustguard.check(BASE, REV, waivers=[Waiver(rule="api-path-removed-without-deprecatoin", reason="x")])


def test_a_pattern_that_matches_no_rule_is_an_error_and_one_that_matches_is_not(tmp_path: Path) -> None:
    with pytest.raises(trustguard.ConfigError, match=r"the pattern 'api-secrity-\*' in option severity matches no rule"):
        trustguard.check(BASE, REV, severity={"api-secrity-*": "off"})
    report = trustguard.check(BASE, REV, severity={"response-property-*": "off"})
    assert "response-property-became-optional" not in {f.rule for f in report.findings}


def test_rule_ids_of_a_user_rule_pack_and_of_other_document_kinds_are_known(tmp_path: Path) -> None:
    # one config serves the API, pricing and terms checks: a pricing rule id is no typo here
    report = trustguard.check(BASE, REV, rule_packs=[PACK],
                              severity={"test-endpoint-gone": "off", "pricing-plan-retired": "info"})
    assert "test-endpoint-gone" not in {f.rule for f in report.findings}
    with pytest.raises(trustguard.ConfigError, match="unknown rule id 'test-endpoint-gone'"):
        trustguard.check(BASE, REV, severity={"test-endpoint-gone": "off"})  # without the pack


# --- waiver dates ------------------------------------------------------------------------


@pytest.mark.parametrize("date", ["2027-13-45", "2027-02-30", "tomorrow", "31-01-2027"])
def test_a_waiver_date_that_does_not_exist_is_an_error_with_file_key_and_line(tmp_path: Path, date: str) -> None:
    path = _config(tmp_path, f"fail_on: major\nwaivers:\n  - rule: {GONE}\n    reason: accepted\n"
                             f"    expires: {date}\n")
    proc = run("check", BASE, REV, "-c", str(path))
    assert proc.returncode == 2
    assert f"{path}:5: waivers[0].expires: '{date}' is not a date (expected YYYY-MM-DD" in proc.stderr
    with pytest.raises(trustguard.ConfigError) as info:
        load_config(path)
    assert info.value.place == "/waivers/0/expires" and info.value.line == 5


def test_a_waiver_date_in_pyproject_and_on_the_command_line(tmp_path: Path) -> None:
    toml = _config(tmp_path, f'[tool.trustguard]\nfail-on = "major"\n\n[[tool.trustguard.waivers]]\nrule = "{GONE}"\n'
                             f'reason = "accepted"\nexpires = "2027-13-45"\n', "pyproject.toml")
    with pytest.raises(trustguard.ConfigError) as info:
        load_config(toml)
    assert info.value.line == 7 and "waivers[0].expires: '2027-13-45' is not a date" in info.value.message
    # a TOML date is a date
    toml.write_text(f'[tool.trustguard]\n[[tool.trustguard.waivers]]\nrule = "{GONE}"\nreason = "ok"\n'
                    'expires = 2027-01-31\n')
    assert load_config(toml).waivers[0].expires == "2027-01-31"
    flag = run("check", BASE, REV, "--waive", f"{GONE}:accepted:2027-13-45")
    assert flag.returncode == 2 and "--waive: '2027-13-45' is not a date" in flag.stderr


def test_a_real_waiver_date_holds_until_it_passes(tmp_path: Path) -> None:
    path = _config(tmp_path, f"waivers:\n  - rule: {GONE}\n    reason: accepted\n    expires: 2027-02-28\n")
    before = trustguard.check(BASE, REV, config=path, today="2027-02-28")
    assert GONE in {f.rule for f in before.waived} and GONE not in {f.rule for f in before.findings}
    after = trustguard.check(BASE, REV, config=path, today="2027-03-01")
    assert GONE in {f.rule for f in after.findings}


# --- unused waivers ----------------------------------------------------------------------


def test_a_waiver_that_waives_nothing_is_a_warning_in_the_report_and_on_stderr(tmp_path: Path) -> None:
    path = _config(tmp_path, "fail_on: major\nwaivers:\n"
                             f"  - rule: {GONE}\n    reason: used\n"
                             f"  - rule: {GONE}\n    operation: GET /nowhere\n    reason: dead\n")
    report = trustguard.check(BASE, REV, config=path)
    unused = [w for w in report.warnings if w.startswith("unused waiver")]
    assert unused == [f"unused waiver: the waiver for {GONE} GET /nowhere ({path}:5) waived nothing: no finding "
                      "matches it (or an earlier waiver takes it); remove it, or correct what it names"]
    proc = run("check", BASE, REV, "-c", str(path), "-f", "json")
    assert proc.returncode == 1  # a warning, not an error
    assert f"trustguard: warning: unused waiver: the waiver for {GONE} GET /nowhere ({path}:5)" in proc.stderr
    assert json.loads(proc.stdout)["warnings"] == report.warnings
    # every waiver used: no warning
    path.write_text(f"waivers:\n  - rule: {GONE}\n    reason: used\n")
    used = run("check", BASE, REV, "-c", str(path))
    assert "unused waiver" not in used.stderr + used.stdout


def test_a_waiver_for_another_kind_of_document_is_not_called_unused() -> None:
    report = trustguard.check(BASE, REV, waivers=[Waiver(rule="pricing-plan-retired", reason="pricing only"),
                                                  Waiver(fingerprint="0123456789abcdef", reason="stale")])
    unused = [w for w in report.warnings if w.startswith("unused waiver")]
    assert unused == ["unused waiver: the waiver for fingerprint 0123456789abcdef (given with option waivers) waived "
                      "nothing: no finding matches it (or an earlier waiver takes it); remove it, or correct what "
                      "it names"]
