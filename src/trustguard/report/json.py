"""JSON: the Report model as it is, keys sorted, no timestamps."""

from __future__ import annotations

import json
from typing import Any

from ..model import Finding, Report


def report_dict(report: Report) -> dict[str, Any]:
    """The report, each finding once per operation and location: a finding in a shared
    schema is spelled out for every operation that reaches it (as oasdiff lists them),
    so that a script can select by ``operation``."""
    spelled = report.model_copy(update={
        "findings": report.per_operation(),
        "waived": sorted((one for f in report.waived for one in f.per_operation()), key=Finding.sort_key),
    })
    data: dict[str, Any] = spelled.model_dump(mode="json", exclude_none=False)
    if data.get("changes") is None:
        data.pop("changes", None)
    return data


def render_json(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    return json.dumps(report_dict(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def report_schema() -> dict[str, Any]:
    return Report.model_json_schema()
