"""What part of an operation a finding touches (a :class:`Selector`), and whether an
integration's declared use of the operation is hit by it (:func:`decide`).

A finding touches an operation, and sometimes one field or parameter of it; where the data
says which fields a caller reads or sends (a Pact contract, declared fields), a field change
only hits the callers it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..change_kinds import is_lifecycle
from ..model import Finding
from .graph import Call, Use
from .routes import operation_key

# Changes that take nothing away from an existing caller.
_HARMLESS = frozenset({
    "api.operation.added", "api.webhook.added", "api.component.schema.added",
    "api.component.schema.removed", "api.security-scheme.added", "api.tag.added", "api.tag.removed",
    "api.operation.reactivated", "api.parameter.reactivated",
})
_HARMLESS_RESPONSE = frozenset({
    "api.schema.property.added", "api.response.status.added", "api.response.header.added",
    "api.response.media-type.added", "api.schema.property.became-required",
})
_OPTIONAL_REQUEST_ADDITIONS = frozenset({
    "api.parameter.added", "api.schema.property.added", "api.request-body.added",
})
_NOT_CALLED = ("api.component.", "api.tag.", "api.webhook.", "api.operation-id.")
# Changes of the values a field or parameter allows: a caller using it is hit only if it
# uses (or is sent) the values concerned, which no contract's field list says.
_VALUE_KINDS = tuple(f"api.schema.{k}." for k in (
    "enum", "x-extensible-enum", "const", "pattern", "format", "max", "min", "exclusive-max", "exclusive-min",
    "max-length", "min-length", "max-items", "min-items", "unique-items", "multiple-of", "nullable",
    "max-properties", "min-properties", "max-contains", "min-contains", "default",
))
_REQUIRED_NOW = frozenset({
    "api.parameter.became-required", "api.schema.property.became-required",
    "api.request-body.became-required",
})


@dataclass(frozen=True)
class Selector:
    """What part of an operation a finding touches, and who it hurts.

    ``hit_when`` is ``present`` when callers using the thing are hurt (a removed
    response field hurts its readers) and ``absent`` when callers *not* using it are
    (a new required request field hurts those who do not send it).
    """

    level: str  # none | api | operation | field | parameter
    op: str | None = None
    direction: str | None = None
    status: str | None = None
    path: str = ""
    param: str | None = None
    hit_when: str = "present"
    # whether using the thing proves being hit: not for a change of the values allowed
    # (an enum value removed, a bound tightened), which hits only who uses those values
    exact: bool = True

    def describe(self) -> str:
        if self.level == "field":
            where = f"{self.direction} {self.status + ' ' if self.status else ''}body"
            return f"{where} field '{self.path or '(root)'}' ({'callers not sending it' if self.hit_when == 'absent' else 'callers using it'})"
        if self.level == "parameter":
            return f"parameter '{self.param}' ({'callers not sending it' if self.hit_when == 'absent' else 'callers sending it'})"
        return self.level


def selector_for(finding: Finding, operation: str | None = None) -> Selector:
    """What ``finding`` touches at ``operation`` (one of its operations; the first if None)."""
    kind, facts = finding.kind, finding.facts
    direction = facts.get("direction")
    if kind in _HARMLESS or (direction == "response" and kind in _HARMLESS_RESPONSE):
        return Selector("none")
    if direction == "request" and kind.endswith("became-optional"):
        return Selector("none")
    if direction == "request" and kind in _OPTIONAL_REQUEST_ADDITIONS and not facts.get("required"):
        return Selector("none")
    operation = operation or finding.operation
    if not operation:
        return Selector("none" if kind.startswith(_NOT_CALLED) else "api")
    op = operation_key(operation)
    required_now = kind in _REQUIRED_NOW or (kind in _OPTIONAL_REQUEST_ADDITIONS and bool(facts.get("required")))
    hit_when = "absent" if direction == "request" and required_now else "present"
    param = facts.get("param_name")
    param_in = facts.get("param_in")
    # a deprecation, a sunset or a stability level breaks no call today: whoever uses the
    # element is reached (told), never affected for certain (the operation-level case below)
    exact = (hit_when == "absent" or not kind.startswith(_VALUE_KINDS)) and not is_lifecycle(kind)
    if param and param_in in ("query", "header", "cookie"):
        return Selector("parameter", op, "request", param=str(param).lower(), hit_when=hit_when, exact=exact)
    if param:
        # every caller fills a path parameter: one added or removed changes every call's
        # path; a change of its type or values hits those whose values it no longer takes
        return Selector("operation", op, exact=kind in ("api.parameter.added", "api.parameter.removed"))
    if kind == "api.response.status.removed" and facts.get("status") is not None:
        # every caller may meet the status no longer given; a contract expecting it proves
        # the break (an error status no longer documented may well still come: never proven)
        return Selector("operation", op, status=str(facts["status"]), exact=facts.get("success") is not False)
    path = finding.path_at(operation)
    if direction in ("request", "response") and isinstance(path, str) and (
        path or str(facts.get("target", "")).endswith("-body") or kind == "api.request-body.became-required"
    ):
        status = facts.get("status") if direction == "response" else None
        return Selector("field", op, str(direction), str(status) if status is not None else None, path, None, hit_when,
                        exact)
    # a removal breaks every caller: for certain. A security or media-type change reaches
    # every caller but breaks only some; a deprecation, a sunset or a stability level
    # concerns every caller and breaks none of its calls today: each reaches every caller
    # as an estimate ("may be affected"), never for certain -- a customer reported for
    # certain is one the revision breaks
    return Selector("operation", op, exact=kind == "api.operation.removed")


def _tokens(path: str) -> list[str]:
    return [t for t in path.split("/") if t] if path else []


def overlaps(changed: str, used: str) -> bool:
    """One path is a prefix of the other: a change under or above what is used.

    ``*`` in the changed path (a map's values) matches any key."""
    a, b = _tokens(changed), _tokens(used)
    return all(x == y or x == "*" for x, y in zip(a, b, strict=False))


def status_matches(changed: str | None, used: str | None) -> bool:
    if changed is None or used is None or changed == used or changed == "default":
        return True
    return len(changed) == 3 and changed.upper().endswith("XX") and used[:1] == changed[:1]


def decide(sel: Selector, use: Use | None) -> tuple[bool | None, list[Call]]:
    """Whether ``sel`` hits an integration that ``use`` describes (None: not known), and
    the statements (Pact interactions, declared operations) that prove a hit -- or, with
    None, that make it probable.

    A statement that does not say (a declared operation without field lists) leaves the
    decision to those that do; a statement whose body paths the spec does not document
    cannot prove the integration spared, only hit."""
    calls = use.calls if use is not None else []
    if sel.level == "operation" and sel.status is not None:
        # a removed status: proven for a Pact interaction expecting it, otherwise not known
        # (a contract expecting another status may still meet it in real life)
        expecting = [c for c in calls if c.kind == "pact" and c.status is not None and status_matches(sel.status, c.status)]
        return (True, expecting) if expecting and sel.exact else (None, expecting)
    if sel.level in ("operation", "api"):
        return (True if sel.exact else None), list(calls)
    if not calls:
        return None, []
    proof: list[Call]
    doubtful: list[Call]
    if sel.level == "parameter":
        known = [c for c in calls if c.parameters is not None]
        if sel.hit_when == "present":
            proof = [c for c in known if sel.param in (c.parameters or ())]
        else:
            proof = [c for c in known if sel.param not in (c.parameters or ())]
        doubtful = []
    elif sel.direction == "response":
        known = [c for c in calls if c.response_fields is not None]
        relevant = [c for c in known if status_matches(sel.status, c.status)]
        proof = [c for c in relevant if any(overlaps(sel.path, p) for p in c.response_fields or ())]
        doubtful = [c for c in relevant if c.response_undocumented]
    else:
        known = [c for c in calls if c.request_fields is not None]
        if sel.hit_when == "present":
            proof = [c for c in known if any(overlaps(sel.path, p) for p in c.request_fields or ())]
            doubtful = [c for c in known if c.request_undocumented]
        else:
            # what a statement leaves out it does not send -- unless it writes paths the spec
            # does not document (a misspelt field): then what it sends is not known, and it
            # is probably hit only if those paths do not most likely mean the field
            leaves_out = [c for c in known if not _sends(sel.path, c.request_fields or frozenset())]
            proof = [c for c in leaves_out if not c.request_undocumented]
            if not proof and any(c.request_undocumented for c in leaves_out):
                return None, [c for c in leaves_out if not _sends(sel.path, c.request_likely)]
            doubtful = []
    if not known:
        return None, []
    if proof:
        return (True, proof) if sel.exact else (None, proof)
    if not doubtful:
        return False, []
    # not known; but a statement whose misspelt or unenveloped path most likely means the
    # changed one probably is hit (returned with None: probable, not proven)
    likely = [c for c in doubtful if any(
        overlaps(sel.path, p) for p in (c.response_likely if sel.direction == "response" else c.request_likely))]
    return None, likely


def _sends(path: str, fields: frozenset[str]) -> bool:
    """Whether a request that sends ``fields`` fills ``path`` -- or leaves out the
    object that holds it, which then is not required of it either (a field newly
    required inside an optional object a caller never sends does not break it)."""
    tokens = _tokens(path)
    if any(overlaps(path, f) for f in fields):
        return True
    parent = tokens[:-1]
    if not parent:
        return False
    return not any(overlaps("/".join(parent), f) for f in fields)
