"""The trained clause classifier: CLAUDETTE categories for a sentence, in pure Python.

The model (``trustguard/_models/terms_clauses.json.gz``) is trained by
``bench/train_terms_model.py`` with scikit-learn on CLAUDETTE (CC BY 4.0, see
``terms_clauses.LICENSE``): TF-IDF over word 1–2-grams, one logistic regression per
category. This module repeats scikit-learn's steps exactly — lower-case, digits folded
to ``0`` (the training script's preprocessor), the ``(?u)\\b\\w\\w+\\b`` tokens,
unigrams then bigrams, ``1 + ln(tf)`` times idf, l2 norm, sparse dot product, logistic —
so no numpy or scikit-learn is needed at run time and the probabilities equal scikit-learn's (``tests/test_terms_model.py`` checks against
a fixture of scikit-learn's own output).
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..load.parse import decode_text, parse_yaml
from .terms_classify import Hit, PatternLibrary, default_patterns_dir

MODEL_FILE = "terms_clauses.json.gz"
MAPPING_FILE = "claudette.yaml"
FORMAT = "trustguard-terms-model/2"
# scikit-learn's default token_pattern, compiled with the same engine (stdlib re)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class ModelHit:
    label: str  # the CLAUDETTE tag: a, ch, cr, j, law, ltd, ter, use, pinc
    probability: float
    threshold: float


class ClauseModel:
    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("format") != FORMAT:
            raise ConfigError(f"the terms model is not in format {FORMAT}", file=MODEL_FILE)
        self.labels: tuple[str, ...] = tuple(data["categories"])
        self.thresholds: tuple[float, ...] = tuple(float(t) for t in data["thresholds"])
        # a heading ("C. Binding Arbitration") is not a clause: the model was neither
        # trained on nor flags sentences of fewer words
        self.min_words = int(data["features"].get("min_words", 0))
        self.intercepts: tuple[float, ...] = tuple(float(b) for b in data["intercepts"])
        # term -> (idf, [category, weight, category, weight...]): one lookup per n-gram of a
        # sentence; kept flat as stored, since building pairs for every term costs more at
        # start-up than reading them two by two at run time
        self.index: dict[str, tuple[float, list[Any]]] = {term: (idf, flat) for term, idf, flat in data["vocabulary"]}
        self._cache: dict[str, tuple[float, ...]] = {}

    def features(self, text: str) -> dict[str, float]:
        """The sentence's l2-normalised TF-IDF vector, as scikit-learn's TfidfVectorizer builds it."""
        tokens = _TOKEN.findall(_DIGITS.sub("0", text.lower()))
        grams = Counter(tokens)
        grams.update(f"{a} {b}" for a, b in pairwise(tokens))
        vector: dict[str, float] = {}
        for gram, count in grams.items():
            entry = self.index.get(gram)
            if entry is not None:
                vector[gram] = (1.0 + math.log(count)) * entry[0]
        norm = math.sqrt(sum(v * v for v in vector.values()))
        if norm:
            vector = {term: v / norm for term, v in vector.items()}
        return vector

    def probabilities(self, text: str) -> tuple[float, ...]:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        sums = list(self.intercepts)
        index = self.index
        for term, value in self.features(text).items():
            flat = index[term][1]
            for i in range(0, len(flat), 2):
                sums[flat[i]] += flat[i + 1] * value
        result = tuple(_sigmoid(z) for z in sums)
        self._cache[text] = result
        return result

    def predict(self, text: str) -> tuple[ModelHit, ...]:
        """The categories whose probability reaches the model's threshold; none for a heading."""
        if len(_TOKEN.findall(text)) < self.min_words:
            return ()
        return tuple(ModelHit(label, p, t) for label, p, t in
                     zip(self.labels, self.probabilities(text), self.thresholds, strict=True) if p >= t)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@lru_cache(maxsize=1)
def load_model() -> ClauseModel:
    """The shipped model, read once per process."""
    try:
        raw = (resources.files("trustguard") / "_models" / MODEL_FILE).read_bytes()
        data = json.loads(gzip.decompress(raw))
    except (OSError, ValueError, EOFError) as exc:
        raise ConfigError(f"the terms clause model cannot be read: {exc}", file=MODEL_FILE) from None
    return ClauseModel(data)


@dataclass(frozen=True)
class LabelMap:
    """A model category as trustguard evidence (``rules/terms/model/claudette.yaml``)."""

    label: str
    title: str
    signal: str
    min_probability: float = 0.0


def mapping_path() -> str:
    """``rules/terms/model/claudette.yaml``, beside the shipped pattern folder."""
    return str(default_patterns_dir().parent / "model" / MAPPING_FILE)


def parse_mapping(data: Any, file: str, labels: tuple[str, ...]) -> dict[str, LabelMap]:
    if not isinstance(data, dict) or not isinstance(data.get("labels"), dict):
        raise ConfigError("the model mapping needs 'labels': {tag: {signal, title}}", file=file, place="/")
    out: dict[str, LabelMap] = {}
    for label, item in data["labels"].items():
        where = f"/labels/{label}"
        if label not in labels:
            raise ConfigError(f"the model has no category {label!r} (it has {', '.join(labels)})", file=file,
                              place=where)
        if not isinstance(item, dict) or not isinstance(item.get("signal"), str):
            raise ConfigError("a label needs 'signal' (a pattern signal id)", file=file, place=where)
        floor = item.get("min_probability", 0.0)
        if not isinstance(floor, (int, float)) or isinstance(floor, bool) or not 0.0 <= floor <= 1.0:
            raise ConfigError("min_probability must be a number from 0 to 1", file=file,
                              place=f"{where}/min_probability")
        out[str(label)] = LabelMap(str(label), str(item.get("title", label)), item["signal"], float(floor))
    return out


@lru_cache(maxsize=1)
def _mapping_data(path: str) -> Any:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the model mapping: {exc.strerror or exc}", file=path) from None
    data, _ = parse_yaml(decode_text(raw, path), path)
    return data


class Evidence:
    """Pattern hits, else the model's: a sentence no pattern reads that the model flags
    becomes a hit of each flagged category's mapped signal, with its probability."""

    def __init__(self, library: PatternLibrary, model: ClauseModel, mapping: dict[str, LabelMap]) -> None:
        self.library, self.model, self.mapping = library, model, mapping
        self._cache: dict[str, tuple[Hit, ...]] = {}

    def classify(self, sentence: str) -> tuple[Hit, ...]:
        cached = self._cache.get(sentence)
        if cached is not None:
            return cached
        hits = self.library.classify(sentence)
        if hits:
            # the patterns read it (and measure it): the model's neighbouring categories on a
            # pattern-read sentence ("suspend ... at any time" scores as a change clause too)
            # were wrong more often than right on the corpus, so precision first
            self._cache[sentence] = hits
            return hits
        caught: set[str] = set()
        extra: list[Hit] = []
        for found in self.model.predict(sentence):
            label = self.mapping.get(found.label)
            # a user's pattern folder may replace the category that holds the mapped signal
            if label is None or found.probability < label.min_probability or label.signal not in self.library.signals:
                continue
            category = self.library.signals[label.signal].category
            if category in caught:
                continue
            caught.add(category)
            extra.append(Hit(label.signal, None, "model", round(found.probability, 3)))
        result = hits + tuple(extra)
        self._cache[sentence] = result
        return result


def load_evidence(library: PatternLibrary) -> Evidence:
    path = mapping_path()
    model = load_model()
    return Evidence(library, model, parse_mapping(_mapping_data(path), path, model.labels))
