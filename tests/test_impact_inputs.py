"""Impact inputs: routing concrete paths, reading each input format, and bad input
(reported as warnings when a file is still usable, an InputError when it is not)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from trustguard.config import Config
from trustguard.errors import InputError
from trustguard.impact import apply_api_impact, load_contracts, load_customers, load_integrations
from trustguard.impact.contracts import body_fields
from trustguard.impact.integrations import field_path, load_schema
from trustguard.impact.routes import PathRouter, operation_key
from trustguard.impact.usage import load_usage
from trustguard.load import load_document
from trustguard.model import DocumentKind, Finding, Principle, Severity

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"
DATA = ROOT / "tests" / "data" / "impact"


def spec(*templates: str, servers: list[str] | None = None) -> dict[str, object]:
    paths: dict[str, dict[str, object]] = {}
    for t in templates:
        method, path = t.split(" ", 1)
        paths.setdefault(path, {})[method.lower()] = {"responses": {"200": {"description": "ok"}}}
    out: dict[str, object] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}
    if servers:
        out["servers"] = [{"url": u} for u in servers]
    return out


@pytest.fixture(scope="module")
def router() -> PathRouter:
    base = load_document(str(EX / "api" / "v1.yaml"), DocumentKind.OPENAPI)
    rev = load_document(str(EX / "api" / "v2.yaml"), DocumentKind.OPENAPI)
    return PathRouter.from_specs([rev.data, base.data])


# --- routing ---------------------------------------------------------------------------

def test_literal_segment_wins_over_parameter(router: PathRouter) -> None:
    assert router.match("GET", "/orders/export") == "GET /orders/export"
    assert router.match("GET", "/orders/ord_1") == "GET /orders/{}"
    assert router.match("get", "/orders/ord_1/") == "GET /orders/{}"
    assert router.match("POST", "/orders/export") is None  # no POST on either template


def test_server_prefix_query_and_host_are_ignored(router: PathRouter) -> None:
    assert router.match("GET", "/v1/orders?status=open") == "GET /orders"
    assert router.match("GET", "https://api.orderly.example/v1/orders/ord_9#x") == "GET /orders/{}"
    assert router.match("GET", "/v2/orders") is None


def test_paths_only_in_the_base_still_route(router: PathRouter) -> None:
    assert router.match("GET", "/reports/daily") == "GET /reports/daily"  # removed in v2
    assert router.labels["GET /orders/{}"] == "GET /orders/{orderId}"


def test_backtracking_when_the_literal_branch_dead_ends() -> None:
    r = PathRouter.from_specs([spec("GET /a/{x}/c", "GET /a/b/d", "GET /files/{name}.json", "GET /files/{id}")])
    assert r.match("GET", "/a/b/c") == "GET /a/{}/c"
    assert r.match("GET", "/a/b/d") == "GET /a/b/d"
    assert r.match("GET", "/files/report.json") == "GET /files/{}.json"
    assert r.match("GET", "/files/42") == "GET /files/{}"


def test_operation_key_normalises_spelling() -> None:
    assert operation_key("get /orders/{orderId}/") == operation_key("GET /orders/{id}") == "GET /orders/{}"


# --- customers -------------------------------------------------------------------------

def test_customer_list_in_three_formats_agree(tmp_path: Path) -> None:
    csv_table = load_customers(EX / "customers.csv")
    rows = [
        {"id": c.id, "name": c.name, "plan": c.plan, "segment": c.segment, "monthly_revenue": c.revenue}
        for c in csv_table.customers.values()
    ]
    (tmp_path / "c.json").write_text(json.dumps({"customers": rows}))
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(rows))
    for name in ("c.json", "c.yaml"):
        table = load_customers(tmp_path / name)
        assert {c.id: (c.name, c.plan, c.revenue) for c in table.customers.values()} == {
            c.id: (c.name, c.plan, c.revenue) for c in csv_table.customers.values()
        }
    assert csv_table.revenue_total == 35050.0
    assert csv_table.by_key == {"sk_live_stark_7f3a": "c006"}


def test_customer_columns_by_their_other_names(tmp_path: Path) -> None:
    # no "id" or "monthly_revenue" column: the id from customer_id, else customer; the
    # revenue from "Revenue"; the keys from "API Key"; a column named twice counts as
    # its last; the same records as JSON read the same
    (tmp_path / "c.csv").write_text(
        "Customer ID,customer,Revenue,MRR,API Key,Plan,plan,Segment\n"
        'c1,x1,"$1,200.50",9,k1;k2,free,pro,smb\n'
        ",x2,30,9,,free,team,\n"
        ",,5,9,k3,free,free,smb\n"
    )
    records = [
        {"customer_id": "c1", "customer": "x1", "revenue": "$1,200.50", "mrr": "9", "api_key": "k1;k2", "plan": "pro",
         "segment": "smb"},
        {"customer_id": "", "customer": "x2", "revenue": "30", "mrr": "9", "api_key": "", "plan": "team"},
        {"revenue": "5", "api_key": "k3", "plan": "free", "segment": "smb"},
    ]
    (tmp_path / "c.json").write_text(json.dumps({"customers": records}))
    for name in ("c.csv", "c.json"):
        table = load_customers(tmp_path / name)
        assert [(c.id, c.plan, c.segment, c.revenue, c.api_keys) for c in table.customers.values()] == [
            ("c1", "pro", "smb", 1200.5, ("k1", "k2")), ("x2", "team", None, 30.0, ())], name
        assert table.by_key == {"k1": "c1", "k2": "c1"}
        assert table.warnings and "no customer id" in table.warnings[0]


def test_bad_customer_rows_are_warnings() -> None:
    table = load_customers(DATA / "customers_messy.csv")
    assert sorted(table.customers) == ["c001", "c002"]
    assert table.customers["c001"].revenue == 18000.0
    assert table.customers["c001"].name == "Globex Retail"  # the duplicate does not replace it
    assert table.customers["c002"].revenue == 0.0
    (warning,) = table.warnings
    assert "4 malformed row(s)" in warning
    assert "no customer id (1: row 3)" in warning
    assert "duplicate customer id" in warning and "row 5" in warning
    assert "expected 5 cells, found 2 (1: row 6)" in warning
    assert "monthly revenue is not a non-negative number (counted as 0) (1: row 4)" in warning


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("c.csv", "name,plan\nAcme,pro\n", "needs an 'id' column"),
        ("c.csv", "id,name\n,nobody\n", "no usable customer"),
        ("c.json", '{"customers": {"a": 1}}', "expected a list of customers"),
        ("c.yaml", "customers: [\n", "invalid YAML"),
    ],
)
def test_unusable_customer_files(tmp_path: Path, name: str, content: str, expect: str) -> None:
    (tmp_path / name).write_text(content)
    with pytest.raises(InputError) as info:
        load_customers(tmp_path / name)
    assert expect in str(info.value) and name in str(info.value)


def test_binary_customer_file_is_refused() -> None:
    with pytest.raises(InputError, match="binary"):
        load_customers(DATA / "customers_binary.csv")


# --- usage -----------------------------------------------------------------------------

def test_malformed_log_lines_are_counted_summarised_and_skipped(router: PathRouter) -> None:
    customers = load_customers(EX / "customers.csv")
    data = load_usage(DATA / "usage_messy.jsonl", router, customers)
    assert data.calls == {
        ("c002", "GET /orders/{}"): 10,
        ("c003", "GET /orders"): 1,
        ("c999", "POST /orders"): 7,
        ("c006", "GET /orders/{}"): 2,
        (next(w for w, _ in data.calls if w.startswith("key:")), "GET /orders"): 3,
    }
    assert data.requests == 23 and data.unmatched_requests == 5
    assert data.problems is not None and data.problems.total == 6
    warnings = "\n".join(data.warnings())
    assert "6 malformed line(s) skipped" in warnings
    for text in ("not a JSON object (2: line 2, 4)", "missing or unknown HTTP method (1: line 3)",
                 "no customer id or API key (1: line 5)", "count is not a non-negative whole number (1: line 6)",
                 "status is not an HTTP status code (1: line 7)"):
        assert text in warnings
    assert "GET /v1/legacy/ping (5)" in warnings
    assert "missing from the customer list (c999)" in warnings
    assert "1 API key(s) belong to no listed customer" in warnings
    assert "sk_live_unknown" not in warnings  # keys are secrets


def test_a_method_that_is_not_a_word_is_a_malformed_line(tmp_path: Path, router: PathRouter) -> None:
    # found by fuzzing: a list or a mapping as the method used to stop the reader
    log = tmp_path / "usage.jsonl"
    log.write_text("\n".join(json.dumps({"customer": "c002", "method": method, "path": "/orders", "count": 1})
                             for method in (["GET"], {"GET": 1}, "get")) + "\n")
    data = load_usage(log, router, load_customers(EX / "customers.csv"))
    assert data.calls == {("c002", "GET /orders"): 1}
    assert "missing or unknown HTTP method (2: line 1, 2)" in "\n".join(data.warnings())


def test_csv_usage_with_header_aliases(router: PathRouter) -> None:
    data = load_usage(DATA / "usage.csv", router)
    assert data.calls == {
        ("c001", "GET /reports/daily"): 30,
        ("c004", "GET /reports/daily"): 31,
        ("c004", "GET /orders/export"): 2,
    }
    assert data.unmatched == {("DELETE", "/v1/orders/ord_1"): 1}
    assert "expected 5 cells, found 4 (1: line 5)" in "\n".join(data.warnings())


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("u.jsonl", "nonsense\n{also bad\n", "no usable usage line"),
        ("u.csv", "who,verb,where\na,GET,/x\n", "needs a header"),
        ("u.csv", "method,path\nGET,/orders\n", "'customer' or an 'api_key' column"),
        ("u.jsonl", "\n\n", "holds no usage line"),
    ],
)
def test_unusable_usage_files(tmp_path: Path, router: PathRouter, name: str, content: str, expect: str) -> None:
    (tmp_path / name).write_text(content)
    with pytest.raises(InputError) as info:
        load_usage(tmp_path / name, router)
    assert expect in str(info.value) and name in str(info.value)


def test_missing_usage_file(router: PathRouter) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_usage(DATA / "nope.jsonl", router)


# --- integrations ----------------------------------------------------------------------

def test_unknown_operation_and_customer_in_integrations_are_warnings() -> None:
    base = load_document(str(EX / "api" / "v1.yaml"), DocumentKind.OPENAPI)
    rev = load_document(str(EX / "api" / "v2.yaml"), DocumentKind.OPENAPI)
    f = Finding(rule="r", severity=Severity.MAJOR, principle=Principle.BACKWARD_COMPATIBILITY,
                kind="api.operation.removed", title="t", message="m", operation="GET /orders")
    totals = apply_api_impact(
        base, rev, [f],
        {"customers": str(EX / "customers.csv"), "integrations": str(DATA / "integrations_unknown_op.yaml"),
         "usage": None, "contracts": None},
        Config(),
    )
    text = "\n".join(totals.warnings)
    assert "2 declared operation(s) exist in neither the base nor the revision spec" in text
    assert "'GET /reports/weekly' (integration 'old-dashboard'" in text
    assert "'DELETE /orders/{orderId}'" in text
    assert "integration 'old-dashboard' names 1 customer id(s) missing from the customer list (c404)" in text
    assert f.impact is not None and f.impact.customer_ids == ["c002", "c404"]


def test_integrations_not_following_the_schema_are_unusable() -> None:
    with pytest.raises(InputError) as info:
        load_integrations(DATA / "integrations_invalid.yaml")
    message = str(info.value)
    assert "integrations_invalid.yaml:5" in message and "'id' is a required property" in message


def test_declared_field_spellings() -> None:
    assert field_path("lines[]/sku") == "lines/items/sku"
    assert field_path("/rows[][]/x/") == "rows/items/items/x"
    integrations = load_integrations(EX / "integrations.yaml")
    erp = next(i for i in integrations if i.id == "globex-erp")
    assert erp.operations[0].request_fields == ["customer_ref", "lines/items/sku", "lines/items/quantity", "note"]


# --- contracts -------------------------------------------------------------------------

def test_pact_v2_and_v3_from_a_folder() -> None:
    contracts = load_contracts(EX / "pacts")
    assert [c.consumer for c in contracts.contracts] == ["LabelMaker", "ShopSync"]
    label = contracts.contracts[0]
    assert label.version == "2.0.0"
    assert label.interactions[0].parameters == ["created_after", "status"]
    assert label.interactions[1].response_fields == [
        "id", "shipping_address/city", "shipping_address/country", "shipping_address/line1",
        "shipping_address/postcode", "tracking_url",
    ]
    shop = contracts.contracts[1]
    assert shop.version == "3.0.0"
    assert shop.interactions[0].parameters == ["limit", "status"]
    assert "data/items/total/amount" in shop.interactions[0].response_fields
    assert shop.interactions[2].request_fields == ["currency", "customer_ref", "lines/items/quantity", "lines/items/sku"]


def test_pact_v4_bodies_and_non_http_interactions(tmp_path: Path) -> None:
    pact = {
        "consumer": {"name": "Mobile"}, "provider": {"name": "Orderly"},
        "interactions": [
            {"type": "Synchronous/HTTP", "description": "x",
             "request": {"method": "GET", "path": "/orders/1"},
             "response": {"status": 200, "body": {"content": {"id": "1", "lines": []}, "contentType": "application/json", "encoded": False}}},
            {"type": "Asynchronous/Messages", "description": "y", "contents": {}},
        ],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    (tmp_path / "Mobile-Orderly.json").write_text(json.dumps(pact))
    contracts = load_contracts(tmp_path / "Mobile-Orderly.json")
    (contract,) = contracts.contracts
    assert contract.version == "4.0"
    assert [i.response_fields for i in contract.interactions] == [["id", "lines"]]
    assert any("not an HTTP interaction (Asynchronous/Messages) (1: interaction 1)" in w for w in contracts.warnings)


def test_pact_request_headers_that_are_not_a_mapping_are_ignored(tmp_path: Path) -> None:
    # found by fuzzing: a number here used to stop the reader
    pact = {"consumer": {"name": "Mobile"}, "provider": {"name": "Orderly"},
            "interactions": [{"description": "x", "request": {"method": "GET", "path": "/orders", "headers": 5,
                                                              "query": "limit=5"},
                              "response": {"status": 200}}]}
    (tmp_path / "Mobile-Orderly.json").write_text(json.dumps(pact))
    (contract,) = load_contracts(tmp_path / "Mobile-Orderly.json").contracts
    assert [i.parameters for i in contract.interactions] == [["limit"]]


def test_body_fields_are_leaves() -> None:
    assert body_fields({"a": {"b": 1, "c": [{"d": 2}, {"e": None}]}, "f": []}) == ["a/b", "a/c/items/d", "a/c/items/e", "f"]
    assert body_fields("plain text") == [""]


def test_unusable_pacts(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'interactions' must be a list") as info:
        load_contracts(DATA / "not_a_pact.json")
    assert "not_a_pact.json:1" in str(info.value)
    with pytest.raises(InputError, match="no such file or folder"):
        load_contracts(DATA / "missing-pacts")
    (tmp_path / "notes.txt").write_text("not a pact")
    with pytest.raises(InputError, match="no Pact file"):
        load_contracts(tmp_path)


def test_unlinked_pact_consumer_is_an_integration_with_a_warning(tmp_path: Path) -> None:
    base = load_document(str(EX / "api" / "v1.yaml"), DocumentKind.OPENAPI)
    f = Finding(rule="r", severity=Severity.MAJOR, principle=Principle.BACKWARD_COMPATIBILITY,
                kind="api.schema.property.removed", title="t", message="m", operation="GET /orders/{orderId}",
                facts={"direction": "response", "status": "200", "property_path": "tracking_url"})
    totals = apply_api_impact(base, base, [f], {"contracts": str(EX / "pacts")}, Config())
    assert f.impact is not None
    assert f.impact.integration_ids == ["LabelMaker"] and f.impact.customers == 0
    assert f.impact.details["unused"] is False
    assert sum("is not linked to any customer" in w for w in totals.warnings) == 2


# --- the schemas document the examples -------------------------------------------------

def test_examples_follow_the_published_schemas() -> None:
    jsonschema.Draft202012Validator(load_schema("integrations.schema.json")).validate(
        yaml.safe_load((EX / "integrations.yaml").read_text())
    )
    line_schema = jsonschema.Draft202012Validator(load_schema("usage-line.schema.json"))
    for line in (EX / "usage.jsonl").read_text().splitlines():
        line_schema.validate(json.loads(line))
    import csv

    rows = list(csv.DictReader((EX / "customers.csv").read_text().splitlines()))
    jsonschema.Draft202012Validator(load_schema("customers.schema.json")).validate(rows)
    pact_schema = jsonschema.Draft202012Validator(load_schema("pact.schema.json"))
    for pact in sorted((EX / "pacts").glob("*.json")):
        pact_schema.validate(json.loads(pact.read_text()))


def test_usage_schema_and_reader_agree_on_bad_lines(router: PathRouter) -> None:
    line_schema = jsonschema.Draft202012Validator(load_schema("usage-line.schema.json"))
    bad = [
        {"customer": "c1", "method": "FETCH", "path": "/orders"},
        {"customer": "c1", "method": "GET", "path": "orders"},
        {"method": "GET", "path": "/orders"},
        {"customer": "c1", "method": "GET", "path": "/orders", "count": -1},
        {"customer": "c1", "method": "GET", "path": "/orders", "status": 42},
    ]
    for row in bad:
        assert not line_schema.is_valid(row), row


def test_a_bad_id_in_a_long_customer_list_is_located(tmp_path: Path) -> None:
    members = [f"c{i}" for i in range(50)] + [{"id": "c50"}]
    (tmp_path / "i.json").write_text(json.dumps({"integrations": [{"id": "big", "customers": members}]}, indent=1))
    with pytest.raises(InputError) as info:
        load_integrations(tmp_path / "i.json")
    assert "/integrations/0/customers/50" in str(info.value) and "i.json:56" in str(info.value)  # 5 lines of preamble, 50 ids


def test_terms_impact_reaches_customers_by_plan() -> None:
    from trustguard.impact import apply_terms_impact

    def terms_finding(**facts: object) -> Finding:
        return Finding(rule="r", severity=Severity.MAJOR, principle=Principle.NO_SURPRISES, kind="terms.clause.changed",
                       title="t", message="m", facts=dict(facts))

    on_pro = terms_finding(plan="Pro")
    everyone = terms_finding()
    nobody = terms_finding(plans=["platinum"])
    totals = apply_terms_impact(None, None, [on_pro, everyone, nobody],
                                {"customers": str(EX / "customers.csv"), "usage": str(EX / "usage.jsonl")}, Config())
    assert on_pro.impact is not None and on_pro.impact.customer_ids == ["c002", "c003", "c009", "c011"]
    assert on_pro.impact.revenue == 2400 + 1900 + 1200 + 790
    assert everyone.impact is not None and everyone.impact.customers == 12 and everyone.impact.level == "all"
    assert nobody.impact is not None and nobody.impact.customers == 0
    assert totals.customers_affected == 12
    assert any("platinum" in w for w in totals.warnings)
    assert any("usage not used for a terms change" in w for w in totals.warnings)


def test_a_customer_list_read_twice_in_a_run_is_read_once_and_an_edit_is_read_again(tmp_path: Path) -> None:
    # the graph, the impact JSON and the notices each ask for the list: an unchanged file
    # gives the table read first; a file written since gives its new content
    path = tmp_path / "customers.csv"
    path.write_text("id,name\nc1,Acme\n")
    first = load_customers(path)
    assert load_customers(str(path)) is first
    path.write_text("id,name\nc1,Acme\nc2,Globex\n")
    again = load_customers(path)
    assert again is not first and sorted(again.customers) == ["c1", "c2"]
    path.unlink()
    with pytest.raises(InputError):
        load_customers(path)
