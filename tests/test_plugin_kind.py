"""A document kind added from outside trustguard, through its declaration alone.

The toy kind here is a stock list (YAML with a top-level ``stock:`` mapping of item ->
quantity): one module's worth of code -- recognise, load, diff -- plus one rule pack in a
folder of its own, registered with ``trustguard.kinds.register_kind``. No trustguard
module is edited, and ``check``, ``review``, the config and every report format work on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pydantic import BaseModel, Field

import trustguard
from trustguard import kinds
from trustguard.change_kinds import ChangeKind
from trustguard.cli import cli
from trustguard.load.document import Document
from trustguard.model import Change, DocumentKind
from trustguard.report import FORMATS, render

PACK = """\
document: stock
rules:
  - id: stock-item-dropped
    principle: no-surprises
    severity: major
    title: Item no longer stocked
    message: "{item} is no longer stocked (was {before})"
    rationale: Customers who reorder it find nothing to buy.
    remediation: Announce the end of the item and name a replacement.
    example: {before: {stock: {washers: 9}}, after: {stock: {}}}
    references: ["a toy kind of tests/test_plugin_kind.py"]
    match:
      kind: stock.item.removed
  - id: stock-item-short
    principle: no-surprises
    severity: minor
    title: Item stock below the promised minimum
    message: "{item}: {after} left, under the promised {promised}"
    rationale: A promised minimum stock is what buyers plan on.
    remediation: Restock, or lower the promise in the policy.
    example: {before: {stock: {nuts: 12}}, after: {stock: {nuts: 3}}}
    references: ["a toy kind of tests/test_plugin_kind.py"]
    match:
      kind: stock.item.changed
      where:
        after: {lt: "$stock_min_quantity"}
"""


class StockOptions(BaseModel):
    min_quantity: int = Field(5, ge=0)


class Stock(BaseModel):
    items: dict[str, int]


def detect(source: Any) -> bool:
    return source.raw.lstrip().startswith(b"stock:")


def load(source: Any, **options: Any) -> Document:
    data = source if isinstance(source, dict) else yaml.safe_load(source.raw)
    name = str(options.get("name") or getattr(source, "name", "<dict>"))
    doc = Document(DocumentKind("stock"), data, name)
    doc.model = Stock(items=data["stock"])
    return doc


def diff(base: Document, revision: Document, **options: Any) -> list[Change]:
    old, new = base.model_as(Stock).items, revision.model_as(Stock).items
    promised = options["config"].kind_options()["stock"]["min_quantity"]
    changes = [Change(kind="stock.item.removed", location=f"/stock/{item}", subject=item, before=old[item],
                      facts={"item": item}) for item in sorted(set(old) - set(new))]
    changes += [Change(kind="stock.item.changed", location=f"/stock/{item}", subject=item, before=old[item],
                       after=new[item], facts={"item": item, "promised": promised})
                for item in sorted(set(old) & set(new)) if old[item] != new[item]]
    return changes


@pytest.fixture
def stock(tmp_path: Path) -> Iterator[Path]:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "stock.yaml").write_text(PACK, encoding="utf-8")
    spec = kinds.DocumentKindSpec(
        name="stock", title="a stock list", load=load, diff=diff, detect=detect, options=StockOptions,
        rules=rules, facts={"item": ("str", "the item"), "promised": ("int", "the promised minimum")},
        change_kinds=(ChangeKind("stock.item.removed", "stock", "an item is no longer stocked", ("item",), "none"),
                      ChangeKind("stock.item.changed", "stock", "an item's quantity changed", ("item", "promised"),
                                 "none")),
    )
    kinds.register_kind(spec)
    (tmp_path / "old.yaml").write_text("stock:\n  bolts: 40\n  nuts: 12\n  washers: 9\n", encoding="utf-8")
    (tmp_path / "new.yaml").write_text("stock:\n  bolts: 40\n  nuts: 3\n", encoding="utf-8")
    try:
        yield tmp_path
    finally:
        kinds.unregister_kind("stock")


def test_check_judges_the_plugin_kind_with_its_own_rules(stock: Path) -> None:
    report = trustguard.check(stock / "old.yaml", stock / "new.yaml")
    assert report.kind == "stock" and report.kind is DocumentKind("stock")
    assert [(f.rule, f.subject, f.severity.value) for f in report.findings] == [
        ("stock-item-dropped", "washers", "major"), ("stock-item-short", "nuts", "minor")]
    assert report.findings[0].message == "washers is no longer stocked (was 9)"
    assert report.findings[1].message == "nuts: 3 left, under the promised 5"
    assert report.verdict.value == "fail" and report.summary.changes == 2


def test_its_config_section_is_typed_and_read_by_the_rules(stock: Path) -> None:
    # a promise of 2 left: 3 nuts keep it, only the dropped washers are found
    (stock / "trustguard.yaml").write_text("stock:\n  min_quantity: 2\n", encoding="utf-8")
    report = trustguard.check(stock / "old.yaml", stock / "new.yaml", config=stock / "trustguard.yaml")
    assert [f.rule for f in report.findings] == ["stock-item-dropped"]
    (stock / "bad.yaml").write_text("stock:\n  min_quantity: many\n", encoding="utf-8")
    with pytest.raises(trustguard.ConfigError):
        trustguard.load_config(stock / "bad.yaml")


def test_the_cli_check_and_review_run_on_it(stock: Path) -> None:
    runner = CliRunner()
    gate = runner.invoke(cli, ["check", str(stock / "old.yaml"), str(stock / "new.yaml")])
    assert gate.exit_code == 1, gate.output
    assert "stock-item-dropped" in gate.output and "washers" in gate.output
    forced = runner.invoke(cli, ["check", "--kind", "stock", "--fail-on", "blocker",
                                 str(stock / "old.yaml"), str(stock / "new.yaml")])
    assert forced.exit_code == 0, forced.output
    review = runner.invoke(cli, ["review", "-f", "markdown", str(stock / "old.yaml"), str(stock / "new.yaml")])
    assert review.exit_code == 0 and "Item no longer stocked" in review.output
    listed = runner.invoke(cli, ["rules", "--kind", "stock"])
    assert listed.exit_code == 0 and "stock-item-short" in listed.output


def test_every_report_format_renders_it(stock: Path) -> None:
    report = trustguard.check(stock / "old.yaml", stock / "new.yaml")
    for fmt in FORMATS:
        assert "washers" in render(report, fmt), fmt


def test_the_rule_pack_schema_and_the_catalogue_know_it_only_while_registered(stock: Path) -> None:
    from trustguard.change_kinds import catalogue
    from trustguard.classify.rulepack import rulepack_schema

    assert "stock" in rulepack_schema()["properties"]["document"]["enum"]
    assert "stock.item.removed" in catalogue()
    kinds.unregister_kind("stock")
    try:
        assert "stock" not in rulepack_schema()["properties"]["document"]["enum"]
        assert "stock.item.removed" not in catalogue()
        with pytest.raises(trustguard.InputError, match="cannot tell what this document is"):
            trustguard.check(stock / "old.yaml", stock / "new.yaml")
    finally:
        kinds.register_kind(_spec_again(stock))  # the fixture takes it out again


def _spec_again(stock: Path) -> kinds.DocumentKindSpec:
    return kinds.DocumentKindSpec(name="stock", title="a stock list", load=load, diff=diff, detect=detect,
                                  rules=stock / "rules", options=StockOptions)


def test_a_declaration_is_checked(stock: Path) -> None:
    with pytest.raises(ValueError, match="declared already"):
        kinds.register_kind(_spec_again(stock))
    with pytest.raises(ValueError, match="declared already"):
        kinds.register_kind(kinds.DocumentKindSpec(name="openapi", title="x", load=load, diff=diff), replace=True)
    with pytest.raises(ValueError, match="lowercase"):
        kinds.register_kind(kinds.DocumentKindSpec(name="Bad Kind", title="x", load=load, diff=diff))
    with pytest.raises(ValueError, match="not a document kind"):
        kinds.register_kind(kinds.DocumentKindSpec(name="policy", title="x", load=load, diff=diff))
