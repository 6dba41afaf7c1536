"""Benchmark: the impact stage on a large synthetic company.

100,000 customers, 500 operations, 200 findings, 200 integrations (one SDK used by
everyone, 49 partners, 150 single-customer apps, 10 with Pact contracts), and usage
logs of 10k, 100k and 1M JSON lines. Each size runs in a fresh process so that its
peak memory (ru_maxrss) is its own. The baseline, measured in the same run, is the
floor any implementation pays: reading and JSON-parsing the same lines, nothing else.

    python bench/bench_impact_graph.py            # 10k, 100k, 1M lines
    python bench/bench_impact_graph.py 10000      # one size
Target: 1M lines in under 10 s and 2 GB, growing linearly.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CUSTOMERS = 100_000
RESOURCES = 100  # x 5 methods = 500 operations
FINDINGS = 200
SIZES = (10_000, 100_000, 1_000_000)


def make_spec() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    item = {"type": "object", "properties": {f"f{i}": {"type": "string"} for i in range(8)}}
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": item}}}}
    for r in range(RESOURCES):
        paths[f"/r{r}"] = {"get": {"responses": ok}, "post": {"responses": ok}}
        paths[f"/r{r}/{{id}}"] = {"get": {"responses": ok}, "patch": {"responses": ok}, "delete": {"responses": ok}}
    return {"openapi": "3.0.3", "info": {"title": "bench", "version": "1"},
            "servers": [{"url": "https://api.example.com/v1"}], "paths": paths}


def write_inputs(folder: Path, lines: int) -> dict[str, str]:
    rng = random.Random(7)
    customers = folder / "customers.csv"
    if not customers.exists():
        with customers.open("w") as out:
            out.write("id,name,plan,segment,monthly_revenue\n")
            for i in range(CUSTOMERS):
                revenue = 250_000 if i < 3 else round(rng.paretovariate(1.5) * 20, 2)
                out.write(f"c{i:06d},Customer {i},{rng.choice(['free', 'starter', 'pro'])},smb,{revenue}\n")
        integrations = []
        integrations.append({"id": "sdk", "kind": "sdk", "customers": "*",
                             "operations": [f"GET /r{r}" for r in range(0, RESOURCES, 4)]})
        for p in range(49):
            members = [f"c{rng.randrange(CUSTOMERS):06d}" for _ in range(1000)]
            ops = [{"operation": f"GET /r{r}/{{id}}", "response_fields": [f"f{rng.randrange(8)}", f"f{rng.randrange(8)}"]}
                   for r in rng.sample(range(RESOURCES), 20)]
            integrations.append({"id": f"partner{p}", "kind": "partner", "customers": sorted(set(members)), "operations": ops})
        for a in range(150):
            integrations.append({"id": f"app{a}", "customers": [f"c{a:06d}"],
                                 "operations": [f"POST /r{a % RESOURCES}", f"DELETE /r{a % RESOURCES}/{{id}}"]})
        (folder / "integrations.json").write_text(json.dumps({"integrations": integrations}))
        pacts = folder / "pacts"
        pacts.mkdir()
        for p in range(10):
            body = {f"f{i}": "x" for i in range(3)}
            pact = {"consumer": {"name": f"partner{p}"}, "provider": {"name": "bench"},
                    "interactions": [{"description": f"get r{r}", "request": {"method": "GET", "path": f"/r{r}/42"},
                                      "response": {"status": 200, "body": body}} for r in range(0, RESOURCES, 3)],
                    "metadata": {"pactSpecification": {"version": "3.0.0"}}}
            (pacts / f"partner{p}-bench.json").write_text(json.dumps(pact))
    usage = folder / f"usage-{lines}.jsonl"
    if not usage.exists():
        methods = ("GET", "POST", "GET", "PATCH", "DELETE")
        with usage.open("w") as out:
            for n in range(lines):
                r = min(int(rng.expovariate(1 / 20)), RESOURCES - 1)
                kind = rng.randrange(5)
                path = f"/v1/r{r}" if kind < 2 else f"/v1/r{r}/{rng.randrange(10**6)}"
                if n % 997 == 0:
                    path = "/v1/health"
                out.write(json.dumps({"customer": f"c{rng.randrange(CUSTOMERS):06d}", "method": methods[kind],
                                      "path": path, "status": 200, "count": 1 + rng.randrange(3)}) + "\n")
    return {"customers": str(customers), "usage": str(usage), "integrations": str(folder / "integrations.json"),
            "contracts": str(folder / "pacts")}


def findings() -> list[Any]:
    from trustguard.model import Finding, Principle, Severity

    out = []
    for i in range(FINDINGS):
        r = i % RESOURCES
        if i < 50:
            kind, op, facts = "api.operation.removed", f"DELETE /r{r}/{{id}}", {}
        elif i < 150:
            kind, op = "api.schema.property.removed", f"GET /r{r}/{{id}}"
            facts = {"direction": "response", "status": "200", "property_path": f"f{i % 8}"}
        else:
            kind, op = "api.schema.property.added", f"POST /r{r}"
            facts = {"direction": "request", "property_path": "g", "required": True}
        out.append(Finding(rule="bench", severity=Severity.MAJOR, principle=Principle.BACKWARD_COMPATIBILITY,
                           kind=kind, title="t", message="m", operation=op, facts=facts))
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, inputs: dict[str, str]) -> dict[str, Any]:

    start_rss = rss_mb()
    t0 = time.perf_counter()
    if mode == "baseline":
        loads = json.loads
        n = 0
        with open(inputs["usage"], "rb") as handle:
            for line in handle:
                n += len(loads(line))
        return {"total": time.perf_counter() - t0, "rss": rss_mb(), "start_rss": start_rss}
    from trustguard._runtime import no_gc_pauses

    with no_gc_pauses():  # as trustguard.check() runs the impact stage
        return _impact_run(inputs, t0, start_rss)


def _impact_run(inputs: dict[str, str], t0: float, start_rss: float) -> dict[str, Any]:
    from trustguard.config import Config
    from trustguard.impact import load_customers, load_usage
    from trustguard.impact.blast import apply
    from trustguard.impact.contracts import load_contracts
    from trustguard.impact.graph import build_graph
    from trustguard.impact.integrations import load_integrations
    from trustguard.impact.routes import PathRouter

    spec = make_spec()
    router = PathRouter.from_specs([spec])
    customers = load_customers(inputs["customers"])
    t1 = time.perf_counter()
    usage = load_usage(inputs["usage"], router, customers)
    t2 = time.perf_counter()
    graph = build_graph(router, customers, [usage], load_integrations(inputs["integrations"]),
                        load_contracts(inputs["contracts"]))
    t3 = time.perf_counter()
    fs = findings()
    totals = apply(graph, fs, Config().impact)
    t4 = time.perf_counter()
    return {
        "customers": t1 - t0, "usage": t2 - t1, "graph": t3 - t2, "impact": t4 - t3, "total": t4 - t0,
        "rss": rss_mb(), "start_rss": start_rss, "nodes": graph.graph.number_of_nodes(),
        "edges": graph.graph.number_of_edges(), "pairs": len(usage.calls),
        "affected": totals.customers_affected, "unmatched": usage.unmatched_requests,
    }


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], json.loads(sys.argv[3]))))
        return
    sizes = [int(a) for a in sys.argv[1:]] or list(SIZES)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"impact benchmark: {CUSTOMERS:,} customers, {RESOURCES * 5} operations, {FINDINGS} findings, "
              "200 integrations, 10 Pact files")
        print(f"{'lines':>10} {'mode':>9} {'total s':>8} {'usage s':>8} {'graph s':>8} {'impact s':>8} "
              f"{'peak MB':>8} {'+MB':>7} {'pairs':>9} {'edges':>9} {'affected':>9}")
        for lines in sizes:
            inputs = write_inputs(folder, lines)
            for mode in ("baseline", "impact"):
                proc = subprocess.run([sys.executable, __file__, "--child", mode, json.dumps(inputs)],
                                      capture_output=True, text=True, check=True)
                r = json.loads(proc.stdout)
                print(f"{lines:>10,} {mode:>9} {r['total']:>8.2f} {r.get('usage', 0):>8.2f} {r.get('graph', 0):>8.2f} "
                      f"{r.get('impact', 0):>8.2f} {r['rss']:>8.0f} {r['rss'] - r['start_rss']:>7.0f} "
                      f"{r.get('pairs', 0):>9,} {r.get('edges', 0):>9,} {r.get('affected', 0):>9,}")


if __name__ == "__main__":
    main()
