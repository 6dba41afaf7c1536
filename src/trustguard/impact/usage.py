"""Usage and access logs: who called which operation how often.

trustguard's own CSV or JSON lines (``schemas/usage-line.schema.json``: a customer id or
an API key, the method, the concrete path, the status, and either a ``count`` or one line
per request), or a real access log read through :mod:`.logs` (combined/common, nginx and
Envoy JSON, ALB, CloudFront, HAR, OTLP spans; gzip; globs), the customer named by
``--customer-from``. Lines are streamed and aggregated per (customer, operation) before
anything else sees them, so a million log lines become a few hundred thousand counters;
large logs in the line formats DuckDB reads are aggregated by it instead
(:mod:`.aggregate`), with the same results. Malformed lines are counted and summarised,
requests that match no operation or name no known customer are counted and reported:
nothing is dropped silently.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..load.parse import refuse_lone_surrogates
from .customers import CustomerTable, PendingCustomers, customer_table
from .files import RowProblems, normalise_key
from .logs import alb, clf, cloudfront, har, jsonlog, otlp
from .logs.detect import FORMATS, detect
from .logs.pick import CustomerFrom, parse_customer_from
from .logs.problems import FileProblems
from .logs.source import GZIP_MAGIC, expand, open_binary, raw_lines
from .logs.source import head as read_head
from .routes import HTTP_METHODS, PathRouter, clean_path
from .usage_groups import UsageGroups

CUSTOMER_KEYS = ("customer", "customer_id")
API_KEY_KEYS = ("api_key", "key")
PATH_KEYS = ("path", "url", "uri")
COUNT_KEYS = ("count", "requests", "hits")
INTEGRATION_KEYS = ("integration", "client")
METHODS = frozenset(m.upper() for m in HTTP_METHODS)
MAX_UNMATCHED_KINDS = 1000
UNKNOWN_KEY_PREFIX = "key:"


@dataclass
class UsageData:
    """Aggregated usage of one log file."""

    name: str
    calls: dict[tuple[str, str], int] = field(default_factory=dict)  # (customer, op key) -> requests
    integration_calls: dict[tuple[str, str], int] = field(default_factory=dict)  # (integration, op)
    customer_integrations: set[tuple[str, str]] = field(default_factory=set)
    lines: int = 0
    requests: int = 0
    unmatched_lines: int = 0
    unmatched_requests: int = 0
    unmatched: Counter[tuple[str, str]] = field(default_factory=Counter)
    unknown_customers: Counter[str] = field(default_factory=Counter)
    unknown_keys: int = 0
    problems: RowProblems | None = None
    #: requests per (customer, integration or "", operation, status or 0): what aggregate/sql also count
    by_status: dict[tuple[str, str, str, int], int] = field(default_factory=dict)
    #: --customer-from given: requests whose value names no known customer (not attributed)
    customer_from: str | None = None
    unattributed_lines: int = 0
    unattributed_requests: int = 0
    unattributed_no_value: int = 0  # of those lines, how many carried no value at all
    formats: dict[str, str] = field(default_factory=dict)  # file -> format read
    #: DuckDB's groups as fetched; ``calls`` and ``by_status`` are then built from them
    #: when first read (:meth:`keep_groups`), and the graph reads them per operation
    groups: UsageGroups | None = field(default=None, repr=False, compare=False)

    def keep_groups(self, groups: UsageGroups) -> None:
        """Hold the counters as ``groups``: ``calls`` and ``by_status`` are left unbuilt
        until something reads them (most runs never do: see :mod:`.usage_groups`)."""
        self.groups = groups
        vars(self).pop("calls", None)
        vars(self).pop("by_status", None)

    if not TYPE_CHECKING:  # to mypy, calls and by_status are the plain fields they read as
        def __getattr__(self, name: str) -> Any:
            # only reached for an attribute not set: calls or by_status left to the groups
            groups = vars(self).get("groups")
            if groups is None or name not in ("calls", "by_status"):
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            value = groups.calls() if name == "calls" else groups.by_status()
            setattr(self, name, value)
            return value

    def customers_seen(self) -> list[str]:
        """Every customer with counted requests, once each, in the order ``calls`` names them."""
        if self.groups is not None and "calls" not in vars(self):
            return self.groups.customers()
        return list(dict.fromkeys(map(itemgetter(0), self.calls)))

    def attributed(self) -> dict[tuple[str, str], int]:
        """Requests per (customer, operation) made through an integration (none when the
        log names no integration: then nothing is walked)."""
        if not self.integration_calls:
            return {}
        if self.groups is not None and "by_status" not in vars(self):
            return self.groups.attributed()
        out: dict[tuple[str, str], int] = {}
        for (who, iid, op, _), count in self.by_status.items():
            if iid:
                out[(who, op)] = out.get((who, op), 0) + count
        return out

    def warnings(self) -> list[str]:
        out: list[str] = []
        if self.problems is not None:
            summary = self.problems.summary("line")
            if summary:
                out.append(summary)
        if self.unmatched_requests:
            examples = ", ".join(
                f"{m} {p} ({n:,})" for (m, p), n in sorted(self.unmatched.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
            )
            out.append(
                f"{self.name}: {self.unmatched_requests:,} request(s) on {self.unmatched_lines:,} line(s) "
                f"match no operation of the base or revision spec and are not counted as traffic "
                f"(e.g. {examples})"
            )
        if self.unknown_customers:
            ids = sorted(self.unknown_customers, key=lambda c: (-self.unknown_customers[c], c))
            shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
            out.append(
                f"{self.name}: {len(ids):,} customer id(s) are missing from the customer list "
                f"({shown}); their traffic counts, their revenue is unknown"
            )
        if self.unattributed_lines:
            unknown = self.unattributed_lines - self.unattributed_no_value
            out.append(
                f"{self.name}: {self.unattributed_requests:,} request(s) on {self.unattributed_lines:,} line(s) "
                f"have no known customer (--customer-from {self.customer_from}: {self.unattributed_no_value:,} "
                f"without a value, {unknown:,} with a value that is no API key or id of the customer list); "
                f"they are not attributed to anyone"
            )
        if self.unknown_keys:
            out.append(
                f"{self.name}: {self.unknown_keys:,} API key(s) belong to no listed customer; "
                f"each is counted as its own customer '{UNKNOWN_KEY_PREFIX}<hash>'"
            )
        return out


def first_value(row: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """The first of ``keys`` that ``row`` gives a non-empty value (a usage row's columns have
    several accepted names)."""
    for key in keys:
        value = row.get(key)
        if value is not None and value != "":
            return value
    return None


def _key_id(key: str) -> str:
    # API keys are secrets: never put one in a report, only a stable digest of it.
    return UNKNOWN_KEY_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


class _Aggregator:
    def __init__(self, data: UsageData, router: PathRouter, customers: CustomerTable | None) -> None:
        self.data = data
        self.router = router
        self.customers = customers
        self.known = customers.customers if customers is not None else None
        self.keys = customers.by_key if customers is not None else {}
        self.unknown_key_ids: set[str] = set()
        assert data.problems is not None
        self.problems = data.problems
        self.pick: CustomerFrom | None = None

    def _resolve(self, ref: Any) -> str | None:
        """The customer a --customer-from value names: an API key of the list, else one of
        its ids; without a list, the value itself (an API key only as its digest)."""
        assert self.pick is not None
        text = ref.strip() if isinstance(ref, str) else None
        if not text:
            return None
        if self.known is None:
            return _key_id(text) if self.pick.secret else text
        owner = self.keys.get(text)
        if owner is None and text in self.known:
            owner = text
        return owner

    def row(self, line: int, row: dict[str, Any]) -> None:
        # The common case (a customer id, an upper-case method, int status and count) is
        # tested first and cheaply: this runs once per log line.
        problems = self.problems
        who: str | None
        if self.pick is not None:
            customer = None
            # a value in the path is read once the path is routed (below)
            who = None if self.pick.kind == "path" else self._resolve(row.get("ref"))
        else:
            customer = row.get("customer")
            if customer is None or customer == "":
                customer = first_value(row, CUSTOMER_KEYS)
        if self.pick is not None:
            pass
        elif customer is not None:
            who = customer if type(customer) is str else str(customer)
            who = who.strip()
            if not who:
                problems.add(line, "empty customer id")
                return
        else:
            key = first_value(row, API_KEY_KEYS)
            if key is None:
                problems.add(line, "no customer id or API key")
                return
            owner = self.keys.get(str(key).strip())
            if owner is None:
                who = _key_id(str(key).strip())
                self.unknown_key_ids.add(who)
            else:
                who = owner
        method = row.get("method")
        if type(method) is not str or method not in METHODS:
            if not isinstance(method, str) or method.upper() not in METHODS:
                problems.add(line, "missing or unknown HTTP method")
                return
            method = method.upper()
        path = row.get("path")
        if path is None:
            path = first_value(row, PATH_KEYS)
        if not isinstance(path, str) or not (path.startswith("/") or "://" in path):
            problems.add(line, "missing path (expected a path starting with '/')")
            return
        status = row.get("status")
        if status is not None and status != "" and not (type(status) is int and 100 <= status <= 599):
            try:
                code = int(status)
            except (TypeError, ValueError):
                code = 0
            if isinstance(status, (bool, float)) or not 100 <= code <= 599:
                problems.add(line, "status is not an HTTP status code")
                return
        raw_count = row.get("count")
        if raw_count is None:
            raw_count = first_value(row, COUNT_KEYS)
        count = 1
        if raw_count is not None:
            if type(raw_count) is int and raw_count >= 0:
                count = raw_count
            else:
                try:
                    count = int(raw_count)
                except (TypeError, ValueError):
                    count = -1
                if isinstance(raw_count, (bool, float)) or count < 0:
                    problems.add(line, "count is not a non-negative whole number")
                    return
        data = self.data
        data.lines += 1
        op = self.router.match(method, path)
        if op is None:
            data.unmatched_lines += 1
            data.unmatched_requests += count
            target = (method, clean_path(path))
            if target in data.unmatched or len(data.unmatched) < MAX_UNMATCHED_KINDS:
                data.unmatched[target] += count
            return
        integration = row.get("integration")
        if integration is None:
            integration = row.get("client")
        iid = str(integration).strip() if integration is not None and integration != "" else ""
        in_path = who is None and self.pick is not None and self.pick.kind == "path"
        if in_path:
            path_ref = self.router.path_value(op, path, self.pick.name) if self.pick is not None else None
            who = self._resolve(path_ref)
        if who is None:
            data.unattributed_lines += 1
            data.unattributed_requests += count
            ref = path_ref if in_path else row.get("ref")
            if not (isinstance(ref, str) and ref.strip()):
                data.unattributed_no_value += 1
            return
        data.requests += count
        code = int(status) if status is not None and status != "" else 0
        skey = (who, iid, op, code)
        by_status = data.by_status
        by_status[skey] = by_status.get(skey, 0) + count
        pair = (who, op)
        calls = data.calls
        calls[pair] = calls.get(pair, 0) + count
        known = self.known
        if known is not None and who not in known and not who.startswith(UNKNOWN_KEY_PREFIX):
            data.unknown_customers[who] += count
        if iid:
            ipair = (iid, op)
            data.integration_calls[ipair] = data.integration_calls.get(ipair, 0) + count
            data.customer_integrations.add((who, iid))


def load_usage(
    path: str | os.PathLike[str], router: PathRouter, customers: CustomerTable | PendingCustomers | None = None,
    *, fmt: str | None = None, customer_from: CustomerFrom | str | None = None, engine: str = "auto",
) -> UsageData:
    """Stream a usage log (a file or a glob of many, plain or gzip, in any format of
    :mod:`.logs`) and aggregate it per (customer, operation). A pending customer list is
    read while DuckDB reads the logs, when it does (else first)."""
    name = os.fspath(path)
    pick = parse_customer_from(customer_from) if isinstance(customer_from, str) else customer_from
    try:
        files = expand(name)
        if fmt is not None and fmt not in FORMATS:
            raise InputError(f"--usage-format {fmt!r}: expected one of {', '.join(FORMATS)}")
        kinds = {file: fmt or format_of(file) for file in files}
    except InputError:
        customer_table(customers)  # a broken customer list is told first, as when it was read first
        raise
    if engine != "python" and len(set(kinds.values())) == 1:
        from .aggregate import supports

        kind = next(iter(kinds.values()))
        big = sum(os.path.getsize(f) for f in files) >= DUCKDB_FROM_BYTES
        if supports(kind, pick) and (engine == "duckdb" or big):
            found = _duckdb(name, files, kind, router, customers, pick, strict=engine == "duckdb")
            if found is not None:
                return found
    problems = FileProblems(name)
    data = UsageData(name, problems=problems, customer_from=str(pick) if pick is not None else None)
    agg = _Aggregator(data, router, customer_table(customers))
    agg.pick = pick
    for file in files:
        problems.switch(file)
        kind = kinds[file]
        data.formats[file] = kind
        _read_file(file, kind, agg)
    data.unknown_keys = len(agg.unknown_key_ids)
    if data.lines == 0:
        if problems.total:
            raise InputError("no usable usage line: " + (problems.summary("line") or ""), file=name)
        raise InputError("the usage file holds no usage line", file=name)
    return data


#: from this many bytes of logs on, DuckDB reads them (below, starting it costs more than it saves)
DUCKDB_FROM_BYTES = 32 * 1024 * 1024


def _duckdb(name: str, files: list[str], kind: str, router: PathRouter,
            customers: CustomerTable | PendingCustomers | None, pick: CustomerFrom | None, *, strict: bool) -> UsageData | None:
    """DuckDB's aggregation, or None when the streaming reader must read the files: rows
    DuckDB's reader does not read alike (an nginx object among JSON lines) or, unless
    ``strict`` (engine="duckdb"), bytes DuckDB refuses (not UTF-8, a line over its limit),
    which the streaming reader then reports line by line."""
    import duckdb

    from .aggregate import NeedsStreaming, load_usage_duckdb

    try:
        data = load_usage_duckdb(name, files, kind, router, customers, pick)
    except NeedsStreaming:
        return None
    except InputError:  # of the logs, found before the list was read: the list's own is told first
        customer_table(customers)
        raise
    except duckdb.Error as exc:
        if strict:
            customer_table(customers)
            raise InputError(f"DuckDB cannot read the usage logs: {str(exc).splitlines()[0]}", file=name) from None
        return None
    if data.lines == 0:
        return None  # the streaming reader says why, line by line
    return data


def format_of(file: str) -> str:
    """The format of one file: told by its content; a ``.csv``, ``.jsonl`` or ``.ndjson``
    name keeps trustguard's own CSV and JSON lines readers (their errors are clearer)."""
    head = read_head(file)
    if head.startswith(GZIP_MAGIC):
        raise InputError("the gzip stream is empty or broken", file=file)
    if b"\x00" in head:
        raise InputError("the file is binary, not text (it contains NUL bytes)", file=file)
    lower = file.lower().removesuffix(".gz")
    if lower.endswith(".csv"):
        return "csv"
    try:
        return detect(head, file)
    except InputError:
        if lower.endswith((".jsonl", ".ndjson", ".json")):
            return "jsonl"  # read line by line: every bad line is reported at its number
        raise


_LINE_FORMATS = {"combined": clf.rows, "common": clf.rows, "alb": alb.rows}
_CHECKS = {"combined": clf.check_pick, "common": clf.check_pick, "alb": alb.check_pick,
           "cloudfront": cloudfront.check_pick, "har": har.check_pick}


def _read_file(file: str, kind: str, agg: _Aggregator) -> None:
    # every format logs the path: a customer in it is read by the aggregator, not the format
    pick = agg.pick if agg.pick is None or not agg.pick.routed else None
    check = _CHECKS.get(kind)
    if check is not None:
        check(pick, file)
    if kind == "jsonl":
        with open_binary(file) as handle:
            _read_jsonl(handle, agg)
        return
    if kind == "har":
        for number, row in har.rows(file, pick, agg.problems.add):
            agg.row(number, row)
        return
    lines = _decoded_lines(_guarded(file), agg.problems)
    if kind == "csv":
        _read_csv(lines, file, agg)
        return
    reader: Any
    if kind == "cloudfront":
        reader = cloudfront.rows(lines, pick, agg.problems.add, file)
    elif kind == "otlp":
        reader = otlp.rows(lines, pick, agg.problems.add, file)
    else:
        reader = _LINE_FORMATS[kind](lines, pick, agg.problems.add)
    for number, row in reader:
        agg.row(number, row)


def _guarded(file: str) -> Iterator[bytes]:
    for _, raw in raw_lines(file):
        yield raw


def _decoded_lines(handle: Any, problems: RowProblems) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(handle, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.add(number, "not UTF-8 text")
            continue
        if number == 1 and text.startswith("\ufeff"):
            text = text[1:]
        if text.strip():
            yield number, text


_CHUNK = 4096


def _read_jsonl(handle: Any, agg: _Aggregator) -> None:
    # The hot loop of the impact stage. Lines are decoded a chunk at a time with one
    # json.loads of "[line,line,...]"; a chunk that does not decode as exactly one JSON
    # object per line (a blank or malformed line, a BOM, bad bytes) is redone line by
    # line, so every problem is still reported at its own line.
    chunk: list[bytes] = []
    first = 1
    for number, raw in enumerate(handle, start=1):
        if not chunk:
            first = number
        chunk.append(raw)
        if len(chunk) == _CHUNK:
            _jsonl_chunk(first, chunk, agg)
            chunk = []
    if chunk:
        _jsonl_chunk(first, chunk, agg)


#: a UTF-16 surrogate written as a JSON escape: rare, and then each line is checked
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _jsonl_chunk(first: int, lines: list[bytes], agg: _Aggregator) -> None:
    joined = b"[" + b",".join(lines) + b"]"
    try:
        # a line nesting deeply (RecursionError) or holding a surrogate is found line by line
        rows = None if _SURROGATE_ESCAPE.search(joined) else json.loads(joined)
    except (ValueError, RecursionError):
        rows = None
    if rows is None or len(rows) != len(lines) or any(type(r) is not dict for r in rows):
        for offset, raw in enumerate(lines):
            _jsonl_line(first + offset, raw, agg)
        return
    row_of = agg.row
    pick = agg.pick
    for offset, row in enumerate(rows):
        if pick is not None or "method" not in row:
            row = _json_row(row, pick)
        row_of(first + offset, row)


def _jsonl_line(number: int, raw: bytes, agg: _Aggregator) -> None:
    problems = agg.problems
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        problems.add(number, "not UTF-8 text")
        return
    if not text.strip():
        return
    if number == 1 and text.startswith("\ufeff"):
        text = text[1:]
    try:
        row = json.loads(text)
    except ValueError:
        problems.add(number, "not a JSON object")
        return
    except RecursionError:  # no usage line nests like this: an input built to crash the reader
        raise InputError("the JSON on this line nests too deeply to be a usage line",
                         file=agg.data.name, place=str(number)) from None
    if type(row) is not dict:
        problems.add(number, "not a JSON object")
        return
    if _SURROGATE_ESCAPE.search(raw):
        try:  # a lone one cannot be written into any report
            refuse_lone_surrogates(text, row, agg.data.name)
        except InputError as exc:
            raise InputError(exc.message, file=agg.data.name, place=str(number)) from None
    if agg.pick is not None or "method" not in row:
        row = _json_row(row, agg.pick)
    agg.row(number, row)


def _json_row(row: dict[str, Any], pick: CustomerFrom | None) -> dict[str, Any]:
    # Only rows that miss the plain key pay for key normalisation ("Method", "HTTP-Method");
    # rows that have no method key even then are access-log objects (nginx, Envoy).
    if "method" not in row:
        normal = {normalise_key(k): v for k, v in row.items()}
        if "method" in normal:
            return jsonlog.adapt(normal, pick) if pick is not None else normal
    return jsonlog.adapt(row, pick)


def _read_csv(lines: Iterator[tuple[int, str]], name: str, agg: _Aggregator) -> None:
    first = next(lines, None)
    if first is None:
        raise InputError("the usage file holds no usage line", file=name)
    header_line, header_text = first
    header = [normalise_key(h) for h in next(csv.reader([header_text]))]
    if "method" not in header or not any(k in header for k in PATH_KEYS):
        raise InputError(
            "the usage CSV needs a header with at least 'method', 'path' and 'customer' or 'api_key' "
            f"columns (found: {', '.join(header)})",
            file=name, place=str(header_line),
        )
    if agg.pick is None and not any(k in header for k in (*CUSTOMER_KEYS, *API_KEY_KEYS)):
        raise InputError(
            "the usage CSV needs a 'customer' or an 'api_key' column", file=name, place=str(header_line)
        )
    width = len(header)
    problems = agg.problems
    for number, text in lines:
        try:
            cells = next(csv.reader([text]))
        except (csv.Error, StopIteration):
            problems.add(number, "not a CSV row")
            continue
        if len(cells) != width:
            problems.add(number, f"expected {width} cells, found {len(cells)}")
            continue
        row = dict(zip(header, cells, strict=False))
        agg.row(number, row if agg.pick is None else jsonlog.adapt(row, agg.pick))
