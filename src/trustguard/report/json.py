"""JSON: the Report model as it is, keys sorted, no timestamps."""

from __future__ import annotations

import json
from typing import Any

from ..model import Finding, Report


def report_dict(report: Report) -> dict[str, Any]:
    """The report, each finding once per operation and location: a finding in a shared
    schema is spelled out for every operation that reaches it (as oasdiff lists them),
    so that a script can select by ``operation``."""
    data: dict[str, Any] = report.model_dump(mode="json", exclude_none=False, exclude={"findings", "waived"})
    data["findings"] = _spelled(report.findings)
    data["waived"] = _spelled(report.waived)
    if data.get("changes") is None:
        data.pop("changes", None)
    return data


def _spelled(findings: list[Finding]) -> list[dict[str, Any]]:
    """Each finding dumped once, then copied per operation (a shared schema on a large
    API is tens of thousands of entries; dumping one model per entry is the slow part)."""
    out: list[tuple[tuple[int, str, str, str, str], dict[str, Any]]] = []
    for finding in findings:
        dumped = finding.model_dump(mode="json", exclude_none=False)
        if len(finding.operations) <= 1:
            out.append((finding.sort_key(), dumped))
            continue
        prints = finding.fingerprints()
        if finding.property_paths:  # operations reach it at different paths: each is named its way
            facts: dict[Any, dict[str, Any]] = {}  # one facts object per path, shared by its entries
            for op, (subject, message) in finding.names().items():
                path = finding.path_at(op)
                if path not in facts:
                    facts[path] = dict(dumped["facts"], property_path=path)
                entry = dict(dumped, operation=op, operations=[op], property_paths={}, subject=subject,
                             message=message, fingerprint=prints[op], facts=facts[path])
                out.append((finding.sort_key_at(op, subject), entry))
            continue
        for op in finding.operations:
            one = dict(dumped, operation=op, operations=[op], fingerprint=prints[op])
            out.append((finding.sort_key_at(op), one))
    out.sort(key=lambda item: item[0])
    return [entry for _, entry in out]


def render_json(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    return json.dumps(report_dict(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def report_schema() -> dict[str, Any]:
    return Report.model_json_schema()
