"""Speed and size of the whole `trustguard check` command, as a user runs it, per format.

    python bench/bench_cli.py                        # stripe-6mo, stripe-6mo-yaml, github-6wk
    python bench/bench_cli.py --pair stripe-6mo      # one pair of ../shared/corpus/api/pairs.tsv
    python bench/bench_cli.py --repeat 3 --format json --format text

Each measurement is a fresh child process: `trustguard check BASE REV -f FORMAT --fail-on
none -o FILE` (the interpreter start, imports, load, diff, rules, render and write), and,
in the same run, the floor: a `python -c` that only parses both files (json.loads, or
libyaml's CSafeLoader for YAML). For each, the best and the median wall time of --repeat
runs, the peak RSS (the child's ru_maxrss, from wait4), the ratio of the best time to the
floor's best, and the size of the output file; and the child's least CPU time (user +
system, from wait4) with its ratio to the floor's, which other load on a shared machine
disturbs far less than the wall time. `trustguard --help` is measured the same way.
A benchmark to read, never a timed test: the machine is shared, so the best run is the
least disturbed one.

Each command runs once untimed first, and the children run without
PYTHONDONTWRITEBYTECODE: as in a user's installation (pip compiles the modules it
installs), the modules are compiled once, not on every run (an editable checkout in an
environment that sets it recompiles every module of trustguard per run: ~0.08 s of a check).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "api"
DEFAULT_PAIRS = ("stripe-6mo", "stripe-6mo-yaml", "github-6wk")
FORMATS = ("text", "json", "sarif", "markdown", "html", "junit", "github")

FLOOR_JSON = "import json,sys\nfor p in sys.argv[1:]:\n    json.loads(open(p,'rb').read())\n"
FLOOR_YAML = ("import sys,yaml\nfor p in sys.argv[1:]:\n"
              "    yaml.load(open(p,'rb').read(), Loader=yaml.CSafeLoader)\n")


def pairs() -> dict[str, tuple[Path, Path]]:
    with (CORPUS / "pairs.tsv").open(newline="") as handle:
        return {row["name"]: (CORPUS / row["base"], CORPUS / row["revision"])
                for row in csv.DictReader(handle, delimiter="\t")}


# the children's environment: modules compiled once, as installed (see the docstring)
CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def run_once(argv: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one fresh child process running ``argv``."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=CHILD_ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {err.strip()[-500:]}")
    # ru_maxrss is in kilobytes on Linux
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


class Measured(NamedTuple):
    best: float  # wall seconds
    median: float
    cpu: float  # the least CPU seconds of a run
    rss: float  # the most MB of a run


def measure(argv: list[str], repeat: int) -> Measured:
    """Over ``repeat`` fresh runs, after one untimed run."""
    run_once(argv)  # compiles what is not compiled yet, and reads the inputs into the page cache
    times, cpus, rss = [], [], 0.0
    for _ in range(repeat):
        wall, cpu, peak = run_once(argv)
        times.append(wall)
        cpus.append(cpu)
        rss = max(rss, peak)
    return Measured(min(times), statistics.median(times), min(cpus), rss)


def row(label: str, m: Measured, floor: Measured | None, size: int | None) -> str:
    ratio = f"{m.best / floor.best:6.1f}x" if floor else "       "
    cpu_ratio = f"{m.cpu / floor.cpu:6.1f}x" if floor else "       "
    shown = f"{size / 1e6:8.2f} MB" if size is not None else " " * 11
    return (f"  {label:<22} best {m.best:6.3f} s  median {m.median:6.3f} s {ratio}  cpu {m.cpu:6.3f} s {cpu_ratio}"
            f"  rss {m.rss:7.1f} MB  out {shown}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pair", action="append", help="a pair of pairs.tsv (repeatable; default: %(default)s)")
    parser.add_argument("--format", action="append", choices=FORMATS, help="a format (repeatable; default: all)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (default: 5)")
    parser.add_argument("--per-operation", action="store_true", help="also time -f json --per-operation")
    args = parser.parse_args()
    known = pairs()
    names = args.pair or list(DEFAULT_PAIRS)
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown pair(s) {', '.join(unknown)} (see {CORPUS / 'pairs.tsv'})")
    formats = args.format or list(FORMATS)
    py = sys.executable
    tg = [py, "-m", "trustguard"]

    print(f"trustguard --help (best of {args.repeat})")
    print(row("--help", measure([*tg, "--help"], args.repeat), None, None))
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        for name in names:
            base, revision = known[name]
            yaml_pair = base.suffix in (".yaml", ".yml")
            floor_code = FLOOR_YAML if yaml_pair else FLOOR_JSON
            print(f"\n{name}: {base.name} -> {revision.name} (best/median of {args.repeat}, fresh process each)")
            floor = measure([py, "-c", floor_code, str(base), str(revision)], args.repeat)
            print(row("floor (" + ("CSafeLoader" if yaml_pair else "json.loads") + ")", floor, floor, None))
            runs = [(fmt, [fmt]) for fmt in formats]
            if args.per_operation and "json" in formats:
                runs.append(("json --per-operation", ["json", "--per-operation"]))
            for label, fmt_args in runs:
                out = Path(tmp) / f"{name}.{label.replace(' ', '_')}"
                argv = [*tg, "check", str(base), str(revision), "--fail-on", "none", "-o", str(out), "-f", *fmt_args]
                try:
                    measured = measure(argv, args.repeat)
                except RuntimeError as exc:
                    print(f"  {label:<22} failed: {exc}")
                    continue
                print(row(label, measured, floor, out.stat().st_size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
