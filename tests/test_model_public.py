"""The plain records a check builds and the public pydantic models the API hands out
(_record.py): each record and its model declare the same fields, in the same order, with
the same defaults and private attributes; calling a record's class validates; a record
converted to its model is the model validation gives; and the package root exports the
public models."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import trustguard
from trustguard import config, model, model_notices
from trustguard._record import Record, public_class, to_public

RECORDS = [getattr(model, name) for name in ("SourcePosition", "Change", "AffectedEntity", "ImpactEvidence",
                                             "Impact", "Waiver", "Finding", "ImpactTotals", "Summary",
                                             "ReportRule", "Report")]
RECORDS += [getattr(config, name) for name in ("CustomerNoticePolicy", "ImpactPolicy", "NoticePolicy",
                                               "ReleasePolicy", "Config")]


def _default(record: type[Record], name: str) -> Any:
    if name in record._factories:
        return record._factories[name]()
    return record._defaults.get(name, "<required>")


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.__name__)
def test_a_record_and_its_public_model_declare_the_same_fields(record: type[Record]) -> None:
    public = public_class(record)
    assert issubclass(public, record) and issubclass(public, BaseModel) and public.__name__ == record.__name__
    assert list(public.model_fields) == list(record._fields)
    for name, info in public.model_fields.items():
        expected = "<required>" if info.is_required() else info.get_default(call_default_factory=True)
        if name == "pricing":  # validated by default (validate_default): its filled-in form
            expected = config.PRICING_DEFAULTS
        assert to_public(_default(record, name)) == to_public(expected), (record.__name__, name)
    assert set(public.__private_attributes__) == set(record._private)
    assert public.__doc__ == record.__doc__


def test_the_package_root_exports_the_public_models() -> None:
    for name in ("Change", "Finding", "Report", "SourcePosition", "Summary", "Waiver", "Impact", "ImpactTotals",
                 "AffectedEntity", "Config", "ImpactPolicy"):
        exported = getattr(trustguard, name)
        assert issubclass(exported, BaseModel), name
        assert exported.__module__ in ("trustguard.model_public", "trustguard.config_public"), name


def test_calling_a_record_class_validates_and_gives_the_public_model() -> None:
    position = model.SourcePosition(file="a.yaml", line=3)
    assert type(position) is trustguard.SourcePosition
    with pytest.raises(ValidationError):
        model.SourcePosition(file="a.yaml", line="three")
    with pytest.raises(ValidationError):
        config.Config(fail_on="critical")  # the public model's validators run
    assert config.Config.model_validate({"fail_on": "minor"}).fail_on == "minor"  # its classmethods too


def test_model_construct_builds_a_plain_record_with_fresh_defaults() -> None:
    a, b = model.Summary.model_construct(changes=2), model.Summary.model_construct()
    assert type(a) is model.Summary and (a.changes, b.changes) == (2, 0)
    a.by_severity["major"] = 1
    assert b.by_severity == {}


def test_a_converted_record_is_the_validated_model_and_shares_what_it_shared() -> None:
    position = model.SourcePosition.model_construct(file="a.yaml", line=3)
    change = model.new_change(kind="api.path.removed", location="/paths/~1a", operation="GET /a", source=position)
    finding = model.new_finding("removed {operation}", rule="api-path-removed", severity=model.Severity.MAJOR,
                                principle=model.Principle.BACKWARD_COMPATIBILITY, title="t", message="m",
                                change=change)
    report = model.Report.model_construct(kind=model.DocumentKind.OPENAPI, base="a", revision="b",
                                          verdict=model.Verdict.FAIL, fail_on="major",
                                          summary=model.Summary.model_construct(), findings=[finding],
                                          changes=[change])
    public = to_public(report)
    assert type(public) is trustguard.Report and type(public.findings[0]) is trustguard.Finding
    assert public.findings[0].change is public.changes[0]  # one Change, held twice, stays one
    assert public.findings[0]._template == "removed {operation}"
    validated = trustguard.Report.model_validate(public.model_dump())
    assert validated.model_dump() == public.model_dump() == report.model_dump()
    assert to_public(public) is public  # a public model is returned as it is


def test_a_public_model_field_takes_a_plain_record_as_its_public_model() -> None:
    position = model.SourcePosition.model_construct(file="a.yaml", line=3)
    change = trustguard.Change(kind="api.path.removed", source=position)
    assert type(change.source) is trustguard.SourcePosition and str(change.source) == "a.yaml:3"
    notice_policy = model_notices.CustomerNoticePolicy(max_drafts=10)
    assert isinstance(notice_policy, config.CustomerNoticePolicy)


def test_the_public_modules_are_what_importing_the_package_names() -> None:
    for module in ("trustguard.model_public", "trustguard.config_public"):
        loaded = importlib.import_module(module)
        for name in loaded.__all__:
            assert issubclass(getattr(loaded, name), Record)


def test_the_api_hands_out_public_models_only(tmp_path: Any, monkeypatch: Any) -> None:
    (tmp_path / ".git").mkdir()  # the config search stops here: no file, the default policy
    monkeypatch.chdir(tmp_path)
    found = trustguard.load_config(None, search_from=tmp_path)
    assert isinstance(found, BaseModel) and type(found) is trustguard.Config
    assert found.model_dump() == trustguard.Config().model_dump()
    spec = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}
    changes = trustguard.diff(spec, {**spec, "paths": {}})
    assert changes and all(type(c) is trustguard.Change for c in changes)
    report = trustguard.check(spec, {**spec, "paths": {}}, include_changes=True)
    assert type(report) is trustguard.Report and type(report.summary) is trustguard.Summary
    assert all(type(f) is trustguard.Finding and type(f.change) is trustguard.Change for f in report.findings)
    assert report.changes is not None and all(type(c) is trustguard.Change for c in report.changes)
