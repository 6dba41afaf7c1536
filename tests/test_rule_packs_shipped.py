"""The rule packs shipped with trustguard are loaded without their schema validation (it
is most of a CLI run's start-up); this is where they are validated instead."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from trustguard.classify.rulepack import (
    default_rules_dir,
    load_rule_pack,
    parse_rule_pack,
    rulepack_schema,
)
from trustguard.errors import RulePackError

SHIPPED = sorted(default_rules_dir().glob("*/*.yaml"))


def test_the_packs_are_found() -> None:
    assert len(SHIPPED) >= 10
    assert {path.parent.name for path in SHIPPED} >= {"api", "pricing", "terms"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_shipped_pack_is_valid_and_loads_the_same_rules_unvalidated(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(rulepack_schema()).iter_errors(data))
    assert errors == [], [e.message for e in errors[:3]]
    assert load_rule_pack(path, shipped=True) == parse_rule_pack(data, str(path))


@pytest.mark.parametrize("text", [
    "rules: 5\n",  # the unvalidated build fails on it
    "rules:\n- id: x\n  principle: no-surprises\n  severity: huge\n  title: t\n  rationale: r\n"
    "  remediation: f\n  match: {kind: api.x}\n",
])
def test_a_broken_pack_where_a_shipped_one_sits_is_still_a_clear_error(tmp_path: Path, text: str) -> None:
    pack = tmp_path / "broken.yaml"
    pack.write_text(text)
    with pytest.raises(RulePackError) as caught:
        load_rule_pack(pack, shipped=True)
    assert caught.value.file == str(pack) and "invalid rule pack" in caught.value.message
