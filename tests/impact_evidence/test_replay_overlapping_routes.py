"""A recorded call is checked against the operation it made: when the revision removes a
literal path (``/items/export``) that a parameter template beside it (``/items/{id}``)
would now take, the call's operation is gone -- it is not a call of the other one."""

from __future__ import annotations

import copy
from typing import Any

from trustguard.impact.replay import RecordedCall, Replay, check_calls

_OK = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]


def _spec(*paths: str) -> dict[str, Any]:
    items = {"/items": {"get": {"responses": _OK}}, "/items/{id}": {"parameters": _ID, "get": {"responses": _OK}},
             "/items/export": {"get": {"responses": _OK}}, "/items/archive": {"get": {"responses": _OK}}}
    return {"openapi": "3.0.3", "info": {"title": "Items", "version": "1"},
            "paths": {p: copy.deepcopy(items[p]) for p in paths}}


def _call(path: str) -> RecordedCall:
    return RecordedCall(place="calls.jsonl:1", method="GET", path=path, query={}, headers={}, body=None, status=200,
                        response_body=None, customer="c1")


def _failing(base: dict[str, Any], rev: dict[str, Any], path: str) -> list[str]:
    out = check_calls([_call(path)], base, rev, Replay("calls.jsonl"))
    return [p.kind + ": " + p.message for failing in out.failing for p in failing.problems]


def test_a_removed_literal_path_is_removed_even_when_a_template_would_take_it():
    base = _spec("/items", "/items/{id}", "/items/export")
    rev = _spec("/items", "/items/{id}")
    (problem,) = _failing(base, rev, "/items/export")
    assert problem.startswith("operation-removed: GET /items/export is not in the revision")
    assert "GET /items/{id}" in problem
    # the other direction: a call of the template itself, and a call of a literal the
    # revision adds (the base answered it through the template, which the revision keeps)
    assert _failing(base, rev, "/items/i1") == []
    assert _failing(_spec("/items", "/items/{id}"), _spec("/items", "/items/{id}", "/items/archive"), "/items/archive") == []
