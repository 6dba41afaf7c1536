"""What every renderer needs to say the same thing: order, verdict per finding, places,
redlines, rule metadata and number formats. Pure functions of the Report.

A finding in a schema a large API shares reaches tens of thousands of operations (53,000
in Stripe's 6-month pair): what is read per operation is read per finding, in C. A
group's operations are its findings' sorted lists merged by one sort (~10 ms less than
sorting a set's order, for SARIF), and the property path each operation reaches it at
(operations_text) is read from each finding's ``property_paths`` with set operations,
not copied into a dict of every operation (~8 ms of SARIF's rendering, a third of the
text report's). Places and rows are NamedTuples, not frozen dataclasses: made cheaply per
finding, and classes made at import in a fraction of the time (with words.DetailRow,
~2 ms of CPU of the ~25 ms Stripe's text report renders in)."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any, NamedTuple

from ..model import (
    AffectedEntity,
    Finding,
    Impact,
    ImpactTotals,
    Report,
    ReportRule,
    Severity,
    Waiver,
    reach_label,
)
from . import words

SEVERITIES: tuple[Severity, ...] = (Severity.BLOCKER, Severity.MAJOR, Severity.MINOR, Severity.INFO)
REDLINE_OPS = ("=", "-", "+")


def finding_fails(report: Report, finding: Finding) -> bool:
    """Whether this finding, alone, fails the policy of the run that produced the report.

    The verdict records it on each finding; a Report built by hand falls back to what the
    default policy decides from the report's threshold alone (its severity reaches it).
    """
    if finding.waived is not None:
        return False
    if finding.fails is not None:
        return finding.fails
    return report.fail_on != "none" and finding.severity.at_least(Severity(report.fail_on))


def by_severity(findings: Iterable[Finding]) -> list[tuple[Severity, list[Finding]]]:
    """Findings grouped by severity, worst first, keeping the report's order inside a group."""
    groups: dict[Severity, list[Finding]] = {s: [] for s in SEVERITIES}
    for finding in findings:
        groups[finding.severity].append(finding)
    return [(sev, group) for sev, group in groups.items() if group]


def severity_counts(report: Report) -> list[tuple[str, int]]:
    counts = {s.value: 0 for s in SEVERITIES}
    for finding in report.findings:
        counts[finding.severity.value] += finding.weight
    return [(sev, n) for sev, n in counts.items() if n]


def threshold_text(report: Report) -> str:
    if report.fail_on == "none":
        return "the policy never fails"
    return f"the policy fails on {report.fail_on} or worse"


def failing_count(report: Report) -> int:
    return sum(f.weight for f in report.findings if finding_fails(report, f))


def counted(findings: Iterable[Finding]) -> int:
    """How many findings these are, one per operation and location."""
    return sum(f.weight for f in findings)


def subject_of(finding: Finding) -> str:
    """The operation (``GET /pets``, ``GET /pets (+3 operations)`` for a shared schema),
    else the subject (a plan, a clause), else the pointer."""
    return reach_label(finding.operations) or finding.subject or finding.location or "-"


def detail_of(finding: Finding) -> str | None:
    """The subject inside the operation, when there is one (``data/items/name``)."""
    if finding.operation and finding.subject and finding.subject != finding.operation:
        return finding.subject
    return None


def position(finding: Finding) -> str | None:
    """``file:line`` (or ``file:line:column``) where the finding sits, when known."""
    src = finding.source
    if src is None or not src.file:
        return None
    return str(src)


def waiver_text(waiver: Waiver) -> str:
    text = waiver.reason
    if waiver.expires:
        text += f" (until {waiver.expires})"
    return text


def redline(finding: Finding) -> list[tuple[str, str]] | None:
    """The word-level redline of a terms finding, as (op, text) pairs; None when absent or malformed."""
    raw = finding.facts.get("redline")
    if not isinstance(raw, (list, tuple)) or not raw:
        return None
    out: list[tuple[str, str]] = []
    for item in raw:
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            return None
        op, text = item
        if op not in REDLINE_OPS or not isinstance(text, str):
            return None
        out.append((op, text))
    return out


def split_outer_space(text: str) -> tuple[str, str, str]:
    """(leading whitespace, core, trailing whitespace): markup must wrap the core only."""
    core = text.strip()
    if not core:
        return text, "", ""
    start = text.index(core)
    return text[:start], core, text[start + len(core):]


def money(value: float) -> str:
    """An amount without its unit (a customer's revenue in a table whose header says it)."""
    return f"{value:,.2f}"


def share(value: float) -> str:
    return f"{value:.1%}"


def number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def entity_label(entity: AffectedEntity) -> str:
    if entity.name and entity.name != entity.id:
        return f"{entity.name} ({entity.id})"
    return entity.id


def entity_bill(entity: AffectedEntity) -> str | None:
    """``99.00 -> 129.00 (+30.3%)`` when the entity carries its bill before and after."""
    if entity.bill_before is None and entity.bill_after is None:
        return None
    before = "-" if entity.bill_before is None else money(entity.bill_before)
    after = "-" if entity.bill_after is None else money(entity.bill_after)
    text = f"{before} -> {after}"
    if entity.bill_before and entity.bill_after is not None:
        delta = (entity.bill_after - entity.bill_before) / entity.bill_before
        text += f" ({delta:+.1%})"
    return text


def impact_summary(impact: Impact, currency: str | None = None) -> str:
    """One line: who a finding reaches."""
    parts = [f"{impact.customers:,} customer{'s' if impact.customers != 1 else ''}"]
    if impact.estimated:
        parts[0] += " (estimated)"
    if impact.customer_share:
        parts.append(f"{share(impact.customer_share)} of customers")
    if impact.revenue:
        parts.append(f"revenue {words.money(impact.revenue, currency)} ({share(impact.revenue_share)} of revenue)")
    if impact.traffic:
        parts.append(f"{impact.traffic:,} requests ({share(impact.traffic_share)} of traffic)")
    if impact.integrations or impact.top_integrations:  # a pricing or terms change reaches no integration
        parts.append(f"{impact.integrations:,} integration{'s' if impact.integrations != 1 else ''}")
    return ", ".join(parts)


def has_impact(finding: Finding) -> bool:
    imp = finding.impact
    return imp is not None and bool(
        imp.customers or imp.integrations or imp.top_customers or imp.top_integrations or imp.flags
    )


class TotalsRow(NamedTuple):
    label: str
    affected: str
    total: str
    share: str


def totals_rows(totals: ImpactTotals) -> list[TotalsRow]:
    """The blast radius as rows: customers, revenue, traffic, integrations (a measure the
    data did not cover, all zero, is left out)."""
    currency = words.currency_of(totals)
    rows = [
        TotalsRow("customers", f"{totals.customers_affected:,}", f"{totals.customers_total:,}", share(totals.customer_share)),
        TotalsRow("monthly revenue", words.money(totals.revenue_affected, currency, None),
                  words.money(totals.revenue_total, currency, None), share(totals.revenue_share)),
        TotalsRow("requests", f"{totals.traffic_affected:,}", f"{totals.traffic_total:,}", share(totals.traffic_share)),
        TotalsRow("integrations", f"{totals.integrations_affected:,}", "", ""),
    ]
    empty = {
        "monthly revenue": not totals.revenue_total and not totals.revenue_affected,
        "requests": not totals.traffic_total and not totals.traffic_affected,
        "integrations": not totals.integrations_affected,
    }
    return [row for row in rows if not empty.get(row.label, False)]


def document_path(name: str) -> str:
    """The file a document name refers to, with forward slashes: ``REV:path`` gives ``path``."""
    path = name.replace("\\", "/")
    rev, sep, rest = path.partition(":")
    # the same reading as the loader's: an existing file wins over a git revision
    if sep and rest and "://" not in path and not (len(rev) == 1 and rev.isalpha()) and not os.path.exists(name):
        path = rest
    if path.startswith("./"):
        path = path[2:]
    return path


class Place(NamedTuple):
    """Where a finding sits in the revision's files, for formats that need a file and a line."""

    path: str
    line: int
    column: int | None
    note: str | None  # when the finding's own place is in the base only


def revision_place(report: Report, finding: Finding) -> Place:
    """A file and line in the revision for every finding.

    Removed things sit in the base only: they point at line 1 of the revision file and
    say where they were. A ``$ref``'d sibling file is named relative to the spec's folder.
    """
    rev_path = document_path(report.revision)
    src = finding.source
    if src is None or not src.file:
        return Place(rev_path, 1, None, None)
    if src.file == report.revision:
        return Place(rev_path, src.line or 1, src.column if src.line else None, None)
    if src.file == report.base:
        note = f"in the base at {src}" if src.line else None
        return Place(rev_path, 1, None, note)
    folder = posixpath.dirname(rev_path)
    path = posixpath.normpath(posixpath.join(folder, src.file.replace("\\", "/")))
    return Place(path, src.line or 1, src.column if src.line else None, None)


def rule_info(report: Report, finding: Finding) -> ReportRule:
    """The rule behind a finding as the run applied it (its packs and severity overrides,
    carried by the report); a report built without them falls back on what the finding
    itself carries. Never the shipped packs: a user's pack may have replaced the rule."""
    rule = report.rule(finding.rule)
    if rule is not None:
        return rule
    return ReportRule(
        id=finding.rule, title=finding.title, severity=finding.severity, pack_severity=finding.severity,
        principle=finding.principle, document=report.kind.value, remediation=finding.remediation,
        references=list(finding.references),
    )


def all_findings(report: Report) -> list[Finding]:
    """Active findings, then waived ones."""
    return [*report.findings, *report.waived]


def group_by_place(report: Report, findings: list[Finding]) -> list[list[Finding]]:
    """Findings that are one change at one place of the spec, reached by several
    operations (a shared schema), grouped in their order: annotation-style outputs
    (SARIF, workflow annotations) show one entry per place."""
    from ..model import canonical

    groups: dict[tuple[object, ...], list[Finding]] = {}
    for finding in findings:
        place = revision_place(report, finding)
        key = (finding.rule, place.path, place.line, place.column, finding.location,
               canonical(finding.before), canonical(finding.after), finding.waived is not None)
        groups.setdefault(key, []).append(finding)
    return list(groups.values())


def group_subject(group: list[Finding], operations: list[str] | None = None) -> str:
    """:func:`subject_of` for a group of findings at one place: its first operation and
    how many more the group reaches (``operations``: :func:`operations_of` the group,
    when the caller has it)."""
    ops = operations_of(group) if operations is None else operations
    return reach_label(ops) if len(ops) > 1 else subject_of(group[0])


def operations_of(group: list[Finding]) -> list[str]:
    """Every operation a group of findings reaches, sorted."""
    # Each finding's operations are sorted already (Change keeps them so): sorting their
    # concatenation merges sorted runs, where sorting a set's order is n log n string
    # comparisons (53,000 operations on Stripe); dict.fromkeys then drops repeats in C.
    ops = list(chain.from_iterable(f.operations for f in group))
    ops.sort()
    return list(dict.fromkeys(ops))


def reaches_many(group: list[Finding]) -> bool:
    """Whether a group is one change reached by several operations (a shared schema)."""
    return len(group) > 1 or len(group[0].operations) > 1


def operations_text(group: list[Finding], listed: int = 10, operations: list[str] | None = None) -> str:
    """'Reached by 3 operations: GET /a, GET /b, POST /c.' for a group of findings (each
    with its property path when they reach a shared schema through different ones).
    ``operations``: :func:`operations_of` the group, when the caller has it already."""
    if operations is None:
        operations = operations_of(group)
    distinct, path_of = _path_reading(group)
    if len(distinct) > 1:  # a shared schema reached through different properties
        shown = ", ".join(f"{op} at '{path_of(op) or '(root)'}'" for op in operations[:listed])
    else:
        shown = ", ".join(operations[:listed])
    more = len(operations) - listed
    return f"Reached by {len(operations)} operations: {shown}" + (f" (+{more} more)." if more > 0 else ".")


def _path_reading(group: list[Finding]) -> tuple[set[Any], Callable[[str], Any]]:
    """The distinct property paths a group's operations reach it at, and a function
    giving each operation's: what :func:`_paths_by_operation` says, read with a few set
    operations per finding done in C rather than a dict of every operation (53,000 on
    Stripe), when no operation is in two of the findings (where the last one names it)."""
    parts: list[tuple[set[str], dict[str, str], Any]] = []  # each finding's operations, paths, own path
    distinct: set[Any] = set()
    for finding in group:
        ops, by_op, own = set(finding.operations), finding.property_paths, finding.facts.get("property_path")
        if not by_op.keys() <= ops:  # it names operations the finding lacks: read as below
            break
        distinct.update(by_op.values())
        if len(by_op) < len(ops):  # the others reach it at the finding's own path
            distinct.add(own)
        parts.append((ops, by_op, own))
    else:
        if len(parts) == 1 or len(set().union(*(p[0] for p in parts))) == sum(len(p[0]) for p in parts):

            def path_of(op: str) -> Any:
                for ops, paths, own_path in parts:
                    if op in ops:
                        return paths.get(op, own_path)
                raise KeyError(op)

            return distinct, path_of
    paths = _paths_by_operation(group)
    return set(paths.values()), paths.__getitem__


def _paths_by_operation(group: list[Finding]) -> dict[str, Any]:
    """``{op: f.path_at(op) for f in group for op in f.operations}``, one dict operation
    per finding instead of two method calls per operation (a shared schema on a large
    API: 50,000 of them per report): an operation missing from ``property_paths`` is
    reached at the finding's own ``property_path`` (:meth:`Change.path_at`)."""
    paths: dict[str, Any] = {}
    for finding in group:
        own = finding.facts.get("property_path")
        by_op = finding.property_paths
        if by_op and not by_op.keys() <= set(finding.operations):
            paths.update({op: by_op.get(op, own) for op in finding.operations})
        else:  # every operation at its own path, those property_paths names at theirs
            paths.update(dict.fromkeys(finding.operations, own))
            paths.update(by_op)
    return paths
