"""DuckDB's aggregation gives the streaming reader's results on the same logs; the route
table gives the router's operation on the real specs; the SQL transpiles to every
dialect; a summary fed back with --usage-summary counts the same."""

from __future__ import annotations

import gzip
import json
import random
import re
from pathlib import Path
from typing import Any

import corpus
import pytest

from trustguard.errors import InputError
from trustguard.impact.aggregate import NeedsStreaming, load_usage_duckdb
from trustguard.impact.customers import load_customers
from trustguard.impact.logs.pick import parse_customer_from
from trustguard.impact.routes import PathRouter, clean_path, route_table
from trustguard.impact.sql import DIALECTS, emit_sql
from trustguard.impact.summary import load_usage_summary
from trustguard.impact.usage import load_usage
from trustguard.load import load_document

SPEC: dict[str, Any] = {
    "servers": [{"url": "https://api.shop.example/v1"}],
    "paths": {"/orders": {"get": {}, "post": {}}, "/orders/{id}": {"get": {}, "delete": {}},
              "/orders/export": {"get": {}}, "/files/{name}.json": {"get": {}}},
}
PATHS = ["/v1/orders/12", "/orders/export", "/v1/orders?x=1", "https://api.shop.example/v1/orders/9/",
         "/files/a.json", "/nope/1", "/orders/abc", "/v1//orders/3", "/v1/orders/12/13"]
COMPARED = ("calls", "by_status", "integration_calls", "customer_integrations", "lines", "requests",
            "unmatched_lines", "unmatched_requests", "unmatched", "unattributed_lines", "unattributed_no_value",
            "unknown_customers", "unknown_keys")


def _jsonl(path: Path, rng: random.Random) -> None:
    with path.open("w") as handle:
        for _ in range(3000):
            who = rng.choice([{"customer": f"c{rng.randint(1, 40)}"}, {"api_key": rng.choice(["k1", "k2", "zz"])}])
            handle.write(json.dumps({**who, "method": rng.choice(["GET", "post", "DELETE"]), "path": rng.choice(PATHS),
                                     "status": rng.choice([200, 404, 500]), "integration": rng.choice(["", "erp"])}) + "\n")
        handle.write('garbage\n\n\x0b\u3000\n{"method": "GET", "path": "/orders"}\n{"customer": "c1", "method": "GET", "path": "/orders", "status": 99}\n')


def _combined(path: Path, rng: random.Random) -> None:
    with gzip.open(path, "wt") as handle:
        for _ in range(3000):
            user = rng.choice(["-", "c1", "c2", "c3", "stranger"])
            query = rng.choice(["", "?api_key=k1", "?api_key=k2&x=1"])
            handle.write(f'10.0.0.1 - {user} [10/Oct/2000:13:55:36 -0700] "{rng.choice(["GET", "POST"])} '
                         f'{rng.choice(PATHS).split("?")[0]}{query} HTTP/1.1" {rng.choice([200, 404])} 23 "-" "curl/8"\n')
        handle.write("bad line\n")


def _assert_agree(duck: Any, python: Any, label: str = "") -> None:
    """DuckDB's reading and the streaming reader's give the same counters and warnings."""
    for name in COMPARED:
        assert getattr(duck, name) == getattr(python, name), (label, name)
    assert duck.warnings() == python.warnings()


def _read_by_both(log: Path, kind: str, router: PathRouter, table: Any, pick: str) -> tuple[Any, Any]:
    """``log`` read by the streaming reader and by DuckDB's reader itself (not a fallback
    to the streaming one), asserted to agree; both readings returned."""
    python = load_usage(log, router, table, fmt=kind, customer_from=pick, engine="python")
    duck = load_usage_duckdb(str(log), [str(log)], kind, router, table, parse_customer_from(pick))
    _assert_agree(duck, python)
    return python, duck


@pytest.mark.parametrize(("kind", "pick"), [("jsonl", None), ("combined", "user"), ("combined", "query:api_key")])
def test_duckdb_and_the_streaming_reader_agree(tmp_path: Path, kind: str, pick: str | None) -> None:
    rng = random.Random(7)
    path = tmp_path / ("usage.jsonl" if kind == "jsonl" else "access.log.gz")
    (_jsonl if kind == "jsonl" else _combined)(path, rng)
    customers_csv = tmp_path / "customers.csv"
    customers_csv.write_text("id,api_keys\nc1,k1\nc2,k2\nc3,\n")
    router = PathRouter.from_specs([SPEC])
    for table in (None, load_customers(customers_csv)):
        python = load_usage(path, router, table, customer_from=pick, engine="python")
        duck = load_usage(path, router, table, customer_from=pick, engine="duckdb")
        own = load_usage_duckdb(str(path), [str(path)], kind, router, table, parse_customer_from(pick) if pick else None)
        for name in COMPARED:
            assert getattr(duck, name) == getattr(python, name) == getattr(own, name), name
        assert duck.warnings() == python.warnings()
        assert python.lines > 2000 and python.problems is not None and python.problems.total >= 1
        # DuckDB's counters come in a fixed order (by customer, then integration,
        # operation and status), whatever the order of the lines
        assert list(own.calls) == sorted(own.calls) and list(own.by_status) == sorted(own.by_status)


def _table_match(router: PathRouter, routes: dict[tuple[str, int], list[Any]], method: str, path: str) -> str | None:
    """What the SQL does, in Python: clean the path, take the routes of its method and
    number of segments in their order, the first whose pattern matches."""
    clean = clean_path(path)
    segments = len([s for s in clean.split("/") if s])
    for route in routes.get((method, segments), []):
        if re.search(route.pattern, clean):
            return str(route.operation)
    return None


def _probe_paths(spec: dict[str, Any], rng: random.Random) -> list[tuple[str, str]]:
    probes: list[tuple[str, str]] = []
    for template, item in list((spec.get("paths") or {}).items())[:400]:
        methods = [m for m in ("get", "post", "put", "delete", "patch") if isinstance(item, dict) and m in item] or ["get"]
        for fill in ("42", "abc_1", "x.json"):
            concrete = re.sub(r"\{[^{}/]*\}", fill, template)
            probes.append((rng.choice(methods).upper(), concrete))
            probes.append(("GET", concrete + "/"))
            probes.append(("PATCH", concrete + "/extra"))
    return probes


def _specs() -> list[Any]:
    api = corpus.CORPUS / "api"
    found = [api / "stripe" / "2022-04-12-spec3.json", api / "github" / "2025-12-09-api.github.com.json"]
    for folder in sorted(p for p in (api / "apisguru").iterdir() if p.is_dir())[:6]:  # one version of six APIs
        found.extend(sorted(folder.glob("*.yaml"))[:1])
    return [pytest.param(p, id=str(p.relative_to(corpus.CORPUS)), marks=pytest.mark.corpus) for p in found if p.is_file()]


SPECS = [
    *corpus.collect(_specs),
    pytest.param(corpus.DATA / "oasdiff" / "specs" / "openapi-test1.yaml", id="tests-data-openapi-test1"),
    pytest.param(corpus.DATA / "oasdiff" / "specs" / "openapi-test3.yaml", id="tests-data-openapi-test3"),
]


@pytest.mark.parametrize("spec_path", SPECS)
def test_the_route_table_picks_the_routers_operation_on_real_specs(spec_path: Path) -> None:
    spec = load_document(spec_path).data
    router = PathRouter.from_specs([spec])
    routes: dict[tuple[str, int], list[Any]] = {}
    for route in route_table(router):  # sorted: per method and segments, in priority order
        routes.setdefault((route.method, route.segments), []).append(route)
    probes = _probe_paths(spec, random.Random(3))
    assert probes and routes
    for method, path in probes:
        assert _table_match(router, routes, method, path) == router.match(method, path), (method, path)


def test_the_sql_transpiles_to_every_dialect_with_the_route_patterns() -> None:
    import sqlglot

    router = PathRouter.from_specs([SPEC])
    for dialect in DIALECTS:
        text = emit_sql(router, dialect)
        assert "orders/export" in text and "GET /files/{name}.json" in text
        sqlglot.parse_one(text.rstrip().rstrip(";"), read=dialect)  # it is valid in that dialect


def test_a_usage_summary_feeds_back_the_same_counts(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "usage.jsonl"
    _jsonl(path, random.Random(11))
    router = PathRouter.from_specs([SPEC])
    direct = load_usage(path, router, engine="python")
    con = duckdb.connect()
    con.execute(f"CREATE VIEW requests AS SELECT customer, integration, method, path, status, "
                f"COALESCE(count, 1) AS requests FROM read_json('{path}', format='newline_delimited', ignore_errors=true, "
                f"columns={{'customer': 'VARCHAR', 'integration': 'VARCHAR', 'method': 'VARCHAR', 'path': 'VARCHAR', "
                f"'status': 'INTEGER', 'count': 'BIGINT'}}) WHERE customer IS NOT NULL AND COALESCE(status BETWEEN 100 AND 599, true)")
    for suffix in ("parquet", "csv"):
        out = tmp_path / f"summary.{suffix}"
        con.execute(f"COPY ({emit_sql(router, 'duckdb').rstrip().rstrip(';')}) TO '{out}'")
        fed = load_usage_summary(out, router, None)
        wanted = {k: v for k, v in direct.by_status.items() if not k[0].startswith("key:")}
        got = {(w, i, o, s): n for (w, i, o, s), n in fed.by_status.items()}
        assert got == wanted
        assert fed.unmatched_requests == sum(
            n for (m, p), n in direct.unmatched.items()) - _unmatched_by_keys(direct, path, router)


def _unmatched_by_keys(direct: Any, path: Path, router: PathRouter) -> int:
    # lines with an API key instead of a customer id are left out of the view above
    total = 0
    for line in path.read_text().splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if "api_key" in row and router.match(row["method"], row["path"]) is None:
            total += 1
    return total


EDGE_ROWS = [
    {"customer": "c1", "method": "GET", "path": "", "url": "/v1/orders"},  # an empty path is no path
    {"customer": "c1", "method": "GET", "path": "/v1/orders", "status": 200.0},  # a float is no status
    {"customer": "c1", "method": "GET", "path": "/v1/orders", "status": "201"},
    {"customer": "c1", "method": "GET", "path": "/v1/orders", "integration": "", "client": "app"},
    {"customer": "c1", "method": "GET", "path": "/v1/orders", "integration": None, "client": "app"},
    {"customer": "c1", "method": "GET", "path": "/v1/orders", "count": True},
    {"customer": "c1", "method": "GET", "path": "/v1/orders", "count": "7"},
    {"customer": "  ", "method": "GET", "path": "/v1/orders"},
    {"customer": 42, "method": "GET", "path": "/v1/orders"},
    {"customer": "", "customer_id": "c2", "method": "GET", "path": "/v1/orders"},
    # Unicode spaces around a customer id and an integration: stripped as str.strip() does
    {"customer": "\u00a0c1\u3000", "method": "GET", "path": "/v1/orders", "integration": " erp\u2009"},
    {"customer": "\u2028", "method": "GET", "path": "/v1/orders"},
    {"customer": "c\u00e9", "method": "GET", "path": "/v1/orders", "integration": "\u00e9"},
]


@pytest.mark.parametrize("pick", [None, "field:tenant"])
def test_the_engines_agree_on_edge_rows_and_on_access_log_objects(tmp_path: Path, pick: str | None) -> None:
    router = PathRouter.from_specs([SPEC])
    rows = [{**r, "tenant": "t1"} for r in EDGE_ROWS]
    own = tmp_path / "own.jsonl"
    own.write_text("".join(json.dumps(r) + "\n" for r in rows))
    # an nginx JSON object: the DuckDB reader leaves such a file to the streaming reader
    nginx = tmp_path / "nginx.jsonl"
    nginx.write_text("".join(json.dumps(r) + "\n" for r in rows)
                     + json.dumps({"request": "GET /v1/orders HTTP/1.1", "status": 200, "tenant": "t2", "customer": "c3"}) + "\n")
    for path in (own, nginx):
        python = load_usage(path, router, customer_from=pick, engine="python")
        duck = load_usage(path, router, customer_from=pick, engine="duckdb")
        _assert_agree(duck, python, path.name)


CLF_EDGE_LINES = [
    '1.2.3.4 - c1 [10/Oct/2000:13:55:36 -0700] "GET /v1/orders/7?api_key=k1 HTTP/1.1" 200 - "-" "curl/8"',
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orders?x=1&api_key=k2#frag HTTP/1.0" 404 12',
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orders?api_key=k%31&api_key=k2 HTTP/1.1" 200 5',
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orders?my_api_key=k2 HTTP/1.1" 200 5',
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orders&api_key=k1?api_key=k2 HTTP/1.1" 200 5',
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orders?api_key=a+b%20c HTTP/1.1" 200 5',
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orders?api_key= HTTP/1.1" 200 5',
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "get /v1/orders/export" 200 5',  # no protocol, lower-case method
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/a\\"b?api_key=k1 HTTP/1.1" 200 5',  # an escaped quote
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/a\\ b HTTP/1.1" 200 5',  # an escaped space: no target
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orders HTTP/1.1 extra" 200 5',
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "-" 400 0',  # nginx's request of a dropped connection
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orders HTTP/1.1" 200 5trailing',
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orders HTTP/1.1" 2000 5',  # a four-digit status
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orders HTTP/1.1" - -',
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orders HTTP/1.1" 200 x',  # bytes not a number
    '1.2.3.4 - - 10/Oct/2000:13:55:36 "GET /v1/orders HTTP/1.1" 200 5',  # no brackets
    '',
    '   ',
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "POST ?api_key=k1 HTTP/1.1" 200 5',  # a target that is no path
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "BREW /v1/orders HTTP/1.1" 200 5',
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orders HTTP/1.1" 099 5',
    # Python's whitespace is more than RE2's: a vertical tab, a no-break space
    '1.2.3.4 - c1\x0b [10/Oct/2000:13:55:36 -0700] "GET /v1/orders HTTP/1.1" 200 5',
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orders?api_key=k1\u00a0 HTTP/1.1" 200 5',
    '1.2.3.4 - c\u00e9 [10/Oct/2000:13:55:36 -0700] "GET /v1/caf\u00e9?api_key=k\u00e9 HTTP/1.1" 200 5',
    '\x0b\u3000',
]


@pytest.mark.parametrize("pick", ["user", "query:api_key"])
def test_the_engines_agree_on_edge_access_log_lines(tmp_path: Path, pick: str) -> None:
    # DuckDB parses a combined line with one pattern and reads query values with string
    # functions: escapes, repeated and look-alike parameters, encodings and every malformed
    # shape must give what the streaming reader gives, at the same line numbers
    log = tmp_path / "access.log"
    log.write_text("\n".join(CLF_EDGE_LINES * 3) + "\n")
    customers_csv = tmp_path / "customers.csv"
    customers_csv.write_text("id,api_keys\nc1,k1\nc2,k2\nc3,a b c\n")
    router = PathRouter.from_specs([SPEC])
    for table in (None, load_customers(customers_csv)):
        python, duck = _read_by_both(log, "combined", router, table, pick)
        assert python.problems is not None
        assert duck.problems is not None and duck.problems.files[str(log)].counts == python.problems.files[str(log)].counts
        assert python.problems.total >= 3 * 6


def test_malformed_lines_of_a_glob_are_numbered_per_file_and_counted_exactly(tmp_path: Path) -> None:
    # DuckDB reads every file without numbering its lines and numbers only the files with
    # malformed ones again: each file keeps its own numbers, the first three per reason,
    # and the count stays exact
    good = '1.2.3.4 - c1 [10/Oct/2000:13:55:36 -0700] "GET /v1/orders/{n} HTTP/1.1" 200 5'
    clean, broken = tmp_path / "a.log", tmp_path / "b.log.gz"
    clean.write_text("".join(good.format(n=n) + "\n" for n in range(50)))
    bad_at = {5, 9, 12, 20, 33}  # not a combined line
    request_at = {7}  # a combined line whose request is not METHOD target
    with gzip.open(broken, "wt") as handle:
        for number in range(1, 41):
            if number in bad_at:
                handle.write("oops\n")
            elif number in request_at:
                handle.write('1.2.3.4 - c1 [10/Oct/2000:13:55:36 -0700] "junk" 400 0\n')
            else:
                handle.write(good.format(n=number) + "\n")
    router = PathRouter.from_specs([SPEC])
    pattern = str(tmp_path / "*.log*")
    python = load_usage(pattern, router, customer_from="user", engine="python")
    duck = load_usage(pattern, router, customer_from="user", engine="duckdb")
    _assert_agree(duck, python)
    assert duck.problems is not None and python.problems is not None
    assert set(duck.problems.files) == set(python.problems.files)
    assert duck.problems.files[str(clean)].total == 0
    mine = duck.problems.files[str(broken)]
    assert mine.counts == {"not a common/combined log line": 5, "the request is not 'METHOD target HTTP/x'": 1}
    assert mine.lines == {"not a common/combined log line": [5, 9, 12], "the request is not 'METHOD target HTTP/x'": [7]}
    assert duck.lines == 50 + 40 - 6



@pytest.mark.parametrize("case", ["distinct", "key and id", "two files", "integrations"])
def test_groups_of_one_customer_are_summed_however_they_were_logged(tmp_path: Path, case: str) -> None:
    # DuckDB sums its groups again only when two of them can be one customer's (two
    # files, two logged values of one customer, two integrations spelt apart): each way
    # a customer's calls on one operation come to the same counters as the streaming reader's
    line = '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /v1/orders?api_key={key} HTTP/1.1" 200 5\n'
    customers_csv = tmp_path / "customers.csv"
    customers_csv.write_text("id,api_keys\nc1,k1\nc2,k2\n")
    router = PathRouter.from_specs([SPEC])
    if case == "integrations":
        lines = [{"api_key": "k1", "integration": "erp"}, {"api_key": "k1", "integration": " erp"},
                 {"customer": "c2", "integration": "erp"}]
        path = tmp_path / "usage.jsonl"
        path.write_text("".join(json.dumps({**r, "method": "GET", "path": "/v1/orders", "status": 200}) + "\n"
                                for r in lines))
        pattern, pick = str(path), None
    else:
        keys = {"distinct": [["k1", "k2"]], "key and id": [["k1", "c1", "k2"]], "two files": [["k1"], ["k1", "k2"]]}[case]
        for number, names in enumerate(keys):
            (tmp_path / f"{number}.log").write_text("".join(line.format(key=k) for k in names))
        pattern, pick = str(tmp_path / "*.log"), "query:api_key"
    table = load_customers(customers_csv)
    python = load_usage(pattern, router, table, customer_from=pick, engine="python")
    duck = load_usage(pattern, router, table, customer_from=pick, engine="duckdb")
    _assert_agree(duck, python, case)
    expected = {"distinct": {"c1": 1, "c2": 1}}.get(case, {"c1": 2, "c2": 1})
    assert {who: n for (who, _), n in duck.calls.items()} == expected
    assert duck.requests == sum(expected.values())


CF_FIELDS = ["date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)", "cs-uri-stem", "sc-status",
             "cs(Referer)", "cs(User-Agent)", "cs-uri-query", "cs(Cookie)", "x-edge-result-type", "x-host-header"]


def _cf_line(method: str, stem: str, status: str, query: str, host: str = "c1") -> str:
    return "\t".join(["2019-12-04", "21:02:31", "LAX1", "392", "192.0.2.100", method, host, stem, status, "-",
                      "Mozilla/5.0%20(X11)", query, "-", "Hit", "d111111abcdef8.cloudfront.net"])


CF_EDGE_LINES = [
    _cf_line("GET", "/v1/orders/7", "200", "api_key=k1"),
    _cf_line("DELETE", "/v1/orders/8", "404", "x=1&api_key=k2", host="c2"),
    _cf_line("GET", "/orders/export", "000", "-", host="-"),  # 000: no status (the viewer went away)
    _cf_line("get", "/v1/orders", "-", "", host=""),
    _cf_line("BREW", "/v1/orders", "200", "api_key=k1"),
    _cf_line("GET", "/v1/orders", "2000", "api_key=k1"),
    _cf_line("GET", "nope", "200", "api_key=k1"),
    _cf_line("GET", "/v1/nope/1", "200", "api_key=k1", host="c3"),
    _cf_line("GET", "/v1/orders", "200", "api_key=%20k2", host=" c2 "),
    "2019-12-04\t21:02:31\tLAX1",  # too few fields
    _cf_line("GET", "/v1/orders", "200", "-") + "\textra",
    "#a comment",
    "   ",
]


@pytest.mark.parametrize("pick", ["query:api_key", "field:cs(Host)", "header:Host"])
@pytest.mark.parametrize("header", [True, False])
def test_the_engines_agree_on_cloudfront_lines(tmp_path: Path, pick: str, header: bool) -> None:
    # DuckDB reads a CloudFront line's cells by the names of the file's #Fields line (or
    # the standard fields without one): every shape must give what the streaming reader gives
    log = tmp_path / "E2EXAMPLE.2019-12-04-21.gz"
    with gzip.open(log, "wt") as handle:
        if header:
            handle.write("#Version: 1.0\n#Fields: " + " ".join(CF_FIELDS) + "\n")
        # without the header the 33 standard fields are read: the same first 14, so padded
        lines = CF_EDGE_LINES if header else [line + "\t-" * 18 if line.count("\t") == 14 else line for line in CF_EDGE_LINES]
        handle.write("\n".join(lines * 3) + "\n")
    customers_csv = tmp_path / "customers.csv"
    customers_csv.write_text("id,api_keys\nc1,k1\nc2,k2\nc3,\n")
    router = PathRouter.from_specs([SPEC])
    for table in (None, load_customers(customers_csv)):
        python, duck = _read_by_both(log, "cloudfront", router, table, pick)
        assert python.problems is not None and duck.problems is not None
        assert duck.problems.files[str(log)].lines == python.problems.files[str(log)].lines
        assert python.requests > 0 and python.problems.total >= 3 * 4


def test_a_cloudfront_log_whose_fields_change_midway_is_read_by_the_streaming_reader(tmp_path: Path) -> None:
    log = tmp_path / "cf.log"
    other = [f for f in CF_FIELDS if f != "cs(Referer)"]
    lines = [_cf_line("GET", "/v1/orders/7", "200", "api_key=k1")]
    moved = "\t".join(c for i, c in enumerate(lines[0].split("\t")) if i != CF_FIELDS.index("cs(Referer)"))
    log.write_text("#Fields: " + " ".join(CF_FIELDS) + "\n" + lines[0] + "\n#Fields: " + " ".join(other) + "\n" + moved + "\n")
    router = PathRouter.from_specs([SPEC])
    python = load_usage(log, router, customer_from="query:api_key", engine="python")
    duck = load_usage(log, router, customer_from="query:api_key", engine="duckdb")
    assert duck.requests == python.requests == 2
    assert duck.by_status == python.by_status
    with pytest.raises(NeedsStreaming):  # DuckDB's reader hands it over
        load_usage_duckdb(str(log), [str(log)], "cloudfront", router, None, parse_customer_from("query:api_key"))


def test_a_cloudfront_header_the_format_does_not_log_is_refused_by_either_engine(tmp_path: Path) -> None:
    log = tmp_path / "cf.log"
    log.write_text("#Fields: " + " ".join(CF_FIELDS) + "\n" + _cf_line("GET", "/v1/orders/7", "200", "-") + "\n")
    for engine in ("python", "duckdb"):
        with pytest.raises(InputError, match="does not carry it"):
            load_usage(log, PathRouter.from_specs([SPEC]), customer_from="header:X-Api-Key", engine=engine)
