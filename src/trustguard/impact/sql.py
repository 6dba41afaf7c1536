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

from .routes import PathRouter, digits_are_ids, route_table

DIALECTS = ("duckdb", "spark", "bigquery", "snowflake", "trino")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def aggregation_sql(router: PathRouter, source: str = "requests") -> str:
    """The query in DuckDB's dialect (the one trustguard runs itself)."""
    routes = route_table(router)
    labels = router.labels
    # a SELECT per route (not VALUES with column names: BigQuery has no such alias)
    rows = [
        f"SELECT {_literal(r.method)} AS method, {_literal(labels.get(r.operation, r.operation))} AS operation, "
        f"{_literal(r.pattern)} AS pattern, {r.segments} AS segments, {_literal(r.priority)} AS priority"
        for r in routes
    ] or ["SELECT '' AS method, '' AS operation, '^$' AS pattern, -1 AS segments, '' AS priority"]
    values = "\n  UNION ALL ".join(rows)
    # ids share one shape (every all-digit segment written 0) when no route spells digits:
    # /orders/41 and /orders/42 are matched once, as the router caches them
    shape = (
        "REPLACE(RTRIM(REGEXP_REPLACE(REPLACE(path, '/', '//') || '/', '/[0-9]+/', '/0/', 'g'), '/'), '//', '/')"
        if digits_are_ids(router) else "path"
    )
    return f"""WITH routes AS (
  {values}
),
cleaned AS (
  SELECT customer, integration, UPPER(method) AS method, status, requests,
         COALESCE(NULLIF(REGEXP_REPLACE(REGEXP_REPLACE(path, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*', ''), '[?#].*$', ''), ''), '/') AS path
  FROM {source}
),
shaped AS (
  SELECT customer, integration, method, status, requests, {shape} AS path FROM cleaned
),
grouped AS (
  SELECT customer, integration, method, path, status, SUM(requests) AS requests, COUNT(*) AS lines
  FROM shaped
  GROUP BY customer, integration, method, path, status
),
paths AS (
  SELECT DISTINCT method, path,
         LENGTH(RTRIM(REGEXP_REPLACE(path, '/+', '/', 'g'), '/')) - LENGTH(REPLACE(RTRIM(REGEXP_REPLACE(path, '/+', '/', 'g'), '/'), '/', '')) AS segments
  FROM grouped
),
candidates AS (
  SELECT p.method, p.path, r.operation,
         ROW_NUMBER() OVER (PARTITION BY p.method, p.path ORDER BY r.priority) AS choice
  FROM paths AS p
  JOIN routes AS r ON r.method = p.method AND r.segments = p.segments AND REGEXP_MATCHES(p.path, r.pattern)
)
SELECT g.customer, g.integration, c.operation, g.status, SUM(g.requests) AS requests, SUM(g.lines) AS lines
FROM grouped AS g
LEFT JOIN candidates AS c ON c.method = g.method AND c.path = g.path AND c.choice = 1
GROUP BY g.customer, g.integration, c.operation, g.status
ORDER BY g.customer, g.integration, c.operation, g.status"""


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
