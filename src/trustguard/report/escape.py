"""Every value from an input (a spec path, a message, a clause title, a customer name) goes
through one of these before it reaches a reader: one function per place it can land.

The inputs are written by whoever opened the pull request, and the outputs are read by
a terminal, a CI log (where a line starting ``::`` is a workflow command), GitHub's
Markdown and HTML, and spreadsheets. Each function keeps the value readable and makes
it inert where it lands: no new line, no terminal sequence, no tag, link, image, heading
or @mention, no formula, no right-to-left override turning text around.

printable() and one_line() run on every value of every report (30,000 times for SARIF on
Stripe's pair): ASCII that needs nothing shown (bytes.translate says so in C, ten times
faster than the regex on a long text) skips the regex pass, and runs of whitespace are
folded by str.split (which knows the whitespace \\s knows), not a regex.

HTML escaping is html.escape's five replacements written out: the html module (and
html.entities with it) took ~1 ms to import in every check, most of whose reports are
not HTML (~2 ms of CPU of the ~30 ms the text report of Stripe's 6-month pair renders in).
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL; the whitespace ones (tab, newlines) are handled apart.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f"
# Characters that reorder or hide text in a reader's view (bidi embeddings, overrides
# and isolates, the marks) -- "Trojan Source".
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_HIDDEN = re.compile(f"[{_CONTROLS}{_BIDI}]")
_LINE_BREAKS = re.compile("[\t\n\r\x85\u2028\u2029]+")
_SPACES = re.compile(r"\s+")
# the ASCII that _HIDDEN leaves as it is: tab, newlines and the printable characters
_ASCII_AS_IS = b"\t\n\r" + bytes(range(0x20, 0x7F))


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """Control and bidi characters shown as ``\\x1b`` / ``\\u202e``; newlines and tabs kept."""
    value = str(text)
    # printable ASCII, tabs and newlines (most values) have nothing to show: no regex pass
    if value.isascii() and not value.encode("ascii").translate(None, _ASCII_AS_IS):
        return value
    return _HIDDEN.sub(_visible, value)


def one_line(text: object) -> str:
    """:func:`printable`, with every run of whitespace (newlines included) one space."""
    # = _SPACES.sub(" ", ...).strip(): str.split and \s know the same whitespace; no regex pass
    return " ".join(printable(text).split())


# ------------------------------------------------------------------ terminal and CI log

_COMMAND_START = re.compile(r"^(\s*)(::|##\[)", re.M)


def terminal(text: object) -> str:
    """A value in plain text output: on one line, no escape sequence, no bell."""
    return one_line(text)


def guard_lines(text: str) -> str:
    """Output for a CI log: no line may start a workflow command (``::error ...``,
    ``##[error]``), whatever value ended up at its start. A zero-width space after the
    first character keeps the line readable and inert."""
    return _COMMAND_START.sub(lambda m: m.group(1) + m.group(2)[0] + "\u200b" + m.group(2)[1:], text)


# ------------------------------------------------------------------ GitHub workflow commands


def annotation_message(text: object) -> str:
    """The message of a workflow command (after ``::``): its line breaks are encoded, so
    the command stays on one line of the log."""
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotation_property(text: object) -> str:
    """A property of a workflow command (``file=``, ``title=``): also ``:`` and ``,``,
    which would end it."""
    return annotation_message(text).replace(":", "%3A").replace(",", "%2C")


# ------------------------------------------------------------------ HTML


def html_text(text: object, *, keep_newlines: bool = False) -> str:
    """Text or an attribute value in HTML (quotes escaped too)."""
    value = printable(text) if keep_newlines else one_line(text)
    # = html.escape(value, quote=True), whose module (with html.entities) a report that is
    # not HTML would import for nothing: ~1 ms of a 20 ms text report
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#x27;"))


# ------------------------------------------------------------------ Markdown (GitHub / GitLab)

# Inline constructs: emphasis, code, links and images, tags, entities, table pipes,
# strikethrough, math, footnotes. A value never starts a line (it is on one line, after
# other text), so block markers (#, >, -, 1.) cannot take effect.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~$!])")
_AUTOLINK = re.compile(r"(?i)(?<=[a-z0-9+.-])://|\bwww\.")
# An @ that GitHub or GitLab would read as a mention (or a team, or an e-mail address).
_MENTION = "@"
_NO_MENTION = "@\u200b"  # a zero-width space after @ keeps whoever it names from being notified


def _defuse(text: str) -> str:
    text = _AUTOLINK.sub(lambda m: "&#58;//" if m.group().startswith(":") else "www&#46;", text)
    return text.replace(_MENTION, _NO_MENTION)


def md_text(text: object) -> str:
    """A value inline in Markdown: on one line, every special character escaped, HTML
    characters as entities, no autolink, no @mention."""
    return md_fragment(one_line(text))


def md_fragment(text: str) -> str:
    """:func:`md_text` of a piece of a line, its outer spaces kept (the text around a
    code span of a rule's prose)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", _SPACES.sub(" ", printable(text)))
    # "<" starts a tag or an autolink, "&" an entity; ">" alone is inert off the line start
    escaped = escaped.replace("&", "&amp;").replace("<", "&lt;")
    return _defuse(escaped)


# What makes a line a block (heading, quote, list, setext underline, table, thematic
# break) when it starts with it.
_BLOCK_START = re.compile(r"^(\d{1,9})([.)])|^([#>+\-=])")  # * _ | ~ are escaped already


def md_line_start(line: str) -> str:
    """A line of escaped Markdown text (a redline's line inside a quote) that must stay a
    paragraph line: a leading block marker is escaped."""
    return _BLOCK_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", line)


def md_cell(text: object) -> str:
    """A value in a Markdown table cell (never empty, so the row keeps its columns)."""
    return md_text(text) or " "


def md_code(text: object, *, in_table: bool = False) -> str:
    """A code span that survives any backticks (and pipes, in a table) in ``text``."""
    flat = one_line(text)
    if not flat:
        return ""
    longest = max((len(m) for m in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    body = flat.replace("|", "\\|") if in_table else flat
    return f"{fence}{pad}{body}{pad}{fence}"


def md_html(text: object) -> str:
    """A value inside raw HTML in Markdown (``<summary>``): escaped as HTML, on one line
    (a blank line would end the HTML block and start Markdown), no autolink, no @mention."""
    return _defuse(html_text(text))


# ------------------------------------------------------------------ CSV (spreadsheets)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: object) -> str:
    """A CSV cell a spreadsheet will not run: a value that starts like a formula gets a
    leading ``'`` (OWASP's advice), and control characters are shown, not written."""
    value = printable(text)
    return "'" + value if value.startswith(_FORMULA_START) else value
