"""A generated billing company with known ground truth, for the impact-fidelity tests.

Every customer runs a *program*: the calls its code really makes (the request it sends,
the status it expects, the response fields it reads), drawn from a seeded random
generator. What trustguard is given about a program is drawn too: an exact Pact, a Pact
written without a list's ``data`` envelope, a Pact with a misspelt field, a Pact and no
traffic, usage logs only, a partner's Pact shared by several customers, a Pact plus calls
of the customer's own code (Pact v3 files, and v4 for a partner and the customers' own
code). The ground truth is written from what a real client meets
under the revision, call by call (``Scenario.truth``), never from trustguard's output.

The billing API v1 -> v2 (``direction="forward"``):

  DELETE /invoices/{id}          removed                        -> who calls it
  GET /payments ?account         new required query parameter   -> every caller (none sends it)
  POST /invoices currency        optional -> required           -> who does not send it
  POST /invoices priority        enum loses 'high'              -> who sends 'high'
  GET /invoices ?since           date-time string -> integer    -> who sends it
  GET /invoices/{id} number      required response field gone   -> who reads it
  GET /invoices data[]/memo      optional response field gone   -> who reads it
  GET /customers/{id} balance    string -> number               -> who reads it
  GET /invoices/{id} status      response enum gains 'disputed' -> who reads it (a strict
                                                                   client's enum fails on it)
  POST /refunds 202              success status no longer given -> who expects a 202
  GET /invoices/{id} tags, GET /reports   added                 -> nobody
  GET /accounts                  untouched                      -> nobody

``direction="reverse"`` compares v2 -> v1 with programs written against v2: GET /reports
removed, ``account`` removed (its filter ignored), ``since`` integer -> date-time, ``tags``
removed, ``balance`` number -> string hit who uses them; the rest is harmless that way.
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EVIDENCE = ("pact", "pact-no-traffic", "traffic-only", "pact-bare-list", "pact-misspelt", "partner", "mixed",
            "own-name-pact", "quiet")
# The evidence for which the data says exactly what each of the customer's calls uses.
EXACT = ("pact", "pact-no-traffic", "partner", "own-name-pact")


# ------------------------------------------------------------------ the two specs


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    return out


def _json(schema: dict[str, Any], description: str = "ok") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _page(item: dict[str, Any]) -> dict[str, Any]:
    return _obj({"data": {"type": "array", "items": item}, "next": {"type": "string"}}, ["data"])


def _id_param() -> dict[str, Any]:
    return {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


def spec_v1(shared: bool = False) -> dict[str, Any]:
    """``shared``: the invoice is one component schema, answered by GET /invoices/{id} and
    by POST /invoices (so a change to it is a finding of both operations)."""
    s = {"type": "string"}
    spec: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "Billing", "version": "1.0.0"},
        "servers": [{"url": "https://api.billing.example"}],
        "paths": {
            "/accounts": {"get": {"operationId": "listAccounts", "responses": {"200": _json(_page(_obj(
                {"id": s, "name": s}, ["id"])))}}},
            "/invoices": {
                "get": {
                    "operationId": "listInvoices",
                    "parameters": [{"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                                   {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {"200": _json(_page(_obj({"id": s, "total": s, "memo": s}, ["id", "total"])))},
                },
                "post": {
                    "operationId": "createInvoice",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _obj({
                        "account_id": s, "amount": s, "currency": s, "note": s,
                        "priority": {"type": "string", "enum": ["low", "normal", "high"]},
                    }, ["account_id", "amount"])}}},
                    "responses": {"201": _json(_obj({"id": s, "status": s}, ["id"]), "created")},
                },
            },
            "/invoices/{id}": {
                "parameters": [_id_param()],
                "get": {"operationId": "getInvoice", "responses": {"200": _json(_obj({
                    "id": s, "number": s, "amount": s,
                    "status": {"type": "string", "enum": ["draft", "open", "paid"]},
                    "lines": {"type": "array", "items": _obj({"sku": s, "quantity": {"type": "integer"}})},
                }, ["id", "number", "status"])), "404": {"description": "no such invoice"}}},
                "delete": {"operationId": "deleteInvoice", "responses": {"204": {"description": "deleted"}}},
            },
            "/customers/{id}": {
                "parameters": [_id_param()],
                "get": {"operationId": "getCustomer", "responses": {"200": _json(_obj({
                    "id": s, "email": s, "balance": s}, ["id"]))}},
            },
            "/payments": {"get": {"operationId": "listPayments", "responses": {"200": _json(_page(_obj(
                {"id": s, "amount": s}, ["id"])))}}},
            "/refunds": {"post": {
                "operationId": "createRefund",
                "requestBody": {"required": True, "content": {"application/json": {"schema": _obj(
                    {"payment_id": s, "amount": s}, ["payment_id"])}}},
                "responses": {"200": _json(_obj({"id": s, "state": s}, ["id"]), "refunded"),
                              "202": _json(_obj({"id": s, "state": s}, ["id"]), "queued")},
            }},
        },
    }
    if shared:
        get = spec["paths"]["/invoices/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
        spec["components"] = {"schemas": {"Invoice": get["schema"]}}
        get["schema"] = {"$ref": "#/components/schemas/Invoice"}
        spec["paths"]["/invoices"]["post"]["responses"]["201"] = _json({"$ref": "#/components/schemas/Invoice"}, "created")
    return spec


def spec_v2(shared: bool = False) -> dict[str, Any]:
    spec = copy.deepcopy(spec_v1(shared))
    spec["info"]["version"] = "2.0.0"
    paths = spec["paths"]
    del paths["/invoices/{id}"]["delete"]
    paths["/payments"]["get"]["parameters"] = [{"name": "account", "in": "query", "required": True,
                                                "schema": {"type": "string"}}]
    create = paths["/invoices"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    create["required"] = ["account_id", "amount", "currency"]
    create["properties"]["priority"]["enum"] = ["low", "normal"]
    paths["/invoices"]["get"]["parameters"][0]["schema"] = {"type": "integer"}
    invoice = spec["components"]["schemas"]["Invoice"] if shared else paths["/invoices/{id}"]["get"]["responses"][
        "200"]["content"]["application/json"]["schema"]
    del invoice["properties"]["number"]
    invoice["required"] = ["id", "status"]
    invoice["properties"]["status"]["enum"] = ["draft", "open", "paid", "disputed"]
    invoice["properties"]["tags"] = {"type": "array", "items": {"type": "string"}}
    item = paths["/invoices"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"]["items"]
    del item["properties"]["memo"]
    paths["/customers/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"][
        "balance"] = {"type": "number"}
    del paths["/refunds"]["post"]["responses"]["202"]
    paths["/reports"] = {"get": {"operationId": "listReports", "responses": {"200": _json(_page(_obj(
        {"name": {"type": "string"}})))}}}
    return spec


# ------------------------------------------------------------------ programs


@dataclass
class Call:
    """One call a customer's code makes, as it really makes it."""

    op: str  # METHOD /template
    query: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    status: int = 200
    reads: list[str] = field(default_factory=list)  # response paths, the diff's spelling (data/items/id)
    invoice: bool = False  # the response is the invoice (GET /invoices/{id}; POST /invoices when shared)

    def concrete_path(self) -> str:
        return self.op.split(" ", 1)[1].replace("{id}", "x1")


# What a client built against each version can read (response paths) per operation.
_READS = {
    "GET /accounts": ["data/items/id", "data/items/name"],
    "GET /invoices": ["data/items/id", "data/items/total", "data/items/memo"],
    "POST /invoices": ["id", "status"],
    "GET /invoices/{id}": ["id", "number", "status", "amount", "lines/items/sku"],
    "GET /customers/{id}": ["id", "email", "balance"],
    "DELETE /invoices/{id}": [],
    "GET /payments": ["data/items/id", "data/items/amount"],
    "POST /refunds": ["id", "state"],
    "GET /reports": ["data/items/name"],
}
_V1_ONLY = {"DELETE /invoices/{id}"}
_V2_ONLY = {"GET /reports"}
_AFFECTING_OPS = [op for op in _READS if op != "GET /accounts"]


def _draw_call(rng: random.Random, op: str, version: int, shared: bool = False) -> Call:
    invoice = op == "GET /invoices/{id}" or (shared and op == "POST /invoices")
    vocabulary = _READS["GET /invoices/{id}" if invoice else op]
    reads = [r for r in vocabulary if not (version == 2 and r in ("number", "data/items/memo"))]
    if invoice and version == 2:
        reads = [*reads, "tags"]
    chosen = sorted(rng.sample(reads, rng.randint(1, min(3, len(reads))))) if reads else []
    call = Call(op, reads=chosen, invoice=invoice)
    if op == "GET /invoices":
        if rng.random() < 0.4:
            call.query["since"] = "2024-01-01T00:00:00Z" if version == 1 else "1704067200"
        call.query["limit"] = "20"
    elif op == "GET /payments" and version == 2:
        call.query["account"] = "a1"  # required in v2: a client of v2 sends it
    elif op == "POST /invoices":
        body: dict[str, Any] = {"account_id": "a1", "amount": "10.00"}
        if version == 2 or rng.random() < 0.5:
            body["currency"] = "EUR"
        if rng.random() < 0.5:
            body["priority"] = rng.choice(["low", "normal", "high"] if version == 1 else ["low", "normal"])
        call.body, call.status = body, 201
    elif op == "POST /refunds":
        call.body = {"payment_id": "p1", "amount": "1.00"}
        call.status = 202 if version == 1 and rng.random() < 0.4 else 200
    elif op == "DELETE /invoices/{id}":
        call.status = 204
    return call


# What a careful client leaves alone: the fields and values the changes touch.
_TOUCHED_READS = {"number", "status", "balance", "tags", "data/items/memo"}


def _careful(call: Call) -> Call:
    call.reads = [r for r in call.reads if r not in _TOUCHED_READS] or _READS[call.op][:1]
    call.query.pop("since", None)
    if call.body is not None:
        call.body.pop("priority", None)
        if "account_id" in call.body:
            call.body["currency"] = "EUR"
    if call.op == "POST /refunds":
        call.status = 200
    return call


def draw_program(rng: random.Random, version: int, quiet: bool = False, shared: bool = False) -> list[Call]:
    """The calls of one customer's code: a few operations, or only the untouched one; a
    quarter of them careful (calling changed operations, using nothing that changed)."""
    if quiet:
        return [_draw_call(rng, "GET /accounts", version)]
    careful = rng.random() < 0.25
    ops = [op for op in _AFFECTING_OPS if op not in (_V2_ONLY if version == 1 else _V1_ONLY)
           and not (careful and op in ("DELETE /invoices/{id}", "GET /payments", "GET /reports"))]
    chosen = rng.sample(ops, rng.randint(1, 3))
    if rng.random() < 0.5:
        chosen.append("GET /accounts")
    calls = [_draw_call(rng, op, version, shared) for op in sorted(chosen)]
    return [_careful(c) for c in calls] if careful else calls


# ------------------------------------------------------------------ ground truth


def breaks(call: Call, direction: str) -> list[str]:
    """Why ``call`` fails or is answered otherwise under the revision (empty: it does not)."""
    why: list[str] = []
    reads = set(call.reads)
    if direction == "forward":
        if call.op == "DELETE /invoices/{id}":
            why.append("operation removed")
        if call.op == "GET /payments" and "account" not in call.query:
            why.append("does not send the new required parameter account")
        if call.op == "POST /invoices" and call.body is not None:
            if "currency" not in call.body:
                why.append("does not send currency, now required")
            if call.body.get("priority") == "high":
                why.append("sends priority 'high', no longer allowed")
        if call.op == "GET /invoices" and "since" in call.query:
            why.append("sends since as a date-time, now an integer")
        if call.op == "GET /invoices" and "data/items/memo" in reads:
            why.append("reads memo, removed")
        if call.invoice and "number" in reads:
            why.append("reads number, removed")
        if call.invoice and "status" in reads:
            why.append("reads status, which may now be 'disputed'")
        if call.op == "GET /customers/{id}" and "balance" in reads:
            why.append("reads balance, now a number")
        if call.op == "POST /refunds" and call.status == 202:
            why.append("expects a 202, no longer given")
    else:
        if call.op == "GET /reports":
            why.append("operation removed")
        if call.op == "GET /payments" and "account" in call.query:
            why.append("sends account, which the revision no longer takes (its filter is ignored)")
        if call.op == "GET /invoices" and "since" in call.query:
            why.append("sends since as an integer, now a date-time")
        if call.invoice and "tags" in reads:
            why.append("reads tags, removed")
        if call.op == "GET /customers/{id}" and "balance" in reads:
            why.append("reads balance, now a string")
    return why


# ------------------------------------------------------------------ rendering


def _example(reads: list[str], *, bare_list: bool = False, misspell: str | None = None) -> Any:
    """A response body holding exactly the fields read (as a consumer's Pact writes it)."""
    body: dict[str, Any] = {}
    for path in reads:
        tokens = path.split("/")
        if misspell is not None and path == misspell:
            tokens[-1] = tokens[-1][:-1] + ("z" if tokens[-1][-1] != "z" else "q")
        node: Any = body
        for n, token in enumerate(tokens):
            last = n == len(tokens) - 1
            if token == "items":
                continue
            nxt_is_list = n + 1 < len(tokens) and tokens[n + 1] == "items"
            if last:
                node[token] = 1.5 if token == "balance" else "x"
            elif nxt_is_list:
                lst = node.setdefault(token, [{}])
                node = lst[0]
            else:
                node = node.setdefault(token, {})
    if bare_list and isinstance(body.get("data"), list):
        return body["data"]  # the list written without its envelope
    return body


def _interaction(n: int, call: Call, *, bare_list: bool, misspell: str | None) -> dict[str, Any]:
    method, _ = call.op.split(" ", 1)
    request: dict[str, Any] = {"method": method, "path": call.concrete_path()}
    if call.query:
        request["query"] = {k: [v] for k, v in sorted(call.query.items())}
    if call.body is not None:
        request["body"] = dict(call.body)
        if misspell is not None and misspell.startswith("request:") and misspell[8:] in call.body:
            key = misspell[8:]  # the Pact's writer misspelt a field the consumer really sends
            request["body"][key[:-1] + ("z" if key[-1] != "z" else "q")] = request["body"].pop(key)
        request["headers"] = {"Content-Type": "application/json"}
    response: dict[str, Any] = {"status": call.status}
    if call.reads:
        response["body"] = _example(call.reads, bare_list=bare_list, misspell=misspell)
    return {"description": f"call {n}: {call.op}", "request": request, "response": response}


def _v4(interaction: dict[str, Any]) -> dict[str, Any]:
    """The same interaction as Pact specification v4 writes it (typed, bodies wrapped)."""
    out = copy.deepcopy(interaction)
    out["type"] = "Synchronous/HTTP"
    for part in ("request", "response"):
        if "body" in out[part]:
            out[part]["body"] = {"content": out[part]["body"], "contentType": "application/json", "encoded": False}
    return out


def _pact(consumer: str, calls: list[Call], *, bare_list: bool = False, misspell: str | None = None,
          v4: bool = False) -> dict[str, Any]:
    interactions = [_interaction(n, c, bare_list=bare_list, misspell=misspell) for n, c in enumerate(calls)]
    return {
        "consumer": {"name": consumer}, "provider": {"name": "Billing"},
        "interactions": [_v4(i) for i in interactions] if v4 else interactions,
        "metadata": {"pactSpecification": {"version": "4.0" if v4 else "3.0.0"}},
    }


def _usage(cid: str, calls: list[Call], rng: random.Random, integration: str | None) -> list[dict[str, Any]]:
    out = []
    for call in calls:
        method, _ = call.op.split(" ", 1)
        query = "&".join(f"{k}={v}" for k, v in sorted(call.query.items()))
        line: dict[str, Any] = {"customer": cid, "method": method,
                                "path": call.concrete_path() + (f"?{query}" if query else ""),
                                "status": call.status, "count": rng.randint(1, 40)}
        if integration:
            line["integration"] = integration
        out.append(line)
    return out


@dataclass
class Customer:
    id: str
    evidence: str
    programs: list[list[Call]]  # each the calls of one piece of code (own code, an integration)

    def calls(self) -> list[Call]:
        return [c for p in self.programs for c in p]


@dataclass
class Scenario:
    direction: str
    customers: dict[str, Customer]
    files: dict[str, Path]
    bare_list_interactions: list[tuple[str, str]]  # (consumer, description)
    misspelt_interactions: list[tuple[str, str]]

    def truth(self, cid: str) -> list[str]:
        return [why for c in self.customers[cid].calls() for why in breaks(c, self.direction)]

    def affected(self) -> set[str]:
        return {cid for cid in self.customers if self.truth(cid)}


def generate(seed: int, folder: Path, direction: str = "forward", customers: int = 72,
             shared: bool = False) -> Scenario:
    """Write the specs, customers, integrations, Pacts and usage of one company
    (``shared``: the invoice a component schema of two operations, see spec_v1)."""
    rng = random.Random(f"{seed}:{direction}:{'shared' if shared else 'inline'}")
    version = 1 if direction == "forward" else 2
    folder.mkdir(parents=True, exist_ok=True)
    one, two = spec_v1(shared), spec_v2(shared)
    base, rev = (one, two) if direction == "forward" else (two, one)
    pacts = folder / "pacts"
    pacts.mkdir(exist_ok=True)
    partners = {f"partner{n}": draw_program(rng, version, shared=shared) for n in range(2)}
    partner_members: dict[str, list[str]] = {p: [] for p in partners}
    people: dict[str, Customer] = {}
    integrations: list[dict[str, Any]] = []
    usage: list[dict[str, Any]] = []
    bare: list[tuple[str, str]] = []
    misspelt: list[tuple[str, str]] = []
    for n in range(customers):
        cid = f"cust{n:03d}"
        evidence = EVIDENCE[n % len(EVIDENCE)] if n < len(EVIDENCE) * 2 else rng.choice(EVIDENCE)
        app = f"{cid}-app"
        if evidence == "partner":
            partner = rng.choice(sorted(partners))
            partner_members[partner].append(cid)
            people[cid] = Customer(cid, evidence, [partners[partner]])
            usage += _usage(cid, partners[partner], rng, partner)
            continue
        if evidence == "mixed":
            partner = rng.choice(sorted(partners))
            partner_members[partner].append(cid)
            own = draw_program(rng, version, shared=shared)
            people[cid] = Customer(cid, evidence, [partners[partner], own])
            usage += _usage(cid, partners[partner], rng, partner) + _usage(cid, own, rng, None)
            continue
        calls = draw_program(rng, version, quiet=evidence == "quiet", shared=shared)
        if evidence == "pact-bare-list" and not any(c.op in ("GET /invoices", "GET /payments") for c in calls):
            calls = sorted([*calls, _draw_call(rng, "GET /invoices", version)], key=lambda c: c.op)
        if evidence == "pact-misspelt" and not any(c.reads for c in calls if c.op != "GET /accounts"):
            calls = sorted([*calls, _draw_call(rng, "GET /invoices/{id}", version)], key=lambda c: c.op)
        people[cid] = Customer(cid, evidence, [calls])
        if evidence == "traffic-only":
            usage += _usage(cid, calls, rng, None)
            continue
        if evidence == "quiet":
            if rng.random() < 0.5:
                usage += _usage(cid, calls, rng, None)
                continue
        misspell = None
        if evidence == "pact-misspelt":
            posts = [c for c in calls if c.body]
            if posts and rng.random() < 0.5:
                target = posts[0]
                assert target.body is not None
                misspell = "request:" + ("currency" if "currency" in target.body else sorted(target.body)[0])
            else:
                target = next(c for c in calls if c.reads and c.op != "GET /accounts")
                misspell = target.reads[0]
            misspelt.append((app, f"call {calls.index(target)}: {target.op}"))
        if evidence == "pact-bare-list":
            bare += [(app, f"call {i}: {c.op}") for i, c in enumerate(calls)
                     if c.op in ("GET /invoices", "GET /payments", "GET /accounts", "GET /reports") and c.reads]
        consumer = cid if evidence == "own-name-pact" else app
        (pacts / f"{consumer}.json").write_text(json.dumps(_pact(
            consumer, calls, bare_list=evidence == "pact-bare-list", misspell=misspell,
            v4=evidence == "own-name-pact"), indent=1), encoding="utf-8")
        if evidence != "own-name-pact":
            integrations.append({"id": app, "name": f"{cid}'s app", "kind": "app", "contract": app, "customers": [cid]})
        if evidence != "pact-no-traffic":
            usage += _usage(cid, calls, rng, None if evidence == "own-name-pact" else app)
    for partner, calls in sorted(partners.items()):
        (pacts / f"{partner}.json").write_text(json.dumps(_pact(partner, calls, v4=partner.endswith("1")), indent=1),
                                               encoding="utf-8")
        integrations.append({"id": partner, "name": partner.title(), "kind": "partner", "contract": partner,
                             "customers": partner_members[partner]})
    files = {
        "base": folder / "base.json", "revision": folder / "revision.json",
        "customers": folder / "customers.csv", "integrations": folder / "integrations.yaml",
        "usage": folder / "usage.jsonl", "contracts": pacts,
    }
    files["base"].write_text(json.dumps(base, indent=1), encoding="utf-8")
    files["revision"].write_text(json.dumps(rev, indent=1), encoding="utf-8")
    files["customers"].write_text("id,name,plan,monthly_revenue\n" + "".join(
        f"{cid},Customer {cid[4:]},{rng.choice(['free', 'pro', 'enterprise'])},{rng.randint(0, 9000)}\n"
        for cid in sorted(people)), encoding="utf-8")
    files["integrations"].write_text(yaml.safe_dump({"integrations": integrations}, sort_keys=False), encoding="utf-8")
    files["usage"].write_text("".join(json.dumps(u, sort_keys=True) + "\n" for u in usage), encoding="utf-8")
    return Scenario(direction, people, files, bare, misspelt)


def _full_response(call: Call, version: int) -> Any:
    """What the server of the base really answered: every field it documents, not only
    those the customer reads."""
    reads = {"GET /invoices/{id}": ["id", "number", "status", "amount", "lines/items/sku"] if version == 1
             else ["id", "status", "amount", "lines/items/sku", "tags"]}.get(call.op, _READS[call.op])
    if call.op == "GET /invoices" and version == 2:
        reads = ["data/items/id", "data/items/total"]
    body = _example(reads)
    if "status" in body and call.op == "GET /invoices/{id}":
        body["status"] = "open"
    if "tags" in body:
        body["tags"] = ["x"]
    if call.op == "GET /customers/{id}":
        body["balance"] = "1.50" if version == 1 else 1.5
    return body if reads else None


def write_replay(scenario: Scenario, path: Path) -> list[str]:
    """Recorded request/response pairs (JSON lines) of the traffic-only customers' calls,
    as the base answered them; returns the customers recorded."""
    version = 1 if scenario.direction == "forward" else 2
    lines = []
    recorded = []
    for cid, customer in sorted(scenario.customers.items()):
        if customer.evidence != "traffic-only":
            continue
        recorded.append(cid)
        for call in customer.calls():
            method, _ = call.op.split(" ", 1)
            query = "&".join(f"{k}={v}" for k, v in sorted(call.query.items()))
            request: dict[str, Any] = {"method": method, "url": call.concrete_path() + (f"?{query}" if query else "")}
            if call.body is not None:
                request["body"] = call.body
                request["headers"] = {"Content-Type": "application/json"}
            response: dict[str, Any] = {"status": call.status}
            body = _full_response(call, version) if call.status != 204 else None
            if body is not None:
                response["body"] = body
            lines.append(json.dumps({"customer": cid, "request": request, "response": response}, sort_keys=True))
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return recorded
