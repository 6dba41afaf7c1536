"""The affected customers and integrations, by id, for ``trustguard impact``'s listing.

The Report names them by id only; their names, plans and revenue are in the customer and
integration files, read again here so that the renderer (report/impact_text.py) lists
what it is given and reads no file itself."""

from __future__ import annotations

import os
from typing import Any

from ..model import Report
from .customers import Customer, load_customers
from .integrations import load_integrations


def affected_customers(report: Report, inputs: dict[str, Any]) -> dict[str, Customer]:
    """Every customer a finding reaches, by id: from the customer list, or only its id when
    the list does not have it (or none was given). The file is read only when someone is
    affected."""
    ids = {cid for f in report.findings if f.impact is not None for cid in f.impact.customer_ids}
    if not ids:
        return {}
    table = load_customers(os.fspath(inputs["customers"])).customers if inputs.get("customers") is not None else {}
    return {cid: table.get(cid, Customer(cid)) for cid in ids}


def integration_names(inputs: dict[str, Any]) -> dict[str, tuple[str | None, str]]:
    """The name and kind of every declared integration, by id ({} without a file)."""
    if inputs.get("integrations") is None:
        return {}
    return {i.id: (i.name, i.kind) for i in load_integrations(os.fspath(inputs["integrations"]))}
