"""The package ships py.typed: it must stay ruff- and mypy-clean (config in pyproject.toml),
keep its one-way flow (import-linter contracts in pyproject.toml) and carry no dead code
(vulture, with the public names it cannot see used listed in tests/vulture_allow.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_is_clean() -> None:
    proc = _run("ruff", "check", "src", "tests", "bench", "docs")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict_is_clean() -> None:
    proc = _run("mypy")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_layers_hold() -> None:
    # lint-imports is the script of import-linter; run from the same environment
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr
    assert "0 broken" in proc.stdout


def test_there_is_no_dead_code() -> None:
    # config in pyproject.toml ([tool.vulture]); what it cannot see used is in tests/vulture_allow.py
    proc = _run("vulture")
    assert proc.returncode == 0, proc.stdout + proc.stderr
