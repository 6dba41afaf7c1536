"""Ground truth for the blast radius, computed by hand on the example company.

examples/ holds 12 customers (total monthly revenue 35,050), four integrations and two
Pact contracts:
  shopsync       partner  c002 c003 c005 c006 c007 c010   Pact: reads data/items/{id,status,total/*},
                                                          id, status, total/*, lines/items/{sku,quantity},
                                                          shipping_address/*; sends currency on POST /orders
  labelmaker     partner  c001 c004 c009                  Pact: reads id, shipping_address/*, tracking_url;
                                                          sends query created_after on GET /orders
  globex-erp     app      c001                            declared: POST /orders sends customer_ref, lines,
                                                          note (no currency); GET /reports/daily
  orderly-python sdk      c008 c009 c011 c012             no field data: estimated
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trustguard.config import Config, ImpactPolicy
from trustguard.impact import apply_api_impact
from trustguard.load import load_document
from trustguard.model import DocumentKind, Finding, Principle, Severity

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"
INPUTS = {
    "customers": str(EX / "customers.csv"),
    "usage": str(EX / "usage.jsonl"),
    "integrations": str(EX / "integrations.yaml"),
    "contracts": str(EX / "pacts"),
}
REVENUE = {
    "c001": 18000.0, "c002": 2400.0, "c003": 1900.0, "c004": 9500.0, "c005": 290.0, "c006": 290.0,
    "c007": 290.0, "c008": 0.0, "c009": 1200.0, "c010": 390.0, "c011": 790.0, "c012": 0.0,
}
TOTAL_REVENUE = 35050.0
TOTAL_TRAFFIC = 10551  # every request in usage.jsonl but the 720 on /v1/healthz


def finding(kind: str, operation: str | None, severity: Severity = Severity.MAJOR, **facts: object) -> Finding:
    return Finding(
        rule="test-rule", severity=severity, principle=Principle.BACKWARD_COMPATIBILITY, kind=kind,
        title=kind, message=kind, operation=operation, facts=dict(facts),
    )


@pytest.fixture(scope="module")
def docs() -> tuple[object, object]:
    base = load_document(str(EX / "api" / "v1.yaml"), DocumentKind.OPENAPI)
    rev = load_document(str(EX / "api" / "v2.yaml"), DocumentKind.OPENAPI)
    return base, rev


def run(docs: tuple[object, object], findings: list[Finding], cfg: Config | None = None, **inputs: object):
    base, rev = docs
    return apply_api_impact(base, rev, findings, {**INPUTS, **inputs}, cfg or Config())


def exact(f: Finding) -> set[str]:
    assert f.impact is not None
    est = set(f.impact.details["estimated_ids"])
    return {c for c in f.impact.customer_ids if c not in est}


def estimated(f: Finding) -> set[str]:
    assert f.impact is not None
    return {c for c in f.impact.details["estimated_ids"] if not c.startswith("integration:")}


def test_endpoint_removed_reaches_its_callers_exactly(docs):
    f = finding("api.operation.removed", "GET /reports/daily")
    run(docs, [f])
    imp = f.impact
    assert imp.level == "operation"
    assert imp.customer_ids == ["c001", "c004"]  # c001 through globex-erp and its logs, c004 from logs only
    assert imp.integration_ids == ["globex-erp"]
    assert not imp.estimated
    assert imp.revenue == 27500.0
    assert imp.revenue_share == pytest.approx(27500 / TOTAL_REVENUE, abs=1e-6)
    assert imp.traffic == 30 + 31
    assert imp.traffic_share == pytest.approx(61 / TOTAL_TRAFFIC, abs=1e-6)
    assert imp.customer_share == pytest.approx(2 / 12, abs=1e-6)
    assert imp.details["with_data"] is True
    assert [e.id for e in imp.top_customers] == ["c001", "c004"]
    assert imp.top_customers[0].name == "Globex Retail" and imp.top_customers[0].traffic == 30


def test_removed_response_field_hits_only_its_readers(docs):
    f = finding("api.schema.property.removed", "GET /orders/{orderId}", direction="response",
                status="200", property_path="tracking_url", target="response-property")
    run(docs, [f])
    # LabelMaker's contract reads tracking_url; ShopSync's does not; the SDK says nothing.
    assert exact(f) == {"c001", "c004", "c009"}
    assert estimated(f) == {"c008", "c011", "c012"}
    assert f.impact.integration_ids == ["labelmaker", "orderly-python"]
    assert f.impact.level == "field" and f.impact.estimated
    assert "integration:orderly-python" in f.impact.details["estimated_ids"]
    assert "integration:labelmaker" not in f.impact.details["estimated_ids"]
    # c001 800 + c004 500 + 3 (the 404s hit the same operation) + c009 150 + c011 300
    assert f.impact.traffic == 800 + 503 + 150 + 300


def test_removed_field_read_by_the_other_partner(docs):
    f = finding("api.schema.property.removed", "GET /orders/{orderId}", direction="response",
                status="200", property_path="total/amount")
    run(docs, [f])
    assert exact(f) == {"c002", "c003", "c005", "c006", "c007", "c010"}
    # c009 uses LabelMaker (which does not read it) and the SDK (unknown): estimated.
    assert estimated(f) == {"c008", "c009", "c011", "c012"}
    assert f.impact.integration_ids == ["orderly-python", "shopsync"]


def test_changing_a_parent_object_hits_readers_of_its_children(docs):
    f = finding("api.schema.type.changed", "GET /orders/{orderId}", direction="response",
                status="200", property_path="shipping_address")
    run(docs, [f])
    assert exact(f) == {"c001", "c004", "c009", "c002", "c003", "c005", "c006", "c007", "c010"}


def test_a_field_of_another_status_is_not_read(docs):
    f = finding("api.schema.property.removed", "GET /orders/{orderId}", direction="response",
                status="404", property_path="code")
    run(docs, [f])
    assert exact(f) == set()
    assert estimated(f) == {"c008", "c009", "c011", "c012"}


def test_new_required_request_field_hits_those_who_do_not_send_it(docs):
    f = finding("api.schema.property.added", "POST /orders", direction="request",
                property_path="currency", required=True, target="request-property")
    run(docs, [f])
    # ShopSync already sends currency (its Pact); the Globex ERP bridge declares what it sends.
    assert exact(f) == {"c001"}
    assert estimated(f) == {"c008", "c009", "c011", "c012"}
    assert f.impact.integration_ids == ["globex-erp", "orderly-python"]


def test_optional_request_field_added_reaches_no_one(docs):
    f = finding("api.schema.property.added", "POST /orders", direction="request",
                property_path="gift_note", required=False)
    run(docs, [f])
    assert f.impact.customers == 0 and f.impact.level == "none"


def test_query_parameter_change_hits_those_who_send_it(docs):
    f = finding("api.schema.type.changed", "GET /orders", direction="request", param_in="query",
                param_name="created_after", property_path="", target="request-parameter")
    run(docs, [f])
    assert exact(f) == {"c001", "c004", "c009"}
    assert estimated(f) == {"c008", "c011", "c012"}
    assert f.impact.level == "parameter"


def test_usage_without_any_integration_is_operation_level_and_estimated(docs):
    f = finding("api.schema.property.removed", "GET /products/{sku}", direction="response",
                status="200", property_path="stock")
    run(docs, [f])
    assert f.impact.customer_ids == ["c007"] and estimated(f) == {"c007"}
    assert f.impact.traffic == 60


def test_operation_nobody_calls_is_reported_as_unused(docs):
    f = finding("api.operation.removed", "PATCH /orders/{orderId}")
    run(docs, [f])
    assert f.impact.customers == 0 and f.impact.integrations == 0
    assert f.impact.details["unused"] is True


def test_base_and_revision_spellings_of_a_path_are_one_operation(docs):
    f = finding("api.operation.removed", "get /orders/{id}/")
    run(docs, [f])
    # Every customer reaches GET /orders/{orderId}: through ShopSync, LabelMaker or the SDK.
    assert f.impact.customer_ids == sorted(REVENUE)
    assert not f.impact.estimated


def test_totals_count_each_customer_once_and_skip_info(docs):
    removed = finding("api.operation.removed", "GET /reports/daily")
    field = finding("api.schema.property.removed", "GET /orders/{orderId}", direction="response",
                    status="200", property_path="tracking_url")
    info = finding("api.operation.deprecated", "GET /products", severity=Severity.INFO)
    totals = run(docs, [removed, field, info])
    assert totals.customers_total == 12
    assert set(removed.impact.customer_ids) | set(field.impact.customer_ids) == {"c001", "c004", "c008", "c009", "c011", "c012"}
    assert totals.details["customers_by_severity"] == {"major": 6}
    assert totals.customers_affected == 6
    assert totals.revenue_affected == sum(REVENUE[c] for c in ("c001", "c004", "c008", "c009", "c011", "c012"))
    assert totals.revenue_total == TOTAL_REVENUE
    assert totals.traffic_total == TOTAL_TRAFFIC
    assert totals.traffic_affected == 61 + 800 + 503 + 150 + 300
    assert totals.integrations_affected == 3
    assert info.impact is not None and info.impact.customers > 0  # info still gets its own impact
    assert any("/v1/healthz" in w and "720" in w for w in totals.warnings)


def test_whale_concentration_and_community_shock_are_separate(docs):
    f = finding("api.operation.removed", "GET /reports/daily")
    run(docs, [f])
    # globex-erp declares that it calls the report: its removal is a proven break too
    assert f.impact.flags == ["whale-concentration", "contract-broken"]
    # The SDK's four customers are small; with a low threshold they are a community shock,
    # while Globex (51% of revenue) is a whale: both flags, neither hiding the other.
    policy = ImpactPolicy(community_shock_customers=3, community_shock_max_share=0.05)
    g = finding("api.operation.deprecated", "GET /orders/{orderId}")
    totals = run(docs, [g], Config(impact=policy))
    assert g.impact.flags == ["community-shock", "whale-concentration"]
    assert totals.flags == ["community-shock", "whale-concentration"]
    # 5% of 35,050 is 1,752.50: c005 c006 c007 c008 c009 c010 c011 c012 are below it.
    assert totals.details["community_shock"]["small_customers"] == 8


def test_check_end_to_end_on_the_example_company():
    import trustguard

    report = trustguard.check(
        EX / "api" / "v1.yaml", EX / "api" / "v2.yaml", customers=INPUTS["customers"], usage=INPUTS["usage"],
        integrations=INPUTS["integrations"], contracts=INPUTS["contracts"],
    )
    by_kind = {(f.kind, f.operation, f.subject): f for f in report.findings}
    removed = next(f for (k, op, _), f in by_kind.items() if k == "api.operation.removed" and op == "GET /reports/daily")
    assert removed.impact.customer_ids == ["c001", "c004"] and not removed.impact.estimated
    tracking = next(f for (k, op, _), f in by_kind.items()
                    if k == "api.schema.property.removed" and f.facts.get("property_path") == "tracking_url")
    assert exact(tracking) == {"c001", "c004", "c009"} and estimated(tracking) == {"c008", "c011", "c012"}
    currency = next(f for (k, op, _), f in by_kind.items() if op == "POST /orders" and f.facts.get("property_path") == "currency")
    assert exact(currency) == {"c001"} and estimated(currency) == {"c008", "c009", "c011", "c012"}
    param = next(f for (k, op, _), f in by_kind.items() if k == "api.schema.type.changed" and op == "GET /orders")
    assert exact(param) == {"c001", "c004", "c009"}
    for f in report.findings:
        if f.kind in ("api.operation.added", "api.parameter.added", "api.schema.property.added") and f.severity is Severity.INFO:
            assert f.impact.customers == 0
    assert report.impact is not None and report.impact.customers_affected == 6
    assert report.impact.flags == ["whale-concentration"]
    assert not report.passed
    # The same change, with a policy that only fails on changes reaching at least 3 customers
    # and 80% of revenue: the removed endpoint (2 customers) and the required currency
    # (57% of revenue) pass; the created_after type change (6 customers, 84%) fails, and so
    # does the minimum it gained (a bound set on a request value is as severe as one raised).
    cfg = Config(impact=ImpactPolicy(min_customers=3, min_revenue_share=0.8))
    strict = trustguard.check(
        EX / "api" / "v1.yaml", EX / "api" / "v2.yaml", customers=INPUTS["customers"], usage=INPUTS["usage"],
        integrations=INPUTS["integrations"], contracts=INPUTS["contracts"], config=cfg,
    )
    from trustguard.classify.policy import finding_fails

    # The optional tracking_url removed is minor by its rule, but LabelMaker's Pact reads it:
    # a proven break, raised to major (contract-broken), and it reaches 6 customers and 84%.
    assert [(f.operation, f.kind) for f in strict.findings if finding_fails(f, cfg)] == [
        ("GET /orders", "api.schema.min.set"), ("GET /orders", "api.schema.type.changed"),
        ("GET /orders/{orderId}", "api.schema.property.removed"),
    ]
    assert tracking.severity is Severity.MAJOR and "contract-broken" in tracking.impact.flags
    assert tracking.impact.details["contract_broken"] == {"integrations": ["labelmaker"], "raised_from": "minor"}
    assert strict.summary.failing == 3 and not strict.passed
