"""Every spec of the real-world corpus loads, and the small ones pass the opt-in validator
(and so do the oasdiff specs copied into tests/data, without the corpus)."""

from __future__ import annotations

import csv

import corpus
import pytest

import trustguard

CORPUS = corpus.CORPUS / "api"
SAMPLE = [str(corpus.DATA / "oasdiff" / "specs" / name) for name in ("openapi-test1.yaml", "openapi-test3.yaml")]


def _specs() -> list[str]:
    with (CORPUS / "pairs.tsv").open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return sorted({row[key] for row in rows for key in ("base", "revision")})


SPECS = corpus.collect(_specs)


def _with_sample(specs: list[str]) -> list[object]:
    # CORPUS / an absolute path is that path: the sample needs no other code path
    return [pytest.param(s, id=s, marks=pytest.mark.corpus) for s in specs] + [
        pytest.param(s, id=s.rsplit("/", 1)[-1]) for s in SAMPLE
    ]


@pytest.mark.parametrize("spec", _with_sample(SPECS))
def test_corpus_spec_loads(spec: str) -> None:
    doc = trustguard.load(CORPUS / spec)
    assert doc.meta["openapi_version"].startswith("3.")
    assert isinstance(doc.data["paths"], dict) and doc.data["paths"]
    # every $ref of the spec resolves (the loader checked them; resolve() agrees)
    first_path = sorted(doc.data["paths"])[0]
    position = doc.position("/paths/" + first_path.replace("~", "~0").replace("/", "~1"))
    assert position is not None and position.line is not None and position.line > 1


@pytest.mark.parametrize("spec", _with_sample([s for s in SPECS if s.startswith("apisguru/")]))
def test_corpus_spec_validates_without_crashing(spec: str) -> None:
    doc = trustguard.load(CORPUS / spec, validate=True)
    assert not any("the validator stopped" in w for w in doc.warnings), doc.warnings[:3]


def _pointers(data: dict[str, object], limit: int = 3000) -> list[str]:
    """Pointers in document order and shuffled: members of big and small objects, array
    items, and a missing last step."""
    import random

    from trustguard.load.parse import join_pointer

    out: list[str] = []
    stack: list[tuple[object, tuple[str, ...]]] = [(data, ())]
    while stack and len(out) < limit:
        node, path = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            out.append(join_pointer(*path, str(key)))
            if isinstance(value, (dict, list)):
                stack.append((value, (*path, str(key))))
        out.append(join_pointer(*path, "no-such-member"))
    random.Random(7).shuffle(out)
    return out


@pytest.mark.corpus
def test_json_positions_found_by_key_order_match_a_full_scan() -> None:
    """The locator searches pretty-printed JSON guided by the parsed keys; it must agree
    with scanning the text container by container."""
    import json

    from trustguard.load.parse import Locator

    text = (CORPUS / "stripe" / "2021-10-19-spec3.json").read_text(encoding="utf-8")
    data = json.loads(text)
    guided, scanning = Locator(text, "json", data), Locator(text, "json")
    pointers = _pointers(data)
    assert len(pointers) > 2000
    assert [guided.position(p) for p in pointers] == [scanning.position(p) for p in pointers]
