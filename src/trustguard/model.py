"""The core vocabulary every stage shares: Change, Finding, Impact, Report.

Stages import this module and nothing sideways, so the flow stays one-way:
load -> diff (Change) -> classify (Finding) -> impact (Impact) -> report (Report).

These are plain records (``_record``): a check builds them without pydantic, which it never
imports. Their public models, with validation, JSON Schema and dumps, are their pydantic
twins in ``model_public``, what ``import trustguard`` hands out. A Finding names itself per
property path (``names``, ``messages_at``) from a slotted view of its Change
(``_Renamed``), not from two model copies per path: a large API's report has thousands;
its fingerprint per operation (``fingerprint_list``) hashes one string built per operation
after a copy of the rule's part (53,000 of them in SARIF for Stripe's 6-month pair: ~6 ms
less than a dict of hashes begun anew, of a ~77 ms render).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ._record import Record, field
from .messages import render_message
from .vocabulary import DocumentKind as DocumentKind  # the vocabulary, importable from here too
from .vocabulary import Principle as Principle
from .vocabulary import Severity as Severity
from .vocabulary import Verdict as Verdict

R = TypeVar("R", bound=Record)

if TYPE_CHECKING:
    from typing_extensions import Self

    from .model_notices import CustomerNotice, MakeWhole
    from .model_release import ReleaseSummary


class SourcePosition(Record):
    """Where something sits in an input file (1-based line and column)."""

    _public_name = "trustguard.model_public:SourcePosition"

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"

    def __hash__(self) -> int:  # frozen, as its public model is
        return hash((self.file, self.line, self.column))


class Change(Record):
    """One fact about what differs between two versions. Diff reports facts; it never judges.

    ``kind`` is a dotted name (``api.response.property.removed``,
    ``pricing.plan.price.increased``, ``terms.clause.added``). ``location`` is a JSON
    pointer into the revision (into the base when the thing was removed). ``facts``
    holds context that rules test: direction, stability, percent delta, category...

    ``operations`` lists every operation the change reaches, sorted: one for a change of
    an operation, many for a change in a schema that several operations share (diffed
    once, attributed to all of them). ``operation`` is the first of them.

    ``property_paths`` says, for such a change, at which property path each operation
    reaches it when they differ (``GET /a`` at ``data/items/fee``, ``GET /b`` at ``fee``);
    ``subject`` and ``facts["property_path"]`` are the first operation's. It is empty when
    every operation reaches the change at the same path.
    """

    _public_name = "trustguard.model_public:Change"

    kind: str
    location: str = ""
    operation: str | None = None
    operations: list[str] = field(default_factory=list)
    subject: str | None = None
    before: Any = None
    after: Any = None
    facts: dict[str, Any] = field(default_factory=dict)
    property_paths: dict[str, str] = field(default_factory=dict)
    source: SourcePosition | None = None
    base_source: SourcePosition | None = None

    @property
    def weight(self) -> int:
        """How many changes this is, one per operation (oasdiff counts that way)."""
        return len(self.operations) or 1

    def path_at(self, operation: str | None) -> Any:
        """The property path at which ``operation`` (one of the operations) reaches the change."""
        return self.property_paths.get(operation or "", self.facts.get("property_path"))

    def only(self, operations: list[str]) -> Change:
        """This change restricted to some of its operations, named as the first of them
        reaches it."""
        if operations == self.operations:
            return self
        return self.model_copy(update=_restricted(self, operations))

    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.operation or "", self.location, self.kind, self.subject or "", repr(self.after))


class AffectedEntity(Record):
    """A customer or an integration reached by a finding."""

    _public_name = "trustguard.model_public:AffectedEntity"

    id: str
    name: str | None = None
    kind: str = "customer"
    revenue: float = 0.0
    traffic: int = 0
    plan: str | None = None
    segment: str | None = None
    bill_before: float | None = None
    bill_after: float | None = None


class ImpactEvidence(Record):
    """What proves that a finding hits an integration or a customer: a consumer contract
    (``contract``: a Pact interaction; ``declared``: the integrations file) that reads what
    the change removes or changes or does not send what it now requires, or a recorded
    call that the revision rejects or answers differently (``observed``)."""

    _public_name = "trustguard.model_public:ImpactEvidence"

    kind: str
    integration: str | None = None
    customer: str | None = None
    source: str = ""
    detail: str = ""


class Impact(Record):
    """Who a finding reaches. ``estimated`` is true when the data only says which
    operations a customer calls, not which fields it reads, or when the change breaks no
    call today (a deprecation, a sunset): its customers may be affected, not for certain."""

    _public_name = "trustguard.model_public:Impact"

    customers: int = 0
    integrations: int = 0
    revenue: float = 0.0
    revenue_share: float = 0.0
    traffic: int = 0
    traffic_share: float = 0.0
    customer_share: float = 0.0
    estimated: bool = False
    level: str = "none"
    top_customers: list[AffectedEntity] = field(default_factory=list)
    top_integrations: list[AffectedEntity] = field(default_factory=list)
    customer_ids: list[str] = field(default_factory=list)
    integration_ids: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    evidence: list[ImpactEvidence] = field(default_factory=list)


class Waiver(Record):
    """An accepted finding: by rule (+ operation / location) or by fingerprint."""

    _public_name = "trustguard.model_public:Waiver"

    rule: str | None = None
    operation: str | None = None
    location: str | None = None
    fingerprint: str | None = None
    reason: str
    expires: str | None = None


#: the key a release finding carries its document key under, in Finding.facts
RELEASE_DOCUMENT_FACT = "release_document"

#: the fields of its Change a Finding shows as its own (the JSON report lists them flat)
FINDING_CHANGE_FIELDS = ("kind", "location", "operation", "operations", "subject", "before", "after", "facts",
                         "property_paths", "source")
_CHANGE_KEYS = frozenset((*FINDING_CHANGE_FIELDS, "base_source"))


class Finding(Record):
    """A Change judged by a rule. It holds the Change (restricted to the operations it
    judges), and reads the change's fields through it: ``finding.facts`` is
    ``finding.change.facts``. Written out (JSON) and read back, those fields are flat,
    beside the rule's; a Finding may be built from them flat too."""

    _public_name = "trustguard.model_public:Finding"

    rule: str
    severity: Severity
    principle: Principle
    title: str
    message: str
    change: Change
    remediation: str = ""
    references: list[str] = field(default_factory=list)
    fingerprint: str = ""
    # With property_paths, the message as each of those paths names the change: what the
    # JSON report carries instead of the rule's template (see messages_at).
    messages_by_path: dict[str, str] = field(default_factory=dict)
    waived: Waiver | None = None
    waiver_expired: Waiver | None = None
    impact: Impact | None = None
    # Set with the verdict: whether this finding, alone, fails the policy (None: not judged).
    fails: bool | None = None
    # the rule's message template, to name the finding as another operation reaches it
    _template: str = field(init=False, default="")

    # The change's fields, read through it. Set on a finding, a field replaces the finding's
    # change with a copy: the Change itself, which other findings and the report's changes
    # may hold, is never modified.

    def _with(self, **update: Any) -> None:
        self.change = self.change.model_copy(update=update)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; ``update`` may name the change's fields too (``facts``, ``subject``...):
        they go to a copy of the change, never to the shared one."""
        return super().model_copy(update=self._split_update(update), deep=deep)

    def _split_update(self, update: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        if update:
            moved = {k: v for k, v in update.items() if k in _CHANGE_KEYS}
            if moved:
                update = {k: v for k, v in update.items() if k not in moved}
                update["change"] = update.get("change", self.change).model_copy(update=moved)
        return update

    @property
    def kind(self) -> str:
        return self.change.kind

    @kind.setter
    def kind(self, value: str) -> None:
        self._with(kind=value)

    @property
    def location(self) -> str:
        return self.change.location

    @location.setter
    def location(self, value: str) -> None:
        self._with(location=value)

    @property
    def operation(self) -> str | None:
        return self.change.operation

    @operation.setter
    def operation(self, value: str | None) -> None:
        self._with(operation=value)

    @property
    def operations(self) -> list[str]:
        return self.change.operations

    @operations.setter
    def operations(self, value: list[str]) -> None:
        self._with(operations=value, operation=value[0] if value else None)

    @property
    def subject(self) -> str | None:
        return self.change.subject

    @subject.setter
    def subject(self, value: str | None) -> None:
        self._with(subject=value)

    @property
    def before(self) -> Any:
        return self.change.before

    @before.setter
    def before(self, value: Any) -> None:
        self._with(before=value)

    @property
    def after(self) -> Any:
        return self.change.after

    @after.setter
    def after(self, value: Any) -> None:
        self._with(after=value)

    @property
    def facts(self) -> dict[str, Any]:
        return self.change.facts

    @facts.setter
    def facts(self, value: dict[str, Any]) -> None:
        self._with(facts=value)

    @property
    def property_paths(self) -> dict[str, str]:
        return self.change.property_paths

    @property_paths.setter
    def property_paths(self, value: dict[str, str]) -> None:
        self._with(property_paths=value)

    @property
    def source(self) -> SourcePosition | None:
        return self.change.source

    @source.setter
    def source(self, value: SourcePosition | None) -> None:
        self._with(source=value)

    @property
    def base_source(self) -> SourcePosition | None:
        return self.change.base_source

    @base_source.setter
    def base_source(self, value: SourcePosition | None) -> None:
        self._with(base_source=value)

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return self.sort_key_at(self.operation)

    def sort_key_at(self, operation: str | None, subject: str | None = None) -> tuple[int, str, str, str, str]:
        """The sort key this finding has at one of its operations (``subject``: the one it
        has there, when operations reach it at different property paths)."""
        return (-self.severity.rank, operation or "", self.location, self.rule, (subject or self.subject) or "")

    def fingerprint_at(self, operation: str | None) -> str:
        """The fingerprint this finding has at one of its operations."""
        return fingerprint(self.rule, operation, self.location, value_detail(self.before, self.after))

    def fingerprints(self) -> dict[str, str]:
        """The fingerprint at each of its operations."""
        return dict(zip(self.operations, self.fingerprint_list(), strict=True))

    def fingerprint_list(self) -> list[str]:
        """The fingerprint at each of its operations, in their order (what SARIF lists)."""
        # fingerprint() per operation, its fixed parts joined once, and the hash of the
        # rule part copied rather than begun anew (OpenSSL's new hash costs more than a
        # copy): a shared schema on a large API has tens of thousands of operations
        head = hashlib.sha256((self.rule + "\x1f").encode("utf-8"))
        tail = "\x1f" + self.location + "\x1f" + value_detail(self.before, self.after)
        prints = []
        for op in self.operations:
            digest = head.copy()
            digest.update((op + tail).encode("utf-8"))
            prints.append(digest.hexdigest()[:16])
        return prints

    @property
    def weight(self) -> int:
        """How many findings this is, one per operation (oasdiff counts that way)."""
        return self.change.weight

    def path_at(self, operation: str | None) -> Any:
        """The property path at which ``operation`` (one of the operations) reaches the change."""
        return self.change.path_at(operation)

    def names(self) -> dict[str, tuple[str | None, str]]:
        """Each operation's (subject, message): how it reaches the change names it. One
        rendering per property path, however many operations share it."""
        return {op: named for op, (_, named) in self._named_by_operation().items()}

    def _named_by_operation(self) -> dict[str, tuple[Any, tuple[str | None, str]]]:
        """Each operation's property path and (subject, message). A large API's report
        asks this of tens of thousands of operations: the finding's fields are read once,
        not per operation or per path (a private attribute is a slow read on a model)."""
        by_path: dict[Any, tuple[str | None, str]] = {}
        out: dict[str, tuple[Any, tuple[str | None, str]]] = {}
        change, template = self.change, self._template
        paths, facts = change.property_paths, change.facts
        own = facts.get("property_path")
        for op in change.operations:
            path = paths.get(op, own)  # path_at, inlined
            named = by_path.get(path)
            if named is None:
                named = by_path[path] = self._named_at(path, template)
            out[op] = (path, named)
        return out

    def _named_at(self, path: Any, template: str) -> tuple[str | None, str]:
        """(subject, message) as an operation reaching the change at ``path`` names it:
        what :meth:`_only` gives that operation, without copying the rest of the finding."""
        change = self.change
        old = change.facts.get("property_path")
        if path is None or path == old:
            return change.subject, self.message
        subject = resubject(change.subject, str(old or ""), path)
        text = self.messages_by_path.get(path)
        if text is None and template:
            text = render_message(template, _Renamed(change, {**change.facts, "property_path": path}, subject))
        return subject, self.message if text is None else text

    def per_operation(self) -> list[Finding]:
        """This finding once per operation it reaches, each with that operation's
        fingerprint and property path: the form of oasdiff's output and of `-f json --per-operation`."""
        if len(self.operations) <= 1:
            return [self]
        messages: dict[str, str] = {}  # operations reaching the change at one path share a text
        return [self._only([op], messages) for op in self.operations]

    def only(self, operations: list[str]) -> Finding:
        """This finding restricted to some of its operations (path filters, waivers),
        named as the first of them reaches it."""
        if operations == self.operations:
            return self
        return self._only(operations, {})

    def _only(self, operations: list[str], messages: dict[str, str]) -> Finding:
        update = _restricted(self.change, operations)
        one = self.model_copy(update={"change": self.change.model_copy(update=update),
                                      "fingerprint": self.fingerprint_at(update["operation"])})
        if "subject" in update:
            path = str(update["facts"]["property_path"])
            text = messages.get(path) or self.messages_by_path.get(path)
            if text is None and self._template:
                text = render_message(self._template, one)
            if text is not None:
                one.__dict__["message"] = messages[path] = text
        if not one.property_paths:
            one.__dict__["messages_by_path"] = {}
        return one

    def messages_at(self) -> dict[str, str]:
        """The message at each property path its operations reach it by (empty when they
        all reach it at one): a report read back from JSON names each operation's part so."""
        if not self.property_paths:
            return {}
        # each path once, in the order its first operation reaches it (a shared schema on
        # a large API: tens of thousands of operations, a few hundred paths)
        change, template = self.change, self._template
        own = change.facts.get("property_path")
        paths = dict.fromkeys(map(change.property_paths.get, change.operations, itertools.repeat(own)))
        return {str(path): self._named_at(path, template)[1] for path in paths}


class _Renamed:
    """A change as an operation reaching it at another property path names it: what a
    message template reads (the fields of messages._Judged), without copying the Change
    and its Finding (thousands of paths in a large API's report)."""

    __slots__ = ("after", "before", "facts", "kind", "location", "operation", "subject")

    def __init__(self, change: Change, facts: dict[str, Any], subject: str | None) -> None:
        self.kind, self.location, self.operation = change.kind, change.location, change.operation
        self.before, self.after = change.before, change.after
        self.facts, self.subject = facts, subject


def _restricted(item: Change, operations: list[str]) -> dict[str, Any]:
    """The fields that change when ``item`` keeps only ``operations``: the first of them
    names it, with its own property path (and so its subject)."""
    first = operations[0] if operations else None
    update: dict[str, Any] = {"operation": first, "operations": list(operations)}
    paths = item.property_paths
    if paths:
        kept = {op: paths[op] for op in operations if op in paths}
        update["property_paths"] = kept if len(set(kept.values())) > 1 else {}
        path, old = kept.get(first or ""), item.facts.get("property_path")
        if path is not None and path != old:
            update["facts"] = {**item.facts, "property_path": path}
            update["subject"] = resubject(item.subject, str(old or ""), path)
    return update


def path_rank(path: Any) -> tuple[int, str]:
    """Fewer steps first, then the text: how a walk picks the property path that names a
    change reached several ways."""
    return (path.count("/") + 1, path) if isinstance(path, str) and path else (0, "")


def subject_of(prefix: str | None, path: str) -> str | None:
    """The subject of a schema change: a prefix (``query parameter 'q'``) and the
    property path, either of which may be empty."""
    return f"{prefix} {path}".strip() if prefix and path else (prefix or path or None)


def resubject(subject: str | None, old_path: str, new_path: str) -> str | None:
    """``subject`` (a prefix such as ``query parameter 'q'`` and a property path) with its
    property path replaced."""
    stem = subject or ""
    if old_path and stem.endswith(old_path):
        stem = stem[: len(stem) - len(old_path)]
    return subject_of(stem.rstrip() or None, new_path)


def _link_operations(item: Change) -> None:
    # operations sorted, operation its first (or the only one).
    # Pydantic runs this again on every instance a Report holds: leave a consistent one be.
    ops = item.operations
    if ops:
        if len(ops) > 1 and any(a >= b for a, b in itertools.pairwise(ops)):
            ops = sorted(set(ops))
            item.__dict__["operations"] = ops
        if item.operation != ops[0]:
            item.__dict__["operation"] = ops[0]
    elif item.operation:
        item.__dict__["operations"] = [item.operation]


def canonical(value: Any) -> str:
    """A stable text form of a before/after value (dict keys sorted)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return repr(value)
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(value)


def value_detail(before: Any, after: Any) -> str:
    """The before/after part of a fingerprint (and of what makes two findings the same)."""
    return canonical(before) + "\x1f" + canonical(after)


def reach_label(operations: list[str]) -> str:
    """``GET /a`` for one operation, ``GET /a (+2 operations)`` for three, "" for none."""
    if not operations:
        return ""
    more = len(operations) - 1
    return operations[0] + (f" (+{more} operation{'s' if more > 1 else ''})" if more > 0 else "")


def fingerprint(rule: str, operation: str | None, location: str, detail: str = "") -> str:
    """A stable id for a finding: the same change gives the same fingerprint across runs
    and machines, so waivers and SARIF baselines can refer to it. It leaves out the
    message and the property path (which can change when an unrelated path to a shared
    schema appears) and keeps what identifies the change: rule, operation, location and
    the before/after values."""
    raw = "\x1f".join((rule, operation or "", location, detail))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


class ImpactTotals(Record):
    _public_name = "trustguard.model_public:ImpactTotals"

    customers_total: int = 0
    customers_affected: int = 0
    customer_share: float = 0.0
    revenue_total: float = 0.0
    revenue_affected: float = 0.0
    revenue_share: float = 0.0
    traffic_total: int = 0
    traffic_affected: int = 0
    traffic_share: float = 0.0
    integrations_affected: int = 0
    flags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    # every affected customer as the impact stage saw it (id -> figures, operations,
    # integrations), or a function making it (built only when drafts are asked for):
    # what notice drafts are written from; not part of the JSON report
    _customers: dict[str, dict[str, Any]] | Callable[[], dict[str, dict[str, Any]]] = field(
        init=False, default_factory=dict)

    def affected_customers(self) -> dict[str, dict[str, Any]]:
        """Every affected customer's figures, by id (empty without the impact stage's)."""
        if callable(self._customers):
            self._customers = self._customers()
        return self._customers


class Summary(Record):
    """Counts per operation: a change in a schema shared by ten operations counts ten."""

    _public_name = "trustguard.model_public:Summary"

    changes: int = 0
    findings: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)
    by_principle: dict[str, int] = field(default_factory=dict)
    waived: int = 0
    failing: int = 0


class ReportRule(Record):
    """A rule as it judged this run: the user's packs and severity overrides applied.
    Renderers describe rules from these, never from the shipped packs."""

    _public_name = "trustguard.model_public:ReportRule"

    id: str
    title: str
    severity: Severity  # after the run's overrides
    pack_severity: Severity  # as its pack wrote it
    principle: Principle
    document: str
    rationale: str = ""
    remediation: str = ""
    references: list[str] = field(default_factory=list)


ReportForm = Literal["grouped", "per-operation"]
FORM_GROUPED: ReportForm = "grouped"
FORM_PER_OPERATION: ReportForm = "per-operation"


class Report(Record):
    """What a run found, and the verdict against the policy.

    ``form`` says how ``findings`` and ``waived`` list a change that several operations
    reach (a shared schema): ``grouped``, once, naming them all in ``operations``;
    ``per-operation``, once per operation (the JSON report's ``--per-operation``)."""

    _public_name = "trustguard.model_public:Report"

    tool: str = "trustguard"
    version: str = ""
    kind: DocumentKind
    base: str
    revision: str
    verdict: Verdict
    fail_on: str
    summary: Summary
    form: ReportForm = FORM_GROUPED
    findings: list[Finding] = field(default_factory=list)
    waived: list[Finding] = field(default_factory=list)
    changes: list[Change] | None = None
    warnings: list[str] = field(default_factory=list)
    impact: ImpactTotals | None = None
    # the rules behind the findings (active and waived), sorted by id
    rules: list[ReportRule] = field(default_factory=list)
    notices: list[CustomerNotice] = field(default_factory=list)
    make_whole: MakeWhole | None = None
    # a release's report (trustguard release): its documents, dates, notice and announcement
    release: ReleaseSummary | None = None

    def rule(self, rule_id: str) -> ReportRule | None:
        """The effective rule with this id, when the report carries it."""
        return next((r for r in self.rules if r.id == rule_id), None)

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASS

    def per_operation(self) -> list[Finding]:
        """The active findings once per operation and location (a finding in a shared
        schema lists its operations; this spells it out, as oasdiff does)."""
        return sorted((one for f in self.findings for one in f.per_operation()), key=Finding.sort_key)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1


def _fast(cls: type[R], values: dict[str, Any]) -> R:
    # Internal stages build these from values they already typed; skipping validation
    # matters when a large spec yields ~100k changes. Mutable defaults are made anew.
    data = cls._defaults.copy()
    data.update(values)
    for key, make in cls._factories.items():
        if key not in values:
            data[key] = make()
    obj = object.__new__(cls)
    obj.__dict__.update(data)
    return obj


def new_change(**values: Any) -> Change:
    """A Change from trusted, already-typed values (no validation)."""
    _fill_operations(values)
    return _fast(Change, values)


def new_finding(template: str = "", **values: Any) -> Finding:
    """A Finding from trusted, already-typed values (no validation); ``template`` is the
    rule's message template; ``change`` is the Change it judges, restricted to its operations."""
    values["_template"] = template
    return _fast(Finding, values)


def _fill_operations(values: dict[str, Any]) -> None:
    # callers pass ``operations`` sorted and unique; a lone ``operation`` is wrapped
    ops = values.get("operations")
    if ops:
        values["operation"] = ops[0]
    elif values.get("operation"):
        values["operations"] = [values["operation"]]
