"""The vocabulary of customer notices: what each affected customer is told, and what it
costs to make them whole (grandfathering, credits, who to call first).

Drafted by :mod:`trustguard.release.notices` from a Report's findings and the impact
stage's customer directory; rendered by the report layer (HTML, Markdown) and written for
mail merge (Markdown, CSV, JSONL) by :mod:`trustguard.release.notices_out`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from . import config
from ._public_base import PublicModel
from .config import MAX_DRAFTS as MAX_DRAFTS  # where the default lives: the plain policy


class CustomerNoticePolicy(PublicModel, config.CustomerNoticePolicy):  # type: ignore[misc]  # (the module docstring)
    __doc__ = config.CustomerNoticePolicy.__doc__  # the record's, in the JSON Schema too

    model_config = ConfigDict(defer_build=True, extra="forbid")

    max_drafts: int = Field(MAX_DRAFTS, ge=1, description="Above this many affected customers, one draft per segment (else plan) instead of one per customer.")
    grandfather_months: int = Field(0, ge=0, le=120, description="Months existing customers keep their old price after a price rise (0: none offered; the cost is still shown for 12 months).")
    credit_percent: float = Field(0.0, ge=0, le=100, description="A credit, as a percent of the customer's current monthly bill, offered to every affected customer.")
    credit_months: int = Field(1, ge=1, le=120, description="For how many months the credit is given.")
    offer: str = Field("", description="What else the company offers, in its own words (e.g. 'a migration call with our team').")
    contact: str = Field("", description="Who customers reply to (e.g. 'api-support@example.com').")
    contact_first: int = Field(20, ge=1, description="How many customers the contact-first list holds when notice is short.")


class NoticeChange(BaseModel):
    """One finding as one customer meets it."""

    model_config = ConfigDict(defer_build=True)

    rule: str
    severity: str
    document: str = ""  # openapi | pricing | terms
    title: str
    message: str
    fingerprint: str = ""
    operations: list[str] = Field(default_factory=list, description="The customer's operations the change reaches.")
    integrations: list[str] = Field(default_factory=list, description="The customer's integrations the change reaches.")
    actions: list[str] = Field(default_factory=list, description="What the customer must do, from the change itself.")
    guidance: str = Field("", description="The rule's remediation: what the company can do to soften the change (for the reviewer, not the letter).")
    effective: str | None = Field(None, description="When it takes effect (ISO date), when the release says.")


class Recipient(BaseModel):
    """One customer a draft goes to, with its own figures."""

    model_config = ConfigDict(defer_build=True)

    id: str
    name: str | None = None
    plan: str | None = None
    plan_after: str | None = None
    segment: str | None = None
    revenue: float = 0.0
    traffic: int = 0
    bill_before: float | None = None
    bill_after: float | None = None
    operations: list[str] = Field(default_factory=list)
    integrations: list[str] = Field(default_factory=list)
    community_shock: bool = False

    @property
    def bill_change(self) -> float | None:
        if self.bill_before is None or self.bill_after is None:
            return None
        return round(self.bill_after - self.bill_before, 2)


class CustomerNotice(BaseModel):
    """A notice draft: to one customer, or to one segment when there are many."""

    model_config = ConfigDict(defer_build=True)

    audience: Literal["customer", "segment"] = "customer"
    id: str = Field(description="The customer's id, or the segment's name.")
    name: str | None = None
    subject: str = Field(description="The letter's subject line.")
    body: str = Field(description="The letter (Markdown), ready for a person to review and send.")
    effective: str | None = Field(None, description="The earliest date a change in it takes effect (ISO), when known.")
    currency: str | None = None
    changes: list[NoticeChange] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list, description="What the recipient must do, every change's together.")
    offer: list[str] = Field(default_factory=list, description="What the company offers, in the letter's words.")
    recipients: list[Recipient] = Field(default_factory=list)
    worst: str = "info"


class GrandfatherCost(BaseModel):
    """Revenue forgone if existing customers keep their old price for ``months``."""

    model_config = ConfigDict(defer_build=True)

    months: int
    customers: int = Field(description="Customers whose bill rises (the ones who would keep the old price).")
    monthly: float = Field(description="Revenue forgone per month: the sum of the rises.")
    total: float = Field(description="monthly x months.")
    currency: str | None = None
    by_plan: dict[str, float] = Field(default_factory=dict, description="Monthly revenue forgone per current plan.")
    offered: bool = Field(False, description="Whether the config offers it (else: what it would cost for 12 months).")


class ContactFirst(BaseModel):
    """A customer to call before the letter goes out, when notice is short."""

    model_config = ConfigDict(defer_build=True)

    id: str
    name: str | None = None
    revenue: float = 0.0
    traffic: int = 0
    community_shock: bool = False
    rules: list[str] = Field(default_factory=list, description="The short-notice findings that reach it.")


class BillBucket(BaseModel):
    """One bar of the bill-change distribution: customers whose bill changes by a percent
    in [low, high)."""

    model_config = ConfigDict(defer_build=True)

    label: str
    low: float | None = None
    high: float | None = None
    customers: int = 0


class MakeWhole(BaseModel):
    """What it costs to make the affected customers whole, and who to call first."""

    model_config = ConfigDict(defer_build=True)

    drafts: Literal["customer", "segment"] = "customer"
    max_drafts: int = MAX_DRAFTS
    customers: int = 0
    grandfathering: GrandfatherCost | None = None
    credits: float = Field(0.0, description="The credits offered, in total (credit_percent of each bill x credit_months).")
    contact_first: list[ContactFirst] = Field(default_factory=list)
    short_notice: bool | None = Field(None, description="True when some change has too little notice, None when not judged.")
    bill_changes: list[BillBucket] = Field(default_factory=list)
