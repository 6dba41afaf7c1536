"""OpenAPI diff: paths, operations, parameters, bodies, responses, security, lifecycle.

Schemas are compared by :mod:`.schema` once per component pair; this module attributes
their changes to every operation (and direction) that reaches them. An operation written
the same in both versions, at the same path, whose refs reach nothing that differs, is
not compared at all (:mod:`.openapi_reach`: on GitHub's six-week pair that is 1,068 of
1,083 operations, and half of the diff's time).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterator
from typing import Any

from .._user_regex import compile_user_regex
from ..load.document import Document
from ..load.openapi_common import HTTP_METHODS
from ..model import Change
from ..parsing.pointers import escape_token, join_pointer
from .flatten import flatten_all_of
from .lifecycle import parse_date
from .openapi_context import (
    _Ctx,
    _mapping,
    _op_key,
    _paths,
    _resolve,
    _stability_facts,
    _stability_rank,
    known_level,
    normalize_path,
    path_param_places,
)
from .openapi_security import _global_security, _op_security, _security_schemes
from .openapi_servers import _servers
from .schema import Located, contains_ref

__all__ = ["diff_openapi", "iter_operations", "marked_operations", "normalize_path", "parse_date"]


def diff_openapi(base: Document, revision: Document, **options: Any) -> list[Change]:
    today = options.get("today") or _dt.date.today()
    cfg = options.get("config")
    if getattr(cfg, "flatten_allof", False):
        base, revision = flatten_all_of(base), flatten_all_of(revision)
    ctx = _Ctx(base, revision, today)
    names = bool(getattr(cfg, "include_path_params", False))
    bpaths = _paths(base, getattr(cfg, "strip_prefix_base", ""), getattr(cfg, "prefix_base", ""), names)
    rpaths = _paths(revision, getattr(cfg, "strip_prefix_revision", ""), getattr(cfg, "prefix_revision", ""), names)
    for norm in sorted(set(bpaths) | set(rpaths)):
        bitems, ritems = bpaths.get(norm, []), rpaths.get(norm, [])
        if not ritems:
            for path, item in bitems:
                _path_removed(ctx, path, item, "paths")
        elif not bitems:
            for path, item in ritems:
                _path_added(ctx, path, item, "paths")
        elif len(bitems) == 1 and len(ritems) == 1:
            _path_pair(ctx, bitems[0], ritems[0], "paths")
        else:
            # one endpoint written as several paths: each operation is compared with the
            # same operation of the other version, wherever it is written
            for method in HTTP_METHODS:
                _path_pair(ctx, _holding(bitems, method), _holding(ritems, method), "paths", (method,))
    _security_schemes(ctx)
    _global_security(ctx)
    _servers(ctx, base.data.get("servers"), revision.data.get("servers"), "/servers", None)
    _webhooks(ctx)
    _components(ctx)
    return ctx.finish()


# the kinds emitted below, spelled whole (src/trustguard/change_kinds.py lists them)
_SERIALIZATION_KINDS = (("style", "api.parameter.style.changed"), ("explode", "api.parameter.explode.changed"),
                        ("allowReserved", "api.parameter.allowreserved.changed"),
                        ("allowEmptyValue", "api.parameter.allowemptyvalue.changed"))
_MEDIA_KINDS = {
    "request": {"removed": "api.request-body.media-type.removed", "added": "api.request-body.media-type.added",
                "renamed": "api.request-body.media-type.renamed",
                "schema-added": "api.request-body.media-type.schema-added",
                "schema-removed": "api.request-body.media-type.schema-removed"},
    "response": {"removed": "api.response.media-type.removed", "added": "api.response.media-type.added",
                 "renamed": "api.response.media-type.renamed", "schema-added": "api.response.media-type.schema-added",
                 "schema-removed": "api.response.media-type.schema-removed"},
}


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


def _holding(items: list[tuple[str, dict[str, Any]]], method: str) -> tuple[str, dict[str, Any]]:
    """The first of ``items`` with a ``method`` operation (else the first one)."""
    return next((pair for pair in items if isinstance(pair[1].get(method), dict)), items[0])


def _path_pair(
    ctx: _Ctx, bpair: tuple[str, dict[str, Any]], rpair: tuple[str, dict[str, Any]], root: str,
    methods: tuple[str, ...] = HTTP_METHODS,
) -> None:
    bpath, bitem = bpair
    rpath, ritem = rpair
    for method in methods:
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


def _invalid_stability(ctx: _Ctx, op: str, loc: str, node: dict[str, Any], side: str) -> None:
    value = node.get("x-stability-level")
    if value is not None and not known_level(value):
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
    _invalid_stability(ctx, op, bloc, bop, "base")
    _invalid_stability(ctx, op, loc, rop, "revision")
    if bpath == rpath and ctx.reach.unchanged_operation(bitem, ritem, bop, rop):
        return  # the same operation, referring to nothing that differs: no change to find
    stability = rop.get("x-stability-level")
    base_stability = bop.get("x-stability-level")
    common = {**_stability_facts(stability), **_where(root, rpath)}
    _operation_lifecycle(ctx, op, loc, bop, rop, common)
    valid = (base_stability is None or known_level(base_stability)) and (stability is None or known_level(stability))
    if valid and _stability_rank(base_stability) != _stability_rank(stability):
        lowered = _stability_rank(stability) < _stability_rank(base_stability)
        ctx.add("api.stability.decreased" if lowered else "api.stability.increased", location=loc, operation=op,
                before=base_stability or "stable", after=stability or "stable",
                base_stability_rank=_stability_rank(base_stability), **common)
    if bop.get("operationId") != rop.get("operationId"):
        kind = ("api.operation-id.added" if bop.get("operationId") is None else
                "api.operation-id.removed" if rop.get("operationId") is None else "api.operation-id.changed")
        ctx.add(kind, location=loc + "/operationId", operation=op,
                before=bop.get("operationId"), after=rop.get("operationId"), **common)
    btags, rtags = bop.get("tags") or [], rop.get("tags") or []
    for tag in sorted(set(map(str, btags)) - set(map(str, rtags))):
        ctx.add("api.tag.removed", location=loc + "/tags", operation=op, subject=tag, before=tag, **common)
    for tag in sorted(set(map(str, rtags)) - set(map(str, btags))):
        ctx.add("api.tag.added", location=loc + "/tags", operation=op, subject=tag, after=tag, **common)
    _parameters(ctx, op, loc, bloc, bpath, rpath, bitem, ritem, bop, rop, common, root)
    _servers(ctx, bop.get("servers", bitem.get("servers")), rop.get("servers", ritem.get("servers")),
             loc + "/servers" if "servers" in rop else join_pointer(root, rpath) + "/servers", op)
    # the base's own pointers: a path renamed ({id} -> {username}) is another key in the base
    # a webhook is a request the API sends: its subscriber reads the body as a caller reads a
    # response, and answers as a caller sends a request, so their schemas are judged that way
    received = "webhook payload" if root == "webhooks" else ""
    _request_body(ctx, op, loc, bloc, bop, rop, common, received)
    _responses(ctx, op, loc, bloc, bop, rop, common, received)
    _op_security(ctx, op, loc, bop, rop, common)
    _callbacks(ctx, op, loc, bloc, bop, rop, common)


def _callback_ops(doc: Document, op: dict[str, Any], loc: str) -> dict[tuple[str, str, str], tuple[dict[str, Any], str]]:
    """The requests an operation's callbacks make, (callback name, URL expression, method) ->
    (the callback operation, where it is written)."""
    found: dict[tuple[str, str, str], tuple[dict[str, Any], str]] = {}
    for name, raw in sorted(_mapping(op.get("callbacks")).items(), key=lambda item: str(item[0])):
        callback, _, cptr = _resolve(doc, raw)
        for expression, item_raw in sorted(_mapping(callback).items(), key=lambda item: str(item[0])):
            item, _, iptr = _resolve(doc, item_raw)
            where = iptr or f"{cptr or f'{loc}/callbacks/{escape_token(str(name))}'}/{escape_token(str(expression))}"
            for method in HTTP_METHODS:
                cop = _mapping(item).get(method)
                if isinstance(cop, dict):
                    found[(str(name), str(expression), method)] = (cop, f"{where}/{method}")
    return found


def _callbacks(
    ctx: _Ctx, op: str, loc: str, bloc: str, bop: dict[str, Any], rop: dict[str, Any], common: dict[str, Any],
) -> None:
    """Callbacks are requests the API sends to the client after this operation: one that
    disappears is a notification the client stops receiving; one on both sides is judged as
    a webhook is, from the client that receives it (findings name the operation that set it up)."""
    if "callbacks" not in bop and "callbacks" not in rop:
        return
    before, after = _callback_ops(ctx.base, bop, bloc), _callback_ops(ctx.rev, rop, loc)
    for key in before:
        if key not in after:
            name, expression, method = key
            ctx.add("api.callback.removed", location=f"{bloc}/callbacks/{escape_token(name)}", operation=op,
                    subject=f"{name} {method.upper()} {expression}", before=f"{method.upper()} {expression}",
                    removed=True, callback=name, **common)
    for key in after:
        if key not in before:
            name, expression, method = key
            ctx.add("api.callback.added", location=f"{loc}/callbacks/{escape_token(name)}", operation=op,
                    subject=f"{name} {method.upper()} {expression}", after=f"{method.upper()} {expression}",
                    callback=name, **common)
        else:
            (bcop, bptr), (rcop, rptr) = before[key], after[key]
            _request_body(ctx, op, rptr, bptr, bcop, rcop, common, received="callback payload")
            _responses(ctx, op, rptr, bptr, bcop, rcop, common, received="callback payload")


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
        ctx.add("api.operation.sunset.changed" if kind == "changed" else "api.operation.sunset.removed",
                location=loc + ("/x-sunset" if kind == "changed" else ""),
                operation=op, before=bop.get("x-sunset"), after=rop.get("x-sunset"), **extra, **facts)


def _param_key(param: dict[str, Any], path: str) -> tuple[str, str]:
    where = str(param.get("in"))
    name = str(param.get("name"))
    if where == "path":
        place = path_param_places(path).get(name)
        if place is not None:
            return where, f"#{place}"
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


_IGNORED_HEADERS = frozenset(("accept", "content-type", "authorization"))


def _ignored_header(param: dict[str, Any]) -> bool:
    return param.get("in") == "header" and str(param.get("name", "")).lower() in _IGNORED_HEADERS


def _parameters(
    ctx: _Ctx, op: str, loc: str, bloc: str, bpath: str, rpath: str,
    bitem: dict[str, Any], ritem: dict[str, Any], bop: dict[str, Any], rop: dict[str, Any], common: dict[str, Any],
    root: str = "paths",
) -> None:
    bparams = _collect_params(ctx.base, bpath, bitem, bop, bloc, root)
    rparams = _collect_params(ctx.rev, rpath, ritem, rop, loc, root)
    # OpenAPI: header parameters named Accept, Content-Type or Authorization SHALL be ignored
    # (media types and security schemes say what they carry; clients send them regardless)
    bparams = {k: v for k, v in bparams.items() if not _ignored_header(v[0])}
    rparams = {k: v for k, v in rparams.items() if not _ignored_header(v[0])}
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
        if bp == rp and not _param_holds_ref(ctx, bp):
            continue  # the same parameter, referring to nothing that could differ
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
            ctx.add("api.parameter.sunset.changed" if kind == "changed" else "api.parameter.sunset.removed",
                    location=rptr, operation=op, subject=subject,
                    before=bp.get("x-sunset"), after=rp.get("x-sunset"), file=rfile, **extra, **facts, **lifecycle)
        bser, rser = _serialization(bp), _serialization(rp)
        for attr, changed in _SERIALIZATION_KINDS:
            if bser[attr] != rser[attr]:
                ctx.add(changed, location=rptr, operation=op, subject=subject,
                        before=bser[attr], after=rser[attr], file=rfile, **facts)
        bs, rs = bp.get("schema"), rp.get("schema")
        if isinstance(bs, dict) and isinstance(rs, dict):
            ctx.attribute(
                Located(bs, bfile, bptr + "/schema"), Located(rs, rfile, rptr + "/schema"), op,
                body="request-parameter",
                prop="request-header-property" if rp.get("in") == "header" else "request-parameter-property",
                subject_prefix=subject, form_exploded=rser["style"] == "form" and rser["explode"], **facts,
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


def _param_holds_ref(ctx: _Ctx, param: dict[str, Any]) -> bool:
    """Whether a parameter's schemas (its own, or its content's) refer to a component."""
    holders = ctx.base.ref_holders
    if contains_ref(param.get("schema"), holders):
        return True
    content = param.get("content")
    return isinstance(content, dict) and any(
        contains_ref(media.get("schema"), holders) for media in content.values() if isinstance(media, dict))


def _lc(facts: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in facts.items() if k != "stability"}


def _pname(param: dict[str, Any]) -> str:
    return f"{param.get('in')} parameter '{param.get('name')}'"


def _content_schemas(content: Any) -> dict[str, Any]:
    return content if isinstance(content, dict) else {}


def _request_body(
    ctx: _Ctx, op: str, loc: str, bloc: str, bop: dict[str, Any], rop: dict[str, Any], common: dict[str, Any],
    received: str = "",
) -> None:
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
    bptr = bptr or bloc + "/requestBody"
    rptr = rptr or loc + "/requestBody"
    if not isinstance(bb, dict) or not isinstance(rb, dict):
        return
    if bool(bb.get("required")) != bool(rb.get("required")):
        ctx.add("api.request-body.became-required" if rb.get("required") else "api.request-body.became-optional",
                location=rptr, operation=op, before=bool(bb.get("required")), after=bool(rb.get("required")),
                file=rfile, **facts)
    _media(ctx, op, bb.get("content"), rb.get("content"), bptr, rptr, bfile or "", rfile or "", "request", facts,
           received)


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


def _response_relation(b: _MediaName, r: _MediaName) -> str | None:
    """How a response media type renamed relates to the old one, when compatibly."""
    if b[:2] == r[:2] or (b[2] != r[2] and (_contains(b, r) or _contains(r, b))):
        return "changed"
    if _contains(b, r):
        return "specialized"
    if _contains(r, b):
        return "generalized"
    return None


def _request_relation(b: _MediaName, r: _MediaName) -> str | None:
    """Request media types renamed to one the server takes at least as broadly: the same type
    with other parameters ('changed') or a wider range (json -> application/*: 'generalized').
    A narrower one (application/* -> json) stays a removal: clients sending the rest are refused."""
    if b[:2] == r[:2]:
        return "changed"
    if _contains(r, b) and r[2] == b[2]:
        return "generalized"
    return None


def _pair_media(removed: list[str], added: list[str],
                relation_of: Callable[[_MediaName, _MediaName], str | None]) -> list[tuple[str, str, str]]:
    """Media types renamed in a compatible way, each removed one paired with the first added
    one ``relation_of`` relates it to: (base, revision, relation)."""
    pairs: list[tuple[str, str, str]] = []
    free = list(added)
    for old in removed:
        b = _media_name(old)
        for new in free:
            relation = relation_of(b, _media_name(new))
            if relation is not None:
                pairs.append((old, new, relation))
                free.remove(new)
                break
    return pairs


def _utf8_only(old: str, new: str) -> bool:
    """Whether two names of one media type differ only by a charset parameter that is UTF-8 or
    absent: a client that sends JSON without a charset sends UTF-8 (RFC 8259)."""
    b, r = dict(_media_name(old)[2]), dict(_media_name(new)[2])
    differing = {k for k in set(b) | set(r) if b.get(k) != r.get(k)}
    return differing <= {"charset"} and all(
        str(v).strip('"').lower() in ("utf-8", "utf8") for v in (b.get("charset"), r.get("charset")) if v is not None)


def _media(
    ctx: _Ctx, op: str, bcontent: Any, rcontent: Any, bptr: str, rptr: str, bfile: str, rfile: str,
    direction: str, facts: dict[str, Any], received: str = "",
) -> None:
    """``received``: for a webhook or callback, what its payload is called; the client receives
    that request and sends back its response, so the schemas are judged from that side."""
    bc, rc = _content_schemas(bcontent), _content_schemas(rcontent)
    sent = (direction == "request") != bool(received)
    body, prop = ("request-body", "request-property") if sent else ("response-body", "response-property")
    if received and direction == "request":
        facts = {**facts, "status": received, "success": True}
    if bc.keys() == rc.keys():  # the usual case: the same media types
        for mt in sorted(bc):
            _media_schemas(ctx, op, mt, mt, _mapping(bc[mt]), _mapping(rc[mt]), bptr, rptr, bfile, rfile, direction,
                           body, prop, facts)
        return
    kinds = _MEDIA_KINDS[direction]
    removed, added = sorted(set(bc) - set(rc)), sorted(set(rc) - set(bc))
    # like oasdiff, a response media type renamed to a related one (json -> problem+json,
    # a changed parameter) is the same body under a new name, not a removal and an addition
    renamed = _pair_media(removed, added, _response_relation if direction == "response" else _request_relation)
    for old, new, relation in renamed:
        extra = {"utf8_only": _utf8_only(old, new)} if direction == "request" else {}
        ctx.add(kinds["renamed"], location=f"{rptr}/content/{escape_token(new)}", operation=op,
                subject=new, before=old, after=new, file=rfile, media_type=new, relation=relation, **extra, **facts)
    paired = [(old, new) for old, new, _ in renamed] + [(mt, mt) for mt in sorted(set(bc) & set(rc))]
    for mt in removed:
        if all(mt != old for old, _ in paired):
            ctx.add(kinds["removed"], location=f"{bptr}/content/{escape_token(mt)}", operation=op,
                    subject=mt, before=mt, removed=True, file=bfile, media_type=mt, **facts)
    for mt in added:
        if all(mt != new for _, new in paired):
            ctx.add(kinds["added"], location=f"{rptr}/content/{escape_token(mt)}", operation=op,
                    subject=mt, after=mt, file=rfile, media_type=mt, **facts)
    for bmt, mt in paired:
        _media_schemas(ctx, op, bmt, mt, _mapping(bc[bmt]), _mapping(rc[mt]), bptr, rptr, bfile, rfile, direction,
                       body, prop, facts)


def _media_schemas(
    ctx: _Ctx, op: str, bmt: str, mt: str, bm: dict[str, Any], rm: dict[str, Any], bptr: str, rptr: str,
    bfile: str, rfile: str, direction: str, body: str, prop: str, facts: dict[str, Any],
) -> None:
    """The schemas of one media type present in both versions (``bmt`` in the base)."""
    bs, rs = bm.get("schema"), rm.get("schema")
    if bs is None and rs is None:
        return
    if bs is None or rs is None:
        kind = "added" if bs is None else "removed"
        ctx.add(_MEDIA_KINDS[direction]["schema-" + kind],
                location=f"{rptr}/content/{escape_token(mt)}" if bs is None else f"{bptr}/content/{escape_token(bmt)}",
                operation=op, subject=mt, removed=kind == "removed", file=rfile if bs is None else bfile,
                media_type=mt, **facts)
        return
    if ctx.unchanged(bs, rs):
        return
    ctx.attribute(
        Located(bs, bfile, f"{bptr}/content/{escape_token(bmt)}/schema"),
        Located(rs, rfile, f"{rptr}/content/{escape_token(mt)}/schema"), op,
        body=body, prop=prop, media_type=mt, **facts,
    )


def _is_success(code: str) -> bool:
    return code.startswith("2") or code.upper() == "2XX"


def _covers(wide: str, code: str) -> bool:
    """Whether the status range ``wide`` (``2XX``) holds ``code`` (``201``)."""
    return len(wide) == 3 and wide[1:].upper() == "XX" and len(code) == 3 and code.isdigit() and code[0] == wide[0]


def _range_pairs(removed: list[str], added: list[str]) -> dict[str, str]:
    """A status replaced by the range that holds it (200 -> 2XX) or a range replaced by one
    status in it (2XX -> 200): the same response, documented more or less precisely, when it
    is the only candidate on both sides. Revision code -> base code."""
    pairs: dict[str, str] = {}
    for old in removed:
        found = [new for new in added if _covers(new, old) or _covers(old, new)]
        if len(found) == 1 and sum(1 for o in removed if _covers(found[0], o) or _covers(o, found[0])) == 1:
            pairs[found[0]] = old
    return pairs


def _responses(
    ctx: _Ctx, op: str, loc: str, bloc: str, bop: dict[str, Any], rop: dict[str, Any], common: dict[str, Any],
    received: str = "",
) -> None:
    br: dict[Any, Any] = _mapping(bop.get("responses"))
    rr: dict[Any, Any] = _mapping(rop.get("responses"))
    bcodes, rcodes = set(map(str, br)), set(map(str, rr))
    ranged = _range_pairs(sorted(bcodes - rcodes), sorted(rcodes - bcodes))
    for code in sorted((bcodes | rcodes) - set(ranged.values())):
        bcode = ranged.get(code, code)
        bresp = br.get(bcode, br.get(int(bcode) if bcode.isdigit() else bcode))
        rresp = rr.get(code, rr.get(int(code) if code.isdigit() else code))
        facts = {"direction": "response", "status": code, "success": _is_success(code), **common}
        rptr = f"{loc}/responses/{escape_token(code)}"
        if bcode != code:
            ctx.add("api.response.status.range-changed", location=rptr, operation=op, subject=code, before=bcode,
                    after=code, widened=_covers(code, bcode), **facts)
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
        bp, rp = bp or f"{bloc}/responses/{escape_token(bcode)}", rp or rptr
        _media(ctx, op, bres.get("content"), rres.get("content"), bp, rp, bfile or "", rfile or "", "response", facts,
               received)
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


def marked_operations(doc: Document, patterns: list[str]) -> set[str]:
    """The operations (``METHOD /path`` as written, or ``METHOD webhook:name``) that carry,
    or whose path item carries, an ``x-`` extension whose name matches one of ``patterns``
    (regular expressions, searched in the name)."""
    regexes = [compile_user_regex(pattern) for pattern in patterns]  # RE2: linear, whoever wrote them

    def marked(node: dict[str, Any]) -> bool:
        return any(str(key).startswith("x-") and any(r.search(str(key)) for r in regexes) for key in node)

    webhooks = [(name, _resolve(doc, item)[0]) for name, item in _mapping(doc.data.get("webhooks")).items()]
    found: set[str] = set()
    paths = [pair for pairs in _paths(doc).values() for pair in pairs]
    for root, items in (("paths", paths), ("webhooks", webhooks)):
        for path, item in items:
            if not isinstance(item, dict):
                continue
            whole = marked(item)
            for method in HTTP_METHODS:
                op = item.get(method)
                if isinstance(op, dict) and (whole or marked(op)):
                    found.add(_op_key(method, path, root))
    return found


def iter_operations(doc: Document) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) for every operation of a document."""
    for path, item in (doc.data.get("paths") or {}).items():
        if isinstance(item, dict):
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    yield method.upper(), path, item[method]
