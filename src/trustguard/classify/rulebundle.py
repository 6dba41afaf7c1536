"""The shipped rule packs, compiled: their rules as JSON beside the code, each pack keyed
by the SHA-256 of its YAML, so a run reads one JSON file instead of parsing 44 YAML packs
(the YAML parse and expansion were ~50 ms of every command that judges anything).

The YAML in ``rules/`` stays the source of truth: ``python docs/generate.py`` writes
``rules.bundle.json`` from it (tests/test_rule_bundle.py fails when it is stale). A pack
whose bytes are not the ones compiled (an edited pack, a bundle not regenerated yet) is
read from its YAML as before, so a stale bundle costs time, never a wrong rule. Only the
shipped folder goes through here: a user's packs, a plug-in kind's and a trusted
config's (read from its revision) are parsed and validated in full (rulepack.py).

A rule of the bundle is built by filling its ``__dict__`` (``_from_json``) rather than by
the frozen dataclass's ``__init__``, which sets each field through ``object.__setattr__``:
~1 ms instead of ~4 ms for the 854 shipped rules, of the ~15 ms a run spends on them.
A rule whose fields are not exactly the dataclass's (a bundle of another layout) goes
through ``__init__``. Its principle and severity are looked up by value in a dict rather
than by calling the enums (``Severity("major")`` goes through ``EnumType.__call__``):
1,708 calls (one sitting, 15 fresh processes each, best/median: the policy stage
10.8/11.1 -> 10.2/10.4 ms).

Tried and left out: orjson reads the bundle ~1.9 ms faster than ``json.loads`` (it
would need the two infinite numbers of the packs written otherwise), but its parse
buffer, freed before the diff, raised the peak RSS of a Stripe SARIF run from ~94 MB to
~108 MB (glibc's malloc then keeps later large blocks on its heap).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..vocabulary import Principle, Severity
from .rulepack import Rule, pack_rules, shipped_packs

BUNDLE_FILE = Path(__file__).with_name("rules.bundle.json")
_FORMAT = 1  # bumped when the layout below changes: an older bundle is then not read
_TUPLES = ("kinds", "references")  # Rule fields that are tuples (JSON has lists)


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _as_json(rule: Rule) -> dict[str, Any]:
    data = {name: getattr(rule, name) for name in Rule.__dataclass_fields__ if name != "pack"}
    data["principle"], data["severity"] = rule.principle.value, rule.severity.value
    for name in _TUPLES:
        data[name] = list(data[name])
    return data


_FIELDS = tuple(name for name in Rule.__dataclass_fields__ if name != "pack")


# each member by its value: a dict lookup, where Principle(value) goes through EnumType.__call__
_PRINCIPLES = {member.value: member for member in Principle}
_SEVERITIES = {member.value: member for member in Severity}


def _from_json(data: dict[str, Any], pack: str) -> Rule:
    principle, severity = data.get("principle"), data.get("severity")
    principle = _PRINCIPLES.get(principle) if isinstance(principle, str) else None
    severity = _SEVERITIES.get(severity) if isinstance(severity, str) else None
    if tuple(data) != _FIELDS or principle is None or severity is None:
        values = dict(data)
        values["principle"], values["severity"] = Principle(values["principle"]), Severity(values["severity"])
        for name in _TUPLES:
            if name in values:
                values[name] = tuple(values[name])
        return Rule(**values, pack=pack)
    rule = object.__new__(Rule)  # the fields as __init__ would set them (the module docstring says why)
    values = rule.__dict__
    values.update(data)
    values["principle"], values["severity"] = principle, severity
    for name in _TUPLES:
        values[name] = tuple(values[name])
    values["pack"] = pack
    return rule


def bundle_text(folder: Path) -> str:
    """The bundle of the rules folder ``folder``, each pack validated in full as a user's
    is (a bundle is never made from a pack the validation refuses): deterministic JSON."""
    packs: dict[str, Any] = {}
    for relative, path in shipped_packs(folder):
        raw = path.read_bytes()
        rules = pack_rules(raw, str(path))
        packs[relative] = {"sha256": digest(raw), "rules": [_as_json(rule) for rule in rules]}
    data = {"format": _FORMAT, "packs": packs}
    # in the packs' own key order: a rule's example and conditions are shown as written
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    if json.loads(text) != data:  # a value JSON cannot carry (a YAML date...) would change meaning
        raise ValueError("a shipped rule holds a value JSON cannot carry unchanged")
    return text


@lru_cache(maxsize=1)
def _packs() -> dict[str, Any]:
    try:
        data = json.loads(BUNDLE_FILE.read_bytes())
    except (OSError, ValueError):  # no bundle (a trimmed installation): the YAML is read
        return {}
    if not isinstance(data, dict) or data.get("format") != _FORMAT or not isinstance(data.get("packs"), dict):
        return {}
    packs: dict[str, Any] = data["packs"]
    return packs


def bundled_rules(name: str, raw: bytes, pack: str) -> list[Rule] | None:
    """The compiled rules of the shipped pack ``name`` (relative to the rules folder, e.g.
    ``api/paths.yaml``) when ``raw`` are the bytes it was compiled from; None otherwise."""
    entry = _packs().get(name)
    if not isinstance(entry, dict) or entry.get("sha256") != digest(raw):
        return None
    return [_from_json(rule, pack) for rule in entry["rules"]]
