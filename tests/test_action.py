"""The GitHub Action (action.yml), its documentation (docs/ci.md) and the pre-commit hook:
the structure GitHub reads, and the Action's scripts run for real on a throw-away git
repository (trustguard behind a recording shim, `gh` faked over a JSON file)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import trustguard
from trustguard.report import FORMATS

ROOT = Path(__file__).resolve().parents[1]
ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
INPUTS: dict[str, dict[str, Any]] = ACTION["inputs"]
CI_DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
# the current major version of every action trustguard's Action or its docs call
# (setup-python v5 and checkout v4 run on Node 20, which runners no longer have;
# codeql-action v3 is retired in December 2026)
CURRENT = {"actions/checkout": 6, "actions/setup-python": 6, "github/codeql-action/upload-sarif": 4}
INVOCATION = re.compile(r"trustguard\"?\s+(check|review|diff|impact)\b")
EXAMPLES = {
    "openapi": ("examples/api/v1.yaml", "examples/api/v2.yaml", {"customers": "examples/customers.csv",
                                                                "usage": "examples/usage.jsonl"}),
    "pricing": ("examples/pricing/old.yaml", "examples/pricing/new.yaml", {"customers": "examples/pricing/customers.csv"}),
    "terms": ("examples/terms/old.md", "examples/terms/new.md", {}),
}


def _step(name: str) -> dict[str, Any]:
    (step,) = [s for s in STEPS if s.get("name") == name]
    return step


def _runs() -> str:
    return "\n".join(step.get("run", "") for step in STEPS)


# ---------------------------------------------------------------- structure


def test_action_is_a_composite_with_its_steps_in_order() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert [s["name"] for s in STEPS] == [
        "Set up Python", "Install trustguard", "Check", "Upload SARIF to code scanning",
        "Comment on the pull request", "Verdict",
    ]
    assert INPUTS["base"]["required"] is True and INPUTS["revision"]["required"] is True
    for name, spec in INPUTS.items():
        assert spec.get("description"), name
        if not spec.get("required"):
            assert isinstance(spec.get("default"), str), f"{name}: GitHub passes inputs as strings"


def _uses(text: str) -> list[str]:
    return re.findall(r"uses:\s*([\w./-]+@[\w.-]+)", text)


def test_every_action_called_is_on_its_current_major() -> None:
    called = [step["uses"] for step in STEPS if "uses" in step]
    assert called == ["actions/setup-python@v6", "github/codeql-action/upload-sarif@v4"]
    documented = [u for u in _uses(CI_DOC) + _uses((ROOT / "README.md").read_text(encoding="utf-8"))
                  if not u.startswith("trustguard-dev/trustguard@")]
    assert {u.split("@")[0] for u in documented} == set(CURRENT)
    for ref in called + documented:
        name, _, version = ref.partition("@")
        assert name in CURRENT, f"{ref}: an action without a known current major"
        assert version == f"v{CURRENT[name]}", f"{ref}: the current major is v{CURRENT[name]}"


def test_trustguard_runs_once_per_job() -> None:
    calls = INVOCATION.findall(_runs())
    assert calls == ["check"], calls
    check = _step("Check")["run"]
    assert len(INVOCATION.findall(check)) == 1
    # the one run writes JSON; SARIF, the readable report and the annotations come from it
    assert _runs().count("trustguard check") == 1 and "trustguard review" not in _runs()
    # the venv's trustguard, for this one command only: the job's PATH stays as it was
    assert 'PATH="$TG_BIN:$PATH" trustguard check "$TG_BASE" "$TG_REVISION" "${args[@]}" -f json -o "$json"' in check
    assert "trustguard.Report.model_validate_json" in check
    for fmt in ("sarif", "markdown", "github"):
        assert f'"{fmt}"' in check, fmt


def test_install_is_a_private_venv_with_the_requested_version() -> None:
    setup = _step("Set up Python")
    assert setup["with"]["update-environment"] is False  # the caller's python stays first on PATH
    install = _step("Install trustguard")
    assert re.search(r'-m venv "\$venv"', install["run"]) and 'venv="$RUNNER_TEMP/trustguard-venv"' in install["run"]
    assert install["env"]["TG_PYTHON"] == "${{ steps.python.outputs.python-path }}"
    assert "GITHUB_PATH" not in _runs()
    assert install["env"]["TG_VERSION"] == "${{ inputs.version }}"
    assert INPUTS["version"]["default"] == ""
    assert '"$bin/python" -m pip install --quiet --disable-pip-version-check "trustguard-cli==$TG_VERSION"' in install["run"]
    assert install["env"]["TG_ACTION_PATH"] == "${{ github.action_path }}"
    assert '"$TG_ACTION_PATH"' in install["run"]
    assert _step("Check")["env"]["TG_BIN"] == "${{ steps.install.outputs.bin }}"


def test_the_policy_comes_from_the_base_commit_by_default() -> None:
    assert INPUTS["trust-base-config"]["default"] == "true"
    assert INPUTS["config-path"]["default"] == "trustguard.yaml"
    check = _step("Check")
    assert check["env"]["TG_BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert check["env"]["TG_TRUST_BASE"] == "${{ inputs.trust-base-config }}"
    assert check["env"]["TG_CONFIG"] == "${{ inputs.config-path }}"
    assert 'args+=(--trusted-config "$TG_BASE_SHA:$TG_CONFIG")' in check["run"]
    # the threshold is the trusted policy's unless the workflow sets one
    assert INPUTS["fail-on"]["default"] == ""
    assert 'if [ -n "$TG_FAIL_ON" ]; then args+=(--fail-on "$TG_FAIL_ON"); fi' in check["run"]


def test_the_comment_is_opt_in_and_one_per_pull_request() -> None:
    assert INPUTS["comment"]["default"] == "false"
    comment = _step("Comment on the pull request")
    assert "inputs.comment == 'true'" in comment["if"] and "github.event.pull_request.number" in comment["if"]
    assert "exit-code == '1'" in comment["if"]  # a failing verdict is when the comment matters
    assert comment["env"]["GH_TOKEN"] == "${{ inputs.github-token }}"
    assert INPUTS["github-token"]["default"] == "${{ github.token }}"
    assert "<!-- trustguard-report:$TG_CATEGORY -->" in comment["run"]
    assert "--method PATCH" in comment["run"] and "--method POST" in comment["run"]


def test_sarif_upload_and_verdict() -> None:
    upload = _step("Upload SARIF to code scanning")
    # uploaded after a failing verdict too, but not after an input error (no SARIF then)
    assert upload["if"].startswith("always()") and "exit-code == '1'" in upload["if"]
    assert upload["with"] == {"sarif_file": "${{ inputs.sarif-file }}", "category": "${{ inputs.category }}"}
    verdict = STEPS[-1]
    assert verdict["env"]["TG_EXIT"] == "${{ steps.check.outputs.exit-code }}"
    assert 'exit "${TG_EXIT:-2}"' in verdict["run"]
    assert ACTION["outputs"]["exit-code"]["value"] == "${{ steps.check.outputs.exit-code }}"


def test_inputs_reach_the_shell_through_the_environment() -> None:
    for step in STEPS:
        if "run" in step:
            assert step.get("shell") == "bash", step["name"]
            # never pasted into the script, where a crafted value would run as code
            assert "${{" not in step["run"], step["name"]


# ---------------------------------------------------------------- docs/ci.md matches


def _documented_inputs() -> dict[str, str]:
    section = CI_DOC.split("\nInputs:\n", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {m.group(1): m.group(2).strip() for m in (re.match(r"\| `([\w-]+)` \| ([^|]*)\|", r) for r in rows) if m}


def test_docs_list_every_input_with_its_default() -> None:
    documented = _documented_inputs()
    assert set(documented) == set(INPUTS)
    for name, spec in INPUTS.items():
        if spec.get("required"):
            assert documented[name] == "(required)", name
        else:
            assert documented[name] == (f"`{spec['default']}`" if spec["default"] else ""), name
    for output in ACTION["outputs"]:
        assert f"`{output}`" in CI_DOC.split("Outputs:", 1)[1].split("\n\n", 1)[0], output


def test_docs_list_the_permissions_the_action_needs() -> None:
    table = CI_DOC.split("Permissions of the job's `GITHUB_TOKEN`:", 1)[1].split("\n\n", 2)[1]
    rows = dict(re.findall(r"^\| `([\w-]+: \w+)` \| (.+) \|$", table, re.MULTILINE))
    assert set(rows) == {"contents: read", "security-events: write", "actions: read", "pull-requests: write"}
    assert "private" in rows["actions: read"] and "comment" in rows["pull-requests: write"]
    example = CI_DOC.split("### With the trustguard action", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    workflow = yaml.safe_load(example)
    assert set(workflow["permissions"].items()) == {(k.split(": ")[0], k.split(": ")[1]) for k in rows}
    (job,) = workflow["jobs"].values()
    assert job["steps"][0]["with"]["fetch-depth"] == 0
    assert set(job["steps"][1]["with"]) <= set(INPUTS)


# ---------------------------------------------------------------- the scripts, run


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}).stdout.strip()


def _repo(tmp_path: Path, config_in_base: bool) -> tuple[Path, str]:
    """A repository whose last commit has v1 of the example spec and whose working tree has v2."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    shutil.copyfile(ROOT / "examples" / "api" / "v1.yaml", repo / "openapi.yaml")
    if config_in_base:
        (repo / "trustguard.yaml").write_text("fail_on: major\n", encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "v1")
    shutil.copyfile(ROOT / "examples" / "api" / "v2.yaml", repo / "openapi.yaml")
    return repo, _git(repo, "rev-parse", "HEAD")


def _shim(tmp_path: Path, keep_trusted: bool = False) -> tuple[Path, Path]:
    """A bin folder as the install step leaves it: python, and a trustguard that records its
    arguments and runs the real one; unless asked to keep it, without --trusted-config (the
    comparison of policies is the CLI's business, tested with the CLI)."""
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls.jsonl"
    bin_dir.mkdir()
    # not a symlink: a venv's python finds its packages from the path it is started by
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    (bin_dir / "python").chmod(0o755)
    (bin_dir / "trustguard").write_text(
        f"#!{sys.executable}\n"
        "import json, subprocess, sys\n"
        "args = sys.argv[1:]\n"
        f"open({str(calls)!r}, 'a').write(json.dumps(args) + '\\n')\n"
        f"if '--trusted-config' in args and not {keep_trusted}:\n"
        "    i = args.index('--trusted-config'); del args[i:i + 2]\n"
        "sys.exit(subprocess.run([sys.executable, '-m', 'trustguard', *args]).returncode)\n",
        encoding="utf-8",
    )
    (bin_dir / "trustguard").chmod(0o755)
    return bin_dir, calls


def _run_step(name: str, cwd: Path, tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    temp, output, summary = tmp_path / "runner-temp", tmp_path / "output", tmp_path / "summary.md"
    temp.mkdir(exist_ok=True)
    full = {**os.environ, "RUNNER_TEMP": str(temp), "RUNNER_OS": "Linux", "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary), "NO_COLOR": "1", **env}
    if output.exists():
        output.unlink()
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _step(name)["run"]], cwd=cwd, env=full,
                          capture_output=True, text=True, check=False, timeout=300)
    outputs = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines()) if output.exists() else {}
    return proc, outputs


def _check_env(bin_dir: Path, sha: str, **extra: str) -> dict[str, str]:
    return {"TG_BIN": str(bin_dir), "TG_BASE": "HEAD:openapi.yaml", "TG_REVISION": "openapi.yaml",
            "TG_FAIL_ON": "", "TG_FORMAT": "markdown", "TG_CONFIG": "trustguard.yaml", "TG_TRUST_BASE": "true",
            "TG_BASE_SHA": sha, "TG_ARGS": "--today 2025-06-01", "TG_ANNOTATIONS": "true",
            "TG_SARIF": "trustguard.sarif", **extra}


def test_check_step_runs_trustguard_once_and_renders_what_the_cli_would(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path, config_in_base=True)
    bin_dir, calls = _shim(tmp_path)
    proc, outputs = _run_step("Check", repo, tmp_path, _check_env(bin_dir, sha))
    assert proc.returncode == 0, proc.stderr
    assert outputs["exit-code"] == "1"  # v2 breaks v1; the Verdict step turns it into the failure
    (args,) = [json.loads(line) for line in calls.read_text(encoding="utf-8").splitlines()]
    assert args[:3] == ["check", "HEAD:openapi.yaml", "openapi.yaml"]
    assert args[args.index("--trusted-config") + 1] == f"{sha}:trustguard.yaml"
    assert args[args.index("--config") + 1] == "trustguard.yaml"
    assert args[-4:] == ["-f", "json", "-o", outputs["json-file"]]

    def cli(fmt: str) -> str:
        return subprocess.run([sys.executable, "-m", "trustguard", "check", "HEAD:openapi.yaml", "openapi.yaml",
                               "--config", "trustguard.yaml", "--today", "2025-06-01", "--no-color", "-f", fmt],
                              cwd=repo, capture_output=True, text=True, check=False).stdout

    assert (repo / "trustguard.sarif").read_text(encoding="utf-8") == cli("sarif")
    assert (repo / outputs["report-file"]).read_text(encoding="utf-8") == cli("markdown")
    assert cli("markdown") in (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert cli("github") in proc.stdout  # the annotations
    assert "::error file=openapi.yaml" in proc.stdout


def test_check_step_without_a_base_config_compares_with_the_defaults(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path, config_in_base=False)
    (repo / "trustguard.yaml").write_text("fail_on: blocker\n", encoding="utf-8")  # added by the pull request
    bin_dir, calls = _shim(tmp_path)
    proc, _outputs = _run_step("Check", repo, tmp_path, _check_env(bin_dir, sha))
    assert proc.returncode == 0, proc.stderr
    (args,) = [json.loads(line) for line in calls.read_text(encoding="utf-8").splitlines()]
    # trustguard reads a path missing at that revision as the default policy
    assert args[args.index("--trusted-config") + 1] == f"{sha}:trustguard.yaml"
    assert args[args.index("--config") + 1] == "trustguard.yaml"


def test_a_pull_request_that_loosens_the_policy_is_judged_by_the_base_policy(tmp_path: Path) -> None:
    """End to end with the real --trusted-config: the pull request raises fail_on to
    blocker; the base's fail_on major still applies and the loosening is a finding."""
    repo, sha = _repo(tmp_path, config_in_base=True)
    (repo / "trustguard.yaml").write_text("fail_on: blocker\n", encoding="utf-8")
    bin_dir, _calls = _shim(tmp_path, keep_trusted=True)
    proc, outputs = _run_step("Check", repo, tmp_path, _check_env(bin_dir, sha))
    assert proc.returncode == 0, proc.stderr
    assert outputs["exit-code"] == "1"
    report = json.loads(Path(outputs["json-file"]).read_text(encoding="utf-8"))
    weakened = [f for f in report["findings"] if f["rule"] == "policy-weakened"]
    assert len(weakened) == 1 and weakened[0]["source"]["file"] == "trustguard.yaml"
    assert "policy-weakened" in (repo / "trustguard.sarif").read_text(encoding="utf-8")
    # the same pull request without the trusted base would pass its own, looser policy
    proc, outputs = _run_step("Check", repo, tmp_path, _check_env(bin_dir, sha, TG_TRUST_BASE="false"))
    assert outputs["exit-code"] == "0", proc.stdout


def test_check_step_outside_a_pull_request_and_opted_out(tmp_path: Path) -> None:
    repo, _sha = _repo(tmp_path, config_in_base=True)
    bin_dir, calls = _shim(tmp_path)
    proc, outputs = _run_step("Check", repo, tmp_path, _check_env(bin_dir, ""))
    assert proc.returncode == 0 and outputs["exit-code"] == "1"
    assert "not a pull request" in proc.stdout
    proc, _ = _run_step("Check", repo, tmp_path, _check_env(bin_dir, _sha, TG_TRUST_BASE="false"))
    assert proc.returncode == 0
    assert ["--trusted-config" in json.loads(line) for line in calls.read_text(encoding="utf-8").splitlines()] == [False, False]


def test_check_step_stops_with_exit_2_on_bad_input_or_a_shallow_checkout(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path, config_in_base=True)
    bin_dir, _calls = _shim(tmp_path)
    proc, outputs = _run_step("Check", repo, tmp_path, _check_env(bin_dir, sha, TG_REVISION="missing.yaml"))
    assert proc.returncode == 2 and outputs["exit-code"] == "2"
    assert "could not run the check" in proc.stdout and not (repo / "trustguard.sarif").exists()
    proc, outputs = _run_step("Check", repo, tmp_path, _check_env(bin_dir, "0" * 40))
    assert proc.returncode == 2 and outputs["exit-code"] == "2"
    assert "is not in the checkout; check out with fetch-depth: 0" in proc.stdout


def _fake_gh(tmp_path: Path) -> tuple[Path, Path]:
    """`gh api` over a JSON file of comments; --jq filters run through the real jq."""
    store, bin_dir = tmp_path / "comments.json", tmp_path / "gh-bin"
    bin_dir.mkdir()
    store.write_text(json.dumps([{"id": 7, "body": "Looks good to me"}]), encoding="utf-8")
    (bin_dir / "gh").write_text(
        f"#!{sys.executable}\n"
        "import json, subprocess, sys\n"
        f"store = {str(store)!r}\n"
        "args = sys.argv[2:]\n"
        "comments = json.load(open(store))\n"
        "if '--jq' in args:\n"
        "    assert args[0] == '--paginate' and args[1] == 'repos/o/r/issues/5/comments', args\n"
        "    out = subprocess.run(['jq', '-r', args[args.index('--jq') + 1]], input=json.dumps(comments),\n"
        "                         capture_output=True, text=True, check=True).stdout\n"
        "    sys.stdout.write(out)\n"
        "    sys.exit(0)\n"
        "method, path = args[1], args[2]\n"
        "body = open(args[args.index('-F') + 1].split('=@', 1)[1]).read()\n"
        "if method == 'PATCH':\n"
        "    cid = int(path.rsplit('/', 1)[1])\n"
        "    [c for c in comments if c['id'] == cid][0]['body'] = body\n"
        "else:\n"
        "    assert path == 'repos/o/r/issues/5/comments', path\n"
        "    comments.append({'id': max(c['id'] for c in comments) + 1, 'body': body})\n"
        "json.dump(comments, open(store, 'w'))\n",
        encoding="utf-8",
    )
    (bin_dir / "gh").chmod(0o755)
    return bin_dir, store


@pytest.mark.skipif(shutil.which("jq") is None, reason="the fake gh applies --jq filters with jq")
def test_comment_step_posts_once_and_then_updates_that_comment(tmp_path: Path) -> None:
    gh_bin, store = _fake_gh(tmp_path)
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    env = {"PATH": f"{gh_bin}{os.pathsep}{os.environ['PATH']}", "GH_TOKEN": "t", "TG_REPO": "o/r", "TG_PR": "5",
           "TG_CATEGORY": "trustguard"}

    def comment(text: str, **extra: str) -> list[dict[str, Any]]:
        (temp / "trustguard-report.md").write_text(text, encoding="utf-8")
        proc, _ = _run_step("Comment on the pull request", tmp_path, tmp_path, {**env, **extra})
        assert proc.returncode == 0, proc.stderr
        comments: list[dict[str, Any]] = json.loads(store.read_text(encoding="utf-8"))
        return comments

    first = comment("### trustguard: ❌ FAIL\n")
    assert [c["id"] for c in first] == [7, 8]
    assert first[1]["body"] == "<!-- trustguard-report:trustguard -->\n### trustguard: ❌ FAIL\n"
    second = comment("### trustguard: ✅ PASS\n")
    assert [c["id"] for c in second] == [7, 8]  # the same comment, updated
    assert second[1]["body"].endswith("✅ PASS\n") and second[0]["body"] == "Looks good to me"
    other = comment("### trustguard: ✅ PASS · pricing\n", TG_CATEGORY="pricing")
    assert [c["id"] for c in other] == [7, 8, 9]  # another category has its own comment
    # a report over GitHub's limit becomes a pointer to the job summary
    huge = comment("### trustguard: ❌ FAIL\n" + "| row |\n" * 20_000)
    assert len(huge[1]["body"]) < 1000 and "too long for a comment" in huge[1]["body"]


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_reports_rendered_from_the_json_match_the_direct_ones(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Action renders every format from the JSON report of its single run: the JSON
    must carry everything each format shows."""
    monkeypatch.chdir(ROOT)
    base, revision, impact = EXAMPLES[kind]
    report = trustguard.check(base, revision, today=dt.date(2025, 6, 1), **impact)
    again = trustguard.Report.model_validate_json(trustguard.render(report, "json"))
    for fmt in sorted(FORMATS):
        assert trustguard.render(again, fmt) == trustguard.render(report, fmt), fmt


# ---------------------------------------------------------------- pre-commit hook


HOOKS: list[dict[str, Any]] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_pre_commit_hook_checks_the_spec_against_its_last_commit() -> None:
    (hook,) = HOOKS
    assert hook["id"] == "trustguard" and hook["language"] == "python"
    assert hook["entry"] == "trustguard check"
    assert hook["pass_filenames"] is False
    # HEAD exists in every repository with a commit; origin/main only in some clones
    assert hook["args"] == ["HEAD:openapi.yaml", "openapi.yaml"]
    assert re.search(hook["files"], "openapi.yaml") and not re.search(hook["files"], "README.md")
    assert not re.search(hook["files"], "docs/other.yaml")
    assert "The default args are `HEAD:openapi.yaml openapi.yaml`" in CI_DOC


def test_pre_commit_hook_default_args_work_in_a_repository_without_a_remote(tmp_path: Path) -> None:
    repo, _sha = _repo(tmp_path, config_in_base=False)
    assert _git(repo, "remote") == ""
    (hook,) = HOOKS

    def run() -> subprocess.CompletedProcess[str]:
        entry = hook["entry"].split()
        return subprocess.run([sys.executable, "-m", *entry, *hook["args"], "--today", "2025-06-01"], cwd=repo,
                              capture_output=True, text=True, check=False)

    breaking = run()
    assert breaking.returncode == 1, breaking.stderr  # findings, not an input error
    assert "api-path-removed-without-deprecation" in breaking.stdout
    _git(repo, "checkout", "-q", "--", "openapi.yaml")
    unchanged = run()
    assert unchanged.returncode == 0, unchanged.stderr
