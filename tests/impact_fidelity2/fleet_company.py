"""A generated fleet-management company with known ground truth: changes of a shape the
billing and task-tracker companies do not have.

- The API (servers at ``/api``): one ``Vehicle`` component schema answered by three
  operations (a list, a read, an update), a nested object in it (``location``), a
  driver, trips, a ping.
- The changes (v1 -> v2): ``location/updated_at`` removed from the shared schema (hits
  who reads it through any of the three operations); ``odometer`` integer -> string
  (its readers); the ``region`` query parameter of the list removed (its filter is then
  ignored: who sends it gets every vehicle); ``legacy_code`` removed from the trip request
  body (who sends it is refused: the body closes with ``additionalProperties: false``);
  the required ``phone`` of a driver removed (its readers); and changes that break
  nobody: a trip's ``distance_km`` number -> integer in a response (an integer is a
  number to its readers), a request enum that gains a value, GET /ping untouched.
- The data: trustguard's own usage lines naming the customer by one of its API keys
  (``api_key``) and, for an app's calls, the ``integration``; Pacts of own apps, a Pact
  named after the customer (its own code, Pact v4), a partner shared by many customers
  (some of which also call with code of their own), usage only, customers that never
  call; revenue either spread or with one whale.

The ground truth (``Fleet.truth``) is what each customer's calls meet under v2.
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from spec_parts import example_body, json_response, obj, path_param

EVIDENCE = ("traffic", "pact", "own-name-pact", "partner", "mixed", "quiet", "silent")
VEHICLE_OPS = ("GET /vehicles", "GET /vehicles/{vehicleId}", "PUT /vehicles/{vehicleId}")
TRIPS = "GET /vehicles/{vehicleId}/trips"
UNTOUCHED = ("GET /ping",)
S = {"type": "string"}


VEHICLE_REF = {"$ref": "#/components/schemas/Vehicle"}


def spec_v1() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Fleet", "version": "1.0.0"},
        "servers": [{"url": "https://fleet.example/api"}],
        "components": {"schemas": {"Vehicle": obj({
            "id": S, "plate": S, "status": {"type": "string", "enum": ["active", "retired"]},
            "location": obj({"lat": {"type": "number"}, "lng": {"type": "number"}, "updated_at": S}),
            "odometer": {"type": "integer"},
        }, ["id", "plate"])}},
        "paths": {
            "/ping": {"get": {"operationId": "ping", "responses": {"200": json_response(obj({"ok": {"type": "boolean"}}))}}},
            "/vehicles": {"get": {"operationId": "listVehicles", "parameters": [
                {"name": "region", "in": "query", "schema": S}, {"name": "page", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"200": json_response(obj({"data": {"type": "array", "items": VEHICLE_REF}}, ["data"]))}}},
            "/vehicles/{vehicleId}": {
                "parameters": [path_param("vehicleId")],
                "get": {"operationId": "getVehicle", "responses": {"200": json_response(VEHICLE_REF)}},
                "put": {"operationId": "updateVehicle", "requestBody": {"required": True, "content": {
                    "application/json": {"schema": obj({
                        "plate": S, "notes": S, "status": {"type": "string", "enum": ["active", "retired"]}})}}},
                    "responses": {"200": json_response(VEHICLE_REF)}},
            },
            TRIPS.split(" ", 1)[1]: {"parameters": [path_param("vehicleId")], "get": {
                "operationId": "listTrips", "responses": {"200": json_response(obj({"data": {"type": "array", "items": obj({
                    "id": S, "distance_km": {"type": "number"}, "started_at": S})}}))}}},
            "/trips": {"post": {"operationId": "createTrip", "requestBody": {"required": True, "content": {
                "application/json": {"schema": obj({"vehicle_id": S, "driver_id": S, "legacy_code": S},
                                                     ["vehicle_id"], closed=True)}}},
                "responses": {"201": json_response(obj({"id": S}, ["id"]), "created")}}},
            "/drivers/{driverId}": {"parameters": [path_param("driverId")], "get": {
                "operationId": "getDriver", "responses": {"200": json_response(obj({"id": S, "name": S, "phone": S},
                                                                            ["id", "name", "phone"]))}}},
        },
    }


def spec_v2() -> dict[str, Any]:
    spec = copy.deepcopy(spec_v1())
    spec["info"]["version"] = "2.0.0"
    vehicle = spec["components"]["schemas"]["Vehicle"]["properties"]
    del vehicle["location"]["properties"]["updated_at"]
    vehicle["odometer"] = {"type": "string"}
    paths = spec["paths"]
    paths["/vehicles"]["get"]["parameters"] = [p for p in paths["/vehicles"]["get"]["parameters"] if p["name"] != "region"]
    del paths["/trips"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["legacy_code"]
    driver = paths["/drivers/{driverId}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    del driver["properties"]["phone"]
    driver["required"] = ["id", "name"]
    trip = paths["/vehicles/{vehicleId}/trips"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    trip["properties"]["data"]["items"]["properties"]["distance_km"] = {"type": "integer"}
    put = paths["/vehicles/{vehicleId}"]["put"]["requestBody"]["content"]["application/json"]["schema"]
    put["properties"]["status"]["enum"] = ["active", "retired", "maintenance"]
    return spec


_VEHICLE_READS = ["id", "plate", "status", "location/lat", "location/updated_at", "odometer"]
_READS = {
    "GET /ping": ["ok"],
    "GET /vehicles": ["data/items/" + r for r in _VEHICLE_READS],
    "GET /vehicles/{vehicleId}": _VEHICLE_READS,
    "PUT /vehicles/{vehicleId}": _VEHICLE_READS,
    TRIPS: ["data/items/id", "data/items/distance_km", "data/items/started_at"],
    "POST /trips": ["id"],
    "GET /drivers/{driverId}": ["id", "name", "phone"],
}


@dataclass
class Call:
    op: str
    query: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    status: int = 200
    reads: list[str] = field(default_factory=list)

    def path(self) -> str:
        template = self.op.split(" ", 1)[1]
        return "/api" + template.replace("{vehicleId}", "v-17").replace("{driverId}", "d-4")

    def target(self) -> str:
        qs = "&".join(f"{k}={v}" for k, v in sorted(self.query.items()))
        return self.path() + (f"?{qs}" if qs else "")


def draw_call(rng: random.Random, op: str) -> Call:
    vocabulary = _READS[op]
    call = Call(op, reads=sorted(rng.sample(vocabulary, rng.randint(1, min(3, len(vocabulary))))))
    if op == "GET /vehicles":
        if rng.random() < 0.4:
            call.query["region"] = rng.choice(["eu", "us"])
        if rng.random() < 0.5:
            call.query["page"] = "2"
    elif op == "PUT /vehicles/{vehicleId}":
        call.body = {"plate": "AB-123"}
        if rng.random() < 0.5:
            call.body["status"] = rng.choice(["active", "retired"])
    elif op == "POST /trips":
        call.body = {"vehicle_id": "v-17"}
        if rng.random() < 0.5:
            call.body["driver_id"] = "d-4"
        if rng.random() < 0.35:
            call.body["legacy_code"] = "LC9"
        call.status = 201
    return call


def draw_program(rng: random.Random, quiet: bool = False) -> list[Call]:
    if quiet:
        return [draw_call(rng, "GET /ping")]
    ops = rng.sample(sorted(_READS), rng.randint(1, 3))
    return [draw_call(rng, op) for op in sorted(ops)]


def breaks(call: Call) -> list[str]:
    why = []
    reads = set(call.reads)
    if call.op in VEHICLE_OPS:
        prefix = "data/items/" if call.op == "GET /vehicles" else ""
        if prefix + "location/updated_at" in reads:
            why.append("reads location.updated_at, removed")
        if prefix + "odometer" in reads:
            why.append("reads odometer, now a string")
    if call.op == "GET /vehicles" and "region" in call.query:
        why.append("filters by region, no longer taken (it gets every region's vehicles)")
    if call.op == "POST /trips" and "legacy_code" in (call.body or {}):
        why.append("sends legacy_code, refused by the closed body")
    if call.op == "GET /drivers/{driverId}" and "phone" in reads:
        why.append("reads phone, removed")
    # distance_km number -> integer, status enum + 'maintenance' in a request: nobody breaks
    return why


def _interaction(n: int, call: Call) -> dict[str, Any]:
    method = call.op.split(" ", 1)[0]
    request: dict[str, Any] = {"method": method, "path": call.path()}
    if call.query:
        request["query"] = {k: [v] for k, v in sorted(call.query.items())}
    if call.body is not None:
        request["body"] = call.body
        request["headers"] = {"Content-Type": "application/json"}
    response: dict[str, Any] = {"status": call.status, "body": example_body(call.reads, {"odometer": 1200, "lat": 1.5, "distance_km": 3.5})}
    return {"description": f"call {n}: {call.op}", "request": request, "response": response}


def _v4(i: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(i)
    out["type"] = "Synchronous/HTTP"
    for part in ("request", "response"):
        if "body" in out[part]:
            out[part]["body"] = {"content": out[part]["body"], "contentType": "application/json", "encoded": False}
    return out


def _pact(consumer: str, calls: list[Call], v4: bool = False) -> dict[str, Any]:
    interactions = [_interaction(n, c) for n, c in enumerate(calls)]
    return {"consumer": {"name": consumer}, "provider": {"name": "Fleet"},
            "interactions": [_v4(i) for i in interactions] if v4 else interactions,
            "metadata": {"pactSpecification": {"version": "4.0" if v4 else "3.0.0"}}}


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
class Fleet:
    customers: dict[str, Customer]
    files: dict[str, Path]
    requests: dict[tuple[str, str], int]  # (customer, operation) -> requests logged

    def truth(self, cid: str) -> list[str]:
        return [why for c in self.customers[cid].calls() for why in breaks(c)]

    def affected(self) -> set[str]:
        return {cid for cid in self.customers if self.truth(cid)}

    def callers(self, op: str) -> set[str]:
        return {cid for cid, c in self.customers.items() if any(call.op == op for call in c.calls())}


def generate(seed: int, folder: Path, profile: str = "spread", customers: int = 56) -> Fleet:
    rng = random.Random(f"fleet:{seed}:{profile}")
    folder.mkdir(parents=True, exist_ok=True)
    pacts = folder / "pacts"
    pacts.mkdir(exist_ok=True)
    partner = draw_program(rng)
    members: list[str] = []
    people: dict[str, Customer] = {}
    integrations: list[dict[str, Any]] = []
    usage: list[dict[str, Any]] = []
    requests: dict[tuple[str, str], int] = {}

    def log(cid: str, keys: list[str], calls: list[Call], integration: str | None) -> None:
        for call in calls:
            count = rng.randint(1, 30)
            line: dict[str, Any] = {"api_key": rng.choice(keys), "method": call.op.split(" ", 1)[0],
                                    "path": call.target(), "status": call.status, "count": count}
            if integration:
                line["integration"] = integration
            usage.append(line)
            requests[(cid, call.op)] = requests.get((cid, call.op), 0) + count

    for n in range(customers):
        cid = f"fl{n:03d}"
        evidence = EVIDENCE[n % len(EVIDENCE)] if n < 2 * len(EVIDENCE) else rng.choice(EVIDENCE)
        revenue = (30000.0 if n == 1 else float(rng.randint(10, 200))) if profile == "whale" else float(rng.randint(150, 250))
        keys = [f"fk-{seed}-{n}-{k}" for k in range(rng.randint(1, 2))]
        app = f"{cid}-app"
        if evidence == "partner":
            programs = [partner]
            members.append(cid)
            log(cid, keys, partner, "routeplanner")
        elif evidence == "mixed":
            own = draw_program(rng)
            programs = [partner, own]
            members.append(cid)
            log(cid, keys, partner, "routeplanner")
            log(cid, keys, own, None)
        elif evidence == "silent":
            programs = []
        else:
            programs = [draw_program(rng, quiet=evidence == "quiet")]
            if evidence == "pact":
                (pacts / f"{app}.json").write_text(json.dumps(_pact(app, programs[0]), indent=1), encoding="utf-8")
                integrations.append({"id": app, "name": f"{cid}'s app", "kind": "app", "customers": [cid]})
                log(cid, keys, programs[0], app)
            elif evidence == "own-name-pact":
                (pacts / f"{cid}.json").write_text(json.dumps(_pact(cid, programs[0], v4=True), indent=1),
                                                   encoding="utf-8")
                log(cid, keys, programs[0], None)
            else:
                log(cid, keys, programs[0], None)
        people[cid] = Customer(cid, evidence, revenue, keys, programs)
    (pacts / "routeplanner.json").write_text(json.dumps(_pact("routeplanner", partner), indent=1), encoding="utf-8")
    integrations.append({"id": "routeplanner", "name": "RoutePlanner", "kind": "partner", "customers": members})
    usage.append({"api_key": "fk-nobody", "method": "GET", "path": "/api/vehicles", "status": 200, "count": 7})
    rng.shuffle(usage)
    files = {"base": folder / "v1.json", "revision": folder / "v2.json", "customers": folder / "customers.csv",
             "integrations": folder / "integrations.yaml", "usage": folder / "usage.jsonl", "contracts": pacts}
    files["base"].write_text(json.dumps(spec_v1(), indent=1), encoding="utf-8")
    files["revision"].write_text(json.dumps(spec_v2(), indent=1), encoding="utf-8")
    files["customers"].write_text("customer_id,name,plan,MRR,api_keys\n" + "".join(
        f"{c.id},Fleet {c.id[2:]},{rng.choice(['starter', 'fleet'])},{c.revenue:.2f},{';'.join(c.keys)}\n"
        for c in people.values()), encoding="utf-8")
    files["integrations"].write_text(yaml.safe_dump({"integrations": integrations}, sort_keys=False), encoding="utf-8")
    files["usage"].write_text("".join(json.dumps(u, sort_keys=True) + "\n" for u in usage), encoding="utf-8")
    return Fleet(people, files, requests)
