"""The vocabulary the OpenAPI loader's checks share: HTTP methods and parameter places,
where a problem is (a JSON pointer into the file as written), refs split into file and
pointer, and the error naming that place."""

from __future__ import annotations

import posixpath
import re
from typing import Any, TypeAlias
from urllib.parse import unquote

from ..errors import InputError
from ..parsing.locator import Locator
from ..parsing.pointers import escape_token
from .document import Document

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


MAX_REF_FILES = 500


#: Longest path template accepted. Every finding on an operation names its path, so a
#: 40 kB path with a few thousand findings made a report a thousand times the spec's size
#: (a 4,000-parameter path: 390 MB of JSON from 350 kB). Real paths stay under 300 characters.
MAX_PATH_LENGTH = 4096


WINDOWS_ABSOLUTE = re.compile(r"^[A-Za-z]:[\\/]")


PARAM_LOCATIONS_3 = ("query", "header", "path", "cookie")


PARAM_LOCATIONS_2 = ("query", "header", "path", "formData", "body")


# Where the structure check is: a JSON pointer, or (where, token) built as it goes down and
# spelled out only for a message (most of a document is never the subject of one).
At: TypeAlias = "str | tuple[At, str | int]"


# A $ref the structure check saw: (the ref, the file it is in, where, what its target
# must be -- a role of ROLE_CHECKS, or None where the diff does not read the target).
Ref: TypeAlias = "tuple[str, str, At, str | None]"


def pointer_of(at: At) -> str:
    """The JSON pointer of a place the structure check passed."""
    tokens: list[str] = []
    while not isinstance(at, str):
        at, token = at
        tokens.append(str(token) if isinstance(token, int) else escape_token(token))
    return at + "".join("/" + token for token in reversed(tokens))


def ref_file_key(current: str, target: str) -> str:
    """The key of the file a ``$ref`` names, relative to the main file's folder."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(current), unquote(target)))


def split_ref(ref: str) -> tuple[str, str]:
    """(file part, JSON pointer) of a ``$ref``, the pointer percent-decoded."""
    target_file, _, fragment = ref.partition("#")
    return target_file, unquote(fragment)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"a string ({value[:40]!r})" if len(value) <= 40 else "a string"
    return f"a number ({value!r})" if isinstance(value, (int, float)) else type(value).__name__


def place_of(doc: Document, file_key: str, at: At) -> str:
    """``line:column`` of ``pointer`` in one of the document's files, else the pointer."""
    pointer = pointer_of(at)
    locator: Locator | None = doc.locator if file_key == doc.key else doc.locators.get(file_key)
    if locator is not None:
        pos = locator.position(pointer)
        if pos is not None:
            return f"{pos[0]}:{pos[1]}"
    return pointer or "/"


def fail_at(doc: Document, file_key: str, at: At, message: str) -> InputError:
    label = doc.file_label(file_key)
    pointer = pointer_of(at)
    place = place_of(doc, file_key, pointer)
    if place[:1].isdigit():
        message += f" (at {pointer or '/'})"
    return InputError(message, file=label, place=place)


# Keys whose values are data, not OpenAPI objects or schemas (an example may hold anything).
DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const", "value"})


# What the target of a $ref must be, by the place of the $ref: the walker's check of it.
ROLE_CHECKS: dict[str, str] = {
    "a schema": "schema", "a parameter": "parameter", "a request body": "request_body",
    "a response": "response", "a header": "header", "a security scheme": "security_scheme",
    "a callback": "callback", "a path item": "path_item",
}
