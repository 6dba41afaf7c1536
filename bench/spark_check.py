"""The emitted Spark SQL runs on Spark and counts what DuckDB counts.

    pip install 'trustguard-cli[spark]'   # pyspark; needs Java 17
    python bench/spark_check.py [LINES]   # default 200,000 generated combined log lines

DuckDB parses the generated log into the ``requests`` relation (customer, integration,
method, path, status, requests) and writes it as Parquet; a local Spark session
(``local[2]``) reads that Parquet as the view ``requests`` and runs
``emit_sql(router, "spark")``; DuckDB runs its own dialect of the same query. Every
(customer, integration, operation, status) count must be equal, and it exits 1 if not.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_impact import SPEC, generate

from trustguard.impact.aggregate import _checked, _clf_view
from trustguard.impact.logs.pick import parse_customer_from
from trustguard.impact.routes import PathRouter
from trustguard.impact.sql import aggregation_sql, emit_sql


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
        view = _checked(_clf_view(str(log), parse_customer_from("query:api_key")))
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
    same = got == duck
    print(f"{lines:,} lines: DuckDB {len(duck):,} groups, {sum(v[0] for v in duck.values()):,} requests "
          f"in {duck_s:.2f} s; Spark {len(got):,} groups, {sum(v[0] for v in got.values()):,} requests "
          f"in {spark_s:.2f} s; counts {'EQUAL' if same else 'DIFFER'}")
    if not same:
        diff = sorted(set(got.items()) ^ set(duck.items()), key=str)[:10]
        print("first differences:", diff)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
