"""Pact consumer contracts (specification v2, v3 and v4): which requests a consumer
makes and which response fields it reads.

A Pact response body is an example of what the consumer checks, so its leaves are the
fields the consumer relies on; a field the example does not mention is one the
consumer does not read. Arrays follow the diff's spelling: ``lines/items/sku``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from ..errors import InputError
from .files import RowProblems, place_of, read_structured
from .operations import SpecOperations
from .routes import HTTP_METHODS

MAX_CONTRACT_FILES = 10_000


@dataclass
class Interaction:
    method: str
    path: str
    status: str | None
    request_fields: list[str]
    response_fields: list[str]
    parameters: list[str]
    description: str = ""
    place: str = ""
    # the request as the Pact writes it: provider verification sends exactly this
    request: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Contract:
    consumer: str
    provider: str
    file: str
    version: str
    interactions: list[Interaction] = field(default_factory=list)


@dataclass
class ContractSet:
    contracts: list[Contract] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def load_contracts(path: str | os.PathLike[str]) -> ContractSet:
    """A Pact file, or every ``*.json`` file under a folder (sorted, so runs agree)."""
    name = os.fspath(path)
    target = Path(path)
    out = ContractSet()
    if target.is_dir():
        files = _pact_files(target, name)
        if not files:
            raise InputError("the contracts folder holds no Pact file (*.json)", file=name)
        if len(files) > MAX_CONTRACT_FILES:
            raise InputError(f"the contracts folder holds more than {MAX_CONTRACT_FILES} files", file=name)
        for file in files:
            rel = file.relative_to(target).as_posix()
            out.contracts.append(_load_pact(f"{name.rstrip('/')}/{rel}", out.warnings))
    elif not target.exists():
        raise InputError("no such file or folder", file=name)
    else:
        out.contracts.append(_load_pact(name, out.warnings))
    return out


def _pact_files(folder: Path, name: str) -> list[Path]:
    """The ``*.json`` files under ``folder``, sorted. Links are not followed out of it: a
    link to a file or folder outside (``/etc``, a home folder) is refused, naming it."""
    root = folder.resolve()
    files: list[Path] = []
    for found in sorted(folder.rglob("*.json")):
        real = found.resolve()
        if root not in real.parents:
            raise InputError(f"{found.relative_to(folder).as_posix()} is a link to a file outside the contracts "
                             "folder; trustguard reads only the files inside it", file=name)
        if not real.is_dir():
            files.append(found)  # what is not a regular file is refused when read, by name
        if len(files) > MAX_CONTRACT_FILES:
            break
    return files


def _load_pact(name: str, warnings: list[str]) -> Contract:
    data, locator, _ = read_structured(name)
    if not isinstance(data, dict):
        raise InputError("not a Pact file: expected a JSON object", file=name, place="/")
    consumer = data.get("consumer")
    if not isinstance(consumer, dict) or not isinstance(consumer.get("name"), str) or not consumer["name"].strip():
        raise InputError("not a Pact file: no consumer name", file=name, place=place_of(locator, "/consumer"))
    provider = data.get("provider")
    provider_name = str(provider.get("name", "")) if isinstance(provider, dict) else ""
    version = _spec_version(data)
    interactions = data.get("interactions")
    if interactions is None and isinstance(data.get("messages"), list):
        warnings.append(f"{name}: a message Pact (no HTTP interactions); it says nothing about API calls")
        interactions = []
    if not isinstance(interactions, list):
        raise InputError("not a Pact file: 'interactions' must be a list", file=name,
                         place=place_of(locator, "/interactions"))
    contract = Contract(consumer["name"].strip(), provider_name, name, version)
    problems = RowProblems(name)
    for index, raw in enumerate(interactions):
        pointer = f"/interactions/{index}"
        parsed = _interaction(raw)
        if isinstance(parsed, str):
            problems.add(index, parsed)  # numbered like the JSON array
            continue
        parsed.place = f"{name}:{place_of(locator, pointer)}"
        contract.interactions.append(parsed)
    summary = problems.summary("interaction")
    if summary:
        warnings.append(summary)
    return contract


def _spec_version(data: dict[str, Any]) -> str:
    meta = data.get("metadata")
    if isinstance(meta, dict):
        for key in ("pactSpecification", "pact-specification", "pactSpecificationVersion"):
            spec = meta.get(key)
            if isinstance(spec, dict) and spec.get("version") is not None:
                return str(spec["version"])
            if isinstance(spec, str):
                return spec
    return "2.0.0"


def _interaction(raw: Any) -> Interaction | str:
    """An interaction, or the reason it cannot be used."""
    if not isinstance(raw, dict):
        return "an interaction must be an object"
    kind = raw.get("type")
    if isinstance(kind, str) and kind != "Synchronous/HTTP":
        return f"not an HTTP interaction ({kind})"
    request = raw.get("request")
    response = raw.get("response")
    if not isinstance(request, dict):
        return "no request"
    method = request.get("method")
    path = request.get("path")
    if not isinstance(method, str) or method.lower() not in HTTP_METHODS:
        return "request method missing or unknown"
    if not isinstance(path, str) or not path.startswith("/"):
        return "request path missing (expected a path starting with '/')"
    status = None
    response_fields: list[str] = []
    if isinstance(response, dict):
        if response.get("status") is not None:
            status = str(response["status"])
        response_fields = body_fields(_body(response.get("body")), empty_is_whole=False)
    headers = request.get("headers")
    params = sorted(set(_query_names(request.get("query"))) | {
        str(h).lower() for h in (headers if isinstance(headers, dict) else ())
    })
    return Interaction(
        method=method.upper(),
        path=path,
        status=status,
        request_fields=body_fields(_body(request.get("body"))),
        response_fields=response_fields,
        parameters=params,
        description=str(raw.get("description", "")),
        request=request,
    )


_ABSENT = object()


def _body(body: Any) -> Any:
    # Pact v4 wraps bodies: {"content": ..., "contentType": ..., "encoded": false}.
    if isinstance(body, dict) and "content" in body and ("contentType" in body or "encoded" in body):
        return body.get("content")
    return body if body is not None else _ABSENT


def body_fields(body: Any, *, empty_is_whole: bool = True) -> list[str]:
    """The leaf property paths of an example body; ``""`` when the body is read whole.

    With ``empty_is_whole=False`` (a response a consumer checks), an empty object or list
    as the whole body names no field: Pact lets a response carry more than its example,
    so ``{}`` only says that the body is an object."""
    if body is _ABSENT:
        return []
    if not empty_is_whole and isinstance(body, (dict, list)) and not body:
        return []
    out: set[str] = set()
    stack: list[tuple[Any, tuple[str, ...]]] = [(body, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict) and node:
            for key, value in node.items():
                stack.append((value, (*path, str(key))))
        elif isinstance(node, list) and node:
            for item in node:
                stack.append((item, (*path, "items")))
        else:
            out.add("/".join(path))
    return sorted(out)


def _query_names(query: Any) -> list[str]:
    if isinstance(query, dict):
        return [str(k) for k in query]
    if isinstance(query, str):
        return [k for k, _ in parse_qsl(query, keep_blank_values=True)]
    return []


def undocumented_paths(
    specs: list[SpecOperations], op: str, direction: str, status: str | None, fields: list[str]
) -> list[str]:
    """The body paths of a Pact interaction that no given spec documents for operation
    ``op`` (a canonical key): in the response for ``status``, or in the request body.

    A path is documented when the base or the revision has it (the Pact was written
    against one of them); a spec that says nothing about the shape (no schema, a map, an
    external ref) rules nothing out."""
    wanted = [f for f in fields if f]
    if not wanted:
        return []
    schemas: list[tuple[SpecOperations, Any]] = []
    for spec in specs:
        found = spec.by_key.get(op)
        if found is None:
            continue
        message = spec.response(found, status) if direction == "response" else found.operation.get("requestBody")
        schemas.append((spec, spec.body_schema(message) if message is not None else None))
    if not schemas:
        return []
    return [f for f in wanted if not any(
        schema is not None and spec.has_path(schema, f.split("/")) for spec, schema in schemas
    )]


def likely_paths(
    specs: list[SpecOperations], op: str, direction: str, status: str | None, undocumented: list[str]
) -> list[str]:
    """What the undocumented paths of an interaction most likely mean (see
    :meth:`SpecOperations.anchor`): what the consumer probably reads or sends."""
    out: set[str] = set()
    for spec in specs:
        found = spec.by_key.get(op)
        if found is None:
            continue
        message = spec.response(found, status) if direction == "response" else found.operation.get("requestBody")
        schema = spec.body_schema(message) if message is not None else None
        if schema is None:
            continue
        for path in undocumented:
            anchored = spec.anchor(schema, path.split("/"))
            if anchored:
                out.add(anchored)
    return sorted(out)


def pact_request(interaction: Interaction) -> tuple[dict[str, list[str]], dict[str, str], Any]:
    """(query, headers, body) of the request a Pact interaction makes: ``body`` is
    ``None`` when it sends none (and JSON ``null`` is read as none too)."""
    request = interaction.request
    query: dict[str, list[str]] = {}
    raw_query = request.get("query")
    if isinstance(raw_query, dict):
        for name, value in raw_query.items():
            query[str(name)] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    elif isinstance(raw_query, str):
        for name, value in parse_qsl(raw_query, keep_blank_values=True):
            query.setdefault(name, []).append(value)
    headers = request.get("headers")
    flat = {str(k).lower(): ", ".join(map(str, v)) if isinstance(v, list) else str(v)
            for k, v in (headers.items() if isinstance(headers, dict) else ())}
    body = _body(request.get("body"))
    return query, flat, None if body is _ABSENT else body
