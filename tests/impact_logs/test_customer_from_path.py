"""``--customer-from path:NAME``: the customer is the tenant in the request's path (the
value of a path parameter of the operation it routes to, or the N-th segment), in any
log format, mapped through the customer list like any other value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trustguard.errors import InputError
from trustguard.impact.customers import load_customers
from trustguard.impact.logs.pick import parse_customer_from
from trustguard.impact.routes import PathRouter
from trustguard.impact.usage import load_usage

_OK = {"responses": {"200": {"description": "ok"}}}
BASE: dict[str, Any] = {
    "openapi": "3.0.3", "info": {"title": "Orders", "version": "1"},
    "servers": [{"url": "https://api.example/v1"}],
    "paths": {
        "/tenants/{tenant}/orders": {"get": _OK},
        "/tenants/{tenant}/orders/{id}": {"get": _OK},
        "/tenants/{tenant}/orders/export": {"get": _OK},
        "/health": {"get": _OK},
    },
}
# the revision spells the parameter otherwise: either spelling names it
REV = json.loads(json.dumps(BASE).replace("{tenant}", "{tenantId}"))
ROUTER = PathRouter.from_specs([BASE, REV])


@pytest.fixture
def customers(tmp_path: Path) -> Any:
    path = tmp_path / "customers.csv"
    path.write_text("id,name,monthly_revenue,api_keys\nacme,Acme,100,\nglobex,Globex,50,tenant-77\n")
    return load_customers(path)


def _clf(target: str) -> str:
    return f'10.0.0.1 - - [02/Dec/2026:10:00:00 +0000] "GET {target} HTTP/1.1" 200 5 "-" "curl"'


def test_the_tenant_of_the_path_is_the_customer(tmp_path, customers):
    log = tmp_path / "access.log"
    log.write_text("\n".join([
        _clf("/v1/tenants/acme/orders?limit=5"), _clf("/v1/tenants/acme/orders/o1"),
        _clf("/v1/tenants/acme/orders/export"), _clf("https://api.example/v1/tenants/globex/orders/o2"),
        _clf("/v1/tenants/tenant-77/orders"),  # an API key of the list in the path: globex
        _clf("/v1/tenants/initech/orders"),  # no such customer: counted, attributed to no one
        _clf("/v1/health"),  # no tenant in this path
        _clf("/v1/nowhere"),
    ]) + "\n")
    for pick in ("path:tenant", "path:tenantId", "path:{tenant}"):
        data = load_usage(log, ROUTER, customers, customer_from=pick)
        assert data.calls == {("acme", "GET /tenants/{}/orders"): 1, ("acme", "GET /tenants/{}/orders/{}"): 1,
                              ("acme", "GET /tenants/{}/orders/export"): 1, ("globex", "GET /tenants/{}/orders/{}"): 1,
                              ("globex", "GET /tenants/{}/orders"): 1}, pick
        assert data.unattributed_requests == 2 and data.unattributed_no_value == 1
        assert data.unmatched_requests == 1
    # the N-th segment of the logged path (the server prefix counts)
    data = load_usage(log, ROUTER, customers, customer_from="path:3")
    assert data.calls[("acme", "GET /tenants/{}/orders")] == 1 and data.unattributed_requests == 2


def test_json_lines_and_no_customer_list(tmp_path):
    log = tmp_path / "access.jsonl"
    log.write_text("".join(json.dumps(r) + "\n" for r in (
        {"request": "GET /v1/tenants/acme/orders HTTP/1.1", "status": 200},
        {"method": "GET", "path": "/v1/tenants/acme/orders", "status": 200, "count": 3},
    )))
    data = load_usage(log, ROUTER, None, customer_from="path:tenant")
    # a tenant is no secret: without a list it is the customer id as it is
    assert data.calls == {("acme", "GET /tenants/{}/orders"): 4}


def test_a_bad_path_pick_is_a_clear_error():
    for text in ("path:", "path:0", "path"):
        with pytest.raises(InputError, match="customer-from"):
            parse_customer_from(text)
    assert parse_customer_from("path:{org}").name == "org"


def test_the_cli_takes_it_with_recorded_calls_too(tmp_path, customers):
    """Recorded calls (--replay) keep naming their customer their own way (a customer field,
    an API key) when the logs name it in the path."""
    from click.testing import CliRunner

    from trustguard.cli import cli

    base, rev = tmp_path / "v1.json", tmp_path / "v2.json"
    base.write_text(json.dumps(BASE))
    removed = json.loads(json.dumps(REV))
    del removed["paths"]["/tenants/{tenantId}/orders/export"]
    rev.write_text(json.dumps(removed))
    (tmp_path / "customers.csv").write_text("id,name,monthly_revenue\nacme,Acme,100\nglobex,Globex,50\n")
    log = tmp_path / "access.log"
    log.write_text(_clf("/v1/tenants/acme/orders/export") + "\n" + _clf("/v1/tenants/globex/orders") + "\n")
    calls = tmp_path / "calls.jsonl"
    calls.write_text(json.dumps({"customer": "globex", "request": {"method": "GET", "url": "/v1/tenants/globex/orders/export"},
                                 "response": {"status": 200}}) + "\n")
    result = CliRunner().invoke(cli, ["impact", str(base), str(rev), "-f", "json", "--customers",
                                      str(tmp_path / "customers.csv"), "--usage", str(log),
                                      "--customer-from", "path:tenant", "--replay", str(calls)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    (removed_op,) = [f for f in doc["findings"] if f["kind"] == "api.operation.removed"]
    assert removed_op["impact"]["customer_ids"] == ["acme", "globex"]  # acme by its log, globex by its call
    assert [c["customer"] for c in doc["replay"]["customers"]] == ["globex"]
    # the export is gone though the revision routes its path to GET .../orders/{id}
    assert doc["replay"]["refused"] == 1 and "export" in result.stdout
