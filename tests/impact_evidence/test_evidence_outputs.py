"""trustguard impact -f json (validated against trustguard schema impact) and
--graph-out (GraphML and node-link JSON, read back with networkx)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import networkx as nx
from click.testing import CliRunner

from trustguard.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "examples"
INPUTS = ["--customers", str(EX / "customers.csv"), "--usage", str(EX / "usage.jsonl"),
          "--integrations", str(EX / "integrations.yaml"), "--contracts", str(EX / "pacts")]
SPECS = [str(EX / "api" / "v1.yaml"), str(EX / "api" / "v2.yaml")]


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_impact_json_validates_against_the_printed_schema():
    schema = json.loads(invoke("schema", "impact"))
    text = invoke("impact", *SPECS, *INPUTS, "-f", "json")
    data = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["format"] == "trustguard-impact" and data["totals"]["customers_affected"] == 6
    assert text == invoke("impact", *SPECS, *INPUTS, "-f", "json")  # deterministic
    customers = {c["id"]: c for c in data["customers"]}
    assert sorted(customers) == ["c001", "c004", "c008", "c009", "c011", "c012"]
    # c008 uses only the SDK, which says nothing about fields: every finding reaching it is an estimate
    # except those at operation level (the type change of a parameter every caller sends)
    assert customers["c001"]["estimated"] is False and customers["c001"]["severity"] == "major"
    assert customers["c001"]["name"] == "Globex Retail" and customers["c001"]["revenue"] == 18000.0
    labelmaker = next(i for i in data["integrations"] if i["id"] == "labelmaker")
    assert labelmaker["contract_broken"] is True and labelmaker["name"] == "LabelMaker shipping labels"
    tracking = next(f for f in data["findings"] if f["kind"] == "api.schema.property.removed"
                    and "tracking_url" in f["location"])
    assert tracking["severity"] == "major" and "contract-broken" in tracking["impact"]["flags"]
    assert tracking["impact"]["evidence"][0]["integration"] == "labelmaker"
    for c in data["customers"]:  # the indexes point at findings that reach the customer
        for i in c["findings"]:
            assert c["id"] in data["findings"][i]["impact"]["customer_ids"]


def test_graph_out_graphml_and_node_link_json(tmp_path):
    graphml, linked = tmp_path / "impact.graphml", tmp_path / "impact.json"
    invoke("impact", *SPECS, *INPUTS, "--graph-out", str(graphml))
    invoke("impact", *SPECS, *INPUTS, "--graph-out", str(linked))
    G = nx.read_graphml(graphml)
    H = nx.node_link_graph(json.loads(linked.read_text()), edges="edges")
    assert sorted(G.nodes) == sorted(H.nodes) and sorted(G.edges) == sorted(H.edges)
    assert G.nodes["c:c001"]["kind"] == "customer" and G.nodes["c:c001"]["label"] == "Globex Retail"
    assert G.nodes["i:labelmaker"]["kind"] == "integration"
    # customer -> integration -> operation -> field, customer -> plan; usage edges carry traffic
    assert G.has_edge("c:c004", "i:labelmaker") and G.has_edge("i:labelmaker", "o:GET /orders/{}")
    assert G.has_edge("o:GET /orders/{}", "f:GET /orders/{}|response|tracking_url")
    assert G.edges["i:labelmaker", "f:GET /orders/{}|response|tracking_url"]["role"] == "reads"
    assert G.has_edge("c:c001", "p:enterprise")
    direct = [(a, b, d) for a, b, d in G.edges(data=True) if a.startswith("c:") and b.startswith("o:")]
    assert direct and all(d["traffic"] > 0 for _, _, d in direct)
    first = linked.read_bytes()
    invoke("impact", *SPECS, *INPUTS, "--graph-out", str(linked))
    assert linked.read_bytes() == first  # deterministic


def test_graph_out_with_an_unknown_extension_exits_2_and_writes_nothing(tmp_path):
    target = tmp_path / "impact.png"
    result = CliRunner().invoke(cli, ["impact", *SPECS, *INPUTS, "--graph-out", str(target)])
    assert result.exit_code == 2 and "impact.png" in result.output and ".graphml or .json" in result.output
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_graph_out_into_a_missing_folder_exits_2(tmp_path):
    target = tmp_path / "no" / "such" / "impact.json"
    result = CliRunner().invoke(cli, ["impact", *SPECS, *INPUTS, "--graph-out", str(target)])
    assert result.exit_code == 2 and "impact.json" in result.output and "cannot write the graph" in result.output
