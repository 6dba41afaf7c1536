"""Concrete request paths to operations: literal segments win, ids are cached by shape."""

from __future__ import annotations

from typing import Any

from trustguard.impact.routes import PathRouter


def _spec(*templates: str, servers: list[str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"paths": {t: {"get": {"responses": {}}} for t in templates}}
    if servers:
        spec["servers"] = [{"url": u} for u in servers]
    return spec


def test_literal_segments_win_and_ids_share_a_shape() -> None:
    router = PathRouter.from_specs([_spec("/orders/{id}", "/orders/export", "/orders/{id}/items/{item}")])
    assert router.match("GET", "/orders/export") == "GET /orders/export"
    assert router.match("GET", "/orders/41") == "GET /orders/{}"
    assert router.match("get", "/orders/42?expand=items") == "GET /orders/{}"
    assert router.match("GET", "/orders/42/items/7") == "GET /orders/{}/items/{}"
    assert router.match("POST", "/orders/42") is None
    assert router.match("GET", "/customers/1") is None


def test_a_literal_all_digit_segment_turns_the_shape_cache_off() -> None:
    router = PathRouter.from_specs([_spec("/reports/2024", "/reports/{year}")])
    assert router.match("GET", "/reports/2023") == "GET /reports/{}"
    assert router.match("GET", "/reports/2024") == "GET /reports/2024"
    assert router.match("GET", "/reports/2025") == "GET /reports/{}"


def test_server_prefix_is_stripped() -> None:
    router = PathRouter.from_specs([_spec("/orders/{id}", servers=["https://api.example.com/v1"])])
    assert router.match("GET", "/v1/orders/9") == "GET /orders/{}"
    assert router.match("GET", "https://api.example.com/v1/orders/9") == "GET /orders/{}"
    assert router.match("GET", "/v1/health") is None
