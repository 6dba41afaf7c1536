"""The words every renderer says about a release (``Report.release``): its dates, the notice
each change gets, and the announcement sentence that discloses it -- one wording, so that
the text, Markdown and HTML reports never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import RELEASE_DOCUMENT_FACT, Finding, Report

if TYPE_CHECKING:  # read, never built here: a report without a release imports no pydantic
    from ..model_release import AnnouncementCheck, NoticeCheck, ReleaseSummary

_STATUS = {"ok": "OK", "short": "SHORT", "unknown": "UNKNOWN"}


@dataclass(frozen=True)
class Row:
    label: str
    value: str


def dates_text(release: ReleaseSummary) -> str:
    announced = release.announced.isoformat() if release.announced else "no announcement date"
    days = sorted({d for d in release.effective.values() if d is not None})
    if not days:
        effective = "no effective date"
    elif len(days) == 1:
        effective = f"effective {days[0].isoformat()}"
    else:
        effective = "effective " + ", ".join(f"{k} {v.isoformat()}" for k, v in release.effective.items() if v)
    given = sorted({n.days_given for n in release.notice if n.days_given is not None})
    notice = f" ({', '.join(str(g) for g in given)} days' notice)" if given else ""
    return f"announced {announced}, {effective}{notice}"


def notice_text(release: ReleaseSummary) -> str:
    owed = [n for n in release.notice if n.days_owed]
    status = _STATUS[release.notice_status]
    if release.notice_status == "short":
        return f"{status}: {release.notice_short} of {len(owed)} change(s) owed notice get less than they are owed"
    if release.notice_status == "unknown":
        unknown = sum(1 for n in release.notice if n.status == "unknown")
        return f"{status}: {unknown} change(s) owed notice, which cannot be judged without dates"
    return f"{status}: every change gets the notice it is owed" if owed else f"{status}: no change is owed notice"


def announcement_text(release: ReleaseSummary) -> str:
    total = len(release.announcements)
    if release.unannounced:
        return f"{release.unannounced} of {total} material change(s) not announced"
    return f"all {total} material change(s) announced" if total else "no material change to announce"


def summary_rows(release: ReleaseSummary) -> list[Row]:
    """The release's summary, as label/value rows."""
    rows = [Row("release", f"{release.name} ({release.file})"), Row("dates", dates_text(release))]
    for doc in release.documents:
        rows.append(Row(f"document {doc.key}", f"{doc.kind} {doc.base} -> {doc.revision}, "
                                               f"{doc.findings} finding(s)"))
    rows.append(Row("notice", notice_text(release)))
    rows.append(Row("announcement", announcement_text(release)))
    return rows  # the notes are said once, by their finding (release-notice-unknown)


def _document(finding: Finding) -> str | None:
    value = finding.facts.get(RELEASE_DOCUMENT_FACT)
    return value if isinstance(value, str) else None


def notice_of(report: Report, finding: Finding) -> NoticeCheck | None:
    release, document = report.release, _document(finding)
    if release is None or document is None:
        return None
    return release.notice_for(document, finding.fingerprint)


def announcement_of(report: Report, finding: Finding) -> AnnouncementCheck | None:
    release, document = report.release, _document(finding)
    if release is None or document is None:
        return None
    return release.announcement_for(document, finding.fingerprint)


def finding_rows(report: Report, finding: Finding) -> list[Row]:
    """What the release says of one finding: its notice, and the sentence announcing it."""
    rows: list[Row] = []
    check = notice_of(report, finding)
    if check is not None and check.days_owed:
        given = f"{check.days_given} days given" if check.days_given is not None else "notice unknown"
        source = check.source.description if check.source is not None else ""
        rows.append(Row("notice", f"{_STATUS[check.status]}: {given}, {check.days_owed} owed ({source})"))
    found = announcement_of(report, finding)
    if found is not None:
        if found.announced:
            rows.append(Row("announced", f"\"{found.sentence}\" (line {found.line}; matched: "
                                         f"{', '.join(found.matched)})"))
        else:
            wanted = "; ".join(found.wanted) or "nothing names it"
            rows.append(Row("announced", f"not announced (would need: {wanted})"))
    return rows
