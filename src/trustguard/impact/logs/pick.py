"""``--customer-from``: which part of a logged request says who the customer is.

``header:X-Api-Key``, ``query:api_key``, ``user`` (the authenticated user of the log
line, ``enduser.id`` of a span), ``path:NAME`` (the value of the path parameter NAME of
the operation the request routes to: a tenant in the path, ``/orgs/{org}/...``; or
``path:N``, the N-th segment of the logged path, from 1) or ``field:NAME`` (a field of
the log record: a JSON key, a CloudFront or ALB field name, an OpenTelemetry attribute,
the N-th extra field after a combined log line). The value found is mapped through the customer list (its API keys,
then its ids); a value that maps to no customer is counted and reported, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from ...errors import InputError

KINDS = ("header", "query", "user", "field", "path")


@dataclass(frozen=True)
class CustomerFrom:
    kind: str  # one of KINDS
    name: str = ""  # the header, query parameter or field; "" for user

    @property
    def routed(self) -> bool:
        """Read from the request's path once it is routed, whatever the log's format."""
        return self.kind == "path"

    @property
    def secret(self) -> bool:
        """Headers and query parameters carry API keys: never written into a report."""
        return self.kind in ("header", "query")

    def __str__(self) -> str:
        return self.kind if not self.name else f"{self.kind}:{self.name}"


def parse_customer_from(text: str) -> CustomerFrom:
    kind, sep, name = text.strip().partition(":")
    kind = kind.strip().lower()
    name = name.strip()
    if kind == "user" and not name:
        return CustomerFrom("user")
    if kind == "path" and sep and name:
        name = name.removeprefix("{").removesuffix("}")
        if name.isdigit() and int(name) < 1:
            raise InputError(f"--customer-from {text!r}: path segments count from 1")
        if name:
            return CustomerFrom(kind, name)
    if kind in ("header", "query", "field") and sep and name:
        return CustomerFrom(kind, name)
    raise InputError(
        f"--customer-from {text!r}: expected header:NAME, query:NAME, user, field:NAME or path:NAME"
    )


def unavailable(pick: CustomerFrom, fmt: str, offers: str, file: str) -> InputError:
    return InputError(f"--customer-from {pick}: {fmt} does not carry it (it offers {offers})", file=file)


def query_value(target: str | None, name: str) -> str | None:
    """A query parameter of a logged path or URL (the first when repeated)."""
    if not target or "?" not in target:
        return None
    if "://" in target:
        try:
            query = urlsplit(target).query
        except ValueError:  # a host urlsplit refuses ('[' unclosed): its query is still after '?', before '#'
            query = target.partition("#")[0].partition("?")[2]
    else:
        query = target.partition("?")[2].partition("#")[0]
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key == name:
            return value or None
    return None
