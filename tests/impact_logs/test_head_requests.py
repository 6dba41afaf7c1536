"""A HEAD request is a call of the GET of its path when the spec gives that path no HEAD of
its own (HTTP answers HEAD as GET without the body): its customer is a caller of the GET
operation (an existence check breaks when the GET goes). The path decides first, as a
server's router does; both engines and the SQL route table agree."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from trustguard.impact.customers import load_customers
from trustguard.impact.routes import PathRouter, clean_path, route_table
from trustguard.impact.usage import load_usage

SPEC: dict[str, Any] = {
    "servers": [{"url": "https://api.example/v1"}],
    "paths": {
        "/items": {"get": {}, "post": {}},
        "/items/{id}": {"get": {}, "head": {}},
        "/items/export": {"get": {}},
        "/uploads": {"post": {}},
    },
}
ROUTER = PathRouter.from_specs([SPEC])
CASES = [
    ("HEAD", "/v1/items", "GET /items"),  # no HEAD of its own: the GET's
    ("HEAD", "/v1/items/i1", "HEAD /items/{}"),  # its own HEAD wins over the GET
    ("HEAD", "/items/export?x=1", "GET /items/export"),  # the literal path first, then the method
    ("HEAD", "/v1/uploads", None),  # no GET to answer it
    ("GET", "/v1/items/export", "GET /items/export"),
    ("OPTIONS", "/v1/items", None),  # a CORS preflight is no call of an operation
]


def test_the_router_gives_a_head_request_the_get_of_its_path():
    for method, path, expected in CASES:
        assert ROUTER.match(method, path) == expected, (method, path)


def test_the_route_table_picks_the_same():
    routes: dict[tuple[str, int], list[Any]] = {}
    for route in route_table(ROUTER):
        routes.setdefault((route.method, route.segments), []).append(route)
    for method, path, expected in CASES:
        clean = clean_path(path)
        count = len([s for s in clean.split("/") if s])
        found = next((r.operation for r in routes.get((method, count), []) if re.search(r.pattern, clean)), None)
        assert found == expected, (method, path)


def test_both_engines_count_head_lines_for_the_get(tmp_path: Path):
    lines = []
    for n, (method, path, _) in enumerate(CASES * 50):
        sep = "&" if "?" in path else "?"
        lines.append(f'10.0.0.1 - - [02/Dec/2026:10:00:00 +0000] "{method} {path}{sep}api_key=k{n % 3} HTTP/1.1" 200 5 "-" "curl"')
    log = tmp_path / "access.log"
    log.write_text("\n".join(lines) + "\n")
    customers = tmp_path / "customers.csv"
    customers.write_text("id,api_keys\nc0,k0\nc1,k1\nc2,k2\n")
    table = load_customers(customers)
    python = load_usage(log, ROUTER, table, customer_from="query:api_key", engine="python")
    duck = load_usage(log, ROUTER, table, customer_from="query:api_key", engine="duckdb")
    assert python.calls == duck.calls and python.by_status == duck.by_status
    assert python.unmatched == duck.unmatched and python.unmatched_requests == duck.unmatched_requests == 100
    assert sum(n for (_, op), n in python.calls.items() if op == "GET /items") == 50
    assert sum(n for (_, op), n in python.calls.items() if op == "GET /items/export") == 100
