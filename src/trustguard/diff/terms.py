"""Terms-of-service diff: clause-aware, with clause classification and measured numbers.

Changes reported (all carry ``old_text``, ``new_text``, ``redline``, ``section``):

- ``terms.clause.added`` / ``.removed`` / ``.modified`` / ``.moved``
- ``terms.section.added`` / ``.removed``
- ``terms.signal.added`` / ``.removed``: a classified signal (``arbitration``,
  ``licence-perpetual``...) appears in / disappears from clauses through sentences the
  other version does not have anywhere (so split, merged and moved text is not a signal);
  one change per signal and direction, listing its clauses (``grouped_clauses``): an
  arbitration agreement extended across ten clauses is one issue, not ten
- ``terms.measure.changed``: a number or value read from a classified sentence
  (notice days, liability cap, governing law) differs between versions
- ``terms.effective_date.changed``
- ``terms.text.obfuscated``: a clause of the revision holds more characters written to
  hide text from readers (entity-encoded letters, invisible characters, look-alike letters
  of another script) than its counterpart in the base; the text is classified and compared
  as a reader sees it either way (``load.terms_normalize``)

Formatting, re-flowed lines, renumbering, re-ordering and typo fixes give no change
except ``terms.clause.moved`` for re-ordered text. Diff reports facts; rules judge.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..load.document import Document
from ..load.terms import Paragraph, Section, Sentence, TermsText, comparison_key
from ..load.terms_normalize import TRICK_KINDS, normalize_text
from ..model import Change, SourcePosition
from .terms_align import Pair, align, is_trivial_edit, moved_pairs, redline
from .terms_classify import Hit, PatternLibrary, load_library
from .terms_model import Evidence, load_evidence

EXCERPT_CHARS = 240


@dataclass
class _Clause:
    section_index: int
    index: int
    section: Section
    paragraph: Paragraph
    hits: list[tuple[Sentence, tuple[Hit, ...]]] = field(default_factory=list)

    @property
    def location(self) -> str:
        return f"/sections/{self.section_index}/paragraphs/{self.index}"

    @property
    def signals(self) -> set[str]:
        return {h.signal for _, hits in self.hits for h in hits}

    def measures(self, library: PatternLibrary) -> dict[str, tuple[Any, str, Sentence]]:
        found: dict[str, tuple[Any, str, Sentence]] = {}
        for sentence, hits in self.hits:
            for hit in hits:
                signal = library.signals[hit.signal]
                if signal.measure and hit.value is not None and signal.measure not in found:
                    found[signal.measure] = (hit.value, hit.signal, sentence)
        return found


def _found_by(hit: Hit) -> dict[str, Any]:
    """What found a signal: the patterns, or the trained model and its probability."""
    if hit.found_by == "model":
        return {"found_by": "model", "probability": hit.probability,
                "found_by_text": f"the clause model (probability {hit.probability:.2f})"}
    return {"found_by": "pattern", "probability": None, "found_by_text": "a pattern"}


def section_label(section: Section) -> str:
    label = f"{section.number} {section.title}".strip() if section.number else section.title
    return label or "(preamble)"


def _subject(clause: _Clause) -> str:
    label = section_label(clause.section)
    title = clause.paragraph.title
    if title and comparison_key(title) != comparison_key(clause.section.title):
        number = f"{clause.paragraph.number} " if clause.paragraph.number else ""
        return f"{label} / {number}{title}" if label != "(preamble)" else f"{number}{title}"
    return label


_DATEISH = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|december|\d+)\b"
    r"|\(?previous version\)?"
)


def _title_key(title: str) -> str:
    """Headings that differ only by a date or number ('Last Updated: July 8, 2024') are one section."""
    return " ".join(_DATEISH.sub(" ", comparison_key(normalize_text(title).text)).split())


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _clauses(tree: TermsText, evidence: Evidence) -> list[_Clause]:
    out = []
    for i, j, section, paragraph in tree.paragraphs():
        clause = _Clause(i, j, section, paragraph)
        clause.hits = [(s, evidence.classify(s.plain)) for s in paragraph.sentences]
        out.append(clause)
    return out


def _tree(document: Document) -> TermsText:
    if not isinstance(document.data, TermsText):
        raise InputError("not a loaded terms document (use trustguard.load.terms.load_terms)", file=document.name)
    return document.data


def _extra_pattern_dirs(options: dict[str, Any]) -> tuple[str, ...]:
    config = options.get("config")
    terms = getattr(config, "terms", None) or {}
    extra = terms.get("patterns") if isinstance(terms, dict) else None
    if extra is None:
        return ()
    return (extra,) if isinstance(extra, str) else tuple(str(e) for e in extra)


class _Differ:
    def __init__(self, base: Document, revision: Document, library: PatternLibrary) -> None:
        self.base, self.revision, self.library = base, revision, library
        self.evidence = load_evidence(library)
        self.old = _clauses(_tree(base), self.evidence)
        self.new = _clauses(_tree(revision), self.evidence)
        self.old_sentences = {s.key for c in self.old for s in c.paragraph.sentences}
        self.new_sentences = {s.key for c in self.new for s in c.paragraph.sentences}
        self.old_signals = {sig for c in self.old for sig in c.signals}
        self.new_signals = {sig for c in self.new for sig in c.signals}
        self.changes: list[Change] = []

    # -- helpers ------------------------------------------------------------------------

    def _position(self, doc: Document, line: int | None) -> SourcePosition:
        return SourcePosition(file=doc.name, line=line)

    def _clause_facts(self, old: _Clause | None, new: _Clause | None) -> dict[str, Any]:
        old_text = old.paragraph.text if old else ""
        new_text = new.paragraph.text if new else ""
        if old and new:
            lines = redline(old_text, new_text)
        elif new:
            lines = [["+", new_text]]
        else:
            lines = [["-", old_text]]
        signals = sorted((old.signals if old else set()) | (new.signals if new else set()))
        facts: dict[str, Any] = {
            "section": section_label((new or old).section),  # type: ignore[union-attr]
            "clause": (new or old).paragraph.title,  # type: ignore[union-attr]
            "old_text": old_text,
            "new_text": new_text,
            "redline": lines,
            "signals": signals,
            "categories": self.library.categories_of(signals),
        }
        if old:
            facts["old_line"] = old.paragraph.line
            facts["old_section"] = section_label(old.section)
        if new:
            facts["new_line"] = new.paragraph.line
        return facts

    def _change(self, kind: str, old: _Clause | None, new: _Clause | None, *, line: int | None = None,
                old_line: int | None = None, **facts: Any) -> Change:
        anchor = new or old
        assert anchor is not None
        base_facts = self._clause_facts(old, new)
        base_facts.update(facts)
        return Change(
            kind=kind,
            location=anchor.location,
            subject=_subject(anchor),
            before=base_facts.get("before_value", base_facts["old_text"] or None),
            after=base_facts.get("after_value", base_facts["new_text"] or None),
            facts=base_facts,
            source=self._position(self.revision if new else self.base,
                                  line if line is not None else anchor.paragraph.line),
            base_source=self._position(self.base, old_line if old_line is not None else old.paragraph.line)
            if old else None,
        )

    # -- passes -------------------------------------------------------------------------

    def run(self) -> list[Change]:
        pairs = align([c.paragraph.key for c in self.old], [c.paragraph.key for c in self.new])
        moved = moved_pairs(pairs)
        added: list[_Clause] = []
        removed: list[_Clause] = []
        modified: list[tuple[_Clause, _Clause]] = []
        for pair in pairs:
            old = self.old[pair.old] if pair.old is not None else None
            new = self.new[pair.new] if pair.new is not None else None
            if old and new:
                if old.paragraph.key != new.paragraph.key and not is_trivial_edit(old.paragraph.key, new.paragraph.key):
                    modified.append((old, new))
            elif new:
                added.append(new)
            elif old:
                removed.append(old)
        for old, new in modified:
            self.changes.append(self._change("terms.clause.modified", old, new))
        for new in added:
            if self._restated(new.paragraph, self.old_sentences):
                continue
            self.changes.append(self._change("terms.clause.added", None, new))
        for old in removed:
            if self._restated(old.paragraph, self.new_sentences):
                continue
            self.changes.append(self._change("terms.clause.removed", old, None))
        self._moves(moved)
        self._sections(added, removed)
        self._signals(added, removed, modified)
        self._group_signals()
        self._measures(modified)
        self._effective_date()
        self._obfuscation(pairs)
        return self.changes

    @staticmethod
    def _restated(paragraph: Paragraph, other: set[str]) -> bool:
        """Every sentence of the clause is elsewhere in the other version: split or merged text."""
        return bool(paragraph.sentences) and all(s.key in other for s in paragraph.sentences)

    def _moves(self, moved: set[tuple[int, int]]) -> None:
        runs: list[list[tuple[int, int]]] = []
        for o, n in sorted(moved, key=lambda p: p[1]):
            if runs and runs[-1][-1][1] == n - 1 and runs[-1][-1][0] == o - 1:
                runs[-1].append((o, n))
            else:
                runs.append([(o, n)])
        for run in runs:
            old, new = self.old[run[0][0]], self.new[run[0][1]]
            change = self._change(
                "terms.clause.moved", old, new,
                clauses=len(run),
                from_section=section_label(old.section),
                to_section=section_label(new.section),
            )
            change.facts["redline"] = [["=", new.paragraph.text]]
            self.changes.append(change)

    def _sections(self, added: list[_Clause], removed: list[_Clause]) -> None:
        for kind, clauses, other_tree, doc_clauses in (
            ("terms.section.added", added, _tree(self.base), self.new),
            ("terms.section.removed", removed, _tree(self.revision), self.old),
        ):
            other_titles = {_title_key(s.title) for s in other_tree.sections}
            by_section: dict[int, list[_Clause]] = defaultdict(list)
            for clause in clauses:
                by_section[clause.section_index].append(clause)
            totals: dict[int, int] = defaultdict(int)
            for clause in doc_clauses:
                totals[clause.section_index] += 1
            for index in sorted(by_section):
                members = by_section[index]
                section = members[0].section
                if not section.title or _title_key(section.title) in other_titles:
                    continue
                if len(members) * 2 < totals[index]:
                    continue
                signals = sorted({s for c in members for s in c.signals})
                first = members[0]
                text = "\n\n".join(c.paragraph.text for c in members)
                change = Change(
                    kind=kind,
                    location=f"/sections/{index}",
                    subject=section_label(section),
                    before=None if kind.endswith("added") else section_label(section),
                    after=section_label(section) if kind.endswith("added") else None,
                    facts={
                        "section": section_label(section),
                        "clauses": len(members),
                        "signals": signals,
                        "categories": self.library.categories_of(signals),
                        "old_text": "" if kind.endswith("added") else text,
                        "new_text": text if kind.endswith("added") else "",
                        "redline": [["+" if kind.endswith("added") else "-", text]],
                    },
                    source=self._position(self.revision if kind.endswith("added") else self.base, section.line),
                )
                del first
                self.changes.append(change)

    def _signals(self, added: list[_Clause], removed: list[_Clause],
                 modified: list[tuple[_Clause, _Clause]]) -> None:
        sides: list[tuple[_Clause | None, _Clause | None]] = [(None, c) for c in added]
        sides += [(c, None) for c in removed]
        sides += list(modified)
        for old, new in sides:
            before = sorted(old.signals) if old else []
            after = sorted(new.signals) if new else []
            appeared = self._fresh(new, self.old_sentences) if new else {}
            vanished = self._fresh(old, self.new_sentences) if old else {}
            appeared_titles = [self.library.signals[s].title for s in sorted(appeared)]
            vanished_titles = [self.library.signals[s].title for s in sorted(vanished)]
            for signal_id, (sentence, hit) in sorted(appeared.items()):
                signal = self.library.signals[signal_id]
                same = [self.library.signals[s].title for s in sorted(appeared)
                        if self.library.signals[s].category == signal.category
                        and self.library.signals[s].stance == signal.stance]
                self.changes.append(self._change(
                    "terms.signal.added", old, new, line=sentence.line,
                    signal=signal_id, signal_title=signal.title, category=signal.category,
                    stance=signal.stance, new_to_document=signal_id not in self.old_signals,
                    in_clause_before=signal_id in before, clause_status="modified" if old else "added",
                    sentence=sentence.text, excerpt=_excerpt(sentence.text), value=hit.value,
                    measure=signal.measure, clause_signals_before=before, clause_signals_after=after,
                    signals_added=appeared_titles, related_added=same, **_found_by(hit),
                ))
            for signal_id, (sentence, hit) in sorted(vanished.items()):
                signal = self.library.signals[signal_id]
                change = self._change(
                    "terms.signal.removed", old, new, old_line=sentence.line,
                    signal=signal_id, signal_title=signal.title, category=signal.category,
                    stance=signal.stance, gone_from_document=signal_id not in self.new_signals,
                    in_clause_after=signal_id in after, clause_status="modified" if new else "removed",
                    sentence=sentence.text, excerpt=_excerpt(sentence.text), value=hit.value,
                    measure=signal.measure, clause_signals_before=before, clause_signals_after=after,
                    signals_removed=vanished_titles, **_found_by(hit),
                )
                self.changes.append(change)

    def _group_signals(self) -> None:
        """One change per signal and direction. The first clause in reading order anchors
        it (its subject, sentence and line); the texts and redlines are every clause's, in
        order, so the finding shows all it rests on."""
        groups: dict[tuple[str, str, bool], list[Change]] = defaultdict(list)
        rest: list[Change] = []
        for change in self.changes:
            if change.kind == "terms.signal.added":
                groups[(change.kind, change.facts["signal"], change.facts["new_to_document"])].append(change)
            elif change.kind == "terms.signal.removed":
                groups[(change.kind, change.facts["signal"], change.facts["gone_from_document"])].append(change)
            else:
                rest.append(change)
        for members in groups.values():
            members.sort(key=lambda c: (c.source.line if c.source and c.source.line else 0, c.location))
            rest.append(_merged(members))
        self.changes = rest

    @staticmethod
    def _fresh(clause: _Clause, other: set[str]) -> dict[str, tuple[Sentence, Hit]]:
        """Signals carried by sentences the other version has nowhere."""
        found: dict[str, tuple[Sentence, Hit]] = {}
        for sentence, hits in clause.hits:
            if sentence.key in other:
                continue
            for hit in hits:
                found.setdefault(hit.signal, (sentence, hit))
        return found

    def _measures(self, modified: list[tuple[_Clause, _Clause]]) -> None:
        reported: set[str] = set()
        for old, new in modified:
            before = old.measures(self.library)
            after = new.measures(self.library)
            for name in sorted(set(before) & set(after)):
                (b, _, b_sentence), (a, signal_id, a_sentence) = before[name], after[name]
                if b == a:
                    continue
                reported.add(name)
                self.changes.append(self._measure_change(name, b, a, signal_id, old, new, a_sentence, b_sentence))
        # a measure that moved to a rewritten clause: compare when each version states it once
        old_values = self._document_measures(self.old)
        new_values = self._document_measures(self.new)
        for name in sorted(set(old_values) & set(new_values)):
            if name in reported:
                continue
            olds, news = old_values[name], new_values[name]
            if len({v for v, *_ in olds}) != 1 or len({v for v, *_ in news}) != 1:
                continue
            (b, _, old, b_sentence), (a, signal_id, new, a_sentence) = olds[0], news[0]
            if b != a:
                self.changes.append(self._measure_change(name, b, a, signal_id, old, new, a_sentence, b_sentence))

    def _document_measures(self, clauses: list[_Clause]) -> dict[str, list[tuple[Any, str, _Clause, Sentence]]]:
        out: dict[str, list[tuple[Any, str, _Clause, Sentence]]] = defaultdict(list)
        for clause in clauses:
            for name, (value, signal_id, sentence) in clause.measures(self.library).items():
                out[name].append((value, signal_id, clause, sentence))
        return out

    def _measure_change(self, name: str, before: Any, after: Any, signal_id: str, old: _Clause,
                        new: _Clause, sentence: Sentence, old_sentence: Sentence) -> Change:
        signal = self.library.signals[signal_id]
        facts: dict[str, Any] = {
            "measure": name, "unit": signal.unit, "signal": signal_id, "signal_title": signal.title,
            "category": signal.category, "stance": signal.stance,
            "sentence": sentence.text, "excerpt": _excerpt(sentence.text),
            "old_sentence": old_sentence.text,
        }
        if isinstance(before, (int, float)) and isinstance(after, (int, float)):
            facts["direction"] = "increased" if after > before else "decreased"
            facts["delta"] = round(after - before, 2)
            if before:
                facts["percent"] = round((after - before) / before * 100, 1)
        else:
            facts["direction"] = "changed"
        change = self._change("terms.measure.changed", old, new, line=sentence.line,
                              old_line=old_sentence.line, **facts)
        change.before, change.after = before, after
        change.facts["before_value"], change.facts["after_value"] = before, after
        change.subject = f"{_subject(new)} [{name}]"
        return change

    def _obfuscation(self, pairs: list[Pair]) -> None:
        """A revision clause with more hiding characters than the base clause it pairs with."""
        for pair in pairs:
            if pair.new is None:
                continue
            new = self.new[pair.new]
            after = new.paragraph.obfuscation
            if not after:
                continue
            old = self.old[pair.old] if pair.old is not None else None
            before = old.paragraph.obfuscation if old else {}
            if sum(after.values()) <= sum(before.values()):
                continue
            # the signals a reader sees that the text as written would not have shown
            # patterns on both sides: the model reads part of a disguised sentence (its
            # plain words), which would make a signal hidden in one sentence look shown
            read = {h.signal for s in new.paragraph.sentences for h in self.library.classify(s.plain)}
            written = {h.signal for s in new.paragraph.sentences for h in self.library.classify(s.text)}
            hidden = sorted(read - written)
            words = new.paragraph.obfuscated_words[:5]
            self.changes.append(self._change(
                "terms.text.obfuscated", old, new, line=new.paragraph.obfuscation_line,
                tricks=sorted(after), counts=dict(after), count=sum(after.values()),
                count_before=sum(before.values()), counts_before=dict(before),
                tricks_text="; ".join(f"{TRICK_KINDS[k]}: {after[k]}" for k in sorted(after)),
                words=words, words_text=", ".join(f'"{w}"' for w in words),
                hidden_signals=hidden,
                hidden_signal_titles=[self.library.signals[s].title for s in hidden],
                hidden_text=("; the text as written hides: " + ", ".join(
                    self.library.signals[s].title for s in hidden)) if hidden else "",
            ))

    def _effective_date(self) -> None:
        before = _tree(self.base).effective_date
        after = _tree(self.revision).effective_date
        if before and after and before != after:
            self.changes.append(Change(
                kind="terms.effective_date.changed",
                location="/effective_date",
                subject="effective date",
                before=before,
                after=after,
                facts={"old_text": before, "new_text": after, "redline": [["-", before], ["+", after]]},
                source=SourcePosition(file=self.revision.name, line=_tree(self.revision).effective_line),
                base_source=SourcePosition(file=self.base.name, line=_tree(self.base).effective_line),
            ))


def _merged(members: list[Change]) -> Change:
    """The signal changes of one signal and direction as one change listing its clauses."""
    anchor = members[0]
    facts = dict(anchor.facts)
    facts["grouped_clauses"] = [{
        "subject": c.subject, "location": c.location, "line": c.source.line if c.source else None,
        "sentence": c.facts["sentence"], "excerpt": c.facts["excerpt"], "found_by": c.facts["found_by"],
        "probability": c.facts["probability"], "redline": c.facts["redline"],
    } for c in members]
    facts["clause_count"] = len(members)
    others = [c.subject or "" for c in members[1:]]
    shown = sorted(set(others), key=others.index)[:3]
    facts["more_clauses_text"] = "" if not others else (
        f" (and {len(others)} more clause{'s' if len(others) > 1 else ''}: {'; '.join(shown)}"
        f"{'…' if len(set(others)) > len(shown) else ''})")
    if len(members) > 1:
        facts["old_text"] = "\n\n".join(c.facts["old_text"] for c in members if c.facts["old_text"])
        facts["new_text"] = "\n\n".join(c.facts["new_text"] for c in members if c.facts["new_text"])
        lines: list[list[str]] = []
        for c in members:
            if lines:
                lines.append(["=", "\n\n"])
            lines.extend(c.facts["redline"])
        facts["redline"] = lines
    return Change(kind=anchor.kind, location=anchor.location, subject=anchor.subject,
                  before=facts["old_text"] or None, after=facts["new_text"] or None, facts=facts,
                  source=anchor.source, base_source=anchor.base_source)


def diff_terms(base: Document, revision: Document, **options: Any) -> list[Change]:
    """Every clause-level change between two terms texts, with classified signals and
    measured numbers as facts. Options: ``config`` (``terms: {patterns: DIR}`` adds
    pattern folders); unknown options are ignored."""
    from .sla_hooks import terms_sla_changes  # the service levels the clauses state, as numbers

    library = load_library(_extra_pattern_dirs(options))
    changes = _Differ(base, revision, library).run()
    changes.extend(terms_sla_changes(base, revision))
    return sorted(changes, key=Change.sort_key)
