"""Every spec of the real-world corpus loads, and the small ones pass the opt-in validator."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import trustguard

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "api"


def _specs() -> list[str]:
    with (CORPUS / "pairs.tsv").open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return sorted({row[key] for row in rows for key in ("base", "revision")})


SPECS = _specs()


@pytest.mark.parametrize("spec", SPECS)
def test_corpus_spec_loads(spec: str) -> None:
    doc = trustguard.load(CORPUS / spec)
    assert doc.meta["openapi_version"].startswith("3.")
    assert isinstance(doc.data["paths"], dict) and doc.data["paths"]
    # every $ref of the spec resolves (the loader checked them; resolve() agrees)
    first_path = sorted(doc.data["paths"])[0]
    position = doc.position("/paths/" + first_path.replace("~", "~0").replace("/", "~1"))
    assert position is not None and position.line is not None and position.line > 1


@pytest.mark.parametrize("spec", [s for s in SPECS if s.startswith("apisguru/")])
def test_corpus_spec_validates_without_crashing(spec: str) -> None:
    doc = trustguard.load(CORPUS / spec, validate=True)
    assert not any("the validator stopped" in w for w in doc.warnings), doc.warnings[:3]
