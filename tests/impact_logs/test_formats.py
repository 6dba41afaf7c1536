"""Each access-log format read from a realistic sample and from its documentation's own
example: the operation, the status and the customer each line is counted for, and every
malformed line counted at its line number."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from trustguard.errors import InputError
from trustguard.impact.customers import load_customers
from trustguard.impact.logs.har import read_har
from trustguard.impact.routes import PathRouter
from trustguard.impact.usage import load_usage

SPEC: dict[str, Any] = {
    "servers": [{"url": "https://api.shop.example/v1"}],
    "paths": {
        "/orders": {"get": {}, "post": {}},
        "/orders/{id}": {"get": {}, "delete": {}},
        "/orders/export": {"get": {}},
        "/apache_pb.gif": {"get": {}},
        "/index.html": {"get": {}},
        "/": {"get": {}},
    },
}
ROUTER = PathRouter.from_specs([SPEC])


@pytest.fixture
def customers(tmp_path: Path) -> Any:
    path = tmp_path / "customers.csv"
    path.write_text("id,name,monthly_revenue,api_keys\nacme,Acme,100,key-acme\nglobex,Globex,50,key-globex\n"
                    "frank,Frank,10,\n")
    return load_customers(path)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


COMBINED = (
    '203.0.113.7 - acme [02/Dec/2026:09:14:01 +0000] "GET /v1/orders/1842?expand=items HTTP/1.1" 200 512 "-" "shop-sdk/2.1" "key-acme"\n'
    '203.0.113.8 - globex [02/Dec/2026:09:14:02 +0000] "POST /v1/orders HTTP/1.1" 201 88 "https://shop.example/" "Mozilla/5.0 (X11; Linux x86_64)" "key-globex"\n'
    '203.0.113.8 - - [02/Dec/2026:09:14:03 +0000] "GET /v1/orders/export HTTP/2.0" 200 9000 "-" "curl/8.5.0" "-"\n'
    'this is not a log line\n'
    '203.0.113.9 - acme [02/Dec/2026:09:14:04 +0000] "\\x16\\x03\\x01" 400 0 "-" "-" "-"\n'
    '203.0.113.9 - acme [02/Dec/2026:09:14:05 +0000] "DELETE /v1/orders/77 HTTP/1.1" 204 0 "-" "shop-sdk/2.1" "key-acme"\n'
)


def test_combined_log_by_user_and_by_an_extra_field(tmp_path: Path, customers: Any) -> None:
    log = _write(tmp_path, "access.log", COMBINED)
    data = load_usage(log, ROUTER, customers, customer_from="user")
    assert data.formats[str(log)] == "combined"
    assert data.calls == {("acme", "GET /orders/{}"): 1, ("globex", "POST /orders"): 1, ("acme", "DELETE /orders/{}"): 1}
    assert data.by_status[("acme", "", "DELETE /orders/{}", 204)] == 1
    # the third line has no user ('-'): counted, not attributed to anyone
    assert data.unattributed_lines == 1 and data.unattributed_no_value == 1
    assert data.problems is not None
    summary = data.problems.summary() or ""
    assert "not a common/combined log line (1: line 4)" in summary
    assert "the request is not 'METHOD target HTTP/x' (1: line 5)" in summary
    by_key = load_usage(log, ROUTER, customers, customer_from="field:1")
    assert by_key.calls == data.calls


def test_a_value_that_names_no_customer_is_reported_never_guessed(tmp_path: Path, customers: Any) -> None:
    log = _write(tmp_path, "access.log",
                 '198.51.100.1 - mallory [02/Dec/2026:10:00:00 +0000] "GET /v1/orders HTTP/1.1" 200 10 "-" "x"\n'
                 '198.51.100.2 - acme [02/Dec/2026:10:00:01 +0000] "GET /v1/orders HTTP/1.1" 200 10 "-" "x"\n')
    data = load_usage(log, ROUTER, customers, customer_from="user")
    assert data.calls == {("acme", "GET /orders"): 1}
    assert data.unattributed_lines == 1 and data.unattributed_no_value == 0
    assert any("no known customer" in w and "--customer-from user" in w for w in data.warnings())


def test_apache_documentation_examples(tmp_path: Path) -> None:
    # mod_log_config's examples of the common and the combined format, word for word
    common = _write(tmp_path, "common.log",
                    '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326\n')
    combined = _write(tmp_path, "combined.log",
                      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 '
                      '"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"\n')
    for path, kind in ((common, "common"), (combined, "combined")):
        data = load_usage(path, ROUTER, customer_from="user")
        assert data.formats[str(path)] == kind
        assert data.calls == {("frank", "GET /apache_pb.gif"): 1}
        assert data.by_status == {("frank", "", "GET /apache_pb.gif", 200): 1}


def test_a_header_a_combined_line_does_not_carry_is_an_error(tmp_path: Path) -> None:
    log = _write(tmp_path, "access.log", COMBINED)
    with pytest.raises(InputError, match="carry") as caught:
        load_usage(log, ROUTER, customer_from="header:X-Api-Key")
    assert caught.value.file == str(log)


NGINX_JSON = (
    '{"time":"2026-12-02T09:14:01+00:00","remote_addr":"203.0.113.7","remote_user":"","request":"GET /v1/orders/12 HTTP/1.1","status":200,"body_bytes_sent":512,"http_x_api_key":"key-acme","request_time":0.004}\n'
    '{"time":"2026-12-02T09:14:02+00:00","remote_addr":"203.0.113.8","remote_user":"","request":"POST /v1/orders HTTP/1.1","status":201,"body_bytes_sent":88,"http_x_api_key":"key-unknown","request_time":0.010}\n'
    '{"time":"2026-12-02T09:14:03+00:00", "request": \n'
)
ENVOY_JSON = (
    '{"start_time":"2026-12-02T09:14:01.000Z","method":"GET","path":"/v1/orders/export","protocol":"HTTP/2","response_code":200,"response_flags":"-","bytes_received":0,"bytes_sent":9000,"duration":12,"x_forwarded_for":"203.0.113.7","user_agent":"shop-sdk/2.1","request_id":"b1c7","authority":"api.shop.example","upstream_host":"10.0.0.4:8080","x-api-key":"key-globex"}\n'
)


def test_nginx_and_envoy_json_access_logs(tmp_path: Path, customers: Any) -> None:
    nginx = _write(tmp_path, "nginx.json.log", NGINX_JSON)
    data = load_usage(nginx, ROUTER, customers, customer_from="header:X-Api-Key")
    assert data.formats[str(nginx)] == "jsonl"
    assert data.calls == {("acme", "GET /orders/{}"): 1}
    assert data.unattributed_lines == 1  # key-unknown belongs to no customer
    assert "not a JSON object (1: line 3)" in (data.problems.summary() if data.problems else "")
    envoy = _write(tmp_path, "envoy.log", ENVOY_JSON)
    data = load_usage(envoy, ROUTER, customers, customer_from="header:X-Api-Key")
    assert data.calls == {("globex", "GET /orders/export"): 1}
    assert data.by_status == {("globex", "", "GET /orders/export", 200): 1}


# the HTTP and the HTTPS entry of the ALB documentation's examples, then one of ours
ALB = (
    'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 '
    '0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - '
    'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 '
    '"Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" '
    '"10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90\n'
    'https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 '
    '0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0" '
    'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 '
    '"Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" '
    '"arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 '
    '2018-07-02T22:22:48.364000Z "authenticate,forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef91\n'
    'https 2026-12-02T09:14:01.123456Z app/shop-api/50dc6c495c0c9188 203.0.113.7:52113 10.0.1.12:8080 '
    '0.000 0.021 0.000 404 404 211 95 "GET https://api.shop.example:443/v1/orders/991?api_key=key-acme HTTP/1.1" '
    '"shop-sdk/2.1" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/73e2d6bc24d8a067 '
    '"Root=1-6566b7f9-0a1b2c3d4e5f60718293a4b5" "api.shop.example" "-" 3 2026-12-02T09:14:01.100000Z "forward" "-" "-" '
    '"10.0.1.12:8080" "404" "-" "-" TID_0a1b2c3d\n'
    'https 2026-12-02T09:14:02.000000Z app/shop-api/50dc6c495c0c9188 203.0.113.7:52113 - -1 -1 -1 400 - 0 0 "- - - " "-" - - - "-" "-" "-" - - "-" "-" "-" "-" "-" "-" "-" -\n'
)


def test_alb_access_log(tmp_path: Path, customers: Any) -> None:
    log = _write(tmp_path, "alb.log", ALB)
    data = load_usage(log, ROUTER, customers, customer_from="query:api_key")
    assert data.formats[str(log)] == "alb"
    assert data.calls == {("acme", "GET /orders/{}"): 1}
    assert data.by_status == {("acme", "", "GET /orders/{}", 404): 1}
    assert data.unattributed_lines == 2  # the documentation's requests carry no api_key
    assert "(1: line 4)" in (data.problems.summary() if data.problems else "")
    by_domain = load_usage(log, ROUTER, None, customer_from="field:domain_name")
    assert by_domain.calls == {("www.example.com", "GET /"): 1, ("api.shop.example", "GET /orders/{}"): 1}


CLOUDFRONT_FIELDS = ("#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem "
                     "sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id "
                     "x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher "
                     "x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port "
                     "time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n")


def _cf(stem: str, status: str, query: str) -> str:
    cells = ["2019-12-04", "21:02:31", "LAX1", "392", "192.0.2.100", "GET", "d111111abcdef8.cloudfront.net", stem,
             status, "-", "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)", query, "-", "Hit",
             "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==", "d111111abcdef8.cloudfront.net", "https",
             "23", "0.001", "-", "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", "Hit", "HTTP/2.0", "-", "-", "11040",
             "0.001", "Hit", "text/html", "78", "-", "-"]
    return "\t".join(cells) + "\n"


def test_cloudfront_standard_log(tmp_path: Path, customers: Any) -> None:
    text = (CLOUDFRONT_FIELDS + _cf("/index.html", "200", "-") + _cf("/v1/orders/5", "200", "api_key=key-globex&x=1")
            + "2019-12-04\t21:02:31\tLAX1\n")
    log = _write(tmp_path, "E2EXAMPLE.2019-12-04-21.d111111a", text)
    data = load_usage(log, ROUTER, customers, customer_from="query:api_key")
    assert data.formats[str(log)] == "cloudfront"
    assert data.calls == {("globex", "GET /orders/{}"): 1}
    assert data.unattributed_lines == 1
    assert "expected 33 tab-separated fields, found 3 (1: line 5)" in (data.problems.summary() if data.problems else "")


HAR: dict[str, Any] = {
    "log": {
        "version": "1.2",
        "creator": {"name": "WebInspector", "version": "537.36"},
        "pages": [],
        "entries": [
            {
                "startedDateTime": "2026-12-02T09:14:01.123Z", "time": 50,
                "request": {"method": "GET", "url": "https://api.shop.example/v1/orders/12?expand=items",
                            "httpVersion": "HTTP/1.1", "cookies": [],
                            "headers": [{"name": "x-api-key", "value": "key-acme"}],
                            "queryString": [{"name": "expand", "value": "items"}], "headersSize": 150, "bodySize": 0},
                "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "cookies": [], "headers": [],
                             "content": {"size": 2, "mimeType": "application/json", "text": "e30=", "encoding": "base64"},
                             "redirectURL": "", "headersSize": 100, "bodySize": 2},
                "cache": {}, "timings": {"send": 1, "wait": 40, "receive": 9},
            },
            {"startedDateTime": "2026-12-02T09:14:02.000Z", "request": {"url": "https://api.shop.example/v1/orders"}},
        ],
    }
}


def test_har_capture(tmp_path: Path, customers: Any) -> None:
    path = tmp_path / "capture.har"
    path.write_text(json.dumps(HAR, indent=2))
    data = load_usage(path, ROUTER, customers, customer_from="header:X-Api-Key")
    assert data.formats[str(path)] == "har"
    assert data.calls == {("acme", "GET /orders/{}"): 1}
    assert "(entry /log/entries/1) (1: line 2)" in (data.problems.summary() if data.problems else "")
    entries = list(read_har(path))
    assert entries[0].response_body is not None and entries[0].response_body.text == "{}"
    assert entries[0].header("X-API-KEY") == "key-acme"


def _attr(key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    if isinstance(value, list):
        return {"key": key, "value": {"arrayValue": {"values": [{"stringValue": v} for v in value]}}}
    return {"key": key, "value": {"stringValue": value}}


def test_otlp_json_http_server_spans(tmp_path: Path, customers: Any) -> None:
    server = {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": "GET /orders/{id}",
              "kind": 2, "startTimeUnixNano": "1544712660000000000", "endTimeUnixNano": "1544712661000000000",
              "attributes": [_attr("http.request.method", "GET"), _attr("url.path", "/v1/orders/12"),
                             _attr("http.route", "/orders/{id}"), _attr("http.response.status_code", 200),
                             _attr("http.request.header.x-api-key", ["key-globex"]), _attr("enduser.id", "acme")]}
    client = {**server, "kind": 3, "spanId": "eee19b7ec3c1b175"}
    # the OTLP repository's example span: a server span without HTTP attributes
    example = {"traceId": "5B8EFFF798038103D269B633813FC60C", "spanId": "EEE19B7EC3C1B174", "parentSpanId": "EEE19B7EC3C1B173",
               "name": "I'm a server span", "startTimeUnixNano": "1544712660000000000",
               "endTimeUnixNano": "1544712661000000000", "kind": 2,
               "attributes": [{"key": "my.span.attr", "value": {"stringValue": "some value"}}]}
    doc = {"resourceSpans": [{"resource": {"attributes": [_attr("service.name", "shop-api")]},
                              "scopeSpans": [{"scope": {"name": "my.library", "version": "1.0.0"},
                                              "spans": [server, client, example]}]}]}
    path = tmp_path / "traces.json"
    path.write_text(json.dumps(doc, indent=2))
    data = load_usage(path, ROUTER, customers, customer_from="header:X-Api-Key")
    assert data.formats[str(path)] == "otlp"
    assert data.calls == {("globex", "GET /orders/{}"): 1}  # the client span is not a request served
    assert "a server span without http.request.method and url.path (1: line 1)" in (data.problems.summary() if data.problems else "")
    lines = tmp_path / "traces.jsonl"
    lines.write_text(json.dumps(doc) + "\n" + json.dumps(doc) + "\n")
    assert load_usage(lines, ROUTER, customers, customer_from="user").calls == {("acme", "GET /orders/{}"): 2}


def test_gzip_and_globs_of_many_files(tmp_path: Path, customers: Any) -> None:
    (tmp_path / "logs").mkdir()
    with gzip.open(tmp_path / "logs" / "a.log.gz", "wt") as handle:
        handle.write(COMBINED)
    (tmp_path / "logs" / "b.log").write_text(COMBINED)
    data = load_usage(str(tmp_path / "logs" / "*.log*"), ROUTER, customers, customer_from="user")
    assert data.calls[("acme", "GET /orders/{}")] == 2
    summary = data.problems.summary() if data.problems else ""
    assert "a.log.gz: 2 malformed" in summary and "b.log: 2 malformed" in summary
    with pytest.raises(InputError, match="no file matches"):
        load_usage(str(tmp_path / "nothing" / "*.log"), ROUTER)


def test_an_unknown_format_names_the_file_and_what_was_expected(tmp_path: Path) -> None:
    path = _write(tmp_path, "mystery.txt", "lorem ipsum dolor\nsit amet\n")
    with pytest.raises(InputError) as caught:
        load_usage(path, ROUTER)
    assert caught.value.file == str(path)
    assert "combined" in caught.value.message and "HAR" in caught.value.message and "--usage-format" in caught.value.message


def test_a_forced_format_reads_what_detection_would_not(tmp_path: Path) -> None:
    # a common-format line is also a valid combined line only when forced; forcing alb on it finds no line
    path = _write(tmp_path, "x.log", '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326\n')
    with pytest.raises(InputError, match=r"no usable usage line.*not an ALB access log line"):
        load_usage(path, ROUTER, fmt="alb", customer_from="query:k")


def test_the_cli_lists_agree_with_the_readers() -> None:
    from trustguard import cli
    from trustguard.impact.logs.detect import FORMATS
    from trustguard.impact.sql import DIALECTS

    assert cli.USAGE_FORMATS == FORMATS and cli.SQL_DIALECTS == DIALECTS
