"""Rule message templates: what a reader sees in every report, filled from a change."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from trustguard.messages import render_message


def _change(**fields: Any) -> Any:
    base: dict[str, Any] = {"kind": "api.schema.max-length.decreased", "location": "/components/schemas/Pet",
                            "operation": "GET /pets", "subject": "name", "before": 64, "after": 32, "facts": {}}
    return SimpleNamespace(**{**base, **fields})


def test_fields_and_facts_fill_the_template() -> None:
    change = _change(facts={"param_in": "query", "required": True, "weight": 2.0, "values": ["a", "b"],
                            "sunset": None, "price": 9.5})
    text = render_message(
        "{operation}: {subject} max length {before} -> {after} ({param_in}, required={required}, "
        "weight {weight}, values {values}, sunset {sunset}, {price:.2f} EUR, {kind} at {location})", change)
    assert text == ("GET /pets: name max length 64 -> 32 (query, required=true, weight 2, values a, b, "
                    "sunset none, 9.50 EUR, api.schema.max-length.decreased at /components/schemas/Pet)")


def test_a_field_wins_over_a_fact_of_the_same_name_and_unknown_names_read_as_a_question_mark() -> None:
    change = _change(facts={"subject": "from the facts", "operation": "from the facts"})
    assert render_message("{subject} / {operation} / {nowhere} / {nowhere:>3}", change) == "name / GET /pets / ? /   ?"


def test_a_missing_subject_names_the_location_and_a_missing_operation_is_empty() -> None:
    change = _change(subject=None, operation=None)
    assert render_message("[{operation}] {subject}", change) == "[] /components/schemas/Pet"


def test_templates_beyond_plain_names_go_through_the_full_formatter() -> None:
    change = _change(facts={"limits": {"max": 5}})
    assert render_message("max {limits[max]}, {after!r}", change) == "max 5, 32"
    assert render_message("broken {after", change) == "broken {after"  # an unclosed brace is shown as written
