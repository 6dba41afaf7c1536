"""Usage at volume: DuckDB reads the log files (plain or gzip, in parallel) and counts
them, so Python only sees the aggregated groups.

One pass reads every line (one VARCHAR column; a line the format's pattern does not fit
is counted with its reason), checks it as the streaming reader does, finds its
operation with the route table's CASE and counts it per (customer value, integration,
operation, status): the groups are bounded by customers x operations x statuses, not by
lines, so memory stays flat however long the logs are. The line numbers of malformed
lines come from a second, numbered pass over only the files that have some. Customers
are then resolved once per distinct logged value, by the same rules as the streaming
reader (:class:`.usage._Aggregator`), with joins against the customer list's keys and
ids: the two give the same :class:`.usage.UsageData`. Supported here: trustguard's JSON lines, the
common/combined log format and CloudFront logs (1M lines: 6.3 s of CPU, whole path, against
the streaming reader's 8.9); every other format is read by the streaming reader.

Measured choices (``bench/bench_impact.py``, 1M combined lines, 100k customers, CPU
seconds): the operation found per row instead of per distinct path and joined back
(the distinct paths of a log with ids are nearly its lines: a second hash table as
large as the input, and no bound on memory); each customer value trimmed only when an
edge character is not printable ASCII (the Unicode TRIM on every group cost 0.5 of the
resolution's 0.8 s); the groups fetched as integer indexes into lists of distinct
customers and integrations (one Python string per name, shared by every counter).
The part after the reading pass (1.6 s of CPU at 1M lines, now 1.35-1.4): the customer resolved
per distinct value and numbered there, the groups then summed by number (0.68 s -> 0.49);
``calls`` summed in Python from the groups rather than by a second GROUP BY fetched
(0.34 s -> 0.19); then the groups left in DuckDB (table ``kept``) and fetched by the
operation when asked for, turned into ``by_status`` and ``calls`` only when read whole
(:mod:`.usage_groups`: one operation's rows cost 0.03 s at 1M lines, all of them 0.2 s
and both dicts 0.39 s more; end to end 2.8-3.0 s -> 2.4-2.6, peak 510-550 -> 380-400 MiB); the groups
not summed again when no two of them can be one customer's, each customer numbered in
the pass that resolves it and ``kept`` made directly (the resolution's 0.40-0.43 s wall
-> 0.32-0.34, :func:`_resolve`). Tried and not kept (under 5 % of their stage, or none): the groups
fetched as one row of columns (``list()`` aggregates: 1.4 s against 0.2 to fetch them
as rows); each group's (integration, operation, status) as one code into a small list
of key tails (0.36 s against 0.39, within the noise, for one more query); the customer
keys and ids handed over in one file instead of two (0.05 s in all).

The reading pass itself (s6, 1M combined lines, DuckDB's CPU for the pass alone, best of
3 interleaved; docs/impact.md has the whole stage): a logged target cut at its query and
fragment, and a query value at its ``&`` and ``#``, by string positions (:func:`_before`)
instead of split_part, which DuckDB defines as a macro over string_split (a list of every
part, per row): 1.86 s -> 1.55 (1.95 -> 1.58 at load 4). The query value then read as the
streaming reader reads it (the first pair of the query whose decoded key is the name, so
``??api_key=``, ``/p&api_key=``, a bare ``api_key`` before ``api_key=k1`` and an encoded
key no longer disagree): 1.55 -> 1.63-1.66, still 10-12 % under the split_part version.
Tried and not kept: splitting a line at its spaces (string_split, or DuckDB's CSV reader
with a space delimiter) instead of the one regexp_extract: the split costs 0.1-0.15 s of
CPU at 1M lines against the expression's 0.45, but the checks that make a split line read
exactly as the pattern reads it (ASCII, no other whitespace, the bracketed time, the
quoted request, the status) cost 0.4-0.5 more, about 20 string functions per row, and a
field the CSV reader unquoted cannot be told from one that was never quoted; fewer capture
groups or a plainer character class (RE2 costs 0.43-0.45 s whatever the pattern); each
route pattern guarded by a ``contains`` of its longest literal (0.19 -> 0.145 s for the
route CASE: 2.5 % of the pass); the pass grouped by fewer key columns (operation and status
as one code, method and path as one: within the noise). A match-only test of the pattern
(``regexp_matches``: RE2's DFA, no submatches) as the check, with a matching line's fields
then cut by string positions (the user the third token, the request from the first ``] "``
to the next ``"``; ``regexp_extract`` kept for a line with a backslash or a second ``] "``):
the same groups, but the DFA is not much cheaper here than the extraction (0.33 s against
0.44 at 1M lines, over lines in memory; 0.43 against 0.56 read from the file with the fields
used), and the cut costs more than
the difference (strpos, substr and left count UTF-8 characters and copy; each CASE between
the cut and the fallback ~0.1 s a column): the pass 1.69 -> 2.27 s of CPU; fields taken from
a ``string_split`` at spaces instead, even without the fallback, 0.61 s against 0.56.

ALB logs stay with the streaming reader. Reading an ALB line's tokens
exactly as its reader does takes RE2 capture groups over the whole line: one pass of
``regexp_extract_all`` (or of one anchored 13-token pattern) costs 11-12 us of CPU a
line, the exact reading two, and the whole path came to 10.6 s of CPU for 300k lines
against the streaming reader's 7.9 s.
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
import threading
import weakref
from collections.abc import Callable
from typing import Any

from . import progress
from .customers import CustomerTable, PendingCustomers, customer_table
from .files import MAX_EXAMPLES
from .logs import clf, cloudfront, jsonlog
from .logs.pick import CustomerFrom
from .logs.problems import FileProblems
from .logs.source import head as read_head
from .logs.source import is_gzip
from .progress import QueryProgress
from .routes import PathRouter, route_table
from .sql import CLEAN_PATH, FAST_SEGMENTS, operation_case
from .usage import MAX_UNMATCHED_KINDS, UsageData, _Aggregator
from .usage_groups import Row, UsageGroups

#: DuckDB's memory: what the aggregation needs beyond it is spilled to a temporary folder
MEMORY_LIMIT = "1GB"
#: DuckDB's memory once only the groups are left (``kept``): a base, and per group what
#: it takes stored and fetched at once (5 integers, three times over)
KEPT_MEMORY_MB = 64
KEPT_BYTES_PER_ROW = 120
#: DuckDB's threads: every core up to a bound (more buys little for one file, and the
#: machine is usually shared)
THREADS = max(1, min(os.cpu_count() or 1, 8))
#: the GIL's switch interval while the customer list is read beside DuckDB's reading pass
SWITCH_INTERVAL_S = 0.0005
#: the line numbers kept per (file, reason) of malformed lines; the count is exact
EXAMPLES = MAX_EXAMPLES
#: formats this reader handles (with the --customer-from kinds each supports)
SUPPORTED = {"jsonl": (None, "field"), "combined": (None, "user", "query"), "common": (None, "user", "query"),
             "cloudfront": (None, "query", "field", "header")}
#: the reason of a row only the streaming reader reads as it should
PYTHON = "(streaming reader)"
#: the characters Python's str.strip() removes (the streaming reader's), for TRIM
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


class NeedsStreaming(Exception):
    """The file holds rows DuckDB's reader does not read like the streaming one."""


def supports(kind: str, pick: CustomerFrom | None) -> bool:
    kinds = SUPPORTED.get(kind)
    if kinds is None or (pick.kind if pick is not None else None) not in kinds:
        return False
    # a JSON field by a dotted path or with quotes is for the streaming reader
    return not (kind == "jsonl" and pick is not None and any(c in pick.name for c in '."\\'))


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


#: Python's whitespace (what ``\s`` matches in a str pattern) as the body of an RE2 class:
#: RE2's own ``\s`` is ``[\t\n\f\r ]``, without ``\v``, ``\x1c``-``\x1f`` or any Unicode space
_SPACES = "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE)


def re2(pattern: str) -> str:
    """A Python regular expression (of the readers in :mod:`.logs`) for DuckDB's RE2, with
    ``\\s`` and ``\\S`` meaning what they mean in Python: the same lines fit it."""
    out: list[str] = []
    in_class = False
    at = 0
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            nxt = pattern[at + 1]
            if nxt == "s":
                out.append(_SPACES if in_class else f"[{_SPACES}]")
            elif nxt == "S" and not in_class:
                out.append(f"[^{_SPACES}]")
            elif nxt == "S":
                raise ValueError(f"\\S inside a class: {pattern}")
            else:
                out.append(char + nxt)
            at += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            lead = "[^" if pattern.startswith("[^", at) else "["
            at += len(lead)
            if pattern.startswith("]", at):  # a leading ] is a member
                lead += "]"
                at += 1
            out.append(lead)
            continue
        if char == "]" and in_class:
            in_class = False
        out.append(char)
        at += 1
    return "".join(out)


def _lines(file: str, numbered: bool) -> str:
    # one VARCHAR column per line: an empty line is a NULL row, so row numbers are line
    # numbers. Numbering costs a window over the whole file (the text materialized once
    # more, about as much CPU as parsing it), so only the pass that looks for the line
    # numbers of malformed lines asks for it.
    compression = "gzip" if is_gzip(file) else "none"
    line = "ROW_NUMBER() OVER ()" if numbered else "CAST(NULL AS BIGINT)"
    return (f"SELECT {line} AS line, text FROM read_csv({_lit(file)}, columns={{'text': 'VARCHAR'}}, "
            f"header=false, delim=E'\\x01', quote='', escape='', auto_detect=false, compression='{compression}')")


def _jsonl_view(file: str, pick: CustomerFrom | None, numbered: bool) -> str:
    # Every key the checks read is extracted by one json_extract of a list of paths: one
    # parse of the line (a json_extract per key parses it again each time: 20 parses of
    # a line made DuckDB slower than the streaming reader), then each small value alone.
    keys = ["customer", "customer_id", "api_key", "key", "integration", "client", "method", "path", "url", "uri",
            "status", "count", "requests", "hits", *jsonlog.STATUS_KEYS[1:]]
    if pick is not None and pick.name not in keys:
        keys.append(pick.name)
    paths = "[" + ", ".join(_lit("$." + chr(34) + key + chr(34)) for key in keys) + "]"

    def value(key: str) -> str:
        return f"v[{keys.index(key) + 1}]"

    def raw(key: str) -> str:
        return f"json_extract_string({value(key)}, '$')"

    def get(key: str) -> str:
        return f"NULLIF({raw(key)}, '')"

    if pick is None:
        who = (f"CASE WHEN COALESCE({get('customer')}, {get('customer_id')}) IS NOT NULL "
               f"THEN 'c:' || COALESCE({get('customer')}, {get('customer_id')}) "
               f"WHEN COALESCE({get('api_key')}, {get('key')}) IS NOT NULL "
               f"THEN 'k:' || COALESCE({get('api_key')}, {get('key')}) END")
    else:  # supports(): field:NAME of a top-level key
        who = f"'r:' || COALESCE({get(pick.name)}, '')"
    # Rows in trustguard's own shape are read here; any other (an nginx or Envoy object,
    # keys spelt "Method") is the streaming reader's, which knows every spelling: such a
    # row makes the caller read the file that way (reason '{PYTHON}').
    other = f"{value('method')} IS NULL"
    if pick is not None:
        status_keys = " OR ".join(f"{value(k)} IS NOT NULL" for k in jsonlog.STATUS_KEYS[1:])
        other += (f" OR ({value('path')} IS NULL AND {value('url')} IS NULL)"
                  f" OR ({value('status')} IS NULL AND ({status_keys}))")
    whole = "'^\\s*[+-]?[0-9]+\\s*$'"
    return f"""SELECT line, {who} AS customer, COALESCE({raw('integration')}, {raw('client')}) AS integration,
  {get('method')} AS method,
  CASE WHEN {raw('path')} IS NOT NULL THEN {raw('path')} ELSE COALESCE({get('url')}, {get('uri')}) END AS path,
  CASE WHEN json_type({value('status')}) IN ('DOUBLE', 'BOOLEAN') OR NOT regexp_matches({get('status')}, {whole})
       THEN 'x' ELSE {get('status')} END AS status_text,
  CASE WHEN json_type({value('count')}) IN ('DOUBLE', 'BOOLEAN') OR NOT regexp_matches(COALESCE({get('count')}, {get('requests')}, {get('hits')}), {whole})
       THEN 'x' ELSE COALESCE({get('count')}, {get('requests')}, {get('hits')}) END AS count_text,
  CASE WHEN j IS NULL AND (text IS NULL OR TRIM(text, {_lit(WHITESPACE)}) = '') THEN 'blank' WHEN j IS NULL THEN 'not a JSON object'
       WHEN {other} THEN '{PYTHON}' END AS reason
FROM (SELECT *, json_extract(j, {paths}) AS v
      FROM (SELECT line, text, CASE WHEN json_valid(text) AND json_type(text) = 'OBJECT' THEN text::JSON END AS j
            FROM ({_lines(file, numbered)})))"""


def _before(column: str, stop: str) -> str:
    """``column`` up to its first ``stop`` (whole when it has none), as ``split_part(column,
    stop, 1)`` gives it but without the list of every part: DuckDB's split_part is a macro
    over string_split. ``column`` is named three times, so it should be a column of the
    layer below, not an expression (DuckDB would compute it three times)."""
    return f"CASE WHEN contains({column}, {_lit(stop)}) THEN left({column}, strpos({column}, {_lit(stop)}) - 1) ELSE {column} END"


def _query_value(name: str, inner: str) -> tuple[str, str]:
    """The value of query parameter ``name`` in ``target`` as :func:`.logs.pick.query_value`
    reads it: the query is what follows the first ``?`` up to a ``#`` (of a URL, with
    ``://``: only a ``?`` before its first ``#``), its first ``&``-separated pair whose
    +/%-decoded key is ``name`` gives the value, +/%-decoded, none when empty. Found with
    string positions (a regular expression searched along every line costs more than the
    line's parse; split_part is a macro that builds the list of every part), decoded
    only when it holds a ``%`` or ``+``; a query with a ``%`` or ``+`` (a key may be
    encoded) is read pair by pair. Returns the expression and the rows of ``inner`` with
    the columns it reads (one layer per step, so each is computed once)."""
    # pair by pair when a key may be encoded, or when the name could not be compared with
    # a raw key (it holds a separator or an escape)
    by_pairs = "true" if any(c in name for c in "&=#?%+") else "contains(query, '%') OR contains(query, '+')"
    pair, bare = _lit("&" + name + "="), _lit("&" + name + "&")
    tail = ("SELECT *, CASE WHEN qm = 0 OR (hm > 0 AND hm < qm AND contains(target, '://')) THEN NULL "
            "ELSE substr(target, qm + 1) END AS tail "
            f"FROM (SELECT *, strpos(target, '?') AS qm, strpos(target, '#') AS hm FROM ({inner}))")
    key = "url_decode(replace(CASE WHEN contains(p, '=') THEN left(p, strpos(p, '=') - 1) ELSE p END, '+', ' '))"
    query = (f"SELECT *, CASE WHEN query IS NOT NULL AND ({by_pairs}) THEN COALESCE(list_filter(string_split(query, '&'), "
             f"lambda p: p <> '' AND {key} = {_lit(name)})[1], '') END AS hit "
             f"FROM (SELECT *, {_before('tail', '#')} AS query FROM ({tail}))")
    # the first '&NAME=' or bare '&NAME&' of '&query&' is the first pair named NAME
    read = ("CASE WHEN query IS NULL THEN NULL "
            "WHEN hit IS NOT NULL THEN CASE WHEN contains(hit, '=') THEN substr(hit, strpos(hit, '=') + 1) ELSE '' END "
            f"WHEN p1 > 0 AND (p2 = 0 OR p1 < p2) THEN {_before('rest', '&')} ELSE '' END")
    rows = (f"SELECT *, {read} AS raw FROM (SELECT *, substr(amped, p1 + {len(name) + 2}) AS rest "
            f"FROM (SELECT *, strpos(amped, {pair}) AS p1, strpos(amped, {bare}) AS p2 "
            f"FROM (SELECT *, '&' || query || '&' AS amped FROM ({query}))))")
    value = "NULLIF(CASE WHEN contains(raw, '%') OR contains(raw, '+') THEN url_decode(REPLACE(raw, '+', ' ')) ELSE raw END, '')"
    return value, rows


#: clf.LINE and clf.REQUEST in one pattern of four groups (user, method, target, status),
#: which RE2 matches in one pass without backtracking: the request's characters are those
#: LINE allows inside its quotes (a backslash takes the next character with it) that
#: REQUEST allows in a target (no space); LINE's ``(\d+|-)(.*)$`` after the status is a
#: digit or '-' followed by anything. A line it does not fit is checked against clf.LINE
#: alone, for which of the streaming reader's two reasons it gets.
_CLF = (r'^\S+ \S+ (\S+) \[[^\]]*\] "([A-Za-z]+) ((?:[^\s"\\]|\\\S)+)(?: HTTP/[0-9.]+)?" '
        r'(\d{3}|-) [0-9-]')


def _clf_view(file: str, pick: CustomerFrom | None, numbered: bool) -> str:
    # one regexp_extract per line, its groups unnested into columns (a struct referenced
    # field by field would be extracted once per reference); a failed match gives empty
    # groups, and a matching line never has an empty method (nor is blank: the blank
    # test trims the whole line, so only lines that do not match take it)
    rows = (f"SELECT line, text, UNNEST(regexp_extract(text, {_lit(re2(_CLF))}, ['user', 'method', 'target', 'status'])) "
            f"FROM ({_lines(file, numbered)})")
    if pick is None:
        who = "CAST(NULL AS VARCHAR)"
    elif pick.kind == "user":
        who = "'r:' || CASE WHEN user = '-' THEN '' ELSE user END"
    else:
        value, rows = _query_value(pick.name, rows)
        who = f"'r:' || COALESCE({value}, '')"
    return f"""SELECT line, {who} AS customer, CAST(NULL AS VARCHAR) AS integration, NULLIF(method, '') AS method,
  NULLIF(target, '') AS path, NULLIF(status, '-') AS status_text, NULL AS count_text,
  CASE WHEN method <> '' THEN NULL
       WHEN text IS NULL OR TRIM(text, {_lit(WHITESPACE)}) = '' THEN 'blank'
       WHEN regexp_matches(text, {_lit(re2(clf.LINE.pattern))}) THEN 'the request is not ''METHOD target HTTP/x'''
       ELSE 'not a common/combined log line' END AS reason
FROM ({rows})"""


def _cloudfront_header(file: str) -> tuple[str | None, dict[str, int]]:
    """The ``#Fields`` line a CloudFront file is read by and its index, as
    :func:`.logs.cloudfront.rows` builds it; NeedsStreaming when the file's start does not
    settle one index for every line (a data line before the header, a header the reader
    refuses: the streaming reader says why)."""
    try:
        text = read_head(file).decode("utf-8")
    except UnicodeDecodeError:
        raise NeedsStreaming from None
    lines = text.removeprefix("\ufeff").split("\n")[:-1]
    for line in (raw.rstrip("\r\n") for raw in lines):
        if line.startswith("#Fields:"):
            index = {f: i for i, f in enumerate(line[len("#Fields:"):].split())}
            if not {"cs-method", "cs-uri-stem"} <= set(index):
                raise NeedsStreaming
            return line, index
        if line.strip() and not line.startswith("#"):
            break  # a data line first: the standard fields, unless a #Fields line follows
    return None, {f: i for i, f in enumerate(cloudfront.STANDARD_FIELDS)}


def _cloudfront_view(file: str, pick: CustomerFrom | None, numbered: bool) -> str:
    """A CloudFront line as :func:`.logs.cloudfront.rows` reads it: its tab-separated cells
    by the names of the file's ``#Fields`` line. A ``#Fields`` line other than the one
    the file starts with would change the names: such a file is the streaming reader's."""
    cloudfront.check_pick(pick, file)
    header, index = _cloudfront_header(file)
    if pick is not None and pick.kind == "field" and pick.name not in index:
        raise NeedsStreaming  # the streaming reader names the fields the line has

    def cell(name: str, default: str = "'-'") -> str:
        return f"cells[{index[name] + 1}]" if name in index else default

    target = (f"CASE WHEN {cell('cs-uri-query')} IN ('-', '') THEN {cell('cs-uri-stem')} "
              f"ELSE {cell('cs-uri-stem')} || '?' || {cell('cs-uri-query')} END")
    rows = (f"SELECT line, text, l, cells, {cell('cs-method')} AS method, {target} AS target, "
            f"{cell('sc-status')} AS status FROM (SELECT line, text, l, string_split(l, chr(9)) AS cells "
            f"FROM (SELECT *, rtrim(text, chr(13) || chr(10)) AS l FROM ({_lines(file, numbered)})))")
    if pick is None:
        who = "CAST(NULL AS VARCHAR)"
    elif pick.kind == "query":
        value, rows = _query_value(pick.name, rows)
        who = f"'r:' || COALESCE({value}, '')"
    else:
        name = pick.name if pick.kind == "field" else cloudfront.HEADERS[pick.name.lower()]
        value = cell(name, "NULL")
        who = f"'r:' || CASE WHEN {value} IN ('-', '') THEN '' ELSE COALESCE({value}, '') END"
    same = "false" if header is None else f"l = {_lit(header)}"
    return f"""SELECT line, {who} AS customer, CAST(NULL AS VARCHAR) AS integration, method,
  target AS path, CASE WHEN status IN ('-', '000') THEN NULL ELSE status END AS status_text, NULL AS count_text,
  CASE WHEN text IS NULL OR TRIM(text, {_lit(WHITESPACE)}) = '' THEN 'blank'
       WHEN starts_with(l, '#Fields:') THEN CASE WHEN {same} THEN 'blank' ELSE '{PYTHON}' END
       WHEN starts_with(l, '#') THEN 'blank'
       WHEN len(cells) <> {len(index)} THEN 'expected {len(index)} tab-separated fields, found ' || len(cells) END AS reason
FROM ({rows})"""


def _checked(view: str) -> str:
    """The rows of a format's view with the checks the streaming reader makes (method,
    path, status, count), each failure a reason; the path cut to what the route table
    matches (no scheme, host, query or fragment)."""
    methods = ", ".join(_lit(m) for m in ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"))
    # The query and fragment cut off with string functions (a logged target usually has a
    # query: the API key); only a URL takes the regular expressions of sql.CLEAN_PATH.
    # The method, status and count are converted once, in the inner layer, for both the
    # checks and the columns. An id that starts with printable ASCII is not empty: only
    # the others pay for the TRIM of every Unicode space (on every line of a JSON log it
    # cost more than a third of the reading pass).
    # (the cut at '?' in the inner layer, at '#' here: _before, not split_part, 0.14 s of CPU
    # less at 1M combined lines)
    path = (f"CASE WHEN contains(path, '://') THEN {CLEAN_PATH} "
            f"ELSE COALESCE(NULLIF({_before('cut', '#')}, ''), '/') END")
    return f"""SELECT line, customer, integration, method, {path} AS path, status, COALESCE(count, 1) AS requests,
  COALESCE(reason,
    CASE WHEN customer IS NULL THEN 'no customer id or API key'
         WHEN customer LIKE 'c:%' AND NOT ord(SUBSTR(customer, 3)) BETWEEN 33 AND 126
              AND TRIM(SUBSTR(customer, 3), {_lit(WHITESPACE)}) = '' THEN 'empty customer id'
         WHEN method IS NULL OR NOT list_contains([{methods}], method) THEN 'missing or unknown HTTP method'
         WHEN path IS NULL OR NOT (starts_with(path, '/') OR contains(path, '://'))
           THEN 'missing path (expected a path starting with ''/'')'
         WHEN status_text IS NOT NULL AND NOT COALESCE(status BETWEEN 100 AND 599, false)
           THEN 'status is not an HTTP status code'
         WHEN count_text IS NOT NULL AND NOT COALESCE(count >= 0, false)
           THEN 'count is not a non-negative whole number' END) AS reason
FROM (SELECT * REPLACE (UPPER(method) AS method), TRY_CAST(status_text AS INTEGER) AS status,
        TRY_CAST(count_text AS BIGINT) AS count, {_before('path', '?')} AS cut FROM ({view}))"""


def load_usage_duckdb(
    name: str, files: list[str], kind: str, router: PathRouter, customers: CustomerTable | PendingCustomers | None,
    pick: CustomerFrom | None,
) -> UsageData:
    """The same :class:`UsageData` as :func:`.usage.load_usage`, aggregated by DuckDB (a
    pending customer list read while DuckDB reads the logs)."""
    import duckdb  # lazily: start-up time matters

    problems = FileProblems(name)
    data = UsageData(name, problems=problems, customer_from=str(pick) if pick is not None else None)
    ops = sorted({route.operation for route in route_table(router)})
    con = duckdb.connect()
    spill = tempfile.TemporaryDirectory(prefix="trustguard-duckdb-")
    try:
        progress.configure(con)
        # bounded memory: past the limit DuckDB spills to disk instead of growing
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute(f"SET threads = {THREADS}")
        con.execute(f"SET temp_directory = {_lit(spill.name)}")
        # the groups' order is fixed by the final ORDER BYs: no need to keep the rows'
        con.execute("SET preserve_insertion_order = false")

        def view(file: str, numbered: bool) -> str:
            reader = {"jsonl": _jsonl_view, "cloudfront": _cloudfront_view}.get(kind, _clf_view)
            rows = reader(file, pick, numbered)
            return _checked(rows)

        views = []
        for index, file in enumerate(files):
            data.formats[file] = kind
            problems.switch(file)  # every file has its entry, as the streaming reader gives it
            views.append(f"SELECT {index} AS file, * EXCLUDE (line) FROM ({view(file, False)})")
        with QueryProgress(con, "reading the usage logs"):
            query = "CREATE TEMP TABLE groups AS " + _groups_sql(" UNION ALL ".join(views), router, ops)
            agg = _while_reading(con, query, lambda: _Aggregator(data, router, customer_table(customers)), spill.name)
        agg.pick = pick
        if con.execute(f"SELECT COUNT(*) FROM groups WHERE reason = {_lit(PYTHON)}").fetchone() != (0,):
            raise NeedsStreaming
        bad = con.execute("SELECT file, reason, SUM(lines) FROM groups WHERE reason IS NOT NULL AND reason <> 'blank' "
                          "GROUP BY file, reason ORDER BY file, reason").fetchall()
        _note_problems(con, problems, files, bad, view)
        _resolve(con, agg, spill.name)
        whos, iids = _fill(con, data, ops)
        # the connection now belongs to the groups it fetches from (closed with them)
        kept = _KeptGroups(con, spill)
        data.keep_groups(UsageGroups(whos, iids, ops, kept, kept.callers))
    except BaseException:
        con.close()
        spill.cleanup()
        raise
    return data


def _close(con: Any, spill: tempfile.TemporaryDirectory[str]) -> None:
    con.close()
    spill.cleanup()


class _KeptGroups:
    """DuckDB's table of the groups (``kept``), read when they are asked for: a report
    reads the few operations its findings touch (:mod:`.usage_groups`). The connection
    holds nothing else, and is closed (its spill folder removed) when the log's data is
    dropped, or at exit."""

    def __init__(self, con: Any, spill: tempfile.TemporaryDirectory[str]) -> None:
        self._con = con
        weakref.finalize(self, _close, con, spill)  # kept alive by weakref until it runs

    def __call__(self, code: int | None) -> list[Row]:
        if code is None:
            query = "SELECT w, i, o, status, requests FROM kept ORDER BY w, i, o, status"
            return list(self._con.execute(query).fetchall())
        query = "SELECT w, i, o, status, requests FROM kept WHERE o = $1 ORDER BY w, i, status"
        return list(self._con.execute(query, [code]).fetchall())

    def callers(self, code: int) -> list[tuple[int, int]]:
        """One operation's requests per customer, summed over integrations and statuses, in
        customer order (.usage_groups.UsageGroups.callers; fetching the sums, not the rows)."""
        query = "SELECT w, SUM(requests)::BIGINT FROM kept WHERE o = $1 GROUP BY w ORDER BY w"
        return list(self._con.execute(query, [code]).fetchall())


def _while_reading(con: Any, query: str, aggregator: Callable[[], _Aggregator], folder: str) -> _Aggregator:
    """Runs the reading pass ``query`` in a thread of its own and meanwhile, in this one,
    ``aggregator()`` (which reads a pending customer list: pure Python) and the key files
    of :func:`_resolve`: DuckDB does not hold the GIL while it runs a query, so the two
    overlap. A broken customer list is told first (the pass is interrupted); an error of
    the pass is raised here, as if it had run in this thread."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            con.execute(query)
        except BaseException as exc:  # handed to the caller's thread below
            failed.append(exc)

    # DuckDB's thread takes the GIL back between its tasks (to see a Ctrl-C): while this
    # one runs Python, each such wait would last up to the switch interval (5 ms)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL_S))
    thread = threading.Thread(target=run, name="trustguard-duckdb", daemon=True)
    thread.start()
    try:
        agg = aggregator()
        _key_files(agg, folder)
        thread.join()
    except BaseException:
        con.interrupt()  # the connection is closed by the caller only once the pass has stopped
        thread.join()
        raise
    finally:
        sys.setswitchinterval(interval)
    if failed:
        raise failed[0]
    return agg


def _key_files(agg: _Aggregator, folder: str) -> None:
    """The customer list's API keys and ids as two CSV files (``customer_keys.csv``,
    ``customer_ids.csv``: key, id) for :func:`_resolve`: a Python list as a parameter
    costs DuckDB an import per item."""
    if agg.known is None:
        return
    for table, rows in (("customer_keys", agg.keys.items()), ("customer_ids", ((c, c) for c in agg.known))):
        with open(os.path.join(folder, table + ".csv"), "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)


def _note_problems(con: Any, problems: FileProblems, files: list[str], bad: list[Any], view: Any) -> None:
    """Counts per (file, reason) from the pass that read everything; the first line numbers
    from a second, numbered pass over only the files that have malformed lines."""
    examples: dict[tuple[int, str], list[int]] = {}
    for index in sorted({int(row[0]) for row in bad}):
        query = (f"SELECT reason, list(line ORDER BY line)[1:{EXAMPLES}] FROM ({view(files[index], True)}) "
                 "WHERE reason IS NOT NULL AND reason <> 'blank' GROUP BY reason")
        for reason, lines in con.execute(query).fetchall():
            examples[(index, reason)] = [int(line) for line in lines]
    for index, reason, count in bad:
        problems.switch(files[index])
        lines = examples.get((int(index), reason), [])
        for line in lines:
            problems.add(line, reason)
        extra = int(count) - len(lines)
        problems.counts[reason] += extra
        problems.current.counts[reason] += extra


def _groups_sql(rows: str, router: PathRouter, ops: list[str]) -> str:
    """The checked rows of every file counted per (file, reason, customer, integration,
    operation, status), in the one pass that reads the files.

    Each row's operation is found by the route table's CASE (an index into ``ops``), per
    row: the groups are then bounded by customers x operations x statuses, however many
    lines are read, so memory stays flat (grouping first per distinct path, as the emitted
    SQL does, keeps a group per path, and logged paths carry ids: nearly one per line). A
    malformed row keeps only its reason; a row no operation matches only its method and
    path (the warning's examples), not its customer, as the streaming reader counts it."""
    index = {op: i for i, op in enumerate(ops)}
    case = operation_case(router, lambda route: str(index[route.operation]))
    return f"""SELECT file, reason, customer, integration, operation, status, method, path,
  SUM(requests)::BIGINT AS requests, COUNT(*) AS lines
FROM (
  SELECT file, reason, requests, operation,
    CASE WHEN operation IS NOT NULL THEN customer END AS customer,
    CASE WHEN operation IS NOT NULL THEN integration END AS integration,
    CASE WHEN operation IS NOT NULL THEN status END AS status,
    CASE WHEN reason IS NULL AND operation IS NULL THEN method END AS method,
    CASE WHEN reason IS NULL AND operation IS NULL THEN path END AS path
  FROM (
    SELECT *, CASE WHEN reason IS NULL THEN {case} END AS operation
    FROM (SELECT *, {FAST_SEGMENTS} AS segments FROM ({rows}))
  )
)
GROUP BY ALL"""


def _resolve(con: Any, agg: _Aggregator, folder: str) -> None:
    """Table ``resolved``: the matched groups per (customer, integration, operation,
    status), the customer resolved by the streaming reader's rules and tagged in ``tag``:
    ``c:`` an id, ``k:`` the digest of an API key of no listed customer, ``u:`` a
    --customer-from value that names no customer, ``n:`` no value; ``w`` its number in
    table ``whos`` (c: and k: only), ``listed`` whether the list has it."""
    digest = "'key:' || LEFT(SHA256(ref), 12)"
    joins = ""
    if agg.known is not None:
        for table in ("customer_keys", "customer_ids"):  # written by _key_files
            path = os.path.join(folder, table + ".csv")
            con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM read_csv({_lit(path)}, header=false, "
                        "columns={'key': 'VARCHAR', 'id': 'VARCHAR'}, quote='\"', escape='\"', auto_detect=false)")
        joins = ("LEFT JOIN customer_keys AS k ON k.key = r.ref "
                 "LEFT JOIN customer_ids AS i ON i.key = r.ref")
        by_ref = "COALESCE('c:' || k.id, 'c:' || i.id, 'u:')"
        by_key = f"COALESCE('c:' || k.id, 'k:' || {digest})"
        listed = "CASE WHEN r.tag = 'c:' THEN i.id IS NOT NULL ELSE k.id IS NOT NULL OR i.id IS NOT NULL END"
    else:
        secret = agg.pick is not None and agg.pick.secret
        by_ref = f"'c:' || {digest}" if secret else "'c:' || ref"
        by_key = f"'k:' || {digest}"
        listed = "true"
    who = (f"CASE WHEN r.tag = 'r:' AND ref = '' THEN 'n:' WHEN r.tag = 'r:' THEN {by_ref} "
           f"WHEN r.tag = 'c:' THEN 'c:' || ref ELSE {by_key} END")
    # Resolved once per distinct customer value (~100k), not once per group (~545k: the
    # value stripped, joined twice and maybe digested for every operation and status it
    # called); each resolved customer numbered (``whos``) so the groups are then joined
    # by the raw value and summed by integer instead of by name (at 1M lines the
    # resolution with the numbering came to 0.68 s of CPU per group, 0.49 this way).
    # the number (w) given in the same pass, by rank among the customers' names: a customer
    # value with none (n:, u:) has no number, which only its sums by tag read
    con.execute(f"""CREATE TEMP TABLE refs AS SELECT customer, tag, who, listed,
  CASE WHEN tag IN ('c:', 'k:') THEN (DENSE_RANK() OVER (PARTITION BY tag IN ('c:', 'k:') ORDER BY who) - 1)::INTEGER END AS w
FROM (SELECT customer, LEFT(who, 2) AS tag, SUBSTR(who, 3) AS who, listed
FROM (SELECT customer, {who} AS who, {listed} AS listed
      FROM (SELECT customer, tag, {_stripped('value')} AS ref
            FROM (SELECT customer, LEFT(customer, 2) AS tag, SUBSTR(customer, 3) AS value
                  FROM (SELECT DISTINCT customer FROM groups WHERE reason IS NULL AND operation IS NOT NULL))) AS r
      {joins}))""")
    con.execute("CREATE TEMP TABLE whos AS SELECT DISTINCT who, w FROM refs WHERE w IS NOT NULL")
    matched = "SELECT * FROM groups WHERE reason IS NULL AND operation IS NOT NULL"
    iid = f"COALESCE({_stripped('integration')}, '')"
    # The groups are unique per (file, customer value, integration, operation, status): when
    # one file was read and no two values resolve to one (tag, customer, listed) nor two
    # integrations strip to one, a group of a customer is already a group of ``resolved``,
    # and only the rows with no customer (n:, u:) are summed again (a second GROUP BY of
    # 550k rows at 1M lines skipped; the check costs 0.02-0.03 s). Otherwise every row is
    # summed again. With the numbering in ``refs`` and ``kept`` made at once, _resolve and
    # _fill went from 0.40-0.43 s to 0.32-0.34 at 1M lines (wall, in a real run); measured
    # again statement by statement after the reading pass was cut: 0.27 s -> 0.19.
    (one_to_one,) = con.execute(f"""SELECT
  (SELECT COUNT(*) = COUNT(DISTINCT (tag, who, listed)) FROM refs WHERE tag IN ('c:', 'k:'))
  AND (SELECT COUNT(DISTINCT file) <= 1
              AND COUNT(DISTINCT COALESCE(integration, chr(0))) = COUNT(DISTINCT {iid}) FROM ({matched}))""").fetchone()
    def rows(where: str) -> str:
        return (f"SELECT tag, w, {iid} AS iid, operation, COALESCE(status, 0) AS status, listed, requests, lines "
                f"FROM ({matched}) JOIN (SELECT customer, tag, w, listed FROM refs{where}) USING (customer)")

    def summed(where: str) -> str:
        return (f"SELECT tag, w, iid, operation, status, listed, SUM(requests)::BIGINT AS requests, "
                f"SUM(lines)::BIGINT AS lines FROM ({rows(where)}) GROUP BY ALL")

    if one_to_one:
        customers, others = " WHERE tag IN ('c:', 'k:')", " WHERE tag NOT IN ('c:', 'k:')"
        query = f"{rows(customers)} UNION ALL {summed(others)}"
    else:
        query = summed("")
    con.execute(f"CREATE TEMP TABLE resolved AS {query}")


def _stripped(column: str) -> str:
    """``column`` as Python's str.strip() leaves it. Only a value that starts or ends with
    something other than printable ASCII pays for the TRIM of every Unicode space (which
    costs more than the rest of the customer's resolution)."""
    edge = "BETWEEN 33 AND 126"
    return (f"CASE WHEN ord({column}) {edge} AND ord(right({column}, 1)) {edge} THEN {column} "
            f"ELSE TRIM({column}, {_lit(WHITESPACE)}) END")


def _column(con: Any, query: str) -> list[Any]:
    return [value for (value,) in con.execute(query).fetchall()]


def _fill(con: Any, data: UsageData, ops: list[str]) -> tuple[list[str], list[str]]:
    """``data``'s counters from the aggregated tables. Customers and integrations come
    back as indexes into lists of their distinct names (and operations as indexes into
    ``ops``): each name is one Python string, shared by every counter that holds it, and
    a row of integers converts at half the cost of one with text (hundreds of thousands
    of groups at 100k customers). The groups themselves are left in table ``kept``, to be
    fetched when asked for; returns the names their codes index (customers, integrations)."""
    con.execute("CREATE TEMP TABLE iids AS SELECT iid, (ROW_NUMBER() OVER (ORDER BY iid) - 1)::INTEGER AS i "
                "FROM (SELECT DISTINCT iid FROM resolved WHERE tag IN ('c:', 'k:'))")
    # the groups as they are kept, made once (read here for the sums, then left)
    con.execute("CREATE TEMP TABLE kept AS SELECT w, i, operation AS o, status, requests "
                "FROM resolved JOIN iids USING (iid) WHERE tag IN ('c:', 'k:')")
    whos = _column(con, "SELECT who FROM whos ORDER BY w")
    iids = _column(con, "SELECT iid FROM iids ORDER BY i")
    empty = iids.index("") if "" in iids else -1
    data.integration_calls = {(iids[i], ops[o]): n for i, o, n in con.execute(
        f"SELECT i, o, SUM(requests)::BIGINT FROM kept WHERE i <> {empty} GROUP BY i, o ORDER BY i, o").fetchall()}
    data.customer_integrations = {(whos[w], iids[i]) for w, i in con.execute(
        f"SELECT DISTINCT w, i FROM kept WHERE i <> {empty}").fetchall()}
    data.unknown_customers.update(dict(con.execute(
        "SELECT who, SUM(requests)::BIGINT FROM resolved JOIN whos USING (w) "
        "WHERE tag = 'c:' AND NOT listed AND NOT starts_with(who, 'key:') "
        "GROUP BY who ORDER BY who").fetchall()))
    lines, unmatched_lines, unmatched_requests = con.execute(
        "SELECT COALESCE(SUM(lines), 0)::BIGINT, COALESCE(SUM(lines) FILTER (operation IS NULL), 0)::BIGINT, "
        "COALESCE(SUM(requests) FILTER (operation IS NULL), 0)::BIGINT FROM groups WHERE reason IS NULL").fetchone()
    (requests, unattributed_lines, unattributed_requests, no_value, unknown_keys) = con.execute(
        "SELECT COALESCE(SUM(requests) FILTER (tag IN ('c:', 'k:')), 0)::BIGINT, "
        "COALESCE(SUM(lines) FILTER (tag IN ('n:', 'u:')), 0)::BIGINT, "
        "COALESCE(SUM(requests) FILTER (tag IN ('n:', 'u:')), 0)::BIGINT, "
        "COALESCE(SUM(lines) FILTER (tag = 'n:'), 0)::BIGINT, "
        "COUNT(DISTINCT w) FILTER (tag = 'k:') FROM resolved").fetchone()
    data.lines += lines
    data.unmatched_lines += unmatched_lines
    data.unmatched_requests += unmatched_requests
    data.unattributed_lines += unattributed_lines
    data.unattributed_requests += unattributed_requests
    data.unattributed_no_value += no_value
    data.requests += requests
    data.unknown_keys = unknown_keys
    for method, path, count in con.execute(
            "SELECT method, path, SUM(requests)::BIGINT FROM groups WHERE reason IS NULL AND operation IS NULL "
            f"GROUP BY method, path ORDER BY method, path LIMIT {MAX_UNMATCHED_KINDS}").fetchall():
        data.unmatched[(method, path)] += count
    for table in ("groups", "refs", "whos", "resolved", "iids", "customer_keys", "customer_ids"):
        con.execute(f"DROP TABLE IF EXISTS {table}")  # what the connection keeps is the groups only
    # and the memory DuckDB holds beyond them given back (what fetching them all needs is left)
    (rows,) = con.execute("SELECT COUNT(*) FROM kept").fetchone()
    con.execute(f"SET memory_limit = '{KEPT_MEMORY_MB + int(rows) * KEPT_BYTES_PER_ROW // 2**20}MB'")
    return whos, iids
