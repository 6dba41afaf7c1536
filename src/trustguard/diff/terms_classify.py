"""Clause classification from the pattern library in ``rules/terms/patterns/*.yaml``.

The patterns are data so that legal reviewers can extend them without touching code;
this module only compiles them and runs them over sentences. A sentence carries
*signals* (``arbitration``, ``licence-perpetual``...), each in one *category*, each
hostile, protective or neutral for the customer, and some carry a *measure* (notice
days, a liability cap, a governing law) read from the same sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..load.parse import decode_text, parse_yaml
from .terms_numbers import first_number, normalise_value

STANCES = ("hostile", "protective", "neutral")
UNITS = ("days", "money", "text")


@dataclass(frozen=True)
class Signal:
    id: str
    title: str
    category: str
    stance: str
    patterns: tuple[re.Pattern[str], ...]
    all: tuple[re.Pattern[str], ...] = ()
    unless: tuple[re.Pattern[str], ...] = ()
    requires: tuple[str, ...] = ()
    measure: str | None = None
    unit: str | None = None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Example:
    text: str
    signals: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    description: str
    signals: tuple[Signal, ...]
    positive: tuple[Example, ...] = ()
    negative: tuple[str, ...] = ()
    file: str = ""


@dataclass(frozen=True)
class Hit:
    signal: str
    value: Any = None
    # what found it: "pattern" (the YAML patterns) or "model" (the trained classifier,
    # with its probability; trustguard.diff.terms_model)
    found_by: str = "pattern"
    probability: float | None = None


@dataclass
class PatternLibrary:
    categories: tuple[Category, ...]
    signals: dict[str, Signal] = field(default_factory=dict)
    _cache: dict[str, tuple[Hit, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        ordered: list[Signal] = []
        for category in self.categories:
            ordered.extend(category.signals)
        # signals with `requires` run after the ones they need
        ordered.sort(key=lambda s: bool(s.requires))
        self.signals = {s.id: s for s in ordered}

    def classify(self, sentence: str) -> tuple[Hit, ...]:
        """The signals a sentence carries, with their measured value when they have one."""
        cached = self._cache.get(sentence)
        if cached is not None:
            return cached
        hits: dict[str, Hit] = {}
        lowered = " " + sentence.lower()
        for signal in self.signals.values():
            if signal.requires and not all(r in hits for r in signal.requires):
                continue
            # literal stems first: a substring test is far cheaper than the patterns
            if signal.keywords and not any(k in lowered for k in signal.keywords):
                continue
            match = None
            for pattern in signal.patterns:
                match = pattern.search(sentence)
                if match:
                    break
            if match is None:
                continue
            if any(p.search(sentence) is None for p in signal.all):
                continue
            if any(p.search(sentence) for p in signal.unless):
                continue
            hits[signal.id] = Hit(signal.id, _measure(signal, sentence, match))
        result = tuple(hits.values())
        self._cache[sentence] = result
        return result

    def categories_of(self, signal_ids: list[str] | set[str]) -> list[str]:
        return sorted({self.signals[s].category for s in signal_ids if s in self.signals})


def _measure(signal: Signal, sentence: str, match: re.Match[str]) -> Any:
    if signal.measure is None or signal.unit is None:
        return None
    if signal.unit == "text":
        value = match.groupdict().get("value")
        return normalise_value(value) if value else None
    return first_number(sentence, signal.unit)


def _compile(raw: Any, where: str, file: str) -> tuple[re.Pattern[str], ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise ConfigError("expected a list of regular expressions", file=file, place=where)
    out = []
    for index, pattern in enumerate(raw):
        try:
            out.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            raise ConfigError(f"invalid regular expression: {exc}", file=file, place=f"{where}/{index}") from None
    return tuple(out)


def parse_category(data: Any, file: str) -> Category:
    """Validate and compile one pattern file; errors name the file and the key path."""
    if not isinstance(data, dict):
        raise ConfigError("a pattern file must be a mapping with 'category' and 'signals'", file=file, place="/")
    for key in ("category", "title", "signals"):
        if key not in data:
            raise ConfigError(f"missing key {key!r}", file=file, place="/")
    category_id = str(data["category"])
    signals: list[Signal] = []
    if not isinstance(data["signals"], list) or not data["signals"]:
        raise ConfigError("'signals' must be a non-empty list", file=file, place="/signals")
    for index, item in enumerate(data["signals"]):
        where = f"/signals/{index}"
        if not isinstance(item, dict) or "id" not in item or "patterns" not in item:
            raise ConfigError("a signal needs 'id' and 'patterns'", file=file, place=where)
        stance = item.get("stance", "neutral")
        if stance not in STANCES:
            raise ConfigError(f"stance must be one of {', '.join(STANCES)}", file=file, place=f"{where}/stance")
        measure = item.get("measure")
        name = unit = None
        if measure is not None:
            if not isinstance(measure, dict) or measure.get("unit") not in UNITS or not measure.get("name"):
                raise ConfigError(f"measure needs 'name' and 'unit' ({', '.join(UNITS)})", file=file,
                                  place=f"{where}/measure")
            name, unit = str(measure["name"]), str(measure["unit"])
        signals.append(Signal(
            id=str(item["id"]),
            title=str(item.get("title", item["id"])),
            category=category_id,
            stance=stance,
            patterns=_compile(item["patterns"], f"{where}/patterns", file),
            all=_compile(item.get("all"), f"{where}/all", file),
            unless=_compile(item.get("unless"), f"{where}/unless", file),
            requires=tuple(str(r) for r in item.get("requires", [])),
            measure=name,
            unit=unit,
            keywords=tuple(str(k).lower() for k in item.get("keywords") or []),
        ))
    examples = data.get("examples") or {}
    positive = []
    for index, item in enumerate(examples.get("positive") or []):
        if isinstance(item, str):
            positive.append(Example(item, ()))
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            positive.append(Example(item["text"], tuple(str(s) for s in item.get("signals") or [])))
        else:
            raise ConfigError("a positive example is a string or {text, signals}", file=file,
                              place=f"/examples/positive/{index}")
    negative = [str(item) for item in examples.get("negative") or []]
    return Category(
        id=category_id,
        title=str(data["title"]),
        description=str(data.get("description", "")),
        signals=tuple(signals),
        positive=tuple(positive),
        negative=tuple(negative),
        file=file,
    )


def default_patterns_dir() -> Path:
    """The shipped pattern library: inside the wheel, or the repository's rules folder."""
    packaged = Path(str(resources.files("trustguard"))) / "_rules" / "terms" / "patterns"
    if packaged.is_dir():
        return packaged
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "rules" / "terms" / "patterns"
        if candidate.is_dir():
            return candidate
    raise ConfigError("the terms pattern library (rules/terms/patterns) is missing from this installation")


def load_category_file(path: Path) -> Category:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the pattern file: {exc.strerror or exc}", file=str(path)) from None
    text = decode_text(raw, str(path))
    data, _ = parse_yaml(text, str(path))
    return parse_category(data, path.name)


@lru_cache(maxsize=8)
def _library(folders: tuple[str, ...]) -> tuple[Category, ...]:
    categories: dict[str, Category] = {}
    for folder in folders:
        root = Path(folder)
        if not root.is_dir():
            raise ConfigError("the terms pattern folder does not exist", file=folder)
        for path in sorted(root.glob("*.yaml")):
            category = load_category_file(path)
            categories[category.id] = category  # a later folder replaces a category
    seen: dict[str, str] = {}
    for category in categories.values():
        for signal in category.signals:
            if signal.id in seen and seen[signal.id] != category.id:
                raise ConfigError(f"signal id {signal.id!r} is defined in two categories "
                                  f"({seen[signal.id]} and {category.id})", file=category.file)
            seen[signal.id] = category.id
    return tuple(categories[k] for k in sorted(categories))


def load_library(extra: list[str] | tuple[str, ...] = ()) -> PatternLibrary:
    """The shipped pattern library plus the user's folders (``terms: {patterns: [dir]}``)."""
    folders = (str(default_patterns_dir()), *(str(Path(f)) for f in extra))
    return PatternLibrary(_library(folders))
