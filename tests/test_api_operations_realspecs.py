"""The real-spec acceptance: every pair of ../shared/corpus/api/pairs.tsv diffs without
error, a spec diffed against itself gives no change, and no change is reported twice
for the same operation and place (recursive schemas included). The oasdiff pair copied
into tests/data runs the same checks when the corpus is absent."""

from __future__ import annotations

from collections import Counter
from functools import cache

import corpus
import pytest

import trustguard
from trustguard.load import Document

CORPUS = corpus.CORPUS / "api"
SAMPLE = corpus.DATA / "oasdiff" / "specs"


def _pairs() -> list[tuple[str, str, str]]:
    lines = (CORPUS / "pairs.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [(p[0], p[1], p[2]) for p in (line.split("\t") for line in lines if line.strip())]


PAIRS = corpus.collect(_pairs)
SPECS = sorted({path for _, base, rev in PAIRS for path in (base, rev)})
# absolute paths: CORPUS / path leaves them as they are
SAMPLE_PAIRS = [
    ("oasdiff-test1-test3", str(SAMPLE / "openapi-test1.yaml"), str(SAMPLE / "openapi-test3.yaml")),
    ("oasdiff-test3-test1", str(SAMPLE / "openapi-test3.yaml"), str(SAMPLE / "openapi-test1.yaml")),
]
ALL_PAIRS = [pytest.param(*pair, id=pair[0], marks=pytest.mark.corpus) for pair in PAIRS] + [
    pytest.param(*pair, id=pair[0]) for pair in SAMPLE_PAIRS
]
ALL_SPECS = [pytest.param(path, id=path, marks=pytest.mark.corpus) for path in SPECS] + [
    pytest.param(path, id=path.rsplit("/", 1)[-1]) for path in sorted({p[1] for p in SAMPLE_PAIRS})
]


@cache
def _load(path: str) -> Document:
    # each spec is loaded once for the whole module: the GitHub one is 11 MB
    return trustguard.load(CORPUS / path)


@pytest.mark.corpus
def test_the_corpus_is_there() -> None:
    assert len(PAIRS) == 16
    assert any(name.startswith("github") for name, _, _ in PAIRS)
    assert any(name.startswith("stripe") for name, _, _ in PAIRS)


@pytest.mark.parametrize("path", ALL_SPECS)
def test_a_spec_against_itself_has_no_change(path: str) -> None:
    doc = _load(path)
    assert trustguard.diff(doc, doc) == []


@pytest.mark.parametrize(("name", "base", "rev"), ALL_PAIRS)
def test_pair_diffs_and_reports_each_change_once(name: str, base: str, rev: str) -> None:
    changes = trustguard.diff(_load(base), _load(rev))
    assert changes, f"{name}: the two versions differ, so some change is expected"
    # the same component may be reached from the request and from each response of
    # an operation: those are different findings; within one of them, a change is once
    # for each operation it reaches (a shared schema's change lists its operations)
    keys = Counter(
        (c.kind, op, c.location, c.subject, repr(c.before), repr(c.after),
         c.facts.get("direction"), c.facts.get("status"), c.facts.get("media_type"), c.facts.get("param_name"))
        for c in changes for op in (c.operations or [None])
    )
    repeated = [key for key, count in keys.items() if count > 1]
    assert repeated == [], f"{name}: {len(repeated)} changes reported more than once, e.g. {repeated[:3]}"
    # and a finding is once per rule, operation and place, whatever path reached it
    report = trustguard.check(_load(base), _load(rev), fail_on="none")
    findings = Counter((f.rule, f.operation, f.location, repr(f.before), repr(f.after), f.facts.get("status"),
                        f.facts.get("media_type"), f.facts.get("param_name")) for f in report.per_operation())
    twice = [key for key, count in findings.items() if count > 1]
    assert twice == [], f"{name}: {len(twice)} findings reported more than once, e.g. {twice[:3]}"
    for change in changes:
        assert change.location.startswith("/") or "#/" in change.location, change
        assert change.operations == sorted(set(change.operations))
        for op in change.operations:
            method, _, path = op.partition(" ")
            assert method.isupper() and (path.startswith("/") or path.startswith("webhook:")), op


@pytest.mark.corpus
def test_github_pair_reports_the_dropped_endpoints_by_their_deprecation() -> None:
    report = trustguard.check(_load("github/2025-10-30-api.github.com.json"),
                              _load("github/2025-12-09-api.github.com.json"))
    by_rule: dict[str, set[str | None]] = {}
    for finding in report.per_operation():
        by_rule.setdefault(finding.rule, set()).add(finding.operation)
    # v22 drops the projects-classic endpoints, which v21 had deprecated ...
    assert "DELETE /projects/{project_id}" in by_rule["api-path-removed-with-deprecation"]
    # ... and some billing endpoints that were not deprecated
    assert "GET /orgs/{org}/settings/billing/actions" in by_rule["api-path-removed-without-deprecation"]
    assert len(by_rule["endpoint-added"]) >= 15
    assert report.verdict.value == "fail"
