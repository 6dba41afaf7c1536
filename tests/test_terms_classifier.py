"""The clause pattern library (rules/terms/patterns/*.yaml) against its own examples.

Prints precision and recall per category (run with -s to see them); each must be >= 90%.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trustguard.diff.terms_classify import Category, load_library, parse_category
from trustguard.errors import ConfigError

LIBRARY = load_library()
THRESHOLD = 0.9


def _score(category: Category) -> tuple[float, float, list[str]]:
    tp = fp = fn = 0
    misses: list[str] = []
    for example in category.positive:
        hits = {h.signal for h in LIBRARY.classify(example.text)}
        mine = {s for s in hits if LIBRARY.signals[s].category == category.id}
        if mine:
            tp += 1
        else:
            fn += 1
            misses.append(f"missed: {example.text}")
        if example.signals and mine != set(example.signals):
            misses.append(f"signals {sorted(mine)} != {sorted(example.signals)}: {example.text}")
    for text in category.negative:
        hits = {h.signal for h in LIBRARY.classify(text)}
        if any(LIBRARY.signals[s].category == category.id for s in hits):
            fp += 1
            misses.append(f"false positive: {text}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, misses


def test_every_category_has_enough_examples() -> None:
    assert len(LIBRARY.categories) >= 11
    for category in LIBRARY.categories:
        assert len(category.positive) >= 5, category.id
        assert len(category.negative) >= 5, category.id
        for example in category.positive:
            assert set(example.signals) <= {s.id for s in category.signals}, example.text


@pytest.mark.parametrize("category", LIBRARY.categories, ids=[c.id for c in LIBRARY.categories])
def test_precision_and_recall_per_category(category: Category) -> None:
    precision, recall, misses = _score(category)
    print(f"{category.id:20} precision {precision:6.1%}  recall {recall:6.1%}  "
          f"({len(category.positive)} positive, {len(category.negative)} negative)")
    assert precision >= THRESHOLD, misses
    assert recall >= THRESHOLD, misses
    # the exact signals of each positive example, not only its category
    assert [m for m in misses if m.startswith("signals")] == []


def test_measures_are_read_from_the_matching_sentence() -> None:
    def value(text: str, signal: str) -> object:
        return next(h.value for h in LIBRARY.classify(text) if h.signal == signal)

    assert value("We will notify you at least thirty (30) days before changes to these Terms.", "change-notice") == 30
    assert value("In no event will our aggregate liability exceed one hundred U.S. dollars ($100).",
                 "liability-cap") == 100
    assert value("These Terms are governed by the laws of the State of New York.", "governing-law") == "new york"
    assert value("Cancel at least 24 hours before the end of your current subscription period to avoid "
                 "automatic renewal.", "cancellation-deadline") == 1


def test_bad_pattern_file_is_a_clear_error(tmp_path: Path) -> None:
    data = {"category": "x", "title": "X", "signals": [{"id": "s", "patterns": ["(unclosed"]}]}
    with pytest.raises(ConfigError) as info:
        parse_category(data, "x.yaml")
    assert info.value.place == "/signals/0/patterns/0"
    with pytest.raises(ConfigError):
        parse_category({"category": "x", "title": "X", "signals": [{"id": "s", "patterns": ["a"],
                                                                      "stance": "evil"}]}, "x.yaml")


def test_user_pattern_folder_adds_a_category(tmp_path: Path) -> None:
    (tmp_path / "export-control.yaml").write_text(
        "category: export-control\ntitle: Export control\nsignals:\n"
        "  - id: sanctions\n    stance: neutral\n    patterns: ['\\bembargo']\n", encoding="utf-8")
    library = load_library([str(tmp_path)])
    assert [h.signal for h in library.classify("Use from an embargoed country is forbidden.")] == ["sanctions"]
