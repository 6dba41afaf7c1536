"""The customer notices in the Markdown comment: one short block under the summary (always
kept, so a shortened comment still says who to call first), and the drafts themselves,
collapsed, as many as the comment's budget leaves room for."""

from __future__ import annotations

import re

from ..model import Report
from .escape import md_html, md_text, printable

_CONTACTS = 5  # the contact-first names the summary block lists


def _size(line: str) -> int:
    """A line and its line break as GitHub counts them (UTF-16 code units)."""
    return len(line.encode("utf-16-le")) // 2 + 1


def notices_head(report: Report) -> list[str]:
    """A few lines: how many drafts, what making customers whole costs, who to call first."""
    if not report.notices:
        return []
    whole = report.make_whole
    per = "segment" if report.notices[0].audience == "segment" else "customer"
    recipients = sum(len(n.recipients) for n in report.notices)
    parts = [f"**Customer notices:** {len(report.notices):,} draft(s), one per {per}, for {recipients:,} customer(s)"]
    if whole is not None and whole.grandfathering is not None:
        g = whole.grandfathering
        cur = f"{md_text(g.currency)} " if g.currency else ""
        offered = "" if g.offered else " (not offered)"
        parts.append(f"grandfathering {g.months} month(s){offered}: {cur}{g.monthly:,.2f} a month, "
                     f"{cur}{g.total:,.2f} in all")
    if whole is not None and whole.credits:
        parts.append(f"credits offered: {whole.credits:,.2f}")
    out = [" · ".join(parts) + ".", ""]
    if whole is not None and whole.contact_first:
        names = [f"{md_text(c.name or c.id)} ({md_text(c.id)})" for c in whole.contact_first[:_CONTACTS]]
        more = len(whole.contact_first) - len(names)
        out += [f"**Contact first** (the notice is short): {', '.join(names)}"
                + (f" (+{more} more)" if more > 0 else "") + ".", ""]
    return out


def _draft(notice_lines: list[str], summary: str, body: str) -> list[str]:
    text = printable(body.rstrip("\n"))
    fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", text)), default=0))
    return [*notice_lines, f"<details><summary>{summary}</summary>", "", fence + "text", text, fence, "",
            "</details>", ""]


def drafts_section(report: Report, room: int | None) -> list[str]:
    """The drafts, collapsed, in the report's order, while they fit in ``room`` characters
    (None: all); the rest are counted, with where to find them."""
    if not report.notices:
        return []
    out = [f"#### \u2709\ufe0f Notice drafts ({len(report.notices):,})", ""]
    used = sum(_size(line) for line in out)
    shown = 0
    for notice in report.notices:
        summary = md_html(f"{notice.name or notice.id} ({notice.id}) · {notice.worst} · {notice.subject}")
        lines = _draft([], summary, notice.body)
        cost = sum(_size(line) for line in lines)
        if room is not None and used + cost > room - 200:  # leave room for the line saying the rest
            break
        out += lines
        used += cost
        shown += 1
    if shown == 0 and room is not None and used > room:
        return []
    if shown < len(report.notices):
        out += [f"_… and {len(report.notices) - shown:,} more draft(s): write them all with "
                "`--notices-out notices.md` (or `.csv` / `.jsonl` for mail merge)._", ""]
    return out
