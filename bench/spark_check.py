"""The emitted Spark SQL runs on Spark and counts what DuckDB counts.

    pip install 'trustguard-cli[spark]'   # pyspark; needs Java 17
    python bench/spark_check.py [LINES]   # default 200,000 generated combined log lines

DuckDB parses the generated log into the ``requests`` relation (customer, integration,
method, path, status, requests) and writes it as Parquet; a local Spark session
(``local[2]``) reads that Parquet as the view ``requests`` and runs
``emit_sql(router, "spark")``; DuckDB runs its own dialect of the same query. Every
(customer, integration, operation, status) count must be equal, and it exits 1 if not.
The counts trustguard itself gets from the same log (``load_usage(engine="duckdb")``, its
one-pass aggregation; no customer list, so each API key is named by its digest) must be
Spark's too.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_impact import SPEC, generate

from trustguard.impact.aggregate import _checked, _clf_view
from trustguard.impact.logs.pick import parse_customer_from
from trustguard.impact.routes import PathRouter, operation_key
from trustguard.impact.sql import aggregation_sql, emit_sql
from trustguard.impact.usage import load_usage


def _as_trustguard(groups: dict[tuple[Any, ...], tuple[int, int]]) -> dict[tuple[str, str, str, int], int]:
    """The SQL's groups as trustguard's by_status: the customer value ``r:KEY`` as the key's
    digest, the operation label as its key, no integration as "", no status as 0; rows
    without a value are not attributed to anyone."""
    import hashlib

    out: dict[tuple[str, str, str, int], int] = {}
    for (customer, integration, operation, status), (requests, _) in groups.items():
        value = str(customer)[2:].strip()
        if operation is None or not value:
            continue
        who = "key:" + hashlib.sha256(value.encode()).hexdigest()[:12]
        key = (who, str(integration or ""), operation_key(str(operation)), int(status or 0))
        out[key] = out.get(key, 0) + requests
    return out


def main() -> int:
    import duckdb
    from pyspark.sql import SparkSession

    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    router = PathRouter.from_specs([SPEC])
    with tempfile.TemporaryDirectory() as tmp:
        _, log = generate(Path(tmp), lines)
        parquet = os.path.join(tmp, "requests.parquet")
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        view = _checked(_clf_view(str(log), parse_customer_from("query:api_key"), False))
        con.execute(f"COPY (SELECT customer, integration, method, path, status, requests FROM ({view}) "
                    f"WHERE reason IS NULL) TO '{parquet}' (FORMAT parquet)")
        con.execute(f"CREATE VIEW requests AS SELECT * FROM read_parquet('{parquet}')")
        start = time.perf_counter()
        duck = {tuple(r[:4]): (int(r[4]), int(r[5])) for r in con.execute(aggregation_sql(router)).fetchall()}
        duck_s = time.perf_counter() - start
        spark = (SparkSession.builder.master("local[2]").appName("trustguard-spark-check")
                 .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "8").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        try:
            spark.read.parquet(parquet).createOrReplaceTempView("requests")
            query = emit_sql(router, "spark").rstrip().rstrip(";")
            start = time.perf_counter()
            rows = spark.sql(query).collect()
            spark_s = time.perf_counter() - start
        finally:
            spark.stop()
        got = {(r["customer"], r["integration"], r["operation"], r["status"]): (int(r["requests"]), int(r["lines"]))
               for r in rows}
        start = time.perf_counter()
        own = load_usage(log, router, None, customer_from="query:api_key", engine="duckdb").by_status
        own_s = time.perf_counter() - start
    same = got == duck
    own_same = own == _as_trustguard(got)
    print(f"{lines:,} lines: DuckDB {len(duck):,} groups, {sum(v[0] for v in duck.values()):,} requests "
          f"in {duck_s:.2f} s; Spark {len(got):,} groups, {sum(v[0] for v in got.values()):,} requests "
          f"in {spark_s:.2f} s; counts {'EQUAL' if same else 'DIFFER'}; trustguard's load_usage (DuckDB) "
          f"{len(own):,} groups in {own_s:.2f} s, {'EQUAL' if own_same else 'DIFFERENT'} to Spark's")
    if not same:
        diff = sorted(set(got.items()) ^ set(duck.items()), key=str)[:10]
        print("first differences:", diff)
    return 0 if same and own_same else 1


if __name__ == "__main__":
    sys.exit(main())
