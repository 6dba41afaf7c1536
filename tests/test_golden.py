"""Every report format stays byte-identical for the real pairs and the examples.

The digests in tests/golden/ were rendered by tests/golden_outputs.py; a change that
alters what a user sees fails here, naming the pair and the formats. When the change is
intended, regenerate (``python tests/golden/regenerate.py``) and say so in the commit.
"""

from __future__ import annotations

import difflib
import json

import corpus
import golden_outputs as golden
import pytest

HOW = f"if the change is intended, run `{golden.REGENERATE}` and name it in the commit message"


def _params() -> list[object]:
    out: list[object] = []
    for group in golden.GROUPS:
        marks = () if group == "examples" else (pytest.mark.corpus,)
        out.extend(pytest.param(case, id=f"{group}/{case.name}", marks=marks) for case in golden.cases(group))
    return out


@pytest.mark.parametrize("case", _params())
def test_outputs_match_the_golden_digests(case: golden.Case) -> None:
    expected = golden.stored(case.group).get(case.name)
    assert expected is not None, f"{case.group}/{case.name} has no golden outputs: {HOW}"
    actual = golden.record(case)
    changed = [name for name, digest in actual["sha256"].items()  # type: ignore[union-attr]
               if expected["sha256"].get(name) != digest]  # type: ignore[union-attr]
    missing = sorted(set(expected["sha256"]) - set(actual["sha256"]))  # type: ignore[arg-type]
    summary = {k: (expected.get(k), actual.get(k)) for k in ("verdict", "changes", "findings")
               if expected.get(k) != actual.get(k)}
    assert not changed and not missing, (
        f"{case.group}/{case.name} ({case.base} -> {case.revision}): output changed in "
        f"{', '.join(changed) or '-'}; formats no longer rendered: {', '.join(missing) or '-'}; "
        f"summary (golden, now): {summary or 'unchanged'}. {HOW}"
    )


@pytest.mark.parametrize("case", golden.cases("examples"), ids=lambda c: c.name)
def test_example_reports_match_in_full(case: golden.Case) -> None:
    # the examples keep their whole JSON report: a mismatch shows the lines that moved
    path = golden.full_report_path(case)
    assert path.exists(), f"no {path.relative_to(corpus.ROOT)}: {HOW}"
    expected = path.read_text(encoding="utf-8")
    actual = golden.outputs(case)["json-changes"]
    if actual != expected:
        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                                 "golden", "now", n=2))[:60])
        pytest.fail(f"examples/{case.name}: the JSON report changed ({HOW}):\n{diff}")


@pytest.mark.parametrize("group", [pytest.param(g, marks=() if g == "examples" else pytest.mark.corpus)
                                   for g in golden.GROUPS])
def test_the_golden_files_list_exactly_the_pairs(group: str) -> None:
    # a pair added to or gone from the corpus, or a stale entry, is regenerated, not ignored
    assert sorted(golden.stored(group)) == sorted(c.name for c in golden.cases(group)), HOW


def test_a_changed_output_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # the comparison itself: one altered format of one example is reported by name
    case = golden.cases("examples")[0]
    real = golden.outputs

    def altered(c: golden.Case) -> dict[str, str]:
        out = real(c)
        out["sarif"] = json.dumps(json.loads(out["sarif"]) | {"extra": 1})
        return out

    monkeypatch.setattr(golden, "outputs", altered)
    with pytest.raises(AssertionError, match=r"examples/api .*output changed in sarif; .*regenerate\.py"):
        test_outputs_match_the_golden_digests(case)
