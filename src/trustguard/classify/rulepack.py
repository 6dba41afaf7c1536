"""Rule packs: rules are data (YAML), validated by a JSON Schema, expanded into Rules.

The shipped folder is found from this file's place, as ``importlib.resources.files``
finds a package on disk, without importing importlib.resources (it imports tempfile,
shutil, bz2 and lzma) and, on its first call, importlib.readers and zipfile: measured in
one sitting, 15 fresh processes each, best/median, importing trustguard.api 10.3/10.6 ->
7.8/7.9 ms and the policy stage (api._policy) 12.3/12.9 -> 10.8/11.1 ms. (A run writing
a file imports tempfile later all the same: ~2 ms of the 2.5 come back there.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import RulePackError
from ..parsing.text import decode_text
from ..vocabulary import Principle, Severity

_SCHEMA_FILE = Path(__file__).with_name("rulepack.schema.json")


@dataclass(frozen=True)
class Rule:
    """One check: what it matches, how bad it is, and how to explain it."""

    id: str
    document: str
    principle: Principle
    severity: Severity
    title: str
    message: str
    rationale: str
    remediation: str
    kinds: tuple[str, ...]
    where: dict[str, Any] = field(default_factory=dict)
    example: Any = None
    references: tuple[str, ...] = ()
    oasdiff: str | None = None
    oasdiff_note: str | None = None
    pack: str = ""

    def matches_kind(self, kind: str) -> bool:
        for pattern in self.kinds:
            if pattern == kind:
                return True
            if pattern.endswith("*") and kind.startswith(pattern[:-1]):
                return True
        return False

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "document": self.document,
            "principle": self.principle.value,
            "severity": self.severity.value,
            "title": self.title,
            "message": self.message,
            "rationale": self.rationale,
            "remediation": self.remediation,
            "match": {"kind": list(self.kinds), "where": self.where},
            "example": self.example,
            "references": list(self.references),
            "oasdiff": self.oasdiff,
            "oasdiff_note": self.oasdiff_note,
            "pack": self.pack,
        }


#: rule documents whose rules judge other kinds' changes too: a pricing and a terms text
#: state service levels as well, and their changes are sla.* kinds whatever states them
SHARED_RULE_DOCUMENTS = {"pricing": ("sla",), "terms": ("sla",)}


def rule_documents(kind: str) -> tuple[str, ...]:
    """The rule documents whose rules judge the changes of a document kind."""
    return (kind, *SHARED_RULE_DOCUMENTS.get(kind, ()))


def rulepack_schema() -> dict[str, Any]:
    """The JSON Schema of a rule pack; its ``document`` names every declared kind."""
    from ..kinds import kind_names

    return _schema_for(kind_names())


@lru_cache(maxsize=4)
def _schema_for(kinds: tuple[str, ...]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_SCHEMA_FILE.read_text(encoding="utf-8"))
    # the declared kinds, then what the file names beside them (policy, release)
    documents = [*kinds, *(d for d in data["properties"]["document"]["enum"] if d not in kinds)]
    data["properties"]["document"]["enum"] = documents
    data["$defs"]["rule"]["properties"]["document"]["enum"] = documents
    return data


def default_rules_dir() -> Path:
    """The shipped rule packs: inside the wheel, or the repository's ``rules/`` folder."""
    # the package's folder, as importlib.resources.files("trustguard") names it for an
    # installation on disk, without importing importlib.resources and, on its first call,
    # importlib.readers and zipfile (~2 ms of every command that judges anything)
    packaged = Path(__file__).parent.parent / "_rules"
    if packaged.is_dir():
        return packaged
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "rules"
        if (candidate / "api").is_dir():
            return candidate
    raise RulePackError("the default rule packs are missing from this installation")


def _fmt(text: Any, values: dict[str, str]) -> Any:
    if isinstance(text, str):
        for k, v in values.items():
            text = text.replace("{" + k + "}", v)
        return text
    if isinstance(text, dict):
        return {k: _fmt(v, values) for k, v in text.items()}
    if isinstance(text, list):
        return [_fmt(v, values) for v in text]
    return text


def _joined(rule_where: dict[str, Any], variant_where: dict[str, Any]) -> dict[str, Any]:
    """A variant's conditions added to its rule's: both must hold, so an ``any:``,
    ``all:`` or ``not:`` that both spell goes under ``all:`` instead of replacing the rule's."""
    where = dict(rule_where)
    clashes = [k for k in variant_where if k in ("any", "all", "not") and k in where]
    where.update({k: v for k, v in variant_where.items() if k not in clashes})
    if clashes:
        where["all"] = [*where.get("all", []), *({k: variant_where[k]} for k in clashes)]
    return where


def _expand(entry: dict[str, Any]) -> list[dict[str, Any]]:
    variants = entry.get("variants")
    if not variants:
        return [entry]
    out = []
    for variant in variants:
        values = {k: str(v) for k, v in variant.items() if k not in ("severity", "where", "oasdiff", "principle", "oasdiff_note")}
        base = {k: v for k, v in entry.items() if k != "variants"}
        rule = _fmt(base, values)
        match = dict(rule.get("match", {}))
        where = _joined(match.get("where", {}), variant.get("where", {}))
        for k in values:
            if k not in where and k not in ("label",):
                where[k] = variant[k]
        match["where"] = where
        rule["match"] = match
        for key in ("severity", "oasdiff", "principle", "oasdiff_note"):
            if key in variant:
                rule[key] = variant[key]
        out.append(rule)
    return out


def parse_rule_pack(data: Any, name: str, *, validate: bool = True) -> list[Rule]:
    """Validate and expand one rule pack (already parsed). ``validate=False`` is for the
    packs shipped with trustguard, which its tests validate: anything unexpected in one
    of them is still judged by the validation, which words the error."""
    if not validate:
        try:
            return _build(data, name)
        except Exception:  # an edited installation: the validation below says what is wrong
            pass
    import jsonschema  # here: a run with the shipped packs only never needs it (its import is slow)

    validator = jsonschema.Draft202012Validator(rulepack_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        pointer = "/" + "/".join(str(p) for p in err.absolute_path)
        message = err.message
        if err.validator in ("oneOf", "anyOf") and isinstance(err.schema, dict) and "description" in err.schema:
            message = f"{err.instance!r} is not {err.schema['description']}"  # not "... any of the given schemas"
        raise RulePackError(f"invalid rule pack: {message}", file=name, place=pointer)
    return _build(data, name, checked=True)


def _build(data: Any, name: str, *, checked: bool = False) -> list[Rule]:
    """The rules of a pack; ``checked``: each against the change-kind catalogue too."""
    document = data.get("document", "openapi")
    rules: list[Rule] = []
    for index, entry in enumerate(data["rules"]):
        first = len(rules)
        for item in _expand(entry):
            match = item["match"]
            kinds = match["kind"] if isinstance(match["kind"], list) else [match["kind"]]
            rules.append(
                Rule(
                    id=item["id"],
                    document=item.get("document", document),
                    principle=Principle(item["principle"]),
                    severity=Severity(item["severity"]),
                    title=item["title"].strip(),
                    message=item.get("message", item["title"]).strip(),
                    rationale=item["rationale"].strip(),
                    remediation=item["remediation"].strip(),
                    kinds=tuple(kinds),
                    where=dict(match.get("where", {})),
                    example=item.get("example"),
                    references=tuple(item.get("references", [])),
                    oasdiff=item.get("oasdiff"),
                    oasdiff_note=item.get("oasdiff_note"),
                    pack=name,
                )
            )
        if checked:
            for rule in rules[first:]:
                check_against_catalogue(rule, name, f"/rules/{index}/match")
    return rules


def check_against_catalogue(rule: Rule, file: str, place: str = "") -> None:
    """Refuse a rule that names a change kind no differ emits, or a fact none of its kinds
    carries: such a rule would load and never fire (``api.schema.propery.added``)."""
    from difflib import get_close_matches

    from ..change_kinds import CHANGE_FIELDS, catalogue

    known = catalogue()
    matched = []
    for pattern in rule.kinds:
        if pattern.endswith("*"):
            found = [kind for kind in known.values() if kind.id.startswith(pattern[:-1])]
        else:
            found = [known[pattern]] if pattern in known else []
        if not found:
            guess = get_close_matches(pattern.rstrip("*"), list(known), n=1)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            raise RulePackError(f"rule {rule.id!r}: unknown change kind {pattern!r}{hint}; "
                                "docs/change-kinds.md lists the kinds", file=file, place=place + "/kind")
        matched.extend(found)
    facts = {name for kind in matched for name in kind.facts}
    for name in sorted(_named(rule.where)):
        if name in facts or name in CHANGE_FIELDS or name.startswith("$"):
            continue
        guess = get_close_matches(name, sorted(facts | set(CHANGE_FIELDS)), n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else ""
        kinds = ", ".join(sorted(rule.kinds))
        raise RulePackError(f"rule {rule.id!r}: no change of kind {kinds} carries a fact {name!r}{hint}",
                            file=file, place=place + "/where")


def _named(where: Any) -> set[str]:
    """The fact names a ``where`` tests, inside ``any:``, ``all:`` and ``not:`` too."""
    names: set[str] = set()
    if not isinstance(where, dict):
        return names
    for name, cond in where.items():
        if name in ("any", "all") and isinstance(cond, list):
            for alt in cond:
                names |= _named(alt)
        elif name == "not":
            names |= _named(cond)
        else:
            names.add(name)
    return names


def load_rule_pack(path: Path | str, *, shipped: bool = False) -> list[Rule]:
    """A rule pack file, or ``REV:path`` from git: only a regular file of bounded size
    (a config in a pull request may name one), and its content is never echoed."""
    from ..config_files import read_policy_file

    name = str(path)
    return pack_rules(read_policy_file(name, what="rule pack", error=RulePackError), name, shipped=shipped)


def pack_rules(raw: bytes, name: str, *, shipped: bool = False) -> list[Rule]:
    """The rules of a rule pack's bytes (``name``: the file it was read from)."""
    # here: the shipped packs come compiled (rulebundle.py), a run may never parse YAML
    from ..errors import InputError
    from ..parsing.yaml_tree import parse_yaml

    try:
        text = decode_text(raw, name)
        data, _ = parse_yaml(text, name)
    except InputError as exc:
        raise RulePackError(exc.message, file=exc.file, place=exc.place) from None
    if not isinstance(data, dict):
        raise RulePackError("not a rule pack: expected a mapping with a 'rules' list", file=name, place="/")
    return parse_rule_pack(data, name, validate=not shipped)


def shipped_packs(folder: Path) -> list[tuple[str, Path]]:
    """The packs of the shipped rules folder: (path relative to it, path), in load order."""
    return [(path.relative_to(folder).as_posix(), path) for path in sorted(folder.glob("*/*.yaml"))]


@lru_cache(maxsize=8)
def _default_rules_cached(folder: str) -> tuple[Rule, ...]:
    from ..config_files import read_regular_file
    from .rulebundle import bundled_rules  # the packs compiled (rulebundle.py says why)

    rules: list[Rule] = []
    for relative, path in shipped_packs(Path(folder)):
        name = str(path)
        raw = read_regular_file(path, name=name, what="rule pack", error=RulePackError)
        # validated by the tests (tests/test_rule_packs_shipped.py), not on every run
        found = bundled_rules(relative, raw, name)
        rules.extend(found if found is not None else pack_rules(raw, name, shipped=True))
    seen: dict[str, str] = {}
    for rule in rules:
        if rule.id in seen:
            raise RulePackError(f"duplicate rule id {rule.id!r} (also in {seen[rule.id]})", file=rule.pack)
        seen[rule.id] = rule.pack
    return tuple(rules)


def default_rules() -> list[Rule]:
    """The shipped rules, then those of each plug-in kind's rule folder (trustguard.kinds)."""
    from ..kinds import kind_specs

    rules = list(_default_rules_cached(str(default_rules_dir())))
    for spec in kind_specs():
        if spec.rules is not None and not spec.builtin:
            rules.extend(_kind_rules(spec.name, str(spec.rules)))
    return rules


@lru_cache(maxsize=16)
def _kind_rules(kind: str, folder: str) -> tuple[Rule, ...]:
    # validated as a user's pack is: the plug-in's tests are not trustguard's
    packs = sorted(Path(folder).glob("*.yaml"))
    if not packs:
        raise RulePackError(f"the document kind {kind!r} names a rule folder with no *.yaml pack", file=folder)
    rules = [rule for path in packs for rule in load_rule_pack(path)]
    for rule in rules:
        if rule.document != kind:
            raise RulePackError(f"rule {rule.id!r} in the rule folder of kind {kind!r} is for {rule.document!r} "
                                f"documents (write document: {kind} in its pack)", file=rule.pack)
    return tuple(rules)


def load_rules(extra_packs: list[str] | None = None) -> list[Rule]:
    """The default rules plus user packs; a user rule with an existing id replaces it."""
    rules = {r.id: r for r in default_rules()}
    for pack in extra_packs or []:
        for rule in load_rule_pack(pack):
            rules[rule.id] = rule
    return list(rules.values())
