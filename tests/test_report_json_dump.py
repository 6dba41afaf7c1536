"""The reports' JSON text is the standard library's ``json.dumps(indent=2, sort_keys=True,
ensure_ascii=False)``, byte for byte, whichever encoder writes it (report/json_dump.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from trustguard.report import json_dump
from trustguard.report.json_dump import dumps_sorted


def _stdlib(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)


ORDINARY = [
    {"b": 1, "a": [1, 2.5, -0.0, 0.1, 1e16, 1.5e300, 0.0001, 123456789.125, True, False, None]},
    {"": {}, "Z": [], "é": [[]], "\uffff": {"x": {}}, "😀": "ü€😀", "a\u0000": "\u2028\x7f\x01\x1f\"\\/\t\n\r\b\f"},
    [{"kind": "api-response-property-removed", "message": "one-of time-series e-mail"}],
    {"big": 2**63 - 1, "neg": -(2**63), "u64": 2**64 - 1},
    "just a string", 7, None, [],
]


@pytest.mark.parametrize("data", ORDINARY)
def test_ordinary_report_values_are_written_by_the_fast_encoder_as_the_standard_library_does(
        data: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _stdlib(data)

    def refuse(_: Any) -> str:
        raise AssertionError("the standard library's encoder should not be needed here")

    monkeypatch.setattr(json_dump, "_stdlib", refuse)
    assert dumps_sorted(data) == expected


@pytest.mark.parametrize("data", [
    {"tiny": 1e-05}, {"tiny": [-1.5e-07]}, {"x": 0.00001234}, {"x": 5e-324},  # Python writes an exponent
    {"huge": 2**64}, {"huger": -(2**70)},  # beyond orjson's 64 bits
    {1: "a"},  # a key that is not a str
    {"x": "\ud800"},  # a lone surrogate
    {"fake": "the text 1e-5 and 0.00001 in a string"},  # harmless, only slower
    {"ratio": 3.2e-05, "note": "revenue share of a small customer"},
])
def test_where_the_encoders_differ_the_standard_librarys_text_is_written(data: Any) -> None:
    assert dumps_sorted(data) == _stdlib(data)


def test_deep_nesting_beyond_orjsons_limit_is_still_written() -> None:
    data: Any = "leaf"
    for _ in range(300):
        data = [data]
    assert dumps_sorted(data) == _stdlib(data)


def test_what_json_cannot_hold_is_still_refused() -> None:
    with pytest.raises(TypeError):
        dumps_sorted({"when": object()})



@pytest.mark.parametrize(("data", "small_float"), [
    *((data, None) for data in ORDINARY), *((data, False) for data in ORDINARY),
    ({"tiny": 1e-05}, None), ({"tiny": 1e-05}, True), ({"huge": 2**64}, None), ({"x": "\ud800"}, False),
])
def test_a_file_text_ends_with_one_newline_whichever_encoder_writes_it(data: Any, small_float: bool | None) -> None:
    assert dumps_sorted(data, small_float=small_float, newline=True) == _stdlib(data) + "\n"


@pytest.mark.parametrize(("data", "small_float"), [
    *((data, None) for data in ORDINARY),
    ({"tiny": 1e-05}, None), ({"tiny": 1e-05}, True), ({"huge": 2**64}, None), ({1: "a"}, None),
    ({"x": "\ud800", "y": "ü€😀"}, None), ({"x": "\udfff"}, False),
])
def test_a_files_bytes_are_its_text_as_the_writer_encodes_it(data: Any, small_float: bool | None) -> None:
    # what `-o FILE` writes: the text's UTF-8, a lone surrogate as its escape (trustguard._output)
    from trustguard.report.json_dump import dumps_sorted_file

    expected = (_stdlib(data) + "\n").encode("utf-8", "backslashreplace")
    assert dumps_sorted_file(data, small_float=small_float) == expected
    assert dumps_sorted_file(data, small_float=small_float).decode("utf-8") == dumps_sorted(
        data, small_float=small_float, newline=True).encode("utf-8", "backslashreplace").decode("utf-8")
