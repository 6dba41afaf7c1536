"""JSON: the Report model as it is, keys sorted, no timestamps.

Two forms of the findings (the report's ``form`` says which):

- ``grouped`` (the default): one finding per change and place, listing every operation
  it reaches in ``operations`` (and, when they reach a shared schema through different
  properties, each one's path in ``property_paths`` and the message at each path in
  ``messages_by_path``), as SARIF and the text report show them. A change in a schema
  that a large API shares is one entry, not tens of thousands, and the JSON reads back
  into the very Report it was written from.
- ``per-operation``: each finding once per operation and place, with that operation's
  fingerprint, subject and message (as oasdiff lists them), for a script that selects by
  ``operation`` (``messages_by_path`` is left out: each entry has its own message).

The data is built by :mod:`trustguard.report.json_data` (pydantic's own dump when it is
not sure of a value), which also says whether the text needs searching for a float
orjson would write otherwise (:mod:`trustguard.report.json_dump`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._record import Record
from ..model import FINDING_CHANGE_FIELDS, FORM_PER_OPERATION, Finding, Report
from .json_data import JsonData, Unplain
from .json_dump import dumps_sorted, dumps_sorted_file


def report_data(report: Report, per_operation: bool = False) -> tuple[dict[str, Any], bool | None]:
    """The report as JSON data, its findings grouped (default) or spelled out per
    operation; and whether a float below 1e-4 went in (None: not known)."""
    try:
        dumper = JsonData()
        data = _data(report, per_operation, dumper.model)
        small: bool | None = dumper.small_float
    except Unplain:  # a value json_data leaves to pydantic: the same data, its way
        data, small = _data(report, per_operation, _pydantic_dump), None
    if data.get("changes") is None:
        data.pop("changes", None)
    if data.get("release") is None:  # only a release's report has one (trustguard release)
        data.pop("release", None)
    if not data.get("notices") and data.get("make_whole") is None:  # only with impact data
        data.pop("notices", None)
        data.pop("make_whole", None)
    return data, small


Dump = Callable[[Record, frozenset[str]], dict[str, Any]]


def _pydantic_dump(model: Record, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=False, exclude=set(exclude) or None)


def _data(report: Report, per_operation: bool, dump: Dump) -> dict[str, Any]:
    if not per_operation:
        data = dump(report, frozenset())  # the report's own form
        for key, findings in (("findings", report.findings), ("waived", report.waived)):
            for finding, dumped in zip(findings, data[key], strict=True):
                if finding.property_paths:
                    dumped["messages_by_path"] = finding.messages_at()
        return data
    data = dump(report, _FINDING_LISTS)
    data["findings"] = _spelled(report.findings, dump)
    data["waived"] = _spelled(report.waived, dump)
    data["form"] = FORM_PER_OPERATION
    return data


_FINDING_LISTS = frozenset(("findings", "waived"))
_NO_MESSAGES = frozenset(("messages_by_path",))


def _spelled(findings: list[Finding], dump: Dump) -> list[dict[str, Any]]:
    """Each finding dumped once, then copied per operation (a shared schema on a large
    API is tens of thousands of entries; dumping one model per entry is the slow part)."""
    out: list[tuple[tuple[int, str, str, str, str], dict[str, Any]]] = []
    for finding in findings:
        # each entry is named at its own path: no other paths' messages (nor 53k empty maps)
        dumped = dump(finding, _NO_MESSAGES)
        if len(finding.operations) <= 1:
            out.append((finding.sort_key(), dumped))
            continue
        prints = finding.fingerprints()
        if finding.property_paths:  # operations reach it at different paths: each is named its way
            facts: dict[Any, dict[str, Any]] = {}  # one facts object per path, shared by its entries
            by_op, own = finding.property_paths, finding.facts.get("property_path")
            for op, (subject, message) in finding.names().items():
                path = by_op.get(op, own)  # finding.path_at(op), read once per finding
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


def render_json(report: Report, *, color: bool = False, verbose: bool = False, per_operation: bool = False) -> str:
    data, small_float = report_data(report, per_operation)
    return dumps_sorted(data, small_float=small_float, newline=True)


def render_json_file(report: Report, *, color: bool = False, verbose: bool = False, per_operation: bool = False) -> bytes:
    """The bytes of a file holding :func:`render_json`'s text, made without that text
    (report/json_dump.py says why)."""
    data, small_float = report_data(report, per_operation)
    return dumps_sorted_file(data, small_float=small_float)


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the JSON report: a finding's change fields flat, as written."""
    schema: dict[str, Any] = Report.model_json_schema()
    defs = schema["$defs"]
    finding, change = defs["Finding"], defs["Change"]
    fields = finding["properties"]
    fields.pop("change")
    fields.update({name: change["properties"][name] for name in FINDING_CHANGE_FIELDS})
    required = [name for name in finding["required"] if name != "change"]
    required.insert(required.index("principle") + 1, "kind")  # where the flat model had it
    finding["required"] = required
    finding["description"] = finding["description"].split("\n", 1)[0].split(". ", 1)[0].rstrip(".") + "."
    return schema
