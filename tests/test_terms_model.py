"""The trained clause classifier: pure-Python inference equals scikit-learn's, and its
hits reach the terms diff as evidence with what found them."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from trustguard.api import check, diff
from trustguard.diff.terms_classify import load_library
from trustguard.diff.terms_model import (
    MAPPING_FILE,
    load_evidence,
    load_model,
    mapping_path,
    parse_mapping,
)
from trustguard.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
FIXTURE = json.loads((REPO / "tests" / "data" / "terms_model_fixture.json").read_text(encoding="utf-8"))

BASE = """# Terms of Service

## 1. Using the service

You may use the service to store notes for your own team.

## 2. Disputes

Any dispute will be heard by the courts where you live.
"""


def _terms(text: str, name: str) -> dict[str, str]:
    return {"text": text, "name": name}


def _with(sentence: str) -> str:
    return BASE.replace("for your own team.", f"for your own team. {sentence}")


def test_pure_python_probabilities_equal_scikit_learns() -> None:
    """The fixture is scikit-learn's predict path on the shipped weights (bench/train_terms_model.py)."""
    model = load_model()
    assert len(FIXTURE["sentences"]) == 200
    worst = 0.0
    for item in FIXTURE["sentences"]:
        got = model.probabilities(item["text"])
        assert len(got) == len(item["probabilities"])
        worst = max(worst, *(abs(a - b) for a, b in zip(got, item["probabilities"], strict=True)))
    assert worst < 1e-5


def test_the_fixture_covers_every_category_above_and_below_its_threshold() -> None:
    model = load_model()
    for k, label in enumerate(model.labels):
        values = [item["probabilities"][k] for item in FIXTURE["sentences"]]
        assert any(v >= model.thresholds[k] for v in values), label
        assert any(v < model.thresholds[k] for v in values), label


def test_tokenisation_is_scikit_learns_word_analyzer() -> None:
    """Lower-cased tokens of two or more word characters, unigrams and bigrams, sublinear tf."""
    model = load_model()
    vector = model.features("We MAY terminate; we may terminate. a")
    names = {term: term for term in vector}
    assert set(names.values()) <= {"we", "may", "terminate", "we may", "may terminate", "terminate we"}
    assert {"we", "may", "terminate", "we may", "may terminate"} <= set(names.values())
    assert abs(sum(v * v for v in vector.values()) - 1.0) < 1e-9
    assert model.features("") == {} and model.probabilities("") == model.probabilities("!!")


@pytest.mark.parametrize(("sentence", "label"), [
    ("Any dispute arising out of these terms shall be resolved by final and binding arbitration.", "a"),
    ("These terms are governed by the laws of the State of California.", "law"),
    ("In no event shall we be liable for any indirect, incidental or consequential damages.", "ltd"),
])
def test_the_model_flags_clear_clauses(sentence: str, label: str) -> None:
    assert label in {h.label for h in load_model().predict(sentence)}


@pytest.mark.parametrize("sentence", [
    "You can find the settings page in the top right corner of the app.",
    "Our offices are open from nine to five on weekdays.",
    "Thank you for choosing our notes application.",
])
def test_the_model_leaves_plain_sentences_alone(sentence: str) -> None:
    assert load_model().predict(sentence) == ()


@pytest.mark.parametrize("heading", ["C. Binding Arbitration", "Dispute Resolution by Binding Arbitration",
                                     "19.1 Binding arbitration; small claims."])
def test_a_heading_is_not_a_clause(heading: str) -> None:
    """Five words or fewer: the model was not trained on such lines and flags none."""
    model = load_model()
    assert model.predict(heading) == ()
    # the same words in a clause are flagged
    assert "a" in {h.label for h in model.predict(
        f"All disputes shall be resolved exclusively by binding arbitration, see {heading}.")}


def test_numbers_do_not_change_the_model_reading() -> None:
    """Digits are folded away: the patterns measure numbers, the model reads the words."""
    model = load_model()
    a = "We may change these terms at any time by giving you 30 days notice by email."
    b = a.replace("30", "7")
    assert model.probabilities(a) == model.probabilities(b)
    assert model.features(a) == model.features(b) and not any(t[0].isdigit() for t in model.features(a))


def test_the_shipped_mapping_names_real_signals() -> None:
    library = load_library()
    mapping = load_evidence(library).mapping
    assert set(mapping) == {"a", "ch", "cr", "j", "law", "ltd", "ter", "use"}  # pinc has no trustguard signal
    assert all(m.signal in library.signals for m in mapping.values())
    assert Path(mapping_path()).name == MAPPING_FILE


@pytest.mark.parametrize(("data", "place"), [
    ([], "/"),
    ({"labels": {"zz": {"signal": "arbitration"}}}, "/labels/zz"),
    ({"labels": {"a": {"title": "no signal"}}}, "/labels/a"),
    ({"labels": {"a": {"signal": "arbitration", "min_probability": 2}}}, "/labels/a/min_probability"),
])
def test_a_bad_mapping_is_a_config_error_with_its_place(data: object, place: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_mapping(data, "claudette.yaml", load_model().labels)
    assert caught.value.place == place


def test_a_model_only_sentence_becomes_a_signal_that_says_the_model_found_it() -> None:
    # no pattern of the termination category reads this; the model does
    sentence = MODEL_ONLY["ter"]
    library = load_library()
    assert not any(library.signals[h.signal].category == "termination" for h in library.classify(sentence))
    changes = diff(_terms(BASE, "old.md"), _terms(_with(sentence), "new.md"), kind="terms")
    added = [c for c in changes if c.kind == "terms.signal.added"]
    assert [c.facts["signal"] for c in added] == ["termination-at-discretion"]
    facts = added[0].facts
    assert facts["found_by"] == "model"
    assert facts["probability"] >= load_model().thresholds[load_model().labels.index("ter")]
    assert facts["sentence"] == sentence and "clause model (probability" in facts["found_by_text"]


def test_a_pattern_hit_says_a_pattern_found_it_and_the_model_adds_nothing_beside_it() -> None:
    sentence = "We may suspend or terminate your account at any time, at our sole discretion, for any reason."
    changes = diff(_terms(BASE, "old.md"), _terms(_with(sentence), "new.md"), kind="terms")
    added = [c for c in changes if c.kind == "terms.signal.added"]
    # the model also scores it as a change clause; beside a pattern hit it adds nothing
    assert "ch" in {h.label for h in load_model().predict(sentence)}
    assert added and all(c.facts["found_by"] == "pattern" and c.facts["probability"] is None for c in added)
    assert {c.facts["category"] for c in added} == {"termination"}


def test_the_same_model_only_sentence_moved_or_reflowed_is_no_signal() -> None:
    sentence = MODEL_ONLY["ter"]
    old = _with(sentence)
    new = old.replace(f"team. {sentence}", f"team.\n{sentence}")
    report = check(_terms(old, "old.md"), _terms(new, "new.md"), kind="terms")
    assert not [f for f in report.findings if f.severity.value != "info"]


def test_trustguard_never_imports_scikit_learn_or_numpy() -> None:
    code = (
        "import sys\n"
        "from trustguard.api import check\n"
        "check({'text': '# T\\n\\nWe may end your account at any time.', 'name': 'a.md'},"
        " {'text': '# T\\n\\nWe may end your account at any time without notice.', 'name': 'b.md'}, kind='terms')\n"
        "print(sorted(m for m in ('sklearn', 'numpy', 'scipy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_model_ships_with_its_licence_attribution() -> None:
    folder = resources.files("trustguard") / "_models"
    notice = (folder / "terms_clauses.LICENSE").read_text(encoding="utf-8")
    assert "CC BY 4.0" in notice and "doi:10.1007/s10506-024-09398-7" in notice
    docs = (REPO / "docs" / "terms.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in docs and "10.1007/s10506-024-09398-7" in docs
    assert (folder / "terms_clauses.json.gz").is_file()
    assert (folder / "terms_clauses.json.gz").stat().st_size < 3_000_000


# written here: no termination pattern reads it, the model does (tested above)
MODEL_ONLY = {"ter": "We may stop providing the service to you, or restrict your access to it, whenever we choose."}
