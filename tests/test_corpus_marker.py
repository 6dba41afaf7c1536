"""The tests that read the shared corpus are marked, skipped in one line when it is absent,
and required when CI says so ($TRUSTGUARD_REQUIRE_CORPUS)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import corpus

TESTS = Path(__file__).resolve().parent


def _pytest(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in (corpus.ENV_PATH, corpus.ENV_REQUIRE)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=corpus.ROOT, env={**clean, **env}, capture_output=True, text=True, check=False, timeout=300,
    )


def test_without_the_corpus_its_tests_are_skipped_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "no-corpus-here"
    proc = _pytest("tests/test_load_corpus.py", "tests/test_pricing_diff.py", TRUSTGUARD_CORPUS=str(missing))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if "corpus" in line]
    assert len(lines) == 1, proc.stdout
    match = re.fullmatch(r"SKIPPED \[(\d+)\] tests/conftest\.py:\d+: corpus tests: no corpus at (\S+) .*", lines[0])
    assert match, lines[0]
    assert match.group(2) == str(missing)
    summary = proc.stdout.strip().splitlines()[-1]
    # the copies in tests/data still ran, and every skip is a corpus one
    assert re.match(rf"\d+ passed, {match.group(1)} skipped in ", summary), summary


def test_without_the_short_summary_the_line_is_still_there(tmp_path: Path) -> None:
    proc = _pytest("tests/test_load_corpus.py", "-o", "addopts=", TRUSTGUARD_CORPUS=str(tmp_path / "none"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if "corpus" in line]
    assert len(lines) == 1 and re.fullmatch(rf"\d+ corpus tests skipped: no corpus at {re.escape(str(tmp_path / 'none'))} .*",
                                            lines[0]), proc.stdout


def test_ci_fails_when_the_corpus_is_missing(tmp_path: Path) -> None:
    proc = _pytest("tests/test_load_corpus.py", TRUSTGUARD_CORPUS=str(tmp_path), TRUSTGUARD_REQUIRE_CORPUS="1")
    assert proc.returncode != 0
    assert "TRUSTGUARD_REQUIRE_CORPUS is set" in proc.stderr
    assert f"an incomplete corpus at {tmp_path}" in proc.stderr and "no api/, oasdiff/, pricing/, terms/" in proc.stderr
    assert "passed" not in proc.stdout


def test_ci_script_requires_the_corpus() -> None:
    script = (corpus.ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^export TRUSTGUARD_REQUIRE_CORPUS=1$", script, re.MULTILINE)


def _reads_the_corpus(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.Attribute) and node.attr == "CORPUS"
               and isinstance(node.value, ast.Name) and node.value.id in ("corpus", "conformance")
               for node in ast.walk(tree))


def test_every_module_reading_the_corpus_marks_its_tests() -> None:
    """A module that reads the corpus (corpus.CORPUS) has corpus marks, and no test
    module builds the corpus path by hand (../shared) any more."""
    for path in sorted(TESTS.rglob("test_*.py")):
        if path.name == Path(__file__).name:
            continue
        text = path.read_text(encoding="utf-8")
        assert '/ "shared"' not in text and '"../shared' not in text, f"{path.name}: use corpus.CORPUS"
        if _reads_the_corpus(ast.parse(text)):
            assert "pytest.mark.corpus" in text, path.name
