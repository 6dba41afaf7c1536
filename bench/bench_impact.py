"""Usage aggregation at volume: N generated access-log lines over a 100k-customer list.

    python bench/bench_impact.py            # 1M and 10M lines, DuckDB; the streaming reader at 1M
    python bench/bench_impact.py 1000000    # one size

Each run is a fresh process (so its peak memory, ru_maxrss, is its own) that calls
trustguard.impact.usage.load_usage end to end: detect the format, read the file, match
paths to operations, resolve customers through the list's API keys. The logs are combined
log lines, the customer named by an API key in the query (``--customer-from query:api_key``),
with the cyclic garbage collector paused as a real run has it (``no_gc_pauses``).
Targets (issue 18): 1M lines <= 2 s, 10M <= 15 s, <= 2 GB. ``cpu_s`` (user + system CPU of
the process, every thread) and ``load`` (the machine's 1-minute load average) are printed
too: on a shared machine the wall time says as much about the neighbours as about trustguard.
``threads`` is how many DuckDB may use (every core, at most 8). ``peak_mib`` stays flat
past the size where every (customer, operation) pair has been seen (``pairs``): DuckDB
counts into groups, not rows, and its own memory is capped (aggregate.MEMORY_LIMIT).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
    from trustguard.impact.customers import load_customers
    from trustguard.impact.routes import PathRouter
    from trustguard.impact.usage import load_usage

    with no_gc_pauses():  # as a real run (api.check, api.impact) reads its inputs
        start = time.perf_counter()
        table = load_customers(customers)
        loaded = time.perf_counter()
        data = load_usage(log, PathRouter.from_specs([SPEC]), table, customer_from="query:api_key", engine=engine)
        done = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss * 1024
    from trustguard.impact.aggregate import THREADS

    print(json.dumps({"engine": engine, "threads": THREADS if engine == "duckdb" else 1, "lines": data.lines + (data.problems.total if data.problems else 0),
                      "customers_s": round(loaded - start, 2), "usage_s": round(done - loaded, 2),
                      "total_s": round(done - start, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
                      "load": round(os.getloadavg()[0], 1), "peak_mib": round(peak / 2**20),
                      "requests": data.requests, "unmatched": data.unmatched_requests,
                      "unattributed": data.unattributed_requests, "pairs": len(data.calls)}))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        one_run(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    sizes = [int(a) for a in sys.argv[1:]] or [1_000_000, 10_000_000]
    with tempfile.TemporaryDirectory() as tmp:
        for lines in sizes:
            customers, log = generate(Path(tmp), lines)
            size = os.path.getsize(log) / 2**20
            print(f"# {lines:,} lines ({size:,.0f} MiB), {CUSTOMERS:,} customers", flush=True)
            engines = ["duckdb"] + (["python"] if lines <= 1_000_000 else [])
            for engine in engines:
                subprocess.run([sys.executable, __file__, "--one", str(customers), str(log), engine], check=True)
            os.remove(log)


if __name__ == "__main__":
    main()
