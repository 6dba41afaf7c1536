"""Loading terms texts: the section / clause / sentence tree, positions, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustguard.errors import InputError
from trustguard.load import load_document
from trustguard.load.terms import TermsText, load_terms, split_sentences
from trustguard.model import DocumentKind

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "terms"
DATA = REPO / "tests" / "data" / "terms"


def test_markdown_tree_keeps_sections_numbers_titles_and_lines() -> None:
    doc = load_terms(EXAMPLES / "old.md")
    assert doc.kind is DocumentKind.TERMS
    tree = doc.data
    assert isinstance(tree, TermsText)
    titles = [(s.number, s.title) for s in tree.sections]
    assert ("1", "Your Account") in titles
    assert ("5", "Disputes") in titles
    account = next(s for s in tree.sections if s.title == "Your Account")
    termination = account.paragraphs[1]
    assert termination.title == "Termination by us"
    assert termination.number == "1.2"
    assert termination.line == 12
    # the second sentence of a re-flowed paragraph points at the line it starts on
    assert [s.line for s in termination.sentences] == [12, 12, 13]  # lead-in title, then two sentences
    assert tree.effective_date == "March 1, 2024"


def test_pointer_locations_resolve_to_lines() -> None:
    doc = load_terms(EXAMPLES / "old.md")
    tree = doc.data
    index = next(i for i, s in enumerate(tree.sections) if s.title == "Disputes")
    position = doc.position(f"/sections/{index}/paragraphs/0")
    assert position is not None and position.line == tree.sections[index].paragraphs[0].line
    assert position.file.endswith("old.md")


def test_plain_text_with_numbered_headings() -> None:
    text = "ACME TERMS\n\n1. Fees\n\nYou pay $5 per month.\nFees are due monthly.\n\n2. Disputes\n\nOregon law applies.\n"
    doc = load_terms({"text": text, "name": "acme.txt"})
    sections = [(s.number, s.title, len(s.paragraphs)) for s in doc.data.sections]
    assert ("1", "Fees", 1) in sections
    assert ("2", "Disputes", 1) in sections


def test_html_is_reduced_to_text_with_source_lines() -> None:
    doc = load_terms(DATA / "terms.html")
    tree = doc.data
    fees = next(s for s in tree.sections if s.title == "Fees")
    assert fees.number == "1"
    assert fees.line == 6
    paragraph = fees.paragraphs[0]
    assert paragraph.text == "The Basic plan costs $5 per month. You can cancel your subscription at any time."
    assert paragraph.line == 7
    assert [s.line for s in paragraph.sentences] == [7, 8]
    words = " ".join(p.text for s in tree.sections for p in s.paragraphs)
    assert "sell your personal information" not in words  # script content is not terms text
    disputes = next(s for s in tree.sections if s.title == "Disputes")
    assert [p.text for p in disputes.paragraphs][1:] == [
        "Claims go to the courts of Oregon.", "You may bring claims in small claims court."]


def test_kind_is_detected_from_the_suffix() -> None:
    doc = load_document(str(EXAMPLES / "new.md"))
    assert doc.kind is DocumentKind.TERMS


def test_sentence_split_keeps_abbreviations() -> None:
    text = "Nimbus Labs Inc. is based in the U.S. and serves users worldwide (e.g. in Europe). You agree to pay."
    assert [s for _, s in split_sentences(text)] == [
        "Nimbus Labs Inc. is based in the U.S. and serves users worldwide (e.g. in Europe).",
        "You agree to pay.",
    ]


@pytest.mark.parametrize(
    ("raw", "message", "place"),
    [
        (b"", "empty", None),
        (b"   \n\n  ", "empty", None),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", None),
        ("Terms\n\nCaf\u00e9 fees apply.\n".encode("latin-1"), "not UTF-8", "3"),
        (b"---\n***\n", "no terms text", "1"),
    ],
)
def test_bad_input_names_the_file_and_place(tmp_path: Path, raw: bytes, message: str, place: str | None) -> None:
    path = tmp_path / "terms.md"
    path.write_bytes(raw)
    with pytest.raises(InputError) as info:
        load_terms(path)
    assert message in info.value.message
    assert info.value.file == str(path)
    if place is not None:
        assert (info.value.place or "").split(":")[0] == place


def test_dict_source_needs_text() -> None:
    with pytest.raises(InputError) as info:
        load_terms({"name": "x.md", "body": "hello"})
    assert info.value.place == "/text"
