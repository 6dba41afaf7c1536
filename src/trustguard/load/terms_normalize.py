"""What a reader sees, as text the classifier can match: decode the tricks that hide words.

A clause can be written so that a reader sees "arbitration" while a regular expression
sees something else: letters as HTML character references (``&#97;rbitration``, which
Markdown renders too), invisible characters inside the word (soft hyphen, zero-width
space / joiners, word joiner, BOM, bidi controls, variation selectors), styled letters
(fullwidth, mathematical bold) or letters of another script that look Latin (Cyrillic
``а`` in ``аrbitrаtion``). :func:`normalize_text` undoes each of them and counts what it
undid, so the loader can classify and compare the text the reader sees and the differ
can report the tricks themselves.

Look-alike letters are folded with the Unicode confusables data (UTS #39, as shipped by
the ``confusable-homoglyphs`` package), and only where folding cannot damage real text:
inside a word that has Latin letters (a mixed-script word), or a word whose every letter
has a Latin look-alike when no real word of that script is in the passage. A clause in Russian, Greek
or Japanese, or French and German words with accents, are left as they are and not
counted. Invisible characters are always removed for comparison, but counted only inside
a word with a Latin letter or digit beside them (a zero-width non-joiner inside a Persian
word is spelling, a stray joiner before a word hides nothing), and bidi controls next to
a Latin letter or digit anywhere (they reorder what is shown).

Every output character keeps the offset of the input character it came from
(:attr:`Normalized.starts`), so sentences split on the normalised text can be cut from
the text as written, which is what redlines and excerpts show.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape
from importlib import resources

__all__ = ["TRICK_KINDS", "Normalized", "keep_hiding_entities", "normalize_text"]

# kind -> how a message names it
TRICK_KINDS = {
    "entity": "letters written as HTML character references",
    "invisible": "invisible characters (zero-width, soft hyphen, bidi or format controls)",
    "lookalike": "look-alike letters from another script or styled forms",
}

# CommonMark decodes an entity only with its semicolon; so do we, for every format
# (HTML input reaches here with its ordinary entities already decoded by the parser).
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# what an HTML parser decodes: numeric references, and named ones even without ";"
_HTML_REFERENCE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")

# Unicode's Default_Ignorable_Code_Point set (DerivedCoreProperties.txt) plus every other
# format character (category Cf): nothing a reader sees, so nothing to compare.
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_NON_ASCII_CHAR = re.compile(r"[^\x00-\x7f]")
_WORD = re.compile(r"[^\W\d_]+")
# decompositions that only restyle a letter (fullwidth, mathematical alphabets)
_STYLED_TAGS = ("<font>", "<wide>", "<narrow>")


@dataclass
class Normalized:
    text: str
    starts: list[int] | None = None  # input offset of each output character; None: identical
    counts: dict[str, int] = field(default_factory=dict)
    offsets: list[int] = field(default_factory=list)  # input offsets of the tricks, in order
    words: list[str] = field(default_factory=list)  # words that carried a trick, as folded

    def source_offset(self, index: int, raw_length: int) -> int:
        """The input offset of output character ``index`` (``raw_length`` past the end)."""
        if self.starts is None:
            return min(index, raw_length)
        return self.starts[index] if index < len(self.starts) else raw_length

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@lru_cache(maxsize=4096)
def _ignorable(char: str) -> bool:
    code = ord(char)
    if unicodedata.category(char) == "Cf":
        return True
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES)


@lru_cache(maxsize=4096)
def _latin(char: str) -> bool:
    return char.isascii() or unicodedata.name(char, "").startswith("LATIN ")


@lru_cache(maxsize=4096)
def _script(char: str) -> str:
    """The script a letter's name gives (CYRILLIC, GREEK...): close enough to UAX #24 here."""
    return unicodedata.name(char, "?").split(" ", 1)[0]


@lru_cache(maxsize=1)
def _folds() -> dict[str, str]:
    """Non-Latin letter (or Latin phonetic letter) -> the ASCII letter it is confusable with.

    From the confusables data: every single-letter prototype of an ASCII letter that is not
    folded by NFKC already (fullwidth and mathematical letters are) and not a letter of a
    national Latin alphabet (Latin-1 and Latin Extended-A/B: ``ı`` is Turkish spelling)."""
    data = json.loads((resources.files("confusable_homoglyphs") / "confusables.json").read_text("utf-8"))
    folds: dict[str, str] = {}
    for ascii_letter in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":
        for entry in data.get(ascii_letter, ()):
            char = entry.get("c", "")
            if len(char) != 1 or char.isascii() or not unicodedata.category(char).startswith("L"):
                continue
            if unicodedata.normalize("NFKC", char) != char or 0x80 <= ord(char) <= 0x24F:
                continue
            folds.setdefault(char, ascii_letter)
    return folds


def keep_hiding_entities(html: str) -> str:
    """HTML with each character reference that spells a letter or an invisible character
    escaped (``&#97;`` -> ``&amp;#97;``): the parser then leaves it in the text as written,
    and :func:`normalize_text` decodes and counts it like one in Markdown."""
    if "&" not in html:
        return html

    def escape(match: re.Match[str]) -> str:
        reference = f"&{match.group(1)};"
        decoded = unescape(reference)
        if decoded == reference or not (
            (decoded.isascii() and decoded.isalnum()) or all(_ignorable(c) for c in decoded)
        ):
            return match.group(0)
        return "&amp;" + reference[1:]

    return _HTML_REFERENCE.sub(escape, html)


def normalize_text(raw: str) -> Normalized:
    """``raw`` with entities decoded, invisible characters removed, NFKC applied to letters
    and look-alike letters folded (see the module docstring for where)."""
    if raw.isascii() and "&" not in raw:
        return Normalized(raw)
    chars, starts, counts, offsets = _decode_entities(raw)
    chars, starts = _drop_invisible(chars, starts, counts, offsets)
    chars, starts = _compatibility(chars, starts, counts, offsets)
    _fold_lookalikes(chars, starts, counts, offsets)
    text = "".join(chars)
    if text == raw:
        return Normalized(raw)
    offsets.sort()
    return Normalized(text, starts, {k: v for k, v in sorted(counts.items()) if v}, offsets,
                      _trick_words(chars, starts, offsets, len(raw)))


def _trick_words(chars: list[str], starts: list[int], offsets: list[int], raw_length: int) -> list[str]:
    """The words (as normalised) whose source holds a trick, each once, in order."""
    found: list[str] = []
    if not offsets:
        return found
    for start, end in _words(chars):
        low = starts[start]
        high = starts[end] if end < len(starts) else raw_length
        index = bisect_left(offsets, low)
        if index < len(offsets) and offsets[index] < high:
            word = "".join(chars[start:end])
            if word not in found:
                found.append(word)
    return found


def _decode_entities(raw: str) -> tuple[list[str], list[int], dict[str, int], list[int]]:
    chars: list[str] = []
    starts: list[int] = []
    counts: dict[str, int] = {}
    offsets: list[int] = []
    position = 0
    for match in _ENTITY.finditer(raw) if "&" in raw else ():
        decoded = unescape(match.group(0))
        if decoded == match.group(0):
            continue  # not an entity HTML knows: the text says it literally
        chars.extend(raw[position:match.start()])
        starts.extend(range(position, match.start()))
        for char in decoded:
            chars.append(char)
            starts.append(match.start())
        if decoded.isascii() and decoded.isalnum():
            counts["entity"] = counts.get("entity", 0) + 1
            offsets.append(match.start())
        position = match.end()
    chars.extend(raw[position:])
    starts.extend(range(position, len(raw)))
    return chars, starts, counts, offsets


def _drop_invisible(chars: list[str], starts: list[int], counts: dict[str, int],
                    offsets: list[int]) -> tuple[list[str], list[int]]:
    text = "".join(chars)
    hidden = [m.start() for m in _NON_ASCII_CHAR.finditer(text) if _ignorable(m.group())]
    if not hidden:
        return chars, starts
    out: list[str] = []
    out_starts: list[int] = []
    counted = 0
    position = 0
    index = 0
    while index < len(hidden):
        # a run of consecutive invisible characters: its visible neighbours decide
        first = last = hidden[index]
        while index + 1 < len(hidden) and hidden[index + 1] == last + 1:
            index += 1
            last = hidden[index]
        index += 1
        left, right = text[first - 1:first], text[last + 1:last + 2]
        latin_side = any(_latin(c) and c.isalnum() for c in left + right)
        # inside a word it splits the word; a bidi control reorders what is shown wherever it is
        inside = left.isalnum() and right.isalnum()
        if latin_side and (inside or any(c in _BIDI for c in text[first:last + 1])):
            counted += last - first + 1
            offsets.extend(starts[first:last + 1])
        out.extend(chars[position:first])
        out_starts.extend(starts[position:first])
        position = last + 1
    out.extend(chars[position:])
    out_starts.extend(starts[position:])
    if counted:
        counts["invisible"] = counts.get("invisible", 0) + counted
    return out, out_starts


def _compatibility(chars: list[str], starts: list[int], counts: dict[str, int],
                   offsets: list[int]) -> tuple[list[str], list[int]]:
    """NFKC for letters and digits only, one base character with its combining marks at a
    time: punctuation and symbols keep their form (an ellipsis must not become three full
    stops that end a sentence), and each output character still knows where it came from.
    Only the runs of non-ASCII characters (with the letter before them) are looked at."""
    text = "".join(chars)
    if unicodedata.is_normalized("NFKC", text):
        return chars, starts
    out: list[str] = []
    out_starts: list[int] = []
    position = 0
    for run in _NON_ASCII.finditer(text):
        begin, end = run.start(), run.end()
        if begin > position and unicodedata.category(text[begin]).startswith("M"):
            begin -= 1  # a combining mark on the ASCII letter before it
        out.extend(chars[position:begin])
        out_starts.extend(starts[position:begin])
        index = begin
        while index < end:
            after = index + 1
            while after < end and unicodedata.category(text[after]).startswith("M"):
                after += 1
            cluster = text[index:after]
            category = unicodedata.category(text[index])
            if category.startswith("L") or category == "Nd":
                folded = unicodedata.normalize("NFKC", cluster)
                if folded != cluster and unicodedata.decomposition(text[index]).startswith(_STYLED_TAGS):
                    counts["lookalike"] = counts.get("lookalike", 0) + 1
                    offsets.append(starts[index])
                cluster = folded
            out.extend(cluster)
            out_starts.extend([starts[index]] * len(cluster))
            index = after
        position = end
    out.extend(chars[position:])
    out_starts.extend(starts[position:])
    return out, out_starts


def _words(chars: list[str]) -> list[tuple[int, int]]:
    """Spans of letters (a combining mark ends a word here: harmless for what follows)."""
    return [m.span() for m in _WORD.finditer("".join(chars))]


def _fold_lookalikes(chars: list[str], starts: list[int], counts: dict[str, int],
                     offsets: list[int]) -> None:
    text = "".join(chars)
    if text.isascii():
        return
    folds = _folds()
    mixed: list[tuple[int, int]] = []
    pure: list[tuple[int, int]] = []
    foreign: set[str] = set()
    for match in _WORD.finditer(text):
        letters = match.group()
        if letters.isascii():
            continue
        foldable = sum(c in folds for c in letters)
        latin = sum(_latin(c) and c not in folds for c in letters)
        if len(letters) - foldable - latin:
            # a letter with no Latin look-alike: the word really is of that script
            foreign.update(_script(c) for c in letters if not _latin(c))
        elif foldable:
            (mixed if latin else pure).append(match.span())
    # a word made only of look-alikes ("ѕсоре" in Cyrillic) is folded only where no real
    # word of its script is near: in a Russian passage, or beside a Russian company name,
    # "а" and "ООО" are Russian
    pure = [(start, end) for start, end in pure
            if not any(_script(c) in foreign for c in chars[start:end] if not _latin(c))]
    for start, end in mixed + pure:
        for index in range(start, end):
            replacement = folds.get(chars[index])
            if replacement is not None:
                chars[index] = replacement
                counts["lookalike"] = counts.get("lookalike", 0) + 1
                offsets.append(starts[index])
