"""Usage at volume: DuckDB reads the log files (plain or gzip, in parallel) and runs the
aggregation of :mod:`.sql`, so a Python loop only sees the aggregated groups.

Each line becomes a row of ``requests`` with its line number; a line the format's
pattern does not fit is counted with its line number, as the streaming reader does.
Customers are resolved afterwards, per group, by the same rules as the streaming reader
(:class:`.usage._Aggregator`): the two give the same :class:`.usage.UsageData`.
Supported here: trustguard's JSON lines and the common/combined log format; every other
format is read by the streaming reader.
"""

from __future__ import annotations

import csv
import os
import tempfile
from typing import Any

from .customers import CustomerTable
from .files import MAX_EXAMPLES
from .logs import clf, jsonlog
from .logs.pick import CustomerFrom
from .logs.problems import FileProblems
from .logs.source import is_gzip
from .progress import QueryProgress
from .routes import PathRouter
from .sql import _ctes
from .usage import MAX_UNMATCHED_KINDS, UsageData, _Aggregator

#: DuckDB's memory: what the aggregation needs beyond it is spilled to a temporary folder
MEMORY_LIMIT = "1GB"
#: DuckDB's threads: every core up to a bound (more buys little for one file, and the
#: machine is usually shared)
THREADS = max(1, min(os.cpu_count() or 1, 8))
#: the line numbers kept per (file, reason) of malformed lines; the count is exact
EXAMPLES = MAX_EXAMPLES
#: formats this reader handles (with the --customer-from kinds each supports)
SUPPORTED = {"jsonl": (None, "field"), "combined": (None, "user", "query"), "common": (None, "user", "query")}
#: the reason of a row only the streaming reader reads as it should
PYTHON = "(streaming reader)"


class NeedsStreaming(Exception):
    """The file holds rows DuckDB's reader does not read like the streaming one."""


def supports(kind: str, pick: CustomerFrom | None) -> bool:
    kinds = SUPPORTED.get(kind)
    if kinds is None or (pick.kind if pick is not None else None) not in kinds:
        return False
    # a JSON field by a dotted path or with quotes is for the streaming reader
    return not (kind == "jsonl" and pick is not None and any(c in pick.name for c in '."\\'))


#: the ASCII whitespace Python's str.strip() removes, for TRIM
_SPACE = "' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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
    def raw(key: str) -> str:
        return f"json_extract_string(j, {_lit('$.' + chr(34) + key + chr(34))})"

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
    other = "json_extract(j, '$.\"method\"') IS NULL"
    if pick is not None:
        status_keys = " OR ".join(f"json_extract(j, {_lit('$.' + chr(34) + k + chr(34))}) IS NOT NULL"
                                  for k in jsonlog.STATUS_KEYS[1:])
        other += (f" OR (json_extract(j, '$.\"path\"') IS NULL AND json_extract(j, '$.\"url\"') IS NULL)"
                  f" OR (json_extract(j, '$.\"status\"') IS NULL AND ({status_keys}))")
    whole = "'^\\s*[+-]?[0-9]+\\s*$'"
    return f"""SELECT line, {who} AS customer, COALESCE({raw('integration')}, {raw('client')}) AS integration,
  {get('method')} AS method,
  CASE WHEN {raw('path')} IS NOT NULL THEN {raw('path')} ELSE COALESCE({get('url')}, {get('uri')}) END AS path,
  CASE WHEN json_type(j, '$."status"') IN ('DOUBLE', 'BOOLEAN') OR NOT regexp_matches({get('status')}, {whole})
       THEN 'x' ELSE {get('status')} END AS status_text,
  CASE WHEN json_type(j, '$."count"') IN ('DOUBLE', 'BOOLEAN') OR NOT regexp_matches(COALESCE({get('count')}, {get('requests')}, {get('hits')}), {whole})
       THEN 'x' ELSE COALESCE({get('count')}, {get('requests')}, {get('hits')}) END AS count_text,
  CASE WHEN j IS NULL AND (text IS NULL OR TRIM(text) = '') THEN 'blank' WHEN j IS NULL THEN 'not a JSON object'
       WHEN {other} THEN '{PYTHON}' END AS reason
FROM (SELECT line, text, CASE WHEN json_valid(text) AND json_type(text) = 'OBJECT' THEN text::JSON END AS j
      FROM ({_lines(file, numbered)}))"""


def _query_value(name: str, inner: str) -> tuple[str, str]:
    """The value of the first ``?NAME=`` or ``&NAME=`` of ``target``, up to ``&`` or
    ``#``, +/%-decoded: the first match of ``[?&]NAME=([^&#]*)``, found with string
    functions (a regular expression searched along every line costs more than the line's
    parse), decoded only when it holds a ``%`` or ``+``. Returns the expression and the
    rows of ``inner`` with the columns it reads (one layer per step, so each is computed
    once)."""
    first, other = _lit("?" + name + "="), _lit("&" + name + "=")
    at = ("CASE WHEN q1 = 0 THEN q2 WHEN q2 = 0 THEN q1 ELSE least(q1, q2) END")
    rows = (f"SELECT *, CASE WHEN ({at}) > 0 THEN split_part(split_part(substr(target, ({at}) + {len(name) + 2}), "
            f"'&', 1), '#', 1) END AS raw FROM (SELECT *, strpos(target, {first}) AS q1, strpos(target, {other}) AS q2 "
            f"FROM ({inner}))")
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
    rows = (f"SELECT line, text, UNNEST(regexp_extract(text, {_lit(_CLF)}, ['user', 'method', 'target', 'status'])) "
            f"FROM ({_lines(file, numbered)})")
    if pick is None:
        who = "NULL"
    elif pick.kind == "user":
        who = "'r:' || CASE WHEN user = '-' THEN '' ELSE user END"
    else:
        value, rows = _query_value(pick.name, rows)
        who = f"'r:' || COALESCE({value}, '')"
    return f"""SELECT line, {who} AS customer, NULL AS integration, NULLIF(method, '') AS method,
  NULLIF(target, '') AS path, NULLIF(status, '-') AS status_text, NULL AS count_text,
  CASE WHEN method <> '' THEN NULL
       WHEN text IS NULL OR TRIM(text) = '' THEN 'blank'
       WHEN regexp_matches(text, {_lit(clf.LINE.pattern)}) THEN 'the request is not ''METHOD target HTTP/x'''
       ELSE 'not a common/combined log line' END AS reason
FROM ({rows})"""


def _checked(view: str) -> str:
    """The rows of a format's view with the checks the streaming reader makes (method,
    path, status, count), each failure a reason."""
    methods = ", ".join(_lit(m) for m in ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"))
    # The query and fragment cut off here already, with string functions, as the
    # aggregation's `cleaned` step would with two regular expressions on every row (a
    # logged target usually has a query: the API key); a URL is left to that step.
    path = ("CASE WHEN path LIKE '%://%' THEN path "
            "ELSE COALESCE(NULLIF(split_part(split_part(path, '?', 1), '#', 1), ''), '/') END")
    return f"""SELECT line, customer, integration, UPPER(method) AS method, {path} AS path,
  TRY_CAST(status_text AS INTEGER) AS status, COALESCE(TRY_CAST(count_text AS BIGINT), 1) AS requests,
  COALESCE(reason,
    CASE WHEN customer IS NULL THEN 'no customer id or API key'
         WHEN customer LIKE 'c:%' AND TRIM(SUBSTR(customer, 3), {_SPACE}) = '' THEN 'empty customer id'
         WHEN method IS NULL OR UPPER(method) NOT IN ({methods}) THEN 'missing or unknown HTTP method'
         WHEN path IS NULL OR NOT (path LIKE '/%' OR path LIKE '%://%') THEN 'missing path (expected a path starting with ''/'')'
         WHEN status_text IS NOT NULL AND NOT COALESCE(TRY_CAST(status_text AS INTEGER) BETWEEN 100 AND 599, false)
           THEN 'status is not an HTTP status code'
         WHEN count_text IS NOT NULL AND NOT COALESCE(TRY_CAST(count_text AS BIGINT) >= 0, false)
           THEN 'count is not a non-negative whole number' END) AS reason
FROM ({view})"""


def load_usage_duckdb(
    name: str, files: list[str], kind: str, router: PathRouter, customers: CustomerTable | None,
    pick: CustomerFrom | None,
) -> UsageData:
    """The same :class:`UsageData` as :func:`.usage.load_usage`, aggregated by DuckDB."""
    import duckdb  # lazily: start-up time matters

    problems = FileProblems(name)
    data = UsageData(name, problems=problems, customer_from=str(pick) if pick is not None else None)
    agg = _Aggregator(data, router, customers)
    agg.pick = pick
    con = duckdb.connect()
    spill = tempfile.TemporaryDirectory(prefix="trustguard-duckdb-")
    try:
        con.execute("SET enable_progress_bar = false")  # DuckDB's own bar writes to stdout
        # bounded memory: past the limit DuckDB spills to disk instead of growing
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute(f"SET threads = {THREADS}")
        con.execute(f"SET temp_directory = {_lit(spill.name)}")

        def view(file: str, numbered: bool) -> str:
            rows = _jsonl_view(file, pick, numbered) if kind == "jsonl" else _clf_view(file, pick, numbered)
            return _checked(rows)

        views = []
        for index, file in enumerate(files):
            data.formats[file] = kind
            problems.switch(file)  # every file has its entry, as the streaming reader gives it
            views.append(f"SELECT {index} AS file, * EXCLUDE (line) FROM ({view(file, False)})")
        with QueryProgress(con, "reading the usage logs"):
            con.execute("CREATE TEMP TABLE checked AS " + " UNION ALL ".join(views))
        if con.execute(f"SELECT COUNT(*) FROM checked WHERE reason = {_lit(PYTHON)}").fetchone() != (0,):
            raise NeedsStreaming
        bad = con.execute("SELECT file, reason, COUNT(*) FROM checked WHERE reason IS NOT NULL AND reason <> 'blank' "
                          "GROUP BY file, reason ORDER BY file, reason").fetchall()
        _note_problems(con, problems, files, bad, view)
        con.execute("CREATE TEMP VIEW requests AS " + _requests_view(con, agg, spill.name))
        with QueryProgress(con, "counting requests per operation"):
            result = con.execute(_grouped_sql(router)).fetchall()
    finally:
        con.close()
        spill.cleanup()
    _fill(data, agg, result)
    return data


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


def _grouped_sql(router: PathRouter) -> str:
    """The aggregation of :func:`.sql.aggregation_sql` and the requests per (method, path)
    no operation matches, for the warning's examples (``examples`` 0), counted by the
    grouping that finds the distinct paths."""
    return _ctes(router, "requests", counted=True) + """
SELECT * FROM (
  SELECT 1 AS examples, q.customer, q.integration, m.operation, q.status, NULL AS method, NULL AS path,
         SUM(q.requests) AS requests, COUNT(*) AS lines
  FROM cleaned AS q
  LEFT JOIN matched AS m ON m.method = q.method AND m.path = q.path
  GROUP BY q.customer, q.integration, m.operation, q.status
  UNION ALL
  SELECT 0, NULL, NULL, NULL, NULL, method, path, requests, NULL FROM matched WHERE operation IS NULL
)
ORDER BY examples, customer, integration, operation, status, method, path"""


def _requests_view(con: Any, agg: _Aggregator, folder: str) -> str:
    """The rows of ``checked`` as the aggregation's ``requests``, the customer resolved by
    the streaming reader's rules and tagged: ``c:`` an id, ``k:`` the digest of an API key
    of no listed customer, ``u:`` a --customer-from value that names no customer, ``n:`` no
    value."""
    digest = "'key:' || LEFT(SHA256(ref), 12)"
    joins = ""
    if agg.known is not None:
        # through a CSV file: a Python list as a parameter costs DuckDB an import per item
        for table, rows in (("customer_keys", agg.keys.items()), ("customer_ids", ((c, c) for c in agg.known))):
            path = os.path.join(folder, table + ".csv")
            with open(path, "w", newline="", encoding="utf-8") as handle:
                csv.writer(handle).writerows(rows)
            con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM read_csv({_lit(path)}, header=false, "
                        "columns={'key': 'VARCHAR', 'id': 'VARCHAR'}, quote='\"', escape='\"', auto_detect=false)")
        joins = ("LEFT JOIN customer_keys AS k ON k.key = r.ref "
                 "LEFT JOIN customer_ids AS i ON i.key = r.ref")
        by_ref = "COALESCE('c:' || k.id, 'c:' || i.id, 'u:')"
        by_key = f"COALESCE('c:' || k.id, 'k:' || {digest})"
    else:
        secret = agg.pick is not None and agg.pick.secret
        by_ref = f"'c:' || {digest}" if secret else "'c:' || ref"
        by_key = f"'k:' || {digest}"
    who = (f"CASE WHEN r.customer LIKE 'r:%' AND ref = '' THEN 'n:' WHEN r.customer LIKE 'r:%' THEN {by_ref} "
           f"WHEN r.customer LIKE 'c:%' THEN 'c:' || ref ELSE {by_key} END")
    return (f"SELECT {who} AS customer, integration, method, path, status, requests "
            f"FROM (SELECT *, TRIM(SUBSTR(customer, 3), {_SPACE}) AS ref FROM checked WHERE reason IS NULL) AS r {joins}")


def _fill(data: UsageData, agg: _Aggregator, result: list[Any]) -> None:
    from .routes import operation_key

    # one pass over every group (hundreds of thousands at 100k customers): totals kept in
    # locals, stored once at the end
    ops: dict[str, str] = {}
    known = agg.known
    calls, by_status, integration_calls = data.calls, data.by_status, data.integration_calls
    pairs, unknown = data.customer_integrations, data.unknown_customers
    unknown_keys: set[str] = set()
    unmatched: list[tuple[str, str, int]] = []
    lines_total = unmatched_lines = unmatched_requests = 0
    unattributed_lines = unattributed_requests = no_value = requests_total = 0
    for examples, customer, integration, operation, status, method, path, count, lines in result:
        if not examples:
            unmatched.append((method, path, int(count)))
            continue
        count = int(count)  # SUM gives a HUGEINT: a Python int already, kept as one
        lines_total += lines
        if operation is None:
            unmatched_lines += lines
            unmatched_requests += count
            continue
        op = ops.get(operation)
        if op is None:
            op = ops[operation] = operation_key(operation)
        tag, who = customer[:2], customer[2:]
        if tag == "n:" or tag == "u:":
            unattributed_lines += lines
            unattributed_requests += count
            if tag == "n:":
                no_value += lines
            continue
        if tag == "k:":
            unknown_keys.add(who)
        elif known is not None and who not in known and not who.startswith("key:"):
            unknown[who] += count
        requests_total += count
        iid = integration.strip() if integration else ""
        skey = (who, iid, op, status if status is not None else 0)
        by_status[skey] = by_status.get(skey, 0) + count
        pair = (who, op)
        calls[pair] = calls.get(pair, 0) + count
        if iid:
            ipair = (iid, op)
            integration_calls[ipair] = integration_calls.get(ipair, 0) + count
            pairs.add((who, iid))
    data.lines += lines_total
    data.unmatched_lines += unmatched_lines
    data.unmatched_requests += unmatched_requests
    data.unattributed_lines += unattributed_lines
    data.unattributed_requests += unattributed_requests
    data.unattributed_no_value += no_value
    data.requests += requests_total
    for method, path, count in unmatched:
        target = (method, path)
        if target in data.unmatched or len(data.unmatched) < MAX_UNMATCHED_KINDS:
            data.unmatched[target] += count
    data.unknown_keys = len(unknown_keys)
