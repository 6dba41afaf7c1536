"""The config is part of the pull request (issue 23, point 5).

A hostile pull request controls the config file in the repository: the files it names
must stay inside the repository and are never echoed, and with ``--trusted-config`` the
policy comes from the base revision while every way the pull request's config weakens it
is a ``policy-weakened`` finding that fails the gate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import trustguard
from trustguard.report import render

DATA = Path(__file__).resolve().parent.parent / "data" / "core"
BASE_SPEC, REV_SPEC, PACK = (DATA / "base.yaml").read_text(), (DATA / "revision.yaml").read_text(), DATA / "rules.yaml"
GONE = "api-path-removed-without-deprecation"  # major, base -> revision triggers it once
OPTIONAL = "response-property-became-optional"  # major too


def run(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "trustguard", *args], capture_output=True, text=True,
                          cwd=cwd, check=False, timeout=timeout)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def make_repo(tmp_path: Path, base_config: str | None, pr_config: str | None,
              files: dict[str, str] | None = None, pr_files: dict[str, str] | None = None) -> Path:
    """A repository whose first commit is the base (spec + config) and whose second is the
    pull request; the work tree is the pull request's."""
    repo = tmp_path / "repo"
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "ci")
    (repo / "api.yaml").write_text(BASE_SPEC)
    for name, text in (files or {}).items():
        (repo / name).write_text(text)
    if base_config is not None:
        (repo / "trustguard.yaml").write_text(base_config)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    (repo / "api.yaml").write_text(REV_SPEC)
    for name, text in (pr_files or {}).items():
        (repo / name).write_text(text)
    if pr_config is None:
        (repo / "trustguard.yaml").unlink(missing_ok=True)
    else:
        (repo / "trustguard.yaml").write_text(pr_config)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "pull request")
    return repo


def check(repo: Path, *extra: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return run("check", "HEAD~1:api.yaml", "HEAD:api.yaml", "-f", "json", *extra, cwd=repo, timeout=timeout)


def trusted(repo: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return check(repo, "--trusted-config", "HEAD~1:trustguard.yaml", *extra)


def weakened(proc: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """The policy-weakened findings: setting -> message."""
    data = json.loads(proc.stdout)
    return {f["facts"]["setting"]: f["message"] for f in data["findings"] if f["rule"] == "policy-weakened"}


def rules_found(proc: subprocess.CompletedProcess[str]) -> set[str]:
    return {f["rule"] for f in json.loads(proc.stdout)["findings"]}


# --- files a config names ----------------------------------------------------------------


def _passwd_lines() -> list[str]:
    text = Path("/etc/passwd").read_text(errors="replace") if Path("/etc/passwd").is_file() else ""
    return [line for line in text.splitlines() if len(line) > 8][:5]


def test_a_rule_pack_outside_the_repository_is_refused_and_never_echoed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "fail_on: major\n", "fail_on: major\nrule_packs: ['/etc/passwd']\n")
    proc = check(repo)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "rule_packs[0]: '/etc/passwd' is outside the repository" in proc.stderr
    assert "trustguard.yaml:2:" in proc.stderr
    for line in _passwd_lines():
        assert line not in proc.stderr + proc.stdout


def test_a_file_in_the_repository_that_is_no_rule_pack_is_refused_without_its_content(tmp_path: Path) -> None:
    secret = "root:x:0:0:root:/root:/bin/bash\nAPI_TOKEN=s3cr3t-value-123\n"
    repo = make_repo(tmp_path, "fail_on: major\n", "rule_packs: [notes.txt]\n", pr_files={"notes.txt": secret})
    proc = check(repo)
    assert proc.returncode == 2 and "not a rule pack" in proc.stderr
    assert "s3cr3t" not in proc.stderr + proc.stdout and "/bin/bash" not in proc.stderr + proc.stdout


def test_dev_zero_as_a_rule_pack_is_refused_quickly(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "fail_on: major\n", "rule_packs: [/dev/zero]\n")
    proc = check(repo, timeout=30)  # reading /dev/zero would never end
    assert proc.returncode == 2 and "outside the repository" in proc.stderr
    # the operator's --rule-pack may name any file, but only a regular one
    (repo / "trustguard.yaml").unlink()
    flag = run("check", "HEAD~1:api.yaml", "HEAD:api.yaml", "--rule-pack", "/dev/zero", cwd=repo, timeout=30)
    assert flag.returncode == 2 and "/dev/zero: the rule pack is not a regular file" in flag.stderr


def test_a_fifo_inside_the_repository_is_refused_not_waited_on(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "fail_on: major\n", "rule_packs: [pipe.yaml]\n")
    os.mkfifo(repo / "pipe.yaml")
    proc = check(repo, timeout=30)
    assert proc.returncode == 2 and "the rule pack is not a regular file" in proc.stderr


def test_a_path_out_of_the_repository_and_a_symlink_out_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(PACK.read_text())
    repo = make_repo(tmp_path, "fail_on: major\n", "rule_packs: [../outside.yaml]\n")
    proc = check(repo)
    assert proc.returncode == 2 and "'../outside.yaml' is outside the repository" in proc.stderr
    (repo / "rules").mkdir()
    (repo / "rules" / "pack.yaml").symlink_to(outside)
    (repo / "trustguard.yaml").write_text("rule_packs: [rules/pack.yaml]\n")
    linked = check(repo)
    assert linked.returncode == 2 and "'rules/pack.yaml' is outside the repository" in linked.stderr
    # the same pack as a regular file inside the repository is used
    (repo / "rules" / "pack.yaml").unlink()
    (repo / "rules" / "pack.yaml").write_text(PACK.read_text())
    inside = check(repo)
    assert inside.returncode == 1 and "test-endpoint-gone" in rules_found(inside)


def test_a_terms_pattern_folder_outside_the_repository_is_refused(tmp_path: Path) -> None:
    # a pattern folder replaces shipped categories (forced arbitration...): the pull
    # request's config may name one only inside the repository, like a rule pack
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    repo = make_repo(tmp_path, "fail_on: major\n", "terms:\n  patterns: [../elsewhere]\n")
    proc = check(repo)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "terms.patterns[0]: '../elsewhere' is outside the repository" in proc.stderr
    assert "trustguard.yaml:2:" in proc.stderr
    (repo / "mine").mkdir()
    (repo / "trustguard.yaml").write_text("terms:\n  patterns: [mine]\n")
    assert check(repo).returncode == 1  # a folder inside is used: the spec check goes on


def test_a_config_that_is_a_symlink_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text("fail_on: none\n")
    repo = make_repo(tmp_path, "fail_on: major\n", None)
    (repo / "trustguard.yaml").symlink_to(elsewhere)
    proc = check(repo)
    assert proc.returncode == 2 and "symlink to a file outside the repository" in proc.stderr


# --- --trusted-config: the policy from the base, the pull request's changes reported -----


def test_a_rule_turned_off_by_the_pull_request_is_reported_and_not_applied(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "fail_on: major\n", f"fail_on: major\nseverity:\n  {GONE}: 'off'\n")
    untrusted = check(repo)
    assert GONE not in rules_found(untrusted)  # the pull request's own config turns it off
    proc = trusted(repo)
    assert proc.returncode == 1
    assert GONE in rules_found(proc)  # not applied
    message = weakened(proc)[f"severity.{GONE}"]
    assert f"severity.{GONE}: (rule default) -> off (turns off 1 rule: {GONE}; " in message
    assert "trustguard.yaml:3" in message
    finding = next(f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "policy-weakened")
    assert finding["severity"] == "major" and finding["principle"] == "no-surprises" and finding["fails"]
    # annotations and SARIF point at the config's line, not at the spec
    github = run("check", "HEAD~1:api.yaml", "HEAD:api.yaml", "--trusted-config", "HEAD~1:trustguard.yaml",
                 "-f", "github", cwd=repo)
    assert "::error file=trustguard.yaml,line=3,title=major policy-weakened" in github.stdout


def test_a_wildcard_waiver_and_a_wildcard_severity_are_reported(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "fail_on: major\n",
                     "severity:\n  '*': 'off'\nwaivers:\n  - rule: '*'\n    reason: trust me\n")
    proc = trusted(repo)
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["waived"] == [] and {GONE, OPTIONAL} <= rules_found(proc)
    found = weakened(proc)
    assert found["severity.*"].startswith("severity.*: (rule default) -> off (turns off ")
    assert found["waivers[0]"].startswith("waivers[0]: (not set) -> * (a waiver added")


def test_a_lowered_fail_on_is_reported_and_the_gate_still_fails(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "fail_on: major\n", "fail_on: none\n")
    assert check(repo).returncode == 0  # what the pull request alone would get
    proc = trusted(repo)
    assert proc.returncode == 1 and json.loads(proc.stdout)["fail_on"] == "major"
    assert weakened(proc)["fail_on"].startswith("fail_on: major -> none (no finding fails the check")
    text = run("check", "HEAD~1:api.yaml", "HEAD:api.yaml", "--trusted-config", "HEAD~1:trustguard.yaml",
               cwd=repo)
    assert text.returncode == 1 and "MAJOR policy-weakened" in text.stdout and "FAIL" in text.stdout


def test_allow_external_refs_from_the_pull_request_keeps_the_folder_guard_closed(tmp_path: Path) -> None:
    specs = tmp_path / "repo" / "specs"
    repo = make_repo(tmp_path, "fail_on: major\n", "allow_external_refs: true\n")
    specs.mkdir()
    (repo / "shared.yaml").write_text("type: object\n")
    (specs / "api.yaml").write_text(REV_SPEC.replace("{type: string}", "{$ref: '../shared.yaml'}", 1))
    reaching = run("check", "api.yaml", "specs/api.yaml", "--trusted-config", "HEAD~1:trustguard.yaml", cwd=repo)
    assert reaching.returncode == 2 and "points outside the spec's folder" in reaching.stderr
    proc = trusted(repo)
    assert proc.returncode == 1
    assert weakened(proc)["allow_external_refs"].startswith(
        "allow_external_refs: false -> true ($ref may read files outside the spec's folder")


def test_a_trusted_config_missing_at_the_revision_is_the_default_policy(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, None, "fail_on: blocker\nexclude_paths: ['/internal/*']\n")
    proc = trusted(repo)
    assert proc.returncode == 1 and GONE in rules_found(proc)
    found = weakened(proc)
    assert set(found) == {"fail_on", "exclude_paths"}
    assert found["exclude_paths"].startswith("exclude_paths: [] -> [/internal/*] (these paths are no longer checked")


def test_the_same_or_a_stricter_config_is_no_weakening(tmp_path: Path) -> None:
    base = f"fail_on: major\nseverity:\n  {OPTIONAL}: minor\n"
    same = make_repo(tmp_path, base, base)
    assert weakened(trusted(same)) == {}
    stricter = make_repo(tmp_path / "b", base, "fail_on: minor\nstability_level: draft\n")
    proc = trusted(stricter)
    assert weakened(proc) == {} and proc.returncode == 1
    # stricter settings of the pull request do not apply either: the trusted policy does
    assert json.loads(proc.stdout)["fail_on"] == "major"
    assert next(f for f in json.loads(proc.stdout)["findings"] if f["rule"] == OPTIONAL)["severity"] == "minor"


def test_the_trusted_rule_packs_come_from_the_trusted_revision(tmp_path: Path) -> None:
    pack = PACK.read_text()
    softened = pack.replace("severity: major", "severity: info", 1)
    repo = make_repo(tmp_path, "rule_packs: [pack.yaml]\n", "rule_packs: [pack.yaml]\n",
                     files={"pack.yaml": pack}, pr_files={"pack.yaml": softened})
    proc = trusted(repo)
    gone = next(f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "test-endpoint-gone")
    assert gone["severity"] == "major"  # the base's pack, read from git
    assert weakened(proc)["rule_packs[0]"].endswith("replaces the rule test-endpoint-gone; trustguard.yaml:1)")
    # the operator may name a pack at a revision too
    (repo / "trustguard.yaml").unlink()
    flag = check(repo, "--rule-pack", "HEAD~1:pack.yaml")
    assert next(f for f in json.loads(flag.stdout)["findings"] if f["rule"] == "test-endpoint-gone")["severity"] == "major"


def test_the_flags_of_the_run_are_the_operators_and_not_compared(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "fail_on: major\n", "fail_on: major\n")
    proc = trusted(repo, "--fail-on", "minor")
    assert weakened(proc) == {} and json.loads(proc.stdout)["fail_on"] == "minor"


def test_a_revision_that_reads_as_an_option_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "fail_on: major\n", "fail_on: major\n")
    proc = check(repo, "--trusted-config", "--output=written:trustguard.yaml")
    assert proc.returncode == 2 and "starts with '-'" in proc.stderr
    assert not (repo / "written").exists()
    unknown = check(repo, "--trusted-config", "no-such-branch:trustguard.yaml")
    assert unknown.returncode == 2 and "git knows no revision 'no-such-branch'" in unknown.stderr


def test_the_api_takes_a_trusted_config_and_every_format_shows_the_weakening(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path, "fail_on: major\n", "fail_on: none\n")
    monkeypatch.chdir(repo)
    report = trustguard.check("HEAD~1:api.yaml", "HEAD:api.yaml", config=repo / "trustguard.yaml",
                              trusted_config="HEAD~1:trustguard.yaml")
    assert not report.passed and report.fail_on == "major"
    (finding,) = [f for f in report.findings if f.rule == "policy-weakened"]
    assert finding.before == "major" and finding.after == "none"
    for fmt in ("text", "json", "sarif", "markdown", "html", "junit", "github"):
        assert "policy-weakened" in render(report, fmt), fmt
    # without a trusted policy the same config is the user's choice, and it passes
    assert trustguard.check("HEAD~1:api.yaml", "HEAD:api.yaml", config=repo / "trustguard.yaml").passed


def test_without_a_trusted_config_wildcards_are_warned_about_but_applied(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "fail_on: major\n", "severity:\n  'response-*': 'off'\nfail_on: none\n")
    proc = check(repo)
    assert proc.returncode == 0
    warnings = json.loads(proc.stdout)["warnings"]
    assert any(w.startswith("policy: fail_on: none (") for w in warnings)
    assert any(w.startswith("policy: severity 'response-*': off (") and "turns off" in w for w in warnings)
    assert "trustguard: warning: policy: fail_on: none" in proc.stderr
    assert OPTIONAL not in rules_found(proc)


# --- what counts as weaker, setting by setting (both directions) --------------------------


@pytest.mark.parametrize(("trusted_settings", "weaker", "stricter", "setting"), [
    ({"fail_on": "minor"}, {"fail_on": "major"}, {"fail_on": "info"}, "fail_on"),
    ({"severity": {OPTIONAL: "blocker"}}, {}, {"severity": {OPTIONAL: "blocker", GONE: "blocker"}},
     f"severity.{OPTIONAL}"),
    ({}, {"severity": {GONE: "minor"}}, {"severity": {GONE: "blocker"}}, f"severity.{GONE}"),
    ({"include_paths": ["/v1/*"]}, {"include_paths": ["/v1/pets"]}, {"include_paths": ["/v1/*", "/v2/*"]},
     "include_paths"),
    ({}, {"include_paths": ["/v1/*"]}, {}, "include_paths"),
    ({"exclude_paths": ["/internal/*"]}, {"exclude_paths": ["/internal/*", "/v1/*"]}, {}, "exclude_paths"),
    ({}, {"exclude_extensions": ["^x-beta$"]}, {}, "exclude_extensions"),
    ({"stability_level": "beta"}, {"stability_level": "stable"}, {"stability_level": "alpha"}, "stability_level"),
    ({"deprecation_days_stable": 180}, {"deprecation_days_stable": 30}, {"deprecation_days_stable": 365},
     "deprecation_days_stable"),
    ({"impact": {"min_customers": 1}}, {"impact": {"min_customers": 5}}, {"impact": {"min_customers": 0}},
     "impact.min_customers"),
    ({}, {"impact": {"fail_unused": False}}, {}, "impact.fail_unused"),
    ({"pricing": {"min_notice_days": 30}}, {"pricing": {"min_notice_days": 7}}, {"pricing": {"min_notice_days": 60}},
     "pricing.min_notice_days"),
    ({}, {"today": "2020-01-01"}, {}, "today"),
    ({}, {"flatten_allof": True}, {}, "flatten_allof"),
])
def test_each_setting_weakens_one_way_only(trusted_settings: dict[str, object], weaker: dict[str, object],
                                           stricter: dict[str, object], setting: str) -> None:
    from trustguard.classify.rulepack import load_rules
    from trustguard.classify.weakening import weakenings
    from trustguard.config import build_config

    rules = load_rules()
    base = build_config(trusted_settings)
    assert setting in {w.setting for w in weakenings(base, build_config(weaker), rules)}
    assert weakenings(base, build_config(stricter), rules) == []
    assert weakenings(base, base, rules) == []


def test_a_trusted_configs_terms_pattern_folder_is_read_from_its_revision(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the pull request edits the pattern file in the working tree to match nothing; the
    # trusted policy's folder must come from the trusted revision, like its rule packs
    from trustguard.config import load_config_at
    from trustguard.diff.terms_classify import load_library

    pattern = ("category: export-control\ntitle: Export control\nsignals:\n"
               "  - id: sanctions\n    stance: neutral\n    patterns: ['{}']\n")
    config = "terms:\n  patterns: [policy/patterns]\n"
    repo = make_repo(tmp_path, config, config, files={}, pr_files={})
    (repo / "policy" / "patterns").mkdir(parents=True)
    (repo / "policy" / "patterns" / "export.yaml").write_text(pattern.format("\\bembargo"))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "policy patterns")
    (repo / "policy" / "patterns" / "export.yaml").write_text(pattern.format("will-never-match-xyz"))
    monkeypatch.chdir(repo)
    trusted = load_config_at("HEAD:trustguard.yaml")
    folders = trusted.terms["patterns"]
    assert len(folders) == 1 and Path(folders[0]).resolve() != (repo / "policy" / "patterns").resolve()
    hits = load_library(folders).classify("Use from an embargoed country is forbidden.")
    assert [h.signal for h in hits] == ["sanctions"]  # the trusted revision's pattern, not the edit
    (repo / "trustguard.yaml").write_text("terms:\n  patterns: [../outside]\n")
    git(repo, "commit", "-qam", "outside")
    with pytest.raises(trustguard.TrustguardError, match=r"terms.patterns\[0\]: '../outside' is outside"):
        load_config_at("HEAD:trustguard.yaml")
