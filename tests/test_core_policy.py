"""The policy around the rules: rule packs, severity overrides, path filters, waivers, verdict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import trustguard
from trustguard import Severity, Verdict, Waiver
from trustguard.cli import cli as cli_main

DATA = Path(__file__).parent / "data" / "core"
BASE, REV, PACK = DATA / "base.yaml", DATA / "revision.yaml", str(DATA / "rules.yaml")


def _ours(report: trustguard.Report) -> list[trustguard.Finding]:
    return [f for f in report.findings if f.rule.startswith("test-")]


def test_a_user_rule_pack_adds_rules_and_explains_findings() -> None:
    report = trustguard.check(BASE, REV, rule_packs=[PACK])
    ours = {f.rule: f for f in _ours(report)}
    assert set(ours) == {"test-endpoint-gone", "test-became-optional"}
    gone = ours["test-endpoint-gone"]
    assert gone.operation == "GET /internal/stats"
    assert gone.message == "GET /internal/stats was removed"
    assert gone.severity is Severity.MAJOR
    assert gone.location == "/paths/~1internal~1stats/get"
    assert gone.source is not None and gone.source.line == 26  # the line of 'get:' in the base file
    assert gone.source.file == str(BASE)
    optional = ours["test-became-optional"]
    # one finding, named as its first operation reaches the schema; each operation its own way
    assert optional.message == "'items/name' became optional in the response"
    assert [(f.operation, f.message) for f in optional.per_operation()] == [
        ("GET /pets", "'items/name' became optional in the response"),
        ("GET /pets/{id}", "'name' became optional in the response"),
    ]
    assert report.verdict is Verdict.FAIL


def test_shared_component_change_is_reported_once_per_operation() -> None:
    report = trustguard.check(BASE, REV, rule_packs=[PACK], fail_on="none")
    [found] = [f for f in report.findings if f.rule == "test-became-optional"]
    # reached as a list item by one operation and as the body by the other: one change of
    # the shared schema, with each operation's property path
    assert (found.operations, found.subject) == (["GET /pets", "GET /pets/{id}"], "items/name")
    assert found.property_paths == {"GET /pets": "items/name", "GET /pets/{id}": "name"}
    assert [(f.operation, f.subject, f.facts["property_path"], f.property_paths) for f in found.per_operation()] == [
        ("GET /pets", "items/name", "items/name", {}), ("GET /pets/{id}", "name", "name", {})]
    every = report.per_operation()
    assert len({f.fingerprint for f in every}) == len(every) == report.summary.findings


def test_renamed_path_parameter_is_the_same_endpoint() -> None:
    report = trustguard.check(BASE, REV, rule_packs=[PACK], fail_on="none")
    removed = [f.operation for f in report.findings if f.rule == "test-endpoint-gone"]
    assert removed == ["GET /internal/stats"]


def test_fail_on_threshold_and_none() -> None:
    assert trustguard.check(BASE, REV, rule_packs=[PACK], fail_on="blocker", severity={"*": "major"}).verdict is Verdict.PASS
    assert trustguard.check(BASE, REV, rule_packs=[PACK], fail_on="none").exit_code == 0
    assert trustguard.check(BASE, REV, rule_packs=[PACK], fail_on="minor").exit_code == 1


def test_severity_override_and_off() -> None:
    report = trustguard.check(
        BASE, REV, rule_packs=[PACK], fail_on="none",
        severity={"test-endpoint-gone": "off", "test-became-optional": "blocker"},
    )
    ours = _ours(report)
    assert {f.rule for f in ours} == {"test-became-optional"}
    assert all(f.severity is Severity.BLOCKER for f in ours)


def test_path_include_and_exclude() -> None:
    inc = trustguard.check(BASE, REV, rule_packs=[PACK], include_paths=["/pets*"], fail_on="none")
    assert all((f.operation or "").split(" ")[1].startswith("/pets") for f in _ours(inc))
    exc = trustguard.check(BASE, REV, rule_packs=[PACK], exclude_paths=["re:^/internal"], fail_on="none")
    assert "test-endpoint-gone" not in {f.rule for f in _ours(exc)}


MARKED_BASE = """openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /pets/{id}:
    get:
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}}
    delete:
      x-internal: true
      responses: {'204': {description: gone}}
  /admin:
    x-internal: true
    get:
      responses: {'200': {description: ok}}
  /admin/pets:
    get:
      x-internal: true
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}}
components:
  schemas:
    Pet: {type: object, properties: {id: {type: string}, name: {type: string}}}
"""


def test_operations_marked_with_an_extension_are_skipped(tmp_path: Path) -> None:
    """oasdiff's --filter-extension: an operation (or a path item) marked x-internal in
    either version is out of the check; a shared-schema finding keeps the others."""
    base = tmp_path / "v1.yaml"
    base.write_text(MARKED_BASE)
    revision = tmp_path / "v2.yaml"
    revision.write_text(MARKED_BASE.replace("/pets/{id}:", "/pets/{petId}:")
                        .replace("    delete:\n      x-internal: true\n      responses: {'204': {description: gone}}\n", "")
                        .replace("  /admin:\n    x-internal: true\n    get:\n      responses: {'200': {description: ok}}\n", "")
                        .replace(", name: {type: string}", ""))

    def seen(**options: object) -> list[tuple[str, list[str]]]:
        report = trustguard.check(base, revision, fail_on="none", **options)  # type: ignore[arg-type]
        return sorted((f.rule, f.operations) for f in report.findings)

    assert seen() == [
        ("api-path-removed-without-deprecation", ["GET /admin"]),
        ("api-removed-without-deprecation", ["DELETE /pets/{id}"]),
        ("response-optional-property-removed", ["GET /admin/pets", "GET /pets/{petId}"]),
    ]
    assert seen(exclude_extensions=["^x-internal$"]) == [("response-optional-property-removed", ["GET /pets/{petId}"])]
    assert seen(exclude_extensions=["x-nothing"]) == seen()
    cli = CliRunner().invoke(cli_main, ["check", str(base), str(revision), "--filter-extension", "internal",
                                        "--format", "json"])
    assert cli.exit_code == 0, cli.output
    assert [f["operation"] for f in json.loads(cli.output)["findings"]] == ["GET /pets/{petId}"]


def test_path_prefixes_are_rewritten_for_matching_only(tmp_path: Path) -> None:
    """oasdiff's --strip-prefix-* / --prefix-*: /api/v1 moved into `servers` is not every
    operation removed and added; findings keep each side's own paths and lines."""
    base = tmp_path / "v1.yaml"
    base.write_text(MARKED_BASE.replace("  /pets/{id}:", "  /api/v1/pets/{id}:").replace("  /admin", "  /api/v1/admin"))
    revision = tmp_path / "v2.yaml"
    revision.write_text(MARKED_BASE.replace("  /pets/{id}:", "  /v1/pets/{petId}:").replace("  /admin", "  /v1/admin")
                        .replace(", name: {type: string}", ""))

    def seen(**options: object) -> list[tuple[str, list[str]]]:
        report = trustguard.check(base, revision, fail_on="none", **options)  # type: ignore[arg-type]
        return sorted((f.rule, f.operations) for f in report.findings)

    plain = seen()
    assert ("api-path-removed-without-deprecation", ["GET /api/v1/pets/{id}"]) in plain
    moved = [("response-optional-property-removed", ["GET /v1/admin/pets", "GET /v1/pets/{petId}"])]
    assert seen(strip_prefix_base="/api") == moved
    assert seen(strip_prefix_base="/api/v1", prefix_base="/v1/") == moved
    assert seen(strip_prefix_revision="/v1", prefix_revision="/api/v1") == moved
    cli = CliRunner().invoke(cli_main, ["check", str(base), str(revision), "--strip-prefix-base", "/api",
                                        "--format", "json"])
    assert cli.exit_code == 0, cli.output
    (finding,) = json.loads(cli.output)["findings"][:1]
    assert finding["location"].startswith("/components/schemas/Pet")
    with pytest.raises(trustguard.ConfigError, match="a path prefix starts with '/'"):
        trustguard.check(base, revision, prefix_base="api")


def test_waiver_by_rule_and_operation_and_by_fingerprint() -> None:
    first = trustguard.check(BASE, REV, rule_packs=[PACK])
    gone = next(f for f in first.findings if f.rule == "test-endpoint-gone")
    by_rule = trustguard.check(
        BASE, REV, rule_packs=[PACK], today="2026-01-01",
        waivers=[Waiver(rule="test-endpoint-gone", operation="GET /internal/stats", reason="internal only", expires="2026-06-30")],
    )
    assert "test-endpoint-gone" not in {f.rule for f in by_rule.findings}
    assert [w.rule for w in by_rule.waived] == ["test-endpoint-gone"]
    assert by_rule.waived[0].waived is not None and by_rule.waived[0].waived.reason == "internal only"
    by_fp = trustguard.check(BASE, REV, rule_packs=[PACK], waivers=[{"fingerprint": gone.fingerprint, "reason": "ok"}])
    assert gone.fingerprint not in {f.fingerprint for f in by_fp.findings}


def test_expired_waiver_stops_hiding_and_says_so() -> None:
    report = trustguard.check(
        BASE, REV, rule_packs=[PACK], today="2026-07-01",
        waivers=[Waiver(rule="test-endpoint-gone", reason="internal only", expires="2026-06-30")],
    )
    gone = [f for f in report.findings if f.rule == "test-endpoint-gone"]
    assert len(gone) == 1 and gone[0].waiver_expired is not None
    assert any("expired on 2026-06-30" in w for w in report.warnings)


def test_config_file_yaml_and_pyproject(tmp_path: Path) -> None:
    # a config names only files inside its repository (or its folder): the pack sits beside it
    (tmp_path / "rules.yaml").write_text(Path(PACK).read_text())
    (tmp_path / "trustguard.yaml").write_text(
        "fail_on: blocker\nrule_packs: [rules.yaml]\nseverity:\n  test-became-optional: 'off'\n"
    )
    cfg = trustguard.load_config(tmp_path / "trustguard.yaml")
    report = trustguard.check(BASE, REV, config=cfg)
    assert report.fail_on == "blocker" and report.verdict is Verdict.PASS
    assert "test-became-optional" not in {f.rule for f in report.findings}
    (tmp_path / "pyproject.toml").write_text('[tool.trustguard]\nfail-on = "minor"\ndeprecation-days-stable = 30\n')
    cfg2 = trustguard.load_config(tmp_path / "pyproject.toml")
    assert cfg2.fail_on == "minor" and cfg2.deprecation_days_stable == 30


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("fail_on: sometimes\n", "/fail_on"),
        ("severity: {x: loud}\n", "/severity"),
        ("stability_level: gamma\n", "/stability_level"),
        ("waivers: [{rule: x}]\n", "/waivers/0/reason"),
        ("unknown_key: 1\n", "/unknown_key"),
        # found by fuzzing: these two used to end in a traceback
        ('include_paths: ["re:(v1"]\n', "/include_paths"),
        ("rule_packs: [5]\n", "/rule_packs/0"),
        ('exclude_extensions: ["x-(internal"]\n', "/exclude_extensions"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, place: str) -> None:
    path = tmp_path / "trustguard.yaml"
    path.write_text(text)
    with pytest.raises(trustguard.ConfigError) as info:
        trustguard.load_config(path)
    assert info.value.file == str(path)
    assert info.value.place == place
    assert "Value error" not in str(info.value)  # pydantic's wording stays out of the message


def test_a_bad_regular_expression_given_as_a_flag_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(trustguard.ConfigError, match=r"'re:\[a' is not a valid regular expression"):
        trustguard.check(BASE, REV, exclude_paths=["re:[a"])


@pytest.mark.parametrize(
    ("where", "place", "says"),
    [  # found by fuzzing: the first used to stop the engine with an AttributeError
        ('{any: ["x"]}', "/rules/0/match/where/any/0", "'x' is not of type 'object'"),
        ("{all: [{status: {in: 5}}]}", "/rules/0/match/where/all/0/status/in",
         "5 is not a list of values, or a policy value such as $name"),
        ("{sunset_days: {gt: 1, gtt: 2}}", "/rules/0/match/where/sunset_days", "'gtt' is not one of"),
        ("{not: {deprecated: {exists: maybe}}}", "/rules/0/match/where/not/deprecated/exists",
         "'maybe' is not true, false or a policy value"),
    ],
)
def test_a_broken_where_is_a_clear_error_at_its_place(tmp_path: Path, where: str, place: str, says: str) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text("rules:\n  - id: my-rule\n    principle: no-surprises\n    severity: major\n    title: A rule\n"
                    "    rationale: Because it matters.\n    remediation: Do not.\n    example: {}\n"
                    f"    match: {{kind: api.schema.property.removed, where: {where}}}\n")
    with pytest.raises(trustguard.RulePackError) as info:
        trustguard.check(BASE, REV, rule_packs=[str(pack)])
    assert (info.value.file, info.value.place) == (str(pack), place)
    assert says in str(info.value)


def test_contains_tests_words_in_text_and_items_in_lists() -> None:
    from trustguard.classify.engine import _test

    assert _test(True, "a breaking change", {"contains": "breaking"}, {})
    assert not _test(True, "a breaking change", {"contains": 5}, {})  # was a TypeError
    assert _test(True, ["a", {"b": 1}], {"contains": {"b": 1}}, {})
    assert _test(True, {"a", "b"}, {"not_contains": ["x"]}, {})  # an unhashable value is simply not there
    assert not _test(True, 3, {"contains": 3}, {})


def test_broken_rule_pack_is_a_clear_error(tmp_path: Path) -> None:
    pack = tmp_path / "bad.yaml"
    pack.write_text("rules:\n  - id: x\n    severity: fatal\n")
    with pytest.raises(trustguard.RulePackError) as info:
        trustguard.check(BASE, REV, rule_packs=[str(pack)])
    assert info.value.file == str(pack)
    assert info.value.place is not None and info.value.place.startswith("/rules/0")


def test_every_shipped_rule_is_documented() -> None:
    rules = trustguard.rules_for()
    assert rules, "no rules shipped"
    for rule in rules:
        assert rule.title and rule.rationale and rule.remediation, rule.id
        assert rule.example is not None, rule.id
    assert len({r.id for r in rules}) == len(rules)


def _pack(tmp_path: Path, where: dict[str, Any], variants: list[dict[str, Any]] | None = None) -> str:
    rule: dict[str, Any] = {
        "id": "test-optional{label}" if variants else "test-optional", "principle": "backward-compatibility",
        "severity": "major", "title": "Became optional (test pack)", "message": "'{property_path}' became optional",
        "rationale": "Clients may expect the property.", "remediation": "Keep it required.", "example": {},
        "match": {"kind": "api.schema.property.became-optional", "where": where},
    }
    if variants:
        rule["variants"] = variants
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump({"document": "openapi", "rules": [rule]}))
    return str(path)


def _ours_ids(tmp_path: Path, where: dict[str, Any], variants: list[dict[str, Any]] | None = None) -> list[str]:
    report = trustguard.check(BASE, REV, rule_packs=[_pack(tmp_path, where, variants)], fail_on="none")
    return sorted(f.rule for f in _ours(report))


def test_conditions_combine_with_any_all_and_not(tmp_path: Path) -> None:
    # the shared Pet schema's 'name' became optional in GET responses only
    assert _ours_ids(tmp_path, {"not": {"direction": "request"}}) == ["test-optional"]
    assert _ours_ids(tmp_path, {"not": {"direction": "response"}}) == []
    assert _ours_ids(tmp_path, {"all": [{"direction": "response"}, {"any": [{"status": "200"}, {"status": "404"}]}]}) == [
        "test-optional"]
    assert _ours_ids(tmp_path, {"all": [{"direction": "response"}, {"status": "404"}]}) == []
    # not: holds unless all its conditions hold
    assert _ours_ids(tmp_path, {"not": {"direction": "response", "status": "404"}}) == ["test-optional"]


def test_a_variant_condition_adds_to_its_rules_instead_of_replacing_it(tmp_path: Path) -> None:
    where = {"any": [{"direction": "request"}, {"status": "404"}]}  # holds for none of the changes
    variants = [{"label": "-a", "where": {"any": [{"direction": "response"}]}},
                {"label": "-b", "where": {"direction": "response"}}]
    assert _ours_ids(tmp_path, where, variants) == []
    variants = [{"label": "-a", "where": {"not": {"status": "404"}}}]
    assert _ours_ids(tmp_path, {"not": {"direction": "request"}}, variants) == ["test-optional-a"]
    assert _ours_ids(tmp_path, {"not": {"direction": "response"}}, variants) == []
