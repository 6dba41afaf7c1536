"""JSON: the Report model as it is, keys sorted, no timestamps."""

from __future__ import annotations

import json
from typing import Any

from ..model import Report


def report_dict(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = report.model_dump(mode="json", exclude_none=False)
    if data.get("changes") is None:
        data.pop("changes", None)
    return data


def render_json(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    return json.dumps(report_dict(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def report_schema() -> dict[str, Any]:
    return Report.model_json_schema()
