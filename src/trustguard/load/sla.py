"""Load a service-level agreement: a text (Markdown, plain text or HTML) or OpenSLO YAML.

An SLA text is kept as its lines (``diff.sla_facts`` reads the promises from them). An
OpenSLO file (``apiVersion: openslo/v1``, one or more YAML documents separated by ``---``)
is checked where the diff relies on it: each document a mapping with an ``openslo/``
apiVersion and a kind; each ``SLO``'s ``spec.objectives`` a list whose every objective has
a ``target`` in [0, 1) or a ``targetPercent`` in [0, 100). Anything else is an error naming
the file and the place, never half a reading.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..model import DocumentKind
from ..parsing.locator import Locator
from ..parsing.text import decode_text
from .document import Document
from .sources import Source, read_source

OPENSLO_API = re.compile(r"^\s*apiVersion:\s*['\"]?openslo/", re.MULTILINE)
_DOCUMENT_BREAK = re.compile(r"^(?:---|\.\.\.)\s*(?:#.*)?$")
#: the title an SLA text opens with
SLA_TITLE = re.compile(r"(?i)\bservice[- ]level[- ]agreement\b|\bSLA\b")
MAX_DOCUMENTS = 1000


@dataclass
class SlaText:
    """A loaded SLA: ``lines`` of a text (each with its line number), or ``openslo``:
    each YAML document with its first line and index; ``objective_lines``: the line of
    each objective, by its JSON pointer (``/1/spec/objectives/0``)."""

    form: str  # "text" or "openslo"
    lines: list[tuple[str, int]] = field(default_factory=list)
    openslo: list[tuple[Any, int, int]] = field(default_factory=list)
    objective_lines: dict[str, int] = field(default_factory=dict)


def is_openslo(text: str) -> bool:
    return OPENSLO_API.search(text[:65536]) is not None


_OPENSLO_BYTES = re.compile(rb"^\s*apiVersion:\s*['\"]?openslo/", re.MULTILINE)


def is_openslo_source(source: Source) -> bool:
    """OpenSLO YAML, by its apiVersion (read before any YAML parser: a file often holds
    several documents)."""
    return _OPENSLO_BYTES.search(source.raw[:65536]) is not None


def looks_like_sla(source: Source) -> bool:
    """OpenSLO YAML, or a text whose title names a service level agreement."""
    if is_openslo_source(source):
        return True
    text = source.raw[:8192].decode("utf-8", errors="ignore")  # a cut character at the end is no matter
    from .detect import looks_like_html

    return opens_as_sla(text, looks_like_html(text, source.name))


def _document(data: SlaText, name: str) -> Document:
    document = Document(DocumentKind("sla"), data, name, key=name)
    document.model = data
    return document


def opens_as_sla(text: str, html: bool = False) -> bool:
    """The text's first line (its title; an HTML page's first heading or paragraph) names a
    service level agreement."""
    if html:
        from .terms import html_lines

        lines = [line for line, _ in html_lines(text[:8192])]
    else:
        lines = text[:8192].splitlines()
    for line in lines:
        stripped = line.strip().lstrip("#").strip().strip("*_ ")
        if stripped:
            return SLA_TITLE.search(stripped) is not None and len(stripped) <= 200
    return False


def load_sla(source: str | os.PathLike[str] | Source | dict[str, Any], **options: Any) -> Document:
    """Load an SLA text or an OpenSLO file; ``source`` is a path, ``-``, ``REV:path``, a
    Source, or a dict (one OpenSLO document, or ``{"text": ..., "name": ...}``)."""
    del options
    if isinstance(source, dict):
        name = str(source.get("name") or "<sla>")
        if isinstance(source.get("text"), str):
            return _text_document(source["text"], name)
        return _document(SlaText("openslo", openslo=[_checked(source, name, 0, 1)]), name)
    if not isinstance(source, Source):
        source = read_source(source)
    name = source.name
    if not source.raw.strip():
        raise InputError("the file is empty (expected an SLA text or OpenSLO YAML)", file=name)
    text = decode_text(source.raw, name)
    if is_openslo(text):
        lines: dict[str, int] = {}
        documents = _openslo(text, name, lines)
        return _document(SlaText("openslo", openslo=documents, objective_lines=lines), name)
    if name.lower().endswith((".yaml", ".yml", ".json")):
        # structured data that is no OpenSLO would otherwise be read as SLA prose, and a
        # broken or foreign file would compare as a text that states no service level
        raise InputError("not an OpenSLO document: expected 'apiVersion: openslo/v1' (an SLA text is "
                         "Markdown, plain text or HTML)", file=name)
    return _text_document(text, name)


def _text_document(text: str, name: str) -> Document:
    from .detect import looks_like_html

    if looks_like_html(text, name):
        from .terms import html_lines

        lines = html_lines(text)
    else:
        lines = [(line, number) for number, line in enumerate(text.splitlines(), start=1)]
    if not any(line.strip() for line, _ in lines):
        raise InputError("no SLA text found: expected sentences or tables stating the service levels", file=name)
    return _document(SlaText("text", lines=lines), name)


def _openslo(text: str, name: str, objective_lines: dict[str, int]) -> list[tuple[Any, int, int]]:
    # here: a JSON pair needs no YAML parser (~9 ms to import)
    from ..parsing.yaml_tree import parse_yaml

    chunks: list[tuple[int, list[str]]] = [(1, [])]
    for number, line in enumerate(text.splitlines(), start=1):
        if _DOCUMENT_BREAK.match(line):
            chunks.append((number + 1, []))
        else:
            chunks[-1][1].append(line)
    out: list[tuple[Any, int, int]] = []
    for first, lines in chunks:
        body = "\n".join(lines)
        if not body.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in lines):
            continue
        if len(out) >= MAX_DOCUMENTS:
            raise InputError(f"more than {MAX_DOCUMENTS} YAML documents in one OpenSLO file", file=name)
        try:
            data, index = parse_yaml(body, name)
        except InputError as exc:
            raise InputError(exc.message, file=name, place=_shifted(exc.place, first)) from None
        out.append(_checked(data, name, len(out), first))
        objectives = (data.get("spec") or {}).get("objectives") if data.get("kind") == "SLO" else None
        locator = Locator(body, "yaml", index)
        for k in range(len(objectives or [])):
            found = locator.position(f"/spec/objectives/{k}")
            if found is not None:
                objective_lines[f"/{len(out) - 1}/spec/objectives/{k}"] = found[0] + first - 1
    if not out:
        raise InputError("no OpenSLO document found (expected 'apiVersion: openslo/v1')", file=name)
    return out


def _shifted(place: str | None, first: int) -> str | None:
    if not place:
        return place
    line, _, column = place.partition(":")
    return f"{int(line) + first - 1}:{column}" if line.isdigit() else place


def _checked(data: Any, name: str, index: int, line: int) -> tuple[Any, int, int]:
    where = f"/{index}"
    if not isinstance(data, dict):
        raise InputError("an OpenSLO document must be a mapping with apiVersion, kind, metadata and spec",
                         file=name, place=f"{where} (line {line})")
    api = data.get("apiVersion")
    if not isinstance(api, str) or not api.startswith("openslo/"):
        raise InputError(f"expected apiVersion 'openslo/v1', found {api!r}", file=name, place=f"{where}/apiVersion")
    if not isinstance(data.get("kind"), str):
        raise InputError("an OpenSLO document needs a 'kind' (SLO, SLI, Service...)", file=name, place=f"{where}/kind")
    if data["kind"] == "SLO":
        spec = data.get("spec")
        objectives = spec.get("objectives") if isinstance(spec, dict) else None
        if not isinstance(objectives, list) or not objectives:
            raise InputError("an SLO needs 'spec.objectives': a list of objectives with a target",
                             file=name, place=f"{where}/spec/objectives")
        for k, objective in enumerate(objectives):
            _check_objective(objective, name, f"{where}/spec/objectives/{k}")
    return data, line, index


def _check_objective(objective: Any, name: str, place: str) -> None:
    if not isinstance(objective, dict):
        raise InputError("an objective must be a mapping with 'target' or 'targetPercent'", file=name, place=place)
    target, percent = objective.get("target"), objective.get("targetPercent")
    if target is None and percent is None:
        raise InputError("an objective needs 'target' (0 to 1) or 'targetPercent' (0 to 100)", file=name, place=place)
    if target is not None and (isinstance(target, bool) or not isinstance(target, (int, float)) or not 0 <= target < 1):
        raise InputError(f"'target' must be a number from 0 up to 1 (0.999 for 99.9 %), found {target!r}",
                         file=name, place=f"{place}/target")
    if percent is not None and (isinstance(percent, bool) or not isinstance(percent, (int, float))
                                or not 0 <= percent < 100):
        raise InputError(f"'targetPercent' must be a number from 0 up to 100, found {percent!r}",
                         file=name, place=f"{place}/targetPercent")
