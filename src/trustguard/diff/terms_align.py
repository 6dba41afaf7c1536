"""Align the clauses of two versions of a text, and redline a pair word by word.

Alignment runs in two passes: identical comparison keys first (so renumbered,
re-flowed, re-formatted and re-ordered clauses pair up exactly), then a similarity
pass over what is left, where candidates come from an inverted index of the rarer
words, so a 20,000-word pair does not compare every clause with every other.

Word-level differences (:func:`diff_opcodes`, behind the redline and the typo test) are
``difflib.SequenceMatcher``'s whenever its work is small, which is every real clause. A
clause of a thousand rewritten sentences in few distinct words made it cubic (138 s for
1,000 sentences): above a work budget the words unique to both sides anchor the
alignment first (as in patience diff), each stretch between anchors is diffed the same
way, and a stretch with no anchor left is one replacement, so the work stays linear.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict, deque
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

MIN_SIMILARITY = 0.5
_CANDIDATES = 8
# an index entry is a clause sharing the word; a word in more clauses than this is too
# common to find candidates with (and would make the candidate count quadratic)
_MAX_POSTINGS = 100
# SequenceMatcher visits every pair of equal words once per matching block it finds, so
# its work grows with (pairs of equal words) x (blocks <= the shorter side). Regions within
# both bounds go to it (the real pairs of the corpus reach 4,139 pairs and 1.4 M); larger
# ones are split on unique words first.
_WORK_BUDGET = 20_000
_WORK_BOUND = 2_000_000

Opcode = tuple[str, int, int, int, int]


@dataclass(frozen=True)
class Pair:
    old: int | None
    new: int | None
    score: float = 1.0


def align(old_keys: Sequence[str], new_keys: Sequence[str]) -> list[Pair]:
    """Pairs of (old index, new index); an unpaired side is None. Sorted by position."""
    pairs: list[Pair] = []
    by_key: dict[str, deque[int]] = defaultdict(deque)
    for index, key in enumerate(old_keys):
        by_key[key].append(index)
    used_old: set[int] = set()
    unmatched_new: list[int] = []
    for index, key in enumerate(new_keys):
        queue = by_key.get(key)
        if queue:
            old = queue.popleft()
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
    common = min(max(5, len(olds) // 10), _MAX_POSTINGS)
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
    keep = set(_increasing_run([n for _, n in matched]))
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
    opcodes = diff_opcodes([_word_key(t) or t for t in a], [_word_key(t) or t for t in b])
    out: list[list[str]] = []

    def emit(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1][1] += text
        else:
            out.append([op, text])

    for tag, i1, i2, j1, j2 in opcodes:
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
    if len(a) != len(b):
        return False  # only one-for-one replacements qualify, so the lengths must agree
    changed = False
    for tag, i1, i2, j1, j2 in diff_opcodes(a, b):
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


# -- bounded word diff --------------------------------------------------------------------


def _cheap(a: Sequence[Hashable], b: Sequence[Hashable]) -> bool:
    """SequenceMatcher's work on the pair is small (see _WORK_BUDGET)."""
    counts = Counter(b)
    pairs = sum(counts.get(item, 0) for item in a)
    return pairs <= _WORK_BUDGET and pairs * min(len(a), len(b)) <= _WORK_BOUND


def diff_opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Opcode]:
    """``SequenceMatcher(None, a, b, autojunk=False).get_opcodes()`` when that is cheap;
    otherwise the same kind of opcodes from an anchored diff whose work is linear."""
    if _cheap(a, b):
        return list(SequenceMatcher(None, a, b, autojunk=False).get_opcodes())
    raw: list[Opcode] = []
    # a total budget too: however the anchors fall, the work stays a few passes over the input
    budget = 8 * (len(a) + len(b)) + _WORK_BUDGET
    # items come off the stack in output order: a region still to diff, or a finished opcode
    stack: list[tuple[bool, Opcode]] = [(True, ("", 0, len(a), 0, len(b)))]
    while stack:
        is_region, item = stack.pop()
        if not is_region:
            raw.append(item)
            continue
        _, alo, ahi, blo, bhi = item
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            raw.append(("equal", alo, alo + 1, blo, blo + 1))
            alo, blo = alo + 1, blo + 1
        suffix = 0
        while ahi - suffix > alo and bhi - suffix > blo and a[ahi - suffix - 1] == b[bhi - suffix - 1]:
            suffix += 1
        if suffix:
            stack.append((False, ("equal", ahi - suffix, ahi, bhi - suffix, bhi)))
            ahi, bhi = ahi - suffix, bhi - suffix
        if alo == ahi or blo == bhi:
            if alo < ahi:
                raw.append(("delete", alo, ahi, blo, blo))
            elif blo < bhi:
                raw.append(("insert", alo, alo, blo, bhi))
            continue
        region_a, region_b = a[alo:ahi], b[blo:bhi]
        budget -= len(region_a) + len(region_b)
        if _cheap(region_a, region_b):
            matcher = SequenceMatcher(None, region_a, region_b, autojunk=False)
            raw.extend((tag, i1 + alo, i2 + alo, j1 + blo, j2 + blo)
                       for tag, i1, i2, j1, j2 in matcher.get_opcodes())
            continue
        anchors = _unique_anchors(region_a, region_b) if budget > 0 else []
        if not anchors:
            raw.append(("replace", alo, ahi, blo, bhi))
            continue
        pieces: list[tuple[bool, Opcode]] = []
        i, j = alo, blo
        for x, y in anchors:
            pieces.append((True, ("", i, alo + x, j, blo + y)))
            pieces.append((False, ("equal", alo + x, alo + x + 1, blo + y, blo + y + 1)))
            i, j = alo + x + 1, blo + y + 1
        pieces.append((True, ("", i, ahi, j, bhi)))
        stack.extend(reversed(pieces))
    return _merge(raw)


def _unique_anchors(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int]]:
    """Positions of the items found exactly once on each side, the longest run of them
    that keeps its order in both (patience diff's anchors). O(n log n)."""
    count_a, count_b = Counter(a), Counter(b)
    where_b = {item: j for j, item in enumerate(b) if count_b[item] == 1 and count_a.get(item) == 1}
    matched = [(i, where_b[item]) for i, item in enumerate(a) if item in where_b]
    if not matched:
        return []
    return [matched[index] for index in _increasing_run([j for _, j in matched])]


def _increasing_run(values: Sequence[int]) -> list[int]:
    """The indices, in order, of a longest strictly increasing subsequence of ``values``:
    O(n log n), with back-pointers (both the moved-clause test and the anchors use it)."""
    tails: list[int] = []
    tail_index: list[int] = []
    previous = [-1] * len(values)
    for index, value in enumerate(values):
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_index.append(index)
        else:
            tails[k] = value
            tail_index[k] = index
        previous[index] = tail_index[k - 1] if k else -1
    run: list[int] = []
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        run.append(index)
        index = previous[index]
    return run[::-1]


def _merge(opcodes: list[Opcode]) -> list[Opcode]:
    """Adjacent opcodes of one tag joined, empty ones dropped; an adjacent delete and insert
    become one replace, as SequenceMatcher reports them."""
    out: list[Opcode] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if i1 == i2 and j1 == j2:
            continue
        if out:
            last_tag, li1, _, lj1, _ = out[-1]
            if last_tag == tag or (last_tag != "equal" and tag != "equal"):
                merged = "equal" if tag == "equal" else (
                    "replace" if (li1 < i2 and lj1 < j2) else ("delete" if lj1 == j2 else "insert"))
                out[-1] = (merged, li1, i2, lj1, j2)
                continue
        out.append((tag, i1, i2, j1, j2))
    return out
