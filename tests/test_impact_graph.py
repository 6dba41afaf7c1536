"""The impact graph's bulk building (graph.py): what it puts in the networkx graph is
what networkx's own methods would, whichever way an operation's usage is indexed, and
networkx is imported only when a graph is made."""

from __future__ import annotations

import subprocess
import sys

import networkx as nx
import pytest

from trustguard.impact.customers import Customer, CustomerTable
from trustguard.impact.graph import _FEW_OPERATIONS, build_graph, complete, new_graph
from trustguard.impact.integrations import Integration, OperationUse
from trustguard.impact.reach import reach
from trustguard.impact.routes import PathRouter
from trustguard.impact.selector import Selector
from trustguard.impact.usage import UsageData

RESOURCES = 6  # x 2 methods: more operations than prepare() picks one by one


def _spec() -> dict[str, object]:
    paths: dict[str, object] = {}
    for r in range(RESOURCES):
        paths[f"/r{r}"] = {"get": {"responses": {"200": {"description": "ok"}}},
                           "post": {"responses": {"200": {"description": "ok"}}}}
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}


def _inputs() -> tuple[PathRouter, CustomerTable, UsageData, list[Integration]]:
    router = PathRouter.from_specs([_spec()])
    table = CustomerTable("customers.csv", customers={f"c{i}": Customer(f"c{i}", revenue=float(i)) for i in range(40)})
    ops = sorted(router.labels)
    usage = UsageData("log")
    for i in range(40):
        for n, op in enumerate(ops):
            if (i + n) % 3:
                usage.calls[(f"c{i}", op)] = i * 10 + n
    usage.calls[("key:stranger", ops[0])] = 7  # a caller missing from the list
    usage.requests = sum(usage.calls.values())
    sdk = Integration("sdk", customers=[f"c{i}" for i in range(0, 40, 4)],
                      operations=[OperationUse(ops[0], response_fields=["a"]), OperationUse(ops[1])])
    return router, table, usage, [sdk]


def _expected_usage_edges(usage: UsageData) -> dict[tuple[str, str], dict[str, int]]:
    return {("c:" + who, "o:" + op): {"traffic": n} for (who, op), n in usage.calls.items()}


def _usage_edges(G: nx.DiGraph) -> dict[tuple[str, str], dict[str, int]]:
    return {(a, b): dict(d) for a, b, d in G.edges(data=True) if a.startswith("c:") and b.startswith("o:")}


def test_bulk_insertions_build_what_networkx_builds() -> None:
    G = new_graph()
    H = nx.DiGraph()
    names = [f"c:c{i}" for i in range(50)]
    G.add_new_nodes(names + names[:5])  # named twice: added once
    H.add_nodes_from(names)
    G.add_node("c:c3", plan="pro")  # a node that has attributes keeps them
    H.add_node("c:c3", plan="pro")
    G.add_new_nodes(["c:c3", "o:x"])
    H.add_nodes_from(["c:c3", "o:x"])
    G.add_in_edges("o:x", [*names[:30], "c:new"], "traffic", list(range(31)))
    H.add_edges_from((n, "o:x", {"traffic": v}) for n, v in zip([*names[:30], "c:new"], range(31), strict=True))
    G.add_in_edges("p:pro", names[10:20])  # no data
    H.add_edges_from((n, "p:pro") for n in names[10:20])
    assert nx.utils.graphs_equal(G, H)
    assert list(G.pred["o:x"]) == list(H.pred["o:x"])
    assert G.nodes["c:c3"] == {"plan": "pro"}
    assert G["c:c7"]["o:x"] == {"traffic": 7}
    assert G.pred["o:x"]["c:c7"] is G.succ["c:c7"]["o:x"]  # one data dict per edge, as networkx has it
    with pytest.raises(ValueError, match="as many values"):
        G.add_in_edges("o:x", ["c:c1"], "traffic", [])


def test_usage_edges_and_callers_agree_however_indexed() -> None:
    router, table, usage, integrations = _inputs()
    ops = sorted(router.labels)
    assert len(ops) > _FEW_OPERATIONS
    unprepared = build_graph(router, table, [usage], integrations)
    few = build_graph(router, table, [usage], integrations)
    few.prepare(ops[:2])
    many = build_graph(router, table, [usage], integrations)
    many.prepare(ops)
    for op in ops:
        expected_customers = sorted(who for who, key in usage.calls if key == op)
        for g in (unprepared, few, many):
            customers, iids = g.callers_of(op)
            assert sorted(customers) == expected_customers
            assert iids == (["sdk"] if op in ops[:2] else [])
            assert g.op_calls(op) == {who: n for (who, key), n in usage.calls.items() if key == op}
            assert g.callers(op) == [f"i:{i}" for i in iids] + [f"c:{c}" for c in customers]
    for g in (unprepared, few, many):
        assert _usage_edges(complete(g)) == _expected_usage_edges(usage)
        assert g.graph.number_of_nodes() == len(unprepared.graph)


def test_reach_is_the_same_prepared_or_not() -> None:
    router, table, usage, integrations = _inputs()
    ops = sorted(router.labels)
    sels = [Selector("operation", ops[0]), Selector("field", ops[0], "response", "200", "b"),
            Selector("operation", ops[1], exact=False), Selector("operation", ops[5])]
    plain = build_graph(router, table, [usage], integrations)
    prepared = build_graph(router, table, [usage], integrations)
    prepared.prepare([s.op for s in sels if s.op])
    for sel in sels:
        a, b = reach(plain, sel), reach(prepared, sel)
        assert a.customers == b.customers and a.traffic == b.traffic and a.integrations == b.integrations
        for cid, n in a.traffic.items():
            assert n == usage.calls.get((cid, sel.op or ""), 0)
    # the SDK's members read field "a" only: spared by a change of "b" unless they call it themselves
    spared = reach(prepared, sels[1])
    assert "c0" not in spared.customers and "c1" in spared.customers
    assert spared.traffic["c1"] == usage.calls[("c1", ops[0])]


def test_a_second_log_adds_its_callers_and_counts() -> None:
    router, table, usage, integrations = _inputs()
    op = sorted(router.labels)[0]
    first = dict(usage.calls)
    more = UsageData("log2", calls={("c0", op): 5, ("c1", op): 1, ("key:late", op): 2})
    g = build_graph(router, table, [usage, more], integrations)
    assert g.customers["key:late"].name == "unknown API key"
    assert list(g.customers)[-2:] == ["key:stranger", "key:late"]  # in the order they were met
    expected = {who: n for (who, key), n in first.items() if key == op}
    for (who, _), n in more.calls.items():
        expected[who] = expected.get(who, 0) + n
    assert g.op_calls(op) == expected
    assert sorted(g.callers_of(op)[0]) == sorted(expected)  # its usage edges go in when asked for
    assert {c: d["traffic"] for c, _, d in g.graph.in_edges("o:" + op, data=True) if c.startswith("c:")} == {
        "c:" + who: n for who, n in expected.items()}


def test_networkx_is_imported_only_when_a_graph_is_made() -> None:
    code = ("import sys, trustguard.impact, trustguard.impact.blast\n"
            "print('networkx' in sys.modules)\n"
            "from trustguard.impact.graph import new_graph\n"
            "new_graph()\n"
            "print('networkx' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]


def _reference_graphml(G: nx.DiGraph) -> str:
    """The plain way to write what graph.py's GraphML writer streams: every value escaped,
    the edges sorted as pairs (the oracle its shortcuts must agree with)."""
    from xml.sax.saxutils import escape, quoteattr

    from trustguard.impact.graph import _graphml_type, _xml

    kinds: dict[tuple[str, str], set[str]] = {}
    for domain, items in (("node", (d for _, d in G.nodes(data=True))), ("edge", (d for _, _, d in G.edges(data=True)))):
        for attrs in items:
            for k, v in attrs.items():
                kinds.setdefault((domain, k), set()).add(_graphml_type(v) or "string")
    keys = {key: found.pop() if len(found) == 1 else "string" for key, found in kinds.items()}
    ids = {key: f"d{n}" for n, key in enumerate(sorted(keys))}
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
           'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n']
    for (domain, k), kind in sorted(keys.items()):
        out.append(f'  <key id="{ids[(domain, k)]}" for="{domain}" attr.name={quoteattr(_xml(k))} attr.type="{kind}" />\n')
    out.append('  <graph edgedefault="directed">\n')

    def data(domain: str, attrs: dict[str, object]) -> str:
        return "".join(f'<data key="{ids[(domain, k)]}">'
                       f'{escape(_xml(("true" if attrs[k] else "false") if isinstance(attrs[k], bool) else str(attrs[k])))}</data>'
                       for k in sorted(attrs))

    out += [f"    <node id={quoteattr(_xml(n))}>{data('node', G.nodes[n])}</node>\n" for n in sorted(G.nodes)]
    out += [f"    <edge source={quoteattr(_xml(a))} target={quoteattr(_xml(b))}>{data('edge', G.adj[a][b])}</edge>\n"
            for a, b in sorted(G.edges())]
    return "".join(out) + "  </graph>\n</graphml>\n"


def _reference_node_link(G: nx.DiGraph) -> str:
    import json

    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode
    nodes = ",\n".join(encode({"id": n, **G.nodes[n]}) for n in sorted(G.nodes))
    edges = ",\n".join(encode({"source": a, "target": b, **G.adj[a][b]}) for a, b in sorted(G.edges()))
    return f'{{"directed": true, "multigraph": false, "graph": {{}}, "nodes": [\n{nodes}\n], "edges": [\n{edges}\n]}}\n'


def test_graph_files_are_what_the_plain_writers_write(tmp_path) -> None:
    from trustguard.impact.graph import add_plan_catalog, write_graph

    router, table, usage, integrations = _inputs()
    # names and ids an XML or JSON writer must escape, and values of every type
    table.customers["c1"] = Customer("c1", name='A&B "quoted" <x>', plan="pro", segment="it's", revenue=2.5)
    table.customers["c2"] = Customer("c2", name="tab\there\x01bell", plan="free", revenue=3.0)
    table.customers["o'neil&co"] = Customer("o'neil&co", name="ünïcode", plan="pro")
    usage.calls[("o'neil&co", sorted(router.labels)[0])] = 3
    g = build_graph(router, table, [usage], integrations)
    add_plan_catalog(g, {"pro": {"features": ["sso"], "limits": {"rps": 10, "burst": None, "region": "eu&us"}}})
    g.callers_of(sorted(router.labels)[2])  # some usage edges in before the export completes them
    graphml, linked = tmp_path / "g.graphml", tmp_path / "g.json"
    write_graph(g, graphml)
    write_graph(g, linked)
    G = complete(g)
    assert graphml.read_text(encoding="utf-8") == _reference_graphml(G)
    assert linked.read_text(encoding="utf-8") == _reference_node_link(G)
    back = nx.read_graphml(graphml)
    assert back.nodes["c:c1"]["label"] == 'A&B "quoted" <x>' and back.nodes["c:o'neil&co"]["label"] == "ünïcode"
    assert back["c:c4"]["o:" + sorted(router.labels)[1]]["traffic"] == usage.calls[("c4", sorted(router.labels)[1])]
    assert back.nodes["c:c1"]["revenue"] == 2.5
    # limits of different types: a string key, every value readable
    assert back["p:pro"]["l:rps"]["value"] == "10" and back["p:pro"]["l:region"]["value"] == "eu&us"
    assert "value" not in back["p:pro"]["l:burst"]  # None: left out


def test_customer_aliases_are_the_last_name_or_id_spelling_them() -> None:
    from trustguard.impact.graph import _customer_aliases

    customers = {c.id: c for c in [
        Customer("Acme", name="Globex"), Customer("globex", name=None), Customer("c3", name="  ACME  "),
        Customer("c4", name=""), Customer("c5", name="   "), Customer(" Pad ", name="x"),
    ]}

    def plain() -> dict[str, str]:  # the definition, one alias at a time
        out: dict[str, str] = {}
        for cid, c in customers.items():
            for alias in (c.name, cid):
                if alias:
                    out[alias.strip().lower()] = cid
        return out

    found = _customer_aliases(customers)
    assert found == plain()
    assert found["globex"] == "globex" and found["acme"] == "c3" and found["pad"] == " Pad " and found[""] == "c5"
    del customers["c5"]
    assert _customer_aliases(customers) == plain() and "" not in _customer_aliases(customers)
