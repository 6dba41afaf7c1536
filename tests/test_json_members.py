"""JSON read member by member: the same values as json.loads, and a second version that
takes over the members whose text it shares with the first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustguard
from trustguard.load.parse import _json_decoder, parse_json
from trustguard.parsing.json_members import decode_members

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                      max_leaves=12)
SECTIONS = st.dictionaries(st.sampled_from(["paths", "components", "info", "x-a", "é\"\\"]),
                           st.dictionaries(st.text(max_size=4), VALUES | st.dictionaries(st.text(max_size=3), VALUES, max_size=3),
                                           max_size=4) | VALUES, max_size=4)
LAYOUTS = st.sampled_from([{}, {"indent": 2}, {"indent": "\t"}, {"separators": (" , ", " : ")}, {"ensure_ascii": False}])


def _same_values(a: Any, b: Any) -> bool:
    """Equal, with keys in the same order at every level."""
    return json.dumps(a) == json.dumps(b)


@settings(max_examples=300, deadline=None)
@given(doc=SECTIONS, layout=LAYOUTS)
def test_it_reads_what_json_loads_reads(doc: dict[str, Any], layout: dict[str, Any]) -> None:
    text = json.dumps(doc, **layout)
    data, spans = decode_members(text, _json_decoder)
    assert _same_values(data, json.loads(text))
    for keys, (start, end) in spans.items():  # each span is the text of the value at its keys
        value: Any = data
        for key in keys:
            value = value[key]
        assert _same_values(json.loads(text[start:end]), value)


@settings(max_examples=200, deadline=None)
@given(base=SECTIONS, revision=SECTIONS, layout=LAYOUTS)
def test_a_second_version_reads_what_json_loads_reads(base: dict[str, Any], revision: dict[str, Any],
                                                     layout: dict[str, Any]) -> None:
    merged = {**base, **revision}  # shares some sections with the base, changes others
    base_text, text = json.dumps(base, **layout), json.dumps(merged, **layout)
    like, like_spans = decode_members(base_text, _json_decoder)
    data, _ = decode_members(text, _json_decoder, like, base_text, like_spans)
    assert _same_values(data, json.loads(text))


SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": 1},
    "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}},
              "/b": {"get": {"responses": {"200": {"description": "ok"}}}}},
    "components": {"schemas": {"A": {"type": "string"}, "B": {"type": "integer"}}},
}


def _two_versions(**changes: Any) -> tuple[Any, Any, dict[str, Any]]:
    revision = json.loads(json.dumps(SPEC))
    for pointer, value in changes.items():
        *parents, last = pointer.split("__")
        node = revision
        for token in parents:
            node = node[token]
        node[last] = value
    base_text, text = json.dumps(SPEC, indent=2), json.dumps(revision, indent=2)
    like, like_spans = decode_members(base_text, _json_decoder)
    data, _ = decode_members(text, _json_decoder, like, base_text, like_spans)
    assert data == revision
    return like, data, revision


def test_unchanged_members_are_the_first_versions_objects_and_changed_ones_are_read_anew() -> None:
    like, data, _ = _two_versions(**{"paths__/b__get__deprecated": True, "components__schemas__B": {"type": "number"}})
    assert data["paths"]["/a"] is like["paths"]["/a"]
    assert data["components"]["schemas"]["A"] is like["components"]["schemas"]["A"]
    assert data["paths"]["/b"] is not like["paths"]["/b"] and data["paths"]["/b"]["get"]["deprecated"] is True
    assert data["components"]["schemas"]["B"] == {"type": "number"}


def test_a_value_that_only_starts_like_the_old_one_is_read_in_full() -> None:
    # 1 -> 12: the old text is a prefix of the new one; only containers, which end where
    # they close, are ever taken over
    like, data, _ = _two_versions(info__version=12, **{"paths__/a": {"get": {"responses": {"200": {"description": "ok"}}},
                                                                    "x-more": []}})
    assert data["info"]["version"] == 12
    assert data["paths"]["/a"]["x-more"] == [] and data["paths"]["/a"] is not like["paths"]["/a"]


@pytest.mark.parametrize("text", [
    '{"paths": {"/a": {"x": 1}, "/a": {"x": 2}}}',  # duplicate keys: the last one wins
    '{"paths": {"/a": 1}, "paths": {"/b": 2}}',
    '[{"paths": {}}]',
    '  {"paths" :{ } , "info":{"t":"\\u00e9"}}\n\n',
    '{}',
    '{"paths": {}}',
])
def test_unusual_text_reads_as_json_loads_reads_it(text: str) -> None:
    assert _same_values(decode_members(text, _json_decoder)[0], json.loads(text))


@pytest.mark.parametrize("text", [
    '{"paths": {"/a": {"x": 1}, "/b": {"x": ',
    '{"paths": {"/a": {"x": 1}} "info": {}}',
    '{"paths": {"/a": {"x": NaN}}}',
    '{"paths": {"/a": {"x": 1}}} trailing',
])
def test_broken_text_is_refused_with_the_place_of_the_one_piece_parse(text: str) -> None:
    with pytest.raises(trustguard.InputError) as split:
        parse_json(text, "x.json")
    if "NaN" in text:  # json.loads takes it; a spec may not
        assert "NaN is not valid JSON" in str(split.value) and split.value.place == "1:24"
        return
    with pytest.raises(json.JSONDecodeError) as plain:
        json.loads(text)
    assert split.value.place == f"{plain.value.lineno}:{plain.value.colno}"


def test_loading_a_pair_shares_the_unchanged_paths_and_components(tmp_path: Path) -> None:
    revision = json.loads(json.dumps(SPEC))
    revision["components"]["schemas"]["B"] = {"type": "number"}
    (tmp_path / "base.json").write_text(json.dumps(SPEC, indent=2))
    (tmp_path / "rev.json").write_text(json.dumps(revision, indent=2))
    from trustguard.load.openapi import load_openapi

    base = load_openapi(str(tmp_path / "base.json"))
    rev = load_openapi(str(tmp_path / "rev.json"), like=base)
    assert rev.data["paths"]["/a"] is base.data["paths"]["/a"]
    assert rev.data["components"]["schemas"]["B"] is not base.data["components"]["schemas"]["B"]
    assert [c.kind for c in trustguard.diff(str(tmp_path / "base.json"), str(tmp_path / "rev.json"))] == \
        [c.kind for c in trustguard.diff(trustguard.load(str(tmp_path / "base.json")), trustguard.load(str(tmp_path / "rev.json")))]
