"""OpenAPI diff: paths, operations, parameters, bodies, responses, security, lifecycle.

Schemas are compared by :mod:`.schema` once per component pair; this module attributes
their changes to every operation (and direction) that reaches them.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator
from typing import Any

from ..load.document import Document
from ..load.openapi import HTTP_METHODS
from ..load.parse import escape_token, join_pointer
from ..model import Change, new_change
from .schema import Located, SchemaDiffer

_PARAM_RE = re.compile(r"\{[^}/]*\}")
STABILITY = {"draft": 0, "alpha": 1, "beta": 2, "stable": 3}


def normalize_path(path: str) -> str:
    """``/users/{id}`` and ``/users/{userId}`` are the same endpoint."""
    return _PARAM_RE.sub("{}", path.rstrip("/") or "/")


def parse_date(value: Any) -> _dt.date | None:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    for candidate in (text[:10], text):
        try:
            return _dt.date.fromisoformat(candidate)
        except ValueError:
            continue
    try:  # RFC 1123 / HTTP-date, as in the Sunset header
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


class _Ctx:
    def __init__(self, base: Document, rev: Document, today: _dt.date) -> None:
        self.base = base
        self.rev = rev
        self.today = today
        self.schemas = SchemaDiffer(base, rev, today)
        self.changes: list[Change] = []
        self._attributed: dict[Any, list[tuple[Any, dict[str, Any]]]] = {}
        self._seen: dict[str, set[Any]] = {}

    def attribute(
        self, b: Located, r: Located, op: str, *, body: str, prop: str,
        subject_prefix: str | None = None, **facts: Any,
    ) -> None:
        """Attribute every change reachable from a schema pair to ``op``.

        The walk and the Change fields are computed once per (schema pair, context) and
        only stamped with the operation here: on Stripe every operation's error response
        reaches most of the schema graph, so this is what keeps large specs fast.
        """
        try:
            key: Any = (self.schemas.pair_key(b, r), body, prop, subject_prefix, tuple(sorted(facts.items())))
            hash(key)
        except (KeyError, TypeError):
            key = None
        prepared = self._attributed.get(key) if key is not None else None
        if prepared is None:
            prepared = []
            for change, path, at_root in self.schemas.walk(b, r):
                target = body if at_root else prop
                fields = _prepare(self, change, path, target=target, subject_prefix=subject_prefix, facts=facts)
                prepared.append(((id(change), target, subject_prefix), fields))
            if key is not None:
                self._attributed[key] = prepared
        # A schema change reached through several responses (200, 4xx, default) of one
        # operation is one change of that operation: the first response names it.
        seen = self._seen.setdefault(op, set())
        append = self.changes.append
        for ident, fields in prepared:
            if ident not in seen:
                seen.add(ident)
                append(new_change(operation=op, **fields))

    def add(
        self, kind: str, *, location: str, operation: str | None = None, subject: str | None = None,
        before: Any = None, after: Any = None, removed: bool = False, file: str | None = None, **facts: Any,
    ) -> None:
        doc = self.base if removed else self.rev
        self.changes.append(
            new_change(
                kind=kind, location=location, operation=operation, subject=subject,
                before=before, after=after, facts=facts,
                source=doc.position(location, file), base_source=None,
            )
        )

    def lifecycle_facts(self, node: dict[str, Any], prefix: str = "") -> dict[str, Any]:
        sunset_raw = node.get("x-sunset")
        sunset = parse_date(sunset_raw)
        facts: dict[str, Any] = {
            f"{prefix}deprecated": bool(node.get("deprecated")),
            f"{prefix}sunset": sunset.isoformat() if sunset else sunset_raw,
            f"{prefix}sunset_valid": sunset is not None if sunset_raw is not None else None,
            f"{prefix}sunset_passed": (sunset <= self.today) if sunset else None,
            f"{prefix}sunset_days": (sunset - self.today).days if sunset else None,
            f"{prefix}stability": node.get("x-stability-level"),
        }
        return facts


def _resolve(doc: Document, node: Any) -> tuple[Any, str | None, str | None]:
    """Follow a $ref (parameters, responses, bodies, headers): (node, file, pointer)."""
    file, pointer = None, None
    for _ in range(32):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        file, pointer, node = doc.resolve(node["$ref"], file or "")
    return node, file, pointer


def _paths(doc: Document) -> dict[str, tuple[str, dict[str, Any]]]:
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for path, item in (doc.data.get("paths") or {}).items():
        if not isinstance(item, dict) or not str(path).startswith("/"):
            continue
        item, _, _ = _resolve(doc, item)
        out.setdefault(normalize_path(path), (path, item))
    return out


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _op_key(method: str, path: str, root: str = "paths") -> str:
    if root == "webhooks":
        return f"{method.upper()} webhook:{path}"
    return f"{method.upper()} {path}"


def _stability_rank(value: Any) -> int:
    return STABILITY.get(str(value), STABILITY["stable"]) if value is not None else STABILITY["stable"]


def _grace(value: Any) -> str:
    """Which sunset grace period applies: draft and alpha endpoints have none, and an
    invalid level leaves it unknown (reported by itself, as oasdiff does)."""
    if value is not None and value not in STABILITY:
        return "invalid"
    rank = _stability_rank(value)
    return "none" if rank < STABILITY["beta"] else "beta" if rank == STABILITY["beta"] else "stable"


def _stability_facts(value: Any) -> dict[str, Any]:
    return {"stability": value, "stability_rank": _stability_rank(value), "grace": _grace(value)}


def diff_openapi(base: Document, revision: Document, **options: Any) -> list[Change]:
    today = options.get("today") or _dt.date.today()
    ctx = _Ctx(base, revision, today)
    bpaths, rpaths = _paths(base), _paths(revision)
    for norm in sorted(set(bpaths) | set(rpaths)):
        if norm not in rpaths:
            path, item = bpaths[norm]
            _path_removed(ctx, path, item, "paths")
        elif norm not in bpaths:
            path, item = rpaths[norm]
            _path_added(ctx, path, item, "paths")
        else:
            _path_pair(ctx, bpaths[norm], rpaths[norm], "paths")
    _security_schemes(ctx)
    _global_security(ctx)
    _servers(ctx, base.data.get("servers"), revision.data.get("servers"), "/servers", None)
    _webhooks(ctx)
    _components(ctx)
    return ctx.changes


def _removed_facts(ctx: _Ctx, op: dict[str, Any]) -> dict[str, Any]:
    """Facts of an operation that is gone: judged by what the base promised."""
    return {**ctx.lifecycle_facts(op), **_stability_facts(op.get("x-stability-level"))}


def _path_removed(ctx: _Ctx, path: str, item: dict[str, Any], root: str) -> None:
    for method in HTTP_METHODS:
        op = item.get(method)
        if isinstance(op, dict):
            loc = join_pointer(root, path, method)
            _invalid_stability(ctx, _op_key(method, path, root), loc, op, "base")
            ctx.add("api.operation.removed", location=loc, operation=_op_key(method, path, root), removed=True,
                    path_removed=True, **_removed_facts(ctx, op), **_where(root, path))


def _path_added(ctx: _Ctx, path: str, item: dict[str, Any], root: str) -> None:
    for method in HTTP_METHODS:
        op = item.get(method)
        if isinstance(op, dict):
            ctx.add("api.operation.added", location=join_pointer(root, path, method),
                    operation=_op_key(method, path, root), path_added=True, **ctx.lifecycle_facts(op),
                    **_where(root, path))


def _where(root: str, path: str) -> dict[str, Any]:
    return {"webhook": path} if root == "webhooks" else {}


def _path_pair(
    ctx: _Ctx, bpair: tuple[str, dict[str, Any]], rpair: tuple[str, dict[str, Any]], root: str
) -> None:
    bpath, bitem = bpair
    rpath, ritem = rpair
    for method in HTTP_METHODS:
        bop, rop = bitem.get(method), ritem.get(method)
        if not isinstance(bop, dict) and not isinstance(rop, dict):
            continue
        if not isinstance(rop, dict):
            assert isinstance(bop, dict)
            loc = join_pointer(root, bpath, method)
            _invalid_stability(ctx, _op_key(method, bpath, root), loc, bop, "base")
            ctx.add("api.operation.removed", location=loc, operation=_op_key(method, bpath, root), removed=True,
                    path_removed=False, **_removed_facts(ctx, bop), **_where(root, bpath))
            continue
        if not isinstance(bop, dict):
            ctx.add("api.operation.added", location=join_pointer(root, rpath, method),
                    operation=_op_key(method, rpath, root), path_added=False, **ctx.lifecycle_facts(rop),
                    **_where(root, rpath))
            continue
        _operation(ctx, method, bpath, rpath, bitem, ritem, bop, rop, root)


def _server_map(servers: Any) -> dict[str, tuple[int, dict[str, Any]]]:
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    if isinstance(servers, list):
        for index, server in enumerate(servers):
            if isinstance(server, dict) and isinstance(server.get("url"), str):
                out.setdefault(server["url"].rstrip("/") or "/", (index, server))
    return out


def _servers(ctx: _Ctx, bservers: Any, rservers: Any, pointer: str, op: str | None) -> None:
    """Base URLs clients are configured with: one that disappears strands them."""
    if bservers == rservers:
        return
    bmap, rmap = _server_map(bservers), _server_map(rservers)
    if not bmap and not rmap:
        return
    scope: dict[str, Any] = {"scope": "operation" if op else "api"}
    for url in sorted(set(bmap) - set(rmap)):
        ctx.add("api.server.removed", location=f"{pointer}/{bmap[url][0]}", operation=op, subject=url,
                before=url, removed=True, remaining=len(rmap), **scope)
    for url in sorted(set(rmap) - set(bmap)):
        ctx.add("api.server.added", location=f"{pointer}/{rmap[url][0]}", operation=op, subject=url,
                after=url, **scope)
    for url in sorted(set(bmap) & set(rmap)):
        bvars = _mapping(bmap[url][1].get("variables"))
        rvars = _mapping(rmap[url][1].get("variables"))
        where = f"{pointer}/{rmap[url][0]}/variables"
        for name in sorted(set(bvars) | set(rvars)):
            bv, rv = _mapping(bvars.get(name)), _mapping(rvars.get(name))
            subject = f"{url} {{{name}}}"
            if bv.get("default") != rv.get("default") and name in bvars and name in rvars:
                ctx.add("api.server.variable.default.changed", location=f"{where}/{escape_token(name)}", operation=op,
                        subject=subject, before=bv.get("default"), after=rv.get("default"), variable=name, **scope)
            benum = bv.get("enum") if isinstance(bv.get("enum"), list) else None
            renum = rv.get("enum") if isinstance(rv.get("enum"), list) else None
            vloc = f"{where}/{escape_token(name)}"
            if renum is None:
                continue
            if benum is None and name in bvars:
                ctx.add("api.server.variable.enum.set", location=vloc, operation=op, subject=subject,
                        after=renum, variable=name, **scope)
            for value in [v for v in benum or [] if v not in renum]:
                ctx.add("api.server.variable.enum.value-removed", location=vloc, operation=op, subject=subject,
                        before=value, variable=name, value=value, **scope)


def _invalid_stability(ctx: _Ctx, op: str, loc: str, node: dict[str, Any], side: str) -> None:
    value = node.get("x-stability-level")
    if value is not None and value not in STABILITY:
        ctx.add("api.stability.invalid", location=loc + "/x-stability-level", operation=op,
                before=value if side == "base" else None, after=value if side == "revision" else None,
                removed=side == "base", side=side, value=value)


def _operation(
    ctx: _Ctx, method: str, bpath: str, rpath: str,
    bitem: dict[str, Any], ritem: dict[str, Any], bop: dict[str, Any], rop: dict[str, Any], root: str = "paths",
) -> None:
    op = _op_key(method, rpath, root)
    loc = join_pointer(root, rpath, method)
    bloc = join_pointer(root, bpath, method)
    stability = rop.get("x-stability-level")
    base_stability = bop.get("x-stability-level")
    common = {**_stability_facts(stability), **_where(root, rpath)}
    _invalid_stability(ctx, op, bloc, bop, "base")
    _invalid_stability(ctx, op, loc, rop, "revision")
    _operation_lifecycle(ctx, op, loc, bop, rop, common)
    valid = (base_stability is None or base_stability in STABILITY) and (stability is None or stability in STABILITY)
    if valid and _stability_rank(base_stability) != _stability_rank(stability):
        direction = "decreased" if _stability_rank(stability) < _stability_rank(base_stability) else "increased"
        ctx.add(f"api.stability.{direction}", location=loc, operation=op,
                before=base_stability or "stable", after=stability or "stable",
                base_stability_rank=_stability_rank(base_stability), **common)
    if bop.get("operationId") != rop.get("operationId"):
        kind = "added" if bop.get("operationId") is None else "removed" if rop.get("operationId") is None else "changed"
        ctx.add(f"api.operation-id.{kind}", location=loc + "/operationId", operation=op,
                before=bop.get("operationId"), after=rop.get("operationId"), **common)
    btags, rtags = bop.get("tags") or [], rop.get("tags") or []
    for tag in sorted(set(map(str, btags)) - set(map(str, rtags))):
        ctx.add("api.tag.removed", location=loc + "/tags", operation=op, subject=tag, before=tag, **common)
    for tag in sorted(set(map(str, rtags)) - set(map(str, btags))):
        ctx.add("api.tag.added", location=loc + "/tags", operation=op, subject=tag, after=tag, **common)
    _parameters(ctx, op, loc, bloc, bpath, rpath, bitem, ritem, bop, rop, common, root)
    _servers(ctx, bop.get("servers", bitem.get("servers")), rop.get("servers", ritem.get("servers")),
             loc + "/servers" if "servers" in rop else join_pointer(root, rpath) + "/servers", op)
    _request_body(ctx, op, loc, bop, rop, common)
    _responses(ctx, op, loc, bop, rop, common)
    _op_security(ctx, op, loc, bop, rop, common)


def _sunset_change(ctx: _Ctx, bnode: dict[str, Any], rnode: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """How ``x-sunset`` moved on a node that is deprecated in the revision."""
    bs, rs = bnode.get("x-sunset"), rnode.get("x-sunset")
    if bs == rs or bs is None:
        return None  # a sunset date set for the first time is part of the deprecation itself
    if rs is None:
        return "removed", {}
    bd, rd = parse_date(bs), parse_date(rs)
    return "changed", {"sunset_moved_days": (rd - bd).days if bd and rd else None}


def _operation_lifecycle(
    ctx: _Ctx, op: str, loc: str, bop: dict[str, Any], rop: dict[str, Any], common: dict[str, Any]
) -> None:
    bdep, rdep = bool(bop.get("deprecated")), bool(rop.get("deprecated"))
    facts = {**ctx.lifecycle_facts(rop), **ctx.lifecycle_facts(bop, "base_"), **common}
    if not bdep and rdep:
        ctx.add("api.operation.deprecated", location=loc + "/deprecated", operation=op,
                before=False, after=True, **facts)
    elif bdep and not rdep:
        ctx.add("api.operation.reactivated", location=loc, operation=op, before=True, after=False, **facts)
    moved = _sunset_change(ctx, bop, rop) if rdep else None
    if moved is not None:
        kind, extra = moved
        ctx.add(f"api.operation.sunset.{kind}", location=loc + ("/x-sunset" if kind == "changed" else ""),
                operation=op, before=bop.get("x-sunset"), after=rop.get("x-sunset"), **extra, **facts)


def _param_key(param: dict[str, Any], path: str) -> tuple[str, str]:
    where = str(param.get("in"))
    name = str(param.get("name"))
    if where == "path":
        names = [m[1:-1] for m in _PARAM_RE.findall(path)]
        if name in names:
            return where, f"#{names.index(name)}"
    if where == "header":
        name = name.lower()
    return where, name


_Param = tuple[dict[str, Any], str, str, str]  # parameter, file, pointer, level (path-item / operation)


def _collect_params(
    doc: Document, path: str, item: dict[str, Any], op: dict[str, Any], loc: str, root: str = "paths"
) -> dict[tuple[str, str], _Param]:
    """Effective parameters: the operation's override the path item's."""
    out: dict[tuple[str, str], _Param] = {}
    for source, where, level in ((item.get("parameters") or [], join_pointer(root, path) + "/parameters", "path-item"),
                                 (op.get("parameters") or [], loc + "/parameters", "operation")):
        for index, raw in enumerate(source):
            param, file, pointer = _resolve(doc, raw)
            if not isinstance(param, dict) or "in" not in param:
                continue
            ptr = pointer if pointer is not None else f"{where}/{index}"
            out[_param_key(param, path)] = (param, file or "", ptr, level)
    return out


_STYLE_DEFAULT = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}


def _serialization(param: dict[str, Any]) -> dict[str, Any]:
    """style / explode / allowReserved / allowEmptyValue with the spec's defaults filled in,
    so that spelling out a default is not reported as a change."""
    style = param.get("style") or _STYLE_DEFAULT.get(str(param.get("in")), "simple")
    explode = param.get("explode")
    return {
        "style": style,
        "explode": bool(explode) if explode is not None else style == "form",
        "allowReserved": bool(param.get("allowReserved")),
        "allowEmptyValue": bool(param.get("allowEmptyValue")),
    }


def _parameters(
    ctx: _Ctx, op: str, loc: str, bloc: str, bpath: str, rpath: str,
    bitem: dict[str, Any], ritem: dict[str, Any], bop: dict[str, Any], rop: dict[str, Any], common: dict[str, Any],
    root: str = "paths",
) -> None:
    bparams = _collect_params(ctx.base, bpath, bitem, bop, bloc, root)
    rparams = _collect_params(ctx.rev, rpath, ritem, rop, loc, root)
    for key in sorted(set(bparams) | set(rparams)):
        if key not in rparams:
            param, file, ptr, level = bparams[key]
            ctx.add("api.parameter.removed", location=ptr, operation=op, subject=_pname(param),
                    before=param.get("name"), removed=True, file=file, direction="request",
                    param_in=param.get("in"), param_name=param.get("name"), level=level,
                    **_lc(ctx.lifecycle_facts(param)), **common)
            continue
        if key not in bparams:
            param, file, ptr, level = rparams[key]
            schema = _mapping(param.get("schema"))
            ctx.add("api.parameter.added", location=ptr, operation=op, subject=_pname(param),
                    after=param.get("name"), file=file, direction="request",
                    param_in=param.get("in"), param_name=param.get("name"), level=level,
                    required=bool(param.get("required")) or param.get("in") == "path",
                    has_default="default" in (schema or {}), **common)
            continue
        bp, bfile, bptr, _ = bparams[key]
        rp, rfile, rptr, level = rparams[key]
        facts = {"direction": "request", "param_in": rp.get("in"), "param_name": rp.get("name"), "level": level,
                 **common}
        subject = _pname(rp)
        if bool(bp.get("required")) != bool(rp.get("required")) and rp.get("in") != "path":
            ctx.add("api.parameter.became-required" if rp.get("required") else "api.parameter.became-optional",
                    location=rptr, operation=op, subject=subject, before=bool(bp.get("required")),
                    after=bool(rp.get("required")), file=rfile, **facts)
        lifecycle = {**_lc(ctx.lifecycle_facts(rp)), **ctx.lifecycle_facts(bp, "base_")}
        lifecycle.pop("base_stability", None)
        if bool(bp.get("deprecated")) != bool(rp.get("deprecated")):
            kind = "api.parameter.deprecated" if rp.get("deprecated") else "api.parameter.reactivated"
            ctx.add(kind, location=rptr, operation=op, subject=subject, before=bool(bp.get("deprecated")),
                    after=bool(rp.get("deprecated")), file=rfile, **facts, **lifecycle)
        moved = _sunset_change(ctx, bp, rp) if rp.get("deprecated") else None
        if moved is not None:
            kind, extra = moved
            ctx.add(f"api.parameter.sunset.{kind}", location=rptr, operation=op, subject=subject,
                    before=bp.get("x-sunset"), after=rp.get("x-sunset"), file=rfile, **extra, **facts, **lifecycle)
        bser, rser = _serialization(bp), _serialization(rp)
        for attr in ("style", "explode", "allowReserved", "allowEmptyValue"):
            if bser[attr] != rser[attr]:
                ctx.add(f"api.parameter.{attr.lower()}.changed", location=rptr, operation=op, subject=subject,
                        before=bser[attr], after=rser[attr], file=rfile, **facts)
        bs, rs = bp.get("schema"), rp.get("schema")
        if isinstance(bs, dict) and isinstance(rs, dict):
            ctx.attribute(
                Located(bs, bfile, bptr + "/schema"), Located(rs, rfile, rptr + "/schema"), op,
                body="request-parameter",
                prop="request-header-property" if rp.get("in") == "header" else "request-parameter-property",
                subject_prefix=subject, **facts,
            )
        bc, rc = bp.get("content"), rp.get("content")
        if isinstance(bc, dict) and isinstance(rc, dict):
            for mt in sorted(set(bc) & set(rc)):
                bsch, rsch = (bc[mt] or {}).get("schema"), (rc[mt] or {}).get("schema")
                if isinstance(bsch, dict) and isinstance(rsch, dict):
                    ctx.attribute(
                        Located(bsch, bfile, f"{bptr}/content/{escape_token(mt)}/schema"),
                        Located(rsch, rfile, f"{rptr}/content/{escape_token(mt)}/schema"), op,
                        body="request-parameter", prop="request-parameter-property",
                        subject_prefix=subject, media_type=mt, **facts,
                    )


def _lc(facts: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in facts.items() if k != "stability"}


def _pname(param: dict[str, Any]) -> str:
    return f"{param.get('in')} parameter '{param.get('name')}'"


def _prepare(
    ctx: _Ctx, change: Any, path: tuple[str, ...], *, target: str,
    subject_prefix: str | None, facts: dict[str, Any],
) -> dict[str, Any]:
    """The fields of an attributed schema Change, all but the operation."""
    prop_path = "/".join(path)
    subject = prop_path or None
    if subject_prefix:
        subject = f"{subject_prefix} {prop_path}".strip() if prop_path else subject_prefix
    doc = ctx.base if change.side == "base" else ctx.rev
    return {
        "kind": change.kind,
        "location": change.pointer if change.file in ("", doc.key) else f"{change.file}#{change.pointer}",
        "subject": subject,
        "before": change.before,
        "after": change.after,
        "facts": {**facts, **change.facts, "target": target, "property_path": prop_path},
        "source": doc.position(change.pointer, change.file or None),
        "base_source": None,
    }


def _content_schemas(content: Any) -> dict[str, Any]:
    return content if isinstance(content, dict) else {}


def _request_body(ctx: _Ctx, op: str, loc: str, bop: dict[str, Any], rop: dict[str, Any], common: dict[str, Any]) -> None:
    braw, rraw = bop.get("requestBody"), rop.get("requestBody")
    if braw is None and rraw is None:
        return
    facts = {"direction": "request", **common}
    if braw is None:
        rb, _, _ = _resolve(ctx.rev, rraw)
        ctx.add("api.request-body.added", location=loc + "/requestBody", operation=op,
                required=bool((rb or {}).get("required")), **facts)
        return
    if rraw is None:
        ctx.add("api.request-body.removed", location=loc + "/requestBody", operation=op, removed=True, **facts)
        return
    bb, bfile, bptr = _resolve(ctx.base, braw)
    rb, rfile, rptr = _resolve(ctx.rev, rraw)
    bptr = bptr or loc + "/requestBody"
    rptr = rptr or loc + "/requestBody"
    if not isinstance(bb, dict) or not isinstance(rb, dict):
        return
    if bool(bb.get("required")) != bool(rb.get("required")):
        ctx.add("api.request-body.became-required" if rb.get("required") else "api.request-body.became-optional",
                location=rptr, operation=op, before=bool(bb.get("required")), after=bool(rb.get("required")),
                file=rfile, **facts)
    _media(ctx, op, bb.get("content"), rb.get("content"), bptr, rptr, bfile or "", rfile or "", "request", facts)


_MediaName = tuple[str, str, tuple[tuple[str, str], ...]]  # type, subtype, parameters


def _media_name(name: str) -> _MediaName:
    bare, *params = str(name).split(";")
    kind, _, sub = bare.strip().lower().partition("/")
    pairs = sorted((k.strip().lower(), v.strip()) for k, _, v in (p.partition("=") for p in params) if k.strip())
    return kind, sub or "*", tuple(pairs)


def _contains(general: _MediaName, specific: _MediaName) -> bool:
    """``application/*`` contains ``application/json``, which contains ``application/problem+json``."""
    if general[0] == "*":
        return True
    if general[0] != specific[0]:
        return False
    return general[1] in ("*", specific[1]) or specific[1].rsplit("+", 1)[-1] == general[1] != specific[1]


def _pair_media(removed: list[str], added: list[str]) -> list[tuple[str, str, str]]:
    """Response media types renamed in a compatible way: (base, revision, relation)."""
    pairs: list[tuple[str, str, str]] = []
    free = list(added)
    for old in removed:
        b = _media_name(old)
        for new in free:
            r = _media_name(new)
            if b[:2] == r[:2] or (b[2] != r[2] and (_contains(b, r) or _contains(r, b))):
                relation = "changed"
            elif _contains(b, r):
                relation = "specialized"
            elif _contains(r, b):
                relation = "generalized"
            else:
                continue
            pairs.append((old, new, relation))
            free.remove(new)
            break
    return pairs


def _media(
    ctx: _Ctx, op: str, bcontent: Any, rcontent: Any, bptr: str, rptr: str, bfile: str, rfile: str,
    direction: str, facts: dict[str, Any],
) -> None:
    bc, rc = _content_schemas(bcontent), _content_schemas(rcontent)
    prefix = "api.request-body" if direction == "request" else "api.response"
    removed, added = sorted(set(bc) - set(rc)), sorted(set(rc) - set(bc))
    # like oasdiff, a response media type renamed to a related one (json -> problem+json,
    # a changed parameter) is the same body under a new name, not a removal and an addition
    renamed = _pair_media(removed, added) if direction == "response" else []
    for old, new, relation in renamed:
        ctx.add(f"{prefix}.media-type.renamed", location=f"{rptr}/content/{escape_token(new)}", operation=op,
                subject=new, before=old, after=new, file=rfile, media_type=new, relation=relation, **facts)
    paired = [(old, new) for old, new, _ in renamed] + [(mt, mt) for mt in sorted(set(bc) & set(rc))]
    for mt in removed:
        if all(mt != old for old, _ in paired):
            ctx.add(f"{prefix}.media-type.removed", location=f"{bptr}/content/{escape_token(mt)}", operation=op,
                    subject=mt, before=mt, removed=True, file=bfile, media_type=mt, **facts)
    for mt in added:
        if all(mt != new for _, new in paired):
            ctx.add(f"{prefix}.media-type.added", location=f"{rptr}/content/{escape_token(mt)}", operation=op,
                    subject=mt, after=mt, file=rfile, media_type=mt, **facts)
    body, prop = ("request-body", "request-property") if direction == "request" else ("response-body", "response-property")
    for bmt, mt in paired:
        bm, rm = _mapping(bc[bmt]), _mapping(rc[mt])
        bs, rs = bm.get("schema"), rm.get("schema")
        if bs is None and rs is None:
            continue
        if bs is None or rs is None:
            kind = "added" if bs is None else "removed"
            ctx.add(f"{prefix}.media-type.schema-{kind}",
                    location=f"{rptr}/content/{escape_token(mt)}" if bs is None else f"{bptr}/content/{escape_token(bmt)}",
                    operation=op, subject=mt, removed=kind == "removed", file=rfile if bs is None else bfile,
                    media_type=mt, **facts)
            continue
        ctx.attribute(
            Located(bs, bfile, f"{bptr}/content/{escape_token(bmt)}/schema"),
            Located(rs, rfile, f"{rptr}/content/{escape_token(mt)}/schema"), op,
            body=body, prop=prop, media_type=mt, **facts,
        )


def _is_success(code: str) -> bool:
    return code.startswith("2") or code.upper() == "2XX"


def _responses(ctx: _Ctx, op: str, loc: str, bop: dict[str, Any], rop: dict[str, Any], common: dict[str, Any]) -> None:
    br: dict[Any, Any] = _mapping(bop.get("responses"))
    rr: dict[Any, Any] = _mapping(rop.get("responses"))
    for code in sorted(set(map(str, br)) | set(map(str, rr))):
        bresp = br.get(code, br.get(int(code) if code.isdigit() else code))
        rresp = rr.get(code, rr.get(int(code) if code.isdigit() else code))
        facts = {"direction": "response", "status": code, "success": _is_success(code), **common}
        rptr = f"{loc}/responses/{escape_token(code)}"
        if rresp is None:
            ctx.add("api.response.status.removed", location=rptr, operation=op, subject=code, before=code,
                    removed=True, **facts)
            continue
        if bresp is None:
            ctx.add("api.response.status.added", location=rptr, operation=op, subject=code, after=code, **facts)
            continue
        bres, bfile, bp = _resolve(ctx.base, bresp)
        rres, rfile, rp = _resolve(ctx.rev, rresp)
        if not isinstance(bres, dict) or not isinstance(rres, dict):
            continue
        bp, rp = bp or rptr, rp or rptr
        _media(ctx, op, bres.get("content"), rres.get("content"), bp, rp, bfile or "", rfile or "", "response", facts)
        _headers(ctx, op, bres.get("headers"), rres.get("headers"), bp, rp, bfile or "", rfile or "", facts)


def _headers(
    ctx: _Ctx, op: str, bh: Any, rh: Any, bptr: str, rptr: str, bfile: str, rfile: str, facts: dict[str, Any],
) -> None:
    bmap = {str(k).lower(): (k, v) for k, v in (bh or {}).items()} if isinstance(bh, dict) else {}
    rmap = {str(k).lower(): (k, v) for k, v in (rh or {}).items()} if isinstance(rh, dict) else {}
    for name in sorted(set(bmap) | set(rmap)):
        if name not in rmap:
            key, raw = bmap[name]
            header, _, _ = _resolve(ctx.base, raw)
            ctx.add("api.response.header.removed", location=f"{bptr}/headers/{escape_token(str(key))}",
                    operation=op, subject=str(key), before=str(key), removed=True, file=bfile,
                    required=bool((header or {}).get("required")), header=str(key), **facts)
        elif name not in bmap:
            key, raw = rmap[name]
            header, _, _ = _resolve(ctx.rev, raw)
            ctx.add("api.response.header.added", location=f"{rptr}/headers/{escape_token(str(key))}",
                    operation=op, subject=str(key), after=str(key), file=rfile,
                    required=bool((header or {}).get("required")), header=str(key), **facts)
        else:
            bkey, braw = bmap[name]
            rkey, rraw = rmap[name]
            bhd, bf, bpp = _resolve(ctx.base, braw)
            rhd, rf, rpp = _resolve(ctx.rev, rraw)
            if not isinstance(bhd, dict) or not isinstance(rhd, dict):
                continue
            hptr = rpp or f"{rptr}/headers/{escape_token(str(rkey))}"
            bhptr = bpp or f"{bptr}/headers/{escape_token(str(bkey))}"
            if bool(bhd.get("required")) != bool(rhd.get("required")):
                ctx.add("api.response.header.became-optional" if bhd.get("required") else "api.response.header.became-required",
                        location=hptr, operation=op, subject=str(rkey), file=rf or rfile, header=str(rkey), **facts)
            bs, rs = bhd.get("schema"), rhd.get("schema")
            if isinstance(bs, dict) and isinstance(rs, dict):
                ctx.attribute(
                    Located(bs, bf or bfile, bhptr + "/schema"), Located(rs, rf or rfile, hptr + "/schema"), op,
                    body="response-header", prop="response-header",
                    subject_prefix=f"header '{rkey}'", header=str(rkey), **facts,
                )


def _requirements(security: Any) -> dict[str, list[str]]:
    """A security requirement list as {'schemeA+schemeB': scopes...}."""
    out: dict[str, list[str]] = {}
    if not isinstance(security, list):
        return out
    for requirement in security:
        if not isinstance(requirement, dict):
            continue
        name = "+".join(sorted(map(str, requirement))) or "(none)"
        scopes = sorted({str(s) for v in requirement.values() if isinstance(v, list) for s in v})
        out[name] = scopes
    return out


def _security_diff(ctx: _Ctx, prefix: str, bsec: Any, rsec: Any, loc: str, op: str | None, facts: dict[str, Any]) -> None:
    b, r = _requirements(bsec), _requirements(rsec)
    # requirements are alternatives: a client breaks when the one it uses goes away
    # (unless the operation became public) or when a public operation needs auth
    was_public, now_public = not b or "(none)" in b, not r or "(none)" in r
    for name in sorted(set(b) - set(r)):
        ctx.add(f"{prefix}.removed", location=loc, operation=op, subject=name, before=name,
                was_public=was_public, now_public=now_public, **facts)
    for name in sorted(set(r) - set(b)):
        ctx.add(f"{prefix}.added", location=loc, operation=op, subject=name, after=name,
                was_public=was_public, now_public=now_public, **facts)
    for name in sorted(set(b) & set(r)):
        for scope in sorted(set(b[name]) - set(r[name])):
            ctx.add(f"{prefix}.scope.removed", location=loc, operation=op, subject=f"{name} {scope}",
                    before=scope, scheme=name, scope=scope, **facts)
        for scope in sorted(set(r[name]) - set(b[name])):
            ctx.add(f"{prefix}.scope.added", location=loc, operation=op, subject=f"{name} {scope}",
                    after=scope, scheme=name, scope=scope, **facts)


def _op_security(ctx: _Ctx, op: str, loc: str, bop: dict[str, Any], rop: dict[str, Any], common: dict[str, Any]) -> None:
    if "security" not in bop and "security" not in rop:
        return
    bsec = bop.get("security", ctx.base.data.get("security"))
    rsec = rop.get("security", ctx.rev.data.get("security"))
    _security_diff(ctx, "api.security", bsec, rsec, loc + "/security", op, {"direction": "request", **common})


def _global_security(ctx: _Ctx) -> None:
    _security_diff(ctx, "api.global-security", ctx.base.data.get("security"), ctx.rev.data.get("security"),
                   "/security", None, {})


def _security_schemes(ctx: _Ctx) -> None:
    bs = ((ctx.base.data.get("components") or {}).get("securitySchemes") or {})
    rs = ((ctx.rev.data.get("components") or {}).get("securitySchemes") or {})
    for name in sorted(set(bs) | set(rs)):
        ptr = join_pointer("components", "securitySchemes", name)
        if name not in rs:
            ctx.add("api.security-scheme.removed", location=ptr, subject=name, before=name, removed=True)
        elif name not in bs:
            ctx.add("api.security-scheme.added", location=ptr, subject=name, after=name)
        else:
            b, r = bs[name], rs[name]
            if not isinstance(b, dict) or not isinstance(r, dict) or b == r:
                continue
            if b.get("type") != r.get("type"):
                ctx.add("api.security-scheme.type.changed", location=ptr, subject=name, before=b.get("type"),
                        after=r.get("type"), scheme=name)
                continue  # a different kind of scheme: its other fields are not comparable
            for key in ("in", "name", "scheme", "openIdConnectUrl"):
                if b.get(key) != r.get(key):
                    ctx.add("api.security-scheme.field.changed", location=f"{ptr}/{key}", subject=f"{name} {key}",
                            before=b.get(key), after=r.get(key), field=key, scheme=name)
            bflows = _mapping(b.get("flows"))
            rflows = _mapping(r.get("flows"))
            for flow_name in sorted(set(bflows) | set(rflows)):
                fptr = f"{ptr}/flows/{escape_token(str(flow_name))}"
                if flow_name not in rflows:
                    ctx.add("api.security-scheme.flow.removed", location=fptr, subject=f"{name} {flow_name}",
                            before=flow_name, removed=True, flow=flow_name, scheme=name)
                    continue
                if flow_name not in bflows:
                    ctx.add("api.security-scheme.flow.added", location=fptr, subject=f"{name} {flow_name}",
                            after=flow_name, flow=flow_name, scheme=name)
                    continue
                bf = _mapping(bflows[flow_name])
                rf = _mapping(rflows[flow_name])
                for key in ("authorizationUrl", "tokenUrl", "refreshUrl"):
                    if bf.get(key) != rf.get(key):
                        ctx.add("api.security-scheme.oauth-url.changed", location=f"{fptr}/{key}",
                                subject=f"{name} {flow_name} {key}", before=bf.get(key), after=rf.get(key),
                                field=key, flow=flow_name, scheme=name)
                bsc = _mapping(bf.get("scopes"))
                rsc = _mapping(rf.get("scopes"))
                for scope in sorted(set(bsc) | set(rsc), key=str):
                    facts = {"scope": scope, "flow": flow_name, "scheme": name}
                    if scope not in rsc:
                        ctx.add("api.security-scheme.scope.removed", location=f"{fptr}/scopes",
                                subject=f"{name} {scope}", before=scope, **facts)
                    elif scope not in bsc:
                        ctx.add("api.security-scheme.scope.added", location=f"{fptr}/scopes",
                                subject=f"{name} {scope}", after=scope, **facts)
                    elif bsc[scope] != rsc[scope]:
                        ctx.add("api.security-scheme.scope.changed", location=f"{fptr}/scopes",
                                subject=f"{name} {scope}", before=bsc[scope], after=rsc[scope], **facts)


def _webhooks(ctx: _Ctx) -> None:
    bw = ctx.base.data.get("webhooks") or {}
    rw = ctx.rev.data.get("webhooks") or {}
    if not isinstance(bw, dict) or not isinstance(rw, dict):
        return
    for name in sorted(set(bw) | set(rw)):
        if name not in rw:
            ctx.add("api.webhook.removed", location=join_pointer("webhooks", name), subject=str(name),
                    before=name, removed=True, webhook=name)
        elif name not in bw:
            ctx.add("api.webhook.added", location=join_pointer("webhooks", name), subject=str(name),
                    after=name, webhook=name)
        else:
            bitem, _, _ = _resolve(ctx.base, bw[name])
            ritem, _, _ = _resolve(ctx.rev, rw[name])
            if isinstance(bitem, dict) and isinstance(ritem, dict):
                # a webhook is an operation the API calls on the client: compared like one
                _path_pair(ctx, (str(name), bitem), (str(name), ritem), "webhooks")


def _components(ctx: _Ctx) -> None:
    bs = ((ctx.base.data.get("components") or {}).get("schemas") or {})
    rs = ((ctx.rev.data.get("components") or {}).get("schemas") or {})
    if isinstance(bs, dict) and isinstance(rs, dict):
        for name in sorted(set(bs) - set(rs)):
            ctx.add("api.component.schema.removed", location=join_pointer("components", "schemas", name),
                    subject=name, before=name, removed=True)
        for name in sorted(set(rs) - set(bs)):
            ctx.add("api.component.schema.added", location=join_pointer("components", "schemas", name),
                    subject=name, after=name)


def iter_operations(doc: Document) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) for every operation of a document."""
    for path, item in (doc.data.get("paths") or {}).items():
        if isinstance(item, dict):
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    yield method.upper(), path, item[method]
