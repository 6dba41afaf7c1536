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

from .routes import PathRouter, route_table

DIALECTS = ("duckdb", "spark", "bigquery", "snowflake", "trino")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _operation_case(router: PathRouter) -> str:
    """A CASE naming the operation of (method, segments, path): per method, per number of
    segments, the patterns in the router's order (the first that matches wins). Constant
    patterns, so an engine compiles each once (a pattern from a joined table column is
    compiled again for every row)."""
    labels = router.labels
    by_method: dict[str, dict[int, list[str]]] = {}
    for route in route_table(router):  # sorted by method, segments, priority
        whens = by_method.setdefault(route.method, {}).setdefault(route.segments, [])
        whens.append(f"WHEN REGEXP_MATCHES(path, {_literal(route.pattern)}) "
                     f"THEN {_literal(labels.get(route.operation, route.operation))}")
    if not by_method:
        return "CAST(NULL AS VARCHAR)"
    methods = []
    for method, by_segments in by_method.items():
        inner = " ".join(
            f"WHEN {count} THEN CASE {' '.join(whens)} END" for count, whens in by_segments.items()
        )
        methods.append(f"WHEN {_literal(method)} THEN CASE segments {inner} END")
    return "CASE method\n      " + "\n      ".join(methods) + "\n    END"


def _ctes(router: PathRouter, source: str, counted: bool = False) -> str:
    # ``counted``: each distinct (method, path) also carries its requests, so the paths no
    # operation matches are counted by the grouping that finds the distinct paths
    # Operations are found once per distinct (method, path), then every row is counted for
    # the operation its path got: one aggregation over the rows.
    distinct = ("SELECT method, path, SUM(requests) AS requests FROM cleaned GROUP BY method, path" if counted
                else "SELECT DISTINCT method, path FROM cleaned")
    more = " requests," if counted else ""
    return f"""WITH cleaned AS (
  SELECT customer, integration, UPPER(method) AS method, status, requests,
         CASE WHEN path LIKE '%://%' OR path LIKE '%?%' OR path LIKE '%#%'
              THEN COALESCE(NULLIF(REGEXP_REPLACE(REGEXP_REPLACE(path, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*', ''), '[?#].*$', ''), ''), '/')
              ELSE path END AS path
  FROM {source}
),
paths AS (
  SELECT method, path,{more}
         LENGTH(RTRIM(REGEXP_REPLACE(path, '/+', '/', 'g'), '/')) - LENGTH(REPLACE(RTRIM(REGEXP_REPLACE(path, '/+', '/', 'g'), '/'), '/', '')) AS segments
  FROM ({distinct}) AS distinct_paths
),
matched AS (
  SELECT method, path,{more}
    {_operation_case(router)} AS operation
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
