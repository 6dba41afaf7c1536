"""Benchmark: diff and classify a ~20,000-word terms pair built from the real corpus.

The base is the older half of each service's versions concatenated, the revision the
newer half, so the pair holds real rewrites, moves and new sections. Prints wall time
and peak Python memory for load, diff+classify and the full check, plus a baseline
(difflib over the same lines) measured in the same run. Target: under 1 s.

    python bench/bench_terms.py
"""

from __future__ import annotations

import difflib
import time
import tracemalloc
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

from trustguard.api import check
from trustguard.diff.terms import diff_terms
from trustguard.load.terms import load_terms

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "terms"
TARGET_WORDS = 20_000


def build_pair() -> tuple[str, str]:
    base: list[str] = []
    revision: list[str] = []
    words = 0
    for folder in sorted(p for p in CORPUS.glob("*/*") if p.is_dir()):
        versions = sorted(folder.glob("*.md"))
        for old, new in pairwise(versions):
            if words >= TARGET_WORDS:
                break
            old_text = old.read_text(encoding="utf-8")
            base.append(old_text)
            revision.append(new.read_text(encoding="utf-8"))
            words += len(old_text.split())
    return "\n\n".join(base), "\n\n".join(revision)


def measure(label: str, fn: Callable[[], Any], repeat: int = 3) -> Any:
    result = None
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:38} {best * 1000:8.1f} ms   peak {peak / 1_048_576:6.1f} MiB")
    return result


def main() -> None:
    old_text, new_text = build_pair()
    print(f"pair: {len(old_text.split()):,} words -> {len(new_text.split()):,} words "
          f"({len(old_text) // 1024} KiB -> {len(new_text) // 1024} KiB)")
    old_doc = {"text": old_text, "name": "base.md"}
    new_doc = {"text": new_text, "name": "revision.md"}
    measure("baseline: difflib.unified_diff (lines)",
            lambda: list(difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), lineterm="")))
    base = measure("load base (tree + sentences)", lambda: load_terms(old_doc))
    revision = load_terms(new_doc)
    changes = measure("diff + classify", lambda: diff_terms(base, revision))
    report = measure("check (load, diff, classify, rules)", lambda: check(old_doc, new_doc, kind="terms"))
    print(f"{len(changes)} changes, {len(report.findings)} findings "
          f"({', '.join(f'{n} {s}' for s, n in sorted(report.summary.by_severity.items()))})")


if __name__ == "__main__":
    main()
