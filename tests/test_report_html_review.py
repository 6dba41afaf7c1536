"""The HTML review: self-contained (no script, no external resource), byte-identical
across runs, every section present, charts drawn from the report's own figures, the
affected customers and their drafts listed, hostile text escaped."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from trustguard import api
from trustguard.model import Report
from trustguard.model_release import (
    RELEASE_DOCUMENT_FACT,
    AnnouncementCheck,
    NoticeCheck,
    NoticeSource,
    ReleaseDocument,
    ReleaseSummary,
)
from trustguard.report import render

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"
PRICING = (str(EX / "pricing" / "old.yaml"), str(EX / "pricing" / "new.yaml"))
PRICING_CUSTOMERS = str(EX / "pricing" / "customers.csv")


class _Page(HTMLParser):
    """Tags, attributes and text of a page; checks nesting."""

    VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack[-3:], tag)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    parsed.close()
    assert parsed.stack == []
    return parsed


def _ids(page: _Page) -> set[str]:
    return {str(a["id"]) for _, a in page.tags if a.get("id")}


def pricing_report() -> Report:
    return api.check(*PRICING, customers=PRICING_CUSTOMERS, notices=True)


def release_report() -> Report:
    """A pricing report dressed as a one-document release, as `trustguard release` makes it."""
    report = pricing_report()
    for f in report.findings:
        f.facts[RELEASE_DOCUMENT_FACT] = "pricing"
    first, second = report.findings[0], report.findings[1]
    source = NoticeSource(kind="document", description="the pricing's price-change notice",
                          document="pricing", file=PRICING[0], line=15, text="priceChangeNoticeDays: 30")
    notice = [NoticeCheck(document="pricing", fingerprint=f.fingerprint, rule=f.rule, severity=f.severity.value,
                          days_owed=30, days_given=14, announced=dt.date(2026, 3, 1), effective=dt.date(2026, 3, 15),
                          source=source, status="short") for f in (first, second)]
    told = [AnnouncementCheck(document="pricing", fingerprint=first.fingerprint, rule=first.rule,
                              severity=first.severity.value, announced=True, sentence="We are adding a platform fee.",
                              line=3, matched=["platform", "fee"]),
            AnnouncementCheck(document="pricing", fingerprint=second.fingerprint, rule=second.rule,
                              severity=second.severity.value, announced=False)]
    report.release = ReleaseSummary(
        name="Spring <pricing> update", file="release.yaml", announced=dt.date(2026, 3, 1),
        effective={"pricing": dt.date(2026, 3, 15)}, announcement="announce.md",
        documents=[ReleaseDocument(key="pricing", kind="pricing", base=PRICING[0], revision=PRICING[1],
                                   effective=dt.date(2026, 3, 15), findings=len(report.findings))],
        notice=notice, announcements=told, notice_status="short", notice_short=2, unannounced=1,
    )
    return report


SINGLE_SECTIONS = {"contents", "impact", "charts", "chart-revenue", "chart-severity", "chart-bills", "customers",
                   "notices", "blocker", "major"}


def test_single_pair_review_has_every_section_and_a_table_of_contents() -> None:
    page = render(pricing_report(), "html")
    parsed = _parse(page)
    assert SINGLE_SECTIONS <= _ids(parsed)
    # the contents link to sections that exist, in page order
    links = [str(a["href"])[1:] for t, a in parsed.tags if t == "a" and str(a.get("href", "")).startswith("#")]
    toc = page.split('<nav id="contents"')[1].split("</nav>")[0]
    toc_links = re.findall(r'href="#([^"]+)"', toc)
    assert toc_links and set(toc_links) <= _ids(parsed) and set(toc_links) <= set(links)
    order = [page.index(f'id="{anchor}"') for anchor in toc_links]
    assert order == sorted(order)


def test_release_review_opens_with_the_summary() -> None:
    report = release_report()
    page = render(report, "html")
    parsed = _parse(page)
    assert {"release", "doc-pricing", "customers", "notices", "charts"} <= _ids(parsed)
    text = "".join(parsed.text)
    assert text.index("Release summary") < text.index("Blast radius") < text.index("Charts")
    assert text.index("Charts") < text.index("Pricing (") < text.index("Affected customers")
    assert text.index("Affected customers") < text.index("Notice drafts")
    summary = page.split('<section id="release">')[1].split("</section>")[0]
    assert "Spring &lt;pricing&gt; update" in page and "<pricing>" not in page
    assert "30 days (the pricing&#x27;s price-change notice) → 14 days" in summary
    assert summary.count('<span class="st st-short">short</span>') == 2
    assert summary.count(">not announced<") == 1 and "<b>1</b>material change(s) not announced" in summary
    # each finding says its notice and its announcement
    first = page.split(f'id="f-{report.findings[0].fingerprint}"')[1].split("</article>")[0]
    assert "“We are adding a platform fee.” (line 3) · matched: platform, fee" in first
    second = page.split(f'id="f-{report.findings[1].fingerprint}"')[1].split("</article>")[0]
    assert '<span class="st st-short">not announced</span>' in second


def test_no_script_and_no_external_resource() -> None:
    for report in (pricing_report(), release_report()):
        page = render(report, "html")
        assert "<script" not in page.lower() and "javascript:" not in page.lower()
        assert "@import" not in page and "url(" not in page
        parsed = _parse(page)
        for tag, attrs in parsed.tags:
            assert tag not in ("script", "link", "img", "iframe", "object", "embed"), tag
            assert "src" not in attrs and "srcset" not in attrs, (tag, attrs)
            assert not any(name.startswith("on") for name in attrs), (tag, attrs)
            href = attrs.get("href")
            if href is not None and not str(href).startswith("#"):
                # only a reader's own click leaves the page: a reference link, never a load
                assert tag == "a" and str(href).startswith("https://"), (tag, href)
        svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
        assert "http" not in svg


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    args = [sys.executable, "-m", "trustguard", "review", *PRICING, "--customers", PRICING_CUSTOMERS, "-f", "html"]
    for name in ("a.html", "b.html"):
        done = subprocess.run([*args, "-o", str(tmp_path / name)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    first, second = (tmp_path / "a.html").read_bytes(), (tmp_path / "b.html").read_bytes()
    assert first == second and b'id="notices"' in first
    assert render(release_report(), "html") == render(release_report(), "html")


def test_charts_draw_the_reports_figures() -> None:
    report = pricing_report()
    page = render(report, "html")
    severity = page.split('<figure id="chart-severity">')[1].split("</figure>")[0]
    counts = report.impact.details["customers_by_severity"] if report.impact else {}
    for sev, n in counts.items():
        assert f">{sev}</text>" in severity and f">{n} customer{'s' if n != 1 else ''}</text>" in severity
    bills = page.split('<figure id="chart-bills">')[1].split("</figure>")[0]
    assert report.make_whole is not None
    for bucket in report.make_whole.bill_changes:
        assert f">{bucket.label}</text>" in bills
    # the biggest bar is the full width; a bar's width follows its value
    revenue = page.split('<figure id="chart-revenue">')[1].split("</figure>")[0]
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', revenue)]
    assert widths == sorted(widths, reverse=True) and widths[0] == 270.0
    top = max(f.impact.revenue for f in report.findings if f.impact)
    assert f"USD {top:,.2f}</text>" in revenue


def test_every_affected_customer_is_listed_with_its_draft() -> None:
    report = pricing_report()
    page = render(report, "html")
    customers = page.split('<section id="customers">')[1].split("</section>")[0]
    notices = page.split('<section id="notices">')[1].split("</section>")[0]
    assert report.impact is not None and len(report.notices) == report.impact.customers_affected
    for n in report.notices:
        r = n.recipients[0]
        assert f"<code>{r.id}</code>" in customers
        assert f"<code>{n.id}</code>" in notices
    assert "Grandfathering</strong>: 4 customer(s)" in notices
    assert "USD 516.00 in all" in notices


def test_no_impact_data_no_customer_sections() -> None:
    page = render(api.check(*PRICING), "html")
    ids = _ids(_parse(page))
    assert not ids & {"customers", "notices", "charts", "impact", "release"}


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>"])
def test_a_hostile_customer_name_is_escaped(tmp_path: Path, name: str) -> None:
    csv = Path(PRICING_CUSTOMERS).read_text().replace("Corvid Studio", '"' + name.replace('"', '""') + '"')
    (tmp_path / "c.csv").write_text(csv)
    report = api.check(*PRICING, customers=str(tmp_path / "c.csv"), notices=True)
    assert any(n.name == name for n in report.notices)
    page = render(report, "html")
    assert "<script>" not in page and "<img" not in page and "onerror=alert(1)>" not in page
    parsed = _parse(page)
    assert all(tag != "img" and "onerror" not in attrs for tag, attrs in parsed.tags)
    assert name in "".join(parsed.text)  # shown to the reader as text
