"""A path template variable renamed (/student/{id} -> /student/{username}) while the
request and response schemas are inline and reach a component by $ref: the diff reads each
version's schemas at that version's own path (it used to look the base up under the
revision's path, KeyError, exit 1 -- "the policy failed")."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import trustguard
from trustguard.cli import cli

BASE = """openapi: 3.0.3
info: {title: students, version: '1'}
paths:
  /student/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  name: {type: string}
                  nickname: {type: string}
                  school: {$ref: '#/components/schemas/School'}
    put:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                school: {$ref: '#/components/schemas/School'}
      responses:
        '204': {description: saved}
components:
  schemas:
    School:
      type: object
      properties:
        title: {type: string}
"""


def renamed(text: str) -> str:
    return text.replace("{id}", "{username}").replace("name: id,", "name: username,")


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_renamed_path_variable_alone_is_no_change(tmp_path: Path) -> None:
    base, rev = write(tmp_path, "base.yaml", BASE), write(tmp_path, "rev.yaml", renamed(BASE))
    result = CliRunner().invoke(cli, ["check", str(base), str(rev)])
    assert result.exit_code == 0, (result.output, result.stderr)
    assert "Traceback" not in result.output + result.stderr
    report = trustguard.check(base, rev)
    assert report.findings == [] and report.summary.changes == 0


def test_changes_behind_the_ref_are_found_at_the_right_places(tmp_path: Path) -> None:
    revised = renamed(BASE).replace("title: {type: string}", "title: {type: integer}")
    revised = revised.replace("                  nickname: {type: string}\n", "")
    base, rev = write(tmp_path, "base.yaml", BASE), write(tmp_path, "rev.yaml", revised)
    result = CliRunner().invoke(cli, ["check", str(base), str(rev)])
    assert result.exit_code == 1, (result.output, result.stderr)
    report = trustguard.check(base, rev)
    by_kind = {(f.kind, f.operation): f for f in report.findings}
    # the shared component, reached from the response and from the request body
    changed = by_kind[("api.schema.type.changed", "GET /student/{username}")]
    assert changed.source is not None and changed.source.file.endswith("rev.yaml") and changed.source.line == line_of(revised, "title: {type: integer}")
    # removed from the base's inline response schema: its place is the base's own line
    removed = next(f for f in report.findings if f.kind == "api.schema.property.removed")
    assert removed.subject == "nickname"
    assert removed.source is not None and removed.source.file.endswith("base.yaml") and removed.source.line == line_of(BASE, "nickname:")
    assert removed.location.startswith("/paths/~1student~1{id}/get/")
    assert any(f.operation == "PUT /student/{username}" for f in report.findings)
