"""The pieces both generated companies (tasks_company, fleet_company) and their tests share."""

from __future__ import annotations

from typing import Any


def obj(props: dict[str, Any], required: list[str] | None = None, closed: bool = False) -> dict[str, Any]:
    """An object schema; ``closed``: no other properties (additionalProperties: false)."""
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    if closed:
        out["additionalProperties"] = False
    return out


def json_response(schema: dict[str, Any], description: str = "ok") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def example_body(reads: list[str], values: dict[str, Any] | None = None) -> Any:
    """A response body holding exactly the fields read (``a/items/b``: ``b`` of a list's
    item), each leaf ``values``' value for its name, else ``True`` for ``ok``, else "x"."""
    leaves = {"ok": True, **(values or {})}
    body: dict[str, Any] = {}
    for path in reads:
        tokens = path.split("/")
        node: Any = body
        for n, token in enumerate(tokens):
            if token == "items":
                continue
            if n == len(tokens) - 1:
                node[token] = leaves.get(token, "x")
            elif tokens[n + 1] == "items":
                node = node.setdefault(token, [{}])[0]
            else:
                node = node.setdefault(token, {})
    return body


def certain_and_estimated(finding: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The customers an impact JSON finding reaches for certain, and those it estimates."""
    estimated = set(finding["impact"]["details"]["estimated_ids"])
    ids = set(finding["impact"]["customer_ids"])
    return ids - estimated, ids & estimated
