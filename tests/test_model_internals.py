"""A Change or Finding a stage builds fast (``new_change``, ``new_finding``: a plain record,
unvalidated) is the object validation builds once the API makes it its public model
(``_record.to_public``, which fills pydantic's ``__dict__``, ``__pydantic_fields_set__``,
``__pydantic_extra__`` and ``__pydantic_private__``; pydantic is pinned below 3 in
pyproject.toml) -- equal, dumped alike, copied alike, its private message template kept.
A pydantic release that stores these elsewhere fails here, not in a report."""

from __future__ import annotations

import json

from trustguard import Change, Finding, Principle, Report, Severity, SourcePosition
from trustguard import model as records
from trustguard._record import to_public
from trustguard.model import new_change, new_finding

VALUES = {
    "kind": "api.schema.max-length.decreased", "location": "/paths/~1a/get", "operations": ["GET /a", "GET /b"],
    "subject": "name", "before": 10, "after": 5, "facts": {"direction": "request", "property_path": "name"},
    "property_paths": {"GET /a": "name", "GET /b": "data/name"}, "source": SourcePosition(file="a.yaml", line=3),
}


def _finding(change: Change, fast: bool) -> Finding:
    fields = {"rule": "request-max-length-decreased", "severity": Severity.MAJOR,
              "principle": Principle.BACKWARD_COMPATIBILITY, "title": "Max length decreased",
              "message": "name: at most 5 characters", "change": change, "fingerprint": "f"}
    if fast:
        return new_finding(template="{subject}: at most {after} characters", **fields)
    return Finding(**fields)


def test_a_fast_change_is_a_validated_change() -> None:
    fast, slow = new_change(**VALUES), Change(**VALUES)
    assert type(fast) is records.Change and type(slow) is Change  # the record, its public model
    assert to_public(fast) == slow and type(to_public(fast)) is Change
    assert fast.model_dump() == slow.model_dump()
    assert fast.operation == "GET /a" and fast.weight == 2
    assert to_public(fast).model_fields_set >= set(VALUES) | {"operation"}
    copied = fast.model_copy(update={"after": 4})
    assert copied.after == 4 and fast.after == 5 and copied.facts == fast.facts
    # mutable defaults are not shared between fast-built objects
    a, b = new_change(kind="k"), new_change(kind="k")
    a.facts["x"] = 1
    assert b.facts == {}


def test_a_fast_finding_is_a_validated_finding_and_keeps_its_template() -> None:
    change = Change(**VALUES)
    fast, slow = _finding(change, True), _finding(change, False)
    assert fast.model_dump() == slow.model_dump()
    assert fast._template == "{subject}: at most {after} characters"
    assert to_public(fast).__pydantic_private__ == {"_template": "{subject}: at most {after} characters"}
    # the template names each operation as it reaches the change (a private attribute read back)
    names = fast.names()
    assert names["GET /b"] == ("data/name", "data/name: at most 5 characters")
    one = fast.only(["GET /b"])
    assert (one.operations, one.subject, one.message) == (["GET /b"], "data/name", "data/name: at most 5 characters")
    assert one._template == fast._template


def test_a_report_of_fast_findings_reads_back_from_its_json() -> None:
    finding = _finding(new_change(**VALUES), True)
    report = Report.model_validate({"kind": "openapi", "base": "a", "revision": "b", "verdict": "fail",
                                    "fail_on": "major", "summary": {"changes": 2, "findings": 2}, "findings": [finding]})
    data = json.loads(report.model_dump_json())
    assert data["findings"][0]["kind"] == VALUES["kind"] and "change" not in data["findings"][0]
    back = Report.model_validate(data)
    assert back.findings[0].change == to_public(finding.change)
    assert back.findings[0].model_dump() == finding.model_dump()


def test_setting_a_finding_field_copies_its_change_and_leaves_the_shared_one_alone() -> None:
    change = Change(**VALUES)
    finding = _finding(change, True)
    finding.facts = {**finding.facts, "document": "api"}
    finding.source = SourcePosition(file="b.yaml", line=9)
    assert finding.facts["document"] == "api" and finding.change.source == SourcePosition(file="b.yaml", line=9)
    assert "document" not in change.facts and change.source == SourcePosition(file="a.yaml", line=3)
    finding.operations = ["GET /b"]
    assert (finding.operation, finding.weight) == ("GET /b", 1) and change.operations == ["GET /a", "GET /b"]
