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
through ``__init__``.

The bundle is read by orjson, not the standard library (measured in one sitting, fresh
processes, best of 8: the 0.9 MB file in 4.0 ms instead of 5.9 ms, ~1 ms of it back in
orjson's import where nothing else of a run imports it). orjson reads strict JSON only,
so the two infinite numbers a YAML pack may hold (``.inf`` in an example) are written as
``null`` and listed beside the pack's rules (``infinite``: the path to each, then its
sign), put back as the bundle is read; the writer checks that the bundle reads back to
exactly the rules it was made from. A bundle orjson refuses (an older one, with
``Infinity`` spelled out) is read by the standard library, and one whose ``infinite``
list does not fit its rules has that pack read from its YAML.
"""

from __future__ import annotations

import hashlib
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..vocabulary import Principle, Severity
from .rulepack import Rule, pack_rules, shipped_packs

BUNDLE_FILE = Path(__file__).with_name("rules.bundle.json")
_FORMAT = 2  # bumped when the layout below changes: an older bundle is then not read
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


def _strict(value: Any, path: list[Any], infinite: list[list[Any]]) -> Any:
    """``value`` with each infinite float as None, its path (and sign) noted in ``infinite``:
    what strict JSON can carry (see the module docstring)."""
    if isinstance(value, float) and math.isinf(value):
        infinite.append([*path, 1 if value > 0 else -1])
        return None
    if isinstance(value, dict):
        return {key: _strict(item, [*path, key], infinite) for key, item in value.items()}
    if isinstance(value, list):
        return [_strict(item, [*path, index], infinite) for index, item in enumerate(value)]
    return value


def bundle_text(folder: Path) -> str:
    """The bundle of the rules folder ``folder``, each pack validated in full as a user's
    is (a bundle is never made from a pack the validation refuses): deterministic JSON."""
    packs: dict[str, Any] = {}
    expected: dict[str, Any] = {}
    for relative, path in shipped_packs(folder):
        raw = path.read_bytes()
        rules = [_as_json(rule) for rule in pack_rules(raw, str(path))]
        infinite: list[list[Any]] = []
        packs[relative] = {"sha256": digest(raw), "rules": _strict(rules, [], infinite)}
        if infinite:
            packs[relative]["infinite"] = infinite
        expected[relative] = {"sha256": digest(raw), "rules": rules}
    # in the packs' own key order: a rule's example and conditions are shown as written
    text = json.dumps({"format": _FORMAT, "packs": packs}, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    if _read(text.encode("utf-8")) != expected:  # a value JSON cannot carry (a YAML date...) would change meaning
        raise ValueError("a shipped rule holds a value JSON cannot carry unchanged")
    return text


def _read(raw: bytes) -> dict[str, Any]:
    """The packs of a bundle's bytes, each pack's infinite numbers put back; {} for a
    bundle of another format. Raises ValueError when it is not JSON."""
    import orjson  # here: a run that lists no rules never imports it for this

    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:  # Infinity spelled out (an older bundle), a huge integer...
        data = json.loads(raw)
    if not isinstance(data, dict) or data.get("format") != _FORMAT or not isinstance(data.get("packs"), dict):
        return {}
    packs: dict[str, Any] = data["packs"]
    for name, entry in list(packs.items()):
        if isinstance(entry, dict) and "infinite" in entry and not _put_back(entry):
            del packs[name]  # read from its YAML
    return packs


def _put_back(entry: dict[str, Any]) -> bool:
    """Put each infinite number listed by a pack's entry back in its rules (False, the
    entry left unusable, when a path does not lead to a null of them)."""
    infinite = entry.pop("infinite")
    if not isinstance(infinite, list):
        return False
    for place in infinite:
        if not isinstance(place, list) or len(place) < 3 or place[-1] not in (1, -1):
            return False
        node = entry["rules"]
        try:
            for step in place[:-2]:
                node = node[step]
            if node[place[-2]] is not None:
                return False
            node[place[-2]] = math.inf * place[-1]
        except (KeyError, IndexError, TypeError):
            return False
    return True


@lru_cache(maxsize=1)
def _packs() -> dict[str, Any]:
    try:
        return _read(BUNDLE_FILE.read_bytes())
    except (OSError, ValueError):  # no bundle (a trimmed installation): the YAML is read
        return {}


def bundled_rules(name: str, raw: bytes, pack: str) -> list[Rule] | None:
    """The compiled rules of the shipped pack ``name`` (relative to the rules folder, e.g.
    ``api/paths.yaml``) when ``raw`` are the bytes it was compiled from; None otherwise."""
    entry = _packs().get(name)
    if not isinstance(entry, dict) or entry.get("sha256") != digest(raw):
        return None
    return [_from_json(rule, pack) for rule in entry["rules"]]
