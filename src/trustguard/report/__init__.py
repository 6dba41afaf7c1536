"""Report: renderers over one Report model. Same input, byte-identical output."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..errors import ConfigError, guarded

if TYPE_CHECKING:  # the renderers import the models; the CLI's --help need not
    from ..model import Report

FORMATS = {
    "text": "trustguard.report.text:render_text",
    "json": "trustguard.report.json:render_json",
    "markdown": "trustguard.report.markdown:render_markdown",
    "html": "trustguard.report.html:render_html",
    "sarif": "trustguard.report.sarif:render_sarif",
    "junit": "trustguard.report.junit:render_junit",
    "github": "trustguard.report.github:render_github",
    "codequality": "trustguard.report.codequality:render_codequality",
}


#: formats whose renderer also makes the bytes of a file (report/json_dump.py says why)
FILE_RENDERERS = {
    "sarif": "trustguard.report.sarif:render_sarif_file",
    "json": "trustguard.report.json:render_json_file",
}


# GitHub refuses comments over 65,536 characters: a margin under it for what a workflow adds
MARKDOWN_BUDGET = 60_000


@guarded  # a renderer's bug is an InternalError, as everywhere in the public API
def render(
    report: Report, fmt: str = "text", *, color: bool = False, verbose: bool = False,
    budget: int | None = MARKDOWN_BUDGET, per_operation: bool = False,
) -> str:
    """Render a report as text, json, markdown, html, sarif, junit, github annotations or
    GitLab Code Quality JSON (codequality).

    ``budget`` (markdown only): the most characters the comment may have, 60,000 by
    default (GitHub refuses comments over 65,536); past it the comment is shortened.
    ``None``: never shortened.

    ``per_operation`` (json only): each finding once per operation it reaches, instead of
    once per change and place listing its operations (the default)."""
    if fmt not in FORMATS:  # an option given wrong: a trustguard error, as every other
        raise ConfigError(f"unknown report format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    module, _, name = FORMATS[fmt].partition(":")
    renderer = getattr(importlib.import_module(module), name)
    extra: dict[str, object] = {"budget": budget} if fmt == "markdown" else {}
    if fmt == "json":
        extra["per_operation"] = per_operation
    out: str = renderer(report, color=color, verbose=verbose, **extra)
    return out


@guarded
def render_file(
    report: Report, fmt: str = "text", *, color: bool = False, verbose: bool = False,
    budget: int | None = MARKDOWN_BUDGET, per_operation: bool = False,
) -> bytes:
    """The bytes of a file holding :func:`render`'s text (UTF-8; a lone surrogate, which
    UTF-8 cannot carry, as its backslash escape): what ``trustguard check -o FILE`` writes."""
    if fmt in FILE_RENDERERS:
        module, _, name = FILE_RENDERERS[fmt].partition(":")
        extra: dict[str, object] = {"per_operation": per_operation} if fmt == "json" else {}
        data: bytes = getattr(importlib.import_module(module), name)(report, color=color, verbose=verbose, **extra)
        return data
    text = render(report, fmt, color=color, verbose=verbose, budget=budget, per_operation=per_operation)
    return text.encode("utf-8", "backslashreplace")
