"""Markdown (pull-request comment) and HTML (one page for a product team): what a reader
sees first, the escaping of user text, redlines, impact and waivers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from test_report_formats import (
    HOSTILE,
    make_finding,
    openapi_report,
    passing_report,
    pricing_report,
    terms_report,
)

from trustguard.model import Severity
from trustguard.report import render
from trustguard.report.markdown import code, md

# ---------------------------------------------------------------- markdown


def test_markdown_opens_with_the_verdict_and_counts() -> None:
    lines = render(openapi_report(), "markdown").splitlines()
    assert lines[0] == "### trustguard: \u274c FAIL · openapi"
    assert lines[2] == (
        "`specs/v1.yaml` → `specs/v2.yaml` · 8 changes · \u26d4 1 blocker · \U0001f534 2 major · "
        "\U0001f7e1 1 minor · \U0001f535 1 info · 1 waived"
    )
    assert lines[4] == "**3 findings fail the policy** (the policy fails on major or worse)."
    passing = render(passing_report(), "markdown").splitlines()
    assert passing[0] == "### trustguard: \u2705 PASS · openapi"
    assert "no findings" in passing[2]


def test_markdown_groups_findings_by_severity_worst_first() -> None:
    out = render(openapi_report(), "markdown")
    headings = re.findall(r"^#### (.+)$", out, flags=re.M)
    assert headings == ["Blast radius", "\u26d4 Blocker (1)", "\U0001f534 Major (2)", "\U0001f7e1 Minor (1)", "\U0001f535 Info (1)", "Waived (1)"]
    # failing findings are marked in the first column, the others are not
    assert "| \u274c | `response-property-removed` | `GET /pets` `data/items/name` |" in out
    assert "|  | `request-parameter-enum-value-added` | `POST /pets` `query parameter 'sort'` |" in out


def test_markdown_table_cells_cannot_be_broken_by_user_text() -> None:
    out = render(openapi_report(), "markdown")
    row = next(line for line in out.splitlines() if "response-property-removed` |" in line)
    # five columns: mark, rule, subject, message, affected -> 6 unescaped pipes
    assert len(re.findall(r"(?<!\\)\|", row)) == 6
    assert not re.search(r"(?<!\\)<(script|b>)", out), "raw HTML from user text"
    assert "&lt;script>alert(1)&lt;/script>" in row
    assert "\\*\\*x\\*\\*" in row
    assert "@\u200bteam" in row  # no notification for @team
    assert "Acme \\| Corp &lt;b> (`c1`)" in out


def test_md_and_code_escaping() -> None:
    assert md("a|b <i>x</i> *y* [l](u) ~~s~~ $x$ & \\") == "a\\|b &lt;i>x&lt;/i> \\*y\\* \\[l\\](u) \\~\\~s\\~\\~ \\$x\\$ &amp; \\\\"
    assert md("![x](u) @me https://e.example") == "\\!\\[x\\](u) @\u200bme https&#58;//e.example"
    assert md("two\nlines") == "two lines"
    assert code("a`b") == "``a`b``"
    assert code("`x`") == "`` `x` ``"
    assert code("a|b", in_table=True) == "`a\\|b`"


def test_markdown_details_explain_each_finding() -> None:
    out = render(openapi_report(), "markdown")
    block = out.split("<summary><code>response-property-removed</code> · GET /pets</summary>")[1].split("</details>")[0]
    assert "**Fix:** Undo the change that triggered response-property-removed." in block
    assert "**Where:** file `schemas/pet.yaml:12:7` · pointer `/components/schemas/Pet/properties/name` · subject `data/items/name`" in block
    assert "**fingerprint:** `" in block
    assert "<https://example.org/guide#versioning>" in block
    expired = out.split("<summary><code>request-parameter-became-required</code>")[1].split("</details>")[0]
    assert "**Waiver expired** on 2024-01-31: migration window" in expired
    # a finding without any source still says where it is
    nosource = out.split("<summary><code>request-parameter-enum-value-added</code>")[1].split("</details>")[0]
    assert "**Where:** pointer `/paths/~1pets/post/parameters/1`" in nosource


def test_markdown_impact_per_finding_and_totals() -> None:
    out = render(openapi_report(), "markdown")
    assert "| customers | 3 | 12 | 25.0% |" in out
    assert "| monthly revenue | 1,500.00 | 5,000.00 | 30.0% |" in out  # no currency in a customer list
    assert "> [!CAUTION]\n> **whale concentration: 1 customer holds 20.0% of revenue**" in out
    assert "**Affects:** 3 customers (estimated), 25.0% of customers" in out
    assert "| Globex (`c2`) | pro | 400.00 | 15 |" in out
    assert "| Zapier app (`zapier`) | - | 0.00 | 300 |" in out
    assert "> [!WARNING]\n> waiver for request-parameter-became-required expired on 2024-01-31" in out


def test_markdown_pricing_bills_and_distribution() -> None:
    out = render(pricing_report(), "markdown")
    assert "| customer | plan | revenue (EUR a month) | requests | bill before → after |" in out
    assert "| Initech (`cust-9`) | PRO | 99.00 | 0 | 99.00 -> 129.00 (+30.3%) |" in out
    assert "| monthly revenue | EUR 1,089.00 | EUR 1,800.00 | 60.5% |" in out
    assert "| Median bill increase | EUR 165.00 a month (+30.3%) |" in out
    assert "| Customers who pay more | 2 |" in out
    assert "bills" not in out and "pay\\_more" not in out
    assert "**community shock: 2 customers pay more, none above 5% of revenue**" in out
    assert "\n| requests |" not in out  # no traffic data: no empty row


def test_markdown_redline_strikes_deletions_and_bolds_insertions() -> None:
    out = render(terms_report(), "markdown")
    assert "> We may change these terms ~~with 30 days' notice~~**at any time**. **\\*Continued\\* use \\| means &lt;acceptance>.**" in out
    assert "> **Disputes go to binding arbitration.**" in out


def test_markdown_redline_keeps_markers_off_spaces_and_across_lines() -> None:
    report = passing_report()
    report.findings.append(
        make_finding(
            "terms-x", Severity.MINOR, subject="§ 1", fails=False,
            facts={"redline": [["=", "Fees "], ["-", " 30 days "], ["+", "7 days\n\nstarting now"], ["=", " apply."]]},
        )
    )
    out = render(report, "markdown")
    assert "> Fees ~~30 days~~ **7 days**\n>\n> **starting now** apply." in out


def test_markdown_waived_table_and_long_reports_are_shortened() -> None:
    out = render(openapi_report(), "markdown")
    assert "| `response-success-status-removed` | `GET /owners` | owners API is internal \\| not public (until 2999-12-31) | major |" in out
    report = passing_report()
    for i in range(150):
        report.findings.append(make_finding(f"rule-{i:03d}", Severity.MINOR, operation=f"GET /r{i}", message=HOSTILE, fails=False))
    # shortened by size, not rows: 150 findings fit in a smaller budget only summarised
    full = render(report, "markdown", budget=None)
    assert full.count("<details>") == 150 and "shortened" not in full
    short = render(report, "markdown", budget=len(full) // 2)
    assert len(short) <= len(full) // 2
    assert "This comment is shortened" in short
    # no blocker or major: the minor findings' rows come first, then as many details as fit
    assert 0 < short.count("<details>") < 150
    assert "|  | `rule-000` |" in short and "|  | `rule-149` |" in short  # every row fits
    assert "<summary><code>rule-000</code>" in short and "<summary><code>rule-149</code>" not in short
    assert "all 150 findings are listed, " in short


# ---------------------------------------------------------------- html


class _Checker(HTMLParser):
    """Collects tags, checks nesting, and refuses scripts and external assets."""

    VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        assert tag not in ("script", "link", "img", "iframe"), tag
        for name, value in attrs:
            assert not name.startswith("on"), name
            if name in ("src",):
                raise AssertionError(f"external asset {value}")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack[-3:], tag)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == []
    return checker


def test_html_is_one_self_contained_well_nested_page() -> None:
    for report in (openapi_report(), pricing_report(), terms_report(), passing_report()):
        page = render(report, "html")
        assert page.startswith("<!DOCTYPE html>")
        checker = _parse(page)
        assert "style" in checker.tags
        assert "http://" not in page.split("</style>")[0] and "@import" not in page


def test_html_escapes_user_text() -> None:
    page = render(openapi_report(), "html")
    assert "<script>" not in page and "Corp <b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<td>Acme | Corp &lt;b&gt;</td>" in page


def test_html_totals_first_then_findings_and_waived_section() -> None:
    page = render(openapi_report(), "html")
    text = "".join(_parse(page).text)
    assert text.index("Blast radius") < text.index("Blockers (1)") < text.index("Waived (1)")
    assert '<div class="card"><b>3</b>customers affected of 12 · 25.0%</div>' in page
    assert "whale concentration: 1 customer holds 20.0% of revenue" in page
    assert '<p class="warn">waiver for request-parameter-became-required expired on 2024-01-31' in page
    waived = page.split('<section id="waived">')[1]
    assert "response-success-status-removed" in waived
    assert "Waived: owners API is internal | not public (until 2999-12-31)" in waived
    assert "response-success-status-removed" not in page.split('<section id="waived">')[0]


def test_html_finding_shows_fix_place_and_who_is_affected() -> None:
    page = render(openapi_report(), "html")
    article = page.split('id="f-')[1]
    assert "api-path-removed-without-deprecation" in article
    assert "<dt>What to do</dt><dd>Undo the change that triggered api-path-removed-without-deprecation.</dd>" in article
    assert "<code>specs/v1.yaml:40:5</code>" in article
    assert "<td>Globex</td><td><code>c2</code></td><td>pro</td>" in article
    assert "<td>Zapier app</td><td><code>zapier</code></td>" in article
    assert '<a href="https://example.org/guide#versioning">' in article


def test_html_redline_uses_del_and_ins() -> None:
    page = render(terms_report(), "html")
    assert (
        '<p class="redline">We may change these terms <del>with 30 days&#x27; notice</del>'
        "<ins>at any time</ins>. <ins>*Continued* use | means &lt;acceptance&gt;.</ins></p>"
    ) in page


def test_html_pricing_bill_before_after() -> None:
    page = render(pricing_report(), "html")
    assert '<td class="n">99.00 -&gt; 129.00 (+30.3%)</td>' in page
    assert '<tr><th>90th percentile bill increase</th><td class="n">EUR 300.00 a month (+30.3%)</td></tr>' in page


def test_rule_text_keeps_its_code_spans_user_text_does_not() -> None:
    from trustguard.report.html import rich
    from trustguard.report.markdown import md_rule

    assert md_rule("Declare `security: []` on *public* <ops>") == "Declare `security: []` on \\*public\\* &lt;ops>"
    assert rich("Declare `security: []` <now>") == "Declare <code>security: []</code> &lt;now&gt;"
    report = passing_report()
    finding = make_finding("x-rule", Severity.MINOR, operation="GET /a", message="use `rm -rf` | now", fails=False)
    finding.remediation = "Declare `security: []` on the public operations."
    report.findings.append(finding)
    out = render(report, "markdown")
    assert "**Fix:** Declare `security: []` on the public operations." in out
    assert "use \\`rm -rf\\` \\| now" in out
    page = render(report, "html")
    assert "<dd>Declare <code>security: []</code> on the public operations.</dd>" in page
