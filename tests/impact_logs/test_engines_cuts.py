"""DuckDB cuts a logged target at its query and fragment, and a query value at its ``&``
and ``#``, with string positions (not split_part): on every shape of target the two
engines find the same operation, the same customer and the same malformed lines."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from test_engines import CF_FIELDS, SPEC, _assert_agree, _cf_line

from trustguard.impact.aggregate import load_usage_duckdb
from trustguard.impact.customers import load_customers
from trustguard.impact.logs.pick import parse_customer_from
from trustguard.impact.routes import PathRouter
from trustguard.impact.usage import load_usage

#: targets whose '?', '#' and '&' come in every order, repeated, at the edges, escaped,
#: after non-ASCII characters, and not at all
TARGETS = [
    "/v1/orders/7?api_key=k1",
    "/v1/orders/7#frag?api_key=k1",  # the fragment first: the path ends at '#'
    "/v1/orders/7?api_key=k1#frag&api_key=k2",
    "/v1/orders/7?x=1&api_key=k2&api_key=k1",
    "/v1/orders/7?api_key=k1&",
    "/v1/orders/7?api_key=&api_key=k2",
    "/v1/orders/7?api_key=k1%23x",  # an encoded '#' is part of the value
    "/v1/orders/7?x=%26&api_key=k%2B1",
    "/v1/orders/7?api_key=k+1",
    "/v1/orders/7??api_key=k2",
    "/v1/orders/7?",
    "/v1/orders/7#",
    "/v1/orders/7?#",
    "/v1/orders/?api_key=k1",
    "/v1/caf\u00e9/7?api_key=k\u00e9",  # non-ASCII before the cut
    "/v1/orders/\u00e9?api_key=k1",
    "/v1/orders",
    "/v1/orders#?api_key=k1",
    "?api_key=k1",  # no path at all: not a path starting with '/'
    "#x",
    "/?api_key=k2",
    "/v1/orders/7&api_key=k1",  # an '&' with no '?': no query
    "/v1/orders/7?api_key&api_key=k1",  # the first pair has no value: none
    "/v1/orders/7?a=1&&api_key=k2",
    "/v1/orders/7?api%5Fkey=k2&api_key=k1",  # an encoded key is the key decoded
    "/v1/orders/7?a%2Bb=k1&a+b=k2",
    "https://api.shop.example/v1/orders/7?api_key=k2#f",
    "https://api.shop.example/v1/orders/7#f?api_key=k1",  # a URL's fragment holds no query
    "http://h.example?api_key=k1",
    "https://[::1]/v1/orders/7?api_key=k2",
    "http://[x/v1/orders/7?api_key=k1",  # a host urlsplit refuses: read, not a crash
    "http://[x/v1/orders/7#f?api_key=k2",
]


def _customers(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text("id,api_keys\nc1,k1\nc2,k2\nc3,k+1\nc4,k\u00e9 k1#x\n")
    return path


@pytest.mark.parametrize("pick", ["query:api_key", "query:a+b", "user"])
def test_combined_targets_are_cut_alike(tmp_path: Path, pick: str) -> None:
    log = tmp_path / "access.log"
    log.write_text("".join(f'10.0.0.1 - c{n % 3} [10/Oct/2000:13:55:36 -0700] "GET {target} HTTP/1.1" 200 5 "-" "a"\n'
                           for n, target in enumerate(TARGETS * 2)))
    router = PathRouter.from_specs([SPEC])
    for table in (None, load_customers(_customers(tmp_path))):
        python = load_usage(log, router, table, fmt="combined", customer_from=pick, engine="python")
        duck = load_usage_duckdb(str(log), [str(log)], "combined", router, table, parse_customer_from(pick))
        _assert_agree(duck, python, pick)
        # what the cuts decide is seen: matched calls, unmatched ones and bad lines
        assert python.requests > 0 and python.unmatched_requests > 0
        assert python.problems is not None and python.problems.total == 2 * 2  # '?api_key=k1' and '#x'
    if pick == "query:api_key":
        table = load_customers(_customers(tmp_path))
        duck = load_usage_duckdb(str(log), [str(log)], "combined", router, table, parse_customer_from(pick))
        # k%2B1 decodes to 'k+1' (c3), k+1 to 'k 1' (no one); k1%23x to 'k1#x' (c4)
        assert {c for (c, _op) in duck.calls} >= {"c1", "c2", "c3", "c4"}


def test_jsonl_paths_are_cut_alike(tmp_path: Path) -> None:
    log = tmp_path / "usage.jsonl"
    rows = [{"customer": f"c{n % 3 + 1}", "method": "GET", "path": target, "status": 200}
            for n, target in enumerate(TARGETS)]
    rows += [{"customer": "c1", "method": "GET", "url": "https://api.shop.example/v1/orders/9?a=1#b"},
             {"customer": "c1", "method": "GET", "path": "/v1/orders/9?a#b?c"}]
    log.write_text("".join(json.dumps(row) + "\n" for row in rows))
    router = PathRouter.from_specs([SPEC])
    table = load_customers(_customers(tmp_path))
    python = load_usage(log, router, table, fmt="jsonl", engine="python")
    duck = load_usage_duckdb(str(log), [str(log)], "jsonl", router, table, None)
    _assert_agree(duck, python)
    assert python.requests > 0 and python.unmatched_requests > 0


def test_cloudfront_queries_are_read_alike(tmp_path: Path) -> None:
    # a CloudFront line's target is its stem and, unless '-', '?' and its query: the
    # same query reading as a combined line's (several files, gzip and plain)
    stems = [target.partition("?") for target in TARGETS if target.startswith("/") and "#" not in target]
    lines = [_cf_line("GET", stem, "200", query or "-") for stem, _, query in stems]
    plain, packed = tmp_path / "E1.2019-12-04-21", tmp_path / "E1.2019-12-04-22.gz"
    plain.write_text("#Version: 1.0\n#Fields: " + " ".join(CF_FIELDS) + "\n" + "\n".join(lines) + "\n")
    with gzip.open(packed, "wt") as handle:
        handle.write("#Version: 1.0\n#Fields: " + " ".join(CF_FIELDS) + "\n" + "\n".join(reversed(lines)) + "\n")
    router = PathRouter.from_specs([SPEC])
    table = load_customers(_customers(tmp_path))
    files = [str(plain), str(packed)]
    python = load_usage(str(tmp_path / "E1.*"), router, table, fmt="cloudfront", customer_from="query:api_key",
                        engine="python")
    duck = load_usage_duckdb(str(tmp_path / "E1.*"), files, "cloudfront", router, table,
                             parse_customer_from("query:api_key"))
    _assert_agree(duck, python)
    assert {c for (c, _op) in duck.calls} >= {"c1", "c2"} and duck.unattributed_requests > 0
