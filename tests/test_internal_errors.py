"""A bug in trustguard never looks like a verdict: exit 3 and one line saying it is a bug
(the traceback only with --debug), and a trustguard error type from the Python API."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import trustguard
from trustguard.cli import cli, main
from trustguard.diff.schema import SchemaDiffer

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
V1, V2 = str(EXAMPLES / "api" / "v1.yaml"), str(EXAMPLES / "api" / "v2.yaml")
# the project's own issue tracker, as its metadata declares it
TRACKER = re.search(r'^Issues = "([^"]+)"', (EXAMPLES.parent / "pyproject.toml").read_text(), re.M).group(1)  # type: ignore[union-attr]


def _boom(*_args: object, **_kwargs: object) -> object:
    raise KeyError("no such pair")


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault deep in the diff: comparing two schemas raises."""
    monkeypatch.delenv("TRUSTGUARD_DEBUG", raising=False)
    monkeypatch.setattr(SchemaDiffer, "result", _boom)


def _one_bug_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    line = lines[0]
    assert line.startswith("trustguard: internal error: this is a bug in trustguard: KeyError"), line
    assert " at trustguard/diff/schema.py:" in line  # the last place in trustguard's own code
    assert f"report it at {TRACKER} " in line and "--debug" in line
    return line


@pytest.mark.parametrize("command", ["check", "review", "diff"])
def test_an_internal_error_exits_3_in_process(broken: None, command: str) -> None:
    result = CliRunner().invoke(cli, [command, V1, V2])
    assert result.exit_code == 3, (result.exit_code, result.output, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert "no such pair" in _one_bug_line(result.stderr)


def test_an_internal_error_writes_no_report(broken: None, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["check", V1, V2, "-f", "json", "-o", str(out)])
    assert result.exit_code == 3
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_debug_shows_the_traceback(broken: None, monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(cli, ["--debug", "check", V1, V2])
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr and "_boom" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("trustguard: internal error: ")
    monkeypatch.setenv("TRUSTGUARD_DEBUG", "1")
    result = CliRunner().invoke(cli, ["check", V1, V2])
    assert result.exit_code == 3 and "Traceback" in result.stderr


def test_main_exits_3(broken: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["trustguard", "check", V1, V2])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    _one_bug_line(captured.err)


def test_an_internal_error_exits_3_in_a_subprocess(tmp_path: Path) -> None:
    # the fault is planted before the command runs, in the child itself
    script = textwrap.dedent("""
        import sys
        from trustguard.diff.schema import SchemaDiffer
        def boom(*args, **kwargs):
            raise ZeroDivisionError("planted")
        SchemaDiffer.result = boom
        from trustguard.cli import main
        sys.argv = ["trustguard", *sys.argv[1:]]
        main()
    """)
    env = {k: v for k, v in os.environ.items() if k != "TRUSTGUARD_DEBUG"}
    out = tmp_path / "out.txt"
    proc = subprocess.run([sys.executable, "-c", script, "check", V1, V2, "-o", str(out)],
                          capture_output=True, text=True, check=False, timeout=120, env=env)
    assert proc.returncode == 3, (proc.returncode, proc.stderr)
    assert proc.stdout == "" and not out.exists()
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert lines[0].startswith("trustguard: internal error: this is a bug in trustguard: ZeroDivisionError")
    assert "planted" in lines[0]
    debug = subprocess.run([sys.executable, "-c", script, "check", V1, V2], capture_output=True, text=True,
                           check=False, timeout=120, env={**env, "TRUSTGUARD_DEBUG": "1"})
    assert debug.returncode == 3 and "Traceback" in debug.stderr and "ZeroDivisionError: planted" in debug.stderr


def test_the_api_raises_a_trustguard_error_with_the_cause(broken: None) -> None:
    with pytest.raises(trustguard.InternalError) as info:
        trustguard.check(V1, V2)
    assert isinstance(info.value, trustguard.TrustguardError)
    assert isinstance(info.value.__cause__, KeyError)
    assert "this is a bug in trustguard" in str(info.value)
    with pytest.raises(trustguard.InternalError):
        trustguard.diff(V1, V2)


def test_trustguard_errors_are_not_wrapped(tmp_path: Path) -> None:
    with pytest.raises(trustguard.InputError) as info:
        trustguard.check(V1, tmp_path / "missing.yaml")
    assert type(info.value) is trustguard.InputError
    with pytest.raises(trustguard.InputError) as loaded:
        trustguard.load(tmp_path / "missing.yaml")
    assert type(loaded.value) is trustguard.InputError


def test_a_bug_line_carries_no_control_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    def hostile(*_args: object, **_kwargs: object) -> object:
        raise ValueError("x\n::error title=PASS::forged\x1b[2J")

    monkeypatch.setattr(SchemaDiffer, "result", hostile)
    result = CliRunner().invoke(cli, ["check", V1, V2])
    assert result.exit_code == 3
    assert len(result.stderr.strip().splitlines()) == 1 and "\x1b" not in result.stderr


# --- the public API takes kinds as strings, and its errors are trustguard's --------------------


def test_rules_for_takes_the_kind_as_a_string_or_a_kind() -> None:
    by_string = trustguard.rules_for("openapi")
    assert by_string and {rule.document for rule in by_string} == {"openapi"}
    assert [r.id for r in by_string] == [r.id for r in trustguard.rules_for(trustguard.DocumentKind.OPENAPI)]
    assert {r.document for r in trustguard.rules_for("Terms")} == {"terms"}
    assert len(trustguard.rules_for()) > len(by_string)
    with pytest.raises(trustguard.TrustguardError, match="unknown document kind 'xml'"):
        trustguard.rules_for("xml")


def test_render_refuses_an_unknown_format_with_a_trustguard_error() -> None:
    report = trustguard.check(V1, V2)
    with pytest.raises(trustguard.TrustguardError) as info:
        trustguard.render(report, "xml")
    message = str(info.value)
    assert "'xml'" in message
    for fmt in ("text", "json", "markdown", "html", "sarif", "junit", "github", "codequality"):
        assert fmt in message
    assert trustguard.render(report, "json").startswith("{")


def test_diff_refuses_fail_on() -> None:
    result = CliRunner().invoke(cli, ["diff", V1, V2, "--fail-on", "minor"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "--fail-on has no effect on 'diff'" in result.stderr and "trustguard check" in result.stderr
    assert CliRunner().invoke(cli, ["diff", V1, V2]).exit_code == 0
    assert CliRunner().invoke(cli, ["review", V1, V2, "--fail-on", "minor"]).exit_code == 0


def test_load_config_and_render_are_guarded_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import importlib

    config_module = importlib.import_module("trustguard.config")
    monkeypatch.setattr(config_module, "find_config", _boom)
    with pytest.raises(trustguard.InternalError) as info:
        trustguard.load_config(None, search_from=tmp_path)
    assert isinstance(info.value.__cause__, KeyError)
    monkeypatch.undo()
    report = trustguard.check(V1, V1)
    text_renderer = importlib.import_module("trustguard.report.text")
    monkeypatch.setattr(text_renderer, "render_text", _boom)
    with pytest.raises(trustguard.InternalError):
        trustguard.render(report, "text")


def test_the_place_named_is_in_the_package_not_in_a_folder_called_trustguard(tmp_path: Path) -> None:
    """A checkout is often called trustguard: a frame of code outside the package (a plug-in,
    a test) under such a folder is not trustguard's own place."""
    from trustguard.errors import internal_error

    outside = tmp_path / "trustguard" / "tests" / "plugin.py"
    code = compile("def crash():\n    raise KeyError('no such pair')\n", str(outside), "exec")
    scope: dict[str, object] = {}
    exec(code, scope)
    try:
        scope["crash"]()  # type: ignore[operator]
    except KeyError as exc:
        message = str(internal_error(exc))
    assert "plugin.py" not in message and " at trustguard/" not in message, message
    assert message.startswith("this is a bug in trustguard: KeyError: 'no such pair'"), message
