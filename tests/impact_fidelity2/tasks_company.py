"""A generated task-tracker company with known ground truth (impact fidelity, second set).

It differs from the billing company of tests/impact_fidelity on every axis trustguard reads:

- the API: a server with a base path (``/v1``), path parameters at two and three levels
  (``/orgs/{org}/projects/{project}/tasks/{task}``), a literal segment overlapping a
  parameter (``.../tasks/export`` beside ``.../tasks/{task}``), a HEAD operation and HEAD
  calls of a GET-only operation, query
  strings on the logged paths, a public operation without security;
- the logs: access logs, not trustguard's usage lines -- nginx JSON (``escape=json``) with
  the customer's API key in ``$http_x_api_key``, Apache/nginx combined or ALB lines with
  the key in the query (``?api_key=``), or combined lines naming the tenant only in the
  path (``/v1/orgs/<customer>/...``: ``--customer-from path:org``); one line per request; several keys per customer;
  keys that belong to nobody; malformed lines; paths no operation has; a glob of two
  files, one of them gzip;
- the customers: an API key list, customers that never call, a revenue profile either
  spread over many small accounts or concentrated in one whale;
- the evidence: usage logs only, an own app's Pact (with its headers and query), a Pact
  and no traffic, declared integration fields, a partner app shared by many customers;
- the changes (v1 -> v2): an operation removed next to an overlapping template, a
  response field renamed (removed + added), a request enum narrowed, a query-parameter
  enum narrowed, a new required header, security added to a public operation, an
  operation deprecated with a sunset date, and untouched operations (GET, HEAD).

Every customer runs a *program*: the calls its code really makes (path values, query,
headers, body, the fields it reads). The ground truth (``Company.truth``) is written from
what each of those calls meets under v2 (``breaks``), never from trustguard's output.
"""

from __future__ import annotations

import copy
import dataclasses
import gzip
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from spec_parts import example_body, json_response, obj, path_param

EVIDENCE = ("traffic", "pact", "pact-no-traffic", "declared", "partner", "quiet", "silent")
# what the data says exactly, call by call (a Pact's interactions, declared field lists)
EXACT = ("pact", "pact-no-traffic", "declared", "partner")

ORG = "/orgs/{org}"
PROJ = ORG + "/projects/{project}"
TASKS = PROJ + "/tasks"
TASK = TASKS + "/{task}"
EXPORT = TASKS + "/export"

OPS = {
    "LIST_PROJECTS": f"GET {ORG}/projects",
    "LIST_TASKS": f"GET {TASKS}",
    "CREATE_TASK": f"POST {TASKS}",
    "EXPORT": f"GET {EXPORT}",
    "GET_TASK": f"GET {TASK}",
    "HEAD_TASK": f"HEAD {TASK}",
    "DELETE_TASK": f"DELETE {TASK}",
    "REPORTS": f"GET {ORG}/reports",
    "MEMBERS": f"GET {ORG}/members",
    "STATUS": "GET /status",
    # no HEAD in the spec: HTTP answers it as the GET (a client checking that an export is
    # ready), so it is a call of GET .../export and goes with it
    "HEAD_EXPORT": f"HEAD {EXPORT}",
}
ROUTED = {OPS["HEAD_EXPORT"]: OPS["EXPORT"]}  # a call -> the spec operation it is a call of
UNTOUCHED = {OPS["LIST_PROJECTS"], OPS["GET_TASK"], OPS["HEAD_TASK"], OPS["STATUS"]}


# ------------------------------------------------------------------ the two specs


S = {"type": "string"}
_TASK_ITEM = {"id": S, "title": S, "assignee": S, "state": {"type": "string", "enum": ["open", "done", "archived"]}}


def spec_v1() -> dict[str, Any]:
    task = obj(dict(_TASK_ITEM), ["id", "title"])
    return {
        "openapi": "3.0.3",
        "info": {"title": "Tasks", "version": "1.0.0"},
        "servers": [{"url": "https://api.tasks.example/v1"}],
        "components": {"securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
        }},
        "security": [{"key": []}],
        "paths": {
            "/status": {"get": {"operationId": "status", "security": [],
                                "responses": {"200": json_response(obj({"ok": {"type": "boolean"}}))}}},
            f"{ORG}/projects": {"parameters": [path_param("org")], "get": {
                "operationId": "listProjects",
                "responses": {"200": json_response(obj({"data": {"type": "array", "items": obj({"id": S, "name": S})}}))}}},
            TASKS: {
                "parameters": [path_param("org"), path_param("project")],
                "get": {"operationId": "listTasks", "parameters": [
                    {"name": "state", "in": "query", "schema": {"type": "string", "enum": ["open", "done", "archived"]}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {"200": json_response(obj({"data": {"type": "array", "items": obj(
                        dict(_TASK_ITEM), ["id", "title"])}, "next": S}, ["data"]))}},
                "post": {"operationId": "createTask", "requestBody": {"required": True, "content": {
                    "application/json": {"schema": obj({
                        "title": S, "labels": {"type": "array", "items": S},
                        "priority": {"type": "string", "enum": ["low", "normal", "urgent"]}}, ["title"])}}},
                    "responses": {"201": json_response(obj({"id": S, "title": S}, ["id"]), "created")}},
            },
            EXPORT: {"parameters": [path_param("org"), path_param("project")], "get": {
                "operationId": "exportTasks", "responses": {"200": json_response(obj({"url": S}, ["url"]))}}},
            TASK: {
                "parameters": [path_param("org"), path_param("project"), path_param("task")],
                "get": {"operationId": "getTask", "responses": {"200": json_response(task), "404": {"description": "none"}}},
                "head": {"operationId": "taskExists", "responses": {"200": {"description": "exists"},
                                                                    "404": {"description": "none"}}},
                "delete": {"operationId": "deleteTask", "responses": {"204": {"description": "deleted"}}},
            },
            f"{ORG}/reports": {"parameters": [path_param("org")], "get": {
                "operationId": "listReports",
                "responses": {"200": json_response(obj({"data": {"type": "array", "items": obj({"name": S})}}))}}},
            f"{ORG}/members": {"parameters": [path_param("org")], "get": {
                "operationId": "listMembers", "security": [],
                "responses": {"200": json_response(obj({"data": {"type": "array", "items": obj({"login": S})}}))}}},
        },
    }


def spec_v2() -> dict[str, Any]:
    spec = copy.deepcopy(spec_v1())
    spec["info"]["version"] = "2.0.0"
    paths = spec["paths"]
    del paths[EXPORT]
    listing = paths[TASKS]["get"]
    item = listing["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"]["items"]
    item["properties"]["owner"] = item["properties"].pop("assignee")  # renamed
    listing["parameters"][0]["schema"]["enum"] = ["open", "done"]  # 'archived' no longer filtered
    body = paths[TASKS]["post"]["requestBody"]["content"]["application/json"]["schema"]
    body["properties"]["priority"]["enum"] = ["low", "normal"]
    paths[TASK]["delete"]["parameters"] = [{"name": "X-Confirm-Delete", "in": "header", "required": True,
                                            "schema": {"type": "string"}}]
    paths[f"{ORG}/reports"]["get"]["deprecated"] = True
    paths[f"{ORG}/reports"]["get"]["x-sunset"] = "2027-06-30"
    spec["components"]["securitySchemes"]["sso"] = {"type": "http", "scheme": "bearer"}
    paths[f"{ORG}/members"]["get"]["security"] = [{"sso": []}]
    return spec


# ------------------------------------------------------------------ programs


@dataclass
class Call:
    """One call a customer's code makes, as it really makes it."""

    op: str
    values: dict[str, str]  # path parameter values
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # besides the API key
    body: dict[str, Any] | None = None
    status: int = 200
    reads: list[str] = field(default_factory=list)

    @property
    def method(self) -> str:
        return self.op.split(" ", 1)[0]

    def concrete_path(self) -> str:
        path = self.op.split(" ", 1)[1]
        for name, value in self.values.items():
            path = path.replace("{" + name + "}", value)
        return path

    def target(self, extra: dict[str, str] | None = None) -> str:
        query = {**self.query, **(extra or {})}
        qs = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
        return "/v1" + self.concrete_path() + (f"?{qs}" if qs else "")


_READS = {
    OPS["LIST_PROJECTS"]: ["data/items/id", "data/items/name"],
    OPS["LIST_TASKS"]: ["data/items/id", "data/items/title", "data/items/assignee", "data/items/state", "next"],
    OPS["CREATE_TASK"]: ["id", "title"],
    OPS["EXPORT"]: ["url"],
    OPS["GET_TASK"]: ["id", "title", "assignee", "state"],
    OPS["HEAD_TASK"]: [],
    OPS["DELETE_TASK"]: [],
    OPS["REPORTS"]: ["data/items/name"],
    OPS["MEMBERS"]: ["data/items/login"],
    OPS["STATUS"]: ["ok"],
    OPS["HEAD_EXPORT"]: [],
}


def draw_call(rng: random.Random, op: str) -> Call:
    values = {"org": f"org{rng.randint(1, 9)}", "project": f"p{rng.randint(10, 99)}", "task": f"t{rng.randint(100, 999)}"}
    used = {k: v for k, v in values.items() if "{" + k + "}" in op}
    vocabulary = _READS[op]
    reads = sorted(rng.sample(vocabulary, rng.randint(1, min(3, len(vocabulary))))) if vocabulary else []
    call = Call(op, used, reads=reads)
    if op == OPS["LIST_TASKS"]:
        if rng.random() < 0.5:
            call.query["state"] = rng.choice(["open", "done", "archived"])
        if rng.random() < 0.5:
            call.query["limit"] = "50"
    elif op == OPS["CREATE_TASK"]:
        call.body = {"title": "write docs"}
        if rng.random() < 0.6:
            call.body["priority"] = rng.choice(["low", "normal", "urgent"])
        if rng.random() < 0.3:
            call.body["labels"] = ["docs"]
        call.status = 201
    elif op == OPS["DELETE_TASK"]:
        call.status = 204
    elif op == OPS["HEAD_TASK"]:
        call.status = rng.choice([200, 404])
    return call


def draw_program(rng: random.Random, quiet: bool = False) -> list[Call]:
    if quiet:
        ops = rng.sample(sorted(UNTOUCHED), rng.randint(1, 3))
    else:
        ops = rng.sample(sorted(OPS.values()), rng.randint(1, 4))
    return [draw_call(rng, op) for op in sorted(ops)]


# ------------------------------------------------------------------ ground truth


def breaks(call: Call) -> list[str]:
    """Why ``call`` fails, or is answered otherwise, under v2 (empty: it does not)."""
    why = []
    if call.op == OPS["EXPORT"]:
        why.append("operation removed (the path now routes to GET .../tasks/{task}, no task 'export')")
    if call.op == OPS["HEAD_EXPORT"]:
        why.append("checks the export with HEAD: gone with the GET")
    if call.op == OPS["LIST_TASKS"]:
        if "data/items/assignee" in call.reads:
            why.append("reads assignee, renamed owner")
        if call.query.get("state") == "archived":
            why.append("filters on state=archived, no longer allowed")
    if call.op == OPS["CREATE_TASK"] and (call.body or {}).get("priority") == "urgent":
        why.append("sends priority 'urgent', no longer allowed")
    if call.op == OPS["DELETE_TASK"] and "X-Confirm-Delete" not in call.headers:
        why.append("does not send X-Confirm-Delete, now required")
    if call.op == OPS["MEMBERS"]:
        why.append("sends no bearer token, now required")
    # GET .../reports deprecated with a sunset: still answered as before (nothing breaks today)
    return why


# ------------------------------------------------------------------ rendering


def _interaction(n: int, call: Call, key: str) -> dict[str, Any]:
    request: dict[str, Any] = {"method": call.method, "path": "/v1" + call.concrete_path(),
                               "headers": {"X-Api-Key": key, **call.headers}}
    if call.query:
        request["query"] = {k: [v] for k, v in sorted(call.query.items())}
    if call.body is not None:
        request["body"] = call.body
        request["headers"]["Content-Type"] = "application/json"
    response: dict[str, Any] = {"status": call.status}
    if call.reads:
        response["body"] = example_body(call.reads)
    return {"description": f"call {n}: {call.op}", "request": request, "response": response}


def _pact(consumer: str, calls: list[Call], key: str) -> dict[str, Any]:
    return {"consumer": {"name": consumer}, "provider": {"name": "Tasks"},
            "interactions": [_interaction(n, c, key) for n, c in enumerate(calls)],
            "metadata": {"pactSpecification": {"version": "3.0.0"}}}


def _declared(calls: list[Call]) -> list[dict[str, Any]]:
    """An integrations file's statement of each call: the fields read and sent, the query
    and header parameters sent."""
    out = []
    for call in calls:
        entry: dict[str, Any] = {"operation": call.op, "response_fields": list(call.reads),
                                 "request_fields": sorted(call.body or {}),
                                 "parameters": sorted([*call.query, *call.headers])}
        out.append(entry)
    return out


@dataclass
class Customer:
    id: str
    evidence: str
    revenue: float
    keys: list[str]
    programs: list[list[Call]]

    def calls(self) -> list[Call]:
        return [c for p in self.programs for c in p]


@dataclass
class Company:
    fmt: str  # nginx-json | combined | alb | tenant (combined lines, the customer the {org} of the path)
    profile: str  # spread | whale
    customers: dict[str, Customer]
    files: dict[str, Any]
    requests: dict[tuple[str, str], int]  # (customer, spec operation) -> requests logged
    unknown_key_requests: int  # requests that name no customer of the list (or none at all)
    malformed_lines: int
    unmatched_requests: int
    pick: str  # --customer-from
    partner_calls: list[Call]  # what the partner app (TaskBridge) calls for its customers

    def truth(self, cid: str) -> list[str]:
        return [why for c in self.customers[cid].calls() for why in breaks(c)]

    def affected(self) -> set[str]:
        return {cid for cid in self.customers if self.truth(cid)}

    def callers(self, op: str) -> set[str]:
        """Customers whose code calls ``op`` (whether logs or contracts show it)."""
        return {cid for cid, c in self.customers.items() if any(ROUTED.get(call.op, call.op) == op for call in c.calls())}


_AGENTS = ["curl/8.4", "tasks-sdk/2.1 (python)", "Mozilla/5.0"]


def _log_line(rng: random.Random, fmt: str, call: Call, key: str | None, second: int) -> str:
    status = call.status
    if fmt == "nginx-json":
        row: dict[str, Any] = {"time_local": f"02/Dec/2026:10:{second // 60 % 60:02d}:{second % 60:02d} +0000",
                               "remote_addr": f"10.0.{rng.randint(0, 9)}.{rng.randint(1, 254)}",
                               "request": f"{call.method} {call.target()} HTTP/1.1", "status": status,
                               "body_bytes_sent": rng.randint(0, 900), "http_user_agent": rng.choice(_AGENTS),
                               "http_x_api_key": key or "-"}
        return json.dumps(row)
    extra = {"api_key": key} if key and fmt != "tenant" else {}  # a tenant is named by its path
    if fmt == "alb":  # the documented fields in order; the request's URL carries scheme, host and port
        stamp = f"2026-12-02T10:{second // 60 % 60:02d}:{second % 60:02d}.{rng.randrange(10 ** 6):06d}Z"
        return (f'https {stamp} app/tasks-lb/50dc6c495c0c9188 10.2.{rng.randint(0, 9)}.{rng.randint(1, 254)}:'
                f'{rng.randint(1024, 65535)} 10.0.0.5:8080 0.000 0.004 0.000 {status} {status} 120 {rng.randint(0, 900)} '
                f'"{call.method} https://api.tasks.example:443{call.target(extra)} HTTP/1.1" "{rng.choice(_AGENTS)}" '
                f'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/tasks/1 '
                f'"Root=1-58337262-{rng.randrange(16 ** 8):08x}" "api.tasks.example" "-" 0 {stamp} "forward" "-" "-" '
                f'"10.0.0.5:8080" "{status}" "-" "-" TID_{rng.randrange(16 ** 6):06x}')
    return (f'10.1.{rng.randint(0, 9)}.{rng.randint(1, 254)} - - [02/Dec/2026:10:{second // 60 % 60:02d}:'
            f'{second % 60:02d} +0000] "{call.method} {call.target(extra)} HTTP/1.1" {status} {rng.randint(0, 900)} '
            f'"-" "{rng.choice(_AGENTS)}"')


def _malformed(rng: random.Random, fmt: str) -> str:
    if fmt == "nginx-json":
        return rng.choice(['{"request": "GET /v1/status HTTP/1.1", "status": 200', "not json at all", "[1, 2]"])
    if fmt == "alb":
        return rng.choice(["garbage", "https 2026-12-02T10:00:00Z cut", 'h3 2026-12-02T10:00:00.1Z x "GET / HTTP/1.1"'])
    return rng.choice(["garbage", '10.0.0.1 - - [02/Dec/2026:10:00:00 +0000] "GET /v1/status HTTP/1.1" ok 1',
                       '10.0.0.1 - - 02/Dec/2026 "GET /v1/status" 200 1'])


def generate(seed: int, folder: Path, fmt: str = "nginx-json", profile: str = "spread",
             customers: int = 60) -> Company:
    rng = random.Random(f"tasks:{seed}:{fmt}:{profile}")
    folder.mkdir(parents=True, exist_ok=True)
    pacts = folder / "pacts"
    pacts.mkdir(exist_ok=True)
    partner_calls = draw_program(rng)
    if not any(breaks(c) for c in partner_calls):
        partner_calls.append(draw_call(rng, OPS["EXPORT"]))
    members: list[str] = []
    people: dict[str, Customer] = {}
    integrations: list[dict[str, Any]] = []
    for n in range(customers):
        cid = f"acct-{n:03d}"
        evidence = EVIDENCE[n % len(EVIDENCE)] if n < 2 * len(EVIDENCE) else rng.choice(EVIDENCE)
        if profile == "whale" and n == 3:
            revenue = 40000.0 + rng.randint(0, 20000)
        elif profile == "whale":
            revenue = float(rng.randint(5, 300))
        else:
            revenue = float(rng.randint(60, 140))
        keys = [f"tk_{seed}_{n}_{k}_{rng.randrange(16 ** 6):06x}" for k in range(rng.randint(1, 3))]
        if evidence == "partner":
            members.append(cid)
            programs = [partner_calls]
        elif evidence == "silent":
            programs = []
        else:
            programs = [draw_program(rng, quiet=evidence == "quiet")]
        people[cid] = Customer(cid, evidence, revenue, keys, programs)
        app = f"{cid}-app"
        if evidence in ("pact", "pact-no-traffic"):
            (pacts / f"{app}.json").write_text(json.dumps(_pact(app, programs[0], keys[0]), indent=1), encoding="utf-8")
            integrations.append({"id": app, "name": f"{cid}'s app", "kind": "app", "contract": app, "customers": [cid]})
        elif evidence == "declared":
            integrations.append({"id": app, "name": f"{cid}'s app", "kind": "app", "customers": [cid],
                                 "operations": _declared(programs[0])})
    (pacts / "taskbridge.json").write_text(json.dumps(_pact("taskbridge", partner_calls, "partner-key"), indent=1),
                                           encoding="utf-8")
    integrations.append({"id": "taskbridge", "name": "TaskBridge", "kind": "partner", "contract": "taskbridge",
                         "customers": members})

    # the logs: one line per request, in two files (the second gzip), shuffled
    lines: list[str] = []
    requests: dict[tuple[str, str], int] = {}
    second = 0
    tenantless = 0
    for cid, customer in people.items():
        if customer.evidence == "pact-no-traffic":
            continue
        for call in customer.calls():
            if fmt == "tenant" and "org" in call.values:
                call = dataclasses.replace(call, values={**call.values, "org": cid})  # the tenant's own org
            for _ in range(rng.randint(1, 6)):
                lines.append(_log_line(rng, fmt, call, rng.choice(customer.keys), second))
                if fmt == "tenant" and "org" not in call.values:
                    tenantless += 1  # GET /status names no tenant: counted, attributed to no one
                else:
                    key = (cid, ROUTED.get(call.op, call.op))
                    requests[key] = requests.get(key, 0) + 1
                second += 1
    unknown = tenantless
    for _ in range(rng.randint(3, 8)):  # keys nobody holds (a revoked key, a typo)
        lines.append(_log_line(rng, fmt, draw_call(rng, OPS["EXPORT"]), f"tk_revoked_{rng.randrange(10 ** 6)}", second))
        unknown += 1
    unmatched = 0
    for path in ("/v1/healthz", "/v1/orgs/org1/webhooks", "/favicon.ico"):
        for _ in range(rng.randint(1, 3)):
            lines.append(_log_line(rng, fmt, Call(f"GET {path[3:] if path.startswith('/v1') else path}", {}),
                                   people["acct-000"].keys[0], second).replace("/v1/favicon.ico", "/favicon.ico"))
            unmatched += 1
    malformed = rng.randint(2, 5)
    lines += [_malformed(rng, fmt) for _ in range(malformed)]
    rng.shuffle(lines)
    half = len(lines) // 2
    logs = folder / "logs"
    logs.mkdir(exist_ok=True)
    (logs / "access-1.log").write_text("".join(line + "\n" for line in lines[:half]), encoding="utf-8")
    with gzip.open(logs / "access-2.log.gz", "wt", encoding="utf-8") as out:
        out.write("".join(line + "\n" for line in lines[half:]))

    files: dict[str, Any] = {
        "base": folder / "v1.json", "revision": folder / "v2.json", "customers": folder / "customers.csv",
        "integrations": folder / "integrations.yaml", "usage": str(logs / "access-*"), "contracts": pacts,
    }
    files["base"].write_text(json.dumps(spec_v1(), indent=1), encoding="utf-8")
    files["revision"].write_text(json.dumps(spec_v2(), indent=1), encoding="utf-8")
    files["customers"].write_text("id,name,plan,segment,monthly_revenue,api_keys\n" + "".join(
        f"{c.id},Account {c.id[5:]},{rng.choice(['team', 'business'])},{rng.choice(['smb', 'edu'])},"
        f"{c.revenue:.2f},{';'.join(c.keys)}\n" for c in people.values()), encoding="utf-8")
    files["integrations"].write_text(yaml.safe_dump({"integrations": integrations}, sort_keys=False), encoding="utf-8")
    pick = {"nginx-json": "header:X-Api-Key", "tenant": "path:org"}.get(fmt, "query:api_key")
    return Company(fmt, profile, people, files, requests, unknown, malformed, unmatched, pick, partner_calls)


def expected_flags(revenues: list[float], total: float, *, shock_customers: int = 20, shock_share: float = 0.05,
                   whale_share: float = 0.25, whale_customers: int = 3) -> set[str]:
    """The flags as docs/impact.md defines them, from the affected customers' revenues."""
    flags = set()
    if sum(r <= shock_share * total for r in revenues) >= shock_customers:
        flags.add("community-shock")
    if revenues and sum(sorted(revenues, reverse=True)[:whale_customers]) >= whale_share * total:
        flags.add("whale-concentration")
    return flags
