"""Speed of the OpenAPI pipeline on real specs, against json.load measured in the same run.

    python bench/bench_api.py                    # stripe-6mo and github-6wk
    python bench/bench_api.py --pair stripe-12d  # any pair of ../shared/corpus/api/pairs.tsv
    python bench/bench_api.py --instructions     # and instruction counts (valgrind; minutes)

For each pair, in a fresh child process (so that ru_maxrss is that pair's alone), prints
the best of 7 wall times of: json.load of both files (the baseline), trustguard.load of
each file alone (load only), trustguard.diff of the two loaded documents, trustguard.diff
of the two files (read, load the pair, diff: the issue's "diff the pairs"),
trustguard.check of the two files (the same, then the rules and the verdict: the CI gate),
and their ratio to the baseline (target: <= 5x json.load); then the peak memory
(tracemalloc during one check, and the child's max RSS), and the time of
Document.position for thousands of pointers. A failing stage is reported, not fatal.
With --instructions, each of json.load, diff and check is also counted in instructions
per run under callgrind, a figure that does not move with the machine's load.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import re
import resource
import shutil
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "api"
DEFAULT_PAIRS = ("stripe-6mo", "github-6wk")
RUNS = 7  # best of: the machine is shared, and the minimum is the least disturbed run


def _clock(fn: Callable[[], Any]) -> float:
    gc.collect()  # no collection owed by the run before (trustguard pauses the collector)
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


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


def _diff_loaded(trustguard: Any, base: Path, revision: Path) -> float:
    """The diff alone, of documents loaded outside the clock (fresh: no position looked up yet)."""
    pair = trustguard.load(base), trustguard.load(revision)
    gc.collect()
    start = time.perf_counter()
    trustguard.diff(*pair)
    return time.perf_counter() - start


def run_pair(name: str) -> None:
    import trustguard

    base, revision = pairs()[name]
    size = (base.stat().st_size + revision.stat().st_size) / 1e6
    print(f"== {name}: {base.name} -> {revision.name} ({size:.1f} MB)")
    stages: dict[str, Callable[[], float]] = {
        "json.load": lambda: _clock(lambda: json_load_both(base, revision)),
        "load": lambda: _clock(lambda: (trustguard.load(base), trustguard.load(revision))),
        "diff-loaded": lambda: _diff_loaded(trustguard, base, revision),
        "diff-files": lambda: _clock(lambda: trustguard.diff(base, revision)),
        "check": lambda: _clock(lambda: trustguard.check(base, revision, fail_on="none")),
    }
    # Round after round, each stage once, the baseline among them: every figure and the
    # baseline see the same state of the process and of the (shared) machine, and nothing
    # a run builds outlives it. The best run of each stage is kept.
    best: dict[str, float] = {}
    failed: dict[str, str] = {}
    for _ in range(RUNS):
        for stage, run in stages.items():
            if stage in failed:
                continue
            try:
                best[stage] = min(best.get(stage, float("inf")), run())
            except Exception as exc:  # an unfinished stage is reported, not fatal
                failed[stage] = f"{type(exc).__name__}: {str(exc)[:200]}"
    baseline = best["json.load"]
    changes = trustguard.diff(base, revision) if "diff-files" not in failed else []
    report = trustguard.check(base, revision, fail_on="none") if "check" not in failed else None
    lines = {
        "json.load": ("json.load (both)", ""),
        "load": ("load (each alone)", ""),
        "diff-loaded": ("diff (loaded docs)", f"{len(changes)} changes ({sum(c.weight for c in changes)} per operation)"),
        "diff-files": ("diff (files->changes)", "(target <= 5x)"),
        "check": ("check (+rules, verdict)", "(target <= 5x)   " + (
            f"{len(report.findings)} findings ({report.summary.findings} per operation)" if report else "")),
    }
    for stage, (label, tail) in lines.items():
        if stage in failed:
            print(f"  {label:23s} failed: {failed[stage]}")
        elif stage == "json.load":
            print(f"  {label:23s}{baseline:8.3f} s")
        else:
            print(f"  {label:23s}{best[stage]:8.3f} s   {best[stage] / baseline:5.1f}x json.load   {tail}")
    tracemalloc.start()
    try:
        trustguard.check(base, revision, fail_on="none")
    except Exception:
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak memory            {peak / 2**20:8.1f} MB (tracemalloc, one check)   "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB max RSS (this process)")
    pointers = pointers_of(trustguard.load(revision))

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


def drive(name: str, stage: str, runs: int) -> None:
    """Run one stage ``runs`` times (the body measured by ``--instructions``)."""
    import trustguard

    base, revision = pairs()[name]
    work: dict[str, Callable[[], Any]] = {
        "json.load": lambda: json_load_both(base, revision),
        "diff-files": lambda: trustguard.diff(base, revision),
        "check": lambda: trustguard.check(base, revision, fail_on="none"),
    }
    for _ in range(runs):
        gc.collect()
        work[stage]()


def instructions(name: str) -> None:
    """Instructions per run of each stage, counted by callgrind: the same figure whatever
    else the machine does (wall times here vary by a third from run to run). A run is the
    difference between a process doing it three times and one doing it once, halved, so
    start-up and imports drop out."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("  instructions           valgrind not found")
        return

    def count(stage: str, runs: int) -> int:
        proc = subprocess.run(
            [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
             "--drive", stage, str(runs), "--pair", name],
            capture_output=True, text=True, check=False)
        found = re.search(r"Collected : (\d+)", proc.stderr)
        if proc.returncode != 0 or found is None:
            raise RuntimeError(proc.stderr.strip().splitlines()[-1:] or "callgrind failed")
        return int(found.group(1))

    per_run: dict[str, float] = {}
    for stage in ("json.load", "diff-files", "check"):
        per_run[stage] = (count(stage, 3) - count(stage, 1)) / 2
    baseline = per_run["json.load"]
    print(f"== {name}: instructions per run (callgrind)")
    for stage, label in (("json.load", "json.load (both)"), ("diff-files", "diff (files->changes)"),
                         ("check", "check (+rules, verdict)")):
        ratio = "" if stage == "json.load" else f"   {per_run[stage] / baseline:5.2f}x json.load"
        print(f"  {label:23s}{per_run[stage] / 1e6:8.0f} M{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pair", action="append", help="a pair name of pairs.tsv (repeatable)")
    parser.add_argument("--instructions", action="store_true",
                        help="also count instructions per stage under valgrind (slow: minutes per pair)")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--drive", nargs=2, metavar=("STAGE", "RUNS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    names = args.pair or list(DEFAULT_PAIRS)
    if args.drive:
        drive(names[0], args.drive[0], int(args.drive[1]))
        return
    if args.in_process:
        for name in names:
            run_pair(name)
        return
    if args.instructions:
        for name in names:
            subprocess.run([sys.executable, __file__, "--in-process", "--pair", name], check=False)
            try:
                instructions(name)
            except RuntimeError as exc:
                print(f"  instructions           failed: {exc}")
        return
    for name in names:  # one child per pair: ru_maxrss is per process
        subprocess.run([sys.executable, __file__, "--in-process", "--pair", name], check=False)


if __name__ == "__main__":
    main()
