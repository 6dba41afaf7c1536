"""The impact command on access logs: --customer-from, --usage-format, --emit-sql, and
exit 2 naming the file on a log it cannot read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "examples"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trustguard", *args], capture_output=True, text=True, timeout=120)


def test_impact_from_a_combined_log(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text('203.0.113.7 - c001 [02/Dec/2026:09:14:01 +0000] "GET /v1/orders/1842 HTTP/1.1" 200 512 "-" "sdk"\n' * 3)
    done = _run("impact", str(EX / "api" / "v1.yaml"), str(EX / "api" / "v2.yaml"), "--customers", str(EX / "customers.csv"),
                "--usage", str(log), "--customer-from", "user")
    assert done.returncode == 0, done.stderr
    assert "Globex Retail" in done.stdout or "c001" in done.stdout


def test_an_unknown_log_format_exits_2_naming_the_file(tmp_path: Path) -> None:
    log = tmp_path / "mystery.log"
    log.write_text("lorem ipsum\n")
    done = _run("impact", str(EX / "api" / "v1.yaml"), str(EX / "api" / "v2.yaml"), "--usage", str(log))
    assert done.returncode == 2
    assert str(log) in done.stderr and "expected" in done.stderr and "Traceback" not in done.stderr
    forced = _run("impact", str(EX / "api" / "v1.yaml"), str(EX / "api" / "v2.yaml"), "--usage", str(log),
                  "--usage-format", "combined", "--customer-from", "header:X-Api-Key")
    assert forced.returncode == 2 and "carry" in forced.stderr


def test_emit_sql_for_spark_holds_the_route_patterns() -> None:
    done = _run("impact", str(EX / "api" / "v1.yaml"), str(EX / "api" / "v2.yaml"), "--emit-sql", "--dialect", "spark")
    assert done.returncode == 0, done.stderr
    assert "RLIKE" in done.stdout and "orders/export" in done.stdout and "FROM requests" in done.stdout


def test_a_summary_from_the_emitted_sql_gives_the_impact_of_the_log(tmp_path: Path) -> None:
    import duckdb

    specs = (str(EX / "api" / "v1.yaml"), str(EX / "api" / "v2.yaml"))
    sql = _run("impact", *specs, "--emit-sql").stdout
    con = duckdb.connect()
    # the user's view: their log as requests(customer, integration, method, path, status, requests)
    con.execute(f"CREATE VIEW requests AS SELECT COALESCE(customer, api_key) AS customer, integration, method, path, "
                f"status, COALESCE(count, 1) AS requests FROM read_json('{EX / 'usage.jsonl'}', format='newline_delimited')")
    summary = tmp_path / "summary.parquet"
    con.execute(f"COPY ({sql.strip().rstrip(';')}) TO '{summary}'")
    direct = _run("impact", *specs, "--customers", str(EX / "customers.csv"), "--usage", str(EX / "usage.jsonl"))
    fed = _run("impact", *specs, "--customers", str(EX / "customers.csv"), "--usage-summary", str(summary))
    assert direct.returncode == fed.returncode == 0, fed.stderr
    findings = [line for line in direct.stdout.splitlines() if not line.startswith("warning:")]
    assert findings == [line for line in fed.stdout.splitlines() if not line.startswith("warning:")]
    assert "10 of 12" in direct.stdout
