"""The impact graph: customer -> integration -> operation -> field, customer -> plan.

Nodes are strings with a kind prefix (``c:`` customer, ``i:`` integration, ``o:``
operation by canonical key, ``f:`` field, ``p:`` plan, ``x:`` feature, ``l:`` limit).
Edges carry what the data says: ``traffic`` on customer -> operation and integration
-> operation, and on integration -> operation which fields the integration reads and
sends (``None`` when unknown: the impact is then estimated at operation level).

Usage is aggregated per (customer, operation) before it reaches networkx, so the graph
has one edge per pair, not one per log line; and an operation's usage edges are put in
the graph when its callers are first asked for: a million log lines make half a million
pairs, most of them on operations no finding touches. The operations the findings touch
are indexed in one pass before any is asked for (:meth:`ImpactGraph.prepare`), and their
edges go in by the operation, 100k at a time (:class:`_Graph`'s bulk insertions). An
operation's callers are told apart by one pass over its predecessors (customers from the
rest), and the bulk insertion writes each edge in a plain loop: the usage edges and callers
of the two operations of bench_impact's end-to-end run (67k callers each) took 138 ms of
CPU, now 110 (best of 15; map/deque and two filter passes were slower than they look).

networkx is imported when a graph is made, not with this module: a terms change's impact
and ``--emit-sql`` import the impact package and never build one. A run makes the part
that needs no usage (operations, customers, plans: :func:`start_graph`) right after it reads
the customer list, while DuckDB still reads the logs; at 1M lines and 100k customers what
is left of building the graph after the logs went from 0.137 s to 0.012 s (best of 4;
networkx's import ~0.07 s, 100k customer nodes ~0.03 s), done instead in the reading pass's
window, where the main thread waits for DuckDB. The price: those nodes are alive at the
pass's peak memory, ~+50-70 MiB at 100k customers (peak RSS at 1M lines 300-316 MiB
without, 351-371 with; it grows with the customers, not the lines).
"""

from __future__ import annotations

import contextlib
import functools
import json
import operator
import os
import re
import tempfile
from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, compress, islice, repeat, starmap
from operator import attrgetter, itemgetter, methodcaller
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..errors import InputError
from .contracts import ContractSet, Interaction, likely_paths, undocumented_paths
from .customers import Customer, CustomerTable
from .integrations import Integration, OperationUse
from .operations import SpecOperations
from .replay import Replay
from .routes import PathRouter, operation_key
from .usage import UNKNOWN_KEY_PREFIX, UsageData
from .usage_groups import UsageGroups

FieldRef = tuple[str | None, str]  # (response status or None, property path)
# up to this many operations, prepare() picks each one's usage in its own C-speed pass
_FEW_OPERATIONS = 8


def cnode(cid: str) -> str:
    return "c:" + cid


def inode(iid: str) -> str:
    return "i:" + iid


def onode(key: str) -> str:
    return "o:" + key


@functools.cache
def _graph_class() -> Any:
    """networkx's DiGraph with two bulk insertions (made once, when the first graph is)."""
    import networkx as nx

    class _Graph(nx.DiGraph):  # type: ignore[misc]  # networkx has no type hints
        """A DiGraph whose bulk insertions skip what ``add_nodes_from`` and
        ``add_edges_from`` do per item for inputs they cannot be sure of (tuple lengths,
        node dicts to merge, edge data to update): 100k customers and their usage edges
        would spend most of their time there. They write networkx's documented
        dict-of-dicts (``_node``, ``_succ``, ``_pred``) the way those methods do, and
        clear its cache the same way; tests/test_impact_graph.py checks the result equals
        what the public methods build."""

        def add_new_nodes(self, nodes: Iterable[str]) -> None:
            """Add nodes with no attributes (those already in the graph are left as they
            are; a node named twice is added once, with no attribute either way)."""
            node = self._node
            names = list(nodes)
            new = list(compress(names, map(operator.not_, map(node.__contains__, names))))
            for table in (node, self._succ, self._pred):
                table.update(zip(new, starmap(dict, repeat((), len(new))), strict=True))
            self._cleared()

        def add_in_edges(self, target: str, sources: Iterable[str], key: str | None = None,
                         values: Iterable[Any] = ()) -> None:
            """Edges ``source -> target``, each with ``{key: value}`` (values zipped with
            the sources) or, without a key, no data: new edges (an edge already in the
            graph gets this data instead of having it merged)."""
            sources = list(sources)
            if key is None:
                data: list[dict[str, Any]] = [{} for _ in sources]
            else:
                values = list(values)
                if len(sources) != len(values):
                    raise ValueError("add_in_edges: as many values as sources")
                data = [{key: value} for value in values]
            succ = self._succ
            self.add_new_nodes([target, *compress(sources, map(operator.not_, map(succ.__contains__, sources)))])
            self._pred[target].update(zip(sources, data, strict=True))
            for source, edge in zip(sources, data, strict=True):
                succ[source][target] = edge
            self._cleared()

        def adjacency(self) -> dict[str, dict[str, dict[str, Any]]]:
            """networkx's own node -> successor -> edge data dicts, to read (not change) at
            C speed: the views G.adj and G.nodes wrap each item in Python calls."""
            return self._succ  # type: ignore[no-any-return]

        def node_data(self) -> dict[str, dict[str, Any]]:
            """Node -> its data dict, likewise."""
            return self._node  # type: ignore[no-any-return]

        def _cleared(self) -> None:
            cache = getattr(self, "__networkx_cache__", None)
            if cache:
                cache.clear()

    return _Graph


def new_graph() -> Any:
    """An empty impact graph (a networkx DiGraph)."""
    return _graph_class()()


@dataclass(frozen=True)
class Call:
    """One statement of what an integration does with an operation: a Pact interaction
    or an operation declared in the integrations file. ``None``: it does not say.

    ``*_undocumented`` hold the body paths the spec does not have (a list's body written
    without its ``data`` envelope, a misspelt field): what the statement reads or sends
    is then not known, though it still proves that it does not send what it leaves out.
    """

    kind: str  # pact | declared
    source: str  # the file and place, and a Pact interaction's description
    status: str | None = None
    response_fields: frozenset[str] | None = None
    request_fields: frozenset[str] | None = None
    parameters: frozenset[str] | None = None
    response_undocumented: tuple[str, ...] = ()
    request_undocumented: tuple[str, ...] = ()
    # what those paths most likely mean (data/items/id for items/id): probable, not proven
    response_likely: frozenset[str] = frozenset()
    request_likely: frozenset[str] = frozenset()


@dataclass
class Use:
    """What one integration does with one operation: every statement about it (none
    when only usage logs say that it calls it) and its traffic."""

    calls: list[Call] = field(default_factory=list)
    traffic: int = 0

    @property
    def declared(self) -> bool:
        return bool(self.calls)

    @property
    def response_fields(self) -> set[FieldRef] | None:
        """Every (status, field) some statement reads; None when none says."""
        known = [c for c in self.calls if c.response_fields is not None]
        return {(c.status, f) for c in known for f in c.response_fields or ()} if known else None

    @property
    def request_fields(self) -> set[str] | None:
        known = [c for c in self.calls if c.request_fields is not None]
        return {f for c in known for f in c.request_fields or ()} if known else None


@dataclass
class IntegrationInfo:
    id: str
    name: str | None
    kind: str


@dataclass
class ImpactGraph:
    graph: Any = field(default_factory=new_graph)
    router: PathRouter = field(default_factory=PathRouter)
    customers: dict[str, Customer] = field(default_factory=dict)
    customer_list: bool = False
    integrations: dict[str, IntegrationInfo] = field(default_factory=dict)
    uses: dict[tuple[str, str], Use] = field(default_factory=dict)  # (integration, op key)
    customer_integrations: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # the one usage log whose counters are the graph's (read per operation), or, from
    # several logs, their sums in _calls
    _log: UsageData | None = None
    _calls: dict[tuple[str, str], int] = field(default_factory=dict)  # (customer, op key)
    attributed: dict[tuple[str, str], int] = field(default_factory=dict)  # ... made through an integration
    traffic_total: int = 0
    unmatched_requests: int = 0
    malformed_lines: int = 0
    warnings: list[str] = field(default_factory=list)
    # every Pact interaction matched to an operation, with the integration it speaks for
    contract_interactions: list[tuple[str, Interaction]] = field(default_factory=list)
    _members: dict[str, list[str]] = field(default_factory=dict)
    _callers: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)  # op -> customers, integrations
    _revenue: dict[str, float] | None = None
    # op -> (customer ids, their requests): usage indexed, its edges not yet in the graph
    _usage_by_op: dict[str, tuple[list[str], list[int]]] = field(default_factory=dict)
    _indexed_all: bool = False
    _op_calls: dict[str, dict[str, int]] = field(default_factory=dict)  # op -> customer -> requests
    _traffic_by_customer: dict[str, int] | None = None
    _own_code: set[str] | None = None
    # customer -> the Pact consumer named after it: its own code, which the log's lines
    # naming no integration are made by
    own_contracts: dict[str, str] = field(default_factory=dict)

    @property
    def calls(self) -> dict[tuple[str, str], int]:
        """Requests per (customer, operation key), over every log (built on first read
        when a single log's counters are still DuckDB's groups)."""
        return self._log.calls if self._log is not None else self._calls

    @property
    def revenue(self) -> dict[str, float]:
        """Monthly revenue by customer id: impact reads it per finding. Computed once (by
        :func:`start_graph`, for the list), and for the customers added since: customers
        are only ever added to the graph (those the logs or the integrations name)."""
        known = self._revenue
        if known is None:
            known = self._revenue = {}
        if len(known) != len(self.customers):
            ids = islice(self.customers, len(known), None)
            added = islice(self.customers.values(), len(known), None)
            known.update(zip(ids, map(attrgetter("revenue"), added), strict=True))
        return known

    def members(self, iid: str) -> list[str]:
        """The customers using an integration (from the graph, cached)."""
        found = self._members.get(iid)
        if found is None:
            node = inode(iid)
            found = [p[2:] for p in self.graph.predecessors(node) if p.startswith("c:")] if node in self.graph else []
            self._members[iid] = found
        return found

    @property
    def customers_total(self) -> int:
        return len(self.customers)

    def customer(self, cid: str) -> Customer:
        found = self.customers.get(cid)
        return found if found is not None else Customer(cid)

    def callers(self, op: str) -> list[str]:
        """Customers and integrations with an edge to the operation (node names)."""
        customers, integrations = self.callers_of(op)
        return [inode(i) for i in integrations] + [cnode(c) for c in customers]

    def callers_of(self, op: str) -> tuple[list[str], list[str]]:
        """The ids of the customers and of the integrations with an edge to the operation,
        in the graph's order (cached: several findings on one operation ask for the same
        callers)."""
        found = self._callers.get(op)
        if found is None:
            node = onode(op)
            self._add_usage_edges(op, node)
            pred = list(self.graph.pred[node]) if node in self.graph else []
            rest = itemgetter(slice(2, None))  # the id after the kind prefix
            # one pass tells the customers (100k of them) from the rest (a few integrations)
            is_customer = list(map(str.startswith, pred, repeat("c:")))
            customers = list(map(rest, compress(pred, is_customer)))
            others = compress(pred, map(operator.not_, is_customer))
            integrations = list(map(rest, filter(methodcaller("startswith", "i:"), others)))
            found = self._callers[op] = (customers, integrations)
        return found

    def op_calls(self, op: str) -> dict[str, int]:
        """Requests on the operation by customer (those with none are left out)."""
        found = self._op_calls.get(op)
        if found is None:
            self.prepare([op])
            whos, counts = self._usage_by_op.get(op, ((), ()))
            found = self._op_calls[op] = dict(zip(whos, counts, strict=True))
        return found

    def prepare(self, ops: Collection[str]) -> None:
        """Index the usage of these operations before any is asked for: half a million
        (customer, operation) counters, a few operations wanted, each picked out of them
        at C speed (a pass per operation; past a few, one pass over them all). An
        operation asked for without this indexes every one."""
        wanted = [op for op in dict.fromkeys(ops)
                  if op not in self._usage_by_op and op not in self._op_calls and op not in self._callers]
        if not wanted or self._indexed_all:
            return
        groups = self._groups()
        if groups is not None:  # each operation's own rows, not all the counters
            for op in wanted:
                self._usage_by_op[op] = groups.callers(op)
            return
        calls = self.calls
        column = list(map(itemgetter(1), calls))
        if len(wanted) > _FEW_OPERATIONS:
            self._index(compress(calls.items(), map(set(wanted).__contains__, column)), wanted)
            return
        whos = list(map(itemgetter(0), calls))
        for op in wanted:
            mask = list(map(operator.eq, column, repeat(op)))
            self._usage_by_op[op] = (list(compress(whos, mask)), list(compress(calls.values(), mask)))

    def _groups(self) -> UsageGroups | None:
        """The single log's counters as DuckDB's groups, if they are (else None)."""
        return self._log.groups if self._log is not None else None

    def _index(self, items: Iterable[tuple[tuple[str, str], int]], ops: Iterable[str]) -> None:
        index = self._usage_by_op
        for op in ops:
            index.setdefault(op, ([], []))
        for (who, key), count in items:
            pairs = index.get(key)
            if pairs is None:
                pairs = index[key] = ([], [])
            pairs[0].append(who)
            pairs[1].append(count)

    def _add_usage_edges(self, op: str, node: str) -> None:
        """customer -> operation edges (with their traffic) of one operation's usage."""
        if op not in self._usage_by_op and not self._indexed_all and self._groups() is not None:
            self.prepare([op])
        elif op not in self._usage_by_op and not self._indexed_all:
            # not prepared: every operation not indexed yet is, at once
            done = {*self._callers, *self._usage_by_op, *self._op_calls}
            keep = map(done.__contains__, map(itemgetter(1), self.calls))
            self._index(compress(self.calls.items(), map(operator.not_, keep)), ())
            self._indexed_all = True
        pairs = self._usage_by_op.pop(op, None)
        if pairs and pairs[0]:
            whos, counts = pairs
            self._op_calls.setdefault(op, dict(zip(whos, counts, strict=True)))
            G = self.graph
            if node not in G:
                G.add_node(node)
            G.add_in_edges(node, map("c:".__add__, whos), "traffic", counts)

    def calls_itself(self, cid: str, op: str) -> bool:
        """Whether some of the customer's calls of ``op`` may be its own code's, not an
        integration's: the calls a log names no integration for, when it names them for
        others; in a log that never names one, a customer that also calls operations none
        of its integrations calls has code of its own, which may call this one too."""
        if not self.calls.get((cid, op)):
            return False
        contract = self.own_contracts.get(cid)
        if contract is not None and (contract, op) in self.uses:
            return False  # its own code's calls of op are what its own contract describes
        if self.attributed:
            return self.calls[(cid, op)] > self.attributed.get((cid, op), 0)
        if self._own_code is None:
            users: dict[str, set[str]] = {}  # op -> the integrations that use it
            for iid, key in self.uses:
                users.setdefault(key, set()).add(iid)
            mine = self.customer_integrations
            own: set[str] = set()
            for who, key in self.calls:
                if who not in own:
                    using = users.get(key)
                    if using is None or using.isdisjoint(mine.get(who, ())):
                        own.add(who)
            self._own_code = own
        return cid in self._own_code

    def customer_traffic(self, cid: str) -> int:
        """Requests of a customer on every operation (from the aggregated usage)."""
        groups = self._groups()
        if self._traffic_by_customer is None and groups is not None:
            self._traffic_by_customer = groups.traffic()  # without building calls
        if self._traffic_by_customer is None:
            totals: dict[str, int] = {}
            for (who, _), count in self.calls.items():
                totals[who] = totals.get(who, 0) + count
            self._traffic_by_customer = totals
        return self._traffic_by_customer.get(cid, 0)


def start_graph(router: PathRouter, customers: CustomerTable | None) -> ImpactGraph:
    """The part of the graph that needs no usage: the operations, and the customers and
    their plans. A run reads the customer list while DuckDB reads the logs, and makes this
    right after (``PendingCustomers``' ``then``): importing networkx and adding 100k customer
    nodes (~0.1 s) are then not waited for after the logs are read."""
    g = ImpactGraph(router=router)
    G = g.graph
    for op in router.labels:
        G.add_node(onode(op))
    if customers is not None:
        g.customer_list = True
        g.customers = dict(customers.customers)
        g.warnings.extend(customers.warnings)
        G.add_new_nodes(map("c:".__add__, g.customers))
        if any(map(attrgetter("plan"), g.customers.values())):
            by_plan: dict[str, list[str]] = {}
            for c in g.customers.values():
                if c.plan:
                    by_plan.setdefault(c.plan, []).append(cnode(c.id))
            for plan, members in by_plan.items():
                G.add_in_edges("p:" + plan, members)
        g.revenue  # noqa: B018  # computed here, while DuckDB reads: every finding reads it
    return g


def build_graph(
    router: PathRouter,
    customers: CustomerTable | None = None,
    usage: list[UsageData] | None = None,
    integrations: list[Integration] | None = None,
    contracts: ContractSet | None = None,
    plans: dict[str, dict[str, Any]] | None = None,
    specs: list[Any] | None = None,
    start: ImpactGraph | None = None,
) -> ImpactGraph:
    """``specs``: the revision's and the base's data, to check the body paths a Pact names;
    ``start``: what :func:`start_graph` made of ``router`` and ``customers`` already."""
    g = start if start is not None else start_graph(router, customers)
    for log in usage or []:
        _add_usage(g, log)
    if integrations:
        _add_integrations(g, integrations)
    if contracts is not None:
        _add_contracts(g, contracts, integrations or [], [SpecOperations(s) for s in specs or ()])
    _add_uses(g)
    if plans:
        add_plan_catalog(g, plans)
    return g


def _add_usage(g: ImpactGraph, log: UsageData) -> None:
    G = g.graph
    g.warnings.extend(log.warnings())
    g.traffic_total += log.requests
    g.unmatched_requests += log.unmatched_requests
    g.malformed_lines += log.problems.total if log.problems is not None else 0
    if g._log is None and not g._calls:
        g._log = log  # the usual single log: its counters read as they are, per operation
    else:
        calls = dict(g.calls) if g._log is not None else g._calls
        for pair, count in log.calls.items():
            calls[pair] = calls.get(pair, 0) + count
        g._log, g._calls = None, calls
    whos = log.customers_seen()
    if not all(map(g.customers.__contains__, whos)):
        for who in whos:
            if who not in g.customers:
                # Callers missing from the list (or with no list at all) are still customers.
                g.customers[who] = Customer(who, name=None if not who.startswith(UNKNOWN_KEY_PREFIX) else "unknown API key")
                G.add_node(cnode(who))
    attributed = g.attributed
    for pair, count in log.attributed().items():
        attributed[pair] = attributed.get(pair, 0) + count
    for (iid, op), count in log.integration_calls.items():
        use = g.uses.setdefault((iid, op), Use())
        use.traffic += count
        g.integrations.setdefault(iid, IntegrationInfo(iid, None, "app"))
    for who, iid in log.customer_integrations:
        g.customer_integrations[who].add(iid)


def _resolve_operation(g: ImpactGraph, text: str) -> str | None:
    key = operation_key(text)
    if key in g.router.labels:
        return key
    method, _, path = text.strip().partition(" ")
    if path:
        return g.router.match(method, path.strip())
    return None


def _add_integrations(g: ImpactGraph, integrations: list[Integration]) -> None:
    unknown_ops: list[str] = []
    unknown_customers: dict[str, list[str]] = {}
    for integration in integrations:
        g.integrations[integration.id] = IntegrationInfo(integration.id, integration.name, integration.kind)
        members = list(g.customers) if integration.customers is None else integration.customers
        if integration.customers is None and not g.customer_list:
            g.warnings.append(
                f"{integration.source}: integration '{integration.id}' is used by every customer ('*'), "
                "but no customer list was given"
            )
        if not all(map(g.customers.__contains__, members)):
            for cid in members:
                if cid not in g.customers:
                    if g.customer_list:
                        unknown_customers.setdefault(integration.id, []).append(cid)
                    g.customers[cid] = Customer(cid)
        # customer_integrations[cid].add(integration.id) for each member, at C speed
        deque(map(set.add, map(g.customer_integrations.__getitem__, members), repeat(integration.id)), maxlen=0)
        for use in integration.operations:
            op = _resolve_operation(g, use.operation)
            if op is None:
                unknown_ops.append(
                    f"'{use.operation}' (integration '{integration.id}', {integration.source.rsplit(':', 1)[0]} at {use.pointer})"
                )
                continue
            _declare(g.uses.setdefault((integration.id, op), Use()), use, integration.source.rsplit(':', 1)[0])
    if unknown_ops:
        g.warnings.append(
            f"{len(unknown_ops)} declared operation(s) exist in neither the base nor the revision spec "
            "and are ignored: " + "; ".join(unknown_ops)
        )
    for iid, ids in sorted(unknown_customers.items()):
        shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
        g.warnings.append(
            f"integration '{iid}' names {len(ids)} customer id(s) missing from the customer list ({shown})"
        )


def _declare(target: Use, use: OperationUse, source: str) -> None:
    def known(fields: list[str] | None) -> frozenset[str] | None:
        return None if fields is None else frozenset(fields)

    target.calls.append(Call(
        kind="declared", source=f"{source} at {use.pointer}" if use.pointer else source,
        response_fields=known(use.response_fields), request_fields=known(use.request_fields),
        parameters=None if use.parameters is None else frozenset(n.lower() for n in use.parameters),
    ))


def _add_contracts(
    g: ImpactGraph, contracts: ContractSet, integrations: list[Integration], specs: list[SpecOperations]
) -> None:
    g.warnings.extend(contracts.warnings)
    by_name: dict[str, str] = {}
    for integration in integrations:
        for alias in (integration.contract, integration.id, integration.name):
            if alias:
                by_name.setdefault(alias.strip().lower(), integration.id)
    customer_names = _customer_aliases(g.customers)
    for contract in contracts.contracts:
        iid = by_name.get(contract.consumer.lower())
        # a consumer named after a customer (listed, or met in the logs by its id) is its code
        owner = customer_names.get(contract.consumer.strip().lower())
        if owner is not None and not g.customer_list and owner.startswith(UNKNOWN_KEY_PREFIX):
            owner = None
        if iid is None and owner is not None:
            # a consumer named after a listed customer is that customer's own code
            iid = contract.consumer
            g.integrations.setdefault(iid, IntegrationInfo(iid, contract.consumer, "app"))
            g.customer_integrations[owner].add(iid)
            g.own_contracts[owner] = iid
        if iid is None:
            iid = contract.consumer
            if iid not in g.integrations:
                g.integrations[iid] = IntegrationInfo(iid, contract.consumer, "app")
                g.warnings.append(
                    f"{contract.file}: Pact consumer '{contract.consumer}' is not linked to any customer "
                    "(declare it in the integrations file, with 'contract:' naming it); "
                    "it is counted as an integration only"
                )
        unmatched: list[str] = []
        for interaction in contract.interactions:
            op = g.router.match(interaction.method, interaction.path)
            if op is None:
                unmatched.append(f"{interaction.method} {interaction.path}")
                continue
            response_bad = undocumented_paths(specs, op, "response", interaction.status, interaction.response_fields)
            request_bad = undocumented_paths(specs, op, "request", None, interaction.request_fields)
            response_likely = likely_paths(specs, op, "response", interaction.status, response_bad)
            request_likely = likely_paths(specs, op, "request", None, request_bad)
            named = f"'{interaction.description}' " if interaction.description else ""
            source = f"{interaction.place or contract.file} {named}".strip()
            for direction, bad, likely in (("reads", response_bad, response_likely), ("sends", request_bad, request_likely)):
                if bad:
                    shown = ", ".join(bad[:5]) + (", ..." if len(bad) > 5 else "")
                    meant = f" (probably {', '.join(likely[:5])})" if likely else ""
                    g.warnings.append(
                        f"Pact interaction {named}of consumer '{contract.consumer}' ({interaction.place or contract.file}) "
                        f"{direction} body path(s) that {g.router.labels.get(op, op)} does not document"
                        f"{' for status ' + interaction.status if direction == 'reads' and interaction.status else ''}: "
                        f"{shown}{meant}; which fields it {direction[:-1]}s is unknown, so its impact is estimated"
                    )
            if not request_bad:
                # its request is checked against the revision as what the consumer sends;
                # one writing paths the spec does not have (a misspelt field) says not what
                # the consumer really sends: its breaks stay estimates
                g.contract_interactions.append((iid, interaction))
            g.uses.setdefault((iid, op), Use()).calls.append(Call(
                kind="pact", source=source, status=interaction.status,
                response_fields=frozenset(interaction.response_fields),
                request_fields=frozenset(interaction.request_fields),
                parameters=frozenset(p.lower() for p in interaction.parameters),
                response_undocumented=tuple(response_bad), request_undocumented=tuple(request_bad),
                response_likely=frozenset(response_likely), request_likely=frozenset(request_likely),
            ))
        if unmatched:
            g.warnings.append(
                f"{contract.file}: {len(unmatched)} interaction(s) of consumer '{contract.consumer}' match no "
                f"operation of the base or revision spec: {', '.join(sorted(set(unmatched))[:5])}"
            )


def _customer_aliases(customers: dict[str, Customer]) -> dict[str, str]:
    """Customer by name and by id, stripped and lower-cased: each customer's name then its
    id, in the list's order, a later one replacing an earlier (the id wins over a name
    that spells it). Built at C speed: 100k customers, for the few Pact consumers named."""
    cids = list(customers)
    names = [c.name or "" for c in customers.values()]
    keys = chain.from_iterable(zip(map(str.lower, map(str.strip, names)), map(str.lower, map(str.strip, cids)),
                                   strict=True))
    out = dict(zip(keys, chain.from_iterable(zip(cids, cids, strict=True)), strict=True))
    # "" stood for the missing names and ids too; only a blank one (spaces) names a customer so
    out.pop("", None)
    if any(map(str.isspace, names)) or any(map(str.isspace, cids)):
        for cid, c in customers.items():
            for alias in (c.name, cid):
                if alias and alias.isspace():
                    out[""] = cid
    return out


def _add_uses(g: ImpactGraph) -> None:
    G = g.graph
    for iid, info in g.integrations.items():
        G.add_node(inode(iid), name=info.name, kind=info.kind)
    # customer -> integration, an integration's members at a time (an SDK every customer
    # uses has 100k), in the customers' order
    members: dict[str, list[str]] = {}
    for cid, iids in g.customer_integrations.items():
        for iid in iids:
            members.setdefault(iid, []).append(cid)
    for iid, cids in members.items():
        G.add_in_edges(inode(iid), map("c:".__add__, cids))
    for (iid, op), use in g.uses.items():
        G.add_edge(inode(iid), onode(op), traffic=use.traffic, declared=use.declared)
        for status, path in sorted(use.response_fields or (), key=lambda r: (r[0] or "", r[1])):
            fnode = f"f:{op}|response|{path}"
            G.add_edge(onode(op), fnode)
            G.add_edge(inode(iid), fnode, role="reads", status=status)
        for path in sorted(use.request_fields or ()):
            fnode = f"f:{op}|request|{path}"
            G.add_edge(onode(op), fnode)
            G.add_edge(inode(iid), fnode, role="sends")


def add_replayed(g: ImpactGraph, replayed: Replay) -> None:
    """The customers and integrations that recorded calls name, as callers of what they
    called (no traffic: the recording is a sample, not the usage)."""
    G = g.graph
    for one in replayed.failing:
        cid, iid = one.call.customer, one.call.integration
        if cid and cid not in g.customers:
            g.customers[cid] = Customer(cid)
            G.add_node(cnode(cid))
        if iid and iid not in g.integrations:
            g.integrations[iid] = IntegrationInfo(iid, None, "app")
            G.add_node(inode(iid), kind="app")
        if cid and iid and iid not in g.customer_integrations[cid]:
            g.customer_integrations[cid].add(iid)
            G.add_edge(cnode(cid), inode(iid))
            g._members.pop(iid, None)


def add_plan_catalog(g: ImpactGraph, plans: dict[str, dict[str, Any]]) -> None:
    """Plans -> features and limits, e.g. from a pricing document's ``plans``."""
    G = g.graph
    for plan, spec in sorted(plans.items()):
        pnode = "p:" + plan
        G.add_node(pnode)
        features = spec.get("features") if isinstance(spec, dict) else None
        limits = spec.get("limits") if isinstance(spec, dict) else None
        names = features if isinstance(features, list) else list(features) if isinstance(features, dict) else []
        for name in names:
            G.add_edge(pnode, "x:" + str(name))
        for name, value in (limits.items() if isinstance(limits, dict) else ()):
            G.add_edge(pnode, "l:" + str(name), value=value)


_KINDS = {"c": "customer", "i": "integration", "o": "operation", "f": "field", "p": "plan", "x": "feature", "l": "limit"}
GRAPH_FORMATS = {".graphml": "graphml", ".xml": "graphml", ".json": "node-link"}


def complete(g: ImpactGraph) -> Any:
    """The whole graph: the usage edges impact adds per operation as it asks put in for
    every operation, and on every node its ``kind`` and ``label`` (GraphML takes no
    empty values: an attribute that is not known is left out)."""
    for op in sorted({key for _, key in g.calls}):
        g.callers_of(op)
    G = g.graph
    for node, attrs in G.node_data().items():
        prefix, _, rest = node.partition(":")
        attrs["kind"] = _KINDS.get(prefix, prefix)
        if prefix == "c":
            c = g.customers.get(rest)
            attrs["label"] = (c.name if c is not None and c.name else rest)
            if c is not None:
                attrs["revenue"] = c.revenue
                if c.plan:
                    attrs["plan"] = c.plan
                if c.segment:
                    attrs["segment"] = c.segment
        elif prefix == "o":
            attrs["label"] = g.router.labels.get(rest, rest)
        elif prefix == "i":
            info = g.integrations.get(rest)
            attrs["label"] = info.name if info is not None and info.name else rest
            if info is not None:
                attrs["integration_kind"] = info.kind
            attrs.pop("name", None)
        else:
            attrs["label"] = rest
    for attrs in _edge_data(G):
        if None in attrs.values():
            for key in [k for k, v in attrs.items() if v is None]:
                del attrs[key]
    return G


def _edge_data(G: Any) -> Iterator[dict[str, Any]]:
    """Every edge's data dict, in the graph's edge order (G.edges(data=True) builds a
    tuple per edge: 600k of them at 100k customers)."""
    return chain.from_iterable(map(dict.values, G.adjacency().values()))


def write_graph(g: ImpactGraph, path: str | os.PathLike[str]) -> None:
    """Write the graph as GraphML (``.graphml``) or node-link JSON (``.json``), whole or
    not at all (a temporary file beside it, renamed into place). Both are streamed, nodes
    and edges sorted: networkx's own writers hold the whole document in memory, ~2 GB
    for 100k customers and a million usage edges."""
    name = os.fspath(path)
    kind = GRAPH_FORMATS.get(os.path.splitext(name)[1].lower())
    if kind is None:
        raise InputError("unknown graph format: expected a file name ending in .graphml or .json "
                         "(node-link JSON)", file=name)
    G = complete(g)
    folder = os.path.dirname(os.path.abspath(name))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".trustguard-graph-", dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write the graph: {exc.strerror or exc}", file=name) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            (_write_graphml if kind == "graphml" else _write_node_link)(G, handle)
        os.replace(tmp, name)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise InputError(f"cannot write the graph: {exc.strerror or exc}", file=name) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _sorted_edges(G: Any, nodes: list[str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """The edges with their data, sorted by (source, target), ``nodes`` being the
    sorted nodes: each node's successors sorted (a sort of 600k pairs made 600k tuples)."""
    adj = G.adjacency()
    for a in nodes:
        nbrs = adj[a]
        if nbrs:
            for b in sorted(nbrs):
                yield a, b, nbrs[b]


def _write_node_link(G: Any, out: Any) -> None:
    """networkx's node-link form (``nx.node_link_graph(data, edges="edges")`` reads it)."""
    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode
    out.write('{"directed": true, "multigraph": false, "graph": {}, "nodes": [\n')
    nodes = G.node_data()
    order = sorted(nodes)
    _chunked(out, (encode({"id": n, **nodes[n]}) for n in order), ",\n")
    out.write('\n], "edges": [\n')
    quoted: dict[str, str] = {}

    def edge(a: str, b: str, attrs: dict[str, Any]) -> str:
        # a usage edge ({"traffic": n}, the most of them) written as the encoder writes it,
        # its keys in sorted order (source < target < traffic), each id encoded once
        if len(attrs) == 1 and type(attrs.get("traffic")) is int:
            qa = quoted.get(a) or quoted.setdefault(a, encode(a))
            qb = quoted.get(b) or quoted.setdefault(b, encode(b))
            return f'{{"source": {qa}, "target": {qb}, "traffic": {attrs["traffic"]}}}'
        return encode({"source": a, "target": b, **attrs})

    _chunked(out, (edge(a, b, attrs) for a, b, attrs in _sorted_edges(G, order)), ",\n")
    out.write("\n]}\n")


def _chunked(out: Any, parts: Iterable[str], sep: str, size: int = 20_000) -> None:
    """Write ``parts`` joined by ``sep``, a chunk at a time (one write per part is slow)."""
    chunk: list[str] = []
    first = True
    for part in parts:
        chunk.append(part)
        if len(chunk) >= size:
            out.write(("" if first else sep) + sep.join(chunk))
            chunk, first = [], False
    if chunk:
        out.write(("" if first else sep) + sep.join(chunk))


_GRAPHML_TYPES = ((bool, "boolean"), (int, "long"), (float, "double"), (str, "string"))


# what XML 1.0 cannot hold at all, even escaped (ids and names come from the inputs)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


# what escape() or quoteattr() would change, or _xml() replace: text without any is written as it is
_XML_SPECIAL = re.compile("[&<>\"'\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(text: str) -> str:
    """XML element text: ``escape(_xml(text))``, without the calls when nothing changes."""
    return escape(_xml(text)) if _XML_SPECIAL.search(text) else text


def _attr(text: str) -> str:
    """A quoted XML attribute value: ``quoteattr(_xml(text))``, likewise."""
    return quoteattr(_xml(text)) if _XML_SPECIAL.search(text) else f'"{text}"'


def _graphml_type(value: Any) -> str | None:
    return next((name for kind, name in _GRAPHML_TYPES if isinstance(value, kind)), None)


def _write_graphml(G: Any, out: Any) -> None:
    """GraphML 1.0 (what networkx, Gephi, yEd and Cytoscape read), one key per attribute,
    typed by its values; a key whose values are of different types (a plan's limits: 10
    and "eu") is a string, which a reader can parse every value of."""
    keys: dict[tuple[str, str], str] = {}
    for domain, items in (("node", G.node_data().values()), ("edge", _edge_data(G))):
        first: dict[str, type] = {}  # each key's first value's type: most values are of it
        kinds: dict[str, set[str]] = {}
        for attrs in items:
            for k, v in attrs.items():
                seen = first.get(k)
                if seen is None:
                    first[k] = type(v)
                    kinds[k] = {_graphml_type(v) or "string"}
                elif type(v) is not seen:
                    kinds[k].add(_graphml_type(v) or "string")
        for k, found in kinds.items():
            keys[(domain, k)] = found.pop() if len(found) == 1 else "string"
    ids = {key: f"d{n}" for n, key in enumerate(sorted(keys))}
    out.write('<?xml version="1.0" encoding="utf-8"?>\n'
              '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
              'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
              'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
              'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
    for (domain, k), kind in sorted(keys.items()):
        out.write(f'  <key id="{ids[(domain, k)]}" for="{domain}" attr.name={quoteattr(_xml(k))} attr.type="{kind}" />\n')
    out.write('  <graph edgedefault="directed">\n')

    tags = {key: f'<data key="{kid}">' for key, kid in ids.items()}

    def data(domain: str, attrs: dict[str, Any]) -> str:
        if len(attrs) == 1:  # a usage edge's traffic, mostly
            ((k, v),) = attrs.items()
            if type(v) is int:
                return f"{tags[(domain, k)]}{v}</data>"
        parts = []
        for k in sorted(attrs):
            v = attrs[k]
            if type(v) is int or type(v) is float:
                text = str(v)  # digits, '.', 'e', '+', '-', inf, nan: nothing to escape
            else:
                text = _text(("true" if v else "false") if isinstance(v, bool) else str(v))
            parts.append(f"{tags[(domain, k)]}{text}</data>")
        return "".join(parts)

    nodes = G.node_data()
    order = sorted(nodes)
    quoted = {n: _attr(n) for n in order}
    _chunked(out, (f"    <node id={quoted[n]}>{data('node', nodes[n])}</node>\n" for n in order), "")
    _chunked(out, (f"    <edge source={quoted[a]} target={quoted[b]}>{data('edge', attrs)}</edge>\n"
                   for a, b, attrs in _sorted_edges(G, order)), "")
    out.write("  </graph>\n</graphml>\n")
