"""The customer list: id, name, plan, segment, monthly revenue (CSV, JSON or YAML).

Format: ``schemas/customers.schema.json``. Rows are checked by hand rather than by
jsonschema because a customer list can hold hundreds of thousands of rows; the test
suite checks that both agree on the examples and on bad rows.

A CSV list is read column by column (:func:`_add_grid`): each field converted for the whole
column at C speed (``map(float)``, ``map(str.strip)``, one key per cell told from the column
joined), the customers made and put in the dicts in bulk; only the rows that would warn or
stop the read go through the row reader's checks (:func:`_put`, which the row reader ends
in too), in their place, with the fields the columns gave. The cells come from
:func:`.files.csv_grid` (a file without quotes split at its commas as one string). A file
the grid cannot number (a quoted cell over two lines, a row csv cannot parse) is read row
by row as before; ``tests/test_impact_customers_columns.py`` checks both readers agree, on
clean files and on files a row in the middle breaks. At 100k customers (``_read_customers``
in one process, the collector off as in a run, best of 15, old and new alternated, load
0.9-1.5): 220-243 ms of CPU row by row, 104-113 ms by column; inside ``trustguard check``
at 1M lines, beside DuckDB's pass, 0.32-0.41 s of wall against 0.12-0.15 (docs/impact.md,
"The customer list read", has the whole run and the files it makes slower). A revenue
column with blank cells is read by one comprehension rather than parse_money per cell
(1 or 10 % blank at 100k: 112-113 -> 96-97 ms, as the clean list).
"""

from __future__ import annotations

import math
import operator
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple, cast

from ..errors import InputError
from .files import (
    CsvGrid,
    RowProblems,
    csv_grid,
    csv_rows,
    normalise_key,
    read_text,
    structured_records,
)

ID_KEYS = ("id", "customer_id", "customer")
REVENUE_KEYS = ("monthly_revenue", "revenue", "mrr")
#: a monthly revenue beyond any company's, in any currency (and far below a float's overflow)
MAX_REVENUE = 1e15
KEY_SEPARATORS = (";", ",", " ")


class Customer(NamedTuple):
    """One customer of the list (immutable: the table of a file is shared by the readers
    of one run). A named tuple rather than a frozen dataclass: 100k of them are made while
    DuckDB reads the logs, and a frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__`` -- 100 ms against 44 for 100k."""

    id: str
    name: str | None = None
    plan: str | None = None
    segment: str | None = None
    revenue: float = 0.0
    api_keys: tuple[str, ...] = ()


@dataclass
class CustomerTable:
    """Customers by id, plus the API keys that identify them in access logs."""

    name: str
    customers: dict[str, Customer] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def revenue_total(self) -> float:
        return math.fsum(c.revenue for c in self.customers.values())


class PendingCustomers:
    """A customer list read when it is first needed, once. :func:`.usage.load_usage` takes
    one so that DuckDB reads the logs while Python reads the list (at 100k customers ~0.3 s
    of pure Python, which DuckDB's pass, off the GIL, does not wait for).

    ``then`` is work that needs only the list, done right after it is read -- while DuckDB
    is still reading, when the list is read by the usage reader: the impact graph's
    customer layer (:func:`.graph.start_graph`)."""

    def __init__(self, path: str | os.PathLike[str],
                 then: Callable[[CustomerTable], object] | None = None) -> None:
        self.path = path
        self._then = then
        self._table: CustomerTable | None = None

    def table(self) -> CustomerTable:
        if self._table is None:
            self._table = load_customers(self.path)
            if self._then is not None:
                self._then(self._table)
        return self._table


def customer_table(customers: CustomerTable | PendingCustomers | None) -> CustomerTable | None:
    """The table itself, read now if it is still pending."""
    return customers.table() if isinstance(customers, PendingCustomers) else customers


def load_customers(path: str | os.PathLike[str]) -> CustomerTable:
    """Read a customer list; bad rows become warnings, an unusable file an InputError.

    One run reads the list in several places (the graph, the impact JSON, the notices,
    the rate-limit and terms impact), and at 100k customers a read costs ~0.3 s: the
    table of a file unchanged since it was read (same file, size and modification time)
    is the one read then. Callers only read it (the graph copies what it changes)."""
    name = os.fspath(path)
    try:
        st = os.stat(name)
    except OSError:
        return _read_customers(name)  # the reader says what is wrong with it
    if not stat.S_ISREG(st.st_mode):  # a pipe or a device reads differently each time
        return _read_customers(name)
    return _cached_customers(name, (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns))


@lru_cache(maxsize=4)
def _cached_customers(name: str, stamp: tuple[int, int, int, int]) -> CustomerTable:
    # keyed by the name as given too (the table and its warnings name the file so) and by
    # the file's stamp, which only tells the cache whether the file changed
    del stamp
    return _read_customers(name)


def _read_customers(name: str) -> CustomerTable:
    suffix = Path(name).suffix.lower()
    problems = RowProblems(name)
    table = CustomerTable(name)
    if suffix == ".csv":
        text = read_text(name)
        grid = csv_grid(text)
        if grid is not None:
            _check_header(grid.header, name)
            _add_grid(table, grid, problems)
        else:  # a quoted cell spans lines, or a row does not parse: row by row
            header, rows = csv_rows(text, name)
            _check_header(header, name)
            pick = _csv_fields(header)
            for line, cells in rows:
                _add_cells(table, pick, len(header), cells, problems, line)
    else:
        name, records = structured_records(name, problems, "customers", "customer")
        for number, record in records:
            _add(table, _fields({normalise_key(str(k)): v for k, v in record.items()}), problems, number)
    what = "row" if suffix == ".csv" else "entry"
    summary = problems.summary(what)
    if summary:
        table.warnings.append(summary)
    if not table.customers:
        raise InputError("no usable customer in the file", file=name)
    return table


def _check_header(header: list[str], name: str) -> None:
    if _first_column(header, ID_KEYS) is None:
        raise InputError(
            "the customer CSV needs an 'id' column (header: " + ", ".join(header) + ")",
            file=name, place="1",
        )


def _add_cells(table: CustomerTable, pick: Any, width: int, cells: list[str], problems: RowProblems,
               line: int) -> None:
    """One CSV row (not blank) read as such."""
    if len(cells) != width:
        problems.add(line, f"expected {width} cells, found {len(cells)}")
        return
    # what _csv_fields picks for a column the file lacks: an empty cell, read as no value
    # by every field (no id, no name, revenue 0, no keys)
    _add(table, pick([*cells, ""]), problems, line)


def _add_grid(table: CustomerTable, grid: CsvGrid, problems: RowProblems) -> None:
    """The rows of a CSV file (row ``i`` on line ``i + 2``), read column by column.

    Each field is converted for the whole column at once (``map`` over it; a column
    that fails the cheap test -- a cell to strip, a revenue ``float`` does not read, a
    cell of several keys -- is converted cell by cell with the row reader's own
    functions). The rows that would warn or stop the read (an id or a key an earlier row
    has, a bad or impossible revenue: :func:`_put`, with the fields converted; no id,
    another number of cells, blank: :func:`_add_cells`, from the row's cells) are then
    read one by one, in their place; the rows between them are added to the table in
    bulk. A row in bulk is one :func:`_add` would add without a word, so the table, its
    order and the warnings are the row reader's."""
    width, n = len(grid.header), grid.size
    if not n:
        return
    pick = _csv_fields(grid.header)
    none = ("",) * n  # the column the file lacks (as _csv_fields picks it)
    name_cells, plan_cells, segment_cells, revenue_cells, key_cells, *id_cells = pick([*grid.columns, none])

    def texts(cells: Sequence[str]) -> list[str | None]:
        return [None] * n if cells is none else [text or None for text in map(str.strip, cells)]

    ids = texts(id_cells[0])
    stop = set(grid.odd)
    if None in ids:
        for i in [i for i, cid in enumerate(ids) if cid is None]:
            ids[i] = next((text for text in map(_text, (cells[i] for cells in id_cells[1:])) if text is not None),
                          None)
            if ids[i] is None:
                stop.add(i)  # no id (or a blank row)
    revenues: list[float | None]
    if revenue_cells is none:
        revenues = [0.0] * n
    else:
        try:
            numbers = list(map(float, revenue_cells))
        except ValueError:  # blank cells are common (no revenue: 0, as parse_money reads them)
            try:  # 5 ms at 100k cells, parse_money 24 ms
                numbers = [float(cell) if cell else 0.0 for cell in revenue_cells]
            except ValueError:
                numbers = []
        if numbers and all(map(math.isfinite, numbers)) and min(numbers) >= 0 and max(numbers) <= MAX_REVENUE:
            revenues = list(numbers)
        else:
            revenues = list(map(parse_money, revenue_cells))
            stop.update(i for i, revenue in enumerate(revenues) if revenue is None or revenue > MAX_REVENUE)
    single = False  # one key per row: the keys are the column's cells
    if key_cells is none:
        keys: list[tuple[str, ...]] = [()] * n
    else:
        joined = "\x00".join(key_cells)  # NUL is neither a separator nor a space
        single = all(key_cells) and ";" not in joined and "," not in joined and len(joined.split()) == 1
        keys = list(zip(key_cells)) if single else [_api_keys(cell) if cell else () for cell in key_cells]
    names, plans, segments = texts(name_cells), texts(plan_cells), texts(segment_cells)
    made = list(map(tuple.__new__, repeat(Customer), zip(ids, names, plans, segments, revenues, keys, strict=True)))
    added = cast("list[str]", ids)  # the rows added in bulk have an id

    def pairs(start: int, end: int) -> Iterable[tuple[str, str]]:
        if single:
            return zip(key_cells[start:end], added[start:end], strict=True)
        return ((key, cid) for row_keys, cid in zip(keys[start:end], added[start:end], strict=True) for key in row_keys)

    if not stop:  # the common case: no row warns unless an id or a key repeats, as the dicts' sizes tell
        customers = dict(zip(added, made, strict=True))
        by_key = dict(pairs(0, n))
        if len(customers) == n and len(by_key) == (n if single else sum(map(len, keys))):
            table.customers, table.by_key = customers, by_key
            return
    if len(set(ids)) != n:
        seen: set[str | None] = set()
        for i, cid in enumerate(ids):  # an id an earlier row has: warns
            if cid in seen:
                stop.add(i)
            seen.add(cid)
    if not single or len(set(key_cells)) != n:
        owner: dict[str, int] = {}
        for i, row_keys in enumerate(keys):  # a key an earlier row has: warns
            for key in row_keys:
                if owner.setdefault(key, i) != i:
                    stop.add(i)
    start = 0
    for i in [*sorted(stop), n]:
        if start < i:
            table.customers.update(zip(added[start:i], made[start:i], strict=True))
            table.by_key.update(pairs(start, i))
        if i == n:
            break
        if ids[i] is None:  # no id: blank, of another number of cells (read as blank here), or warns
            cells = grid.cells(i)
            if any(map(str.strip, cells)):
                _add_cells(table, pick, width, cells, problems, i + 2)
        else:  # the fields as _add reads them (the revenue None when it is not one)
            _put(table, (added[i], names[i], plans[i], segments[i], revenues[i], keys[i]), problems, i + 2)
        start = i + 1


def _first_column(header: list[str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if key in header:
            return key
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_money(value: Any) -> float | None:
    """``1234.5``, ``"1,234.50"``, ``"$1234"`` -> 1234.5; None when not a money amount."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        try:
            number = float(value)  # the common case: plain digits
        except ValueError:
            text = str(value).strip().lstrip("$€£¥").replace(",", "").replace("_", "")
            if not text:
                return 0.0
            try:
                number = float(text)
            except ValueError:
                return None
    if not math.isfinite(number) or number < 0:
        return None
    return number


#: the fields _add reads, in order; then every id column (ID_KEYS), in order
FIELDS = ("name", "plan", "segment", "monthly_revenue", "api_keys")


def _fields(row: dict[str, Any]) -> tuple[Any, ...]:
    """A record's FIELDS and ids: the revenue under its first key present, the keys under
    ``api_keys`` else ``api_key``."""
    revenue = row.get("monthly_revenue")
    if revenue is None:
        revenue = next((row[k] for k in REVENUE_KEYS[1:] if k in row), None)
    return (row.get("name"), row.get("plan"), row.get("segment"), revenue, row.get("api_keys", row.get("api_key")),
            *(row.get(k) for k in ID_KEYS))


def _csv_fields(header: list[str]) -> Any:
    """What :func:`_fields` gives for a CSV row as a dict of its header (the last of two
    columns of one name, as a dict keeps it; a column the file lacks is empty), as an
    itemgetter over the row's cells and a trailing empty cell: at 100k customers one C call
    instead of a dict and eight lookups per row (0.33 s of CPU against 0.38 for the list)."""
    index = {key: at for at, key in enumerate(header)}
    missing = len(header)
    revenue = next((index[k] for k in REVENUE_KEYS if k in index), missing)
    keys = index.get("api_keys", index.get("api_key", missing))
    columns = [index.get(k, missing) for k in FIELDS[:3]] + [revenue, keys] + [index[k] for k in ID_KEYS if k in index]
    return operator.itemgetter(*columns)


def _add(table: CustomerTable, fields: tuple[Any, ...], problems: RowProblems, line: int) -> None:
    """One customer from a row's FIELDS and ids (the first id that is not blank)."""
    cid = _text(fields[5])
    if cid is None:
        cid = next((text for text in map(_text, fields[6:]) if text is not None), None)
    if cid is None:
        problems.add(line, "no customer id")
        return
    raw_revenue = fields[3]
    revenue = parse_money(raw_revenue) if raw_revenue is not None else 0.0
    raw_keys = fields[4]
    keys = _api_keys(raw_keys) if raw_keys else ()
    _put(table, (cid, _text(fields[0]), _text(fields[1]), _text(fields[2]), revenue, keys), problems, line)


def _put(table: CustomerTable, fields: tuple[str, str | None, str | None, str | None, float | None, tuple[str, ...]],
         problems: RowProblems, line: int) -> None:
    """A customer's fields as read (its id, name, plan, segment, revenue -- None: not a
    revenue -- and keys) put in the table."""
    cid, revenue = fields[0], fields[4]
    if cid in table.customers:
        problems.add(line, "duplicate customer id (the first entry is kept)")
        return
    if revenue is None:
        # The customer exists; only its weight is unknown, so keep it at zero revenue.
        problems.add(line, "monthly revenue is not a non-negative number (counted as 0)")
        fields = (*fields[:4], 0.0, fields[5])
    elif revenue > MAX_REVENUE:  # no revenue is this large; the totals would overflow a float
        raise InputError(f"monthly revenue is {revenue:g}, more than {MAX_REVENUE:g}: not a real revenue",
                         file=problems.name, place=str(line))
    table.customers[cid] = customer = Customer._make(fields)
    for key in customer.api_keys:
        owner = table.by_key.setdefault(key, cid)
        if owner != cid:
            problems.add(line, "API key already belongs to another customer (the first is kept)")


def _api_keys(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    text = str(value)
    for sep in KEY_SEPARATORS:
        text = text.replace(sep, " ")
    return tuple(text.split())
