"""The command line on terms texts: findings with redlines in JSON, exit 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustguard.cli import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "terms"


def test_check_example_pair_fails_and_json_carries_the_redline() -> None:
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES / "old.md"), str(EXAMPLES / "new.md"), "-f", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    licence = next(f for f in report["findings"] if f["rule"] == "content-license-broadened")
    assert licence["severity"] == "blocker"
    redline = licence["facts"]["redline"]
    assert "".join(text for op, text in redline if op != "-") == licence["facts"]["new_text"]
    ops = {op for op, _ in redline}
    assert ops == {"=", "-", "+"}
    assert "perpetual" in licence["facts"]["new_text"] and "perpetual" not in licence["facts"]["old_text"]
    assert licence["source"]["line"] == 19


def test_same_file_twice_passes() -> None:
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES / "old.md"), str(EXAMPLES / "old.md")])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"", "empty"), (b"\x00\x01\x02binary", "binary"), ("Caf\u00e9\n".encode("latin-1"), "not UTF-8")],
)
def test_bad_input_exits_2_with_a_clear_error(tmp_path: Path, content: bytes, expected: str) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(content)
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES / "old.md"), str(bad)])
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "bad.md" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES / "old.md"), str(tmp_path / "nope.md")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr
