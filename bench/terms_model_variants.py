"""The clause-model variants of docs/terms.md's third round, under the training script's protocol.

    pip install -e '.[train]'
    python bench/terms_model_variants.py              # every variant (about 20 minutes of CPU)
    python bench/terms_model_variants.py stem docw    # some of them
    python bench/terms_model_variants.py --list

None of them is shipped: none beats the shipped model (bench/train_terms_model.py) by more
than the spread of its own figure over document partitions. The protocol is the training
script's: the same document-grouped 5 folds, seed 16, a category flagged at probability
0.5, headings (five words or fewer) left out of training and never flagged (so a
labelled heading is a false negative), F1 pooled over all folds' sentences, macro over
the eight LexGLUE categories. Whatever a variant fits besides the first-stage models
(stacking, confident-negative weights, calibration) comes from document-grouped CV
inside the training folds only.
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import snowballstemmer
from sklearn.calibration import CalibratedClassifierCV
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.feature_selection import chi2
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import GroupKFold
from sklearn.svm import LinearSVC

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_terms_model as shipped  # the shipped model's data, folds and settings

K = len(shipped.CATEGORIES)
EIGHT = [k for k, tag in enumerate(shipped.CATEGORIES) if tag in shipped.LEXGLUE]
TERMS = shipped.ROOT.parent / "shared" / "corpus" / "terms"
_STEMMER = snowballstemmer.stemmer("english")
_stems: dict[str, str] = {}

texts, Y, DOCS = shipped.load()
N = len(texts)
HEAD = np.array([shipped.is_heading(t) for t in texts])
FOLDS = list(GroupKFold(n_splits=5).split(texts, groups=DOCS))
Fold = tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray, np.ndarray]  # train x, test x, train rows, test rows


def stem(word: str) -> str:
    found = _stems.get(word)
    if found is None:
        found = _stems[word] = _STEMMER.stemWord(word)
    return found


def words(text: str) -> list[str]:
    return shipped._TOKEN.findall(shipped.normalise(text))


def bigrams(tokens: list[str]) -> list[str]:
    return [f"{a} {b}" for a, b in pairwise(tokens)]


def word_grams(text: str) -> list[str]:
    w = words(text)
    return w + bigrams(w)


def stem_grams(text: str) -> list[str]:
    s = [stem(x) for x in words(text)]
    return s + bigrams(s)


def stem_unigrams(text: str) -> list[str]:
    w = words(text)
    return [stem(x) for x in w] + bigrams(w)


def stem_bigrams(text: str) -> list[str]:
    w = words(text)
    return w + bigrams([stem(x) for x in w])


def no_stop_words(text: str) -> list[str]:
    w = [x for x in words(text) if x not in ENGLISH_STOP_WORDS]
    return w + bigrams(w)


def no_stop_unigrams(text: str) -> list[str]:
    w = words(text)
    return [x for x in w if x not in ENGLISH_STOP_WORDS] + bigrams(w)


def skip_bigrams(text: str) -> list[str]:
    w = words(text)
    return w + bigrams(w) + [f"{a} _ {c}" for a, c in zip(w, w[2:], strict=False)]


ANALYZERS: dict[str, Callable[[str], list[str]]] = {
    "word": word_grams, "stem": stem_grams, "stem-unigrams": stem_unigrams, "stem-bigrams": stem_bigrams,
    "no-stop-words": no_stop_words, "no-stop-unigrams": no_stop_unigrams, "skip-bigrams": skip_bigrams,
}


def vectorizer(analyzer: str, vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=ANALYZERS[analyzer], sublinear_tf=True, vocabulary=vocabulary,
                           min_df=1 if vocabulary else 2, max_features=None if vocabulary else shipped.MAX_FEATURES,
                           dtype=np.float64)


def unlabelled_sentences() -> list[str]:
    """The newest version of each service in ../shared/corpus/terms, split at sentence ends."""
    out: list[str] = []
    for folder in sorted(p for p in TERMS.glob("*/*") if p.is_dir()):
        newest = sorted(folder.glob("*.md"))[-1]
        for line in newest.read_text(encoding="utf-8").splitlines():
            out += [s for s in re.split(r"(?<=[.!?])\s+", line.strip()) if not shipped.is_heading(s)]
    return out


def fold_features(analyzer: str, rows: list[tuple[np.ndarray, np.ndarray]] | None = None,
                  idf_extra: list[str] | None = None) -> list[Fold]:
    out: list[Fold] = []
    for tr, te in FOLDS if rows is None else rows:
        keep = np.array([i for i in tr if not HEAD[i]])
        train = [texts[i] for i in keep]
        vec = vectorizer(analyzer)
        vec.fit(train)
        if idf_extra is not None:  # the vocabulary of the labelled text, the idf of both
            vec = vectorizer(analyzer, vec.vocabulary_).fit(train + idf_extra)
        out.append((vec.transform(train), vec.transform([texts[i] for i in te]), keep, te))
    return out


def lr(c: float = shipped.C, class_weight: str | dict[int, float] | None = "balanced",
       l1: bool = False) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight=class_weight, solver="liblinear", max_iter=5000,
                              random_state=shipped.SEED, l1_ratio=1.0 if l1 else 0.0)


Fitter = Callable[[sp.csr_matrix, np.ndarray, sp.csr_matrix, np.ndarray, int], np.ndarray]


def per_category(features: Iterable[Fold], fit: Fitter) -> np.ndarray:
    """Out-of-fold probabilities; fit(train x, train labels, test x, train rows, category)."""
    p = np.zeros((N, K))
    for a, b, keep, te in features:
        for k in range(K):
            p[te, k] = fit(a, Y[keep, k], b, keep, k)
    p[HEAD] = 0.0
    return p


def plain(c: float = shipped.C, class_weight: str | None = "balanced", weights: np.ndarray | None = None,
          l1: bool = False) -> Fitter:
    def fit(a: sp.csr_matrix, y: np.ndarray, b: sp.csr_matrix, keep: np.ndarray, k: int) -> np.ndarray:
        w = None if weights is None else weights[keep]
        return np.asarray(lr(c, class_weight, l1).fit(a, y, sample_weight=w).predict_proba(b)[:, 1])
    return fit


def sqrt_balanced(a: sp.csr_matrix, y: np.ndarray, b: sp.csr_matrix, keep: np.ndarray, k: int) -> np.ndarray:
    ratio = float(np.sqrt((y == 0).sum() / max(1, int(y.sum()))))
    return np.asarray(lr(class_weight={0: 1.0, 1: ratio}).fit(a, y).predict_proba(b)[:, 1])


def calibrated_svc(a: sp.csr_matrix, y: np.ndarray, b: sp.csr_matrix, keep: np.ndarray, k: int) -> np.ndarray:
    # one SVM on the training folds, its Platt sigmoid fitted on inner document-grouped folds
    inner = list(GroupKFold(n_splits=4).split(a, groups=DOCS[keep]))
    svc = LinearSVC(C=0.5, class_weight="balanced", random_state=shipped.SEED, max_iter=20000)
    model = CalibratedClassifierCV(svc, method="sigmoid", cv=inner, ensemble=False)
    return np.asarray(model.fit(a, y).predict_proba(b)[:, 1])


def chi2_top(count: int) -> Fitter:
    def fit(a: sp.csr_matrix, y: np.ndarray, b: sp.csr_matrix, keep: np.ndarray, k: int) -> np.ndarray:
        chosen = np.argsort(-np.nan_to_num(chi2(a, y)[0]))[:count]
        return np.asarray(lr().fit(a[:, chosen], y).predict_proba(b[:, chosen])[:, 1])
    return fit


def document_weights(power: float) -> np.ndarray:
    """Each training sentence weighs 1 / (its document's sentences)^power, mean 1."""
    size = Counter(d for d, h in zip(DOCS, HEAD, strict=True) if not h)
    w = np.array([1.0 / size[d] ** power for d in DOCS])
    return np.asarray(w / w[~HEAD].mean())


@lru_cache(maxsize=1)
def inner_probabilities() -> list[np.ndarray]:
    """For each outer fold, the training sentences' probabilities from 4 inner document-grouped folds."""
    out = []
    for tr, _ in FOLDS:
        inner = [(tr[a], tr[b]) for a, b in GroupKFold(n_splits=4).split(tr, groups=DOCS[tr])]
        out.append(per_category(fold_features("word", inner), plain()))
    return out


def confident_negatives(weight: float) -> np.ndarray:
    """Negatives that inner CV on the training folds scores >= 0.9 (contradicting near-duplicates) weigh `weight`."""
    inner = inner_probabilities()
    p = np.zeros((N, K))
    for (a, b, keep, te), pin in zip(fold_features("word"), inner, strict=True):
        for k in range(K):
            w = np.where((Y[keep, k] == 0) & (pin[keep, k] >= 0.9), weight, 1.0)
            p[te, k] = lr().fit(a, Y[keep, k], sample_weight=w).predict_proba(b)[:, 1]
    p[HEAD] = 0.0
    return p


def with_lsa(components: int, scale: float) -> np.ndarray:
    """Word TF-IDF plus `scale` x its LSA projection (fitted on the training folds): still linear in the TF-IDF."""
    out = []
    for a, b, keep, te in fold_features("word"):
        v = TruncatedSVD(n_components=components, random_state=shipped.SEED).fit(a).components_.T
        out.append((sp.hstack([a, sp.csr_matrix(scale * (a @ v))]).tocsr(),
                    sp.hstack([b, sp.csr_matrix(scale * (b @ v))]).tocsr(), keep, te))
    return per_category(out, plain())


def word_stem_union() -> np.ndarray:
    """The word and the stemmed TF-IDF side by side (each l2-normalised, the pair scaled back to norm 1)."""
    out = [(sp.hstack([a, c]).tocsr() / np.sqrt(2), sp.hstack([b, d]).tocsr() / np.sqrt(2), keep, te)
           for (a, b, keep, te), (c, d, _, _) in zip(fold_features("word"), fold_features("stem"), strict=True)]
    return per_category(out, plain())


def with_position(scale: float) -> np.ndarray:
    """+ the sentence's relative place in its document, one-hot in tenths, times `scale`."""
    place = np.zeros(N)
    for d in set(DOCS):
        rows = np.where(DOCS == d)[0]
        place[rows] = np.arange(len(rows)) / max(1, len(rows) - 1)
    tenth = sp.csr_matrix((np.full(N, scale), (np.arange(N), np.minimum((place * 10).astype(int), 9))), shape=(N, 10))
    out = [(sp.hstack([a, tenth[keep]]).tocsr(), sp.hstack([b, tenth[te]]).tocsr(), keep, te)
           for a, b, keep, te in fold_features("word")]
    return per_category(out, plain())


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-4, 1 - 1e-4)
    return np.asarray(np.log(q / (1 - q)))


def stacked(neighbours: bool, document: bool, class_weight: str | None) -> np.ndarray:
    """A second LR per category over the first stage's 9 logits (+ the previous and next
    sentence's, + the document's maximum), trained on inner out-of-fold first-stage output."""
    previous = np.array([i - 1 if i and DOCS[i - 1] == DOCS[i] else -1 for i in range(N)])
    following = np.array([i + 1 if i + 1 < N and DOCS[i + 1] == DOCS[i] else -1 for i in range(N)])

    def second(p: np.ndarray, rows: np.ndarray) -> np.ndarray:
        z = _logit(p)
        parts = [z[rows]]
        if neighbours:
            for other in (previous[rows], following[rows]):
                parts.append(np.where(other[:, None] >= 0, z[np.maximum(other, 0)], _logit(np.zeros((1, K)))))
        if document:
            top = np.zeros((len(rows), K))
            for d in set(DOCS[rows]):
                here = DOCS[rows] == d
                top[here] = z[rows][here].max(axis=0)
            parts.append(top)
        return np.hstack(parts)

    first = per_category(fold_features("word"), plain())
    p = np.zeros((N, K))
    for (tr, te), pin in zip(FOLDS, inner_probabilities(), strict=True):
        keep = np.array([i for i in tr if not HEAD[i]])
        a, b = second(pin, keep), second(first, te)
        for k in range(K):
            p[te, k] = LogisticRegression(class_weight=class_weight, max_iter=5000).fit(a, Y[keep, k]).predict_proba(b)[:, 1]
    p[HEAD] = 0.0
    return p


_done: dict[str, np.ndarray] = {}


def run(name: str) -> np.ndarray:
    """A variant's out-of-fold probabilities, computed once per process."""
    if name not in _done:
        _done[name] = VARIANTS[name][1]()
    return _done[name]


def average(*variants: str) -> Callable[[], np.ndarray]:
    return lambda: np.mean([run(v) for v in variants], axis=0)


VARIANTS: dict[str, tuple[str, Callable[[], np.ndarray]]] = {
    "shipped": ("word 1-2-grams, LR C=16 balanced (the shipped model)", lambda: per_category(fold_features("word"), plain())),
    "stem": ("Snowball-stemmed 1-2-grams", lambda: per_category(fold_features("stem"), plain())),
    "stem-unigrams": ("stemmed unigrams + word bigrams", lambda: per_category(fold_features("stem-unigrams"), plain())),
    "stem-bigrams": ("word unigrams + stemmed bigrams", lambda: per_category(fold_features("stem-bigrams"), plain())),
    "word+stem": ("average of the word and the stemmed model", average("shipped", "stem")),
    "word|stem": ("word and stemmed features side by side", word_stem_union),
    "no-stop-words": ("English stop words removed", lambda: per_category(fold_features("no-stop-words"), plain())),
    "no-stop-unigrams": ("stop words removed from unigrams only", lambda: per_category(fold_features("no-stop-unigrams"), plain())),
    "skip-bigrams": ("+ 1-skip bigrams", lambda: per_category(fold_features("skip-bigrams"), plain())),
    "docw": ("documents weigh equally (sample weight 1/size)", lambda: per_category(fold_features("word"), plain(weights=document_weights(1.0)))),
    "docw-sqrt": ("sample weight 1/sqrt(document size)", lambda: per_category(fold_features("word"), plain(weights=document_weights(0.5)))),
    "sqrt-balanced": ("positive class weight sqrt(neg/pos)", lambda: per_category(fold_features("word"), sqrt_balanced)),
    "l1": ("L1-penalised LR", lambda: per_category(fold_features("word"), plain(l1=True))),
    "C-average": ("average of LR C 4 / 16 / 64", lambda: np.mean([per_category(fold_features("word"), plain(c)) for c in (4.0, 16.0, 64.0)], axis=0)),
    "svc": ("LinearSVC C=0.5, Platt-calibrated on inner folds", lambda: per_category(fold_features("word"), calibrated_svc)),
    "lr+svc": ("average of LR and the calibrated SVC", average("shipped", "svc")),
    "lsa100": ("+ LSA 100 dimensions", lambda: with_lsa(100, 1.0)),
    "lsa100x3": ("+ LSA 100 dimensions x 3", lambda: with_lsa(100, 3.0)),
    "lsa300": ("+ LSA 300 dimensions", lambda: with_lsa(300, 1.0)),
    "lsa300x3": ("+ LSA 300 dimensions x 3", lambda: with_lsa(300, 3.0)),
    "stack": ("stacked LR over the 9 first-stage logits", lambda: stacked(False, False, None)),
    "stack-neighbours": ("stacked, + previous/next sentence logits", lambda: stacked(True, False, None)),
    "stack-document": ("stacked, + neighbours + document maximum", lambda: stacked(True, True, None)),
    "stack-document-only": ("stacked, + document maximum (no neighbours)", lambda: stacked(False, True, None)),
    "stack-balanced": ("stacked over the 9 logits, balanced", lambda: stacked(False, False, "balanced")),
    "idf-unlabelled": ("idf fitted with ../shared/corpus/terms too", lambda: per_category(fold_features("word", idf_extra=unlabelled_sentences()), plain())),
    "pu-0.3": ("confident negatives weigh 0.3", lambda: confident_negatives(0.3)),
    "pu-0": ("confident negatives left out", lambda: confident_negatives(0.0)),
    "chi2-1000": ("chi2 top 1,000 features per category", lambda: per_category(fold_features("word"), chi2_top(1000))),
    "chi2-3000": ("chi2 top 3,000", lambda: per_category(fold_features("word"), chi2_top(3000))),
    "chi2-10000": ("chi2 top 10,000", lambda: per_category(fold_features("word"), chi2_top(10000))),
    "position": ("+ relative position in the document (tenths) x 0.3", lambda: with_position(0.3)),
    "position-x1": ("+ relative position x 1", lambda: with_position(1.0)),
    "avg-docw": ("average of shipped and docw", average("shipped", "docw")),
    "avg-stem-bigrams": ("average of shipped and stem-bigrams", average("shipped", "stem-bigrams")),
    "avg-skip": ("average of shipped and skip-bigrams", average("shipped", "skip-bigrams")),
    "avg-four": ("average of shipped, skip-bigrams, stem, docw", average("shipped", "skip-bigrams", "stem", "docw")),
    "avg-svc-stem": ("average of shipped, svc, stem", average("shipped", "svc", "stem")),
}


def row(name: str, p: np.ndarray) -> str:
    f = precision_recall_fscore_support(Y, p >= shipped.THRESHOLD, average=None, zero_division=0)[2]
    cells = " | ".join(f"{100 * v:.1f}" for v in f)
    return f"| {name} | {VARIANTS[name][0]} | **{100 * f[EIGHT].mean():.1f}** | {cells} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="variants to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the variants")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(f"{name}: {text}" for name, (text, _) in VARIANTS.items()))
        return 0
    unknown = [n for n in args.names if n not in VARIANTS]
    if unknown:
        parser.error(f"no variant {', '.join(unknown)} (see --list)")
    warnings.filterwarnings("ignore")  # liblinear's convergence notes on the SVM
    print("| variant | what | macro-8 | " + " | ".join(shipped.CATEGORIES) + " |")
    print("|---|---|---:|" + "---:|" * K)
    for name in args.names or VARIANTS:
        print(row(name, run(name)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
