"""Bad release files: exit 2, naming the file, the key (and its line), writing nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from release_support import run_cli  # type: ignore[import-not-found]

import trustguard
from trustguard.errors import InputError

Edit = Callable[[Path, str, str], None]


def _refused(release: Path, tmp_path: Path) -> str:
    out = tmp_path / "report.json"
    proc = run_cli("release", str(release), "-f", "json", "-o", str(out))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert not out.exists(), "a refused release must write nothing"
    assert proc.stdout == ""
    assert str(release) in proc.stderr
    return proc.stderr


def test_a_missing_document_names_its_key(example: Path, edit: Edit, tmp_path: Path) -> None:
    edit(example, "revision: release/pricing-v2.yaml", "revision: release/pricing-v3.yaml")
    err = _refused(example, tmp_path)
    assert "documents.pricing.revision" in err and "pricing-v3.yaml" in err
    line = example.read_text(encoding="utf-8").splitlines().index("    revision: release/pricing-v3.yaml") + 1
    assert f"{example}:{line}:" in err  # the line of the key


def test_an_unparseable_date_names_its_key(example: Path, edit: Edit, tmp_path: Path) -> None:
    edit(example, "announced: 2026-03-02", "announced: 2026-02-30")
    err = _refused(example, tmp_path)
    assert "announced" in err and "a date (YYYY-MM-DD)" in err and "2026-02-30" in err


def test_a_per_document_date_that_is_not_a_date(example: Path, edit: Edit, tmp_path: Path) -> None:
    edit(example, "effective: 2026-03-16 ", "effective: {api: 2026-03-16, terms: next week} ")
    err = _refused(example, tmp_path)
    assert "effective.terms" in err and "next week" in err


def test_an_effective_date_before_the_announcement(example: Path, edit: Edit, tmp_path: Path) -> None:
    edit(example, "effective: 2026-03-16 ", "effective: {api: 2026-03-16, pricing: 2026-02-20} ")
    err = _refused(example, tmp_path)
    assert "effective.pricing" in err and "before the announcement" in err


def test_an_effective_date_for_an_unknown_document(example: Path, edit: Edit, tmp_path: Path) -> None:
    edit(example, "effective: 2026-03-16 ", "effective: {api: 2026-03-16, pricng: 2026-03-20} ")
    err = _refused(example, tmp_path)
    assert "effective.pricng" in err and "did you mean 'pricing'" in err


def test_an_empty_announcement(example: Path, tmp_path: Path) -> None:
    (example.parent / "release" / "announcement.md").write_text("  \n\n", encoding="utf-8")
    err = _refused(example, tmp_path)
    assert "announcement" in err and "empty" in err


def test_a_document_of_the_wrong_kind_for_its_key(example: Path, edit: Edit, tmp_path: Path) -> None:
    # the pricing key given two OpenAPI specs
    edit(example, "base: release/pricing-v1.yaml", "base: api/v1.yaml")
    edit(example, "revision: release/pricing-v2.yaml", "revision: api/v2.yaml")
    err = _refused(example, tmp_path)
    assert "documents.pricing" in err and "OpenAPI" in err and "pricing" in err


def test_a_kind_that_contradicts_its_key(example: Path, edit: Edit, tmp_path: Path) -> None:
    edit(example, "  terms:\n    base:", "  terms:\n    kind: pricing\n    base:")
    err = _refused(example, tmp_path)
    assert "documents.terms" in err and "kind" in err


def test_a_key_naming_no_kind_needs_kind(example: Path, edit: Edit, tmp_path: Path) -> None:
    edit(example, "  terms:\n    base:", "  legal:\n    base:")
    err = _refused(example, tmp_path)
    assert "documents.legal" in err and "kind:" in err


def test_unknown_keys_get_a_did_you_mean(example: Path, edit: Edit, tmp_path: Path) -> None:
    edit(example, "announcement: release/announcement.md", "anouncement: release/announcement.md")
    err = _refused(example, tmp_path)
    assert "anouncement" in err and "did you mean 'announcement'" in err


def test_unknown_keys_inside_a_document(example: Path, edit: Edit, tmp_path: Path) -> None:
    edit(example, "revision: api/v2.yaml", "revison: api/v2.yaml")
    err = _refused(example, tmp_path)
    assert "documents.api.revison" in err and "did you mean 'revision'" in err


def test_missing_impact_data_names_its_key(example: Path, edit: Edit, tmp_path: Path) -> None:
    edit(example, "usage: usage.jsonl", "usage: usage-2026.jsonl")
    err = _refused(example, tmp_path)
    assert "impact.usage" in err and "usage-2026.jsonl" in err


def test_the_api_raises_a_typed_error(example: Path, edit: Edit) -> None:
    edit(example, "announced: 2026-03-02", "announced: March 2nd")
    with pytest.raises(InputError) as caught:
        trustguard.release(example)
    assert caught.value.file == str(example)
    assert "announced" in caught.value.message


def test_schema_release_describes_the_file() -> None:
    proc = run_cli("schema", "release")
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    assert {"name", "announced", "effective", "announcement", "documents", "impact"} <= set(schema["properties"])
    assert set(schema["required"]) == {"name", "announcement", "documents"}
