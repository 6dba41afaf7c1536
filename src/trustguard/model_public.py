"""The public models: each record of :mod:`trustguard.model` as a pydantic model.

What ``import trustguard`` hands out (``trustguard.Report``, ``Finding``...): validation,
JSON Schema, ``model_dump``. Each subclasses its plain record, whose behaviour it shares,
and declares the record's fields again as pydantic reads them (types, defaults,
descriptions: the JSON Schema's source); tests/test_model_public.py checks that the two
declare the same fields with the same defaults. A check builds the plain records; the
API turns them into these (``_record.to_public``). See ``_record`` for why.

A field holding another model names its plain record, whose pydantic schema is the
public model's (``Record.__get_pydantic_core_schema__``): it validates into the public
model, and takes a plain record as it is. Each class line says ``type: ignore[misc]``:
the record's ``model_dump`` (which dumps its public form) and pydantic's differ in
signature, and pydantic's is the one a public model has.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from . import model
from ._public_base import PublicModel
from .model import FORM_GROUPED, DocumentKind, Principle, ReportForm, Severity, Verdict
from .model_notices import CustomerNotice, MakeWhole
from .model_release import ReleaseSummary

if TYPE_CHECKING:
    from collections.abc import Callable

    from typing_extensions import Self

__all__ = ["AffectedEntity", "Change", "Finding", "Impact", "ImpactEvidence", "ImpactTotals", "Report",
           "ReportRule", "SourcePosition", "Summary", "Waiver"]


class SourcePosition(PublicModel, model.SourcePosition):  # type: ignore[misc]  # (the module docstring)
    __doc__ = model.SourcePosition.__doc__  # the record's, in the JSON Schema too
    model_config = ConfigDict(defer_build=True, frozen=True)
    file: str
    line: int | None = None
    column: int | None = None

    __str__ = model.SourcePosition.__str__  # the record's, over BaseModel's


class Change(PublicModel, model.Change):  # type: ignore[misc]  # (the module docstring)
    __doc__ = model.Change.__doc__  # the record's, in the JSON Schema too
    model_config = ConfigDict(defer_build=True)
    kind: str
    location: str = ""
    operation: str | None = None
    operations: list[str] = Field(default_factory=list)
    subject: str | None = None
    before: Any = None
    after: Any = None
    facts: dict[str, Any] = Field(default_factory=dict)
    property_paths: dict[str, str] = Field(default_factory=dict)
    source: model.SourcePosition | None = None
    base_source: model.SourcePosition | None = None

    @model_validator(mode="after")
    def _one_or_many(self) -> Change:
        model._link_operations(self)
        return self


class AffectedEntity(PublicModel, model.AffectedEntity):  # type: ignore[misc]  # (the module docstring)
    __doc__ = model.AffectedEntity.__doc__  # the record's, in the JSON Schema too
    model_config = ConfigDict(defer_build=True)
    id: str
    name: str | None = None
    kind: str = "customer"
    revenue: float = 0.0
    traffic: int = 0
    plan: str | None = None
    segment: str | None = None
    bill_before: float | None = None
    bill_after: float | None = None


class ImpactEvidence(PublicModel, model.ImpactEvidence):  # type: ignore[misc]  # (the module docstring)
    __doc__ = model.ImpactEvidence.__doc__  # the record's, in the JSON Schema too
    model_config = ConfigDict(defer_build=True)
    kind: str
    integration: str | None = None
    customer: str | None = None
    source: str = ""
    detail: str = ""


class Impact(PublicModel, model.Impact):  # type: ignore[misc]  # (the module docstring)
    __doc__ = model.Impact.__doc__  # the record's, in the JSON Schema too
    model_config = ConfigDict(defer_build=True)
    customers: int = 0
    integrations: int = 0
    revenue: float = 0.0
    revenue_share: float = 0.0
    traffic: int = 0
    traffic_share: float = 0.0
    customer_share: float = 0.0
    estimated: bool = False
    level: str = "none"
    top_customers: list[model.AffectedEntity] = Field(default_factory=list)
    top_integrations: list[model.AffectedEntity] = Field(default_factory=list)
    customer_ids: list[str] = Field(default_factory=list)
    integration_ids: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)
    evidence: list[model.ImpactEvidence] = Field(default_factory=list)


class Waiver(PublicModel, model.Waiver):  # type: ignore[misc]  # (the module docstring)
    __doc__ = model.Waiver.__doc__  # the record's, in the JSON Schema too
    model_config = ConfigDict(defer_build=True, extra="forbid")  # a misspelt key (expire:) must not go unseen
    rule: str | None = None
    operation: str | None = None
    location: str | None = None
    fingerprint: str | None = None
    reason: str
    expires: str | None = None


class Finding(PublicModel, model.Finding):  # type: ignore[misc]  # (the module docstring)
    __doc__ = model.Finding.__doc__  # the record's, in the JSON Schema too
    model_config = ConfigDict(defer_build=True)
    rule: str
    severity: Severity
    principle: Principle
    title: str
    message: str
    change: model.Change
    remediation: str = ""
    references: list[str] = Field(default_factory=list)
    fingerprint: str = ""
    # With property_paths, the message as each of those paths names the change: what the
    # JSON report carries instead of the rule's template (see messages_at).
    messages_by_path: dict[str, str] = Field(default_factory=dict)
    waived: model.Waiver | None = None
    waiver_expired: model.Waiver | None = None
    impact: model.Impact | None = None
    # Set with the verdict: whether this finding, alone, fails the policy (None: not judged).
    fails: bool | None = None
    # the rule's message template, to name the finding as another operation reaches it
    _template: str = PrivateAttr(default="")

    @model_validator(mode="before")
    @classmethod
    def _flat(cls, value: Any) -> Any:
        # a Finding written flat (the JSON report, or by hand): its Change from those fields
        if isinstance(value, dict) and "change" not in value:
            value = dict(value)
            value["change"] = {k: value.pop(k) for k in model.FINDING_CHANGE_FIELDS if k in value}
        return value

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        change = data.pop("change", None)
        if isinstance(change, dict):
            data.update((k, change[k]) for k in model.FINDING_CHANGE_FIELDS if k in change)
        return data

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; ``update`` may name the change's fields too (``facts``, ``subject``...):
        they go to a copy of the change, never to the shared one."""
        return BaseModel.model_copy(self, update=self._split_update(update), deep=deep)


class ImpactTotals(PublicModel, model.ImpactTotals):  # type: ignore[misc]  # (the module docstring)
    model_config = ConfigDict(defer_build=True)
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
    flags: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)
    # every affected customer as the impact stage saw it (id -> figures, operations,
    # integrations), or a function making it (built only when drafts are asked for):
    # what notice drafts are written from; not part of the JSON report
    _customers: dict[str, dict[str, Any]] | Callable[[], dict[str, dict[str, Any]]] = PrivateAttr(default_factory=dict)


class Summary(PublicModel, model.Summary):  # type: ignore[misc]  # (the module docstring)
    __doc__ = model.Summary.__doc__  # the record's, in the JSON Schema too
    model_config = ConfigDict(defer_build=True)
    changes: int = 0
    findings: int = 0
    by_severity: dict[str, int] = Field(default_factory=dict)
    by_principle: dict[str, int] = Field(default_factory=dict)
    waived: int = 0
    failing: int = 0


class ReportRule(PublicModel, model.ReportRule):  # type: ignore[misc]  # (the module docstring)
    __doc__ = model.ReportRule.__doc__  # the record's, in the JSON Schema too
    model_config = ConfigDict(defer_build=True)
    id: str
    title: str
    severity: Severity  # after the run's overrides
    pack_severity: Severity  # as its pack wrote it
    principle: Principle
    document: str
    rationale: str = ""
    remediation: str = ""
    references: list[str] = Field(default_factory=list)


class Report(PublicModel, model.Report):  # type: ignore[misc]  # (the module docstring)
    __doc__ = model.Report.__doc__  # the record's, in the JSON Schema too
    model_config = ConfigDict(defer_build=True)
    tool: str = "trustguard"
    version: str = ""
    kind: DocumentKind
    base: str
    revision: str
    verdict: Verdict
    fail_on: str
    summary: model.Summary
    form: ReportForm = Field(
        default=FORM_GROUPED,
        description="How findings list a change several operations reach: 'grouped' (default), one finding "
                    "per change and place naming every operation in 'operations' (each one's property path "
                    "in 'property_paths' where they differ); 'per-operation', one finding per operation, "
                    "each with its own fingerprint, subject and message.")
    findings: list[model.Finding] = Field(
        default_factory=list,
        description="The active findings, in the form 'form' names; 'summary' counts them per operation.")
    waived: list[model.Finding] = Field(default_factory=list, description="The waived findings, in the same form.")
    changes: list[model.Change] | None = None
    warnings: list[str] = Field(default_factory=list)
    impact: model.ImpactTotals | None = None
    # the rules behind the findings (active and waived), sorted by id
    rules: list[model.ReportRule] = Field(default_factory=list)
    notices: list[CustomerNotice] = Field(
        default_factory=list, description="A notice draft per affected customer (per segment above customer_notices.max_drafts).")
    make_whole: MakeWhole | None = Field(
        None, description="What making the affected customers whole costs (grandfathering, credits) and who to contact first.")
    # a release's report (trustguard release): its documents, dates, notice and announcement
    release: ReleaseSummary | None = None
