"""Loading OpenAPI 3.0 / 3.1 / Swagger 2.0 from files, stdin, git revisions and dicts."""

from __future__ import annotations

import copy
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import trustguard
from trustguard.load.document import Document

DATA = Path(__file__).parent / "data" / "load"

SPEC_30 = """openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: fields, in: query, schema: {type: array, items: {type: string}}}
      responses:
        '200':
          description: a pet
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
components:
  schemas:
    Pet:
      type: object
      properties:
        name: {type: string, nullable: true}
        tags: {type: array, items: {$ref: '#/components/schemas/Pet'}}
"""


def line_of(path: Path, text: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{text!r} not in {path}")


def test_openapi_30_yaml_and_json_load_to_the_same_data(tmp_path: Path) -> None:
    as_yaml = tmp_path / "spec.yaml"
    as_yaml.write_text(SPEC_30)
    as_json = tmp_path / "spec.json"
    as_json.write_text(json.dumps(yaml.safe_load(SPEC_30), indent=2))
    from_yaml, from_json = trustguard.load(as_yaml), trustguard.load(as_json)
    assert from_yaml.data == from_json.data == yaml.safe_load(SPEC_30)
    assert from_yaml.meta["openapi_version"] == "3.0.3"
    assert from_yaml.resolve("#/components/schemas/Pet")[2]["type"] == "object"


def test_openapi_31_type_arrays_and_boolean_schemas(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\nwebhooks:\n  newPet:\n    post:\n"
        "      requestBody:\n        content:\n          application/json:\n            schema:\n"
        "              type: [object, 'null']\n              additionalProperties: false\n"
        "              properties: {any: true}\n      responses: {'200': {description: ok}}\n"
    )
    doc = trustguard.load(spec)
    assert doc.meta["openapi_version"] == "3.1.0"
    schema = doc.data["webhooks"]["newPet"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert schema["type"] == ["object", "null"]


def test_yaml_types_follow_pyyaml_safe_load(tmp_path: Path) -> None:
    text = (SPEC_30 + "x-values:\n  yes: on\n  count: 0x1F\n  ratio: 1.5e+3\n  quoted: '200'\n  empty:\n"
            "  date: 2024-01-31\n  base: &b {a: 1, b: 2}\n  merged: {<<: *b, b: 3}\n")
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    values = trustguard.load(spec).data["x-values"]
    assert values == {"true": True, "count": 31, "ratio": 1500.0, "quoted": "200", "empty": None,
                      "date": "2024-01-31", "base": {"a": 1, "b": 2}, "merged": {"a": 1, "b": 3}}


# --- Swagger 2.0 ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def swagger() -> Document:
    return trustguard.load(DATA / "swagger.yaml")


def test_swagger_is_converted_to_the_openapi_3_form(swagger: Document) -> None:
    data = swagger.data
    assert swagger.meta == {"openapi_version": "2.0", "converted_from": "swagger-2.0"}
    assert data["openapi"].startswith("3.0")
    assert data["servers"] == [{"url": "https://api.example.com/v1"}]
    schemas = data["components"]["schemas"]
    assert schemas["Pet"]["properties"]["parent"] == {"$ref": "#/components/schemas/Pet"}
    assert schemas["Pet"]["discriminator"] == {"propertyName": "kind"}
    assert schemas["Pet"]["properties"]["nickname"] == {"type": "string", "nullable": True}
    listing = data["paths"]["/pets"]["get"]
    assert listing["parameters"][0] == {"$ref": "#/components/parameters/Limit"}
    assert data["components"]["parameters"]["Limit"] == {
        "name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}}
    tags = listing["parameters"][1]
    assert (tags["style"], tags["explode"], tags["schema"]) == ("form", True, {"type": "array", "items": {"type": "string"}})
    assert listing["parameters"][2]["schema"] == {"type": "string", "maxLength": 64}
    ok = listing["responses"]["200"]
    assert ok["content"] == {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}}
    assert ok["headers"]["X-Rate-Limit"] == {"schema": {"type": "integer"}, "description": "calls per hour"}
    assert listing["responses"]["404"] == {"$ref": "#/components/responses/NotFound"}
    assert data["components"]["responses"]["NotFound"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}
    assert swagger.resolve(listing["responses"]["404"]["$ref"])[1] == "/components/responses/NotFound"


def test_swagger_bodies_and_forms_become_request_bodies(swagger: Document) -> None:
    data = swagger.data
    assert data["paths"]["/pets"]["post"]["requestBody"] == {"$ref": "#/components/requestBodies/PetBody"}
    shared = data["components"]["requestBodies"]["PetBody"]
    assert shared == {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
                      "required": True}
    put = data["paths"]["/pets/{id}"]["put"]
    assert "parameters" not in put
    assert put["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Pet"}
    assert data["paths"]["/pets/{id}"]["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    upload = data["paths"]["/pets/{id}/photo"]["post"]
    assert [p["name"] for p in upload["parameters"]] == ["id"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form == {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}, "caption": {"type": "string", "maxLength": 140}}}
    assert upload["requestBody"]["required"] is True


def test_swagger_security_schemes_keep_oauth_scopes(swagger: Document) -> None:
    schemes = swagger.data["components"]["securitySchemes"]
    assert schemes["petstore_auth"] == {"type": "oauth2", "flows": {"authorizationCode": {
        "scopes": {"read:pets": "read your pets", "write:pets": "modify pets"},
        "authorizationUrl": "https://example.com/oauth/authorize", "tokenUrl": "https://example.com/oauth/token"}}}
    assert schemes["basic"] == {"type": "http", "scheme": "basic"}
    assert schemes["api_key"] == {"type": "apiKey", "name": "X-API-Key", "in": "header"}
    assert swagger.data["paths"]["/pets"]["get"]["security"] == [{"petstore_auth": ["read:pets"]}]


@pytest.mark.parametrize(
    ("pointer", "text", "occurrence"),
    [
        ("/components/schemas/Pet/properties/name", "name: {type: string}", 1),
        ("/paths/~1pets/get/responses/200/content/application~1json/schema", "schema:", 3),
        ("/paths/~1pets~1{id}/put/requestBody/content/application~1json/schema", "schema: {$ref: '#/definitions/Pet'}", 2),
        ("/paths/~1pets~1{id}~1photo/post/requestBody/content/multipart~1form-data/schema/properties/caption",
         "name: caption", 1),
        ("/paths/~1pets/get/parameters/2/schema/maxLength", "name: X-Trace", 1),
        ("/components/securitySchemes/petstore_auth/flows/authorizationCode/scopes/read:pets", "read:pets: read", 1),
        ("/paths/~1pets/get/responses/200/headers/X-Rate-Limit/schema/type", "X-Rate-Limit:", 1),
    ],
)
def test_swagger_positions_point_into_the_swagger_file(swagger: Document, pointer: str, text: str, occurrence: int) -> None:
    position = swagger.position(pointer)
    assert position is not None
    assert position.line == line_of(DATA / "swagger.yaml", text, occurrence)


def test_swagger_dict_is_not_modified() -> None:
    raw = yaml.safe_load((DATA / "swagger.yaml").read_text())
    before = copy.deepcopy(raw)
    doc = trustguard.load(raw)
    assert raw == before
    assert "requestBodies" in doc.data["components"]


def test_swagger_collection_format_that_is_not_a_word_reads_as_the_default() -> None:
    # found by fuzzing: a mapping here used to stop the conversion with a TypeError
    spec = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/pets": {"get": {
        "parameters": [{"name": "ids", "in": "query", "type": "array", "items": {"type": "string"},
                        "collectionFormat": {"csv": True}}],
        "responses": {"200": {"description": "ok"}}}}}}
    param = trustguard.load(spec).data["paths"]["/pets"]["get"]["parameters"][0]
    assert (param["style"], param["explode"]) == ("form", False)


# --- $ref to sibling files -------------------------------------------------------------


def test_refs_to_sibling_files_resolve_across_folders_and_cycles() -> None:
    doc = trustguard.load(DATA / "refs" / "spec.yaml")
    assert sorted(doc.files) == ["schemas/common/address.yaml", "schemas/common/params.yaml",
                                 "schemas/owner.yaml", "schemas/pet.yaml"]
    schema = doc.data["paths"]["/pets/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    key, pointer, pet = doc.resolve(schema["$ref"], doc.key)
    assert (key, pointer, pet["required"]) == ("schemas/pet.yaml", "/Pet", ["name"])
    key, pointer, owner = doc.resolve(pet["properties"]["owner"]["$ref"], key)
    assert (key, pointer) == ("schemas/owner.yaml", "/Owner")
    key, _, back = doc.resolve(owner["properties"]["pets"]["items"]["$ref"], key)
    assert key == "schemas/pet.yaml" and back is pet  # the recursion closes on the same object
    key, pointer, address = doc.resolve(owner["properties"]["address"]["$ref"], "schemas/owner.yaml")
    assert (key, pointer, address["properties"]) == ("schemas/common/address.yaml", "", {"city": {"type": "string"}})
    position = doc.position("/Pet/properties/owner", "schemas/pet.yaml")
    assert position is not None
    assert (position.file, position.line) == (str(DATA / "refs" / "schemas" / "pet.yaml"), 6)


def test_external_refs_need_the_opt_in() -> None:
    with pytest.raises(trustguard.InputError, match="outside the spec's folder"):
        trustguard.load(DATA / "external" / "spec.yaml")
    doc = trustguard.load(DATA / "external" / "spec.yaml", allow_external_refs=True)
    assert doc.files["../outside/shared.yaml"] == {"Thing": {"type": "string"}}


def test_allow_external_refs_from_the_cli() -> None:
    spec = str(DATA / "external" / "spec.yaml")
    proc = subprocess.run([sys.executable, "-m", "trustguard", "check", spec, spec, "--allow-external-refs",
                           "-f", "json"], capture_output=True, text=True, check=False)
    assert "outside the spec's folder" not in proc.stderr
    refused = subprocess.run([sys.executable, "-m", "trustguard", "check", spec, spec],
                             capture_output=True, text=True, check=False)
    assert refused.returncode == 2 and "--allow-external-refs" in refused.stderr


# --- stdin, git, dict -----------------------------------------------------------------


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SPEC_30.encode())))
    doc = trustguard.load("-")
    assert doc.name == "<stdin>"
    assert doc.data["paths"]["/pets/{id}"]["get"]["responses"]["200"]["description"] == "a pet"
    position = doc.position("/components/schemas/Pet")
    expected = SPEC_30.splitlines().index("    Pet:") + 1
    assert position is not None and (position.file, position.line) == ("<stdin>", expected)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(repo), "PATH": "/usr/bin:/bin"})


def test_git_revision_reads_sibling_refs_from_the_same_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(DATA / "refs", repo / "api")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "v1")
    pet = repo / "api" / "schemas" / "pet.yaml"
    pet.write_text(pet.read_text().replace("required: [name]", "required: [name, owner]"))
    monkeypatch.chdir(repo)
    at_head = trustguard.load("HEAD:api/spec.yaml")
    assert at_head.name == "HEAD:api/spec.yaml"
    assert at_head.files["schemas/pet.yaml"]["Pet"]["required"] == ["name"]
    position = at_head.position("/Pet/required", "schemas/pet.yaml")
    assert position is not None and (position.file, position.line) == ("HEAD:api/schemas/pet.yaml", 3)
    assert trustguard.load("api/spec.yaml").files["schemas/pet.yaml"]["Pet"]["required"] == ["name", "owner"]
    with pytest.raises(trustguard.InputError, match=r"git cannot show HEAD:api/nope\.yaml"):
        trustguard.load("HEAD:api/nope.yaml")


def test_dict_input_has_no_file_positions() -> None:
    data = yaml.safe_load(SPEC_30)
    doc = trustguard.load(data)
    assert doc.data == data and doc.name == "<dict>"
    position = doc.position("/paths/~1pets~1{id}/get")
    assert position is not None and position.line is None
    with pytest.raises(trustguard.InputError, match="no folder"):
        trustguard.load({"openapi": "3.0.0", "paths": {"/a": {"$ref": "other.yaml#/a"}}})


# --- positions --------------------------------------------------------------------------

POINTERS = [
    ("/paths/~1pets~1{id}/get", "    get:"),
    ("/paths/~1pets~1{id}/get/parameters/1", "{name: fields"),
    ("/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema", "schema: {$ref"),
    ("/components/schemas/Pet/properties/tags/items", "tags: {type: array"),
    ("/components/schemas/Pet/properties/gone", "      properties:"),  # last step missing: the parent
    ("/components/schemas/Nope/deeper", "  schemas:"),
]


@pytest.mark.parametrize(("pointer", "text"), POINTERS)
def test_positions_in_yaml(tmp_path: Path, pointer: str, text: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC_30)
    position = trustguard.load(spec).position(pointer)
    assert position is not None and position.line == line_of(spec, text)


JSON_LINES = {  # pointer -> (text on the line, which occurrence)
    "/paths/~1pets~1{id}/get": ('"get": {', 1),
    "/paths/~1pets~1{id}/get/parameters/1": ('"name": "fields"', 1),
    "/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema": ('"schema": {', 3),
    "/components/schemas/Pet/properties/tags/items": ('"items": {', 2),
    "/components/schemas/Pet/properties/gone": ('"properties": {', 1),
    "/components/schemas/Nope/deeper": ('"schemas": {', 1),
}


@pytest.mark.parametrize(("pointer", "text"), sorted(JSON_LINES.items()))
def test_positions_in_json(tmp_path: Path, pointer: str, text: tuple[str, int]) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(yaml.safe_load(SPEC_30), indent=2))
    position = trustguard.load(spec).position(pointer)
    # an array item starts one line before its first member in indented JSON
    expected = line_of(spec, *text) - (1 if pointer.endswith("/parameters/1") else 0)
    assert position is not None and position.line == expected


def test_json_positions_with_escaped_keys(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text('{"openapi": "3.0.0",\n "paths": {\n  "/a/{b}": {\n   "x~y": 1,\n   "get": {"responses":\n'
                    '    {"default": {"description": "\\"quoted\\" , ]"}}}}}}\n')
    doc = trustguard.load(spec)
    assert [doc.position(p).line for p in ("/paths/~1a~1{b}", "/paths/~1a~1{b}/x~0y",  # type: ignore[union-attr]
                                           "/paths/~1a~1{b}/get/responses/default/description")] == [3, 4, 6]



def test_json_positions_do_not_depend_on_the_order_asked() -> None:
    """The locator places a pointer from the longest prefix it placed before: asking deep
    pointers first, shallow ones first, or each on a fresh locator gives the same places,
    for odd spellings too (no leading slash, a bare '/', an invalid escape)."""
    from trustguard.load.parse import Locator

    text = json.dumps(yaml.safe_load(SPEC_30), indent=2)
    data = json.loads(text)
    pointers = [*JSON_LINES, "", "/", "paths", "/paths", "/paths/~1pets~1{id}/get/x~2y", "/paths/~1pets~1{id}/get/",
                "/components/schemas/Pet/properties/tags/items/type"]
    fresh = [Locator(text, "json", data).position(p) for p in pointers]
    for order in (pointers, sorted(pointers, key=len), sorted(pointers, key=len, reverse=True)):
        locator = Locator(text, "json", data)
        answers = {p: locator.position(p) for p in order}
        assert [answers[p] for p in pointers] == fresh
    by_pointer = dict(zip(pointers, fresh, strict=True))
    assert by_pointer[""] == by_pointer["/"] == (1, 1)
    assert by_pointer["paths"] == by_pointer["/paths"] != (1, 1)
    assert by_pointer["/paths/~1pets~1{id}/get/x~2y"] == by_pointer["/paths/~1pets~1{id}/get"]



def _member_texts() -> list[str]:
    """Specs whose members sit over many blocks of lines: pretty, compact, with keys
    spelled with escapes, a space before a colon, and non-ASCII keys."""
    spec: dict[str, Any] = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {},
                            "components": {"schemas": {}}}
    for i in range(120):
        spec["paths"][f"/items/{i}/{{id}}"] = {"get": {"responses": {"200": {
            "description": "ok " * 40, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/S{i}"}}}}}}}
        spec["components"]["schemas"][f"S{i}"] = {"type": "object", "properties": {f"p{j}": {"type": "string"} for j in range(8)}}
    spec["components"]["schemas"]['odd "quoted" é'] = {"type": "object", "properties": {"x": {"type": "integer"}}}
    pretty = json.dumps(spec, indent=2)
    return [pretty, json.dumps(spec), json.dumps(spec, indent=1, ensure_ascii=False).replace('": ', '" : '),
            pretty.replace('"S7": {', '"\\u0053\\u0037": {')]


@pytest.mark.parametrize("variant", range(4))
def test_json_positions_from_member_spans_are_the_searched_ones(variant: int) -> None:
    """Members (path items, components) are placed from the spans the reader noted; every
    pointer lands where a search without spans lands, on its key, lines counted right
    across blocks of the text."""
    from json.decoder import scanstring  # type: ignore[attr-defined]

    from trustguard.load.document import resolve_pointer
    from trustguard.load.parse import Locator, _json_decoder
    from trustguard.parsing.json_members import decode_members

    text = _member_texts()[variant]
    data, spans = decode_members(text, _json_decoder)
    assert spans  # the reader read it member by member
    pointers = ["/paths", "/components/schemas"]
    for path in data["paths"]:
        where = "/paths/" + path.replace("~", "~0").replace("/", "~1")
        pointers += [where, where + "/get/responses/200/content", where + "/nope"]
    for name in data["components"]["schemas"]:
        where = "/components/schemas/" + name.replace("~", "~0").replace("/", "~1")
        pointers += [where + "/properties/p3", where, where + "/properties/x"]
    lines = text.split("\n")
    with_spans, searched = Locator(text, "json", data, spans), Locator(text, "json", data)
    for pointer in pointers:
        found = with_spans.position(pointer)
        assert found == searched.position(pointer), pointer
        line, column = found  # type: ignore[misc]
        key = pointer.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
        try:
            resolve_pointer(data, pointer)
        except KeyError:
            continue  # a missing member: placed on its parent
        at = lines[line - 1][column - 1:]
        assert at.startswith('"') and scanstring(at, 1)[0] == key, (pointer, at[:40])

# --- validation ---------------------------------------------------------------------------

INVALID = "openapi: 3.0.3\ninfo: {title: t}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok}\n"


def test_validate_lists_problems_as_warnings_and_strict_fails(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(INVALID)
    assert trustguard.load(spec).warnings == []
    warnings = trustguard.load(spec, validate=True).warnings
    assert warnings == [f"{spec}:2:1: /info: 'version' is a required property"]
    with pytest.raises(trustguard.InputError, match="not valid OpenAPI") as caught:
        trustguard.load(spec, strict=True)
    assert caught.value.place == "2:1"
    report = trustguard.check(spec, spec, validate=True)
    assert f"{spec}:2:1: /info: 'version' is a required property" in report.warnings
    proc = subprocess.run([sys.executable, "-m", "trustguard", "check", str(spec), str(spec), "--strict"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"trustguard: error: {spec}:2:1: the spec is not valid OpenAPI")


def test_validate_follows_sibling_files_without_touching_the_disk() -> None:
    doc = trustguard.load(DATA / "refs" / "spec.yaml", validate=True)
    assert doc.warnings == []
    swagger = trustguard.load(DATA / "swagger.yaml", validate=True)
    assert swagger.warnings == []


# --- a pair: the revision's members equal to the base's are not checked twice ---------


def _pair_spec(**changes: object) -> dict[str, object]:
    spec: dict[str, object] = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/pets": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Pet"}}}}}}},
            "/owners": {"get": {"responses": {"200": {"description": "ok"}}},
                        "post": {"responses": {"201": {"description": "made"}}}},
        },
        "components": {"schemas": {"Pet": {"type": "object", "properties": {"name": {"type": "string"}}},
                                   "Owner": {"type": "object"}}},
    }
    for pointer, value in changes.items():
        *parents, last = pointer.split("__")
        node: dict[str, object] = spec
        for token in parents:
            node = node[token]  # type: ignore[assignment]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return spec


def _check_pair(tmp_path: Path, base: dict[str, object], revision: dict[str, object]) -> trustguard.Report:
    (tmp_path / "base.json").write_text(json.dumps(base, indent=2))
    (tmp_path / "rev.json").write_text(json.dumps(revision, indent=2))
    return trustguard.check(str(tmp_path / "base.json"), str(tmp_path / "rev.json"), fail_on="none")


def test_a_ref_in_an_unchanged_path_item_is_still_resolved_in_the_revision(tmp_path: Path) -> None:
    # /pets is the same in both versions, but the component it refers to is gone
    revision = _pair_spec(components__schemas__Pet=None)
    with pytest.raises(trustguard.InputError) as caught:
        _check_pair(tmp_path, _pair_spec(), revision)
    assert caught.value.file == str(tmp_path / "rev.json")
    assert "unresolvable $ref '#/components/schemas/Pet'" in str(caught.value)
    assert "/paths/~1pets/get/responses/200/content/application~1json/schema/$ref" in str(caught.value)


def test_a_changed_member_of_the_revision_is_checked_in_full(tmp_path: Path) -> None:
    bad_operation = {"parameters": [{"in": "query"}], "responses": {"200": {"description": "ok"}}}
    with pytest.raises(trustguard.InputError, match="a parameter needs 'name'") as caught:
        _check_pair(tmp_path, _pair_spec(), _pair_spec(**{"paths__/owners__get": bad_operation}))
    assert caught.value.file == str(tmp_path / "rev.json")
    with pytest.raises(trustguard.InputError, match="'type' must be a string"):
        _check_pair(tmp_path, _pair_spec(), _pair_spec(components__schemas__Owner={"type": 5}))


def test_a_required_entry_that_is_not_a_name_is_refused_at_its_place(tmp_path: Path) -> None:
    # found by fuzzing: `required: [{}]` used to stop the diff with a TypeError
    owner = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id", {"name": "id"}]}
    with pytest.raises(trustguard.InputError, match="'required' lists property names, found a mapping") as caught:
        _check_pair(tmp_path, _pair_spec(), _pair_spec(components__schemas__Owner=owner))
    assert caught.value.file == str(tmp_path / "rev.json")
    assert "(at /components/schemas/Owner/required/1)" in str(caught.value)
    assert caught.value.place is not None and caught.value.place[:1].isdigit()


def test_deep_nesting_in_a_changed_member_of_the_revision_is_refused(tmp_path: Path) -> None:
    deep: dict[str, object] = {}
    node = deep
    for _ in range(200):
        node["x"] = {}
        node = node["x"]  # type: ignore[assignment]
    revision = _pair_spec(components__schemas__Owner={"type": "object", "example": deep})
    with pytest.raises(trustguard.InputError, match="nests deeper than 128 levels"):
        _check_pair(tmp_path, _pair_spec(), revision)


def test_a_pair_with_unchanged_members_diffs_as_two_separate_loads(tmp_path: Path) -> None:
    revision = _pair_spec(components__schemas__Pet={"type": "object", "properties": {"name": {"type": "integer"}}})
    report = _check_pair(tmp_path, _pair_spec(), revision)
    alone = trustguard.diff(trustguard.load(str(tmp_path / "base.json")), trustguard.load(str(tmp_path / "rev.json")))
    assert [f.rule for f in report.findings] == ["response-property-type-changed"]
    assert report.findings[0].operations == ["GET /pets"]
    assert len(alone) == 1 and alone[0].kind == report.findings[0].kind


def test_a_swagger_pair_resolves_refs_of_unchanged_paths_in_the_revision(tmp_path: Path) -> None:
    def spec(definitions: dict[str, object]) -> dict[str, object]:
        return {"swagger": "2.0", "info": {"title": "t", "version": "1"},
                "paths": {"/pets": {"get": {"responses": {"200": {
                    "description": "ok", "schema": {"$ref": "#/definitions/Pet"}}}}}},
                "definitions": definitions}

    pet = {"type": "object", "properties": {"name": {"type": "string"}}}
    changed = _check_pair(tmp_path, spec({"Pet": pet}), spec({"Pet": {**pet, "required": ["name"]}}))
    assert [(f.rule, f.operations) for f in changed.findings] == [("response-property-became-required", ["GET /pets"])]
    with pytest.raises(trustguard.InputError, match="unresolvable \\$ref '#/definitions/Pet'"):
        _check_pair(tmp_path, spec({"Pet": pet}), spec({"Other": pet}))


def test_a_base_given_as_a_dict_with_odd_values_pairs_with_a_revision_file(tmp_path: Path) -> None:
    class Ambiguous:
        """A value whose == is no truth (as numpy arrays do)."""

        def __eq__(self, other: object) -> bool:
            raise ValueError("the truth value is ambiguous")

        __hash__ = object.__hash__

    base = _pair_spec()
    base["paths"]["/owners"]["get"]["x-sample"] = Ambiguous()  # type: ignore[index]
    revision = _pair_spec()
    revision["paths"]["/owners"]["get"]["x-sample"] = 1  # type: ignore[index]
    (tmp_path / "rev.json").write_text(json.dumps(revision, indent=2))
    report = trustguard.check(base, str(tmp_path / "rev.json"), fail_on="none")
    assert report.verdict.value == "pass"
