"""SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).

Every result points at a line of a revision file: code scanning drops results without one.
A finding whose place exists only in the base (a removed endpoint) points at line 1 of the
revision and says where it was. Waived findings are results with an accepted suppression,
so the alert is closed rather than lost.

A group's logical locations (up to 100 operations each, on a large API) show each
operation once and the pointer once, not each "operation pointer" text again; each
operation's printable() form is made once per run (Stripe's 180 groups list 18,000
operations, a few hundred distinct: ~7 ms). What is left of rendering Stripe's SARIF is
mostly hashing its 53,000 per-operation fingerprints (SHA-256 itself) and writing 9.7 MB.

The models in the log (the summary, impact figures, an expired waiver) are dumped by
report/json_data.py rather than pydantic: pydantic builds a model's serializer when it
first dumps one, and the first it builds in a process looks up pydantic's plug-ins in
every installed package's metadata (~5 ms of a `trustguard check -f sarif`, where no
other model had been dumped). Those dumps are where the log's only floats come from,
so json_data also says whether one is small enough to need the standard library's
spelling (report/json_dump.py) instead of the writer searching the 9.7 MB text for one:
~13 ms of the ~90 ms Stripe's log took.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from .._record import Record, fields_of
from ..model import Finding, Impact, Report, ReportRule
from .common import (
    all_findings,
    finding_fails,
    group_by_place,
    impact_summary,
    operations_of,
    operations_text,
    reaches_many,
    revision_place,
    rule_info,
    subject_of,
    waiver_text,
)
from .escape import md_text, printable
from .json_data import JsonData, Unplain
from .json_dump import dumps_sorted, dumps_sorted_file
from .markdown import md_rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/trustguard-dev/trustguard"
FINGERPRINT_KEY = "trustguard/v1"

_URL = re.compile(r"https?://[^\s<>\"`\\]+")
_LEVEL = {"blocker": "error", "major": "error", "minor": "warning", "info": "note"}
# GitHub sorts and filters alerts by this property (error, warning, recommendation).
_PROBLEM_SEVERITY = {"blocker": "error", "major": "error", "minor": "warning", "info": "recommendation"}


def artifact_uri(path: str) -> str:
    """A relative URI reference for a file path as given (absolute paths become file: URIs)."""
    path = path.replace("\\", "/")
    if path.startswith("/"):
        return "file://" + quote(path)
    if len(path) > 1 and path[1] == ":" and path[0].isalpha():
        return "file:///" + quote(path)
    return quote(path)


def _rule_name(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.replace("_", "-").split("-") if part) or rule_id


def _rule_descriptor(rule: ReportRule) -> dict[str, Any]:
    """A reportingDescriptor from the rule as the run applied it: a user's pack replaces
    the shipped text, and a severity override sets the level."""
    title = printable(rule.title)
    why = printable(rule.rationale) or title
    fix = printable(rule.remediation)
    help_text = f"{why}\n\nFix: {fix}" if fix else why
    help_md = f"**{md_rule(rule.title)}**\n\n{md_rule(rule.rationale or rule.title)}"
    if fix:
        help_md += f"\n\n**Fix:** {md_rule(rule.remediation)}"
    if rule.references:
        help_md += "\n\n" + "\n".join(
            f"- <{ref}>" if _URL.fullmatch(ref) else f"- {md_text(ref)}" for ref in rule.references
        )
    severity = rule.severity.value
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": _rule_name(rule.id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": why},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": _LEVEL[severity]},
        "properties": {
            "tags": sorted({"trustguard", rule.principle.value, rule.document}),
            "principle": rule.principle.value,
            "document": rule.document,
            "severity": severity,
            "precision": "very-high",
            "problem.severity": _PROBLEM_SEVERITY[severity],
        },
    }
    if rule.severity is not rule.pack_severity:
        descriptor["properties"]["packSeverity"] = rule.pack_severity.value
    urls = [ref for ref in rule.references if _URL.fullmatch(ref)]
    if urls:
        descriptor["helpUri"] = urls[0]
    return descriptor


MAX_RESULTS = 25_000  # code scanning rejects a run with more
_LISTED_OPERATIONS = 10
_LOGICAL_LOCATIONS = 100  # code scanning keeps at most 100 locations of a result


def _message(finding: Finding, note: str | None) -> str:
    text = f"{subject_of(finding)}: {finding.message}" if finding.operation else finding.message
    if note:
        text += f" ({note})"
    if finding.impact is not None and (finding.impact.customers or finding.impact.integrations):
        text += f" Affects {impact_summary(finding.impact)}."
    return text


class _Dumps(JsonData):
    """The log's model dumps (summary, impact figures, an expired waiver): json_data's,
    pydantic's own where json_data is unsure of a value; :attr:`small` says whether a
    float below 1e-4 went in (None: not known)."""

    def __init__(self) -> None:
        super().__init__()
        self.known = True

    def dump(self, model: Record, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
        try:
            return self.model(model, exclude)
        except Unplain:
            self.known = False
            return model.model_dump(mode="json", exclude=set(exclude) or None)

    @property
    def small(self) -> bool | None:
        return self.small_float if self.known else None


# what a result says of its finding's impact (the entities and evidence stay in the JSON report)
_IMPACT_SHOWN = frozenset({"customers", "integrations", "revenue", "revenue_share", "traffic", "traffic_share",
                           "customer_share", "estimated", "level", "customer_ids", "integration_ids", "flags"})
_IMPACT_LEFT_OUT = frozenset(fields_of(Impact)) - _IMPACT_SHOWN


def _result(report: Report, finding: Finding, index: int, dumps: _Dumps, grouped: bool = False) -> dict[str, Any]:
    """The result of one finding (``grouped``: the parts a group's result shares with
    it; :func:`_grouped_result` writes the rest)."""
    place = revision_place(report, finding)
    region: dict[str, Any] = {"startLine": place.line}
    if place.column:
        region["startColumn"] = place.column
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": artifact_uri(place.path)}, "region": region},
    }
    properties: dict[str, Any] = {
        "severity": finding.severity.value,
        "principle": finding.principle.value,
        "kind": finding.kind,
        "pointer": finding.location,
    }
    if finding.subject:
        properties["subject"] = finding.subject
    if finding.waiver_expired is not None:
        waiver = dumps.dump(finding.waiver_expired)
        properties["waiverExpired"] = {key: value for key, value in waiver.items() if value is not None}
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": _LEVEL[finding.severity.value],
        "locations": [location],
        "properties": properties,
    }
    if finding.waived is not None:
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": printable(waiver_text(finding.waived))}
        ]
    if grouped:
        return result
    logical = finding.operation or finding.subject
    if logical:
        location["logicalLocations"] = [  # shown by code scanning: no control characters
            {"name": printable(logical), "fullyQualifiedName": printable(f"{logical} {finding.location}".strip()),
             "kind": "member"}
        ]
    properties["failsPolicy"] = finding_fails(report, finding)
    if finding.impact is not None:
        properties["impact"] = dumps.dump(finding.impact, _IMPACT_LEFT_OUT)
    result["message"] = {"text": printable(_message(finding, place.note))}
    result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    return result


def _grouped_result(
    report: Report, group: list[Finding], index: int, dumps: _Dumps, shown: dict[str, str]
) -> dict[str, Any]:
    """One result for one change at one place reached by several operations (a shared
    schema): code scanning shows one alert per place, and refuses runs of more than
    25,000 results, which a large API reaches when every operation is a result.

    ``shown``: each operation's printable() form, kept across the run's groups (a large
    API's operations are listed by a hundred groups each)."""
    first = group[0]
    result = _result(report, first, index, dumps, grouped=True)
    operations = operations_of(group)
    lead = first.message if first.message.endswith((".", "!", "?")) else first.message + "."
    text = f"{lead} {operations_text(group, _LISTED_OPERATIONS, operations)}"
    customers = sorted({c for f in group if f.impact for c in f.impact.customer_ids})
    integrations = sorted({i for f in group if f.impact for i in f.impact.integration_ids})
    if customers or integrations:
        text += f" Affects {len(customers)} customer(s) and {len(integrations)} integration(s) through them."
    result["message"] = {"text": printable(text)}
    # printable() maps each character on its own, so printable(f"{op} {pointer}") is the
    # two shown apart: each operation is shown once (a group lists up to 100 of them)
    pointer = printable(first.location)
    names = []
    for op in operations[:_LOGICAL_LOCATIONS]:
        name = shown.get(op)
        if name is None:
            name = shown[op] = printable(op)
        names.append(name)
    result["locations"][0]["logicalLocations"] = [
        {"name": name, "fullyQualifiedName": f"{name} {pointer}", "kind": "member"} for name in names
    ]
    result["partialFingerprints"] = {FINGERPRINT_KEY: first.fingerprint_at(None)}
    props = result["properties"]
    props["operations"] = operations
    fingerprints: list[str] = []
    for f in group:
        fingerprints.extend(f.fingerprint_list() if f.operations else (f.fingerprint,))
    fingerprints.sort()
    props["fingerprints"] = fingerprints
    props["failsPolicy"] = any(finding_fails(report, f) for f in group)
    if customers or integrations:
        props["impact"] = {"customers": len(customers), "integrations": len(integrations),
                           "customer_ids": customers, "integration_ids": integrations}
    return result


def sarif_log(report: Report, dumps: _Dumps | None = None) -> dict[str, Any]:
    dumps = _Dumps() if dumps is None else dumps
    findings = all_findings(report)
    rules: dict[str, dict[str, Any]] = {}
    for finding in findings:
        if finding.rule not in rules:
            rules[finding.rule] = _rule_descriptor(rule_info(report, finding))
    order = sorted(rules)
    index = {rule_id: i for i, rule_id in enumerate(order)}
    shown: dict[str, str] = {}
    results = [
        _result(report, group[0], index[group[0].rule], dumps) if not reaches_many(group)
        else _grouped_result(report, group, index[group[0].rule], dumps, shown)
        for group in group_by_place(report, findings)
    ]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    notes = list(report.warnings)
    if len(results) > MAX_RESULTS:
        # findings come most severe first, so the cut keeps what matters most
        notes.append(f"{len(results):,} results: only the first {MAX_RESULTS:,} (the most severe) are in this "
                     "file, the most code scanning accepts; see the JSON report for all")
        results = results[:MAX_RESULTS]
    if notes:
        invocation["toolExecutionNotifications"] = [
            {"level": "warning", "message": {"text": printable(warning)}} for warning in notes
        ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": report.tool or "trustguard",
                "version": report.version or "0",
                "informationUri": INFORMATION_URI,
                "rules": [rules[rule_id] for rule_id in order],
            }
        },
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {
            "documentKind": report.kind.value,
            "base": report.base,
            "revision": report.revision,
            "verdict": report.verdict.value,
            "failOn": report.fail_on,
            "summary": dumps.dump(report.summary),
        },
    }
    if report.impact is not None:
        run["properties"]["impact"] = dumps.dump(report.impact)
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    dumps = _Dumps()
    log = sarif_log(report, dumps)
    return dumps_sorted(log, small_float=dumps.small, newline=True)


def render_sarif_file(report: Report, *, color: bool = False, verbose: bool = False) -> bytes:
    """The bytes of a file holding :func:`render_sarif`'s text, made without that text
    (report/json_dump.py says why)."""
    dumps = _Dumps()
    log = sarif_log(report, dumps)
    return dumps_sorted_file(log, small_float=dumps.small)
