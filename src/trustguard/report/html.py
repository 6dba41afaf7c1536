"""One self-contained HTML page for a product team before an announcement: the verdict and
the blast radius first, then every finding with what to do, where it is, the clause redline
and who it reaches. Inline CSS only: no script, no external asset. All text is escaped."""

from __future__ import annotations

import re

from ..model import AffectedEntity, Finding, Impact, Report
from . import words
from .common import (
    by_severity,
    counted,
    detail_of,
    entity_bill,
    failing_count,
    finding_fails,
    impact_summary,
    operations_text,
    position,
    redline,
    rule_info,
    severity_counts,
    subject_of,
    threshold_text,
    totals_rows,
    waiver_text,
)
from .escape import html_text

_CSS = """
:root{--blocker:#a4001d;--major:#d1242f;--minor:#9a6700;--info:#0969da;--ok:#1a7f37;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font:15px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);margin:0 auto;max-width:1040px;padding:24px}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--bg);padding:1px 4px;border-radius:4px}
header{border-left:8px solid var(--ok);padding:8px 16px;margin-bottom:24px}
header.fail{border-color:var(--major)}
header h1{margin:0;font-size:22px}
.verdict{font-weight:700;font-size:18px}
.fail .verdict{color:var(--major)}.pass .verdict{color:var(--ok)}
.muted{color:var(--muted)}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:180px}
.card b{display:block;font-size:22px}
.chips span{display:inline-block;border-radius:12px;padding:1px 10px;margin-right:6px;color:#fff;font-size:13px}
.flag{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:6px 10px;margin:6px 0}
.warn{background:#fff1e5;border:1px solid #fb8f44;border-radius:6px;padding:6px 10px;margin:6px 0}
table{border-collapse:collapse;margin:8px 0;font-size:14px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:var(--bg)}
article{border:1px solid var(--line);border-left:6px solid var(--info);border-radius:6px;padding:10px 16px;margin:12px 0}
article h3{margin:0 0 4px;font-size:16px}
article dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0}
article dt{color:var(--muted)}article dd{margin:0}
.sev-blocker{border-left-color:var(--blocker)}.sev-major{border-left-color:var(--major)}
.sev-minor{border-left-color:var(--minor)}.sev-info{border-left-color:var(--info)}
.tag{border-radius:10px;padding:0 8px;color:#fff;font-size:12px;text-transform:uppercase}
.b-blocker{background:var(--blocker)}.b-major{background:var(--major)}.b-minor{background:var(--minor)}.b-info{background:var(--info)}
.fails{color:var(--major);font-size:13px;font-weight:600}
.redline{white-space:pre-wrap;background:var(--bg);border-radius:6px;padding:8px 12px}
del{background:#ffebe9;color:#82071e}ins{background:#dafbe1;color:#116329;text-decoration:none;font-weight:600}
footer{margin-top:32px;color:var(--muted);font-size:13px}
"""

_TITLE = {"blocker": "Blockers", "major": "Major", "minor": "Minor", "info": "Info"}
_TOP = 10
_URL = re.compile(r"https?://[^\s<>\"'`\\]+")


def e(text: object) -> str:
    """Any value as HTML text or attribute: escaped, on one line, controls shown."""
    return html_text(text)


def _entities(kind: str, entities: list[AffectedEntity], verbose: bool, currency: str | None) -> list[str]:
    shown = entities if verbose else entities[:_TOP]
    with_bill = any(x.bill_before is not None or x.bill_after is not None for x in shown)
    unit = f"{currency} a month" if currency else "a month"
    out = [
        "<table>",
        f"<tr><th>{e(kind)}</th><th>id</th><th>plan</th><th>revenue ({e(unit)})</th><th>requests</th>"
        + ("<th>bill before → after</th>" if with_bill else "")
        + "</tr>",
    ]
    for x in shown:
        row = (
            f"<tr><td>{e(x.name or x.id)}</td><td><code>{e(x.id)}</code></td><td>{e(x.plan or '')}</td>"
            f'<td class="n">{x.revenue:,.2f}</td><td class="n">{x.traffic:,}</td>'
        )
        if with_bill:
            row += f'<td class="n">{e(entity_bill(x) or "")}</td>'
        out.append(row + "</tr>")
    out.append("</table>")
    if len(entities) > len(shown):
        out.append(f'<p class="muted">… and {len(entities) - len(shown)} more {e(kind)}s.</p>')
    return out


def _impact(ctx: words.RenderContext, impact: Impact) -> list[str]:
    out = [f"<p><strong>Affects</strong> {e(impact_summary(impact, ctx.currency))}</p>"]
    out += [f'<p class="flag">⚠ {e(ctx.flags(flag, impact.details))}</p>' for flag in impact.flags]
    if impact.top_customers:
        out += _entities("customer", impact.top_customers, ctx.verbose, ctx.currency)
    if impact.top_integrations:
        out += _entities("integration", impact.top_integrations, ctx.verbose, ctx.currency)
    return out




def _redline(pairs: list[tuple[str, str]]) -> str:
    parts = []
    for op, text in pairs:
        # the clause's own line breaks are kept (the block is pre-wrap)
        text = html_text(text, keep_newlines=True)
        if op == "-":
            parts.append(f"<del>{text}</del>")
        elif op == "+":
            parts.append(f"<ins>{text}</ins>")
        else:
            parts.append(text)
    return f'<p class="redline">{"".join(parts)}</p>'


def rich(text: str) -> str:
    """Text written by a rule's author: escaped, with its `code spans` shown as code."""
    return re.sub(r"`([^`\n]+)`", r"<code>\1</code>", e(text))


def _reference(text: str) -> str:
    if _URL.fullmatch(text):
        return f'<a href="{e(text)}">{e(text)}</a>'
    return e(text)


def _finding(ctx: words.RenderContext, finding: Finding) -> list[str]:
    report, verbose = ctx.report, ctx.verbose
    info = rule_info(report, finding)
    sev = finding.severity.value
    fails = ' <span class="fails">fails the policy</span>' if finding_fails(report, finding) else ""
    out = [
        f'<article class="sev-{sev}" id="f-{e(finding.fingerprint)}">',
        f'<h3><span class="tag b-{sev}">{sev}</span> {rich(info.title)}{fails}</h3>',
        f'<p class="muted"><code>{e(finding.rule)}</code> · {e(subject_of(finding))}</p>',
        f"<p>{e(finding.message)}</p>",
        "<dl>",
    ]
    if info.rationale:
        out.append(f"<dt>Why it matters</dt><dd>{rich(info.rationale)}</dd>")
    if info.remediation:
        out.append(f"<dt>What to do</dt><dd>{rich(info.remediation)}</dd>")
    detail = detail_of(finding)
    if detail:
        out.append(f"<dt>Subject</dt><dd><code>{e(detail)}</code></dd>")
    if len(finding.operations) > 1:
        out.append(f"<dt>Operations</dt><dd>{e(operations_text([finding], 1000 if verbose else 25))}</dd>")
    where = position(finding)
    place = (f"<code>{e(where)}</code> " if where else "") + (f"<code>{e(finding.location)}</code>" if finding.location else "")
    if place:
        out.append(f"<dt>Where</dt><dd>{place}</dd>")
    out.append(f"<dt>Principle</dt><dd>{e(info.principle.value)} · <code>{e(finding.kind)}</code></dd>")
    if finding.waiver_expired is not None:
        w = finding.waiver_expired
        out.append(f"<dt>Waiver</dt><dd>expired on {e(w.expires)}: {e(w.reason)}</dd>")
    if info.references:
        out.append("<dt>References</dt><dd>" + ", ".join(_reference(r) for r in info.references) + "</dd>")
    out.append(f"<dt>Fingerprint</dt><dd><code>{e(finding.fingerprint)}</code></dd>")
    out.append("</dl>")
    pairs = redline(finding)
    if pairs is not None:
        out.append(_redline(pairs))
    if finding.impact is not None:
        out += _impact(ctx, finding.impact)
    out.append("</article>")
    return out


def _totals(ctx: words.RenderContext) -> list[str]:
    t = ctx.report.impact
    if t is None:
        return []
    out = ['<section id="impact"><h2>Blast radius</h2>', '<div class="cards">']
    for row in totals_rows(t):
        of = f" of {e(row.total)}" if row.total else ""
        pct = f" · {e(row.share)}" if row.share else ""
        out.append(f'<div class="card"><b>{e(row.affected)}</b>{e(row.label)} affected{of}{pct}</div>')
    out.append("</div>")
    out += [f'<p class="flag">⚠ {e(ctx.flags(flag, t.details))}</p>' for flag in t.flags]
    rows = [r for r in words.detail_rows(t) if ctx.verbose or not r.verbose_only]
    if rows:
        out += ["<table>", *[f'<tr><th>{e(r.label)}</th><td class="n">{e(r.value)}</td></tr>' for r in rows], "</table>"]
    out.append("</section>")
    return out


def render_html(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    verdict = "PASS" if report.passed else "FAIL"
    failing = failing_count(report)
    title = f"trustguard {verdict}: {report.kind.value} {report.base} → {report.revision}"
    reason = (
        "no finding fails the policy" if report.passed
        else f"{failing} finding{'s' if failing != 1 else ''} fail{'s' if failing == 1 else ''} the policy"
    )
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f'<header class="{verdict.lower()}">',
        f"<h1>trustguard · {e(report.kind.value)}</h1>",
        f'<p class="muted"><code>{e(report.base)}</code> → <code>{e(report.revision)}</code></p>',
        f'<p><span class="verdict">{verdict}</span> — {e(reason)} ({e(threshold_text(report))}).</p>',
        "</header>",
    ]
    ctx = words.RenderContext.of(report, verbose)
    if report.release is not None:  # a release: its dates, notice and announcement first
        from .release import summary_rows

        out.append('<section id="release"><h2>Release</h2><dl>')
        out += [f"<dt>{e(r.label)}</dt><dd>{e(r.value)}</dd>" for r in summary_rows(report.release)]
        out.append("</dl></section>")
    out += _totals(ctx)
    chips = "".join(f'<span class="b-{sev}">{n} {sev}</span>' for sev, n in severity_counts(report))
    s = report.summary
    out.append(
        f'<p class="chips">{chips}<span class="muted">{counted(report.findings)} finding(s), '
        f"{counted(report.waived)} waived, {s.changes} change(s)</span></p>"
    )
    if report.warnings:
        out.append('<section id="warnings"><h2>Warnings</h2>')
        out += [f'<p class="warn">{e(w)}</p>' for w in report.warnings]
        out.append("</section>")
    for severity, group in by_severity(report.findings):
        sev = severity.value
        out.append(f'<section id="{sev}"><h2>{_TITLE[sev]} ({counted(group)})</h2>')
        for finding in group:
            out += _finding(ctx, finding)
        out.append("</section>")
    if not report.findings:
        out.append("<p>No findings.</p>")
    if report.waived:
        out += [
            f'<section id="waived"><h2>Waived ({counted(report.waived)})</h2>',
            "<details><summary>Accepted findings, hidden from the verdict</summary>",
        ]
        for finding in report.waived:
            out += _finding(ctx, finding)
            reason = waiver_text(finding.waived) if finding.waived is not None else ""
            out.insert(len(out) - 1, f'<p class="muted">Waived: {e(reason)}</p>')
        out += ["</details>", "</section>"]
    out += [f"<footer>trustguard {e(report.version)} · fail on {e(report.fail_on)}</footer>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
