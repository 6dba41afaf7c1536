"""Reading impact input files: bytes to text, tabular rows, and structured data.

Every input is optional, but a file that is given and cannot be used at all (missing,
binary, not UTF-8, no header, no usable row) is an :class:`InputError` naming the file
and the place. Problems in single rows are collected as :class:`RowProblems` and
reported as warnings: one bad line must not hide the thousands of good ones.
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from itertools import repeat
from typing import Any, NamedTuple

from ..errors import InputError
from ..load.parse import Locator, check_depth, decode_text, parse_json, parse_yaml
from ..load.regular import read_regular

MAX_EXAMPLES = 3


def display_name(path: str | os.PathLike[str]) -> str:
    """The file name as the user gave it (never made absolute: reports stay portable)."""
    return os.fspath(path)


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of an input read whole (customers, integrations, a Pact file): a regular
    file (a FIFO would block, a device never end) of at most 256 MiB, as for a spec."""
    name = display_name(path)
    return decode_text(read_regular(path, name), name)


def read_structured(path: str | os.PathLike[str]) -> tuple[Any, Locator, str]:
    """Parse a JSON or YAML file: (data, locator for error lines, name)."""
    name = display_name(path)
    text = read_text(path)
    if text.lstrip()[:1] in ("{", "["):
        data = parse_json(text, name)
        check_depth(data, name)
        return data, Locator(text, "json", data), name
    data, node = parse_yaml(text, name)
    return data, Locator(text, "yaml", node), name


def structured_records(
    path: str | os.PathLike[str], problems: RowProblems, plural: str, singular: str
) -> tuple[str, list[tuple[int, dict[str, Any]]]]:
    """The mappings of a JSON or YAML list file (a list, or a mapping holding ``plural``),
    numbered from 1; an entry that is not a mapping becomes a problem of its own."""
    data, _, name = read_structured(path)
    records = data.get(plural) if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise InputError(
            f"expected a list of {plural} (or a mapping with a '{plural}' list)",
            file=name, place=f"/{plural}" if isinstance(data, dict) else "/",
        )
    out: list[tuple[int, dict[str, Any]]] = []
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            problems.add(index, f"a {singular} must be a mapping")
            continue
        out.append((index, record))
    return name, out


def place_of(locator: Locator, pointer: str) -> str:
    """A line number when the pointer can be found, else the pointer itself."""
    pos = locator.position(pointer)
    if pos is None:
        return pointer or "/"
    return f"{pos[0]}"


class RowProblems:
    """Malformed rows of one file: counted per reason, with the first line numbers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.counts: Counter[str] = Counter()
        self.lines: dict[str, list[int]] = {}

    def add(self, line: int, reason: str) -> None:
        self.counts[reason] += 1
        seen = self.lines.setdefault(reason, [])
        if len(seen) < MAX_EXAMPLES:
            seen.append(line)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self, what: str = "line") -> str | None:
        if not self.counts:
            return None
        parts = []
        for reason, count in sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0])):
            at = ", ".join(str(n) for n in self.lines[reason])
            more = ", ..." if count > len(self.lines[reason]) else ""
            parts.append(f"{reason} ({count}: {what} {at}{more})")
        return f"{self.name}: {self.total} malformed {what}(s) skipped: " + "; ".join(parts)


def csv_rows(text: str, name: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The normalised header and (line number, cells) for every non-empty row."""
    lines = text.splitlines()
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the CSV file has no header row", file=name, place="1") from None
    except csv.Error as exc:
        raise InputError(f"invalid CSV header: {exc}", file=name, place="1") from None
    header = [normalise_key(h) for h in header]

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                number = reader.line_num
                yield number, ["\x00csv-error"]
                continue
            number = reader.line_num
            if not any(map(str.strip, cells)):  # no cell, or only blank ones (at C speed: 100k rows)
                continue
            yield number, cells

    return header, rows()


class CsvGrid(NamedTuple):
    """A CSV file's rows as columns: row ``i`` (from 0) is on line ``i + 2``."""

    header: list[str]
    #: one per header cell, a cell per row (blank for a row of another number of cells)
    columns: list[Sequence[str]]
    #: the rows whose number of cells is not the header's (an empty line has none)
    odd: list[int]
    #: the number of rows
    size: int
    #: the cells of a row, as ``csv.reader`` reads them
    cells: Callable[[int], list[str]]


def csv_grid(text: str) -> CsvGrid | None:
    """The rows of a CSV file as columns, or None when row ``i`` is not on line ``i + 2``
    (a quoted cell spans lines) or a row does not parse: :func:`csv_rows` then reads it
    row by row. Blank rows are kept: the caller skips them.

    A file without a quote, a NUL or a line beyond the field size limit reads in
    ``csv.reader`` exactly as its lines split at each comma (nothing else is special to
    its dialect): it is split as one string and sliced into columns, and the rows of
    another number of cells are found from each line's comma count (all at C speed; at
    100k customers 29 ms against 50 for ``csv.reader`` and a transposition, which any
    other file takes; the module docstring of :mod:`.customers` has the whole read)."""
    lines = text.splitlines()
    if not lines or not lines[0]:
        return None
    if '"' in text or "\x00" in text or max(map(len, lines)) > csv.field_size_limit():
        return _read_grid(lines)
    header = lines[0].split(",")
    width, body = len(header), lines[1:]
    size = len(body)
    commas = list(map(str.count, body, repeat(",")))
    odd = []
    if commas.count(width - 1) != size or (width == 1 and "" in body):
        odd = [i for i, (line, count) in enumerate(zip(body, commas, strict=True)) if count != width - 1 or not line]
        body = [line if count == width - 1 and line else "," * (width - 1)
                for line, count in zip(body, commas, strict=True)]
    flat = ",".join(body).split(",") if size else []
    columns: list[Sequence[str]] = [flat[k::width] for k in range(width)]

    def cells(i: int) -> list[str]:
        line = lines[i + 1]
        return line.split(",") if line else []

    return CsvGrid([normalise_key(h) for h in header], columns, odd, size, cells)


def _read_grid(lines: list[str]) -> CsvGrid | None:
    """:func:`csv_grid` by ``csv.reader``: one C call for the whole file."""
    try:
        rows = list(csv.reader(lines))
    except csv.Error:
        return None
    if len(rows) != len(lines):
        return None
    header, body = rows[0], rows[1:]
    raw = body
    width, size = len(header), len(body)
    sizes = list(map(len, body))
    odd = [] if sizes.count(width) == size else [i for i, cells in enumerate(sizes) if cells != width]
    if odd:
        blank = [""] * width
        body = [blank if len(cells) != width else cells for cells in body]
    columns: list[Sequence[str]] = list(zip(*body, strict=True)) if size else [()] * width
    return CsvGrid([normalise_key(h) for h in header], columns, odd, size, raw.__getitem__)


def normalise_key(key: str) -> str:
    """``Monthly Revenue`` / ``monthly-revenue`` -> ``monthly_revenue``."""
    return "_".join(key.strip().lower().replace("-", " ").split())


def parse_json_line(line: str) -> Any:
    return json.loads(line)
