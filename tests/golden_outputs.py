"""The golden outputs: every report format, for the real corpus pairs and the examples.

A refactor must not change what a user sees. For each pair below, ``outputs`` renders
the report in every format (and the JSON with the changes, as ``trustguard diff`` gives
it); tests/golden/*.json hold the sha256 of each output (and, for the examples, the
whole JSON report), and tests/test_golden.py compares. A change that is meant to alter
output regenerates them with one command, and says so in its commit:

    python tests/golden/regenerate.py            # every group the corpus allows
    python tests/golden/regenerate.py examples   # one group (examples, api, pricing, terms)

The run is pinned: a fixed ``today`` (sunsets, waiver expiry), the default policy (no
config file is searched for), and paths relative to a fixed folder (the corpus root, or
the repository for the examples), so the digests do not depend on the checkout.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import corpus

from trustguard.api import check
from trustguard.model import Report
from trustguard.report import render

GOLDEN = corpus.ROOT / "tests" / "golden"
TODAY = "2026-01-01"
REGENERATE = "python tests/golden/regenerate.py"
GROUPS = ("examples", "api", "pricing", "terms")
CORPUS_GROUPS = ("api", "pricing", "terms")


@dataclass(frozen=True)
class Case:
    """One pair: ``base`` and ``revision`` relative to ``folder``; ``inputs``: impact inputs."""

    group: str
    name: str
    folder: Path
    base: str
    revision: str
    inputs: dict[str, str] = field(default_factory=dict)


# (name, keyword arguments of render): what a user can ask for
FORMATS: tuple[tuple[str, dict[str, object]], ...] = (
    ("text", {}),
    ("text-verbose", {"verbose": True}),
    ("text-color", {"color": True}),
    ("json", {}),
    ("json-per-operation", {"per_operation": True}),
    ("markdown", {}),
    ("markdown-unbudgeted", {"budget": None}),
    ("html", {}),
    ("sarif", {}),
    ("junit", {}),
    ("github", {}),
    ("codequality", {}),
)


def _example_cases() -> list[Case]:
    root = corpus.ROOT
    impact = {"customers": "examples/customers.csv", "usage": "examples/usage.jsonl",
              "integrations": "examples/integrations.yaml", "contracts": "examples/pacts"}
    return [
        Case("examples", "api", root, "examples/api/v1.yaml", "examples/api/v2.yaml"),
        Case("examples", "api-impact", root, "examples/api/v1.yaml", "examples/api/v2.yaml", impact),
        Case("examples", "pricing", root, "examples/pricing/old.yaml", "examples/pricing/new.yaml"),
        Case("examples", "pricing-impact", root, "examples/pricing/old.yaml", "examples/pricing/new.yaml",
             {"customers": "examples/pricing/customers.csv"}),
        Case("examples", "terms", root, "examples/terms/old.md", "examples/terms/new.md"),
    ]


def _api_cases() -> list[Case]:
    with (corpus.CORPUS / "api" / "pairs.tsv").open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [Case("api", row["name"], corpus.CORPUS, f"api/{row['base']}", f"api/{row['revision']}") for row in rows]


def _successive(group: str, pattern: str) -> list[Case]:
    cases = []
    for folder in sorted(p for p in (corpus.CORPUS / group).glob(pattern) if p.is_dir()):
        versions = sorted(f for f in folder.iterdir() if f.suffix in (".yml", ".md"))
        for old, new in itertools.pairwise(versions):
            rel = folder.relative_to(corpus.CORPUS).as_posix()
            name = f"{folder.relative_to(corpus.CORPUS / group).as_posix()}:{old.stem}->{new.stem}"
            cases.append(Case(group, name, corpus.CORPUS, f"{rel}/{old.name}", f"{rel}/{new.name}"))
    return cases


def cases(group: str) -> list[Case]:
    """The pairs of one group; the corpus groups are empty without the corpus."""
    if group == "examples":
        return _example_cases()
    if not corpus.PRESENT:
        return []
    if group == "api":
        return _api_cases()
    return _successive(group, "*" if group == "pricing" else "*/*")


@contextlib.contextmanager
def _in(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def report_of(case: Case, include_changes: bool = False) -> Report:
    with _in(case.folder):
        return check(case.base, case.revision, today=TODAY, include_changes=include_changes,
                     **case.inputs)  # type: ignore[arg-type]


def outputs(case: Case) -> dict[str, str]:
    """Every output of one pair, by format name (rendered in the pair's folder)."""
    with _in(case.folder):
        full = check(case.base, case.revision, today=TODAY, include_changes=True,
                     **case.inputs)  # type: ignore[arg-type]
        report = full.model_copy(update={"changes": None})
        out = {name: render(report, fmt.split("-")[0], **options)  # type: ignore[arg-type]
               for name, options in FORMATS for fmt in [name]}
        out["json-changes"] = render(full, "json")
    return out


def record(case: Case) -> dict[str, object]:
    """What tests/golden keeps of one pair: a summary a reader can compare at a glance,
    and the digest of each output."""
    out = outputs(case)
    summary = json.loads(out["json"])["summary"]
    entry: dict[str, object] = {
        "base": case.base, "revision": case.revision,
        "verdict": json.loads(out["json"])["verdict"],
        "changes": summary["changes"], "findings": summary["findings"],
        "sha256": {name: _digest(text) for name, text in sorted(out.items())},
    }
    if case.inputs:
        entry["inputs"] = dict(sorted(case.inputs.items()))
    return entry


def path_of(group: str) -> Path:
    return GOLDEN / f"{group}.json"


def full_report_path(case: Case) -> Path:
    """The examples keep their whole JSON report too: a reviewer sees what changed."""
    return GOLDEN / "examples" / f"{case.name}.json"


def stored(group: str) -> dict[str, dict[str, object]]:
    path = path_of(group)
    if not path.exists():
        return {}
    data: dict[str, dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def write(group: str) -> int:
    """Regenerate one group; how many pairs it holds."""
    entries = {case.name: record(case) for case in cases(group)}
    path_of(group).write_text(json.dumps(entries, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if group == "examples":
        (GOLDEN / "examples").mkdir(exist_ok=True)
        for case in cases(group):
            full_report_path(case).write_text(outputs(case)["json-changes"], encoding="utf-8")
    return len(entries)
