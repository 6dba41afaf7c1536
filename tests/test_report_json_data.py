"""The JSON report's data built without pydantic's serializer (report/json_data.py) is
what pydantic's own dump gives: for the values it converts itself, and, through the
fallback, for every value it leaves to pydantic; and the text is the standard library's."""

from __future__ import annotations

import copy
import enum
import json
from typing import Any

import corpus
import pytest
import yaml

import trustguard
from trustguard import Finding, Impact, Report, Severity, SourcePosition
from trustguard.report import render
from trustguard.report.json import report_data
from trustguard.report.json_data import JsonData, Unplain


def _spec(required: list[str], minimum: float = 1, removed: bool = False) -> dict[str, Any]:
    order = {"type": "object", "required": required,
             "properties": {"id": {"type": "string"}, "status": {"type": "string"},
                            "total": {"type": "number", "minimum": minimum}}}
    ref = {"$ref": "#/components/schemas/Order"}

    def returns(schema: dict[str, Any]) -> dict[str, Any]:
        return {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}}

    listing = {"type": "object", "properties": {"data": {"type": "array", "items": ref}}}
    paths = {"/orders": {"get": returns(listing)}, "/orders/{id}": {"get": returns(ref), "delete": returns(ref)}}
    if not removed:
        paths["/old"] = {"get": returns(ref)}
    return {"openapi": "3.0.3", "info": {"title": "orders", "version": "1"}, "paths": paths,
            "components": {"schemas": {"Order": order}}}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    folder = tmp_path_factory.mktemp("pair")
    base, rev = folder / "base.yaml", folder / "rev.yaml"
    base.write_text(yaml.safe_dump(_spec(["id", "status"])))
    rev.write_text(yaml.safe_dump(_spec(["id"], minimum=2, removed=True)))
    return trustguard.check(base, rev, fail_on="none")


def _pydantic_report(report: Report, per_operation: bool = False) -> str:
    """The JSON report as it was written before json_data: pydantic's dump, the standard
    library's text."""
    if per_operation:
        from trustguard.report import json as json_report

        data = json_report._data(report, True, json_report._pydantic_dump)
    else:
        data = report.model_dump(mode="json", exclude_none=False)
        for key, findings in (("findings", report.findings), ("waived", report.waived)):
            for finding, dumped in zip(findings, data[key], strict=True):
                if finding.property_paths:
                    dumped["messages_by_path"] = finding.messages_at()
    for key in ("changes", "release"):
        if data.get(key) is None:
            data.pop(key, None)
    if not data.get("notices") and data.get("make_whole") is None:
        data.pop("notices", None)
        data.pop("make_whole", None)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _with_facts(report: Report, **facts: Any) -> Report:
    changed = report.model_copy(deep=True)
    first = changed.findings[0]
    first.facts = {**first.facts, **facts}
    return changed


def test_a_real_report_is_converted_here_and_equals_pydantics_dump(report: Report) -> None:
    assert len(report.findings) >= 2 and any(f.property_paths for f in report.findings)
    dumper = JsonData()
    assert dumper.model(report) == report.model_dump(mode="json", exclude_none=False)
    assert dumper.small_float is False
    for per_operation in (False, True):
        assert render(report, "json", per_operation=per_operation) == _pydantic_report(report, per_operation)


@pytest.mark.corpus
def test_stripes_report_is_converted_here() -> None:
    """The largest pair (53,000 operation places): no value of it left to pydantic."""
    folder = corpus.CORPUS / "api" / "stripe"
    big = trustguard.check(folder / "2021-10-19-spec3.json", folder / "2022-04-12-spec3.json", fail_on="none")
    assert JsonData().model(big) == big.model_dump(mode="json", exclude_none=False)


def test_a_float_field_holding_an_int_is_written_as_a_float_as_pydantic_does(report: Report) -> None:
    changed = report.model_copy(deep=True)
    changed.findings[0].impact = Impact.model_construct(**{**Impact().__dict__, "revenue": 3, "customers": 2})
    data = JsonData().model(changed)
    assert data["findings"][0]["impact"]["revenue"] == 3.0
    assert type(data["findings"][0]["impact"]["revenue"]) is float
    assert data == changed.model_dump(mode="json", exclude_none=False)
    assert render(changed, "json") == _pydantic_report(changed)


def test_a_small_float_is_noted_and_written_by_the_standard_library(report: Report) -> None:
    changed = _with_facts(report, tolerance=1e-05, negative=-2.5e-5)
    dumper = JsonData()
    dumper.model(changed)
    assert dumper.small_float is True
    text = render(changed, "json")
    assert '"tolerance": 1e-05' in text and '"negative": -2.5e-05' in text
    assert text == _pydantic_report(changed)
    # and without one, nothing is noted
    plain = _with_facts(report, tolerance=0.5, zero=0.0)
    dumper = JsonData()
    dumper.model(plain)
    assert dumper.small_float is False
    assert render(plain, "json") == _pydantic_report(plain)


class _Colour(enum.Enum):
    RED = "red"


@pytest.mark.parametrize("value", [
    (1, 2),  # a tuple: pydantic writes a list
    {3, 4},  # a set
    {1: "a"},  # a key that is not a string: pydantic writes "1"
    float("inf"),  # a non-finite float
    Severity.MAJOR,  # an enum in an Any value: pydantic writes its value
    _Colour.RED,
    b"bytes",
])
def test_values_it_does_not_convert_are_left_to_pydantic_with_the_same_result(report: Report, value: Any) -> None:
    changed = _with_facts(report, odd=value)
    with pytest.raises(Unplain):
        JsonData().model(changed)
    expected = changed.model_dump(mode="json", exclude_none=False)
    assert report_data(changed)[0]["findings"][0]["facts"]["odd"] == expected["findings"][0]["facts"]["odd"]
    if value != float("inf"):  # (pydantic keeps inf in a typed field: the text differs by encoder)
        assert render(changed, "json") == _pydantic_report(changed)


def test_a_value_not_of_its_fields_type_is_left_to_pydantic(report: Report) -> None:
    changed = report.model_copy(deep=True)
    changed.findings[0].__dict__["fails"] = 1  # an int where a bool goes
    with pytest.raises(Unplain):
        JsonData().model(changed)

    class Position(SourcePosition):
        note: str = "a subclass"

    changed = copy.copy(report)
    changed.__dict__["findings"] = [report.findings[0].model_copy(update={"source": Position(file="x", line=1)})]
    with pytest.raises(Unplain):
        JsonData().model(changed)
    assert render(changed, "json") == _pydantic_report(changed)


def test_a_finding_is_written_with_its_change_fields_flat_as_its_serializer_writes_it(report: Report) -> None:
    finding: Finding = report.findings[0]
    data = JsonData().model(finding)
    assert "change" not in data and "base_source" not in data
    assert list(data) == list(finding.model_dump(mode="json"))
    assert data == finding.model_dump(mode="json")
