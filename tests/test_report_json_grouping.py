"""The JSON report: grouped by default (one finding per change and place, naming the
operations it reaches), per operation on request; its schema says which; it reads back
into the same Report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

import trustguard
from trustguard.report import render

OPS = ["DELETE /orders/{id}", "GET /orders", "GET /orders/{id}"]
RULE = "response-property-became-optional"


def _spec(required: list[str]) -> dict[str, Any]:
    """An Order schema three operations return: the list at data/items, the others at the root."""
    order = {"type": "object", "required": required,
             "properties": {name: {"type": "string"} for name in ("id", "status")}}
    ref = {"$ref": "#/components/schemas/Order"}

    def returns(schema: dict[str, Any]) -> dict[str, Any]:
        return {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}}

    listing = {"type": "object", "properties": {"data": {"type": "array", "items": ref}}}
    return {
        "openapi": "3.0.3", "info": {"title": "orders", "version": "1"},
        "paths": {"/orders": {"get": returns(listing)}, "/orders/{id}": {"get": returns(ref), "delete": returns(ref)}},
        "components": {"schemas": {"Order": order}},
    }


def _pair(tmp_path: Path) -> tuple[Path, Path]:
    base, rev = tmp_path / "base.yaml", tmp_path / "rev.yaml"
    base.write_text(yaml.safe_dump(_spec(["id", "status"])))
    rev.write_text(yaml.safe_dump(_spec(["id"])))
    return base, rev


def _rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if f["rule"] == RULE]


def test_default_json_is_one_finding_listing_its_operations_and_their_paths(tmp_path: Path) -> None:
    report = trustguard.check(*_pair(tmp_path), fail_on="none")
    data = json.loads(render(report, "json"))
    assert data["form"] == "grouped"
    [row] = _rows(data)
    assert row["operations"] == OPS and row["operation"] == OPS[0]
    assert row["property_paths"] == {"DELETE /orders/{id}": "status", "GET /orders": "data/items/status",
                                     "GET /orders/{id}": "status"}
    # the summary still counts per operation, as oasdiff does
    assert data["summary"]["findings"] == sum(len(f["operations"]) or 1 for f in data["findings"])
    assert data["summary"]["findings"] > len(data["findings"])


def test_per_operation_json_spells_each_operation_out_at_its_own_path(tmp_path: Path) -> None:
    report = trustguard.check(*_pair(tmp_path), fail_on="none")
    data = json.loads(render(report, "json", per_operation=True))
    assert data["form"] == "per-operation"
    rows = _rows(data)
    assert [(r["operation"], r["operations"], r["subject"], r["property_paths"]) for r in rows] == [
        ("DELETE /orders/{id}", ["DELETE /orders/{id}"], "status", {}),
        ("GET /orders", ["GET /orders"], "data/items/status", {}),
        ("GET /orders/{id}", ["GET /orders/{id}"], "status", {}),
    ]
    assert len({r["fingerprint"] for r in rows}) == 3
    assert data["summary"]["findings"] == len(data["findings"])
    # the grouped report's fingerprint is its first operation's
    [grouped] = _rows(json.loads(render(report, "json")))
    assert grouped["fingerprint"] == rows[0]["fingerprint"]


def test_both_forms_read_back_and_render_every_format_as_the_direct_report(tmp_path: Path) -> None:
    report = trustguard.check(*_pair(tmp_path), fail_on="none")
    grouped = trustguard.Report.model_validate_json(render(report, "json"))
    assert grouped.form == "grouped"
    def dumped(findings: list[trustguard.Finding]) -> list[dict[str, Any]]:
        return [f.model_dump(exclude={"messages_by_path"}) for f in findings]

    assert dumped(grouped.findings) == dumped(report.findings)
    [row] = [f for f in grouped.findings if f.rule == RULE]
    assert set(row.messages_by_path) == {"status", "data/items/status"}
    assert render(grouped, "json") == render(report, "json")
    assert render(grouped, "json", per_operation=True) == render(report, "json", per_operation=True)
    for fmt in ("text", "sarif", "markdown", "html", "junit", "github", "codequality"):
        assert render(grouped, fmt) == render(report, fmt), fmt
    spelled = trustguard.Report.model_validate_json(render(report, "json", per_operation=True))
    assert spelled.form == "per-operation"
    assert [f.operations for f in spelled.findings if f.rule == RULE] == [[op] for op in OPS]


def test_the_report_schema_names_the_form() -> None:
    out = subprocess.run([sys.executable, "-m", "trustguard", "schema", "report"],
                         capture_output=True, text=True, check=True).stdout
    form = json.loads(out)["properties"]["form"]
    assert form["enum"] == ["grouped", "per-operation"] and form["default"] == "grouped"
    assert "per-operation" in form["description"]


def test_cli_per_operation_flag_and_its_misuse(tmp_path: Path) -> None:
    base, rev = _pair(tmp_path)
    cmd = [sys.executable, "-m", "trustguard", "check", str(base), str(rev), "--fail-on", "none", "-f", "json"]
    grouped = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    spelled = json.loads(subprocess.run([*cmd, "--per-operation"], capture_output=True, text=True, check=True).stdout)
    assert (len(_rows(grouped)), len(_rows(spelled))) == (1, 3)
    wrong = subprocess.run([*cmd[:-1], "text", "--per-operation"], capture_output=True, text=True)
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert "--per-operation applies to -f json only" in wrong.stderr and "Traceback" not in wrong.stderr


def test_help_imports_neither_models_nor_rules_nor_the_diff() -> None:
    code = ("import sys, contextlib, io\nsys.argv = ['trustguard', '--help']\nfrom trustguard.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    try:\n        main()\n    except SystemExit:\n"
            "        pass\nprint(' '.join(sorted(sys.modules)))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    heavy = {"pydantic", "yaml", "networkx", "jsonschema", "trustguard.model", "trustguard.api",
             "trustguard.classify", "trustguard.diff", "trustguard.load"}
    assert loaded & heavy == set()
    assert "trustguard.cli" in loaded


def test_public_names_import_lazily_and_stay_the_api() -> None:
    code = ("import sys, trustguard\nbefore = 'pydantic' in sys.modules\n"
            "from trustguard import Report, check\nimport trustguard.diff.schema\n"
            "print(before, callable(trustguard.diff), callable(trustguard.load), Report.__name__, check.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True", "True", "Report", "check"]


def test_rules_lists_what_the_api_lists_without_importing_the_diff() -> None:
    code = ("import sys, contextlib, io\nsys.argv = ['trustguard', 'rules', '-f', 'json']\n"
            "from trustguard.cli import main\nout = io.StringIO()\nwith contextlib.redirect_stdout(out):\n"
            "    try:\n        main()\n    except SystemExit:\n        pass\n"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('networkx', 'jsonschema') "
            "or m.startswith(('trustguard.api', 'trustguard.diff', 'trustguard.impact')))\n"
            "print(repr(loaded))\nprint(out.getvalue())")
    first, _, listing = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                       check=True).stdout.partition("\n")
    assert first == "[]"
    data = json.loads(listing)
    ids = [r["id"] for r in data]
    assert ids == [r.id for r in trustguard.rules_for()]
    assert len(ids) > 50


def test_per_operation_entries_carry_their_own_message_and_no_map_of_others(tmp_path: Path) -> None:
    report = trustguard.check(*_pair(tmp_path), fail_on="none")
    rows = _rows(json.loads(render(report, "json", per_operation=True)))
    assert all("messages_by_path" not in r for r in rows)
    [grouped] = _rows(json.loads(render(report, "json")))
    assert {r["facts"]["property_path"]: r["message"] for r in rows} == grouped["messages_by_path"]
    assert "'data/items/status'" in grouped["messages_by_path"]["data/items/status"]
