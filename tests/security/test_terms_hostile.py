"""Terms text written by a hostile author (issue 23, points 3 and 4).

- A clause disguised with HTML entities, invisible characters or look-alike letters is
  still classified (the same findings as the plain clause, so the gate still fails) and the
  disguise itself is a finding (``terms-text-obfuscated``, major).
- Legitimate text in another script, or with accents, is neither folded nor flagged.
- Inputs that made the loader or the differ super-linear now scale near-linearly: each is
  timed at n and 4n (best of three) and the ratio must stay far below the quadratic 16.
- A seeded fuzz: invisible and look-alike characters inserted into the hostile example
  clauses of the pattern library never crash and never pass silently.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from trustguard.api import check
from trustguard.cli import cli
from trustguard.diff.terms import diff_terms
from trustguard.load.terms import load_terms
from trustguard.load.terms_normalize import _folds, normalize_text

ROOT = Path(__file__).resolve().parents[2]
PATTERNS = ROOT / "rules" / "terms" / "patterns"

BASE = """# Terms of Service

## 1. Your account

You need an account to use the service. Keep your password safe.

## 5. Disputes

These Terms are governed by the laws of the State of Delaware. Any dispute may be brought in
the courts of Delaware.
"""
CLAUSE = ("These Terms are governed by the laws of the State of Delaware. You and Nimbus agree that any "
          "dispute will be resolved exclusively by binding individual arbitration, and you waive any right "
          "to participate in a class action.")
HOSTILE_RULES = {"forced-arbitration-added", "class-action-waiver-added"}
OBFUSCATED = "terms-text-obfuscated"


def revision(clause: str) -> str:
    return BASE.split("## 5. Disputes")[0] + "## 5. Disputes\n\n" + clause + "\n"


def run(base: str, rev: str, name: str = "rev.md") -> tuple[int, set[str], Any]:
    report = check({"text": base, "name": "base.md"}, {"text": rev, "name": name}, kind="terms")
    return report.exit_code, {f.rule for f in report.findings}, report


def _replace_word(word: str, make: Callable[[str], str]) -> str:
    return CLAUSE.replace("arbitration", make("arbitration")).replace("class action", make("class") + " action")


TRICKS: dict[str, tuple[str, set[str]]] = {
    "decimal entity": (_replace_word("", lambda w: "&#" + str(ord(w[0])) + ";" + w[1:]), {"entity"}),
    "hex entity": (_replace_word("", lambda w: w[:2] + "&#x" + format(ord(w[2]), "x") + ";" + w[3:]), {"entity"}),
    "soft hyphen": (_replace_word("", lambda w: w[:3] + "\u00ad" + w[3:]), {"invisible"}),
    "soft hyphen entity": (_replace_word("", lambda w: w[:3] + "&shy;" + w[3:]), {"invisible"}),
    "zero-width space": (_replace_word("", lambda w: w[:2] + "\u200b" + w[2:]), {"invisible"}),
    "zero-width non-joiner": (_replace_word("", lambda w: w[:2] + "\u200c" + w[2:]), {"invisible"}),
    "zero-width joiner": (_replace_word("", lambda w: w[:2] + "\u200d" + w[2:]), {"invisible"}),
    "word joiner": (_replace_word("", lambda w: w[:4] + "\u2060" + w[4:]), {"invisible"}),
    "byte order mark": (_replace_word("", lambda w: w[:1] + "\ufeff" + w[1:]), {"invisible"}),
    "variation selector": (_replace_word("", lambda w: w[:1] + "\ufe0f" + w[1:]), {"invisible"}),
    "bidi override": (_replace_word("", lambda w: w[:2] + "\u202e\u202c" + w[2:]), {"invisible"}),
    "cyrillic a": (_replace_word("", lambda w: w.replace("a", "\u0430")), {"lookalike"}),
    "greek omicron": (_replace_word("", lambda w: w.replace("o", "\u03bf").replace("a", "\u03b1")), {"lookalike"}),
    "fullwidth": (_replace_word("", lambda w: "".join(chr(ord(c) + 0xFEE0) for c in w)), {"lookalike"}),
    "mathematical bold": (_replace_word("", lambda w: "".join(chr(0x1D41A + ord(c) - 97) for c in w)),
                          {"lookalike"}),
    "all cyrillic": (_replace_word("", lambda w: w.translate(str.maketrans("aceopsxi", "асеорѕхі"))), {"lookalike"}),
}


def test_the_plain_clause_fails_the_gate_without_an_obfuscation_finding() -> None:
    code, rules, _ = run(BASE, revision(CLAUSE))
    assert code == 1
    assert rules >= HOSTILE_RULES
    assert OBFUSCATED not in rules


@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_an_encoded_clause_is_detected_like_the_plain_one_and_the_disguise_reported(trick: str) -> None:
    clause, kinds = TRICKS[trick]
    assert clause != CLAUSE
    code, rules, report = run(BASE, revision(clause))
    assert code == 1
    assert rules >= HOSTILE_RULES, rules
    finding = next(f for f in report.findings if f.rule == OBFUSCATED)
    assert finding.severity.value == "major"
    assert set(finding.facts["tricks"]) == kinds
    assert finding.facts["count"] >= 2 and finding.facts["count_before"] == 0
    assert "arbitration" in finding.facts["words"]
    assert finding.subject == "5 Disputes"
    assert "5 Disputes" in finding.message and "hide from readers" in finding.message
    # the excerpt shows the clause as written, so the reviewer sees the same characters
    arbitration = next(f for f in report.findings if f.rule == "forced-arbitration-added")
    assert arbitration.facts["sentence"] in clause and "arbitration" not in arbitration.facts["sentence"]


def test_an_encoded_clause_in_html_is_detected_too() -> None:
    encoded = CLAUSE.replace("arbitration", "&#97;rbi&shy;tration").replace("class action", "cl&#x61;ss action")
    html = ("<html><body><h1>Terms of Service</h1><h2>5. Disputes</h2><p>" + encoded
            + "</p><p>Fish &amp; chips &eacute;t&eacute;.</p></body></html>")
    code, rules, report = run(BASE, html, name="rev.html")
    assert code == 1 and rules >= HOSTILE_RULES | {OBFUSCATED}
    finding = next(f for f in report.findings if f.rule == OBFUSCATED)
    assert set(finding.facts["tricks"]) == {"entity", "invisible"}
    # ordinary entities are not tricks, and still decoded by the HTML parser as before
    chips = next(p for s in report_tree(html, "rev.html").sections for p in s.paragraphs if "chips" in p.text)
    assert chips.text == "Fish & chips été." and chips.obfuscation == {}


def report_tree(text: str, name: str) -> Any:
    return load_terms({"text": text, "name": name}).data


def test_the_cli_exits_1_on_an_encoded_clause(tmp_path: Path) -> None:
    (tmp_path / "base.md").write_text(BASE, encoding="utf-8")
    (tmp_path / "rev.md").write_text(revision(TRICKS["cyrillic a"][0]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "base.md"), str(tmp_path / "rev.md")])
    assert result.exit_code == 1, result.output
    assert "terms-text-obfuscated" in result.output and "forced-arbitration-added" in result.output


def test_no_finding_when_the_base_had_the_same_disguise_and_one_when_it_grows() -> None:
    once = CLAUSE.replace("arbitration", "\u0430rbitration")
    code, rules, _ = run(revision(once), revision(once))
    assert (code, rules) == (0, set())
    more = once.replace("class action", "cl\u0430ss \u0430ction")
    _, rules, report = run(revision(once), revision(more))
    assert OBFUSCATED in rules
    finding = next(f for f in report.findings if f.rule == OBFUSCATED)
    assert (finding.facts["count_before"], finding.facts["count"]) == (1, 3)
    # and the base's disguise removed is no finding at all
    code, rules, _ = run(revision(more), revision(CLAUSE))
    assert OBFUSCATED not in rules


def test_an_unchanged_clause_rewritten_with_lookalikes_is_reported_though_it_reads_the_same() -> None:
    plain = revision(CLAUSE)
    disguised = revision(TRICKS["cyrillic a"][0])
    code, rules, report = run(plain, disguised)
    assert code == 1
    assert rules == {OBFUSCATED}  # the text a reader sees is the same: nothing else changed
    assert report.findings[0].facts["hidden_signals"] == ["arbitration", "class-action-waiver"]


LEGITIMATE = {
    "russian": "Любой спор между вами и компанией разрешается в суде по месту нахождения компании. "
               "Вы соглашаетесь с условиями использования сервиса.",
    "greek": "Οι παρόντες όροι διέπουν τη χρήση της υπηρεσίας. Για κάθε διαφορά αρμόδια είναι τα δικαστήρια "
             "της Αθήνας.",
    "japanese": "本規約は、当社のサービスの利用に適用されます。紛争は東京地方裁判所を専属的合意管轄裁判所とします。",
    "french": "Les présentes conditions générales s'appliquent à l'été comme à l'hiver ; tout litige relève des "
              "tribunaux de Paris, déjà compétents.",
    "german": "Diese Nutzungsbedingungen gelten für alle Verträge. Gerichtsstand ist München; für Verbraucher "
              "gilt die Datenschutzerklärung der Straße.",
    "persian": "این شرایط برای همه\u200cی کاربران اعمال می\u200cشود.",
    "english with a russian name": "Our office is at ул. Тверская 7, Москва, and the company is ООО «Облако».",
}


@pytest.mark.parametrize("language", sorted(LEGITIMATE))
def test_legitimate_text_in_another_script_or_with_accents_is_not_folded_nor_flagged(language: str) -> None:
    text = LEGITIMATE[language]
    plain = normalize_text(text)
    assert plain.counts == {}
    # Persian's zero-width non-joiners are spelling: not counted, only left out of the key
    assert plain.text == (text.replace("\u200c", "") if language == "persian" else text)
    code, rules, _ = run(BASE, BASE + "\n## 6. Other\n\n" + text + "\n")
    assert (code, rules) == (0, {"terms-section-added"})
    tree = report_tree(BASE + "\n## 6. Other\n\n" + text + "\n", "rev.md")
    clause = tree.sections[-1].paragraphs[0]
    assert clause.text == text and clause.key  # kept as written, with a key: compared like any clause
    assert [s.plain for s in clause.sentences] == [s.text.replace("\u200c", "") for s in clause.sentences]


def test_a_whole_document_in_russian_loads_and_diffs() -> None:
    old = "# Условия\n\nВы соглашаетесь с условиями.\n\nСпоры решаются в суде.\n"
    new = "# Условия\n\nВы соглашаетесь с условиями.\n\nСпоры решаются в арбитраже.\n"
    code, rules, _ = run(old, new)
    assert (code, rules) == (0, set())
    diff = diff_terms(load_terms({"text": old, "name": "a.md"}), load_terms({"text": new, "name": "b.md"}))
    assert [c.kind for c in diff] == ["terms.clause.modified"]


def test_folding_goes_one_way_only_inside_latin_words() -> None:
    # a Cyrillic letter in a Latin word is folded; a Latin letter in a Russian word is not
    assert normalize_text("\u0430rbitration").text == "arbitration"
    assert normalize_text("we may bring a с\u0430se").text == "we may bring a case"
    # a Latin letter in a Russian word (a slip of the keyboard) is not folded, nor counted
    russian = normalize_text("Это пробл\u0065ма для суда")
    assert (russian.text, russian.counts) == ("Это пробл\u0065ма для суда", {})
    # a word made only of look-alikes is folded in an English clause...
    assert normalize_text("within the ѕсоре of this section").text == "within the scope of this section"
    # ... never where real words of its script are: Russian "а", "ООО" stay Russian
    assert normalize_text("Мы рассмотрим всё, а суд решит").counts == {}
    assert normalize_text("the company ООО «Облако»").counts == {}


def test_an_ellipsis_and_ligatures_keep_the_sentences_as_they_were() -> None:
    text = "We may change fees\u2026 The ﬁnal price is shown."
    plain = normalize_text(text)
    assert plain.text == "We may change fees\u2026 The final price is shown." and plain.counts == {}


# -- hangs: near-linear scaling ---------------------------------------------------------------


def _best(build: Callable[[int], tuple[str, str]], n: int, name: str = "rev.md") -> float:
    base, rev = build(n)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        diff_terms(load_terms({"text": base, "name": "base.md"}), load_terms({"text": rev, "name": name}))
        best = min(best, time.perf_counter() - start)
    return best


def _sentences(n: int) -> tuple[str, str]:
    old = " ".join(f"Sentence number {i} says alpha beta gamma {i * 7}." for i in range(n))
    new = " ".join(f"Statement number {i} says delta epsilon zeta {i * 11}." for i in range(n))
    return BASE + "\n" + old + "\n", BASE + "\n" + new + "\n"


def _repeated_words(n: int) -> tuple[str, str]:
    # few distinct words, all repeated: SequenceMatcher's worst case
    old = " ".join("We may share data with partners." if i % 2 else "You may not share data." for i in range(n))
    new = " ".join("We may sell data to partners." if i % 3 else "You may share data." for i in range(n))
    return BASE + "\n" + old + "\n", BASE + "\n" + new + "\n"


HANGS: dict[str, tuple[Callable[[int], tuple[str, str]], int]] = {
    "heading line of spaces": (lambda n: (BASE, BASE + "\n## 2." + " " * n + "x\n\nMore text.\n"), 4000),
    "heading with closing hashes": (lambda n: (BASE, BASE + "\n# Title" + " #" * n + " x\n\nMore.\n"), 4000),
    "open brackets": (lambda n: (BASE, BASE + "\n" + "[" * n + "\n"), 20000),
    "open image brackets": (lambda n: (BASE, BASE + "\n" + "![" * n + "\n"), 10000),
    "unclosed links": (lambda n: (BASE, BASE + "\n" + "[a](" * n + "\n"), 5000),
    "autolink openers": (lambda n: (BASE, BASE + "\n" + "<http:" * n + "\n"), 5000),
    "anchor openers": (lambda n: (BASE, BASE + "\n" + "{#" * n + "\n"), 10000),
    "abbreviations in one sentence": (lambda n: (BASE, BASE + "\nWe e.g. " + "etc. A " * n + "\n"), 20000),
    "leading numbers": (lambda n: (BASE, BASE + "\n" + "1. " * n + "text.\n"), 3000),
    "bold lead-in and tabs": (lambda n: (BASE, BASE + "\n**a**" + "\t" * n + "x\n"), 20000),
    "many changed sentences": (_sentences, 150),
    "repeated words rewritten": (_repeated_words, 150),
    "many clauses": (lambda n: (BASE, BASE + "".join(f"\nClause {i} about alpha beta.\n" for i in range(n))), 300),
    # the notice days are read from the whole sentence, digits run included
    "a long run of digits in a measured sentence": (lambda n: (BASE, BASE + "\nWe will notify you by email at "
                                                       "least 30 days before any change to these Terms takes "
                                                       "effect, ref " + "1" * n + ".\n"), 20000),
    "one long word": (lambda n: (BASE, BASE + "\n" + "a" * n + ".\n"), 100000),
    "invisible characters": (lambda n: (BASE, BASE + "\narbi" + "\u200b" * n + "tration.\n"), 20000),
    "look-alike letters": (lambda n: (BASE, BASE + "\n" + "\u0430rbitr\u0430tion " * n + ".\n"), 3000),
}


@pytest.mark.parametrize("case", sorted(HANGS))
def test_hostile_input_scales_near_linearly(case: str) -> None:
    build, n = HANGS[case]
    _best(build, n)  # warm: pattern library, caches
    small, large = _best(build, n), _best(build, 4 * n)
    # linear is 4; quadratic 16. Time under 50 ms is too noisy to judge by ratio.
    assert large < 0.05 or large / max(small, 1e-3) < 9, (case, small, large)


def test_hostile_html_scales_near_linearly() -> None:
    def build(n: int) -> tuple[str, str]:
        return BASE, "<html><body><p>" + "<b>a</b> &#97; " * n + "</p></body></html>"

    _best(build, 2000, "rev.html")
    small, large = _best(build, 2000, "rev.html"), _best(build, 8000, "rev.html")
    assert large < 0.05 or large / max(small, 1e-3) < 9, (small, large)


# -- fuzz -------------------------------------------------------------------------------------

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066", "\ufe0f", "&shy;",
             "&#8203;", "&zwj;"]


def _hostile_examples() -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for path in sorted(PATTERNS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        hostile = {s["id"] for s in data["signals"] if s.get("stance") == "hostile"}
        for example in data.get("examples", {}).get("positive", []):
            if isinstance(example, dict) and set(example.get("signals") or ()) & hostile:
                out.append((example["text"], tuple(example["signals"])))
    return out


def _lookalikes() -> dict[str, list[str]]:
    """Latin letter -> the characters a reader takes for it: the confusables the normaliser
    folds, and the fullwidth and mathematical bold forms NFKC folds."""
    by_letter: dict[str, list[str]] = {}
    for char, letter in sorted(_folds().items()):
        by_letter.setdefault(letter, []).append(char)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        by_letter.setdefault(letter, []).extend([chr(ord(letter) + 0xFEE0), chr(0x1D41A + ord(letter) - 97)])
    return by_letter


def _mutate(text: str, rng: random.Random, lookalikes: dict[str, list[str]]) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 8)):
        index = rng.randrange(len(chars))
        trick = rng.random()
        if trick < 0.4:
            chars.insert(index, rng.choice(INVISIBLE))
        elif chars[index].isascii() and chars[index].isalpha():
            if trick < 0.8 and lookalikes.get(chars[index]):
                chars[index] = rng.choice(lookalikes[chars[index]])
            else:
                chars[index] = f"&#{ord(chars[index])};" if rng.random() < 0.5 else f"&#x{ord(chars[index]):x};"
    return "".join(chars)


def test_fuzz_disguised_hostile_clauses_never_crash_nor_pass_silently() -> None:
    rng = random.Random(23)
    examples = _hostile_examples()
    lookalikes = _lookalikes()
    assert len(examples) >= 30
    checked = 0
    for _ in range(160):
        text, signals = rng.choice(examples)
        disguised = _mutate(text, rng, lookalikes)
        base_doc = load_terms({"text": BASE, "name": "base.md"})
        rev_doc = load_terms({"text": revision(disguised), "name": "rev.md"})
        changes = diff_terms(base_doc, rev_doc)
        found = {c.facts.get("signal") for c in changes if c.kind == "terms.signal.added"}
        obfuscated = any(c.kind == "terms.text.obfuscated" for c in changes)
        # never a silent pass: the classifier reads what the reader reads, and a disguise
        # next to a Latin letter is reported as such
        assert set(signals) <= found, (text, disguised, found)
        assert obfuscated == bool(normalize_text(disguised).counts), disguised
        checked += obfuscated
    assert checked > 120


def test_bidi_reordered_text_is_reported_though_the_classifier_cannot_read_it() -> None:
    # shown right to left, "noitartibra" reads "arbitration": the disguise is the finding
    reordered = CLAUSE.replace("arbitration", "\u202enoitartibra\u202c")
    code, rules, _ = run(BASE, revision(reordered))
    assert code == 1 and OBFUSCATED in rules


def test_an_invisible_character_between_words_or_before_a_heading_word_hides_nothing() -> None:
    # a CMS leaves a zero-width joiner before a word (Vimeo 2024): removed, not reported
    stray = "\u200dArbitration Rules. The arbitration will be administered by ADR Services."
    assert normalize_text(stray).counts == {} and normalize_text(stray).text == stray[1:]
    _, rules, _ = run(revision(CLAUSE), revision(CLAUSE) + "\n" + stray + "\n")
    assert OBFUSCATED not in rules
    # the same character inside the word is reported
    inside = "Arbi\u200dtration Rules. The arbitration will be administered by ADR Services."
    _, rules, _ = run(revision(CLAUSE), revision(CLAUSE) + "\n" + inside + "\n")
    assert OBFUSCATED in rules


def test_a_zero_width_space_in_place_of_a_space_is_reported() -> None:
    joined = CLAUSE.replace("binding individual arbitration", "binding\u200bindividual\u200barbitration")
    _, rules, report = run(BASE, revision(joined))
    assert OBFUSCATED in rules
    finding = next(f for f in report.findings if f.rule == OBFUSCATED)
    assert finding.facts["counts"] == {"invisible": 2}
