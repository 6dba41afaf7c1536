"""Rules documented from their own data: text, JSON and Markdown."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .escape import guard_lines, printable

if TYPE_CHECKING:  # the rules are given: rendering them needs no rule pack loaded
    from ..classify.rulepack import Rule


def _example(example: Any) -> str:
    if example is None:
        return ""
    if isinstance(example, str):
        return example.rstrip()
    import yaml  # here: only an explained rule or the Markdown shows examples

    return yaml.safe_dump(example, sort_keys=False, allow_unicode=True).rstrip()


def render_rules(rules: list[Rule], fmt: str, *, explain: bool = False) -> str:
    if fmt == "json":
        return json.dumps([r.as_dict() for r in rules], indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return _markdown(rules)
    lines: list[str] = []
    for rule in rules:
        if explain:
            lines.extend(
                [
                    f"{rule.id}  ({rule.document}, {rule.principle.value}, {rule.severity.value})",
                    f"  {rule.title}",
                    "",
                    f"  Why: {rule.rationale}",
                    f"  Fix: {rule.remediation}",
                ]
            )
            if rule.oasdiff:
                lines.append(f"  oasdiff level: {rule.oasdiff}" + (f" ({rule.oasdiff_note})" if rule.oasdiff_note else ""))
            if rule.example is not None:
                lines.append("  Example:")
                lines.extend("    " + line for line in _example(rule.example).splitlines())
            lines.append(f"  Matches: {', '.join(rule.kinds)} {json.dumps(rule.where, sort_keys=True) if rule.where else ''}".rstrip())
            lines.append("")
        else:
            lines.append(f"{rule.id:60} {rule.severity.value:8} {rule.principle.value:23} {rule.title}")
    lines.append(f"{len(rules)} rule(s)")
    # a user's pack is input too: its text cannot move the terminal or start a CI command
    return guard_lines(printable("\n".join(lines) + "\n"))


def _markdown(rules: list[Rule]) -> str:
    out = ["# trustguard rules", ""]
    by_doc: dict[str, list[Rule]] = {}
    for rule in rules:
        by_doc.setdefault(rule.document, []).append(rule)
    for document, group in by_doc.items():
        out += [f"## {document} ({len(group)} rules)", "", "| id | severity | principle | oasdiff | title |", "|---|---|---|---|---|"]
        for r in group:
            out.append(f"| [`{r.id}`](#{r.id}) | {r.severity.value} | {r.principle.value} | {r.oasdiff or '—'} | {r.title} |")
        out.append("")
        for r in group:
            out += [f"### {r.id}", "", f"**{r.title}** — {r.severity.value}, {r.principle.value}", "", r.rationale, "", f"**Fix:** {r.remediation}", ""]
            if r.oasdiff_note:
                out += [f"**Differs from oasdiff:** {r.oasdiff_note}", ""]
            if r.example is not None:
                out += ["```yaml", _example(r.example), "```", ""]
    return "\n".join(out)


_LEVEL_SEVERITY = {"ERR": "major", "WARN": "minor", "INFO": "info"}


def render_oasdiff_differences(rules: list[Rule]) -> str:
    """A Markdown table of the OpenAPI rules whose judgement differs from oasdiff's,
    and of the rules oasdiff does not have, generated from the rule packs."""
    api = [r for r in rules if r.document == "openapi"]
    differ = [r for r in api if r.oasdiff and (_LEVEL_SEVERITY[r.oasdiff] != r.severity.value or r.oasdiff_note)]
    own = [r for r in api if not r.oasdiff]
    same = len([r for r in api if r.oasdiff]) - len(differ)
    out = [
        f"{len(api)} OpenAPI rules: {same} keep oasdiff's id and level (ERR → major, WARN → minor, "
        f"INFO → info), {len(differ)} keep its id with another severity or a note, {len(own)} are trustguard's own.",
        "",
        "### Same id, different judgement",
        "",
        "| rule | oasdiff | trustguard | why |",
        "|---|---|---|---|",
    ]
    for r in sorted(differ, key=lambda r: r.id):
        note = " ".join((r.oasdiff_note or "").split()).replace("|", "\\|")
        out.append(f"| `{r.id}` | {r.oasdiff} | {r.severity.value} | {note} |")
    out += ["", "### Rules oasdiff does not have", "", "| rule | severity | title |", "|---|---|---|"]
    for r in sorted(own, key=lambda r: r.id):
        title = r.title.replace("|", "\\|")
        out.append(f"| `{r.id}` | {r.severity.value} | {title} |")
    return "\n".join(out) + "\n"
