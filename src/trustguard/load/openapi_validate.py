"""``--validate`` / ``--strict``: the document checked against the OpenAPI schema by
openapi-spec-validator; problems are warnings (or errors with --strict)."""

from __future__ import annotations

from typing import Any

from ..parsing.pointers import escape_token
from .document import Document

MAX_PROBLEMS = 200


def validate_spec(
    data: dict[str, Any], doc: Document, files: dict[str, Any] | None = None,
) -> list[tuple[str, str]]:
    """openapi-spec-validator's problems, as sorted (JSON pointer, message) pairs."""
    try:
        from openapi_spec_validator import (
            OpenAPIV2SpecValidator,
            OpenAPIV30SpecValidator,
            OpenAPIV31SpecValidator,
        )
    except ImportError:  # pragma: no cover - a dependency, but fail soft if it is broken
        return [("", "openapi-spec-validator is not installed: nothing was validated")]
    from .spec_patterns import safe_keyword_validators  # (imports jsonschema: only when validating)
    version = str(data.get("openapi") or data.get("swagger"))
    base = OpenAPIV2SpecValidator if version.startswith("2") else (
        OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    )
    files = {doc.key: data, **(doc.files if files is None else files)}

    def local_only(uri: str) -> Any:
        # Sibling files come from what the loader already read (and checked): the
        # validator never touches the disk or the network itself.
        key = uri.split("#", 1)[0].removeprefix(_BASE_URI)
        if key in files:
            return files[key]
        raise ValueError(f"not a file of this spec: {uri}")

    handlers = {"file": local_only, "http": local_only, "https": local_only, "<all_urls>": local_only}
    attributes: dict[str, Any] = {"resolver_handlers": handlers}
    keyword_validators = safe_keyword_validators(base)  # the spec's patterns run by RE2
    if keyword_validators is not None:
        attributes["keyword_validators"] = keyword_validators
    validator_cls = type("LocalValidator", (base,), attributes)
    problems: list[tuple[str, str]] = []
    try:
        validator = validator_cls(data, base_uri=_BASE_URI + (doc.key or "spec.json"))
        for error in validator.iter_errors():
            path = "".join("/" + escape_token(str(p)) for p in getattr(error, "path", []))
            message = str(getattr(error, "message", error)).splitlines()[0]
            problems.append((path, message[:300]))
            if len(problems) >= MAX_PROBLEMS:
                break
    except RecursionError:
        problems.append(("", "the validator gave up: the spec nests too deeply for it"))
    except Exception as exc:
        detail = (str(exc).splitlines() or [""])[0][:200]
        problems.append(("", f"the validator stopped: {type(exc).__name__}: {detail}"))
    finally:
        # iter_errors is cached per instance (functools.lru_cache on the method) and would
        # keep the whole spec alive; clear it.
        cached = getattr(base.iter_errors, "__wrapped__", None)
        clear = getattr(cached, "cache_clear", None)
        if callable(clear):
            clear()
    return sorted(set(problems))


_BASE_URI = "file:///trustguard-spec/"
