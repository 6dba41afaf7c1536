"""Run trustguard over oasdiff's conformance corpus (../shared/corpus/oasdiff), or over
the sample of it copied into tests/data/oasdiff.

Usable as a module (the tests) and as a script that prints every failing case:
    python tests/conformance.py [-v] [NAME_SUBSTRING]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import corpus

import trustguard

CORPUS = corpus.CORPUS / "oasdiff"
SAMPLE = corpus.DATA / "oasdiff"
LEVEL_RANK = {"INFO": 0, "WARN": 1, "ERR": 2}
SEVERITY_LEVEL = {"blocker": "ERR", "major": "ERR", "minor": "WARN", "info": "INFO"}


def oasdiff_levels(folder: Path = CORPUS) -> dict[str, str]:
    levels = {}
    for line in (folder / "checks.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) >= 2:
            levels[parts[0]] = parts[1]
    return levels


def load_cases(folder: Path = CORPUS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "cases.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Outcome:
    case: dict[str, Any]
    passed: bool
    got: list[tuple[str, str | None]] = field(default_factory=list)
    reason: str = ""
    error: str | None = None

    @property
    def expects_breaking(self) -> bool:
        return any(e["level"] in ("ERR", "WARN") for e in self.case["expected"])


def _same_operation(expected: str, got: str | None) -> bool:
    if got is None:
        return False
    if expected == got:
        return True
    from trustguard.diff.openapi import normalize_path

    em, _, ep = expected.partition(" ")
    gm, _, gp = got.partition(" ")
    return em.upper() == gm.upper() and normalize_path(ep) == normalize_path(gp)


def run_case(case: dict[str, Any], levels: dict[str, str], folder: Path = CORPUS) -> Outcome:
    options: dict[str, Any] = {"fail_on": "none"}
    for key, value in (case.get("options") or {}).items():
        options[key] = value
    try:
        report = trustguard.check(folder / case["base"], folder / case["revision"], **options)
    except trustguard.TrustguardError as exc:
        return Outcome(case, False, error=str(exc), reason="error")
    min_rank = LEVEL_RANK[case["min_level"]]
    scope = set(case["check_scope"]) if case.get("check_scope") else None
    got: list[tuple[str, str | None]] = []
    for finding in report.per_operation():
        level = levels.get(finding.rule) or SEVERITY_LEVEL[finding.severity.value]
        if LEVEL_RANK[level] < min_rank:
            continue
        if scope is not None and finding.rule not in scope:
            continue
        got.append((finding.rule, finding.operation))
    remaining = list(got)
    for exp in case["expected"]:
        match = None
        for index, (rule, op) in enumerate(remaining):
            if rule == exp["id"] and ("operation" not in exp or _same_operation(exp["operation"], op)):
                match = index
                break
        if match is None:
            return Outcome(case, False, got, reason=f"missing {exp['id']} {exp.get('operation', '')}".strip())
        remaining.pop(match)
    if case.get("exact") and remaining:
        return Outcome(case, False, got, reason=f"unexpected {sorted({r for r, _ in remaining})}")
    if case.get("count") is not None and len(got) != case["count"]:
        return Outcome(case, False, got, reason=f"count {len(got)} != {case['count']}")
    absent = [rule for rule, _ in got if rule in set(case.get("absent") or [])]
    if absent:
        return Outcome(case, False, got, reason=f"absent ids present {sorted(set(absent))}")
    return Outcome(case, True, got)


def run_all(filter_text: str = "", folder: Path = CORPUS) -> list[Outcome]:
    levels = oasdiff_levels(folder)
    return [run_case(c, levels, folder) for c in load_cases(folder) if filter_text in c["name"]]


def rates(outcomes: list[Outcome]) -> tuple[float, float, int, int]:
    breaking = [o for o in outcomes if o.expects_breaking]
    all_rate = sum(o.passed for o in outcomes) / len(outcomes)
    breaking_rate = sum(o.passed for o in breaking) / len(breaking) if breaking else 1.0
    return breaking_rate, all_rate, len(breaking), len(outcomes)


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    outcomes = run_all(args[0] if args else "")
    reasons: Counter[str] = Counter()
    for o in outcomes:
        if not o.passed:
            reasons[o.reason.split(" ")[0] + " " + (o.reason.split(" ")[1] if " " in o.reason else "")] += 1
            print(f"FAIL {o.case['name']}: {o.error or o.reason}")
            if verbose:
                print(f"     {o.case['base']} -> {o.case['revision']}")
                print(f"     expected {[(e['id'], e.get('operation')) for e in o.case['expected']]} exact={o.case.get('exact')} count={o.case.get('count')} min={o.case['min_level']}")
                print(f"     got      {o.got}")
    b, a, nb, na = rates(outcomes)
    print(f"ERR/WARN cases: {b:.1%} of {nb}; all cases: {a:.1%} of {na}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
