"""What a Report says about a release: its documents and dates, the notice each finding
is owed and was given, and whether the announcement discloses it.

A release (``trustguard release FILE``) runs every document it changes through the usual
pipeline and merges them into one Report; ``Report.release`` carries this summary.
Findings are matched to these entries by ``document`` (the release file's key for the
document) and ``fingerprint``: a finding of a release carries its document key in
``facts["release_document"]``.

Model layer: this module imports nothing from trustguard (model.py imports it), so the
kinds and severities are spelt as their text values.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .model import (
    RELEASE_DOCUMENT_FACT as RELEASE_DOCUMENT_FACT,  # (defined with the records: no pydantic)
)

DocumentKindName = Literal["openapi", "pricing", "terms"]
SeverityName = Literal["blocker", "major", "minor", "info"]
NoticeStatus = Literal["ok", "short", "unknown"]
NoticeSourceKind = Literal["document", "config", "default"]



class ReleaseDocument(BaseModel):
    """One document the release changes, as the release file names it."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    key: str = Field(description="The document's key in the release file ('api', 'pricing', 'terms', ...).")
    kind: DocumentKindName
    base: str = Field(description="The base version, as the report names it (a file or REV:path).")
    revision: str = Field(description="The revision, as the report names it.")
    effective: dt.date | None = Field(default=None, description="When this document's changes take effect.")
    findings: int = Field(default=0, description="Active findings of this document, counted per operation.")


class NoticeSource(BaseModel):
    """Where the number of days of notice owed comes from.

    ``document``: a promise in a base document (the terms' change-notice clause, the
    pricing's ``priceChangeNoticeDays``, the API's deprecation policy), at ``file``:``line``
    with the promise's own words in ``text``. ``config``: the policy's ``release.notice``
    setting named by ``config_key``. ``default``: trustguard's documented default, with the
    law or norm it follows in ``citation``."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    kind: NoticeSourceKind
    description: str = Field(description="A sentence naming the source, e.g. \"the terms' change-notice clause\".")
    document: str | None = Field(default=None, description="The release key of the document that promises it.")
    file: str | None = Field(default=None, description="The file (or REV:path) holding the promise.")
    line: int | None = None
    pointer: str | None = Field(default=None, description="A JSON pointer to the promise (structured documents).")
    text: str | None = Field(default=None, description="The promise in the document's own words.")
    config_key: str | None = Field(default=None, description="The config setting, e.g. release.notice.severity.major.")
    citation: str | None = Field(default=None, description="The law or norm a default follows, with its address.")


class NoticeCheck(BaseModel):
    """The notice one finding needs, and the notice the release gives it."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    document: str = Field(description="The release key of the finding's document.")
    fingerprint: str
    rule: str
    severity: SeverityName
    days_owed: int | None = Field(default=None, description="Days of notice owed (None: nothing requires notice).")
    days_given: int | None = Field(default=None, description="Announcement to effective date, in days "
                                                             "(None: a date is missing).")
    announced: dt.date | None = None
    effective: dt.date | None = None
    source: NoticeSource | None = Field(default=None, description="Where days_owed comes from.")
    status: NoticeStatus = Field(description="ok: enough notice; short: less than owed; "
                                             "unknown: a date is missing, so notice cannot be judged.")


class AnnouncementCheck(BaseModel):
    """Whether the announcement discloses one finding, and by which words."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    document: str = Field(description="The release key of the finding's document.")
    fingerprint: str
    rule: str
    severity: SeverityName
    announced: bool
    sentence: str | None = Field(default=None, description="The announcement sentence that discloses it.")
    line: int | None = Field(default=None, description="The sentence's line in the announcement file.")
    matched: list[str] = Field(default_factory=list, description="The finding's words the sentence contains.")
    wanted: list[str] = Field(default_factory=list, description="The words that name the finding's subject "
                                                                "(any one group of them must appear).")


class CustomerReason(BaseModel):
    """One finding that reaches a customer."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    document: str
    fingerprint: str
    rule: str
    severity: SeverityName
    title: str
    operations: list[str] = Field(default_factory=list, description="The operations it breaks for the customer "
                                                                    "(API findings): those the customer calls; else "
                                                                    "the finding's, reached through an integration.")


class ReleaseCustomer(BaseModel):
    """A customer the release reaches, counted once, with every reason."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    id: str
    name: str | None = None
    plan: str | None = None
    segment: str | None = None
    revenue: float = 0.0
    traffic: int = Field(default=0, description="Its requests to the operations the release breaks for it.")
    bill_before: float | None = None
    bill_after: float | None = None
    severity: SeverityName = Field(description="The worst severity among its reasons.")
    reasons: list[CustomerReason] = Field(default_factory=list)


class ReleaseSummary(BaseModel):
    """A release as the report sees it: documents, dates, notice, announcement, customers."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    name: str
    file: str = Field(description="The release file.")
    announced: dt.date | None = Field(default=None, description="The announcement date.")
    effective: dict[str, dt.date | None] = Field(default_factory=dict,
                                                 description="The effective date of each document, by key.")
    announcement: str | None = Field(default=None, description="The announcement file.")
    documents: list[ReleaseDocument] = Field(default_factory=list)
    notice: list[NoticeCheck] = Field(default_factory=list, description="One per active finding of the documents.")
    announcements: list[AnnouncementCheck] = Field(default_factory=list,
                                                   description="One per active finding at minor or above.")
    customers: list[ReleaseCustomer] = Field(default_factory=list,
                                             description="Every affected customer, once, worst first.")
    notice_status: NoticeStatus = Field(default="unknown", description="short if any finding is short, unknown if "
                                                                       "any is unknown, else ok.")
    notice_short: int = Field(default=0, description="Findings given less notice than they are owed.")
    unannounced: int = Field(default=0, description="Findings at minor or above the announcement does not disclose.")
    notes: list[str] = Field(default_factory=list, description="What the release could not judge, said once "
                                                               "(e.g. no dates: notice unknown).")

    def notice_for(self, document: str, fingerprint: str) -> NoticeCheck | None:
        return next((n for n in self.notice if n.document == document and n.fingerprint == fingerprint), None)

    def announcement_for(self, document: str, fingerprint: str) -> AnnouncementCheck | None:
        return next((a for a in self.announcements if a.document == document and a.fingerprint == fingerprint),
                    None)
