"""One self-contained HTML page for a product team before an announcement: the verdict and
the blast radius first, then charts, every finding with what to do, where it is, the
clause redline and who it reaches, the affected customers and their notice drafts. For a
release it opens with the release summary: notice and announcement per change.

Rendered from Jinja2 templates (``templates/``) with autoescaping: every value goes
through trustguard's HTML escaping (:func:`trustguard.report.escape.html_text`: on one
line, control characters shown); markup is made only by the ``rich``, ``redline`` and
``letter`` filters, from escaped text. Inline CSS and SVG only: no script, no external
asset.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import RELEASE_DOCUMENT_FACT, AffectedEntity, Finding, Report
from . import charts, common, words
from .escape import html_text

if TYPE_CHECKING:  # read, never built here: a report without notices or a release imports no pydantic
    import jinja2

    from ..model_notices import CustomerNotice
    from ..model_release import AnnouncementCheck, NoticeCheck, ReleaseSummary

_TITLE = {"blocker": "Blockers", "major": "Major", "minor": "Minor", "info": "Info"}
_TOP = 10
#: the affected-customers table lists this many; the mail-merge files hold every one
CUSTOMERS_SHOWN = 1000
_URL = re.compile(r"https?://[^\s<>\"'`\\]+")
_DOCUMENT_TITLE = {"openapi": "API", "pricing": "Pricing", "terms": "Terms"}


def e(text: object) -> str:
    """Any value as HTML text or attribute: escaped, on one line, controls shown."""
    return html_text(text)


def rich(text: str) -> str:
    """Text written by a rule's author: escaped, with its `code spans` shown as code."""
    return re.sub(r"`([^`\n]+)`", r"<code>\1</code>", e(text))


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


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2  # only -f html needs it: the CLI's --help stays fast
    from markupsafe import Markup

    def finalize(value: object) -> object:
        # every {{ value }} through trustguard's own escaping (one line, controls shown,
        # quotes escaped); the autoescape then leaves the Markup as it is
        if isinstance(value, Markup):
            return value
        return Markup(html_text("" if value is None else value))

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("trustguard.report", "templates"),
        autoescape=True, finalize=finalize, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )
    env.filters["rich"] = lambda text: Markup(rich(str(text)))
    env.filters["redline"] = lambda pairs: Markup(_redline(pairs))
    # a letter keeps its line breaks (the block is pre-wrap)
    env.filters["letter"] = lambda text: Markup(html_text(text, keep_newlines=True))
    return env


@dataclass(frozen=True)
class _EntityView:
    shown: list[AffectedEntity]
    hidden: int
    with_bill: bool
    unit: str


@dataclass(frozen=True)
class _Group:
    title: str
    count: int
    findings: list[Finding]
    severity: str = ""
    document: str = ""


@dataclass(frozen=True)
class _ChangeRow:
    fingerprint: str
    title: str
    document: str
    subject: str
    severity: str
    days: str
    notice: str
    announced: bool | None


@dataclass(frozen=True)
class _CustomerRow:
    id: str
    name: str
    plan: str
    segment: str
    revenue: str
    traffic: str
    bill: str
    severity: str
    why: str


def _document_of(finding: Finding) -> str:
    return str(finding.facts.get(RELEASE_DOCUMENT_FACT) or "")


class _Page:
    """What the template shows, worked out once from the report."""

    def __init__(self, report: Report, verbose: bool) -> None:
        self.report, self.verbose = report, verbose
        self.release: ReleaseSummary | None = report.release
        self.verdict = "PASS" if report.passed else "FAIL"
        failing = common.failing_count(report)
        self.reason = (
            "no finding fails the policy" if report.passed
            else f"{failing} finding{'s' if failing != 1 else ''} fail{'s' if failing == 1 else ''} the policy"
        )
        if self.release is not None:
            self.heading = f"release {self.release.name}"
            self.title = f"trustguard {self.verdict}: release {self.release.name}"
        else:
            self.heading = report.kind.value
            self.title = f"trustguard {self.verdict}: {report.kind.value} {report.base} → {report.revision}"
        self.currency = words.currency_of(report.impact) or next((n.currency for n in report.notices if n.currency), None)
        self.unit = f"{self.currency} a month" if self.currency else "a month"
        self.charts = charts.charts(report)
        self.groups = self._groups()
        self.changes = self._changes()
        self.customers, self.customers_total = self._customers()
        t = report.impact
        self.affected = len(self.release.customers) if self.release is not None and self.release.customers else (
            t.customers_affected if t is not None else 0)
        self.revenue_affected = words.money(t.revenue_affected, self.currency, None) if t is not None and t.revenue_affected else ""
        self.customers_hidden = self.customers_total - len(self.customers)
        # a column no shown customer has a value in is left out
        self.customer_columns = {
            "segment": any(c.segment for c in self.customers),
            "traffic": any(c.traffic != "0" for c in self.customers),
            "bill": any(c.bill for c in self.customers),
        }
        self.contents = self._contents()

    def _groups(self) -> list[_Group]:
        report = self.report
        if self.release is None:
            return [_Group(_TITLE[sev.value], common.counted(group), group, severity=sev.value)
                    for sev, group in common.by_severity(report.findings)]
        out = []
        for doc in self.release.documents:
            mine = [f for f in report.findings if _document_of(f) == doc.key]
            if mine:
                kind = _DOCUMENT_TITLE.get(doc.kind, doc.kind)
                title = kind if doc.key.lower() in (kind.lower(), doc.kind) else f"{kind}: {doc.key}"
                out.append(_Group(title, common.counted(mine), mine, document=doc.key))
        keys = {d.key for d in self.release.documents}
        rest = [f for f in report.findings if _document_of(f) not in keys]
        if rest:
            out.append(_Group("Release", common.counted(rest), rest, document="release"))
        return out

    def _changes(self) -> list[_ChangeRow]:
        release = self.release
        if release is None:
            return []
        rows = []
        for f in self.report.findings:
            doc = _document_of(f)
            notice = release.notice_for(doc, f.fingerprint)
            told = release.announcement_for(doc, f.fingerprint)
            if notice is None and told is None:
                continue
            rows.append(_ChangeRow(
                f.fingerprint, common.rule_info(self.report, f).title, doc, common.subject_of(f), f.severity.value,
                _days(notice) if notice is not None else "-", notice.status if notice is not None else "unknown",
                told.announced if told is not None else None,
            ))
        return rows

    def _customers(self) -> tuple[list[_CustomerRow], int]:
        release = self.release
        money = functools.partial(words.money, currency=None, period=None)
        if release is not None and release.customers:
            people = release.customers
            rows = [
                _CustomerRow(c.id, c.name or c.id, c.plan or "", c.segment or "", money(c.revenue), f"{c.traffic:,}",
                             _bill(c.bill_before, c.bill_after), c.severity,
                             ", ".join(dict.fromkeys(r.rule for r in c.reasons)))
                for c in people[:CUSTOMERS_SHOWN]
            ]
            return rows, len(people)
        recipients = []
        for n in self.report.notices:
            for r in n.recipients:
                rules = ", ".join(dict.fromkeys(ch.rule for ch in n.changes)) if n.audience == "customer" else ""
                recipients.append((r, n.worst if n.audience == "customer" else "", rules))
        recipients.sort(key=lambda item: (-item[0].revenue, item[0].id))
        rows = [
            _CustomerRow(r.id, r.name or r.id, r.plan or "", r.segment or "", money(r.revenue), f"{r.traffic:,}",
                         _bill(r.bill_before, r.bill_after), worst, rules)
            for r, worst, rules in recipients[:CUSTOMERS_SHOWN]
        ]
        return rows, len(recipients)

    def _contents(self) -> list[tuple[str, str]]:
        report = self.report
        out: list[tuple[str, str]] = []
        if self.release is not None:
            out.append(("release", "Release summary"))
        if report.impact is not None:
            out.append(("impact", "Blast radius"))
        if self.charts:
            out.append(("charts", "Charts"))
        if report.warnings:
            out.append(("warnings", "Warnings"))
        for group in self.groups:
            out.append((f"doc-{group.document}" if group.document else group.severity, f"{group.title} ({group.count})"))
        if self.customers:
            out.append(("customers", f"Affected customers ({self.customers_total:,})"))
        if report.notices:
            out.append(("notices", f"Notice drafts ({len(report.notices):,})"))
        if report.waived:
            out.append(("waived", f"Waived ({common.counted(report.waived)})"))
        return out


def _bill(before: float | None, after: float | None) -> str:
    return common.entity_bill(AffectedEntity(id="-", bill_before=before, bill_after=after)) or ""


def _days(notice: NoticeCheck) -> str:
    owed = "no notice owed" if notice.days_owed is None else f"{notice.days_owed} days"
    given = "unknown" if notice.days_given is None else f"{notice.days_given} days"
    source = f" ({notice.source.description})" if notice.source is not None else ""
    return f"{owed}{source} → {given}"


def _notice_text(notice: NoticeCheck) -> str:
    return _days(notice) + (f", {notice.source.file}:{notice.source.line}" if notice.source is not None
                            and notice.source.file and notice.source.line else "")


def _guidance(notice: CustomerNotice) -> list[str]:
    return sorted({c.guidance for c in notice.changes if c.guidance})


def render_html(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    del color  # a page has its own colours
    ctx = words.RenderContext.of(report, verbose)
    page = _Page(report, verbose)
    release = report.release

    def entity_view(entities: list[AffectedEntity]) -> _EntityView:
        shown = entities if verbose else entities[:_TOP]
        with_bill = any(x.bill_before is not None or x.bill_after is not None for x in shown)
        return _EntityView(shown, len(entities) - len(shown), with_bill,
                           f"{ctx.currency} a month" if ctx.currency else "a month")

    def notice_of(finding: Finding) -> NoticeCheck | None:
        return release.notice_for(_document_of(finding), finding.fingerprint) if release is not None else None

    def announcement_of(finding: Finding) -> AnnouncementCheck | None:
        return release.announcement_for(_document_of(finding), finding.fingerprint) if release is not None else None

    from .release import summary_rows  # the words every renderer says of a release

    values: dict[str, Any] = {
        "report": report, "release": release, "ctx": ctx, "page": page,
        "release_rows": summary_rows(release) if release is not None else [],
        "entity_view": entity_view, "notice_of": notice_of, "announcement_of": announcement_of,
        "notice_text": _notice_text, "notice_guidance": _guidance,
        "is_url": lambda text: bool(_URL.fullmatch(str(text))),
        "detail_rows": lambda t: [r for r in words.detail_rows(t, report.findings) if verbose or not r.verbose_only],
        "money": words.money,
        **{name: getattr(common, name) for name in (
            "counted", "detail_of", "entity_bill", "finding_fails", "impact_summary", "operations_text",
            "position", "redline", "rule_info", "severity_counts", "subject_of", "threshold_text",
            "totals_rows", "waiver_text",
        )},
    }
    out: str = _environment().get_template("report.html.j2").render(values)
    return out
