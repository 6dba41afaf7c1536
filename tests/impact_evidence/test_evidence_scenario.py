"""A generated company with known ground truth: what each consumer really reads and sends
is drawn at random, and the evidence trustguard gets about it is drawn too -- an exact
Pact, a Pact written without the list's envelope, a Pact with a misspelt field, declared
fields, declared operations only, or usage logs only. Then, for every change of the shop
API (tests/impact_evidence/conftest.py):

- recall: every truly affected customer is reported, and at major or above whenever its
  break is on record in a contract (a proven break is raised; an estimate is not);
- precision: no customer is reported *for certain* that is not truly affected;
- a customer whose every consumer is described exactly and is not hit is spared;
- a customer about whose consumers nothing says what they read or send is an estimate;
- a Pact that does not match the spec is never taken as proof of being spared: only its
  documented paths prove anything (the precision check holds them to the truth).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from evidence_shop import interaction, pact, write_json

import trustguard
from trustguard.model import Finding, Severity

ORDER_FIELDS = ["id", "status", "tracking_url", "total/amount", "total/currency"]
EXACT = ("pact", "declared-fields")
UNMATCHED = ("pact-bare-list", "pact-misspelt")
BLIND = ("declared-operations", "usage-only")
EVIDENCE = (*EXACT, *UNMATCHED, *BLIND)


@dataclass
class Consumer:
    """What one integration really does (the ground truth) and how it is on record."""

    id: str
    evidence: str
    lists: bool  # calls GET /orders
    reads_list: list[str]
    sends_region: bool
    reads_one: list[str] | None  # GET /orders/{id}
    creates: list[dict[str, Any]] = field(default_factory=list)  # POST /orders bodies
    reads_created: list[str] = field(default_factory=list)
    legacy: bool = False

    def hit(self, change: str) -> bool:
        list_reads = self.reads_list if self.lists else []
        one_reads = self.reads_one or []
        created = self.reads_created if self.creates else []
        reads = {*(f"data/items/{f}" for f in list_reads), *one_reads, *created}
        if change == "tracking":
            return any(r.endswith("tracking_url") for r in reads)
        if change == "amount":
            return any(r.endswith("total/amount") for r in reads)
        if change == "currency":
            return any("currency" not in body for body in self.creates)
        if change == "region":
            return self.lists and not self.sends_region
        if change == "legacy":
            return self.legacy
        raise AssertionError(change)

    def operations(self) -> list[str]:
        ops = []
        if self.lists:
            ops.append("GET /orders")
        if self.reads_one is not None:
            ops.append("GET /orders/{id}")
        if self.creates:
            ops.append("POST /orders")
        if self.legacy:
            ops.append("DELETE /legacy/{id}")
        return ops


def _example(fields: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for f in fields:
        head, _, tail = f.partition("/")
        if tail:
            body.setdefault(head, {})[tail] = "1.00" if tail == "amount" else "EUR"
        else:
            body[head] = "x"
    return body


def _misspell(name: str) -> str:
    return name[:-1] + ("q" if name[-1] != "q" else "z") if len(name) > 4 else name


def _pact(c: Consumer) -> dict[str, Any]:
    interactions = []
    if c.lists:
        item = _example(c.reads_list)
        body: Any = [item] if c.evidence == "pact-bare-list" else {"data": [item]}
        query = {"limit": ["10"], **({"region": ["eu"]} if c.sends_region else {})}
        interactions.append(interaction("the orders", "GET", "/orders", query=query, body=None, response=body))
    if c.reads_one is not None:
        reads = list(c.reads_one)
        if c.evidence == "pact-misspelt" and reads:
            reads[0] = "/".join(_misspell(t) for t in reads[0].split("/"))
        interactions.append(interaction("one order", "GET", "/orders/o1", response=_example(reads)))
    for n, sent in enumerate(c.creates):
        interactions.append(interaction(f"create order {n}", "POST", "/orders", body=sent, status=201,
                                        response=_example(c.reads_created)))
    if c.legacy:
        interactions.append(interaction("drop a legacy record", "DELETE", "/legacy/l1", status=204))
    return pact(c.id, interactions)


def _declared(c: Consumer) -> list[Any]:
    if c.evidence == "declared-operations":
        return list(c.operations())
    out: list[Any] = []
    if c.lists:
        out.append({"operation": "GET /orders", "response_fields": [f"data[]/{f}" for f in c.reads_list],
                    "parameters": ["limit", *(["region"] if c.sends_region else [])]})
    if c.reads_one is not None:
        out.append({"operation": "GET /orders/{id}", "response_fields": list(c.reads_one), "parameters": []})
    if c.creates:
        # one declaration per operation: what it sends is what every one of its calls sends
        sent = sorted({k for body in c.creates for k in body} if all("currency" in b for b in c.creates)
                      else {k for body in c.creates for k in body} - {"currency"})
        out.append({"operation": "POST /orders", "request_fields": sent, "response_fields": list(c.reads_created)})
    if c.legacy:
        out.append("DELETE /legacy/{id}")
    return out


def generate(seed: int, tmp_path: Path, customers: int = 160, consumers: int = 36) -> dict[str, Any]:
    rng = random.Random(seed)
    pool: list[Consumer] = []
    for n in range(consumers):
        evidence = EVIDENCE[n % len(EVIDENCE)]
        creates = []
        if rng.random() < 0.6:
            for _ in range(rng.randint(1, 2)):
                sent = {"customer_ref": "r", "lines": [{"sku": "a", "quantity": 1}]}
                if rng.random() < 0.5:
                    sent["currency"] = "EUR"
                creates.append(sent)
        if evidence == "declared-fields" and creates:
            creates = [creates[0]]  # a declaration says one thing per operation
        c = Consumer(
            id=f"app{n:02d}", evidence=evidence, lists=rng.random() < 0.7,
            reads_list=sorted(rng.sample(ORDER_FIELDS, rng.randint(1, 3))), sends_region=rng.random() < 0.3,
            reads_one=sorted(rng.sample(ORDER_FIELDS, rng.randint(1, 3))) if rng.random() < 0.7 else None,
            creates=creates, reads_created=sorted(rng.sample(["id", "status", "tracking_url"], rng.randint(0, 2))),
            legacy=rng.random() < 0.2,
        )
        if not c.operations():
            c.lists = True
        pool.append(c)
    members: dict[str, list[str]] = {c.id: [] for c in pool}
    rows = []
    direct: dict[str, Consumer] = {}  # customers calling with their own code: usage only
    for n in range(customers):
        cid = f"cust{n:03d}"
        rows.append(f"{cid},Customer {n},{rng.choice(['free', 'pro', 'enterprise'])},{rng.randint(0, 5000)}\n")
        for c in rng.sample(pool, rng.choice([0, 1, 1, 2])):
            members[c.id].append(cid)
        if rng.random() < 0.1:
            direct[cid] = Consumer(id=cid, evidence="usage-only", lists=True, reads_list=rng.sample(ORDER_FIELDS, 2),
                                   sends_region=False, reads_one=None, legacy=rng.random() < 0.5)
    (tmp_path / "customers.csv").write_text("id,name,plan,monthly_revenue\n" + "".join(rows))
    pacts = tmp_path / "pacts"
    pacts.mkdir()
    declared = []
    usage = []
    for c in pool:
        entry: dict[str, Any] = {"id": c.id, "customers": members[c.id]}
        if c.evidence.startswith("pact"):
            entry["contract"] = c.id
            write_json(pacts / f"{c.id}.json", _pact(c))
        elif c.evidence.startswith("declared"):
            entry["operations"] = _declared(c)
        declared.append(entry)
        for cid in members[c.id]:
            for op in c.operations():
                method, path = op.split(" ")
                usage.append({"customer": cid, "integration": c.id, "method": method,
                              "path": path.replace("{id}", "o1"), "status": 200, "count": rng.randint(1, 50)})
    for cid, c in direct.items():
        for op in c.operations():
            method, path = op.split(" ")
            usage.append({"customer": cid, "method": method, "path": path.replace("{id}", "o1"), "status": 200, "count": 3})
    (tmp_path / "integrations.yaml").write_text(yaml.safe_dump({"integrations": declared}))
    (tmp_path / "usage.jsonl").write_text("".join(json.dumps(u) + "\n" for u in usage))
    customer_consumers: dict[str, list[Consumer]] = {}
    for c in pool:
        for cid in members[c.id]:
            customer_consumers.setdefault(cid, []).append(c)
    for cid, c in direct.items():
        customer_consumers.setdefault(cid, []).append(c)
    return {"pool": pool, "by_customer": customer_consumers}


def change_of(f: Finding) -> str | None:
    path = str(f.facts.get("property_path") or "")
    if f.kind == "api.schema.property.removed" and path.endswith("tracking_url"):
        return "tracking"
    if f.kind == "api.schema.type.changed" and path.endswith("total/amount"):
        return "amount"
    if f.kind == "api.schema.property.added" and path == "currency":
        return "currency"
    if f.kind == "api.parameter.added" and f.facts.get("param_name") == "region":
        return "region"
    if f.kind == "api.operation.removed":
        return "legacy"
    return None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_company_recall_precision_and_estimates(tmp_path, specs, seed):
    world = generate(seed, tmp_path)
    report = trustguard.check(specs[0], specs[1], customers=tmp_path / "customers.csv", usage=tmp_path / "usage.jsonl",
                              integrations=tmp_path / "integrations.yaml", contracts=tmp_path / "pacts")
    by_customer: dict[str, list[Consumer]] = world["by_customer"]
    reported: dict[str, dict[str, list[tuple[Severity, bool]]]] = {}  # change -> customer -> (severity, certain)
    for f in report.findings:
        change = change_of(f)
        if change is None or f.impact is None:
            continue
        estimated = set(f.impact.details["estimated_ids"])
        for cid in f.impact.customer_ids:
            reported.setdefault(change, {}).setdefault(cid, []).append((f.severity, cid not in estimated))
    assert set(reported) == {"tracking", "amount", "currency", "region", "legacy"}
    checked = {"recall": 0, "certain": 0, "spared": 0, "unknown": 0}
    for change in reported:
        seen = reported[change]
        for cid, consumers in by_customer.items():
            truth = any(c.hit(change) for c in consumers)
            on_record = any(c.hit(change) and c.evidence in (*EXACT, *UNMATCHED) for c in consumers)
            exact_known = all(c.evidence in EXACT for c in consumers)
            marks = seen.get(cid, [])
            if truth:
                assert marks, f"{change}: {cid} is affected and not reported ({[c.evidence for c in consumers]})"
                checked["recall"] += 1
                if on_record:
                    assert max(s.rank for s, _ in marks) >= Severity.MAJOR.rank, (change, cid)
            if any(certain for _, certain in marks):
                assert truth, f"{change}: {cid} reported for certain but not affected"
                checked["certain"] += 1
            if exact_known and not truth:
                assert not marks, f"{change}: {cid} is described exactly and not hit, yet reported"
                checked["spared"] += 1
            if consumers and all(c.evidence in BLIND for c in consumers) and marks and change != "legacy":
                # nothing is known of what it reads or sends: an estimate, never certain
                assert not any(certain for _, certain in marks), (change, cid)
                checked["unknown"] += 1
    # the scenario exercised every direction
    assert all(n > 0 for n in checked.values()), checked
    bare = [c for c in world["pool"] if c.evidence == "pact-bare-list" and c.lists]
    for c in bare:
        assert any(f"consumer '{c.id}'" in w and "'the orders'" in w for w in report.warnings), c.id
