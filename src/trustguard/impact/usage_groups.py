"""A log's usage counters as DuckDB hands them over, turned into names only when read.

At 1M log lines over 100k customers nearly every line is its own (customer, integration,
operation, status) group: ~545k of them. Building the ``by_status`` and ``calls`` dicts
of :class:`.usage.UsageData` from them cost ~0.35 s of Python (a tuple of names per
group), while a report reads the usage of the few operations its findings touch, one
operation at a time (:meth:`.graph.ImpactGraph.callers_of`). So the groups stay where
DuckDB counted them until they are asked for: :meth:`UsageGroups.callers` fetches one
operation's rows (integer codes), and the whole dicts are built (identical, in the same
order as before) only when something reads them whole. Fetching every group costs 0.2 s
at 1M lines, one operation's 0.03 s. An operation's callers are fetched as DuckDB's sums
per customer (:attr:`UsageGroups.sums`), not as its rows summed here: for the two
operations of bench_impact's end-to-end run (67k callers each) 81-88 -> 49-50 ms of CPU,
every thread (best of 15, three rounds).
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import itemgetter

#: one group: (customer, integration, operation, status or 0, requests); the first three
#: are indexes into :attr:`UsageGroups.whos`, ``iids`` and ``ops`` (``iids`` holds "" for
#: the requests that name no integration)
Row = tuple[int, int, int, int, int]
#: the rows of one operation (by its code), or of every operation (None), in that order
Fetch = Callable[[int | None], list[Row]]
#: one operation's (customer, requests), summed over its rows, in customer order
FetchSums = Callable[[int], list[tuple[int, int]]]


@dataclass
class UsageGroups:
    """The counted groups of one log, in (customer, integration, operation, status) order,
    and the sorted names their codes index (so code order is name order). ``fetch`` gives
    the rows (DuckDB's table, read when asked)."""

    whos: list[str]
    iids: list[str]
    ops: list[str]
    fetch: Fetch = field(repr=False, compare=False)
    #: what :meth:`callers` reads, when the rows are not fetched already: DuckDB sums them
    sums: FetchSums | None = field(default=None, repr=False, compare=False)
    _rows: list[Row] | None = field(default=None, repr=False, compare=False)
    _op_column: list[int] | None = field(default=None, repr=False, compare=False)

    @property
    def rows(self) -> list[Row]:
        """Every group (fetched once)."""
        if self._rows is None:
            self._rows = self.fetch(None)
        return self._rows

    def by_status(self) -> dict[tuple[str, str, str, int], int]:
        """Requests per (customer, integration or "", operation, status), in that order."""
        whos, iids, ops = self.whos, self.iids, self.ops
        return {(whos[w], iids[i], ops[o], status): n for w, i, o, status, n in self.rows}

    def calls(self) -> dict[tuple[str, str], int]:
        """Requests per (customer, operation), in that order: summed over the groups in
        their order, which is already (customer, operation) order when the log names no
        integration (else sorted into it)."""
        whos, ops = self.whos, self.ops
        calls: dict[tuple[str, str], int] = {}
        get = calls.get
        for w, _, o, _, n in self.rows:
            key = (whos[w], ops[o])
            calls[key] = get(key, 0) + n
        return dict(sorted(calls.items())) if len(self.iids) > 1 else calls

    def customers(self) -> list[str]:
        """Every customer with a group, in customer order (what ``calls`` names, once each)."""
        return self.whos

    def callers(self, op: str) -> tuple[list[str], list[int]]:
        """The customers calling ``op`` and their requests (over every integration and
        status), in customer order: ``calls`` filtered by the operation, from that
        operation's rows only."""
        code = bisect.bisect_left(self.ops, op)
        if code == len(self.ops) or self.ops[code] != op:
            return [], []
        if self._rows is None and self.sums is not None:
            pairs = self.sums(code)
            return list(map(self.whos.__getitem__, map(itemgetter(0), pairs))), list(map(itemgetter(1), pairs))
        if self._rows is None:
            rows = self.fetch(code)
        else:  # all fetched already: picked from them
            if self._op_column is None:
                self._op_column = list(map(itemgetter(2), self._rows))
            rows = list(compress(self._rows, map(operator.eq, self._op_column, repeat(code))))
        codes = list(map(itemgetter(0), rows))
        counts = list(map(itemgetter(4), rows))
        if len(set(codes)) != len(codes):  # a customer with several statuses or integrations
            summed: dict[int, int] = {}
            for w, n in zip(codes, counts, strict=True):
                summed[w] = summed.get(w, 0) + n
            codes, counts = list(summed), list(summed.values())
        return list(map(self.whos.__getitem__, codes)), counts

    def traffic(self) -> dict[str, int]:
        """Requests per customer over every operation, in customer order."""
        totals = [0] * len(self.whos)
        for w, _, _, _, n in self.rows:
            totals[w] += n
        return dict(zip(self.whos, totals, strict=True))

    def attributed(self) -> dict[tuple[str, str], int]:
        """Requests per (customer, operation) made through an integration."""
        whos, iids, ops = self.whos, self.iids, self.ops
        out: dict[tuple[str, str], int] = {}
        for w, i, o, _, n in self.rows:
            if iids[i]:
                key = (whos[w], ops[o])
                out[key] = out.get(key, 0) + n
        return out
