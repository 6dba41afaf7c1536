"""The release file: one release, its dates, its documents, its announcement, its data.

    name: Orderly API v2
    announced: 2026-03-02
    effective: 2026-03-16          # one date, or one per document: {api: ..., pricing: ...}
    announcement: announcement.md  # Markdown or plain text
    documents:
      api:     {base: api/v1.yaml, revision: api/v2.yaml}
      pricing: {base: pricing/old.yaml, revision: pricing/new.yaml}
      terms:   {base: terms/old.md, revision: terms/new.md}
    impact: {customers: customers.csv, usage: usage.jsonl, integrations: integrations.yaml, contracts: pacts}

A document's kind is named by its key (``api``/``openapi``, ``pricing``, ``terms``, or one
of them followed by ``-`` and a name: ``api-billing``) or by ``kind:``. Paths are read
relative to the release file's folder; ``REV:path`` is read from git as everywhere else.

Everything a bad file can get wrong is found here, before any document is diffed, and
named by the file, the key and its line: nothing is written for a release that cannot run.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..config import did_you_mean
from ..config_files import split_git_spec
from ..errors import InputError
from ..load.parse import Locator, YamlIndex, decode_text, parse_yaml
from ..load.regular import read_regular
from ..model import DocumentKind

KindName = Literal["openapi", "pricing", "terms"]
_KEY_KINDS = {"api": "openapi", "openapi": "openapi", "pricing": "pricing", "terms": "terms"}


class DocumentEntry(BaseModel):
    """One document the release changes: its two versions."""

    model_config = ConfigDict(extra="forbid")

    kind: KindName | None = Field(None, description="The document's kind (default: named by its key).")
    base: str = Field(min_length=1, description="The version customers have now: a file or REV:path.")
    revision: str = Field(min_length=1, description="The version the release ships: a file or REV:path.")


class ImpactEntry(BaseModel):
    """Who the release reaches: the same data as --customers, --usage, --integrations, --contracts."""

    model_config = ConfigDict(extra="forbid")

    customers: str | None = Field(None, description="Customers (CSV, JSON or YAML); for the pricing, with plan, "
                                                    "seats and usage columns.")
    usage: str | list[str] | None = Field(None, description="Usage / access logs (CSV or JSON lines).")
    integrations: str | None = Field(None, description="Integrations (YAML).")
    contracts: str | None = Field(None, description="Pact consumer contracts (a file or a folder).")


class ReleaseFileModel(BaseModel):
    """A release: what `trustguard release FILE` reads (JSON Schema: `trustguard schema release`)."""

    model_config = ConfigDict(extra="forbid", title="trustguard release")

    name: str = Field(min_length=1, description="The release's name.")
    announced: dt.date | None = Field(None, description="The day the release is announced (YYYY-MM-DD).")
    effective: dt.date | dict[str, dt.date] | None = Field(
        None, description="The day the changes take effect: one date, or one per document key.")
    announcement: str = Field(min_length=1, description="The announcement text (Markdown or plain text): a file.")
    documents: dict[str, DocumentEntry] = Field(min_length=1, description="The documents the release changes, by key.")
    impact: ImpactEntry = Field(default_factory=ImpactEntry)


def release_schema() -> dict[str, Any]:
    return ReleaseFileModel.model_json_schema()


@dataclass(frozen=True)
class ReleaseDocumentSpec:
    key: str
    kind: DocumentKind
    base: str  # as the loaders read it: a path (resolved from the release's folder) or REV:path
    revision: str
    effective: dt.date | None


@dataclass(frozen=True)
class ReleaseFile:
    """A release file, read and checked."""

    file: str
    name: str
    announced: dt.date | None
    effective: dict[str, dt.date | None]
    announcement_file: str
    announcement: str
    documents: tuple[ReleaseDocumentSpec, ...]
    impact: dict[str, Any]
    folder: str  # the release file's folder, as given
    lines: dict[str, int]  # dotted key -> its line in the release file

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key)

    def error(self, key: str, message: str) -> InputError:
        return _error(self.file, self.lines, key, message)


def _error(file: str, lines: dict[str, int], key: str, message: str) -> InputError:
    line = lines.get(key)
    while line is None and "." in key:
        key_part = key.rsplit(".", 1)[0]
        line = lines.get(key_part)
        key = key_part if line is None else key
    return InputError(message, file=file, place=str(line) if line else None)


def load_release(path: str | os.PathLike[str]) -> ReleaseFile:
    """Read and check a release file; every problem is an InputError naming the key."""
    file = os.fspath(path)
    git = split_git_spec(file)
    if git is not None:
        raise InputError("a release file is read from the working tree, not from git "
                         "(its documents may be REV:path)", file=file)
    raw = read_regular(file, file)
    text = decode_text(raw, file)
    data, index = parse_yaml(text, file)
    lines = _key_lines(text, index, data)
    if not isinstance(data, dict):
        raise InputError("a release file is a mapping (name, announced, effective, announcement, documents, "
                         "impact)", file=file, place="1")
    try:
        model = ReleaseFileModel.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(file, lines, exc) from None
    folder = os.path.dirname(file)
    documents = tuple(_document(file, lines, folder, key, entry, _effective_of(model, key))
                      for key, entry in model.documents.items())
    _check_effective(file, lines, model)
    announcement_file = _resolve(folder, model.announcement)
    announcement = _announcement(file, lines, announcement_file)
    impact: dict[str, Any] = {}
    for key in ("customers", "usage", "integrations", "contracts"):
        value = getattr(model.impact, key)
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        resolved = [_resolve(folder, v) for v in values]
        for i, one in enumerate(resolved):
            where = f"impact.{key}" + (f"[{i}]" if isinstance(value, list) else "")
            if not os.path.exists(one):
                raise _error(file, lines, f"impact.{key}", f"{where}: no such file or folder: {one}")
        impact[key] = resolved if isinstance(value, list) else resolved[0]
    effective = {d.key: d.effective for d in documents}
    return ReleaseFile(file=file, name=model.name, announced=model.announced, effective=effective,
                       announcement_file=announcement_file, announcement=announcement, documents=documents,
                       impact=impact, folder=folder, lines=lines)


def _resolve(folder: str, written: str) -> str:
    """A path as written in the release file, read from the file's folder; ``REV:path`` and
    absolute paths as they are."""
    if os.path.isabs(written) or not folder:
        return written
    joined = os.path.normpath(os.path.join(folder, written))
    if ":" in written and not os.path.exists(joined) and split_git_spec(written) is not None:
        return written  # REV:path, read from the repository at the working directory
    return joined


def kind_for_key(key: str) -> str | None:
    """The kind a document key names (``api``, ``pricing-eu``...), or None."""
    lowered = key.lower()
    stem = lowered.split("-", 1)[0].split("_", 1)[0]
    return _KEY_KINDS.get(lowered) or _KEY_KINDS.get(stem)


def _document(file: str, lines: dict[str, int], folder: str, key: str, entry: DocumentEntry,
              effective: dt.date | None) -> ReleaseDocumentSpec:
    named = kind_for_key(key)
    if entry.kind is not None and named is not None and entry.kind != named:
        raise _error(file, lines, f"documents.{key}.kind",
                     f"documents.{key}: the key names a {named} document, but kind says {entry.kind}")
    kind = entry.kind or named
    if kind is None:
        raise _error(file, lines, f"documents.{key}",
                     f"documents.{key}: say which kind of document this is (kind: openapi, pricing or terms), "
                     "or name the key after it (api, pricing, terms, or one of them followed by -name)")
    paths = {}
    for side in ("base", "revision"):
        written = getattr(entry, side)
        resolved = _resolve(folder, written)
        if split_git_spec(resolved) is None and not Path(resolved).is_file():
            what = "is a folder, not a file" if Path(resolved).is_dir() else "no such file"
            raise _error(file, lines, f"documents.{key}.{side}", f"documents.{key}.{side}: {what}: {resolved}")
        paths[side] = resolved
    return ReleaseDocumentSpec(key, DocumentKind(kind), paths["base"], paths["revision"], effective)


def _effective_of(model: ReleaseFileModel, key: str) -> dt.date | None:
    if isinstance(model.effective, dict):
        return model.effective.get(key)
    return model.effective


def _check_effective(file: str, lines: dict[str, int], model: ReleaseFileModel) -> None:
    effective = model.effective
    if isinstance(effective, dict):
        for key in effective:
            if key not in model.documents:
                raise _error(file, lines, f"effective.{key}",
                             f"effective.{key}: no document has this key{did_you_mean(key, list(model.documents))} "
                             f"(documents: {', '.join(model.documents)})")
        dates = {f"effective.{k}": v for k, v in effective.items()}
    else:
        dates = {"effective": effective} if effective is not None else {}
    announced = model.announced
    if announced is None:
        return
    for key, day in dates.items():
        if day < announced:
            raise _error(file, lines, key, f"{key}: {day.isoformat()} is before the announcement "
                                           f"({announced.isoformat()}): a change cannot take effect before "
                                           "it is announced")


def _announcement(file: str, lines: dict[str, int], path: str) -> str:
    if split_git_spec(path) is not None:
        from ..load.sources import read_source

        raw = read_source(path).raw
    else:
        if not Path(path).is_file():
            raise _error(file, lines, "announcement", f"announcement: no such file: {path}")
        raw = read_regular(path, path)
    text = decode_text(raw, path) if raw.strip() else ""
    if not text.strip():
        raise _error(file, lines, "announcement", f"announcement: {path} is empty: there is nothing to check "
                                                  "the release against")
    return text


def _key_lines(text: str, index: YamlIndex, data: Any) -> dict[str, int]:
    """The line of every key (dotted: ``documents.api.base``) in the release file."""
    locator = Locator(text, "yaml", index)
    out: dict[str, int] = {}

    def walk(value: Any, pointer: str, dotted: str) -> None:
        if not isinstance(value, dict):
            return
        for key, child in value.items():
            token = str(key).replace("~", "~0").replace("/", "~1")
            here = f"{pointer}/{token}"
            name = f"{dotted}.{key}" if dotted else str(key)
            position = locator.position(here)
            if position is not None:
                out[name] = position[0]
            walk(child, here, name)

    walk(data, "", "")
    return out


_FIELDS: dict[str, type[BaseModel]] = {"": ReleaseFileModel, "impact": ImpactEntry}
_TYPES = {"date_from_datetime_parsing": "a date (YYYY-MM-DD)", "date_parsing": "a date (YYYY-MM-DD)",
          "date_type": "a date (YYYY-MM-DD)", "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
          "string_type": "a text", "dict_type": "a mapping", "model_type": "a mapping",
          "model_attributes_type": "a mapping", "list_type": "a list"}


def _validation_error(file: str, lines: dict[str, int], exc: ValidationError) -> InputError:
    """The first problem pydantic found, in the release file's words."""
    errors = exc.errors()
    # an unknown key first (a misspelt key is also reported missing); then the deepest
    # complaint (a union -- a date or a mapping -- reports each branch; the branch that
    # read deepest is the one the file meant), a date's before a type's
    err = min(errors, key=lambda e: (e["type"] != "extra_forbidden", -len(e["loc"]),
                                     not e["type"].startswith("date")))
    loc = [str(p) for p in err["loc"] if not (isinstance(p, str) and p in ("date", "dict[str,date]"))]
    loc = [p for p in loc if not p.startswith(("function-", "tagged-union"))]
    key = ".".join(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = ".".join(loc[:-1])
        model = _FIELDS.get(parent) or (DocumentEntry if len(loc) == 3 and loc[0] == "documents" else None)
        known = list(model.model_fields) if model is not None else []
        return _error(file, lines, key, f"{key}: unknown key{did_you_mean(loc[-1], known)}"
                                        + (f" (expected one of: {', '.join(known)})" if known else ""))
    if kind == "missing":
        return _error(file, lines, ".".join(loc[:-1]) or key, f"{key}: missing (a release names it)")
    if kind in _TYPES:
        value = err.get("input")
        shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
        return _error(file, lines, key, f"{key}: expected {_TYPES[kind]}, found {shown}")
    if kind in ("too_short", "string_too_short"):
        return _error(file, lines, key, f"{key}: must not be empty")
    if kind == "literal_error":
        return _error(file, lines, key, f"{key}: expected one of openapi, pricing, terms, found {err.get('input')!r}")
    return _error(file, lines, key, f"{key}: {err['msg']}")
