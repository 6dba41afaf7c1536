"""Injection into what people read (issue 23, point 6): a spec path, a clause title or a
customer name written by the author of a pull request goes through every format, and
the hostile construct cannot appear raw.

Markdown is rendered with cmark-gfm (GitHub's own parser, raw HTML let through as GitHub
lets some through) and the HTML is then checked: no image, link, heading or tag from
the input, no @mention. The CI log and the terminal get no new line, no workflow
command and no control character; spreadsheets get no formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
from click.testing import CliRunner
from cmarkgfm.cmark import Options

from trustguard.cli import cli
from trustguard.impact import load_customers
from trustguard.report import FORMATS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

FAKE_PASS = "/a\n\n## \u2705 PASS\n![x](https://evil.example/p.png) @octocat [login](https://evil.example/login)"
TERMINAL = "/b\x1b[2J\x1b]0;owned\x07\r\n::error title=x::y"
BIDI = "/c\u202eevil\x00nul"
TAGS = "/d<img src=x onerror=alert(1)></summary><h1>x</h1>"
HOSTILE_PATHS = (FAKE_PASS, TERMINAL, BIDI, TAGS)
RAW = ("\x00", "\x07", "\x1b", "\u202e")  # never written raw to a reader

_OK = {"responses": {"200": {"description": "OK"}}}


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def api_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("hostile-api")
    paths = {p: {"get": _OK} for p in HOSTILE_PATHS}
    base = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {**paths, "/keep": {"get": _OK}}}
    rev = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/keep": {"get": _OK}}}
    (folder / "base.json").write_text(json.dumps(base), encoding="utf-8")
    (folder / "rev.json").write_text(json.dumps(rev), encoding="utf-8")
    return str(folder / "base.json"), str(folder / "rev.json")


@pytest.fixture(scope="module")
def terms_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("hostile-terms")
    title = "## 9. Disputes @octocat ![x](https://evil.example/p.png) <img src=x onerror=alert(1)> \u202eevil"
    base = f"# Terms\n\n{title}\n\nAny dispute goes to the courts of your home country.\n"
    rev = (f"# Terms\n\n{title}\n\nAny dispute will be resolved by binding arbitration, and you waive any right "
           "to take part in a class action.\n")
    (folder / "old.md").write_text(base, encoding="utf-8")
    (folder / "new.md").write_text(rev, encoding="utf-8")
    return str(folder / "old.md"), str(folder / "new.md")


HOSTILE_NAMES = {
    "c001": '=HYPERLINK("https://evil.example/x","click")',
    "c004": "@SUM(1+1)*cmd|' /C calc'!A0",
    "c009": "+1+1",
    "c011": "-2+3",
    "c008": "\tx",
    "c012": "Evil\r\n::error title=x::y \x1b[2J\u202e @octocat",
}


@pytest.fixture(scope="module")
def customers(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The example customer list with hostile names for customers the example change reaches."""
    folder = tmp_path_factory.mktemp("hostile-customers")
    rows = list(csv.DictReader((EXAMPLES / "customers.csv").open(encoding="utf-8")))
    for row in rows:
        row["name"] = HOSTILE_NAMES.get(row["id"], row["name"])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = folder / "customers.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    shutil.copytree(EXAMPLES / "pacts", folder / "pacts")
    return str(path)


def _impact_args(customers: str) -> list[str]:
    return [
        str(EXAMPLES / "api" / "v1.yaml"), str(EXAMPLES / "api" / "v2.yaml"), "--customers", customers,
        "--usage", str(EXAMPLES / "usage.jsonl"), "--integrations", str(EXAMPLES / "integrations.yaml"),
        "--contracts", str(Path(customers).parent / "pacts"),
    ]


# ------------------------------------------------------------------ checks per place


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._code += tag == "code"

    def handle_endtag(self, tag: str) -> None:
        self._code -= tag == "code"

    def handle_data(self, data: str) -> None:
        if not self._code:  # GitHub does not turn @names in code into mentions
            self.text.append(data)


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def assert_inert_markdown(markdown: str) -> None:
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    page = _page(html)
    tags = [tag for tag, _ in page.tags]
    assert "img" not in tags and "script" not in tags and "h1" not in tags and "h2" not in tags, tags
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "evil.example" not in (attrs.get("href") or ""), (tag, attrs)
    headings = re.findall(r"<h(\d)>(.*?)</h\1>", html, flags=re.S)
    assert all("PASS" not in text for _, text in headings[1:]), headings  # only trustguard's own verdict
    assert tags.count("details") == tags.count("summary") == html.count("</details>")
    text = "".join(page.text)
    assert not re.search(r"@[A-Za-z0-9]", text), "an @mention would notify someone"
    for ch in RAW:
        assert ch not in markdown, repr(ch)


def assert_inert_lines(text: str, *, commands: bool = False) -> None:
    """A terminal or a CI log: no control character, no line that is a workflow command
    (unless it is one of trustguard's own, for the github format)."""
    for ch in (*RAW, "\r"):
        assert ch not in text, repr(ch)
    for line in text.splitlines():
        starts_command = line.lstrip().startswith(("::", "##["))
        if commands:
            # one of trustguard's commands, its properties intact; what follows "::" is its message
            assert re.match(r"::(error|warning|notice)( [a-z]+=[^:,]*(,[a-z]+=[^:,]*)*)?::", line), line
        else:
            assert not starts_command, line


def assert_inert_html(page_text: str) -> None:
    page = _page(page_text)
    tags = [tag for tag, _ in page.tags]
    assert "img" not in tags and "script" not in tags, tags
    assert tags.count("h1") == 1  # the page's own title
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "evil.example" not in (attrs.get("href") or "")
    for ch in RAW:
        assert ch not in page_text, repr(ch)


def assert_inert(fmt: str, out: str) -> None:
    if fmt == "markdown":
        assert_inert_markdown(out)
    elif fmt == "html":
        assert_inert_html(out)
    elif fmt == "text":
        assert_inert_lines(out)
    elif fmt == "github":
        assert_inert_lines(out, commands=True)
    elif fmt == "junit":
        ET.fromstring(out)
        for ch in RAW:
            assert ch not in out, repr(ch)
    elif fmt == "sarif":
        run = json.loads(out)["runs"][0]
        shown = [run["tool"]["driver"]["rules"], [r["message"] for r in run["results"]],
                 [loc.get("logicalLocations") for r in run["results"] for loc in r["locations"]]]
        for ch in RAW:  # what code scanning shows people (the properties bags are data)
            assert ch not in json.dumps(shown, ensure_ascii=False), repr(ch)
    elif fmt == "codequality":
        issues = json.loads(out)
        shown = [(i["description"], i["content"]) for i in issues]
        for ch in RAW:  # what a merge request shows
            assert ch not in json.dumps(shown, ensure_ascii=False), repr(ch)
    else:  # json: the data as it is, for scripts (json.dumps escapes controls)
        assert fmt == "json"
        json.loads(out)


# ------------------------------------------------------------------ the tests


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_hostile_spec_paths_are_inert_in_every_format(api_pair: tuple[str, str], fmt: str) -> None:
    code, out = _run("check", *api_pair, "-f", fmt, "-v")
    assert code == 1  # four paths removed: the verdict is not bypassed
    assert_inert(fmt, out)
    if fmt == "json":
        ops = {f["operation"] for f in json.loads(out)["findings"]}
        assert ops == {f"GET {p}" for p in HOSTILE_PATHS}  # the data itself is kept exact


def test_hostile_paths_are_shown_not_dropped(api_pair: tuple[str, str]) -> None:
    _, text = _run("check", *api_pair)
    assert "GET /b\\x1b[2J\\x1b]0;owned\\x07 ::error title=x::y" in text  # visible, and on one line
    assert "GET /c\\u202eevil\\x00nul" in text
    _, markdown = _run("check", *api_pair, "-f", "markdown")
    assert "@\u200boctocat" in markdown


@pytest.mark.parametrize("command", ["diff", "review"])
def test_diff_and_review_text_are_inert(api_pair: tuple[str, str], command: str) -> None:
    code, out = _run(command, *api_pair, "-v")
    assert code == 0
    assert_inert_lines(out)
    assert "GET /b\\x1b[2J" in out


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "github", "sarif", "junit"])
def test_hostile_clause_titles_are_inert(terms_pair: tuple[str, str], fmt: str) -> None:
    code, out = _run("check", *terms_pair, "-f", fmt, "-v")
    assert code == 1, out  # the arbitration clause is still found
    assert_inert(fmt, out)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "github"])
def test_hostile_customer_names_are_inert(customers: str, fmt: str) -> None:
    code, out = _run("check", *_impact_args(customers), "-f", fmt, "-v")
    assert code == 1
    assert_inert(fmt, out)


def test_impact_text_and_csv_are_inert(customers: str, tmp_path: Path) -> None:
    table = tmp_path / "impact.csv"
    code, out = _run("impact", *_impact_args(customers), "-o", str(table))
    assert code == 0, out
    assert_inert_lines(out)
    line = next(x for x in out.splitlines() if "c012" in x and "::error" in x)
    assert "\\x1b[2J\\u202e @octocat" in line  # shown, on the customer's own line
    rows = list(csv.DictReader(table.open(encoding="utf-8", newline="")))
    names = {row["id"]: row["name"] for row in rows if row["entity"] == "customer"}
    assert set(HOSTILE_NAMES) <= set(names), "the example change must reach every hostile customer"
    loaded = load_customers(customers).customers  # names as the loader keeps them (trimmed)
    formulas = 0
    for cid in HOSTILE_NAMES:
        name = loaded[cid].name or ""
        # OWASP: a cell that a spreadsheet would read as a formula gets a leading '
        if name.startswith(("=", "+", "-", "@", "\t", "\r")):
            assert names[cid] == "'" + name, names[cid]
            formulas += 1
    assert formulas >= 4
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
            for ch in RAW:
                assert ch not in value, row


def test_escape_functions_per_place() -> None:
    from trustguard.report import escape

    assert escape.terminal("a\nb\x1b[2J\u202e") == "a b\\x1b[2J\\u202e"
    assert escape.guard_lines("ok\n::error title=x::y\n  ##[group]x\n") == "ok\n:\u200b:error title=x::y\n  #\u200b#[group]x\n"
    assert escape.annotation_message("a\r\nb%") == "a%0D%0Ab%25"
    assert escape.annotation_property("x:y,z") == "x%3Ay%2Cz"
    assert escape.html_text("<a href='x'>\n</a>") == "&lt;a href=&#x27;x&#x27;&gt; &lt;/a&gt;"
    assert escape.md_text("![i](https://e.example) @me <b>") == "\\!\\[i\\](https&#58;//e.example) @\u200bme &lt;b>"
    assert escape.md_code("a`b|c", in_table=True) == "``a`b\\|c``"
    assert escape.md_html("</summary>\n\n# x @me https://e.example") == "&lt;/summary&gt; # x @\u200bme https&#58;//e.example"
    assert escape.csv_cell("=1+1") == "'=1+1" and escape.csv_cell("a=1") == "a=1"
    assert escape.csv_cell("\x1bx") == "\\x1bx"


def test_a_hostile_rule_pack_is_inert_in_rules_output(tmp_path: Path) -> None:
    import yaml

    from trustguard.classify.rulepack import default_rules

    shipped = default_rules()[0]
    pack = {"document": shipped.document, "family": "ours", "rules": [{
        "id": "our-hostile-rule", "title": "Title \x1b[2J\x07 \u202e", "severity": "major",
        "principle": shipped.principle.value, "message": "m",
        "rationale": "first line\n::error title=x::y\n##[group]fake", "remediation": "fix \x1b]0;owned\x07",
        "match": {"kind": shipped.kinds[0]}, "example": shipped.example,
    }]}
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(pack), encoding="utf-8")
    for args in (["rules", "--rule-pack", str(path)], ["rules", "our-hostile-rule", "--rule-pack", str(path)]):
        code, out = _run(*args)
        assert code == 0, out
        assert "our-hostile-rule" in out
        assert_inert_lines(out)


def test_a_hostile_redline_stays_lines_of_its_quote() -> None:
    """Clause text cut into lines: none of them may become a heading, list, quote or
    underline of the comment."""
    from test_report_formats import make_finding, passing_report

    from trustguard.model import Severity
    from trustguard.report import render

    report = passing_report()
    redline = [["=", "Fees\n# \u2705 PASS\n"], ["+", "- @octocat\n1. x\n> q\n==="],
               ["=", "\n+ y\n12) z\n<img src=x onerror=alert(1)>\n---"]]
    report.findings.append(make_finding("terms-x", Severity.MINOR, subject="§ 1", fails=False,
                                        facts={"redline": redline}))
    out = render(report, "markdown")
    assert_inert_markdown(out)
    html = cmarkgfm.github_flavored_markdown_to_html(out, options=Options.CMARK_OPT_UNSAFE)
    quote = html[html.index("<blockquote>"):html.index("</blockquote>")]
    for tag in ("<h", "<ul", "<ol", "<blockquote", "<hr", "<table"):
        assert tag not in quote[len("<blockquote>"):], tag
    assert "PASS" in quote and "12) z" in quote  # the text is all there, as text
    report.warnings = ["# \u2705 PASS", "1. @octocat", "> nested"]  # a warning quotes a file name first
    assert_inert_markdown(render(report, "markdown"))
