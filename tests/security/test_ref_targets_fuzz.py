"""Fuzz: every ``$ref`` target, at every place, turned into every JSON type.

A small spec has a breaking change behind a ``$ref`` (issue 23.1: a ``$ref`` to a string,
a list, a number, null or a boolean made that change invisible and ``check`` passed).
Each ``$ref`` place (path item, parameter, request body or body parameter, response,
header, media type, schema, property, items), in OpenAPI 3.0, 3.1 and Swagger 2.0, with
the target in the components (or definitions), elsewhere in the same file (an ``x-``
place) or in a sibling file, has its target replaced by a string, a list, a number,
null, true, false, a mapping of the wrong shape and a mapping of an unrelated shape.

Asserted: never a traceback, and never a silent pass. A non-mapping target is refused
(exit 2, one line naming the file and the place) -- except a boolean schema in 3.1, which
is a schema. A mapping behaves exactly as the same value written inline does. The
unmutated target reports the breaking change (exit 1).
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from trustguard.cli import main

Json = Any
Path_ = list[str | int]

RESPONSE_SCHEMA = {
    "type": "object", "required": ["id", "tags"],
    "properties": {"id": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}},
}
BODY_SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}}


def oas3(version: str) -> Json:
    return {
        "openapi": version, "info": {"title": "t", "version": "1"},
        "paths": {"/pets": {"post": {
            "parameters": [{"name": "limit", "in": "query", "required": False, "schema": {"type": "integer"}}],
            "requestBody": {"content": {"application/json": {"schema": copy.deepcopy(BODY_SCHEMA)}}},
            "responses": {"200": {
                "description": "ok",
                "headers": {"X-Rate": {"required": True, "schema": {"type": "integer"}}},
                "content": {"application/json": {"schema": copy.deepcopy(RESPONSE_SCHEMA)}},
            }},
        }}},
    }


def swagger() -> Json:
    return {
        "swagger": "2.0", "info": {"title": "t", "version": "1"},
        "consumes": ["application/json"], "produces": ["application/json"],
        "paths": {"/pets": {"post": {
            "parameters": [
                {"name": "limit", "in": "query", "required": False, "type": "integer"},
                {"name": "body", "in": "body", "schema": copy.deepcopy(BODY_SCHEMA)},
            ],
            "responses": {"200": {"description": "ok", "schema": copy.deepcopy(RESPONSE_SCHEMA)}},
        }}},
    }


def _required_limit(item: Json) -> None:
    item["post"]["parameters"][0]["required"] = True


def _id_string(schema: Json) -> None:
    schema["properties"]["id"]["type"] = "string"


OP: Path_ = ["paths", "/pets", "post"]
# place -> (where the object is in OpenAPI 3 / in Swagger 2.0 (None: no such place),
#           the breaking change made to the object, its role for homes, a mapping of the
#           wrong shape for it)
PLACES: dict[str, tuple[Path_, Path_ | None, Any, str | None, Json]] = {
    "path item": (["paths", "/pets"], ["paths", "/pets"], _required_limit, "pathItems", {"post": "x"}),
    "parameter": ([*OP, "parameters", 0], [*OP, "parameters", 0],
                  lambda p: p.update(required=True), "parameters", {"in": "query"}),
    "request body": ([*OP, "requestBody"], [*OP, "parameters", 1],
                     lambda b: b.update(required=True), "requestBodies", {"content": [], "in": "body", "schema": 5}),
    "response": ([*OP, "responses", "200"], [*OP, "responses", "200"],
                 lambda r: _id_string(r["content"]["application/json"]["schema"] if "content" in r else r["schema"]),
                 "responses", {"description": "x", "content": "s", "schema": 5}),
    "header": ([*OP, "responses", "200", "headers", "X-Rate"], None,
               lambda h: h.update(required=False, schema={"type": "string"}), "headers", {"schema": []}),
    "media type": ([*OP, "responses", "200", "content", "application/json"], None,
                   lambda m: _id_string(m["schema"]), None, {"schema": 7}),
    "schema": ([*OP, "responses", "200", "content", "application/json", "schema"], [*OP, "responses", "200", "schema"],
               _id_string, "schemas", {"type": 5}),
    "property": ([*OP, "responses", "200", "content", "application/json", "schema", "properties", "id"],
                 [*OP, "responses", "200", "schema", "properties", "id"],
                 lambda s: s.update(type="string"), "schemas", {"type": 5}),
    "items": ([*OP, "responses", "200", "content", "application/json", "schema", "properties", "tags", "items"],
              [*OP, "responses", "200", "schema", "properties", "tags", "items"],
              lambda s: s.update(type="integer"), "schemas", {"type": 5}),
}
SCHEMA_PLACES = {"schema", "property", "items"}
SWAGGER_HOMES = {"parameters": "parameters", "requestBodies": "parameters", "responses": "responses",
                 "schemas": "definitions"}
NON_MAPPINGS: dict[str, Json] = {
    "string": "text", "list": [1, 2], "number": 3, "null": None, "true": True, "false": False,
}
VERSIONS = ("3.0.3", "3.1.0", "2.0")


def _get(node: Json, path: Path_) -> Json:
    for token in path:
        node = node[token]
    return node


def _set(node: Json, path: Path_, value: Json) -> None:
    _get(node, path[:-1])[path[-1]] = value


def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        base: Json, rev: Json, sibling: Json | None) -> tuple[int, str]:
    """``trustguard check base.json rev.json`` in this process: (exit code, stderr)."""
    (tmp_path / "base.json").write_text(json.dumps(base))
    (tmp_path / "rev.json").write_text(json.dumps(rev))
    other = tmp_path / "other.json"
    if sibling is not None:
        other.write_text(json.dumps(sibling))
    elif other.exists():
        other.unlink()
    monkeypatch.setattr(sys, "argv", ["trustguard", "check", "base.json", "rev.json"])
    capsys.readouterr()
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def build(version: str, place: str, mode: str, value: Json) -> tuple[Json, Json | None, str] | None:
    """The revision with ``value`` at ``place``: inline, or behind a ``$ref`` to the
    components ("home"), an x- place of the file ("x") or a sibling file ("sibling").
    Also the file name the ref's target is in. None when the place does not exist."""
    oas_path, swagger_path, _, home, _ = PLACES[place]
    path = swagger_path if version == "2.0" else oas_path
    if path is None:
        return None
    rev = swagger() if version == "2.0" else oas3(version)
    if mode == "inline":
        _set(rev, path, value)
        return rev, None, "rev.json"
    sibling = None
    if mode == "home":
        if home is None or (home == "pathItems" and version != "3.1.0") or (
                version == "2.0" and home not in SWAGGER_HOMES):
            return None
        if version == "2.0":
            rev.setdefault(SWAGGER_HOMES[home], {})["T"] = value
            ref = f"#/{SWAGGER_HOMES[home]}/T"
        else:
            rev.setdefault("components", {}).setdefault(home, {})["T"] = value
            ref = f"#/components/{home}/T"
    elif mode == "x":
        rev["x-targets"] = {"T": value}
        ref = "#/x-targets/T"
    else:
        sibling = {"T": value}
        ref = "other.json#/T"
    _set(rev, path, {"$ref": ref})
    return rev, sibling, "other.json" if mode == "sibling" else "rev.json"


def original(version: str, place: str) -> Json:
    oas_path, swagger_path, _, _, _ = PLACES[place]
    spec = swagger() if version == "2.0" else oas3(version)
    path = swagger_path if version == "2.0" else oas_path
    assert path is not None
    return copy.deepcopy(_get(spec, path))


def broken(version: str, place: str) -> Json:
    value = original(version, place)
    PLACES[place][2](value)
    return value


_ERROR = re.compile(r"^trustguard: error: (rev|other)\.json(:\d+:\d+: | at /\S*: )")


def assert_refused(code: int, err: str, what: str) -> None:
    assert code == 2, (what, code, err)
    assert "Traceback" not in err, (what, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and _ERROR.match(lines[0]), (what, err)


CASES = [(version, place, mode) for version in VERSIONS for place in PLACES
         for mode in ("home", "x", "sibling") if build(version, place, mode, {}) is not None]


def test_every_case_is_a_real_case() -> None:
    """The grid is what the docstring says (a guard against an empty parametrisation)."""
    assert len(CASES) >= 60
    assert {place for _, place, _ in CASES} == set(PLACES)
    assert {mode for _, _, mode in CASES} == {"home", "x", "sibling"}


@pytest.mark.parametrize(("version", "place"), sorted({(v, p) for v, p, _ in CASES}))
def test_ref_targets_of_every_type(
    version: str, place: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    base = swagger() if version == "2.0" else oas3(version)
    inline_code: dict[str, int] = {}

    def inline(name: str, value: Json) -> int:
        if name not in inline_code:
            built = build(version, place, "inline", value)
            assert built is not None
            inline_code[name] = run(tmp_path, capsys, monkeypatch, base, built[0], None)[0]
        return inline_code[name]

    for mode in ("home", "x", "sibling"):
        if (version, place, mode) not in CASES:
            continue
        what = f"{version} {place} {mode}"
        built = build(version, place, mode, broken(version, place))
        assert built is not None
        code, err = run(tmp_path, capsys, monkeypatch, base, *built[:2])
        assert "Traceback" not in err, (what, err)
        if place == "media type":  # OpenAPI has no $ref there: refused, whatever it points at
            assert_refused(code, err, what)
            assert "media type object cannot be a $ref" in err
            continue
        assert code == 1, (what, "the breaking change behind the $ref is reported", err)
        for name, value in NON_MAPPINGS.items():
            built = build(version, place, mode, value)
            assert built is not None
            code, err = run(tmp_path, capsys, monkeypatch, base, *built[:2])
            label = f"{what} -> {name}"
            if version == "3.1.0" and place in SCHEMA_PLACES and isinstance(value, bool):
                assert "Traceback" not in err, (label, err)
                assert code == inline(name, value), (label, "a boolean schema, as inline", err)
                continue
            assert_refused(code, err, label)
            if mode != "home":  # the error names the $ref, what it must reach and what it found
                assert "$ref" in err and "must point at" in err, (label, err)
        for name, value in (("wrong shape", PLACES[place][4]), ("unrelated shape", {"x-unrelated": 1})):
            built = build(version, place, mode, value)
            assert built is not None
            code, err = run(tmp_path, capsys, monkeypatch, base, *built[:2])
            label = f"{what} -> {name}"
            assert "Traceback" not in err, (label, err)
            expected = inline(name, value)
            assert code == expected, (label, "the same as inline", err)
            if name == "wrong shape":
                assert_refused(code, err, label)
            assert code != 0 or expected == 0, (label, err)


def test_inline_values_are_judged_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The other direction: the breaking change inline fails the check, an unchanged spec
    passes, and the unmutated target behind a $ref passes when nothing changed."""
    monkeypatch.chdir(tmp_path)
    for version in VERSIONS:
        base = swagger() if version == "2.0" else oas3(version)
        assert run(tmp_path, capsys, monkeypatch, base, copy.deepcopy(base), None)[0] == 0
        built = build(version, "response", "inline", broken(version, "response"))
        assert built is not None
        assert run(tmp_path, capsys, monkeypatch, base, built[0], None)[0] == 1
        for mode in ("x", "sibling"):
            built = build(version, "response", mode, original(version, "response"))
            assert built is not None
            code, err = run(tmp_path, capsys, monkeypatch, base, *built[:2])
            assert code == 0, (version, mode, err)


@pytest.mark.parametrize("version", VERSIONS)
def test_the_same_ref_to_a_changed_sibling_is_compared_by_what_it_reaches(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both versions say ``$ref: other.json#/T``; only the sibling file changed, with the
    breaking change: it is reported at every place (the refs are equal, their targets
    are not)."""
    for place in PLACES:
        if place == "media type" or (version, place, "sibling") not in CASES:
            continue
        for folder, value in (("v1", original(version, place)), ("v2", broken(version, place))):
            built = build(version, place, "sibling", value)
            assert built is not None
            (tmp_path / folder).mkdir(exist_ok=True)
            (tmp_path / folder / "spec.json").write_text(json.dumps(built[0]))
            (tmp_path / folder / "other.json").write_text(json.dumps(built[1]))
        monkeypatch.setattr(sys, "argv", ["trustguard", "check", str(tmp_path / "v1/spec.json"),
                                          str(tmp_path / "v2/spec.json")])
        capsys.readouterr()
        with pytest.raises(SystemExit) as ended:
            main()
        err = capsys.readouterr().err
        assert ended.value.code == 1, (version, place, err)


def test_a_security_scheme_in_a_sibling_file_is_compared_by_what_it_reaches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    for folder, header in (("v1", "X-Key"), ("v2", "X-Token")):
        spec = oas3("3.0.3")
        spec["security"] = [{"key": []}]
        spec["components"] = {"securitySchemes": {"key": {"$ref": "other.json#/Key"}}}
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "spec.json").write_text(json.dumps(spec))
        (tmp_path / folder / "other.json").write_text(json.dumps(
            {"Key": {"type": "apiKey", "in": "header", "name": header}}))
    monkeypatch.setattr(sys, "argv", ["trustguard", "check", str(tmp_path / "v1/spec.json"),
                                      str(tmp_path / "v2/spec.json")])
    capsys.readouterr()
    with pytest.raises(SystemExit) as ended:
        main()
    out = capsys.readouterr().out
    assert ended.value.code == 1 and "changed from X-Key to X-Token" in out, out


@pytest.mark.parametrize("flag", ["--validate", "--flatten-allof"])
@pytest.mark.parametrize("version", VERSIONS)
def test_options_do_not_open_the_gate(
    version: str, flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same judgement with --validate (the validator reads the files the loader read)
    and --flatten-allof (a rewrite of the schemas): a string target refused, the breaking
    change behind a ref to a sibling reported."""
    monkeypatch.chdir(tmp_path)
    base = swagger() if version == "2.0" else oas3(version)
    for place in ("response", "schema", "parameter"):
        for value, expected in (("text", 2), (broken(version, place), 1)):
            built = build(version, place, "sibling", value)
            assert built is not None
            (tmp_path / "base.json").write_text(json.dumps(base))
            (tmp_path / "rev.json").write_text(json.dumps(built[0]))
            (tmp_path / "other.json").write_text(json.dumps(built[1]))
            monkeypatch.setattr(sys, "argv", ["trustguard", "check", "base.json", "rev.json", flag])
            capsys.readouterr()
            with pytest.raises(SystemExit) as ended:
                main()
            err = capsys.readouterr().err
            assert ended.value.code == expected and "Traceback" not in err, (version, place, flag, err)
