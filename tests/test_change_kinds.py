"""The change-kind catalogue is the contract between diff and classify: the differs emit only
its kinds, and a rule pack may only name its kinds and their facts."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import corpus
import pytest

import trustguard
from trustguard.change_kinds import CHANGE_FIELDS, catalogue, facts_of
from trustguard.classify.rulepack import Rule, default_rules
from trustguard.errors import RulePackError

ROOT = Path(__file__).resolve().parents[1]


def _pairs(source: Path) -> list[tuple[Path, Path]]:
    """Spec pairs to run the differs on, both ways (a removal one way is an addition the other)."""
    pairs: list[tuple[Path, Path]] = []
    cases = source / "oasdiff" / "cases.jsonl"
    if cases.is_file():
        for line in cases.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            pairs.append((source / "oasdiff" / case["base"], source / "oasdiff" / case["revision"]))
    for folder in sorted((source / "pricing").glob("*/")):
        files = sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml"))
        pairs += list(itertools.pairwise(files))
    for folder in ("examples/api", "examples/pricing", "examples/terms", "examples/sla", "tests/data/core",
                   "tests/data/servers"):
        files = sorted(p for p in (ROOT / folder).iterdir() if p.is_file())
        pairs += list(itertools.combinations(files, 2))
    both = dict.fromkeys([*pairs, *((r, b) for b, r in pairs)])
    return list(both)


def test_every_kind_the_differs_emit_on_the_copied_cases_is_in_the_catalogue() -> None:
    # the real pieces copied into tests/data: this runs without the corpus too
    assert len(_emitted_kinds(corpus.DATA)) > 90


@pytest.mark.corpus
def test_every_kind_the_differs_emit_on_the_corpus_is_in_the_catalogue() -> None:
    assert len(_emitted_kinds(corpus.CORPUS)) > 150  # the run reached most of the differs


def _emitted_kinds(source: Path) -> dict[str, str]:
    """Every kind the differs emit on ``source``'s pairs (and the examples), each checked
    against the catalogue: its kind known, its facts listed."""
    known = catalogue()
    emitted: dict[str, str] = {}
    for base, revision in _pairs(source):
        try:
            changes = trustguard.diff(base, revision)
        except trustguard.TrustguardError:
            continue  # a pair of two document kinds (examples/terms holds a pricing too)
        for change in changes:
            emitted.setdefault(change.kind, f"{base.name} -> {revision.name}")
            kind = known.get(change.kind)
            assert kind is not None, f"{change.kind} (from {emitted[change.kind]}) is not in change_kinds.py"
            unknown = set(change.facts) - set(kind.facts)
            assert not unknown, f"{change.kind} carries facts the catalogue does not list: {sorted(unknown)}"
    return emitted


def test_kinds_are_spelled_whole_where_they_are_emitted() -> None:
    """A kind named in a differ's source is a catalogue kind (or the stem one is glued to)."""
    known = catalogue()
    for path in sorted((ROOT / "src" / "trustguard" / "diff").glob("*.py")):
        for text in re.findall(r'"((?:api|pricing|terms)\.[a-z0-9_.-]+)"', path.read_text(encoding="utf-8")):
            stem = text.rstrip(".")
            assert stem in known or any(k.startswith(stem + ".") for k in known), f"{path.name}: {text}"


def test_no_differ_but_the_schema_differ_glues_kinds_from_strings() -> None:
    """Kinds are written whole so that grepping for one finds where it is emitted. The schema
    differ still builds ``api.schema.<keyword>.<change>`` from its keyword tables (checked by
    the run over the corpus above)."""
    for path in sorted((ROOT / "src" / "trustguard" / "diff").glob("*.py")):
        if path.name == "schema.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r'f"(?:api|pricing|terms)\.|f"\{prefix\}\.', text), path.name


def test_each_kind_names_only_described_facts() -> None:
    for kind in catalogue().values():
        assert kind.direction in ("request", "response", "both", "none"), kind.id
        assert kind.meaning, kind.id
        described = facts_of(kind.document)
        assert not [f for f in kind.facts if f not in described], kind.id
        for direction, reason in kind.unjudged:
            assert direction in kind.directions and reason, kind.id


def _pack(tmp_path: Path, match: str) -> Path:
    pack = tmp_path / "mine.yaml"
    pack.write_text(
        "rules:\n- id: my-rule\n  principle: backward-compatibility\n  severity: major\n  title: My rule\n"
        "  rationale: Clients that send this break.\n  remediation: Do not do it.\n  example: {}\n"
        f"  match: {match}\n", encoding="utf-8")
    return pack


@pytest.mark.parametrize(("match", "said"), [
    ("{kind: api.schema.propery.added}", "unknown change kind 'api.schema.propery.added' "
                                        "(did you mean 'api.schema.property.added'?)"),
    ("{kind: api.schema.property.added, where: {requird: true}}", "fact 'requird' (did you mean 'required'?)"),
    ("{kind: api.schema.property.added, where: {any: [{target: request-body}, {red_only: true}]}}",
     "fact 'red_only' (did you mean 'read_only'?)"),
    ("{kind: 'api.schemas.*'}", "unknown change kind 'api.schemas.*'"),
])
def test_a_user_pack_naming_an_unknown_kind_or_fact_exits_2_with_a_did_you_mean(
    tmp_path: Path, match: str, said: str,
) -> None:
    pack = _pack(tmp_path, match)
    spec = ROOT / "examples" / "api" / "v1.yaml"
    result = subprocess.run([sys.executable, "-m", "trustguard", "check", str(spec), str(spec), "--rule-pack", str(pack)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert said in result.stderr and "my-rule" in result.stderr and "mine.yaml" in result.stderr
    with pytest.raises(RulePackError) as caught:
        trustguard.check(spec, spec, rule_packs=[str(pack)])
    assert caught.value.file == str(pack) and caught.value.place.startswith("/rules/0/match")


@pytest.mark.parametrize("match", [
    "{kind: 'api.schema.min-properties.*', where: {target: request-body, $deprecation_days_stable: {gt: 0}}}",
    "{kind: api.schema.property.added, where: {not: {required: false}, subject: x}}",
])
def test_a_pack_naming_known_kinds_and_facts_loads(tmp_path: Path, match: str) -> None:
    rules = trustguard.rules_for(None, [str(_pack(tmp_path, match))])
    assert [rule.pack for rule in rules if rule.id == "my-rule"] == [str(tmp_path / "mine.yaml")]
    assert set(CHANGE_FIELDS) >= {"subject", "before"}


def _admits(rule: Rule, direction: str) -> bool:
    """Whether a rule can match a change travelling in ``direction`` (none: any change)."""
    if direction == "none":
        return True
    target, way = rule.where.get("target"), rule.where.get("direction")
    if isinstance(target, str) and not target.startswith(direction + "-"):
        return False
    return not (isinstance(way, str) and way != direction)


def test_every_kind_is_judged_in_each_direction_or_says_why_not() -> None:
    rules = default_rules()
    missing = []
    for kind in catalogue().values():
        for direction in kind.directions:
            judged = any(rule.matches_kind(kind.id) and _admits(rule, direction) for rule in rules)
            reason = kind.unjudged_in(direction)
            if not judged and not reason:
                missing.append(f"{kind.id} ({direction})")
            # a reason for a direction a rule judges would be stale
            assert not (judged and reason), f"{kind.id} ({direction}) is judged, yet listed as unjudged"
    assert missing == [], "judge these in rules/ or give change_kinds.py an unjudged reason: " + ", ".join(missing)
