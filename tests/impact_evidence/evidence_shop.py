"""A small shop API in two versions, written from scratch for the evidence tests.

v1 -> v2 changes, each with what it does to a caller:
  tracking_url (optional, in Order) removed   -> breaks who reads it     (rule: minor)
  total/amount string -> number               -> breaks who reads it     (rule: major)
  currency newly required in NewOrder         -> breaks who does not send it
  query parameter region newly required on GET /orders -> breaks who does not send it
  DELETE /legacy/{id} removed                 -> breaks who calls it
  GET /orders/{id} no longer documents 404    -> (info) seen by who got a 404
  priority enum loses 'high' in NewOrder      -> breaks who sends 'high' (a value no field list shows)
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any


def _order() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string"},
            "tracking_url": {"type": "string"},
            "total": {"type": "object", "properties": {"amount": {"type": "string"}, "currency": {"type": "string"}}},
        },
    }


def spec_v1() -> dict[str, Any]:
    ref = {"$ref": "#/components/schemas/Order"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Shop", "version": "1"},
        "paths": {
            "/orders": {
                "get": {
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "a page", "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {"data": {"type": "array", "items": ref}, "next": {"type": "string"}},
                    }}}}},
                },
                "post": {
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/NewOrder"}}}},
                    "responses": {"201": {"description": "created", "content": {"application/json": {"schema": ref}}}},
                },
            },
            "/orders/{id}": {
                "get": {
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "one", "content": {"application/json": {"schema": ref}}},
                        "404": {"description": "none"},
                    },
                },
            },
            "/legacy/{id}": {
                "delete": {
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"204": {"description": "gone"}},
                },
            },
        },
        "components": {"schemas": {
            "Order": _order(),
            "NewOrder": {
                "type": "object",
                "required": ["customer_ref"],
                "properties": {
                    "customer_ref": {"type": "string"},
                    "note": {"type": "string"},
                    "priority": {"type": "string", "enum": ["low", "high"]},
                    "lines": {"type": "array", "items": {"type": "object", "properties": {
                        "sku": {"type": "string"}, "quantity": {"type": "integer"}}}},
                },
            },
        }},
    }


def spec_v2() -> dict[str, Any]:
    spec = copy.deepcopy(spec_v1())
    schemas = spec["components"]["schemas"]
    del schemas["Order"]["properties"]["tracking_url"]
    schemas["Order"]["properties"]["total"]["properties"]["amount"] = {"type": "number"}
    schemas["NewOrder"]["properties"]["currency"] = {"type": "string"}
    schemas["NewOrder"]["required"] = ["customer_ref", "currency"]
    schemas["NewOrder"]["properties"]["priority"]["enum"] = ["low"]
    spec["paths"]["/orders"]["get"]["parameters"].append(
        {"name": "region", "in": "query", "required": True, "schema": {"type": "string"}})
    del spec["paths"]["/legacy/{id}"]
    del spec["paths"]["/orders/{id}"]["get"]["responses"]["404"]
    return spec


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def pact(consumer: str, interactions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"consumer": {"name": consumer}, "provider": {"name": "Shop"}, "interactions": interactions,
            "metadata": {"pactSpecification": {"version": "3.0.0"}}}


def interaction(description: str, method: str, path: str, *, query: dict[str, list[str]] | None = None,
                body: Any = None, status: int = 200, response: Any = None) -> dict[str, Any]:
    request: dict[str, Any] = {"method": method, "path": path}
    if query:
        request["query"] = query
    if body is not None:
        request["body"] = body
    out: dict[str, Any] = {"description": description, "request": request, "response": {"status": status}}
    if response is not None:
        out["response"]["body"] = response
    return out
