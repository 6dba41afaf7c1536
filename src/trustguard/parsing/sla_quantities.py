"""Service-level promises read from text as typed quantities with units.

"99.95% uptime", "10,000 requests per day per API key", "1000 req/min", "respond within 4
business hours", "30 days of log retention", "a 10% service credit", "credits shall not
exceed 50% of the monthly fee": each becomes a :class:`Quantity` whose ``value`` is in one
unit per metric, so that two versions compare as numbers whatever units they were written in:

* uptime and credits: percent;
* rate limits: requests per second (``window`` keeps the limit's own window: a customer's
  peak is measured in it);
* support response times: wall-clock hours, a business hour counted as 4.2 hours and a
  business day as 33.6 (a week of 168 hours holds 40 business hours and 5 business days);
* retention: days (a month is 30, a year 365).

Pure functions over one sentence (or table row) at a time; every pattern is bounded (no
nested repetition) and the callers cap the text they pass, so reading stays linear.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

#: a sentence or a table row longer than this is read only up to it
MAX_CHARS = 2000

UPTIME, CREDIT, CREDIT_CAP, RATE_LIMIT, SUPPORT, RETENTION = (
    "uptime", "credit", "credit_cap", "rate_limit", "support", "retention")

MINUTES_PER_MONTH = 30 * 24 * 60  # a 30-day month: the window an SLA's downtime is read in
WINDOW_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800,
                  "month": 30 * 86400}
_WINDOW_ALIASES = {
    "s": "second", "sec": "second", "secs": "second", "second": "second", "seconds": "second",
    "m": "minute", "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "d": "day", "day": "day", "days": "day", "24h": "day", "24 hours": "day",
    "w": "week", "wk": "week", "week": "week", "weeks": "week",
    "mo": "month", "month": "month", "months": "month", "calendar month": "month",
}
_ABBREVIATED = {"rps": "second", "qps": "second", "rpm": "minute", "rph": "hour", "rpd": "day"}
HOURS = {"minute": 1 / 60, "hour": 1.0, "business hour": 4.2, "day": 24.0, "business day": 33.6,
         "week": 168.0}
DAYS = {"day": 1.0, "week": 7.0, "month": 30.0, "year": 365.0}

_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "twenty-four": 24,
    "thirty": 30, "forty-eight": 48, "sixty": 60, "ninety": 90, "a": 1, "an": 1,
}


@dataclass(frozen=True)
class Quantity:
    """One promise read from text. ``value`` is in the metric's unit (module docstring);
    ``amount`` and ``unit`` are as written (``10000``, ``requests/day``); ``qualifier`` says
    which of several promises of one metric it is (``per API key``, ``severity 1``)."""

    metric: str
    value: float
    amount: float
    unit: str
    text: str
    window: str | None = None
    qualifier: str = ""

    @property
    def shown(self) -> str:
        """The quantity as a reader would write it: ``99.95%``, ``10,000 requests/day``."""
        if math.isinf(self.value):
            return "unlimited"
        if self.unit == "%":
            return f"{number(self.amount)}%"
        return f"{number(self.amount)} {self.unit}"


def number(value: float) -> str:
    """``10000`` -> ``10,000``, ``99.95`` -> ``99.95``, ``2.0`` -> ``2``."""
    if math.isinf(value):
        return "unlimited"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


_NUM = r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d{1,12})(?:\.\d{1,6})?"
_PERCENT = re.compile(r"(?P<n>" + _NUM + r")\s?(?:%|percent\b|per\s?cent\b)", re.IGNORECASE)

_UPTIME_WORDS = re.compile(r"\b(?:uptime|up[- ]time|availab\w{0,6}|service level|monthly uptime)\b", re.IGNORECASE)
_CREDIT_WORDS = re.compile(r"\b(?:service credits?|credits?|refund)\b", re.IGNORECASE)
# "100% of the monthly fee": a share of what the customer pays, so a credit whatever its size
_OF_THE_FEE = re.compile(
    r"\s*(?:service\s+)?(?:credit\s+)?of\s+(?:the\s+|your\s+|their\s+)?(?:monthly\s+|annual\s+)?"
    r"(?:service\s+|subscription\s+)?(?:fees?|charges?|bill|invoice|price)", re.IGNORECASE)
_CAP_WORDS = re.compile(
    r"\b(?:capped|cap\b|caps\b|not (?:to )?exceed|will not exceed|shall not exceed|may not exceed|"
    r"no more than|maximum|max\.?|limited to|in no event|up to a total)", re.IGNORECASE)

_COUNT = r"(?P<n>" + _NUM + r")\s?(?P<mult>k|K|thousand|m\b|M\b|million|mm\b)?"
_NOUN = r"(?:(?:api|http|rest)\s+)?(?P<noun>requests?|req|reqs|calls?|queries|query|hits|operations|ops|messages|events|tweets|posts)"
_WINDOW = (r"(?:\s?/\s?|\s+per\s+|\s+an?\s+|\s+each\s+|\s+every\s+)(?:1\s)?"
           r"(?P<win>seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|calendar month|24 hours|24h|"
           r"s|m|h|d|w|mo)\b")
_RATE = re.compile(_COUNT + r"\s*" + _NOUN + r"?" + _WINDOW, re.IGNORECASE)
_RATE_ABBREVIATED = re.compile(_COUNT + r"\s*(?P<abbr>rps|qps|rpm|rph|rpd)\b", re.IGNORECASE)
_RATE_WORDS = re.compile(r"\b(?:rate[- ]limit\w*|throttl\w*|quota|requests?|calls?|api)\b", re.IGNORECASE)
_PER = re.compile(
    r"\bper\s+(?P<who>(?:api\s+)?(?:key|token)|user|ip(?:\s+address)?|account|app(?:lication)?|client|"
    r"workspace|organi[sz]ation|project|plan|tenant|customer|seat)\b", re.IGNORECASE)

_DURATION = re.compile(
    r"(?:(?P<n>" + _NUM + r")|\b(?P<word>twenty-four|forty-eight|twelve|fifteen|twenty|thirty|sixty|ninety|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|an?)\b)"
    r"(?:\s?\(\d{1,4}\))?[\s-]?(?P<business>business|working)?[\s-]?"
    r"(?P<unit>minutes?|mins?|hours?|hrs?|h\b|days?|weeks?|months?|years?)\b",
    re.IGNORECASE)
_SUPPORT_WORDS = re.compile(
    r"\b(?:support|respond\w{0,3}|response|reply|replies|acknowledg\w{0,6}|first response|tickets?|"
    r"escalat\w{0,5})\b", re.IGNORECASE)
# a response time is a support promise only in a sentence about support (not a reply to a
# legal notice or a dispute, which legal text times in days too)
_SUPPORT_TOPIC = re.compile(
    r"\b(?:support|tickets?|incidents?|help ?desk|customer (?:service|care)|service desk|p[1-4]|"
    r"sev(?:erity)?[\s-]?[1-4]|priority)\b", re.IGNORECASE)
_RETENTION_WORDS = re.compile(
    r"\b(?:retain\w{0,3}|retention|kept|keep|keeps|stored?|history|backups?|archiv\w{0,3}|logs|"
    r"log (?:data|files?|retention|history)|audit log|deleted?|purged?|recover\w{0,3}|restore)\b", re.IGNORECASE)
# periods legal text counts in days that are no service level: disputes, claims, limitation
_LEGAL_TIMES = re.compile(
    r"\b(?:disputes?|arbitrat\w{0,5}|mediat\w{0,5}|statute|limitations? period|lawsuit|small claims|"
    r"opt[- ]out|court)\b", re.IGNORECASE)
# data kept after the customer deletes it or leaves: a privacy matter (shorter is better),
# which the terms differ's retention-after-deletion measure judges
_AFTER_DELETION = re.compile(
    r"\b(?:after|following|once|when|upon)\b[^.;]{0,60}\b(?:delet\w{0,3}|terminat\w{0,5}|clos\w{0,3}|cancel\w{0,6}|"
    r"remov\w{0,3})\b|\b(?:deleted|purged|erased)\s+(?:within|after)\b", re.IGNORECASE)
_UNLIMITED_RETENTION = re.compile(
    r"\b(?:unlimited|indefinitely|forever|no time limit)\b", re.IGNORECASE)
# "unlimited" is a period only beside a word that is about keeping data for a time
_KEEPING_WORDS = re.compile(r"\b(?:retain\w{0,3}|retention|history|backups?|archiv\w{0,3}|logs|kept)\b", re.IGNORECASE)
_OTHER_DURATION_WORDS = re.compile(
    r"\b(?:notice|claim\w{0,2}|submit\w{0,3}|trial|terminat\w{0,5}|renew\w{0,4}|invoice\w{0,2}|"
    r"billing cycle|measured|calendar month|credit\w{0,2}|downtime|outage|maintenance|latency)\b",
    re.IGNORECASE)
_LEVEL = re.compile(
    r"\b(?P<level>p[1-4]|sev(?:erity)?[\s-]?[1-4]|priority[\s-]?[1-4]|critical|urgent|high|medium|normal|low)\b",
    re.IGNORECASE)


def _value(raw: str) -> float:
    return float(raw.replace(",", ""))


def _multiplier(mult: str | None) -> float:
    if not mult:
        return 1.0
    m = mult.lower()
    if m in ("k", "thousand"):
        return 1e3
    return 1e6  # m, million, mm


def _window(raw: str) -> str | None:
    return _WINDOW_ALIASES.get(raw.lower())


def _nearest(pos: int, pattern: re.Pattern[str], text: str) -> int | None:
    """The distance from ``pos`` to the nearest match of ``pattern`` in ``text``."""
    best: int | None = None
    for match in pattern.finditer(text):
        distance = 0 if match.start() <= pos < match.end() else min(abs(match.start() - pos), abs(match.end() - pos))
        if best is None or distance < best:
            best = distance
    return best


def percentages(text: str) -> list[tuple[float, str]]:
    """Every percentage in ``text``: (value, as written)."""
    return [(_value(m.group("n")), m.group(0)) for m in _PERCENT.finditer(text[:MAX_CHARS])]


def names_a_cap(text: str) -> bool:
    """``text`` bounds a total (``capped at``, ``shall not exceed``, ``maximum``)."""
    return _CAP_WORDS.search(text[:MAX_CHARS]) is not None


def uptimes(text: str) -> list[Quantity]:
    """Uptime percentages (between 90 and 100) in a sentence that speaks of uptime or
    availability."""
    text = text[:MAX_CHARS]
    if not _UPTIME_WORDS.search(text):
        return []
    out = []
    for match in _PERCENT.finditer(text):
        value = _value(match.group("n"))
        if 90 <= value <= 100 and not _OF_THE_FEE.match(text, match.end()):
            out.append(Quantity(UPTIME, value, value, "%", match.group(0)))
    return out


def credits(text: str) -> list[Quantity]:
    """Service-credit percentages (below 90, beside a credit word): ``credit`` for a credit
    granted, ``credit_cap`` for the most the credits may add up to."""
    text = text[:MAX_CHARS]
    if not _CREDIT_WORDS.search(text):
        return []
    out = []
    for match in _PERCENT.finditer(text):
        value = _value(match.group("n"))
        if value >= 90 and _UPTIME_WORDS.search(text) and not _OF_THE_FEE.match(text, match.end()):
            continue  # the uptime threshold the credit is paid below
        if value > 100:
            continue
        before = text[max(0, match.start() - 60):match.start()]
        metric = CREDIT_CAP if _CAP_WORDS.search(before) else CREDIT
        out.append(Quantity(metric, value, value, "%", match.group(0)))
    return out


def rate_limits(text: str) -> list[Quantity]:
    """Request rates: ``N requests per WINDOW`` (or ``N/min`` in a sentence about rate
    limits or requests, ``N RPM``), with who the limit counts (``per API key``)."""
    text = text[:MAX_CHARS]
    out = []
    about_rates = _RATE_WORDS.search(text) is not None
    for match in _RATE.finditer(text):
        window = _window(match.group("win"))
        if window is None:
            continue
        if match.start() and text[match.start() - 1] in "$€£¥":
            continue  # a price per month, not a rate
        bare_unit = len(match.group("win")) <= 2 and "/" not in match.group(0)
        if match.group("noun") is None and (not about_rates or bare_unit):
            continue
        amount = _value(match.group("n")) * _multiplier(match.group("mult"))
        noun = (match.group("noun") or "requests").lower()
        noun = {"req": "requests", "reqs": "requests", "query": "queries", "call": "calls",
                "request": "requests", "op": "ops"}.get(noun, noun if noun.endswith("s") else noun + "s")
        out.append(Quantity(RATE_LIMIT, amount / WINDOW_SECONDS[window], amount, f"{noun}/{window}",
                            match.group(0).strip(), window, _who(text, match.end())))
    for match in _RATE_ABBREVIATED.finditer(text):
        window = _ABBREVIATED[match.group("abbr").lower()]
        amount = _value(match.group("n")) * _multiplier(match.group("mult"))
        out.append(Quantity(RATE_LIMIT, amount / WINDOW_SECONDS[window], amount, f"requests/{window}",
                            match.group(0).strip(), window, _who(text, match.end())))
    return out


def _who(text: str, end: int) -> str:
    """What the limit counts per (``per API key``), stated right after it."""
    match = _PER.search(text, end, min(len(text), end + 60))
    if match is None:
        return ""
    who = match.group("who").lower()
    who = "API key" if who in ("key", "token", "api key", "api token") else who
    return f"per {who}"


def durations(text: str) -> list[tuple[int, float, str, str, str]]:
    """Every duration in ``text``: (position, amount, unit as written, unit key, the words
    matched), the unit
    key one of ``minute``, ``hour``, ``business hour``, ``day``, ``business day``, ``week``,
    ``month``, ``year``."""
    out = []
    for match in _DURATION.finditer(text[:MAX_CHARS]):
        raw, word = match.group("n"), match.group("word")
        amount = _value(raw) if raw is not None else float(_WORD_NUMBERS[word.lower()])
        unit = match.group("unit").lower()
        unit = {"min": "minute", "mins": "minute", "hr": "hour", "hrs": "hour", "h": "hour"}.get(unit, unit)
        unit = unit[:-1] if unit.endswith("s") else unit
        business = match.group("business") is not None and unit in ("hour", "day")
        key = f"business {unit}" if business else unit
        written = f"{key}{'s' if amount != 1 else ''}"
        out.append((match.start(), amount, written, key, match.group(0).strip()))
    return out


def support_times(text: str) -> list[Quantity]:
    """Support response times: a duration closer to a support word (``respond``,
    ``ticket``) than to a retention or notice word, with the priority it is for."""
    text = text[:MAX_CHARS]
    if not _SUPPORT_WORDS.search(text) or not _SUPPORT_TOPIC.search(text) or _LEGAL_TIMES.search(text):
        return []
    out = []
    found = durations(text)
    previous = 0
    for pos, amount, written, key, words in found:
        # the priority named since the previous duration ("P1 within 1 hour, others within 4")
        levels = list(_LEVEL.finditer(text, previous, pos)) or (
            list(_LEVEL.finditer(text)) if len(found) == 1 else [])
        previous = pos + len(words)
        if key not in HOURS or _claimed_elsewhere(text, pos, _SUPPORT_WORDS):
            continue
        qualifier = _level_name(levels[-1].group("level")) if levels else ""
        out.append(Quantity(SUPPORT, amount * HOURS[key], amount, written, words, qualifier=qualifier))
    return out


def retentions(text: str) -> list[Quantity]:
    """Retention periods: a duration of days or more closer to a retention word (``retained``,
    ``history``, ``backups``) than to a support or notice word; ``unlimited`` history too."""
    text = text[:MAX_CHARS]
    if not _RETENTION_WORDS.search(text) or _AFTER_DELETION.search(text) or _LEGAL_TIMES.search(text):
        return []
    out = []
    for pos, amount, written, key, words in durations(text):
        if key not in DAYS or _claimed_elsewhere(text, pos, _RETENTION_WORDS):
            continue
        out.append(Quantity(RETENTION, amount * DAYS[key], amount, written, words))
    if not out and _KEEPING_WORDS.search(text):
        match = _UNLIMITED_RETENTION.search(text)
        if match:
            out.append(Quantity(RETENTION, math.inf, math.inf, "", match.group(0)))
    return out


_CLAUSE_BREAK = re.compile(r"[,;:|]|\band\b|\bwith\b")


def _claimed_elsewhere(text: str, pos: int, own: re.Pattern[str]) -> bool:
    """The duration at ``pos`` belongs to another promise: its clause (between commas,
    ``and``, ``with``) names only another promise, or, when the clause does not tell, it
    sits nearer to another promise's words than to its own."""
    rivals_of = [p for p in (_SUPPORT_WORDS, _RETENTION_WORDS, _OTHER_DURATION_WORDS) if p is not own]
    start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, pos)), default=0)
    stop = _CLAUSE_BREAK.search(text, pos)
    clause = text[start:stop.start() if stop else len(text)]
    has_own = own.search(clause) is not None
    has_rival = any(p.search(clause) for p in rivals_of)
    if has_own != has_rival:
        return has_rival
    mine = _nearest(pos, own, text)
    if mine is None:
        return True
    rivals = [_nearest(pos, p, text) for p in rivals_of]
    return any(r is not None and r < mine for r in rivals)


def _level_name(raw: str) -> str:
    level = raw.lower().replace("-", " ")
    match = re.fullmatch(r"(?:sev(?:erity)?|priority|p)\s?([1-4])", level)
    if match:
        return f"priority {match.group(1)}"
    return level


# every promise holds a number, a number word, "an hour" or "unlimited": most sentences of a
# legal text hold none of them and are passed over with one search
_DIGIT = re.compile(r"[0-9]")
_AMOUNT_WORD = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|sixty|ninety|"
    r"forty|unlimited|indefinitely|forever|no time limit)|\ban? (?:business |working )?(?:hour|day|week|month|year)",
    re.IGNORECASE)


def read_all(text: str) -> list[Quantity]:
    """Every promise of every metric in one sentence or table row."""
    head = text[:MAX_CHARS]
    if not _DIGIT.search(head) and not _AMOUNT_WORD.search(head):
        return []
    return [*uptimes(text), *credits(text), *rate_limits(text), *support_times(text), *retentions(text)]


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def words_of(name: str) -> str:
    """``apiCallsLimit`` -> ``api Calls Limit``: feature names read as words."""
    return _CAMEL.sub(" ", name).replace("_", " ")


_RATE_NAME = re.compile(r"(?i)(?:request|call|api|quer|hit)")
_NAME_WINDOW = re.compile(r"(?i)per ?(second|minute|hour|day|month)|(daily|hourly|monthly)")
_RETENTION_NAME = re.compile(r"(?i)(?:histor|retention|retain|backup|audit ?log|logs?\b|recover)")
_DAYS_UNIT = re.compile(r"(?i)^\s*(days?|weeks?|months?|years?)\s*$")


def limit_quantity(name: str, description: str, value: Any, unit: str | None) -> Quantity | None:
    """A usage limit read as a rate limit (``apiCallsLimit`` of 25,000 ``calls/month``) or a
    retention period (``versionHistory`` of 30 ``days``); None for any other limit."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    amount = float(value)
    unit_text = (unit or "").strip()
    words = f"{words_of(name)} {description}"
    if _RATE_NAME.search(words) or _RATE_NAME.search(unit_text):
        window = None
        found = rate_limits(f"{number(amount) if amount != float('inf') else 1} {unit_text}")
        if found and unit_text:
            window = found[0].window
        if window is None:
            named = _NAME_WINDOW.search(words) or _NAME_WINDOW.search(unit_text)
            if named:
                window = (named.group(1) or {"daily": "day", "hourly": "hour", "monthly": "month"}[
                    named.group(2).lower()]).lower()
        if window is not None:
            noun = "requests" if not found else found[0].unit.split("/")[0]
            return Quantity(RATE_LIMIT, amount / WINDOW_SECONDS[window], amount, f"{noun}/{window}",
                        f"{number(amount)} {unit_text}".strip(), window)
    days = _DAYS_UNIT.match(unit_text)
    if days and _RETENTION_NAME.search(words):
        key = days.group(1).lower().rstrip("s")
        return Quantity(RETENTION, amount * DAYS[key], amount, f"{key}s" if amount != 1 else key,
                        f"{number(amount)} {unit_text}")
    return None


def allowed_downtime_minutes(percent: float) -> float:
    """Minutes a month an uptime of ``percent`` allows the service to be down."""
    return max(0.0, (100.0 - percent) / 100.0 * MINUTES_PER_MONTH)
