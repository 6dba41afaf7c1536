"""The usage aggregation as one SQL query, written once (DuckDB's dialect) and transpiled
with SQLGlot for the engine that holds the logs (Spark, BigQuery, Snowflake, Trino).

The query reads a relation ``requests(customer, integration, method, path, status,
requests)`` -- one row per logged request or per pre-counted group -- and returns the
requests per (customer, integration, operation, status), ``operation`` NULL for paths no
operation matches. Paths are matched with the router's own route table
(:func:`.routes.route_table`): the same trie, so the same operation as
:meth:`.routes.PathRouter.match`, including the server prefixes and the preference of a
literal segment over a parameter.
"""

from __future__ import annotations

from collections.abc import Callable

from .routes import PathRouter, Route, route_table

DIALECTS = ("duckdb", "spark", "bigquery", "snowflake", "trino")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def operation_case(router: PathRouter, value: Callable[[Route], str] | None = None) -> str:
    """A CASE naming the operation of (method, segments, path): per method, per number of
    segments, the patterns in the router's order (the first that matches wins). Constant
    patterns, so an engine compiles each once (a pattern from a joined table column is
    compiled again for every row). ``value`` gives the SQL a route's operation is named
    by (by default its label, ``GET /orders/{id}``)."""
    labels = router.labels

    def label(route: Route) -> str:
        return _literal(labels.get(route.operation, route.operation))

    name = value or label
    by_method: dict[str, dict[int, list[str]]] = {}
    for route in route_table(router):  # sorted by method, segments, priority
        whens = by_method.setdefault(route.method, {}).setdefault(route.segments, [])
        whens.append(f"WHEN REGEXP_MATCHES(path, {_literal(route.pattern)}) THEN {name(route)}")
    if not by_method:
        return "CAST(NULL AS VARCHAR)" if value is None else "NULL"
    methods = []
    for method, by_segments in by_method.items():
        inner = " ".join(
            f"WHEN {count} THEN CASE {' '.join(whens)} END" for count, whens in by_segments.items()
        )
        methods.append(f"WHEN {_literal(method)} THEN CASE segments {inner} END")
    return "CASE method\n      " + "\n      ".join(methods) + "\n    END"


#: the non-empty segments of ``path`` as the route table counts them (runs of slashes as
#: one, trailing slashes dropped)
SEGMENTS = ("LENGTH(RTRIM(REGEXP_REPLACE(path, '/+', '/', 'g'), '/')) - "
            "LENGTH(REPLACE(RTRIM(REGEXP_REPLACE(path, '/+', '/', 'g'), '/'), '/', ''))")
#: the same in DuckDB, counted with string functions when the path holds no run of
#: slashes (nearly always): its slashes, less a trailing one (two regular expressions and
#: two RTRIMs less per row: 12 % of the reading pass at 1M combined lines)
FAST_SEGMENTS = (f"CASE WHEN contains(path, '//') THEN {SEGMENTS} "
                 "ELSE LENGTH(path) - LENGTH(REPLACE(path, '/', '')) - ends_with(path, '/')::INTEGER END")
#: a logged path or URL cut to its path (scheme, host, query and fragment dropped), as
#: :func:`.routes.clean_path` does
CLEAN_PATH = ("CASE WHEN path LIKE '%://%' OR path LIKE '%?%' OR path LIKE '%#%' "
              "THEN COALESCE(NULLIF(REGEXP_REPLACE(REGEXP_REPLACE(path, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*', ''), "
              "'[?#].*$', ''), ''), '/') ELSE path END")


def _ctes(router: PathRouter, source: str) -> str:
    # Operations are found once per distinct (method, path), then every row is counted for
    # the operation its path got: one aggregation over the rows.
    return f"""WITH cleaned AS (
  SELECT customer, integration, UPPER(method) AS method, status, requests,
         {CLEAN_PATH} AS path
  FROM {source}
),
paths AS (
  SELECT method, path,
         {SEGMENTS} AS segments
  FROM (SELECT DISTINCT method, path FROM cleaned) AS distinct_paths
),
matched AS (
  SELECT method, path,
    {operation_case(router)} AS operation
  FROM paths
)"""


def aggregation_sql(router: PathRouter, source: str = "requests") -> str:
    """The query in DuckDB's dialect (the one trustguard runs itself)."""
    return _ctes(router, source) + """
SELECT q.customer, q.integration, m.operation, q.status, SUM(q.requests) AS requests, COUNT(*) AS lines
FROM cleaned AS q
LEFT JOIN matched AS m ON m.method = q.method AND m.path = q.path
GROUP BY q.customer, q.integration, m.operation, q.status
ORDER BY q.customer, q.integration, m.operation, q.status"""


def emit_sql(router: PathRouter, dialect: str, source: str = "requests") -> str:
    """The aggregation for ``dialect``, pretty-printed."""
    import logging

    import sqlglot  # lazily: start-up time matters, and only this command needs it

    if dialect not in DIALECTS:
        raise ValueError(dialect)
    query = aggregation_sql(router, source)
    # SQLGlot warns that DuckDB's 'g' flag of REGEXP_REPLACE has no counterpart: every
    # other engine replaces every match already, so dropping it is right
    log = logging.getLogger("sqlglot")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        return sqlglot.transpile(query, read="duckdb", write=dialect, pretty=True)[0] + ";\n"
    finally:
        log.setLevel(level)
