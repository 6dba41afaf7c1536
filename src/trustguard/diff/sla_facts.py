"""Service-level facts: the promises a document states, each with where it stands.

Three sources: a text read a line at a time (an SLA in Markdown or plain text, and the
clauses of a terms text), a Pricing2Yaml pricing (each plan's features and usage limits),
and OpenSLO objectives. Each gives :class:`SlaFact` values that ``diff.sla`` compares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..parsing import sla_quantities as q

# A Markdown table row, a heading, a list marker
_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_SEPARATOR = re.compile(r"^[\s|:\-]+$")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MARKUP = re.compile(r"[*_`]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")
MAX_LINES = 50_000


@dataclass(frozen=True)
class SlaFact:
    """One promise: the quantity, what it is for (``scope``: a plan, an SLO objective, a
    table row's label), where it stands (``location``: a JSON pointer, ``line``) and the
    sentence that states it (``excerpt``)."""

    quantity: q.Quantity
    scope: str
    location: str
    line: int | None
    excerpt: str
    section: str = ""

    @property
    def metric(self) -> str:
        return self.quantity.metric

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two versions' facts the same promise."""
        return (self.metric, self.scope.lower(), self.quantity.qualifier.lower())


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 240 else text[:239].rstrip() + "…"


def from_sentence(text: str, *, scope: str, location: str, line: int | None, section: str = "") -> list[SlaFact]:
    """The promises one sentence (or table row) states. In a sentence that grants a service
    credit, the uptime percentages are the thresholds the credit is paid below, not
    promises of their own; they are kept as credit facts' scope-free qualifier."""
    found = q.read_all(text)
    has_credit = any(f.metric in (q.CREDIT, q.CREDIT_CAP) for f in found)
    out = []
    for quantity in found:
        if has_credit and quantity.metric == q.UPTIME:
            quantity = q.Quantity("credit_threshold", quantity.value, quantity.amount, "%", quantity.text)
        out.append(SlaFact(quantity, scope or _plan_before(text, quantity.text), location, line, _excerpt(text),
                           section))
    return out


_PLAN_NAMED = re.compile(r"\b([A-Z][\w+-]{0,30})\s+(?:plan|tier|edition)\b")
_CLAUSE_START = re.compile(r"[;.|]")


def _plan_before(text: str, written: str) -> str:
    """The plan a clause names before the quantity ("Pro plan: 1,000 requests per minute"),
    so that each plan's promise pairs with the same plan's; "" when it names none."""
    at = text.find(written)
    if at < 0:
        return ""
    start = max((m.end() for m in _CLAUSE_START.finditer(text, 0, at)), default=0)
    named = list(_PLAN_NAMED.finditer(text, start, at))
    return named[-1].group(1) if named else ""


_CREDIT_HEADER = re.compile(r"(?i)\bcredit")
_UPTIME_HEADER = re.compile(r"(?i)\b(?:uptime|availab|service level)")


def from_row(header: list[str], cells: list[str], *, scope: str, location: str, line: int,
             section: str) -> list[SlaFact]:
    """A table row read with its header. In a credit table (a column headed "credit") the
    percentages of that column are credits, whatever their size (100 % of the fee), and
    those of an uptime column the thresholds they are paid below; any other row is read as
    one sentence of "header: cell" parts."""
    pairs = list(zip(header, cells, strict=False))
    text = "; ".join(f"{h}: {c}" if h else c for h, c in pairs)
    if not any(_CREDIT_HEADER.search(h) for h, _ in pairs):
        return from_sentence(text, scope=scope, location=location, line=line, section=section)
    out = []
    excerpt = _excerpt(text)
    for head, cell in pairs:
        if _CREDIT_HEADER.search(head) or _UPTIME_HEADER.search(head):
            metric = q.CREDIT if _CREDIT_HEADER.search(head) else "credit_threshold"
            if metric == q.CREDIT and q.names_a_cap(f"{head} {cell}"):
                metric = q.CREDIT_CAP
            for value, written in q.percentages(cell):
                if value <= 100:
                    out.append(SlaFact(q.Quantity(metric, value, value, "%", written), scope, location, line,
                                       excerpt, section))
        else:
            out.extend(from_sentence(f"{head}: {cell}", scope=scope, location=location, line=line, section=section))
    return out


def from_lines(lines: list[tuple[str, int]]) -> list[SlaFact]:
    """The promises of a Markdown or plain text, a line at a time: headings name the
    section, a table row is read with its header (``Monthly Uptime: < 99.9%; Credit: 10%``)
    and scoped by its first cell, a paragraph is read sentence by sentence."""
    facts: list[SlaFact] = []
    section = ""
    header: list[str] | None = None
    paragraph: list[tuple[str, int]] = []
    sections = 0

    def flush() -> None:
        if not paragraph:
            return
        text = " ".join(t for t, _ in paragraph)
        first_line = paragraph[0][1]
        for index, sentence in enumerate(_SENTENCE_END.split(text)):
            facts.extend(from_sentence(sentence, scope="", location=f"/sections/{sections}/lines/{first_line}/{index}",
                                       line=first_line, section=section))
        paragraph.clear()

    for raw, number in lines[:MAX_LINES]:
        line = _MARKUP.sub("", raw).strip()
        heading = _HEADING.match(raw)
        row = _ROW.match(raw)
        if heading:
            flush()
            header = None
            section = _MARKUP.sub("", heading.group(2)).strip()
            sections += 1
        elif row:
            flush()
            cells = [_MARKUP.sub("", c).strip() for c in row.group(1).split("|")]
            if _SEPARATOR.match(raw):
                continue
            if header is None:
                header = cells
                continue
            label = cells[0] if cells and not q.read_all(cells[0]) else ""
            facts.extend(from_row(header, cells, scope=label, location=f"/sections/{sections}/rows/{number}",
                                  line=number, section=section))
        elif not line:
            flush()
            header = None
        elif re.match(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+", raw):
            flush()
            header = None
            paragraph.append((re.sub(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+", "", line), number))
        else:
            header = None
            paragraph.append((line, number))
    flush()
    return facts


def from_terms(tree: Any) -> list[SlaFact]:
    """The promises in a loaded terms text (``load.terms.TermsText``), sentence by sentence,
    located as the terms differ locates its clauses."""
    facts: list[SlaFact] = []
    for i, j, section, paragraph in tree.paragraphs():
        label = f"{section.number} {section.title}".strip() if section.number else section.title
        for sentence in paragraph.sentences:
            facts.extend(from_sentence(sentence.plain, scope="", location=f"/sections/{i}/paragraphs/{j}",
                                       line=sentence.line, section=label))
    return facts


# -- pricing --------------------------------------------------------------------------------

def from_pricing(pricing: Any) -> list[SlaFact]:
    """Each plan's promises (``load.pricing.Pricing``): its enabled features' descriptions
    and text values (``availability``: "99.99% availability guaranteed in our SLA"), and
    its usage limits that are rates or retention periods. Scoped by plan."""
    from ..load.pricing import feature_enabled

    facts: list[SlaFact] = []
    for plan_name, plan in pricing.plans.items():
        for name, value in plan.features.items():
            if not feature_enabled(value):
                continue
            feature = pricing.features.get(name)
            description = feature.description if feature is not None else ""
            text = f"{q.words_of(name)}: {description}"
            if isinstance(value, str):
                text += f" {value}"
            for fact in from_sentence(text, scope=plan_name, location=f"/plans/{plan_name}/features/{name}",
                                      line=None, section=name):
                if fact.metric != q.RATE_LIMIT or isinstance(value, str) or description:
                    facts.append(fact)
        for name, value in plan.limits.items():
            limit = pricing.limits.get(name)
            if limit is None:
                continue
            quantity = q.limit_quantity(name, limit.description, value, limit.unit)
            if quantity is not None:
                facts.append(SlaFact(quantity, plan_name, f"/plans/{plan_name}/usageLimits/{name}", None,
                                     _excerpt(f"{name}: {quantity.text}"), f"usage limit {name}"))
    return facts


# -- OpenSLO ----------------------------------------------------------------------------------

_AVAILABILITY = re.compile(r"(?i)availab|uptime|error|success|up\b")
_DURATION_SHORTHAND = re.compile(r"^(\d{1,5})([mhdwMQY])$")


def from_openslo(documents: list[tuple[Any, int, int]], lines: dict[str, int] | None = None) -> list[SlaFact]:
    """The objectives of OpenSLO ``kind: SLO`` documents (``documents``: each parsed YAML
    document with its first line and index): one uptime fact per objective, its target
    (``target: 0.999`` or ``targetPercent: 99.9``) as a percentage, scoped by the SLO's and
    the objective's names."""
    facts: list[SlaFact] = []
    for data, line, index in documents:
        if not isinstance(data, dict) or data.get("kind") != "SLO":
            continue
        metadata: dict[str, Any] = data["metadata"] if isinstance(data.get("metadata"), dict) else {}
        spec: dict[str, Any] = data["spec"] if isinstance(data.get("spec"), dict) else {}
        name = str(metadata.get("displayName") or metadata.get("name") or f"SLO #{index}")
        objectives: list[Any] = spec["objectives"] if isinstance(spec.get("objectives"), list) else []
        window = _time_window(spec.get("timeWindow"))
        for k, objective in enumerate(objectives):
            if not isinstance(objective, dict):
                continue
            percent = _target(objective)
            if percent is None:
                continue
            label = str(objective.get("displayName") or objective.get("name") or (f"objective {k}" if k else ""))
            scope = f"{name} / {label}" if label else name
            kind = q.UPTIME
            if "value" in objective and not _AVAILABILITY.search(label):
                kind = "objective"  # a threshold objective (latency under a value), not availability
            text = f"{q.number(percent)}%"
            quantity = q.Quantity(kind, percent, percent, "%", text, window)
            excerpt = f"{scope}: target {text}" + (f" over {window}" if window else "")
            pointer = f"/{index}/spec/objectives/{k}"
            facts.append(SlaFact(quantity, scope, pointer, (lines or {}).get(pointer, line), excerpt, name))
    return facts


def _target(objective: dict[str, Any]) -> float | None:
    target, percent = objective.get("target"), objective.get("targetPercent")
    if isinstance(percent, (int, float)) and not isinstance(percent, bool):
        return float(percent)
    if isinstance(target, (int, float)) and not isinstance(target, bool):
        return round(float(target) * 100, 6)
    return None


def _time_window(value: Any) -> str | None:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        duration = value[0].get("duration")
        if isinstance(duration, str) and _DURATION_SHORTHAND.match(duration.strip()):
            return duration.strip()
    return None
