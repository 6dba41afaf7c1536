"""JSON pointers (RFC 6901): splitting, escaping and joining tokens."""

from __future__ import annotations


def unescape_pointer(pointer: str) -> list[str]:
    if not pointer or pointer == "/":
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]


def escape_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def join_pointer(*tokens: str) -> str:
    return "".join("/" + escape_token(t) for t in tokens)
