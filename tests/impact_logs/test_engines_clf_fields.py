"""Where a combined line's fields are is fixed by its pattern, however odd the line: DuckDB
and the streaming reader read the same user, method, target and status from lines whose
quotes, brackets, escapes and spaces could mislead a reader that cut the line at its
characters, and give the same reason, at the same line numbers, to lines that do not fit."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_engines import SPEC, _read_by_both

from trustguard.impact.customers import load_customers
from trustguard.impact.routes import PathRouter

TIME = "[10/Oct/2000:13:55:36 -0700]"
#: each line with what it is about; the first group is read, the second is malformed
READ = [
    # an escaped quote in the request: the request does not end there
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders/7?x=\\"&api_key=k1 HTTP/1.1" 200 5 "-" "a"',
    f'1.2.3.4 - c2 {TIME} "GET /v1/orders/\\"7\\"?api_key=k2 HTTP/1.1" 404 5',
    # an escaped quote, and a '] "', in the user agent (after the fields)
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders/8?api_key=k1 HTTP/1.1" 200 5 "-" "sdk \\"x\\" 1"',
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders/8?api_key=k2 HTTP/1.1" 200 5 "-" "a] \\"b"',
    f'1.2.3.4 - c2 {TIME} "POST /v1/orders?api_key=k1 HTTP/1.1" 201 5 "x] "y" "a] "b"',
    # a target with characters next to its quotes: no protocol, quotes and brackets of its own
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders/7?api_key=k1" 200 5',
    f"1.2.3.4 - c1 {TIME} \"GET /v1/orders/'7'?api_key=k2 HTTP/1.1\" 200 5",
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders/[7]?api_key=k1&q=] HTTP/1.1" 200 5',
    f'1.2.3.4 - c3 {TIME} "DELETE /v1/orders/9?api_key=k2" - 5',
    # tabs and extra spaces where the pattern allows anything (the time, the agent, the end)
    '1.2.3.4 - c1 [10/Oct/2000:13:55:36\t-0700] "GET /v1/orders/1?api_key=k1 HTTP/1.1" 200 5 "-" "a\tb"',
    '1.2.3.4 - c1 [10/Oct/2000:13:55:36  -0700 ] "GET /v1/orders/1?api_key=k2 HTTP/1.1" 200 5   ',
    # a status of '-', other protocols
    f'1.2.3.4 - c2 {TIME} "GET /v1/orders HTTP/1.1" - -',
    f'1.2.3.4 - c2 {TIME} "GET /v1/orders/3?api_key=k2 HTTP/2.0" 200 5',
    f'1.2.3.4 - c2 {TIME} "GET /v1/orders/3?api_key=k1 HTTP/2" 503 5',
    # users (and idents) of odd characters: quotes, brackets, a backslash, non-ASCII
    f'1.2.3.4 - "c1 {TIME} "GET /v1/orders/4?api_key=k1 HTTP/1.1" 200 5',
    f'1.2.3.4 x] "c2 {TIME} "GET /v1/orders/4?api_key=k2 HTTP/1.1" 200 5',  # a '] "' before the time's
    f'1.2.3.4 [x] "c1 {TIME} "GET /v1/orders/4?api_key=k1 HTTP/1.1" 200 5',
    f'1.2.3.4 - c1] {TIME} "GET /v1/orders/4?api_key=k2 HTTP/1.1" 200 5',
    f'1.2.3.4 - [c2 {TIME} "GET /v1/orders/4?api_key=k1 HTTP/1.1" 200 5',
    f'1.2.3.4 - c\\1 {TIME} "GET /v1/orders/4?api_key=k2 HTTP/1.1" 200 5',
    f'1.2.3.4 - c1"] {TIME} "GET /v1/orders/4?api_key=k1 HTTP/1.1" 200 5',
    f'1.2.3.4 - \u00e7\u00e9 {TIME} "GET /v1/caf\u00e9/4?api_key=k\u00e9 HTTP/1.1" 200 5',
    '1.2.3.4 - c1 [10/Oct/2000 "13:55:36"] "GET /v1/orders/5?api_key=k1 HTTP/1.1" 200 5',  # quotes in the time
    # query values with '%' and '+'
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders/6?api_key=k%31 HTTP/1.1" 200 5',
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders/6?api_key=%6B2 HTTP/1.1" 200 5',
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders/6?api_key=k+1 HTTP/1.1" 200 5',
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders/6?api_key=k%2B1&api_key=k2 HTTP/1.1" 200 5',
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders/6?api%5Fkey=k2&x=%zz HTTP/1.1" 200 5',
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders/6?api_key=k1%2 HTTP/1.1" 200 5',
]
MALFORMED = [
    f'1.2.3.4\t- c1 {TIME} "GET /v1/orders HTTP/1.1" 200 5',  # a tab between fields
    f'1.2.3.4  - c1 {TIME} "GET /v1/orders HTTP/1.1" 200 5',  # two spaces between fields
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders HTTP/1.1"  200 5',
    f'1.2.3.4 - c1 {TIME}  "GET /v1/orders HTTP/1.1" 200 5',
    f'1.2.3.4 - c1 {TIME} "GET\t/v1/orders HTTP/1.1" 200 5',  # a tab in the request
    f'1.2.3.4 - c1 {TIME} "GET  /v1/orders HTTP/1.1" 200 5',
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders HTTP/1.1 " 200 5',
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders HTTP/x" 200 5',
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders?api_key="k1" HTTP/1.1" 200 5',  # a bare quote in the target
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders\\ x HTTP/1.1" 200 5',
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders HTTP/1.1" 20 5',
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders HTTP/1.1" -- 5',
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders HTTP/1.1" 200',
    '1.2.3.4 - c1 [10/Oct/2000:13:55:36 -0700]] "GET /v1/orders HTTP/1.1" 200 5',
    f'1.2.3.4 - c1 {TIME} "GET /v1/orders HTTP/1.1\\" 200 5',  # the closing quote escaped
]


@pytest.mark.parametrize("pick", ["user", "query:api_key"])
def test_odd_combined_lines_are_read_alike(tmp_path: Path, pick: str) -> None:
    log = tmp_path / "access.log"
    log.write_text("\n".join([*READ, *MALFORMED] * 2) + "\n", encoding="utf-8")
    customers_csv = tmp_path / "customers.csv"
    customers_csv.write_text('id,api_keys\nc1,k1\nc2,k2\nc3,k+1\n"c\\1",k 1\n', encoding="utf-8")
    router = PathRouter.from_specs([SPEC])
    for table in (None, load_customers(customers_csv)):
        python, duck = _read_by_both(log, "combined", router, table, pick)
        assert python.problems is not None and duck.problems is not None
        # every malformed line, and no other, is counted, at its own line number
        assert python.problems.total == 2 * len(MALFORMED)
        assert duck.problems.files[str(log)].lines == python.problems.files[str(log)].lines
        assert python.lines == 2 * len(READ)
        assert python.requests > python.unmatched_requests > 0
