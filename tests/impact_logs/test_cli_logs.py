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
