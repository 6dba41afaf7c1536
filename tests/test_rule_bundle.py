"""The shipped rule packs are read from their compiled bundle (classify/rulebundle.py)
when its bytes are the ones compiled, and from their YAML otherwise: the bundle only
ever saves time, it never changes a rule."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from trustguard.classify import rulebundle, rulepack
from trustguard.classify.rulepack import Rule, default_rules_dir, load_rule_pack, load_rules
from trustguard.errors import RulePackError


def _exactly(rules: list[Rule]) -> list[str]:
    # key order too: a rule's example and conditions are shown as its pack writes them
    return [json.dumps(rule.as_dict()) for rule in rules]


@pytest.fixture
def fresh_caches():
    rulepack._default_rules_cached.cache_clear()
    rulebundle._packs.cache_clear()
    yield
    rulepack._default_rules_cached.cache_clear()
    rulebundle._packs.cache_clear()


def test_the_bundle_gives_the_rules_the_yaml_gives(fresh_caches: None) -> None:
    folder = default_rules_dir()
    from_yaml = [rule for path in sorted(folder.glob("*/*.yaml")) for rule in load_rule_pack(path, shipped=True)]
    assert len(from_yaml) > 500
    assert _exactly(rulepack.default_rules()) == _exactly(from_yaml)
    # and the bundle was what served them (every shipped pack is compiled)
    packs = rulebundle._packs()
    assert sorted(packs) == [p.relative_to(folder).as_posix() for p in sorted(folder.glob("*/*.yaml"))]


def _copied_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    monkeypatch.setattr(rulepack, "default_rules_dir", lambda: folder)
    return folder


def test_an_edited_pack_is_read_from_its_yaml_not_the_bundle(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_caches: None) -> None:
    folder = _copied_rules(tmp_path, monkeypatch)
    pack = folder / "api" / "paths.yaml"
    text = pack.read_text(encoding="utf-8")
    first = next(r for r in load_rule_pack(pack, shipped=True))
    assert f"title: {first.title}" in text
    pack.write_text(text.replace(f"title: {first.title}", "title: Edited after the bundle was made", 1),
                    encoding="utf-8")
    rules = {r.id: r for r in load_rules()}
    assert rules[first.id].title == "Edited after the bundle was made"
    # the packs left alone still come from the bundle, unchanged
    untouched = load_rule_pack(folder / "api" / "responses.yaml", shipped=True)
    assert all(rules[r.id] == r for r in untouched)


def test_a_missing_or_broken_bundle_falls_back_to_the_yaml(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_caches: None) -> None:
    expected = _exactly(rulepack.default_rules())
    for content in (None, "{not json", '{"format": 0, "packs": {}}'):
        bundle = tmp_path / "rules.bundle.json"
        if content is None:
            bundle.unlink(missing_ok=True)
        else:
            bundle.write_text(content, encoding="utf-8")
        monkeypatch.setattr(rulebundle, "BUNDLE_FILE", bundle)
        rulepack._default_rules_cached.cache_clear()
        rulebundle._packs.cache_clear()
        assert rulebundle._packs() == {}
        assert _exactly(rulepack.default_rules()) == expected


def test_a_users_pack_is_still_validated_in_full(tmp_path: Path) -> None:
    pack = tmp_path / "mine.yaml"
    pack.write_text("rules:\n- id: x\n  principle: no-surprises\n  severity: huge\n  title: t\n"
                    "  rationale: r\n  remediation: f\n  match: {kind: api.x}\n", encoding="utf-8")
    with pytest.raises(RulePackError) as caught:
        load_rules([str(pack)])
    assert caught.value.file == str(pack) and "invalid rule pack" in caught.value.message


def test_the_bundle_is_only_made_from_valid_packs(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    (folder / "api").mkdir(parents=True)
    (folder / "api" / "bad.yaml").write_text("rules:\n- id: x\n  principle: no-surprises\n  severity: major\n"
                                             "  title: A title\n  rationale: Why it matters to a client.\n"
                                             "  remediation: What to do instead of it.\n"
                                             "  match: {kind: api.no.such.kind}\n  example: {}\n", encoding="utf-8")
    with pytest.raises(RulePackError, match="unknown change kind"):
        rulebundle.bundle_text(folder)


def test_listing_the_rules_imports_neither_pydantic_nor_the_models_nor_a_yaml_parser() -> None:
    import subprocess
    import sys

    code = ("import sys, contextlib, io\nsys.argv = ['trustguard', 'rules', '-f', 'json']\n"
            "from trustguard.cli import main\nout = io.StringIO()\nwith contextlib.redirect_stdout(out):\n"
            "    try:\n        main()\n    except SystemExit:\n        pass\n"
            "print(' '.join(sorted(sys.modules)))\nprint(out.getvalue())")
    loaded, _, listing = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                        check=True).stdout.partition("\n")
    modules = set(loaded.split())
    assert modules & {"pydantic", "pydantic_core", "yaml", "jsonschema", "trustguard.model", "trustguard.config"} == set()
    assert "trustguard.classify.rulebundle" in modules
    assert len(json.loads(listing)) == len(load_rules())


def test_a_bundled_rule_is_the_rule_its_yaml_gives_field_for_field(fresh_caches: None) -> None:
    folder = default_rules_dir()
    from_yaml = [rule for path in sorted(folder.glob("*/*.yaml")) for rule in load_rule_pack(path, shipped=True)]
    bundled = rulepack.default_rules()
    assert bundled == from_yaml  # every field, the pack's path included
    assert [vars(r) for r in bundled] == [vars(r) for r in from_yaml]
    assert isinstance(bundled[0].kinds, tuple) and isinstance(bundled[0].severity, rulepack.Severity)


def test_a_bundled_rule_of_another_layout_gets_the_dataclass_defaults() -> None:
    rule = rulepack.default_rules()[0]
    data = rulebundle._as_json(rule)
    del data["oasdiff_note"], data["references"]  # a bundle written before these fields
    built = rulebundle._from_json(data, rule.pack)
    assert (built.oasdiff_note, built.references) == (None, ())
    assert (built.id, built.severity, built.kinds) == (rule.id, rule.severity, rule.kinds)


def test_a_bundled_rule_with_an_unknown_severity_is_refused_as_before() -> None:
    data = rulebundle._as_json(rulepack.default_rules()[0])
    data["severity"] = "huge"
    with pytest.raises(ValueError, match="huge"):
        rulebundle._from_json(data, "x.yaml")
    data["severity"], data["principle"] = "major", ["not", "a", "string"]
    with pytest.raises(ValueError):
        rulebundle._from_json(data, "x.yaml")


def test_the_shipped_rules_folder_is_found_without_importlib_resources() -> None:
    import subprocess
    import sys

    code = ("import sys\nfrom trustguard.classify.rulepack import default_rules_dir\n"
            "folder = default_rules_dir()\nprint('importlib.resources' in sys.modules, (folder / 'api').is_dir())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]
