"""The customer CSV read column by column (impact/customers.py ``_add_grid``, files.py
``csv_grid``) gives what the row-by-row reader gives: the same customers in the same order,
the same API keys, the same warnings with the same line numbers, the same errors -- for a
clean file (read in bulk) and for files where one row in the middle, or several, break the
column-wide test (read one by one, in their place)."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import pytest

from trustguard.errors import InputError
from trustguard.impact import customers as module
from trustguard.impact.customers import Customer, CustomerTable
from trustguard.impact.files import _read_grid, csv_grid


def _rows(n: int = 40) -> list[str]:
    return [f"c{i},Name {i},{'pro' if i % 3 else 'free'},k{i},{i * 10}" for i in range(n)]


HEADER = "id,name,plan,api_keys,monthly_revenue"


def _write(tmp_path: Path, lines: list[str], name: str = "customers.csv", end: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes((end.join(lines) + end).encode("utf-8"))
    return path


def _read(path: Path) -> CustomerTable | InputError:
    try:
        return module._read_customers(str(path))
    except InputError as exc:
        return exc


def _row_by_row(path: Path, monkeypatch: pytest.MonkeyPatch) -> CustomerTable | InputError:
    with monkeypatch.context() as patch:
        patch.setattr(module, "csv_grid", lambda text: None)  # the reader of files it cannot number
        return _read(path)


def _same(got: CustomerTable | InputError, want: CustomerTable | InputError) -> None:
    if isinstance(want, InputError):
        assert isinstance(got, InputError), got
        assert (str(got), got.file, got.place) == (str(want), want.file, want.place)
        return
    assert isinstance(got, CustomerTable), got
    assert list(got.customers.items()) == list(want.customers.items())
    assert list(got.by_key.items()) == list(want.by_key.items())
    assert got.warnings == want.warnings


def _rows_read_one_by_one(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The lines of the rows put in the table one by one (the others are put in bulk)."""
    lines: list[int] = []
    real = module._put

    def spy(table: CustomerTable, fields: Any, problems: Any, line: int) -> None:
        lines.append(line)
        real(table, fields, problems, line)

    with monkeypatch.context() as patch:
        patch.setattr(module, "_put", spy)
        _read(path)
    return lines


def test_a_clean_file_is_read_in_bulk_and_as_the_row_reader_reads_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, [HEADER, *_rows()])
    table = _read(path)
    assert isinstance(table, CustomerTable)
    assert list(table.customers)[:3] == ["c0", "c1", "c2"] and len(table.customers) == 40
    assert table.customers["c4"] == Customer("c4", "Name 4", "pro", None, 40.0, ("k4",))
    assert table.by_key["k39"] == "c39" and table.warnings == []
    _same(table, _row_by_row(path, monkeypatch))
    assert _rows_read_one_by_one(path, monkeypatch) == []  # no row needed the row reader


def test_blank_revenues_are_read_in_bulk_as_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows()
    for i in range(0, 40, 7):
        rows[i] = rows[i].rsplit(",", 1)[0] + ","
    path = _write(tmp_path, [HEADER, *rows])
    table = _read(path)
    assert isinstance(table, CustomerTable) and table.warnings == []
    assert table.customers["c7"].revenue == 0.0 and table.customers["c8"].revenue == 80.0
    _same(table, _row_by_row(path, monkeypatch))
    assert _rows_read_one_by_one(path, monkeypatch) == []
    rows[20] = "c20,Name 20,pro,k20,abc"  # and a bad one among them: only it is read alone
    path = _write(tmp_path, [HEADER, *rows])
    assert _rows_read_one_by_one(path, monkeypatch) == [22]
    _same(_read(path), _row_by_row(path, monkeypatch))


# (the row put at line 22, between clean rows; the warning it gives, if any)
BROKEN = [
    ("c20,Name 20,pro,k20,10,extra", "expected 5 cells, found 6 (1: row 22)"),
    ("c20,Name 20,pro,k20", "expected 5 cells, found 4 (1: row 22)"),
    (",,,,", None),  # blank cells: not a row
    ("", None),  # an empty line
    (" , ,\t, , ", None),
    (",Nameless,pro,k20,5", "no customer id (1: row 22)"),
    ("c3,Again,pro,k20,5", "duplicate customer id (the first entry is kept) (1: row 22)"),
    ("c20,Name 20,pro,k3,5", "API key already belongs to another customer (the first is kept) (1: row 22)"),
    ("c20,Name 20,pro,k20,abc", "monthly revenue is not a non-negative number (counted as 0) (1: row 22)"),
    ("c20,Name 20,pro,k20,-5", "monthly revenue is not a non-negative number (counted as 0) (1: row 22)"),
    ("c20,Name 20,pro,k20,nan", "monthly revenue is not a non-negative number (counted as 0) (1: row 22)"),
    ("c20,Name 20,pro,k20,inf", "monthly revenue is not a non-negative number (counted as 0) (1: row 22)"),
    ('c20,Name 20,pro,k20,"1,200.50"', None),  # quoted: read by csv.reader
    ("c20,Name 20,pro,k20,$1200", None),
    ("c20,Name 20,pro,k20,1_200", None),
    ("c20,Name 20,pro,k20, 12 ", None),
    ("c20,Name 20,pro,k20,", None),  # no revenue: 0
    ("c20,Name 20,pro,k20;k20b k20c,5", None),
    ("c20,Name 20,pro,k20;k20,5", None),  # a key twice for one customer: no warning
    ("c20,Name 20,pro,,5", None),
    ("c20,Name 20,pro,  ,5", None),
    ("  c20  , Name 20 , pro ,k20,5", None),  # cells stripped
    ("c20,,,k20,5", None),
    ("c20,Name 20,pro,k\x1f20,5", None),  # a control character that str.split() splits at
    ("c20,Name 20,pro,k20,1e3", None),
]


@pytest.mark.parametrize(("row", "warning"), BROKEN)
def test_one_row_that_breaks_a_column_reads_as_the_row_reader_reads_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row: str, warning: str | None) -> None:
    rows = _rows()
    rows[20] = row  # line 22
    path = _write(tmp_path, [HEADER, *rows])
    table = _read(path)
    _same(table, _row_by_row(path, monkeypatch))
    assert isinstance(table, CustomerTable)
    if warning is None:
        assert table.warnings == []
    else:
        assert table.warnings == [f"{path}: 1 malformed row(s) skipped: {warning}"]
    # the rows after it are read too, and keep their place
    assert list(table.customers)[-1] == "c39" and table.by_key["k39"] == "c39"


def test_the_rows_that_warn_are_read_one_by_one_and_the_others_in_bulk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows()
    rows[5] = "c1,Again,pro,k5,5"  # line 7: an id of line 3
    rows[30] = "c30,Name,pro,k30,abc"  # line 32
    path = _write(tmp_path, [HEADER, *rows])
    assert _rows_read_one_by_one(path, monkeypatch) == [7, 32]
    table = _read(path)
    assert isinstance(table, CustomerTable)
    assert table.warnings == [
        f"{path}: 2 malformed row(s) skipped: duplicate customer id (the first entry is kept) (1: row 7); "
        "monthly revenue is not a non-negative number (counted as 0) (1: row 32)"]
    assert table.customers["c1"].name == "Name 1" and table.customers["c30"].revenue == 0.0
    assert "k5" not in table.by_key  # the duplicate row's key is not read
    _same(table, _row_by_row(path, monkeypatch))


def test_a_revenue_beyond_any_company_stops_the_read_at_its_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows()
    rows[25] = "c25,Name,pro,k25,1e16"  # line 27
    path = _write(tmp_path, [HEADER, *rows])
    error = _read(path)
    assert isinstance(error, InputError) and error.place == "27" and error.file == str(path)
    assert "more than 1e+15" in str(error)
    _same(error, _row_by_row(path, monkeypatch))
    rows[25] = "c2,Name,pro,k25,1e16"  # on a duplicate row: the row is skipped before its revenue is read
    path = _write(tmp_path, [HEADER, *rows])
    table = _read(path)
    assert isinstance(table, CustomerTable) and table.customers["c2"].revenue == 20.0
    _same(table, _row_by_row(path, monkeypatch))


def test_the_first_three_line_numbers_of_each_reason_are_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows()
    for i in (3, 9, 14, 33):
        rows[i] = f",nameless,,,{i}"
    rows[20] = "c0,again,,,1"
    path = _write(tmp_path, [HEADER, *rows])
    table = _read(path)
    assert isinstance(table, CustomerTable)
    assert table.warnings == [f"{path}: 5 malformed row(s) skipped: no customer id (4: row 5, 11, 16, ...); "
                              "duplicate customer id (the first entry is kept) (1: row 22)"]
    _same(table, _row_by_row(path, monkeypatch))


@pytest.mark.parametrize("text", [
    HEADER + '\nc1,"Acme\nInc",pro,k1,5\nc2,x,pro,k2,abc\n',  # a quoted cell over two lines: row 4 is c2
    "\ufeff" + HEADER + "\nc1,Acme,pro,k1,5\n",  # a byte-order mark
    HEADER.replace("id", "ID") + "\r\nc1,Acme,pro,k1,5\r\nc2,B,,k2,x\r\n",
    HEADER + "\rc1,Acme,pro,k1,5\rc2,B,,k2,x\r",  # old Mac line ends
    "customer_id,id,monthly_revenue\nx1,,5\n,,5\nx3,c3,1\n",  # a blank id: the next id column
    "id,name,name,revenue\nc1,first,second,5\n",  # two columns of one name: the last is read
    "id,mrr\nc1,5\n\n\nc2,7\n",  # blank lines (a one-key table)
    "id\nc1\n\nc2\n ,\nc1\n",  # one column: blank lines and a duplicate
    HEADER + "\n",  # no row at all
    "name,plan\nAcme,pro\n",  # no id column
    HEADER + "\nc1,Acme,pro,k1," + "9" * 200_000 + "\n",  # a cell beyond csv's field size limit
    HEADER + '\nc1,Ac"me,pro,k1,5\n',  # a quote inside a cell
    HEADER + '\nc1,"Acme,pro,k1,5\n',  # a quote never closed
    HEADER + "\nc1,Acme\x0bInc,pro,k1,5\nc2,B,,k2,5\n",  # a line break of str.splitlines inside a row
])
def test_other_files_read_as_the_row_reader_reads_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(text.encode("utf-8"))
    _same(_read(path), _row_by_row(path, monkeypatch))


def test_a_quoted_cell_over_two_lines_keeps_the_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(HEADER + '\nc1,"Acme\nInc",pro,k1,5\nc2,x,pro,k2,abc\n')
    table = _read(path)
    assert isinstance(table, CustomerTable) and list(table.customers) == ["c1", "c2"]
    assert table.warnings == [f"{path}: 1 malformed row(s) skipped: "
                              "monthly revenue is not a non-negative number (counted as 0) (1: row 4)"]


CELLS = ["c1", "c2", "c3", " c4 ", "", " ", "k1", "k2", "k1;k2", "k3 k4", "5", "1,5", "-1", "abc", "$7",
         "1e16", "nan", "pro", '"q"', "x\ty", "ü"]


@pytest.mark.parametrize("seed", range(40))
def test_random_files_read_as_the_row_reader_reads_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    rng = random.Random(seed)
    header = rng.sample(["id", "customer_id", "name", "plan", "segment", "api_keys", "revenue", "extra"],
                        rng.randint(2, 6))
    if "id" not in header and "customer_id" not in header:
        header.append("id")
    rows = [",".join(header)]
    for _ in range(rng.randint(1, 30)):
        width = len(header) if rng.random() < 0.9 else rng.randint(0, len(header) + 1)
        cells = [rng.choice(CELLS) for _ in range(width)]
        rows.append(",".join(cells) if rng.random() < 0.7 else _quoted(cells))
    path = _write(tmp_path, rows, end=rng.choice(["\n", "\r\n"]))
    _same(_read(path), _row_by_row(path, monkeypatch))


def _quoted(cells: list[str]) -> str:
    out: list[str] = []
    csv.writer(_Lines(out)).writerow(cells)
    return out[0].rstrip("\r\n")


class _Lines:
    def __init__(self, out: list[str]) -> None:
        self.out = out

    def write(self, text: str) -> int:
        self.out.append(text)
        return len(text)


@pytest.mark.parametrize("text", [
    "id,k\nc1,a\n\nc2,b,x\nc3\n,\n",
    "id\nc1\n\nc2\n",
    "id,k\n",
    "a,b,c\n1,2,3\n4,5,6\n7,8\n9,10,11,12\n",
])
def test_a_file_split_at_its_commas_gives_the_grid_csv_reader_gives(text: str) -> None:
    split = csv_grid(text)
    read = _read_grid(text.splitlines())
    assert split is not None and read is not None
    assert split.header == read.header and split.odd == read.odd and split.size == read.size
    assert [list(c) for c in split.columns] == [list(c) for c in read.columns]
    assert [split.cells(i) for i in range(split.size)] == [read.cells(i) for i in range(read.size)]
