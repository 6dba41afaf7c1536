"""Which plan of the revision is which plan of the base: same name first, then the most
similar by content, price, rank and name (Slack STANDARD -> PRO is a rename, not a plan
retired plus a plan launched)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..load.pricing import Plan, Pricing, feature_enabled

# Weights of the evidence that two differently named plans are the same offer. Content
# counts most: names are what marketing changes.
_W_FEATURES, _W_LIMITS, _W_PRICE, _W_RANK, _W_NAME = 0.35, 0.15, 0.2, 0.15, 0.15
RENAME_MIN_SIMILARITY = 0.55
_EXACT_MATCH_MAX = 12  # unmatched plans on one side; beyond this a greedy pairing is used


@dataclass(frozen=True)
class PlanMatch:
    base: str
    revision: str
    renamed: bool
    similarity: float


def _tokens(name: str) -> set[str]:
    return {t for t in name.lower().replace("-", "_").split("_") if t}


def _jaccard(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _price_ranks(pricing: Pricing) -> dict[str, float]:
    """Each plan's position from cheapest (0) to dearest (1); quote-only plans are dearest."""
    order = sorted(
        pricing.plans.values(),
        key=lambda p: (p.price is None, p.price if p.price is not None else 0.0, p.name),
    )
    if len(order) == 1:
        return {order[0].name: 0.0}
    return {p.name: i / (len(order) - 1) for i, p in enumerate(order)}


def plan_similarity(
    base: Pricing, revision: Pricing, bp: Plan, rp: Plan, ranks: tuple[dict[str, float], dict[str, float]]
) -> float | None:
    """How likely ``rp`` is ``bp`` under a new name (0..1); None when it cannot be."""
    if bp.is_free != rp.is_free:
        return None  # a free plan never becomes a paid one by renaming
    shared_f = base.features.keys() & revision.features.keys()
    feat = _jaccard(
        {f for f in shared_f if feature_enabled(bp.features[f])},
        {f for f in shared_f if feature_enabled(rp.features[f])},
    )
    shared_l = sorted(base.limits.keys() & revision.limits.keys())
    if shared_l:
        lim = sum(1 for name in shared_l if bp.limits[name] == rp.limits[name]) / len(shared_l)
    else:
        lim = 0.5
    if bp.price is not None and rp.price is not None:
        top = max(bp.price, rp.price)
        price = 1.0 if top == 0 else 1 - abs(bp.price - rp.price) / top
    elif bp.price is None and rp.price is None:
        price = 1.0
    else:
        price = 0.3
    rank = 1 - abs(ranks[0][bp.name] - ranks[1][rp.name])
    bt, rt = _tokens(bp.name), _tokens(rp.name)
    name = max(_jaccard(bt, rt), 0.8 if (bt <= rt or rt <= bt) and bt & rt else 0.0)
    score = _W_FEATURES * feat + _W_LIMITS * lim + _W_PRICE * price + _W_RANK * rank + _W_NAME * name
    return round(score, 4)


def match_plans(base: Pricing, revision: Pricing, min_similarity: float = RENAME_MIN_SIMILARITY) -> list[PlanMatch]:
    """Pair base plans with revision plans: same name first, then the most similar."""
    matches = [PlanMatch(n, n, False, 1.0) for n in sorted(base.plans) if n in revision.plans]
    left = sorted(n for n in base.plans if n not in revision.plans)
    right = sorted(n for n in revision.plans if n not in base.plans)
    ranks = (_price_ranks(base), _price_ranks(revision))
    scored: list[tuple[float, str, str]] = []
    for b in left:
        for r in right:
            score = plan_similarity(base, revision, base.plans[b], revision.plans[r], ranks)
            if score is not None and score >= min_similarity:
                scored.append((score, b, r))
    for b, r, score in _best_assignment(left, right, scored):
        matches.append(PlanMatch(b, r, True, score))
    return sorted(matches, key=lambda m: m.base)


def _best_assignment(
    left: list[str], right: list[str], scored: list[tuple[float, str, str]]
) -> list[tuple[str, str, float]]:
    """The pairing with the highest total similarity (a greedy pick can steal the right
    partner of another plan: Notion TEAM looks like PLUS, but PERSONAL_PRO is PLUS)."""
    weight = {(b, r): s for s, b, r in scored}
    if len(right) > _EXACT_MATCH_MAX:
        taken_b: set[str] = set()
        taken_r: set[str] = set()
        out = []
        for s, b, r in sorted(scored, key=lambda t: (-t[0], t[1], t[2])):
            if b not in taken_b and r not in taken_r:
                taken_b.add(b)
                taken_r.add(r)
                out.append((b, r, s))
        return out

    @cache
    def best(i: int, used: int) -> tuple[float, tuple[tuple[str, str, float], ...]]:
        if i == len(left):
            return 0.0, ()
        result = best(i + 1, used)
        for j, r in enumerate(right):
            s = weight.get((left[i], r))
            if s is None or used & (1 << j):
                continue
            total, pairs = best(i + 1, used | (1 << j))
            if total + s > result[0] + 1e-9:
                result = (total + s, ((left[i], r, s), *pairs))
        return result

    return list(best(0, 0)[1])
