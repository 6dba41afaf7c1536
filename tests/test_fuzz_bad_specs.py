"""Broken specs, made by breaking good ones at random places: trustguard either judges
them or refuses them with a TrustguardError (exit 2 from the CLI) — never another
exception, in loading, diffing, judging or rendering any format.

Seeded, so a failure is reproducible: the case's seed is in the test id. The junk
values are the kinds that found bugs (a mapping where a word was expected, a list of
mappings where names were expected, a $ref where none can be).
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import trustguard
from trustguard.report import FORMATS

ROOT = Path(__file__).resolve().parent.parent
SPECS = [ROOT / "examples" / "api" / "v1.yaml", ROOT / "examples" / "api" / "v2.yaml",
         ROOT / "tests" / "data" / "core" / "base.yaml", ROOT / "tests" / "data" / "load" / "swagger.yaml"]
CASES = 200

JUNK: list[Any] = [
    None, True, 0, -1, 1.5, "", "x", "2020-01-01", "#/components/schemas/X",
    [], [1], [None], [{}], [[1]], {}, {"a": [{}]},
    {"$ref": "#/nope"}, {"$ref": 3}, {"$ref": "#/paths"}, {"$ref": "http://example.com/x.yaml"},
    {"type": 5}, {"type": ["string", {}]}, {"properties": []}, {"properties": {"a": 1}}, {"items": "a"},
    {"required": "a"}, {"required": [{}]}, {"enum": {}}, {"enum": [{}, [1]]}, {"oneOf": {}}, {"allOf": [1]},
    {"pattern": {}}, {"format": []}, {"x-sunset": 5}, {"deprecated": "yes"}, {"x-stability-level": {}},
    {"in": "query"}, {"name": 5, "in": "query"}, {"content": []}, {"schema": []},
]


def _places(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _places(value, (*path, index))


def _broken(spec: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice([p for p in _places(spec) if p])
        parent: Any = spec
        for token in path[:-1]:
            parent = parent[token]
        if rng.random() < 0.75:
            parent[path[-1]] = copy.deepcopy(rng.choice(JUNK))
        else:
            del parent[path[-1]]
    return spec


def _specs() -> list[dict[str, Any]]:
    return [yaml.safe_load(path.read_text(encoding="utf-8")) for path in SPECS]


@pytest.mark.parametrize("seed", range(CASES))
def test_a_broken_spec_is_judged_or_refused_never_a_crash(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    good = rng.choice(_specs())
    bad = _broken(good, rng)
    suffix = rng.choice((".json", ".yaml"))  # the JSON reader and the YAML reader
    for name, spec in (("good", good), ("bad", bad)):
        text = json.dumps(spec, indent=2) if suffix == ".json" else yaml.safe_dump(spec, sort_keys=False)
        (tmp_path / (name + suffix)).write_text(text, encoding="utf-8")
    for base, revision in (("good" + suffix, "bad" + suffix), ("bad" + suffix, "good" + suffix)):
        try:
            report = trustguard.check(tmp_path / base, tmp_path / revision, fail_on="none")
        except trustguard.TrustguardError as error:
            assert str(error).strip(), "a refusal says why"
            continue
        for fmt in FORMATS:
            assert trustguard.render(report, fmt)
    # and as dicts handed to the API, which take another path through the loader
    try:
        trustguard.check(good, bad, fail_on="none")
    except trustguard.TrustguardError:
        pass
