"""The HTML review's charts as plain geometry: bars with their labels, positions and
values already formatted, for the template to draw as inline SVG (no script, no network).

Every number is rounded and formatted here, so two runs draw byte-identical SVG.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Report, Severity
from . import words
from .common import subject_of

#: how many findings the revenue chart shows (the biggest; the rest are in the findings)
TOP_FINDINGS = 10
WIDTH = 640
LABEL_WIDTH = 260
BAR_HEIGHT = 22
GAP = 6
_SEVERITY_ORDER = ("blocker", "major", "minor", "info")


@dataclass(frozen=True)
class Bar:
    label: str
    value: str  # formatted for the reader
    y: str
    width: str
    css: str  # the bar's colour class
    text_x: str
    text_y: str
    link: str = ""  # an anchor in the page (a finding), or ""


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    caption: str
    bars: list[Bar]
    height: str
    width: str = str(WIDTH)
    label_width: str = str(LABEL_WIDTH)
    label_x: str = str(LABEL_WIDTH - 8)


def _n(value: float) -> str:
    """An SVG coordinate: one decimal, no trailing zero."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _bars(rows: list[tuple[str, float, str, str, str]]) -> tuple[list[Bar], str]:
    """rows: (label, value, formatted value, css class, link)."""
    top = max((v for _, v, _, _, _ in rows), default=0.0)
    room = WIDTH - LABEL_WIDTH - 110  # the value's text sits right of its bar
    bars = []
    for i, (label, value, shown, css, link) in enumerate(rows):
        width = room * value / top if top > 0 else 0.0
        width = max(width, 2.0) if value > 0 else 0.0
        bars.append(Bar(label=label, value=shown, y=_n(i * (BAR_HEIGHT + GAP)), width=_n(width), css=css,
                        text_x=_n(LABEL_WIDTH + width + 6), text_y=_n(i * (BAR_HEIGHT + GAP) + 15), link=link))
    return bars, _n(len(rows) * (BAR_HEIGHT + GAP))


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def revenue_by_finding(report: Report) -> Chart | None:
    currency = words.currency_of(report.impact)
    # an info finding takes nothing from anyone: no revenue is at risk from it
    rows = [(f, f.impact.revenue) for f in report.findings
            if f.impact is not None and f.impact.revenue > 0 and f.severity is not Severity.INFO]
    if not rows:
        return None
    rows.sort(key=lambda pair: (-pair[1], pair[0].sort_key()))
    shown = rows[:TOP_FINDINGS]
    bars, height = _bars([
        (_short(f"{f.rule} · {subject_of(f)}"), revenue, words.money(revenue, currency, None),
         f"b-{f.severity.value}", f"f-{f.fingerprint}")
        for f, revenue in shown
    ])
    more = f"; {len(rows) - len(shown)} more below" if len(rows) > len(shown) else ""
    return Chart("chart-revenue", "Revenue at risk by finding",
                 f"Monthly revenue of the customers each finding reaches (a customer counts in every finding that reaches it){more}.",
                 bars, height)


def customers_by_severity(report: Report) -> Chart | None:
    counts: dict[str, int] = {}
    release = report.release
    if release is not None and release.customers:
        for c in release.customers:
            counts[c.severity] = counts.get(c.severity, 0) + 1
    elif report.impact is not None:
        raw = report.impact.details.get("customers_by_severity")
        if isinstance(raw, dict):
            counts = {str(k): int(v) for k, v in raw.items() if isinstance(v, (int, float))}
    rows = [(sev, counts[sev]) for sev in _SEVERITY_ORDER if counts.get(sev)]
    if not rows:
        return None
    bars, height = _bars([(sev, float(n), f"{n:,} customer{'s' if n != 1 else ''}", f"b-{sev}", "")
                          for sev, n in rows])
    return Chart("chart-severity", "Affected customers by severity",
                 "Each affected customer counted once, at the worst severity among the findings that reach it.",
                 bars, height)


def bill_changes(report: Report) -> Chart | None:
    whole = report.make_whole
    if whole is None or not whole.bill_changes or not any(b.customers for b in whole.bill_changes):
        return None
    bars, height = _bars([
        (b.label, float(b.customers), f"{b.customers:,}",
         "b-ok" if b.high is not None and b.high <= 0 else "b-minor" if (b.high or 101) <= 25 else "b-major", "")
        for b in whole.bill_changes
    ])
    return Chart("chart-bills", "How bills change",
                 "Affected customers by the change of their monthly bill, as a percent of today's bill.", bars, height)


def charts(report: Report) -> list[Chart]:
    """The charts the data supports, in reading order."""
    found = [revenue_by_finding(report), customers_by_severity(report), bill_changes(report)]
    return [c for c in found if c is not None]
