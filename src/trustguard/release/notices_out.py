"""The notice drafts as files: Markdown (a section per draft, for the people who review
them), CSV and JSONL (one row per recipient, for mail merge).

``--notices-out PATH`` picks the form by the file's suffix (``.md``, ``.csv``, ``.jsonl``)
and may be given several times; every file is rendered before any is written, and each is
written all or nothing (:mod:`trustguard._output`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..model import Report
from ..model_notices import CustomerNotice, MakeWhole, Recipient
from ..report.escape import csv_cell, one_line, printable
from ..report.markdown import md_rule

#: the mail-merge columns, in order (the segment letters' merge fields are among them)
CSV_COLUMNS = (
    "notice", "audience", "customer_id", "name", "plan", "plan_after", "segment", "revenue", "traffic",
    "currency", "bill_before", "bill_after", "bill_change", "credit", "effective", "worst_severity",
    "operations", "integrations", "actions", "offer", "subject", "body",
)

_NUMBERS = frozenset({"revenue", "traffic", "bill_before", "bill_after", "bill_change", "credit"})


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _merge_fields(notice: CustomerNotice, r: Recipient, credit_percent: float) -> dict[str, str]:
    """The values a segment letter's ``{{field}}`` placeholders take for one recipient."""
    change = r.bill_change
    base = r.bill_before if r.bill_before is not None else r.revenue
    return {
        "customer_id": r.id, "name": r.name or r.id, "plan": r.plan or "", "plan_after": r.plan_after or "",
        "segment": r.segment or "", "currency": notice.currency or "",
        "bill_before": _num(r.bill_before), "bill_after": _num(r.bill_after),
        "bill_change": _num(change),
        "credit": _num(round(base * credit_percent / 100, 2)) if credit_percent else "",
    }


def _fill(text: str, fields: dict[str, str]) -> str:
    for key, value in fields.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def _rows(report: Report, credit_percent: float) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for notice in report.notices:
        for r in notice.recipients:
            fields = _merge_fields(notice, r, credit_percent)
            segment = notice.audience == "segment"
            rows.append({
                "notice": notice.id, "audience": notice.audience, **fields,
                "revenue": f"{r.revenue:.2f}", "traffic": r.traffic,
                "effective": notice.effective or "", "worst_severity": notice.worst,
                "operations": r.operations if segment else sorted({o for c in notice.changes for o in c.operations}),
                "integrations": r.integrations if segment else sorted({i for c in notice.changes for i in c.integrations}),
                "actions": notice.actions, "offer": [_fill(o, fields) for o in notice.offer],
                "subject": notice.subject, "body": _fill(notice.body, fields),
            })
    return rows


def notices_csv(report: Report, credit_percent: float = 0.0) -> str:
    """One row per recipient; lists are joined with `` | `` and every cell is safe to open
    in a spreadsheet (no formula runs)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in _rows(report, credit_percent):
        cells = []
        for column in CSV_COLUMNS:
            value = row.get(column, "")
            if isinstance(value, list):
                value = " | ".join(one_line(v) for v in value)
            # numbers as numbers; text made inert (the body keeps its line breaks: the cell is quoted)
            cells.append(str(value) if column in _NUMBERS else csv_cell(value))
        writer.writerow(cells)
    return out.getvalue()


def notices_jsonl(report: Report, credit_percent: float = 0.0) -> str:
    """One JSON object per recipient and line, with the draft's changes."""
    by_id = {n.id: n for n in report.notices}
    lines = []
    for row in _rows(report, credit_percent):
        notice = by_id[row["notice"]]
        row["changes"] = [c.model_dump(mode="json") for c in notice.changes]
        lines.append(json.dumps(row, sort_keys=True, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def _md(text: object) -> str:
    from ..report.escape import md_text

    return md_text(text)


def notices_markdown(report: Report) -> str:
    """Every draft under its own heading, with the figures a reviewer checks first."""
    what = f"release {report.release.name}" if report.release is not None else f"{report.base} → {report.revision}"
    lines = [f"# Customer notices: {_md(what)}", ""]
    whole = report.make_whole
    if not report.notices:
        return "\n".join([*lines, "No affected customer: no notice to send.", ""])
    lines += _summary(report.notices, whole)
    for notice in report.notices:
        who = notice.name or notice.id
        lines += ["", f"## {_md(who)} ({_md(notice.id)})", ""]
        lines.append(f"**Subject:** {_md(notice.subject)}  ")
        lines.append(f"**Worst change:** {notice.worst} · **recipients:** {len(notice.recipients):,}")
        guidance = sorted({c.guidance for c in notice.changes if c.guidance})
        if guidance:
            lines += ["", "Before sending (the rules' advice to us):", ""]
            lines += [f"- {md_rule(g)}" for g in guidance]  # the rule author's code spans kept
        # the letter holds the inputs' own text (names, messages): fenced, it is shown
        # exactly as it will be sent and nothing in it renders as Markdown or HTML
        body = printable(notice.body.rstrip("\n"))
        fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", body)), default=0))
        lines += ["", fence + "text", body, fence]
    return "\n".join(lines) + "\n"


def _summary(notices: Sequence[CustomerNotice], whole: MakeWhole | None) -> list[str]:
    recipients = sum(len(n.recipients) for n in notices)
    kind = "segment" if notices[0].audience == "segment" else "customer"
    lines = [f"{len(notices):,} draft(s), one per {kind}, for {recipients:,} customer(s)."]
    if whole is None:
        return lines
    if whole.drafts == "segment":
        lines.append(f"More than {whole.max_drafts:,} customers are affected: one draft per segment, "
                     "with merge fields ({{name}}, {{bill_before}}...) the CSV fills per customer.")
    g = whole.grandfathering
    if g is not None:
        cur = f"{g.currency} " if g.currency else ""
        lines.append(f"Grandfathering {g.customers:,} customer(s) whose bill rises for {g.months} month(s) "
                     f"forgoes {cur}{g.monthly:,.2f} a month, {cur}{g.total:,.2f} in all"
                     + ("." if g.offered else " (not offered; shown for 12 months)."))
    if whole.credits:
        lines.append(f"The credits offered cost {whole.credits:,.2f} in all.")
    if whole.contact_first:
        lines += ["", "Contact first (notice is short):", ""]
        for c in whole.contact_first:
            shock = " · community shock" if c.community_shock else ""
            lines.append(f"- {_md(c.name or c.id)} ({_md(c.id)}): revenue {c.revenue:,.2f}, "
                         f"{c.traffic:,} requests{shock}")
    return lines


_WRITERS: dict[str, Callable[[Report, float], str]] = {
    ".md": lambda r, _c: notices_markdown(r), ".markdown": lambda r, _c: notices_markdown(r),
    ".csv": notices_csv, ".jsonl": notices_jsonl, ".ndjson": notices_jsonl,
}


def check_paths(paths: Sequence[str]) -> None:
    """Refuse a ``--notices-out`` whose suffix names no form, before any work is done."""
    for path in paths:
        if Path(path).suffix.lower() not in _WRITERS:
            raise ConfigError(f"--notices-out {path}: the file name must end in .md, .csv or .jsonl "
                              "(Markdown drafts, or mail-merge rows)")


def render_notices(report: Report, paths: Sequence[str], credit_percent: float = 0.0) -> list[tuple[str, str]]:
    """(path, text) for every ``--notices-out`` target, all rendered before any is written."""
    out = []
    for path in paths:
        writer = _WRITERS.get(Path(path).suffix.lower())
        if writer is None:
            raise ConfigError(f"--notices-out {path}: the file name must end in .md, .csv or .jsonl "
                              "(Markdown drafts, or mail-merge rows)")
        out.append((path, writer(report, credit_percent)))
    return out
