"""Speed of the OpenAPI pipeline on real specs, against json.load measured in the same run.

    python bench/bench_api.py                    # stripe-6mo and github-6wk
    python bench/bench_api.py --pair stripe-12d  # any pair of ../shared/corpus/api/pairs.tsv

For each pair, in a fresh child process (so that ru_maxrss is that pair's alone), prints
the best of 3 wall times of: json.load of both files (the baseline), trustguard.load of
both (load only), trustguard.diff of the loaded pair, trustguard.check (load + diff +
classify), and their ratio to the baseline (target: check <= 5x json.load); then the peak memory (tracemalloc during one
check, and the child's max RSS), and the time of Document.position for thousands of
pointers. A failing stage (e.g. an unfinished differ) is reported, not fatal.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "api"
DEFAULT_PAIRS = ("stripe-6mo", "github-6wk")
RUNS = 3


def best_of(fn: Callable[[], Any], runs: int = RUNS) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def pairs() -> dict[str, tuple[Path, Path]]:
    with (CORPUS / "pairs.tsv").open(newline="") as handle:
        return {row["name"]: (CORPUS / row["base"], CORPUS / row["revision"])
                for row in csv.DictReader(handle, delimiter="\t")}


def json_load_both(base: Path, revision: Path) -> None:
    for path in (base, revision):
        with path.open("rb") as handle:
            json.load(handle)


def pointers_of(doc: Any, limit: int = 5000) -> list[str]:
    """Pointers a report would ask for: operations, their responses, and schema properties."""
    from trustguard.load.parse import join_pointer

    out: list[str] = []
    for path, item in sorted(doc.data.get("paths", {}).items()):
        for method, op in sorted(item.items()):
            if isinstance(op, dict) and "responses" in op:
                out.append(join_pointer("paths", path, method))
                out.extend(join_pointer("paths", path, method, "responses", str(code)) for code in sorted(op["responses"]))
    for name, schema in sorted(doc.data.get("components", {}).get("schemas", {}).items()):
        out.extend(join_pointer("components", "schemas", name, "properties", prop)
                   for prop in sorted(schema.get("properties") or {}))
        out.append(join_pointer("components", "schemas", name, "gone"))  # missing last step
    return out[:limit]


def run_pair(name: str) -> None:
    import trustguard

    base, revision = pairs()[name]
    size = (base.stat().st_size + revision.stat().st_size) / 1e6
    print(f"== {name}: {base.name} -> {revision.name} ({size:.1f} MB)")
    baseline, _ = best_of(lambda: json_load_both(base, revision))
    print(f"  json.load (both)       {baseline:8.3f} s")
    load_time, docs = best_of(lambda: (trustguard.load(base), trustguard.load(revision)))
    print(f"  load only (both)       {load_time:8.3f} s   {load_time / baseline:5.1f}x json.load")
    try:
        diff_time, changes = float("inf"), []
        for _ in range(RUNS):  # fresh documents each time: no position looked up yet
            pair = trustguard.load(base), trustguard.load(revision)
            start = time.perf_counter()
            changes = trustguard.diff(*pair)
            diff_time = min(diff_time, time.perf_counter() - start)
        print(f"  diff (fresh docs)      {diff_time:8.3f} s   {diff_time / baseline:5.1f}x json.load   "
              f"{len(changes)} changes ({sum(c.weight for c in changes)} per operation)")
        check_time, report = best_of(lambda: trustguard.check(base, revision, fail_on="none"))
        print(f"  check (load+diff+rules){check_time:8.3f} s   {check_time / baseline:5.1f}x json.load "
              f"(target <= 5x)   {len(report.findings)} findings ({report.summary.findings} per operation)")
    except Exception as exc:
        print(f"  check                  failed: {type(exc).__name__}: {str(exc)[:200]}")
    tracemalloc.start()
    try:
        trustguard.check(base, revision, fail_on="none")
    except Exception:
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak memory            {peak / 2**20:8.1f} MB (tracemalloc, one check)   "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB max RSS (this process)")
    doc = docs[1]
    pointers = pointers_of(doc)

    def locate() -> None:
        fresh = trustguard.load(revision)  # a fresh document: no position cached yet
        start = time.perf_counter()
        for pointer in pointers:
            fresh.position(pointer)
        timings.append(time.perf_counter() - start)

    timings: list[float] = []
    for _ in range(RUNS):
        locate()
    print(f"  positions              {min(timings):8.3f} s for {len(pointers)} pointers "
          f"({min(timings) / max(len(pointers), 1) * 1e6:.0f} us each)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pair", action="append", help="a pair name of pairs.tsv (repeatable)")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    names = args.pair or list(DEFAULT_PAIRS)
    if args.in_process:
        for name in names:
            run_pair(name)
        return
    for name in names:  # one child per pair: ru_maxrss is per process
        subprocess.run([sys.executable, __file__, "--in-process", "--pair", name], check=False)


if __name__ == "__main__":
    main()
