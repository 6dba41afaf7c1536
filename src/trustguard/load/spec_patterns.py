"""The spec's own regexes under ``--validate``, run by RE2.

openapi-spec-validator checks each ``default`` against its schema, and jsonschema runs
the schema's ``pattern`` and ``patternProperties`` with Python's backtracking ``re``: a
spec in a pull request with ``pattern: ^(a+)+$`` and a default of thirty ``a`` and a
``!`` holds a check for hours. The value validators here are the library's own with the
keywords that match a pattern (``pattern``, ``patternProperties``, and
``additionalProperties`` / ``unevaluatedProperties``, which look at which keys the
patterns take) run by RE2 instead (:mod:`trustguard._user_regex`). A pattern RE2 cannot
run (a lookahead, a backreference) is reported as a problem, its values unchecked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend

from .._user_regex import UnsafePatternError, compile_user_regex

_Validator = Any  # jsonschema's validator instances: typed loosely by the library


def _matches(pattern: Any, text: str) -> bool | None:
    """Whether ``pattern`` occurs in ``text``; None when RE2 cannot run it."""
    try:
        return compile_user_regex(str(pattern), python_syntax=False).search(text)
    except UnsafePatternError:
        return None


def _unrunnable(pattern: Any) -> ValidationError:
    try:
        compile_user_regex(str(pattern), python_syntax=False)
        reason = "cannot be run"
    except UnsafePatternError as error:
        reason = str(error)
    return ValidationError(f"the pattern {pattern!r} {reason} (no value was checked against it)")


def pattern(validator: _Validator, patrn: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "string"):
        return
    found = _matches(patrn, instance)
    if found is None:
        yield _unrunnable(patrn)
    elif not found:
        yield ValidationError(f"{instance!r} does not match {patrn!r}")


def pattern_properties(
    validator: _Validator, patterns: Any, instance: Any, schema: Mapping[str, Any],
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object") or not isinstance(patterns, Mapping):
        return
    for patrn, subschema in patterns.items():
        if _matches(patrn, "") is None:
            yield _unrunnable(patrn)
            continue
        for key, value in instance.items():
            if _matches(patrn, str(key)):
                yield from validator.descend(value, subschema, path=key, schema_path=patrn)


def _additional(instance: Mapping[str, Any], schema: Mapping[str, Any]) -> list[Any]:
    """The keys neither ``properties`` nor a ``patternProperties`` pattern takes (one a
    pattern RE2 cannot run takes none; ``patternProperties`` reports it)."""
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}) or {})
    return [key for key in instance
            if key not in properties and not any(_matches(p, str(key)) for p in patterns)]


def _extras(extras: list[Any]) -> str:
    verb = "was" if len(extras) == 1 else "were"
    return f"{', '.join(repr(extra) for extra in extras)} {verb} unexpected"


def additional_properties(
    validator: _Validator, extra_schema: Any, instance: Any, schema: Mapping[str, Any],
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    extras = _additional(instance, schema)
    if validator.is_type(extra_schema, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], extra_schema, path=extra)
    elif extra_schema is False and extras:
        if "patternProperties" in schema:
            patterns = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            joined = ", ".join(repr(each) for each in sorted(extras, key=str))
            yield ValidationError(f"{joined} {'does' if len(extras) == 1 else 'do'} not match any of the regexes: {patterns}")
        else:
            yield ValidationError(f"Additional properties are not allowed ({_extras(sorted(extras, key=str))})")


def _valid(errors: Iterator[ValidationError]) -> bool:
    return next(errors, None) is None


def _evaluated_keys(validator: _Validator, instance: Mapping[str, Any], schema: Any) -> list[Any]:
    """jsonschema's ``find_evaluated_property_keys_by_schema``, its one pattern match
    run by RE2: the keys of ``instance`` that ``schema`` evaluates."""
    if validator.is_type(schema, "boolean") or not isinstance(schema, Mapping):
        return []
    keys: list[Any] = []
    for keyword in ("$ref", "$dynamicRef"):
        ref = schema.get(keyword)
        if ref is not None:
            resolved = validator._resolver.lookup(ref)
            keys.extend(_evaluated_keys(
                validator.evolve(schema=resolved.contents, _resolver=resolved.resolver),
                instance, resolved.contents))
    properties = schema.get("properties")
    if isinstance(properties, Mapping) and validator.is_type(properties, "object"):
        keys += properties.keys() & instance.keys()
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        subschema = schema.get(keyword)
        if subschema is not None:
            keys += (key for key, value in instance.items() if _valid(validator.descend(value, subschema)))
    for patrn in schema.get("patternProperties", {}) or {}:
        keys += (key for key in instance if _matches(patrn, str(key)))
    for prop, subschema in (schema.get("dependentSchemas") or {}).items():
        if prop in instance:
            keys += _evaluated_keys(validator, instance, subschema)
    for keyword in ("allOf", "oneOf", "anyOf"):
        for subschema in schema.get(keyword, []):
            if _valid(validator.descend(instance, subschema)):
                keys += _evaluated_keys(validator, instance, subschema)
    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            keys += _evaluated_keys(validator, instance, schema["if"])
            if "then" in schema:
                keys += _evaluated_keys(validator, instance, schema["then"])
        elif "else" in schema:
            keys += _evaluated_keys(validator, instance, schema["else"])
    return keys


def unevaluated_properties(
    validator: _Validator, unevaluated: Any, instance: Any, schema: Mapping[str, Any],
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    evaluated = _evaluated_keys(validator, instance, schema)
    bad = [key for key in instance if key not in evaluated
           and not _valid(validator.descend(instance[key], unevaluated, path=key, schema_path=key))]
    if bad:
        if unevaluated is False:
            yield ValidationError(f"Unevaluated properties are not allowed ({_extras(sorted(bad, key=str))})")
        else:
            yield ValidationError("Unevaluated properties are not valid under the given schema "
                                  f"({', '.join(repr(b) for b in bad)} {'was' if len(bad) == 1 else 'were'} "
                                  "unevaluated and invalid)")


_SAFE_KEYWORDS = {
    "pattern": pattern,
    "patternProperties": pattern_properties,
    "additionalProperties": additional_properties,
    "unevaluatedProperties": unevaluated_properties,
}


def safe_keyword_validators(base: Any) -> dict[str, Any] | None:
    """``base``'s (an openapi-spec-validator spec validator class) keyword validators, with
    the ``default`` checker's value validator matching patterns by RE2 (None: ``base`` has
    no keyword validators to replace)."""
    if not isinstance(getattr(base, "keyword_validators", None), Mapping):
        return None
    keyword_validators = dict(base.keyword_validators)
    checker = keyword_validators.get("default")
    value_cls = getattr(checker, "value_validator_cls", None)
    if checker is None or value_cls is None:
        return keyword_validators
    own = {name: fn for name, fn in _SAFE_KEYWORDS.items() if name in value_cls.VALIDATORS}
    safe_cls = extend(value_cls, own)  # type: ignore[no-untyped-call]
    keyword_validators["default"] = type("Re2" + checker.__name__, (checker,), {"value_validator_cls": safe_cls})
    return keyword_validators
