"""OpenAPI servers: the base URLs clients are configured with, at the top, on a path or on
an operation, and their variables."""

from __future__ import annotations

from typing import Any

from ..parsing.pointers import escape_token
from .openapi_context import _Ctx, _mapping
from .values import missing_from


def _server_map(servers: Any) -> dict[str, tuple[int, dict[str, Any]]]:
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    if isinstance(servers, list):
        for index, server in enumerate(servers):
            if isinstance(server, dict) and isinstance(server.get("url"), str):
                out.setdefault(server["url"].rstrip("/") or "/", (index, server))
    return out


def _base_path(url: str) -> str:
    """The path part of a server URL (``https://api.example.com/v1`` -> ``/v1``; a relative
    URL is its own path), without a trailing slash."""
    if "://" in url:
        host_and_path = url.split("://", 1)[1]
        path = "/" + host_and_path.split("/", 1)[1] if "/" in host_and_path else "/"
    else:
        path = url if url.startswith("/") else "/" + url
    return path.rstrip("/") or "/"


def _servers(ctx: _Ctx, bservers: Any, rservers: Any, pointer: str, op: str | None) -> None:
    """Base URLs clients are configured with: one that disappears strands them."""
    if bservers == rservers:
        return
    bmap, rmap = _server_map(bservers), _server_map(rservers)
    if not bmap and not rmap:
        return
    scope: dict[str, Any] = {"scope": "operation" if op else "api"}
    old_paths, new_paths = {_base_path(url) for url in bmap}, {_base_path(url) for url in rmap}
    if bmap and rmap and not set(bmap) & set(rmap) and not old_paths & new_paths:
        # every URL clients are configured with is gone and none of the new ones serves the
        # old base path (/v1 -> /v2): each request a client sends misses the API
        first = min(rmap.values(), key=lambda item: item[0])[0]
        ctx.add("api.server.base-path.changed", location=f"{pointer}/{first}", operation=op,
                subject=", ".join(sorted(new_paths)), before=", ".join(sorted(old_paths)),
                after=", ".join(sorted(new_paths)), **scope)
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
            for value in missing_from(benum or [], renum):
                ctx.add("api.server.variable.enum.value-removed", location=vloc, operation=op, subject=subject,
                        before=value, variable=name, value=value, **scope)
