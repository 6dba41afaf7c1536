"""Load an OpenAPI 3.0 / 3.1 or Swagger 2.0 document into one internal (3.x) form.

``$ref`` is checked here, not inlined: the diff follows refs itself so that a shared
component is compared once. Local refs, and refs to sibling files under the spec's
folder, are allowed; remote refs and refs that escape the folder are refused. What a
ref reaches must be what its place expects (a schema where a schema goes...), checked
as such wherever it is: a ref to a string or a list would hide the change behind it.
(Path items that are a ref are the exception to "not inlined": the diff reads paths as
parts of the main file, so they are put in place, their refs rebased.)

Without ``--validate`` the loader still checks the shape the diff relies on (paths,
operations, parameters, bodies, responses, schemas' sub-schemas), so that anything it
accepts can be compared without surprises, and stops at the first thing it cannot read.
"""

from __future__ import annotations

import posixpath
import re
from functools import partial
from typing import Any

from ..model import DocumentKind
from ..parsing.text import check_depth
from .document import Document, parse_against
from .openapi_common import (
    DATA_KEYS,
    HTTP_METHODS,
    MAX_PATH_LENGTH,
    MAX_REF_FILES,
    WINDOWS_ABSOLUTE,
    fail_at,
    place_of,
    pointer_of,
    ref_file_key,
    split_ref,
    type_name,
)
from .openapi_refs import check_refs, follow_ref, inline_path_items
from .openapi_structure import MAX_SCHEMA_DEPTH, Checked, Walker, version_class
from .openapi_validate import MAX_PROBLEMS, validate_spec
from .sources import Source, read_source
from .swagger import swagger_to_openapi3, swagger_warnings

# the names this module had before its checks moved to their own modules
__all__ = ["DATA_KEYS", "HTTP_METHODS", "MAX_PATH_LENGTH", "MAX_PROBLEMS", "MAX_REF_FILES", "MAX_SCHEMA_DEPTH",
           "load_openapi", "pointer_of", "ref_file_key", "split_ref", "validate_spec"]


def load_openapi(
    source: str | Source | dict[str, Any],
    *,
    validate: bool = False,
    strict: bool = False,
    allow_external_refs: bool = False,
    name: str | None = None,
    like: Document | None = None,
    **_options: Any,
) -> Document:
    """Load and check an OpenAPI document. Raises :class:`InputError` on bad input.

    ``like``: the other version of a pair, loaded already; what is unchanged from it is
    not checked twice."""
    reader: Any = None
    same: dict[int, Any] = {}
    checked = like.checked if like is not None and isinstance(like.checked, Checked) else None
    if isinstance(source, dict):
        label = name or "<dict>"
        check_depth(source, label)
        doc = Document(DocumentKind.OPENAPI, source, label, key="")
    else:
        src = source if isinstance(source, Source) else read_source(source, allow_outside=allow_external_refs)
        data, locator, same = parse_against(src, checked.data if checked is not None else None,
                                            like_locator=like.locator if like is not None else None)
        label = src.name
        doc = Document(DocumentKind.OPENAPI, data, label, key=_main_key(label), locator=locator)
        reader = src.reader
    version = _check_root(doc)
    doc.meta["openapi_version"] = version
    swagger = version.startswith("2")
    walker = Walker(doc, doc.key, swagger=swagger, openapi31=version.startswith("3.1"))
    if checked is not None and checked.version == version_class(version):
        walker.like(same, checked)
    walker.root(doc.data)
    doc.checked = Checked(version_class(version), doc.data, walker.refs, walker.spans, walker.partial)
    reached = check_refs(doc, reader, walker, allow_external_refs)
    if not swagger:  # a converted Swagger document holds other objects
        doc.ref_holders = walker.ref_holders
    inline_path_items(doc)
    original, original_files = doc.data, doc.files
    if swagger:
        doc.data, doc.files, back = swagger_to_openapi3(
            original, files=doc.files, main=doc.key, reached=reached, follow=partial(follow_ref, doc))
        doc.pointer_map = back
        doc.meta["converted_from"] = "swagger-2.0"
        doc.clear_resolved()  # what refs reached in the Swagger form is not what the diff reads
        doc.warnings.extend(f"{label}: {warning}" for warning in swagger_warnings(original))
    if validate or strict:
        problems = validate_spec(original, doc, original_files)
        if problems and strict:
            pointer, message = problems[0]
            raise fail_at(doc, doc.key, pointer,
                        f"the spec is not valid OpenAPI ({len(problems)} problem(s)); first: {message}")
        for pointer, message in problems:
            place = place_of(doc, doc.key, pointer)
            where = f"{label}:{place}" if place[:1].isdigit() else label
            doc.warnings.extend([f"{where}: {pointer or '/'}: {message}"])
    return doc


def _main_key(label: str) -> str:
    if label == "<stdin>":
        return ""
    key = label.replace("\\", "/")
    if ":" in key and not WINDOWS_ABSOLUTE.match(key):  # REV:path
        key = key.split(":", 1)[1]
    return posixpath.basename(key)


def _check_root(doc: Document) -> str:
    data = doc.data
    if not isinstance(data, dict):
        raise fail_at(doc, doc.key, "",
                    f"not an OpenAPI document: expected a mapping at the top, found {type_name(data)}")
    if "openapi" in data:
        version = str(data["openapi"])
        if not re.match(r"3\.[01](\.|$)", version):
            raise fail_at(doc, doc.key, "/openapi",
                        f"unsupported OpenAPI version {version!r} (expected 3.0.x, 3.1.x or Swagger 2.0)")
        return version
    if "swagger" in data:
        version = str(data["swagger"])
        if version != "2.0":
            raise fail_at(doc, doc.key, "/swagger", f"unsupported Swagger version {version!r} (expected 2.0)")
        return version
    raise fail_at(doc, doc.key, "",
                "not an OpenAPI document: expected a top-level 'openapi' (3.x) or 'swagger' (2.0) key")
