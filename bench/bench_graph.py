"""Benchmark: the impact graph at 100,000 customers -- built, queried, completed and
exported (--graph-out), with the time of each step and the peak memory.

Uses bench_impact_graph.py's synthetic company (100k customers, 500 operations, 200
integrations, 10 Pact contracts) and a usage log of N lines (default 1M):

    python bench/bench_graph.py [LINES]
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_impact_graph import make_spec, write_inputs

from trustguard.impact import build_api_graph
from trustguard.impact.graph import complete, write_graph
from trustguard.impact.reach import reach
from trustguard.impact.selector import Selector


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    folder = Path(tempfile.gettempdir()) / "trustguard-bench-impact"
    folder.mkdir(exist_ok=True)
    inputs = write_inputs(folder, lines)
    spec = make_spec()
    t0 = time.perf_counter()
    g = build_api_graph(spec, spec, inputs)
    t1 = time.perf_counter()
    print(f"build (read {lines:,} lines, 100k customers, contracts): {t1 - t0:6.2f} s  peak {rss_mb():7.0f} MB")
    ops = sorted(g.router.labels)
    t2 = time.perf_counter()
    reached = sum(len(reach(g, Selector("operation", op)).customers) for op in ops)
    field = sum(len(reach(g, Selector("field", op, "response", "200", "f1")).customers) for op in ops)
    t3 = time.perf_counter()
    print(f"reach of all {len(ops)} operations, operation + field level ({reached:,} + {field:,} customer hits): "
          f"{t3 - t2:6.2f} s  peak {rss_mb():7.0f} MB")
    G = complete(g)
    t4 = time.perf_counter()
    print(f"complete graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges: {t4 - t3:6.2f} s  "
          f"peak {rss_mb():7.0f} MB")
    for suffix in (".json", ".graphml"):
        target = folder / f"graph{suffix}"
        t5 = time.perf_counter()
        write_graph(g, target)
        t6 = time.perf_counter()
        print(f"write {suffix:8s} {os.path.getsize(target) / 1e6:7.1f} MB: {t6 - t5:6.2f} s  peak {rss_mb():7.0f} MB")


if __name__ == "__main__":
    main()
