"""Hostile inputs that used to crash with exit 1 (the code for "the policy failed") and a
traceback: each now ends with a clear error, exit 2, and writes no report."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
V1, V2 = EXAMPLES / "api" / "v1.yaml", EXAMPLES / "api" / "v2.yaml"

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {"/pets": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
        "schema": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["cat", "dog"]}}}}}}}}}},
}


def trustguard(*args: str | Path, cwd: Path | None = None, stdout: int | None = subprocess.PIPE,
               ) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TRUSTGUARD_DEBUG"}
    proc = subprocess.run([sys.executable, "-m", "trustguard", *map(str, args)], cwd=cwd, stdout=stdout,
                          stderr=subprocess.PIPE, check=False, timeout=300, env=env)
    out = proc.stdout.decode("utf-8", "replace") if proc.stdout is not None else ""
    return proc.returncode, out, proc.stderr.decode("utf-8", "replace")


def refused(*args: str | Path, cwd: Path | None = None, output: Path | None = None) -> str:
    """Run with ``-o output`` and return the one error line; nothing may be written."""
    extra = ["-o", str(output)] if output is not None else []
    code, out, err = trustguard(*args, *extra, cwd=cwd)
    assert code == 2, (code, err[-2000:])
    assert "Traceback" not in err and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trustguard: error: "), err[-2000:]
    if output is not None:
        assert not output.exists()
        assert not [p for p in output.parent.iterdir() if p.name.startswith(f".{output.name}.")]
    return lines[0]


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("where", ["key", "enum"])
def test_a_lone_surrogate_in_a_json_spec(tmp_path: Path, where: str) -> None:
    base = write_json(tmp_path / "base.json", SPEC)
    text = json.dumps(SPEC)
    text = text.replace('"kind"', '"\\ud800"') if where == "key" else text.replace('"dog"', '"\\udfff"')
    assert "\\ud800" in text or "\\udfff" in text
    (tmp_path / "rev.json").write_text(text, encoding="utf-8")
    error = refused("check", base, tmp_path / "rev.json", output=tmp_path / "report.txt")
    assert "rev.json:1:" in error and "lone UTF-16 surrogate" in error
    # both halves of a pair are one character, and pass
    (tmp_path / "pair.json").write_text(text.replace("\\ud800", "\\ud83d\\ude00").replace("\\udfff", "\\u00e9"))
    assert trustguard("check", base, tmp_path / "pair.json")[0] in (0, 1)


def test_a_lone_surrogate_in_yaml(tmp_path: Path) -> None:
    base = write_json(tmp_path / "base.json", SPEC)
    (tmp_path / "rev.yaml").write_text(json.dumps(SPEC).replace('"dog"', '"\\ud800"'), encoding="utf-8")
    error = refused("check", base, tmp_path / "rev.yaml", output=tmp_path / "report.txt")
    assert "rev.yaml" in error


def test_a_lone_surrogate_in_impact_inputs(tmp_path: Path) -> None:
    usage = tmp_path / "usage.jsonl"
    good = json.dumps({"customer": "c001", "method": "GET", "path": "/orders"})
    usage.write_text(good + "\n" + '{"customer": "c\\ud800", "method": "GET", "path": "/orders"}\n')
    error = refused("impact", V1, V2, "--usage", usage, output=tmp_path / "affected.csv")
    assert "usage.jsonl:2: " in error and "lone UTF-16 surrogate" in error
    customers = tmp_path / "customers.json"
    customers.write_text('[{"id": "c001", "name": "Glo\\udc00bex", "plan": "pro"}]')
    error = refused("check", V1, V2, "--customers", customers, output=tmp_path / "report.txt")
    assert "customers.json:1:" in error and "lone UTF-16 surrogate" in error


def test_a_deeply_nested_usage_line(tmp_path: Path) -> None:
    usage = tmp_path / "usage.jsonl"
    good = json.dumps({"customer": "c001", "method": "GET", "path": "/orders"})
    usage.write_text(good + "\n" + '{"customer": "c002", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    error = refused("check", V1, V2, "--usage", usage, output=tmp_path / "report.txt")
    assert "usage.jsonl:2: " in error and "nests too deeply" in error
    # impact -o writes a CSV: not written either
    refused("impact", V1, V2, "--usage", usage, output=tmp_path / "affected.csv")


def test_revenues_that_overflow_a_float_sum(tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text("id,name,plan,monthly_revenue\nc001,Globex,enterprise,1e308\nc004,Umbrella,pro,1e308\n")
    error = refused("check", V1, V2, "--customers", customers, output=tmp_path / "report.txt")
    assert "customers.csv:2: " in error and "monthly revenue" in error


def test_seats_that_overflow_a_bill(tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text("id,name,plan,seats\nc01,Ada,TEAM,1e307\nc02,Bo,TEAM,1e307\n")
    error = refused("check", EXAMPLES / "pricing" / "old.yaml", EXAMPLES / "pricing" / "new.yaml",
                    "--customers", customers, output=tmp_path / "report.txt")
    assert "customers.csv:2: " in error and "seats" in error


def test_a_path_with_three_thousand_parameters(tmp_path: Path) -> None:
    # it crashed (RecursionError) matching a request to the template; such a path is now
    # refused at load for its length, and the router walks without recursion anyway
    template = "/x/" + "/".join(f"{{p{i}}}" for i in range(3000))
    spec = {**SPEC, "paths": {template: {"get": {"responses": {"200": {"description": "ok"}}}}}}
    path = write_json(tmp_path / "spec.json", spec)
    usage = tmp_path / "usage.jsonl"
    request = "/x/" + "/".join(f"v{i}" for i in range(3000))
    usage.write_text(json.dumps({"customer": "c1", "method": "GET", "path": request}) + "\n")
    error = refused("check", path, path, "--usage", usage, output=tmp_path / "report.json")
    assert "spec.json" in error
    from trustguard.impact.routes import PathRouter

    router = PathRouter.from_specs([spec])
    assert router.match("GET", request) is not None
    assert router.match("GET", request + "/extra") is None


def test_a_deep_array_in_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.trustguard]\nfail_on = " + "[" * 50_000 + "]" * 50_000 + "\n")
    error = refused("check", V1, V2, cwd=tmp_path, output=tmp_path / "report.txt")
    assert "pyproject.toml" in error and "nests too deeply" in error


def test_a_message_template_with_a_huge_width(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text("""document: openapi
rules:
  - id: wide-message
    principle: backward-compatibility
    severity: major
    title: Endpoint removed
    message: "{subject:>1500000000} and {subject:.1500000000}"
    rationale: Clients calling a removed endpoint get 404s.
    remediation: Deprecate first.
    example: {}
    match: {kind: api.operation.removed}
""")
    report = tmp_path / "report.json"
    # the width is bounded before formatting: no 1.5 GB line (it was a MemoryError, exit 1)
    code, _, err = trustguard("check", V1, V2, "--rule-pack", pack, "-f", "json", "-o", report)
    assert code == 1, err[-2000:]  # the release breaks the policy: a verdict, not a crash
    from trustguard.messages import MAX_FIELD_WIDTH

    found = [f for f in json.loads(report.read_text())["findings"] if f["rule"] == "wide-message"]
    assert found and all(len(f["message"]) <= 2 * MAX_FIELD_WIDTH + 5 for f in found)
    assert found[0]["message"].startswith(" ") and found[0]["message"].rstrip().endswith("get")


def _closed_pipe() -> int:
    read, write = os.pipe()
    os.close(read)
    return write


@pytest.mark.parametrize("args", [
    ("check", str(V1), str(V2)),
    ("review", str(V1), str(V2), "-f", "html"),
    ("rules",),
    ("schema",),
    ("--help",),
    ("check", "--help"),
])
def test_stdout_closed_by_its_reader(args: tuple[str, ...]) -> None:
    # `trustguard check ... | head -c0`: the reader is gone before the report is written
    write = _closed_pipe()
    try:
        code, _, err = trustguard(*args, stdout=write)
    finally:
        os.close(write)
    assert code == 2, err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert err.strip().splitlines() == [
        "trustguard: error: cannot write to standard output: the reading end of the pipe was closed"
    ]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_stdout_full() -> None:
    with open("/dev/full", "wb") as full:
        code, _, err = trustguard("check", V1, V2, stdout=full.fileno())
    assert code == 2, err
    assert "Traceback" not in err
    assert err.strip().splitlines() == [
        f"trustguard: error: cannot write to standard output: {os.strerror(errno.ENOSPC)}"
    ]


def test_stdout_not_open() -> None:
    # `trustguard check a b >&-`
    proc = subprocess.run([sys.executable, "-c", "import os, sys; os.close(1); from trustguard.cli import main; "
                           f"sys.argv = ['trustguard', 'check', {str(V1)!r}, {str(V2)!r}]; main()"],
                          stderr=subprocess.PIPE, check=False, timeout=300)
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert "Traceback" not in err and "cannot write to standard output" in err
