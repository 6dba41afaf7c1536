"""The customer list as read (impact/customers.py): rows whose cells are all blank are
skipped without a warning, a row with one real cell is read (or reported), and a customer
cannot be changed once read -- the table of a file is shared by the readers of one run."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustguard.impact.customers import Customer, load_customers


def test_blank_rows_are_skipped_and_rows_with_a_value_are_not(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("id,name,api_keys,monthly_revenue\n"
                    "c1,Acme,k1;k2,10\n"
                    " , ,\t,  \n"          # only blank cells: not a row
                    ",,,\n"
                    "\n"
                    "c2, Globex ,k3 k4,\"1,200.50\"\n"
                    ",Nameless,,5\n")      # a real row without an id: reported with its line
    table = load_customers(path)
    assert table.customers == {
        "c1": Customer("c1", "Acme", None, None, 10.0, ("k1", "k2")),
        "c2": Customer("c2", "Globex", None, None, 1200.5, ("k3", "k4")),
    }
    assert table.by_key == {"k1": "c1", "k2": "c1", "k3": "c2", "k4": "c2"}
    assert table.warnings == [f"{path}: 1 malformed row(s) skipped: no customer id (1: row 7)"]


def test_a_customer_read_cannot_be_changed(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("id,monthly_revenue\nc1,10\n")
    c = load_customers(path).customers["c1"]
    with pytest.raises(AttributeError):
        c.revenue = 0.0  # type: ignore[misc]
    assert c == Customer("c1", revenue=10.0) and hash(c) == hash(Customer("c1", revenue=10.0))
    assert c.name is None and c.api_keys == ()
