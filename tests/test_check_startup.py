"""What `trustguard check` sets up before the real work: a check of two JSON specs with no
config file loads no YAML parser, no RE2, no git and no pydantic, in any of the CI
formats (it builds plain records: _record.py; the defaults and the --fail-on choice are
not validated again); a policy that needs them still gets them. And the shortcuts give
the very policy validation gives."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trustguard import Config, ConfigError
from trustguard._record import to_public
from trustguard.config import FAIL_ON_VALUES, default_config, merge_options, with_fail_on

# pydantic imports its plug-in loader when it builds its first schema validator
SCHEMA_BUILT = "pydantic.plugin._loader"

RUN = ("import sys\nfrom trustguard.cli import main\nsys.argv = ['trustguard', *sys.argv[1:]]\n"
       "try:\n    main()\nexcept SystemExit as end:\n    code = end.code\n"
       "print(code, ' '.join(sorted(sys.modules)))")


def _spec(required: list[str]) -> dict[str, object]:
    item = {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
    body = {"content": {"application/json": {"schema": {**item, "required": required}}}}
    return {"openapi": "3.0.3", "info": {"title": "Pets", "version": "1"},
            "paths": {"/pets": {"post": {"requestBody": body, "responses": {"200": {"description": "ok"}}}}}}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # the config search stops here: no config file is found
    (tmp_path / "base.json").write_text(json.dumps(_spec(["id"])), encoding="utf-8")
    (tmp_path / "revision.json").write_text(json.dumps(_spec(["id", "name"])), encoding="utf-8")
    return tmp_path


def _check(folder: Path, *args: str) -> tuple[str, set[str]]:
    """The report a check writes and the modules its process imported."""
    done = subprocess.run([sys.executable, "-c", RUN, "check", *args, "-o", "out.txt"], cwd=folder,
                          capture_output=True, text=True, check=True)
    code, _, modules = done.stdout.strip().partition(" ")
    assert code in ("0", "None"), done.stderr
    return (folder / "out.txt").read_text(encoding="utf-8"), set(modules.split())


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "html", "github", "junit", "codequality"])
def test_a_check_of_two_json_specs_sets_up_only_what_it_uses(project: Path, fmt: str) -> None:
    report, modules = _check(project, "base.json", "revision.json", "-f", fmt, "--fail-on", "none")
    assert "request-property-became-required" in report or "became required" in report  # judged
    assert modules & {"yaml", "re2", "subprocess", "jsonschema", "networkx", "pydantic", "pydantic_core"} == set()
    assert {"trustguard.config", "trustguard.model"} <= modules  # the plain records (_record.py)
    assert "trustguard.model_public" not in modules


def test_what_a_check_needs_is_still_loaded(project: Path) -> None:
    import yaml

    for name in ("base", "revision"):  # the same specs in YAML: their parser is imported
        spec = json.loads((project / f"{name}.json").read_text(encoding="utf-8"))
        (project / f"{name}.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    report, modules = _check(project, "base.yaml", "revision.yaml", "-f", "text", "--fail-on", "none")
    assert "name" in report and "yaml" in modules

    # a config file is validated (pydantic's schemas), and its regular expressions run by RE2
    (project / "trustguard.yaml").write_text("include_paths: ['re:^/pets']\n", encoding="utf-8")
    report, modules = _check(project, "base.json", "revision.json", "-f", "text", "--fail-on", "none")
    assert "name" in report and {"re2", SCHEMA_BUILT} <= modules


def test_the_default_policy_is_the_validated_one() -> None:
    built, validated = default_config(), Config()
    assert type(built) is not type(validated) and isinstance(validated, type(built))  # record, public model
    assert to_public(built) == validated
    assert built.model_dump() == validated.model_dump()
    assert validated.model_fields_set == set()
    assert (built.file, built.origin_of("/fail_on")) == (None, None)
    assert built.pricing == validated.pricing and built.pricing["min_notice_days"] == 30  # its validated default
    # each call is a policy of its own: nothing mutable is shared
    other = default_config()
    other.severity["x"] = "off"
    other.impact.fail_flags.append("whale-concentration")
    assert to_public(default_config()) == validated


@pytest.mark.parametrize("value", FAIL_ON_VALUES)
def test_a_fail_on_choice_sets_what_merging_the_option_sets(value: str) -> None:
    base = merge_options(Config(), labels={"severity": "--severity"}, severity={"api.*": "minor"})
    fast = with_fail_on(base, value, "--fail-on")
    merged = merge_options(base, labels={"fail_on": "--fail-on"}, fail_on=value)
    assert fast.model_dump() == merged.model_dump()
    assert fast.fail_on == value and fast.threshold() == merged.threshold()
    for pointer in ("/fail_on", "/severity/api.*", "/include_paths"):
        assert fast.origin_of(pointer) == merged.origin_of(pointer)
    assert base.fail_on == "major" and base.origin_of("/fail_on") is None  # the policy given is unchanged


def test_a_fail_on_value_that_is_no_choice_is_refused_as_merging_refuses_it() -> None:
    with pytest.raises(ConfigError) as fast:
        with_fail_on(default_config(), "critical", "--fail-on")
    with pytest.raises(ConfigError) as merged:
        merge_options(default_config(), labels={"fail_on": "--fail-on"}, fail_on="critical")
    assert str(fast.value) == str(merged.value)
    assert "--fail-on" in str(fast.value) and "critical" in str(fast.value)
    # a value its validator would normalise is merged (and normalised) as before
    assert with_fail_on(default_config(), " Minor ", "--fail-on").fail_on == "minor"


def test_a_check_still_ends_cleanly_without_the_shutdown_collection(project: Path) -> None:
    # main freezes the collector at exit: the temporary folders a run keeps (a trusted
    # config's pattern folders) are still removed, and the report is whole
    code = ("import sys, tempfile\nfrom trustguard import config_files\n"
            "holder = tempfile.TemporaryDirectory(prefix='trustguard-test-')\n"
            "config_files._EXTRACTED.append(holder)\n(__import__('pathlib').Path(holder.name) / 'kept').write_text('x')\n"
            "print(holder.name, flush=True)\nsys.argv = ['trustguard', 'check', 'base.json', 'revision.json', "
            "'-f', 'json', '--fail-on', 'none', '-o', 'out.json']\nfrom trustguard.cli import main\nmain()\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=True)
    folder = Path(done.stdout.strip())
    assert folder.name.startswith("trustguard-test-") and not folder.exists()
    report = json.loads((project / "out.json").read_text(encoding="utf-8"))
    assert [f["rule"] for f in report["findings"]] == ["request-property-became-required"]
