"""Hostile ``$ref``s in a pull request's spec (issue 23.1, 23.4, 23.8): a target of the
wrong kind, a long chain, files too big in all, a FIFO in the spec's folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import trustguard
from trustguard.load import openapi_refs as openapi_loader  # where the ref checks split refs
from trustguard.load import sources
from trustguard.load.openapi import load_openapi

BASE = """openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /pets:
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: integer}}}
"""


def cli(tmp_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trustguard", *args], cwd=tmp_path, capture_output=True,
                          text=True, check=False, timeout=timeout)


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_path_item_ref_to_a_string_is_refused_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "rev.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets: {$ref: '#/x-p/P'}\nx-p:\n  P: hello\n")
    before = files_in(tmp_path)
    proc = cli(tmp_path, "check", "base.yaml", "rev.yaml")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert proc.stderr.startswith("trustguard: error: rev.yaml:4:")
    assert "$ref '#/x-p/P' must point at a path item, found a string ('hello') at /x-p/P" in proc.stderr
    assert files_in(tmp_path) == before


@pytest.mark.parametrize("validate", [False, True])
@pytest.mark.parametrize("value", ["'just text'", "[1, 2]", "42", "null", "true"])
def test_schema_ref_to_a_non_mapping_in_a_sibling_is_refused(tmp_path: Path, value: str, validate: bool) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "rev.yaml").write_text(BASE.replace(
        "schema: {type: object, required: [id], properties: {id: {type: integer}}}",
        "schema: {$ref: 'defs.yaml#/Pet'}"))
    (tmp_path / "defs.yaml").write_text(f"Pet: {value}\n")
    proc = cli(tmp_path, "check", "base.yaml", "rev.yaml", *(["--validate"] if validate else []))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("trustguard: error: rev.yaml:13:")
    assert "must point at a schema" in proc.stderr and "in defs.yaml" in proc.stderr


def test_a_boolean_schema_behind_a_ref_is_a_schema_in_openapi_31(tmp_path: Path) -> None:
    """JSON Schema 2020-12: ``true``/``false`` are schemas; behind a $ref as inline."""
    spec = BASE.replace("3.0.3", "3.1.0")
    (tmp_path / "base.yaml").write_text(spec)
    for value in ("true", "false"):
        for name, target in (("inline", value), ("ref", "{$ref: '#/x-s/Bool'}")):
            rev = spec.replace("schema: {type: object, required: [id], properties: {id: {type: integer}}}",
                               f"schema: {target}") + f"x-s:\n  Bool: {value}\n"
            (tmp_path / f"{name}.yaml").write_text(rev)
        inline = cli(tmp_path, "check", "base.yaml", "inline.yaml")
        by_ref = cli(tmp_path, "check", "base.yaml", "ref.yaml")
        assert "Traceback" not in by_ref.stderr
        assert by_ref.returncode == inline.returncode != 2, (inline.stdout, by_ref.stdout, by_ref.stderr)
        summary = [line for line in inline.stdout.splitlines() if " change" in line]
        assert summary and summary == [line for line in by_ref.stdout.splitlines() if " change" in line]
        assert "0 changes" not in summary[0]  # the schema that became a boolean is seen
    # ...and refused in 3.0, where a schema is a mapping, as an inline boolean is
    (tmp_path / "ref30.yaml").write_text((tmp_path / "ref.yaml").read_text().replace("3.1.0", "3.0.3"))
    (tmp_path / "inline30.yaml").write_text((tmp_path / "inline.yaml").read_text().replace("3.1.0", "3.0.3"))
    assert cli(tmp_path, "check", "base.yaml", "ref30.yaml").returncode == 2
    assert cli(tmp_path, "check", "base.yaml", "inline30.yaml").returncode == 2


def test_the_api_raises_a_typed_error(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "rev.yaml").write_text(BASE.replace("- {name: limit, in: query, schema: {type: integer}}",
                                                    "- {$ref: '#/x-p/Limit'}") + "x-p: {Limit: [limit]}\n")
    with pytest.raises(trustguard.InputError) as caught:
        trustguard.check(str(tmp_path / "base.yaml"), str(tmp_path / "rev.yaml"))
    assert caught.value.file is not None and caught.value.file.endswith("rev.yaml")
    assert caught.value.place == "7:12"
    assert "must point at a parameter, found a list at /x-p/Limit" in caught.value.message


def test_a_split_swagger_spec_is_compared_as_converted(tmp_path: Path) -> None:
    """Swagger 2.0 objects in a sibling file are read in their OpenAPI 3 form: the type
    change inside a response and a parameter there are seen (with and without --validate)."""
    swagger = ("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n"
               "      parameters: [{$ref: 'parts.yaml#/Limit'}]\n"
               "      responses: {'200': {$ref: 'parts.yaml#/Ok'}}\n")
    parts = ("Limit: {name: limit, in: query, type: integer, required: REQUIRED}\n"
             "Ok: {description: ok, schema: {type: object, properties: {id: {type: TYPE}}}}\n")
    (tmp_path / "v1").mkdir()
    (tmp_path / "v2").mkdir()
    for folder, required, kind in (("v1", "false", "integer"), ("v2", "true", "string")):
        (tmp_path / folder / "spec.yaml").write_text(swagger)
        (tmp_path / folder / "parts.yaml").write_text(parts.replace("REQUIRED", required).replace("TYPE", kind))
    for extra in ([], ["--validate"]):
        proc = cli(tmp_path, "check", "v1/spec.yaml", "v2/spec.yaml", "-f", "json", *extra)
        assert proc.returncode == 1, proc.stderr
        rules = {finding["rule"] for finding in json.loads(proc.stdout)["findings"]}
        assert {"request-parameter-became-required", "response-property-type-changed"} <= rules, rules
    same = cli(tmp_path, "check", "v1/spec.yaml", "v1/spec.yaml")
    assert same.returncode == 0, same.stdout


def test_a_component_of_another_kind_is_refused_where_a_parameter_goes(tmp_path: Path) -> None:
    spec = BASE.replace("- {name: limit, in: query, schema: {type: integer}}",
                        "- {$ref: '#/components/schemas/Limit'}") + (
        "components:\n  schemas:\n    Limit: {type: integer}\n")
    (tmp_path / "spec.yaml").write_text(spec)
    with pytest.raises(trustguard.InputError) as caught:
        load_openapi(str(tmp_path / "spec.yaml"))
    assert "a parameter needs 'name'" in caught.value.message
    assert "a parameter reached by $ref '#/components/schemas/Limit'" in caught.value.message


def _chain_spec(n: int, breaking: bool) -> dict[str, Any]:
    schemas: dict[str, Any] = {f"S{i}": {"$ref": f"#/components/schemas/S{i + 1}"} for i in range(n)}
    schemas[f"S{n}"] = {"type": "object", "required": ["id"],
                        "properties": {"id": {"type": "string" if breaking else "integer"}}}
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/pets": {"get": {
                "parameters": [{"$ref": f"#/components/parameters/P{0}"}],
                "responses": {"200": {"description": "ok", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/S0"}}}}}}}},
            "components": {"schemas": schemas, "parameters": {
                **{f"P{i}": {"$ref": f"#/components/parameters/P{i + 1}"} for i in range(n)},
                f"P{n}": {"name": "limit", "in": "query", "required": breaking, "schema": {"type": "integer"}}}}}


def test_a_ref_chain_is_checked_in_linear_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Doubling a chain of bare refs at most about doubles the refs the loader splits
    (the loop check used to follow every chain from every link: n * n / 2)."""
    calls = 0
    real = openapi_loader.split_ref

    def counting(ref: str) -> tuple[str, str]:
        nonlocal calls
        calls += 1
        return real(ref)

    monkeypatch.setattr(openapi_loader, "split_ref", counting)
    steps = {}
    for n in (500, 1000, 2000):
        calls = 0
        load_openapi(_chain_spec(n, False))
        steps[n] = calls
    assert steps[1000] <= 2.5 * steps[500] and steps[2000] <= 2.5 * steps[1000], steps


def test_many_refs_into_one_long_chain_are_linear_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """n path items, each a $ref to the start of one chain of n links: each link is
    followed once, not once per path item (n * n)."""
    calls = 0
    real = openapi_loader.split_ref

    def counting(ref: str) -> tuple[str, str]:
        nonlocal calls
        calls += 1
        return real(ref)

    def spec(n: int) -> dict[str, Any]:
        links: dict[str, Any] = {f"P{i}": {"$ref": f"#/x-p/P{i + 1}"} for i in range(n)}
        links[f"P{n}"] = {"get": {"responses": {"200": {"description": "ok"}}}}
        return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "x-p": links,
                "paths": {f"/p{i}": {"$ref": "#/x-p/P0"} for i in range(n)}}

    monkeypatch.setattr(openapi_loader, "split_ref", counting)
    steps = {}
    for n in (300, 600, 1200):
        calls = 0
        report = trustguard.check(spec(n), spec(n))
        assert not report.findings
        steps[n] = calls
    assert steps[600] <= 2.5 * steps[300] and steps[1200] <= 2.5 * steps[600], steps


def test_a_chain_of_10000_refs_is_judged_whole_and_in_time(tmp_path: Path) -> None:
    """The issue's input (> 60 s before), through the CLI: a generous bound fails the test
    on a hang; the breaking changes at the end of both chains (a schema and a parameter,
    past the 64 links the diff followed before) are reported."""
    (tmp_path / "base.json").write_text(json.dumps(_chain_spec(10_000, False)))
    (tmp_path / "rev.json").write_text(json.dumps(_chain_spec(10_000, True)))
    proc = cli(tmp_path, "check", "base.json", "rev.json", "-f", "json", timeout=90)
    assert proc.returncode == 1, proc.stderr
    rules = {finding["rule"] for finding in json.loads(proc.stdout)["findings"]}
    assert {"request-parameter-became-required", "response-property-type-changed"} <= rules, rules


def test_a_loop_of_refs_is_refused_at_the_ref_that_closes_it(tmp_path: Path) -> None:
    chain = {f"S{i}": {"$ref": f"#/components/schemas/S{(i + 1) % 300}"} for i in range(300)}
    spec = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"schemas": chain}}
    with pytest.raises(trustguard.InputError, match="loops back to itself"):
        load_openapi(spec)


def test_the_files_reached_by_ref_are_bounded_in_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each sibling under the bound, together over it: refused, naming the file that
    crossed it and the $ref that reached it (the bound made small for the test)."""
    monkeypatch.setattr(sources, "MAX_INPUT_BYTES", 64 * 1024)
    filler = "x" * 20_000
    paths = {f"/p{i}": {"$ref": f"p{i}.json#/P"} for i in range(5)}
    (tmp_path / "spec.json").write_text(json.dumps(
        {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}))
    for i in range(5):
        (tmp_path / f"p{i}.json").write_text(json.dumps(
            {"P": {"description": filler, "get": {"responses": {"200": {"description": "ok"}}}}}))
    with pytest.raises(trustguard.InputError) as caught:
        load_openapi(str(tmp_path / "spec.json"))
    error = caught.value
    assert error.file is not None and error.file.endswith("spec.json")
    # the spec (~200 bytes) and p0..p2 (20,080 bytes each) fit in 65,536 bytes; p3 does not
    assert error.message == ("$ref 'p3.json' reaches p3.json (20,080 bytes): the spec and the files it "
                             "reaches by $ref would total more than 65,536 bytes")
    # four files of the same size pass a bound that holds them
    monkeypatch.setattr(sources, "MAX_INPUT_BYTES", 256 * 1024)
    assert len(load_openapi(str(tmp_path / "spec.json")).files) == 5


def test_a_sibling_too_big_is_refused_before_it_is_read(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "rev.yaml").write_text(BASE.replace("'200':\n", "'200': {$ref: 'big.json#/R'}\n  x-was:\n"))
    with open(tmp_path / "big.json", "wb") as handle:  # sparse: 300 MiB on paper, nothing on disk
        handle.truncate(300 * 1024 * 1024)
    proc = cli(tmp_path, "check", "base.yaml", "rev.yaml")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("trustguard: error: rev.yaml:9:")
    assert "$ref 'big.json' reaches big.json, a file larger than 256 MiB" in proc.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_as_input_or_reached_by_ref_is_refused_not_waited_on(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    os.mkfifo(tmp_path / "fifo.yaml")
    (tmp_path / "rev.yaml").write_text(BASE.replace("'200':\n", "'200': {$ref: 'fifo.yaml#/R'}\n  x-was:\n"))
    direct = cli(tmp_path, "check", "base.yaml", "fifo.yaml", timeout=60)
    assert direct.returncode == 2 and "fifo.yaml: is a FIFO (named pipe), not a regular file" in direct.stderr
    by_ref = cli(tmp_path, "check", "base.yaml", "rev.yaml", timeout=60)
    assert by_ref.returncode == 2, by_ref.stderr
    assert by_ref.stderr.startswith("trustguard: error: rev.yaml:9:")
    assert "cannot read $ref target 'fifo.yaml' (fifo.yaml): is a FIFO" in by_ref.stderr


def test_stdin_is_still_read(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    proc = subprocess.run([sys.executable, "-m", "trustguard", "check", "base.yaml", "-"], cwd=tmp_path,
                          input=BASE, capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_swagger_refs_into_another_operation_reach_the_converted_objects(tmp_path: Path) -> None:
    """A Swagger 2.0 $ref into another operation's parameters or response: the conversion
    renumbers parameters (a body leaves the list) and moves a response's schema into its
    content; the refs still reach what they named (a KeyError crash before)."""
    body = {"name": "body", "in": "body", "schema": {"type": "object", "properties": {"n": {"type": "string"}}}}
    query = {"name": "q", "in": "query", "type": "integer"}

    def spec(breaking: bool, refs: bool) -> dict[str, Any]:
        a_query = {**query, "required": breaking}
        a_body = json.loads(json.dumps(body))
        if breaking:
            a_body["schema"]["required"] = ["n"]
        ok = {"description": "ok", "schema": {"type": "string" if breaking else "integer"}}
        b_params: list[Any] = [a_body, a_query]
        b_ok: Any = ok
        if refs:
            b_params = [{"$ref": "#/paths/~1a/post/parameters/0"}, {"$ref": "#/paths/~1a/post/parameters/1"}]
            b_ok = {"$ref": "#/paths/~1a/post/responses/200"}
        return {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {
            "/a": {"post": {"parameters": [a_body, a_query], "responses": {"200": ok}}},
            "/b": {"post": {"parameters": b_params, "responses": {"200": b_ok}}}}}

    (tmp_path / "base.json").write_text(json.dumps(spec(False, False)))
    (tmp_path / "rev.json").write_text(json.dumps(spec(True, True)))
    (tmp_path / "same.json").write_text(json.dumps(spec(False, True)))
    proc = cli(tmp_path, "check", "base.json", "rev.json", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    found = {(f["rule"], f["operation"]) for f in json.loads(proc.stdout)["findings"]}
    for op in ("POST /a", "POST /b"):
        assert ("request-parameter-became-required", op) in found, found
        assert ("response-body-type-changed", op) in found, found
        assert any(rule.startswith("request-property") and o == op for rule, o in found), found
    same = cli(tmp_path, "check", "base.json", "same.json")
    assert same.returncode == 0, same.stdout + same.stderr
