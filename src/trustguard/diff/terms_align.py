"""Align the clauses of two versions of a text, and redline a pair word by word.

Alignment runs in two passes: identical comparison keys first (so renumbered,
re-flowed, re-formatted and re-ordered clauses pair up exactly), then a similarity
pass over what is left, where candidates come from an inverted index of the rarer
words, so a 20,000-word pair does not compare every clause with every other.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

MIN_SIMILARITY = 0.5
_CANDIDATES = 8


@dataclass(frozen=True)
class Pair:
    old: int | None
    new: int | None
    score: float = 1.0


def align(old_keys: Sequence[str], new_keys: Sequence[str]) -> list[Pair]:
    """Pairs of (old index, new index); an unpaired side is None. Sorted by position."""
    pairs: list[Pair] = []
    by_key: dict[str, list[int]] = defaultdict(list)
    for index, key in enumerate(old_keys):
        by_key[key].append(index)
    used_old: set[int] = set()
    unmatched_new: list[int] = []
    for index, key in enumerate(new_keys):
        queue = by_key.get(key)
        if queue:
            old = queue.pop(0)
            used_old.add(old)
            pairs.append(Pair(old, index, 1.0))
        else:
            unmatched_new.append(index)
    unmatched_old = [i for i in range(len(old_keys)) if i not in used_old]
    pairs.extend(_fuzzy(old_keys, new_keys, unmatched_old, unmatched_new))
    matched_old = {p.old for p in pairs if p.old is not None}
    matched_new = {p.new for p in pairs if p.new is not None}
    pairs.extend(Pair(i, None, 0.0) for i in range(len(old_keys)) if i not in matched_old)
    pairs.extend(Pair(None, i, 0.0) for i in range(len(new_keys)) if i not in matched_new)
    return sorted(pairs, key=lambda p: (p.new if p.new is not None else -1, p.old if p.old is not None else -1))


def _fuzzy(old_keys: Sequence[str], new_keys: Sequence[str], olds: list[int], news: list[int]) -> list[Pair]:
    if not olds or not news:
        return []
    old_sets = {i: set(old_keys[i].split()) for i in olds}
    new_sets = {i: set(new_keys[i].split()) for i in news}
    frequency: dict[str, int] = defaultdict(int)
    for words in old_sets.values():
        for word in words:
            frequency[word] += 1
    common = max(5, len(olds) // 10)
    index: dict[str, list[int]] = defaultdict(list)
    for i in olds:
        for word in old_sets[i]:
            if frequency[word] <= common:
                index[word].append(i)
    scored: list[tuple[float, int, int]] = []
    for n in news:
        words = new_sets[n]
        counts: dict[int, int] = defaultdict(int)
        for word in words:
            for o in index.get(word, ()):
                counts[o] += 1
        best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:_CANDIDATES]
        for o, _ in best:
            a, b = old_sets[o], words
            if min(len(a), len(b)) < 3:
                continue
            dice = 2 * len(a & b) / (len(a) + len(b))
            if dice >= MIN_SIMILARITY:
                scored.append((dice, o, n))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    out = []
    for score, o, n in scored:
        if o in taken_old or n in taken_new:
            continue
        taken_old.add(o)
        taken_new.add(n)
        out.append(Pair(o, n, round(score, 3)))
    return out


def moved_pairs(pairs: Sequence[Pair]) -> set[tuple[int, int]]:
    """The matched pairs outside the longest run that kept its relative order."""
    matched = sorted((p.old, p.new) for p in pairs if p.old is not None and p.new is not None)
    if not matched:
        return set()
    sequence = [n for _, n in matched]
    # longest increasing subsequence, O(n log n), with back-pointers
    tails: list[int] = []
    tail_index: list[int] = []
    previous = [-1] * len(sequence)
    for i, value in enumerate(sequence):
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[k] = value
            tail_index[k] = i
        previous[i] = tail_index[k - 1] if k > 0 else -1
    keep: set[int] = set()
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        keep.add(i)
        i = previous[i]
    return {matched[i] for i in range(len(matched)) if i not in keep}


# -- redline ----------------------------------------------------------------------------

_TOKEN = re.compile(r"\S+\s*")
_PUNCT = re.compile(r"[^\w$€£%]+")


def _word_key(token: str) -> str:
    return _PUNCT.sub("", token.translate(_QUOTES).lower())


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def redline(old: str, new: str) -> list[list[str]]:
    """Word-level redline: ``[op, text]`` with op ``=`` (kept), ``-`` (deleted), ``+`` (inserted)."""
    a = _TOKEN.findall(old)
    b = _TOKEN.findall(new)
    matcher = SequenceMatcher(None, [_word_key(t) or t for t in a], [_word_key(t) or t for t in b], autojunk=False)
    out: list[list[str]] = []

    def emit(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1][1] += text
        else:
            out.append([op, text])

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            emit("=", "".join(b[j1:j2]))
        else:
            deleted = "".join(a[i1:i2])
            if deleted and out and not out[-1][1][-1:].isspace() and not deleted[:1].isspace():
                # the kept text comes from the new version, which may have dropped the space
                # the deleted words stood after; deleted text is not part of the new text,
                # so spacing it keeps "kept + inserted == new text" true
                deleted = " " + deleted
            emit("-", deleted)
            emit("+", "".join(b[j1:j2]))
    return out


_MEANINGFUL = {
    "not", "no", "nor", "never", "may", "must", "will", "shall", "can", "cannot", "should", "any",
    "all", "without", "with", "and", "or", "only", "unless", "except", "before", "after", "you",
    "we", "us", "our", "your", "their", "days", "day", "month", "months", "year", "years",
}


def is_trivial_edit(old_key: str, new_key: str) -> bool:
    """True when two comparison keys differ only by typo fixes (one-for-one near-identical
    words, no numbers, no words that carry legal meaning such as 'not' or 'may')."""
    a, b = old_key.split(), new_key.split()
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    changed = False
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        changed = True
        if tag != "replace" or (i2 - i1) != (j2 - j1):
            return False
        for x, y in zip(a[i1:i2], b[j1:j2], strict=True):
            if x in _MEANINGFUL or y in _MEANINGFUL or any(c.isdigit() for c in x + y):
                return False
            if min(len(x), len(y)) < 4 or SequenceMatcher(None, x, y).ratio() < 0.8:
                return False
    return changed
