"""Numbers that matter in legal text: durations (in days) and money amounts.

Legal drafting writes numbers several ways ("thirty (30) days", "one (1) year",
"24 hours", "US$100", "one hundred U.S. dollars ($100)"); each is read once, as the
digits when present, so "thirty (30)" is one number, not two.
"""

from __future__ import annotations

import re

_WORDS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "twenty-one": 21, "twenty-four": 24, "thirty-one": 31, "one hundred eighty": 180,
    "one hundred and eighty": 180,
}
_UNIT_DAYS = {"hour": 1 / 24, "day": 1.0, "business day": 1.4, "calendar day": 1.0, "week": 7.0,
              "month": 30.0, "year": 365.0}

# (?<!\d): a number is read from its first digit only; tried from every digit of a long run
# of them, each attempt scanned the rest of the run (quadratic)
_WORD_ALT = "|".join(sorted((re.escape(w) for w in _WORDS if w not in ("a", "an")), key=len, reverse=True))
_DURATION = re.compile(
    r"(?:\b(?P<word>" + _WORD_ALT + r")\s*)?"
    r"(?:\(?\s*(?<!\d)(?P<num>\d+(?:\.\d+)?)\s*\)?\s*)?"
    r"[-\s]?(?P<unit>business days?|calendar days?|hours?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"(?:(?:US\s?|U\.S\.\s?)?\$|€|£|\bUSD\s?|\bEUR\s?|\bGBP\s?)\s?(?P<a>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<c>\d{1,2}))?"
    r"|(?<!\d)(?P<b>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<d>\d{1,2}))?\s?(?:USD|EUR|GBP|(?:U\.S\.\s)?dollars|euros?)\b",
    re.IGNORECASE,
)


def durations(text: str) -> list[float]:
    """Every duration in ``text``, in days, in order of appearance."""
    out: list[float] = []
    for match in _DURATION.finditer(text):
        word, num, unit = match.group("word"), match.group("num"), match.group("unit").lower()
        if num is not None:
            value = float(num)
        elif word is not None:
            value = float(_WORDS[word.lower()])
        else:
            continue
        unit = unit.rstrip("s") if not unit.endswith("days") else unit[:-1]
        unit = unit.rstrip("s")
        factor = _UNIT_DAYS.get(unit, _UNIT_DAYS.get(unit.split()[-1], 1.0))
        out.append(round(value * factor, 2))
    return out


def amounts(text: str) -> list[float]:
    """Every money amount in ``text`` (currency dropped), in order of appearance."""
    out: list[float] = []
    for match in _MONEY.finditer(text):
        whole = match.group("a") or match.group("b")
        cents = match.group("c") or match.group("d")
        if whole is None:
            continue
        value = float(whole.replace(",", ""))
        if cents:
            value += float(cents) / (10 ** len(cents))
        out.append(round(value, 2))
    return out


def first_number(text: str, unit: str) -> float | None:
    found = durations(text) if unit == "days" else amounts(text)
    return found[0] if found else None


def normalise_value(value: str) -> str:
    """A text value (a jurisdiction, a venue) in a comparable form."""
    value = re.sub(r"[^\w\s,]", " ", value.lower())
    value = re.sub(r"\b(the|state|of|commonwealth|county|city)\b", " ", value)
    return " ".join(value.replace(",", " ").split())
