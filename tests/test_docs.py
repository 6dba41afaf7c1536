"""Rules are documented from their own data: the generated docs must match the packs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_rule_docs_are_generated_from_the_rule_packs() -> None:
    spec = importlib.util.spec_from_file_location("generate_docs", DOCS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path, text in module.expected().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run python docs/generate.py"


def test_readme_links_point_at_existing_docs() -> None:
    import re

    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (DOCS.parent / target).is_file(), target


def test_the_documented_rule_pack_is_a_valid_pack_with_every_condition_form() -> None:
    import yaml

    from trustguard.classify import parse_rule_pack

    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    block = text.split("## Rule packs", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    [rule] = parse_rule_pack(yaml.safe_load(block), "docs/configuration.md")
    assert {"any", "all", "not"} <= set(rule.where)
    assert rule.where["sunset_days"] == {"lt": "$deprecation_days_stable"}
