"""OpenAPI security: requirements on operations and on the whole API (with OAuth scopes),
and the security schemes they name."""

from __future__ import annotations

from typing import Any

from ..load.openapi_common import HTTP_METHODS
from ..parsing.pointers import escape_token, join_pointer
from .openapi_context import _Ctx, _mapping, _resolve


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


# the kinds emitted, spelled whole, for an operation's requirements and the API's
_KINDS = {
    "api.security": {
        "added": "api.security.added", "removed": "api.security.removed", "relaxed": "api.security.relaxed",
        "tightened": "api.security.tightened", "scope.added": "api.security.scope.added",
        "scope.removed": "api.security.scope.removed"},
    "api.global-security": {
        "added": "api.global-security.added", "removed": "api.global-security.removed",
        "relaxed": "api.global-security.relaxed", "tightened": "api.global-security.tightened",
        "scope.added": "api.global-security.scope.added", "scope.removed": "api.global-security.scope.removed"},
}


def _reshaped(
    gone: list[str], new: list[str], b: dict[str, list[str]], r: dict[str, list[str]],
) -> list[tuple[str, str, str]]:
    """Pairs of a removed and an added requirement where one's schemes hold the other's:
    (old, new, 'relaxed' or 'tightened'), each requirement in one pair at most. Relaxed only
    when the scopes asked for do not grow either."""
    pairs: list[tuple[str, str, str]] = []
    taken: set[str] = set()
    for old_name in gone:
        old_schemes = set(old_name.split("+"))
        for new_name in new:
            new_schemes = set(new_name.split("+"))
            if new_name in taken or "(none)" in (old_name, new_name):
                continue
            if new_schemes < old_schemes and set(r[new_name]) <= set(b[old_name]):
                pairs.append((old_name, new_name, "relaxed"))
            elif old_schemes < new_schemes:
                pairs.append((old_name, new_name, "tightened"))
            else:
                continue
            taken.add(new_name)
            break
    return pairs


def _security_diff(ctx: _Ctx, prefix: str, bsec: Any, rsec: Any, loc: str, op: str | None, facts: dict[str, Any]) -> None:
    b, r = _requirements(bsec), _requirements(rsec)
    kinds = _KINDS[prefix]
    # requirements are alternatives: a client breaks when the one it uses goes away
    # (unless the operation became public) or when a public operation needs auth
    was_public, now_public = not b or "(none)" in b, not r or "(none)" in r
    gone, new = sorted(set(b) - set(r)), sorted(set(r) - set(b))
    # a requirement that keeps some of its schemes is the same alternative, changed: fewer
    # schemes needed together relax it ({a, b} -> {a}), more tighten it ({a} -> {a, b})
    for old_name, new_name, kind in _reshaped(gone, new, b, r):
        gone.remove(old_name)
        new.remove(new_name)
        ctx.add(kinds[kind], location=loc, operation=op, subject=new_name, before=old_name, after=new_name,
                was_public=was_public, now_public=now_public, **facts)
    for name in gone:
        ctx.add(kinds["removed"], location=loc, operation=op, subject=name, before=name,
                was_public=was_public, now_public=now_public, **facts)
    for name in new:
        ctx.add(kinds["added"], location=loc, operation=op, subject=name, after=name,
                was_public=was_public, now_public=now_public, **facts)
    for name in sorted(set(b) & set(r)):
        for scope in sorted(set(b[name]) - set(r[name])):
            ctx.add(kinds["scope.removed"], location=loc, operation=op, subject=f"{name} {scope}",
                    before=scope, scheme=name, scope=scope, **facts)
        for scope in sorted(set(r[name]) - set(b[name])):
            ctx.add(kinds["scope.added"], location=loc, operation=op, subject=f"{name} {scope}",
                    after=scope, scheme=name, scope=scope, **facts)


def _op_security(ctx: _Ctx, op: str, loc: str, bop: dict[str, Any], rop: dict[str, Any], common: dict[str, Any]) -> None:
    if "security" not in bop and "security" not in rop:
        return
    bsec = bop.get("security", ctx.base.data.get("security"))
    rsec = rop.get("security", ctx.rev.data.get("security"))
    _security_diff(ctx, "api.security", bsec, rsec, loc + "/security", op, {"direction": "request", **common})


def _inheriting(*docs: dict[str, Any]) -> int:
    """How many operations (in either version) declare no security of their own and so take
    the API-wide requirements: a global change reaches no client when every operation
    overrides it (``security: []`` on a public one, its own list on the others)."""
    found: set[tuple[str, str]] = set()
    for data in docs:
        paths = data.get("paths")
        for path, item in (paths.items() if isinstance(paths, dict) else ()):
            for method in HTTP_METHODS:
                op = item.get(method) if isinstance(item, dict) else None
                if isinstance(op, dict) and "security" not in op:
                    found.add((str(path), method))
    return len(found)


def _global_security(ctx: _Ctx) -> None:
    bsec, rsec = ctx.base.data.get("security"), ctx.rev.data.get("security")
    if bsec == rsec:
        return
    _security_diff(ctx, "api.global-security", bsec, rsec, "/security", None,
                   {"inheriting": _inheriting(ctx.base.data, ctx.rev.data)})


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
            # a scheme may be a $ref (to another file): compare what it stands for
            b, r = _resolve(ctx.base, bs[name])[0], _resolve(ctx.rev, rs[name])[0]
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
