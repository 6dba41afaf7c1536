"""Usage aggregation at volume: N generated access-log lines over a 100k-customer list.

    python bench/bench_impact.py                 # 1M and 10M lines, DuckDB; the streaming reader at 1M
    python bench/bench_impact.py 1000000         # one size
    python bench/bench_impact.py --end-to-end    # the whole `trustguard check` (the acceptance figure)

Each run is a fresh process (so its peak memory, ru_maxrss, is its own) that calls
trustguard.impact.usage.load_usage end to end: detect the format, read the file, match
paths to operations, resolve customers through the list's API keys (the list handed over
unread, as ``trustguard check`` does: it is read while DuckDB reads the logs). The logs are combined
log lines, the customer named by an API key in the query (``--customer-from query:api_key``),
with the cyclic garbage collector paused as a real run has it (``no_gc_pauses``).
Targets (issue 18): 1M lines <= 2 s, 10M <= 15 s, <= 2 GB. ``cpu_s`` (user + system CPU of
the process, every thread) and ``load`` (the machine's 1-minute load average) are printed
too: on a shared machine the wall time says as much about the neighbours as about trustguard.
``threads`` is how many DuckDB may use (every core, at most 8). ``peak_mib`` stays flat
past the size where every (customer, operation) pair has been seen (``pairs``): DuckDB
counts into groups, not rows, and its own memory is capped (aggregate.MEMORY_LIMIT).

``--end-to-end`` times what a user runs instead: ``trustguard check v1.yaml v2.yaml
--customers customers.csv --usage access.log --customer-from query:api_key``, the revision
removing an operation the logs call and a response field of another, as a fresh process
(wall, CPU of every thread, peak RSS, from wait4), best of ``--repeat`` runs after one
untimed run (the page cache warm, as a CI runner that just wrote its logs has it). Then
one more run of the same command in a child that wraps the impact stage's steps with
timers prints where the time goes (``split``: imports before the command runs, the
customer list, the usage logs, the graph, reach and weighing, and the rest: the diff, the
rules, the report); the wrappers add nothing measurable, but that run is not the timed one.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CUSTOMERS = 100_000
SPEC = {
    "servers": [{"url": "https://api.example.com/v1"}],
    "paths": {"/orders": {"get": {}, "post": {}}, "/orders/{id}": {"get": {}, "delete": {}},
              "/orders/export": {"get": {}}, "/customers/{id}/invoices": {"get": {}},
              "/products/{sku}": {"get": {}, "put": {}}, "/reports/daily": {"get": {}},
              "/files/{name}.json": {"get": {}}, "/files/{name}": {"get": {}}},
}


def generate(folder: Path, lines: int) -> tuple[Path, Path]:
    import duckdb

    customers = folder / "customers.csv"
    log = folder / f"access-{lines}.log"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT 'c' || i AS id, 'k' || i AS api_keys, (i % 500) AS monthly_revenue "
                f"FROM range({CUSTOMERS}) t(i)) TO '{customers}' (HEADER, DELIMITER ',')")
    # paths: ids as digits, a few literal routes, some unmatched; ~1% of keys unknown
    con.execute(f"""COPY (SELECT '10.0.' || (i % 250) || '.' || (i % 7) || ' - - [02/Dec/2026:09:14:01 +0000] "' ||
        (CASE i % 9 WHEN 0 THEN 'POST /v1/orders' WHEN 1 THEN 'GET /v1/orders/export' WHEN 2 THEN 'DELETE /v1/orders/' || (i % 100000)
         WHEN 3 THEN 'GET /v1/customers/' || (i % 1000) || '/invoices' WHEN 4 THEN 'GET /v1/products/' || (i % 5000)
         WHEN 5 THEN 'GET /v1/nope/' || (i % 10) WHEN 6 THEN 'GET /v1/files/r' || (i % 300) || '.json'
         WHEN 7 THEN 'GET /v1/files/r' || (i % 300) || '.csv' ELSE 'GET /v1/orders/' || (i % 100000) END) ||
        '?api_key=k' || (hash(i) % {CUSTOMERS + 1000}) || ' HTTP/1.1" ' || (CASE WHEN i % 50 = 0 THEN 404 ELSE 200 END) ||
        ' 512 "-" "sdk/1.0"' FROM range({lines}) t(i))
        TO '{log}' (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x01')""")
    return customers, log


def one_run(customers: str, log: str, engine: str) -> None:
    from trustguard._runtime import no_gc_pauses
    from trustguard.impact.customers import PendingCustomers
    from trustguard.impact.routes import PathRouter
    from trustguard.impact.usage import load_usage

    with no_gc_pauses():  # as a real run (api.check, api.impact) reads its inputs
        start = time.perf_counter()
        # the list handed over unread, as a run does: DuckDB reads the logs meanwhile
        pending = PendingCustomers(customers)
        data = load_usage(log, PathRouter.from_specs([SPEC]), pending, customer_from="query:api_key", engine=engine)
        done = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss * 1024
    from trustguard.impact.aggregate import THREADS

    print(json.dumps({"engine": engine, "threads": THREADS if engine == "duckdb" else 1, "lines": data.lines + (data.problems.total if data.problems else 0),
                      "total_s": round(done - start, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
                      "load": round(os.getloadavg()[0], 1), "peak_mib": round(peak / 2**20),
                      "requests": data.requests, "unmatched": data.unmatched_requests,
                      "unattributed": data.unattributed_requests, "pairs": len(data.calls)}))


def specs(folder: Path) -> tuple[Path, Path]:
    """SPEC as a base and a revision whose changes reach the logged traffic: DELETE
    /orders/{id} removed (a ninth of the lines call it) and a field removed from the
    response of GET /orders/{id} (another ninth)."""
    import yaml

    order = {"type": "object", "properties": {"id": {"type": "string"}, "total": {"type": "number"},
                                              "note": {"type": "string"}}}
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": order}}}}

    def doc(revision: bool) -> dict[str, Any]:
        paths: dict[str, Any] = {}
        for path, methods in SPEC["paths"].items():
            params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                      for n in ("id", "sku", "name") if "{" + n + "}" in path]
            paths[path] = {m: {"operationId": f"{m}{path.replace('/', '_')}", "responses": ok,
                               **({"parameters": params} if params else {})} for m in methods}
        if revision:
            del paths["/orders/{id}"]["delete"]
            slim = {"type": "object", "properties": {"id": {"type": "string"}, "total": {"type": "number"}}}
            paths["/orders/{id}"]["get"]["responses"] = {
                "200": {"description": "ok", "content": {"application/json": {"schema": slim}}}}
        return {"openapi": "3.0.3", "info": {"title": "bench", "version": "2" if revision else "1"},
                "servers": SPEC["servers"], "paths": paths}

    out = []
    for name, revision in (("v1.yaml", False), ("v2.yaml", True)):
        path = folder / name
        path.write_text(yaml.safe_dump(doc(revision), sort_keys=False), encoding="utf-8")
        out.append(path)
    return out[0], out[1]


#: run in a child: the CLI with the impact stage's steps wrapped by timers (``split``)
SPLIT = """
import json, sys, time
started = time.perf_counter()
import trustguard.impact as impact
import trustguard.impact.customers as customers
from trustguard import cli
spent = {"imports": time.perf_counter() - started}
active = []
def timed(name, fn):
    def wrapper(*args, **kwargs):
        # a step run inside another (the customer list read by the usage reader, while
        # DuckDB reads the logs) is shown as "step (in outer)", outside the sum of the rest
        key = name if not active else f"{name} (in {active[-1]})"
        active.append(name)
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            active.pop()
            spent[key] = spent.get(key, 0.0) + time.perf_counter() - start
    return wrapper
customers.load_customers = timed("customers", customers.load_customers)
impact.load_customers = customers.load_customers
impact.load_usage = timed("usage", impact.load_usage)
impact.build_graph = timed("graph", impact.build_graph)
impact.apply = timed("reach", impact.apply)
sys.argv = ["trustguard", *sys.argv[1:]]
try:
    cli.main()
except SystemExit:
    pass
total = time.perf_counter() - started
spent["rest"] = total - sum(v for k, v in spent.items() if "(in " not in k)
print(json.dumps({k: round(v, 2) for k, v in spent.items()}), file=sys.stderr)
"""


def run_once(argv: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (every thread), peak RSS (MiB) and stderr of one fresh child."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        err.seek(0)
        text = err.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: the policy failed, as it must on this revision
        raise RuntimeError(f"{' '.join(argv)} exited {code}: {text.strip()[-800:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


def end_to_end(folder: Path, customers: Path, log: Path, lines: int, repeat: int) -> None:
    base, revision = specs(folder)
    args = ["check", str(base), str(revision), "--customers", str(customers), "--usage", str(log),
            "--customer-from", "query:api_key"]
    script = os.path.join(os.path.dirname(sys.executable), "trustguard")  # as installed, as a user runs it
    command = [script, *args] if os.path.exists(script) else [sys.executable, "-m", "trustguard", *args]
    run_once(command)  # untimed: the page cache warm, the modules compiled
    runs = [run_once(command) for _ in range(repeat)]
    wall = min(r[0] for r in runs)
    cpu = min(r[1] for r in runs)
    rss = max(r[2] for r in runs)
    split_text = run_once([sys.executable, "-c", SPLIT, *args])[3].strip().splitlines()
    split = json.loads(split_text[-1]) if split_text else {}
    target = 2.0 if lines <= 1_000_000 else 15.0 if lines <= 10_000_000 else None
    print(json.dumps({"mode": "end-to-end", "lines": lines, "wall_s": round(wall, 2),
                      "walls_s": [round(r[0], 2) for r in runs], "cpu_s": round(cpu, 2), "peak_mib": round(rss),
                      "target_s": target, "load": round(os.getloadavg()[0], 1), "split": split}), flush=True)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        one_run(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000_000, 10_000_000])
    parser.add_argument("--end-to-end", action="store_true", help="time the whole `trustguard check` process")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per size with --end-to-end (the best is shown)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for lines in options.sizes:
            customers, log = generate(Path(tmp), lines)
            size = os.path.getsize(log) / 2**20
            print(f"# {lines:,} lines ({size:,.0f} MiB), {CUSTOMERS:,} customers", flush=True)
            if options.end_to_end:
                end_to_end(Path(tmp), customers, log, lines, options.repeat)
            else:
                engines = ["duckdb"] + (["python"] if lines <= 1_000_000 else [])
                for engine in engines:
                    subprocess.run([sys.executable, __file__, "--one", str(customers), str(log), engine], check=True)
            os.remove(log)


if __name__ == "__main__":
    main()
