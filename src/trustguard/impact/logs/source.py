"""Usage files as the user names them: a path or a glob of many, each plain or gzip.

Files are opened as regular files only (a FIFO would block, a device never end) and read
as a stream of numbered lines: a day of access logs is never held in memory whole.
"""

from __future__ import annotations

import glob
import gzip
import os
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from ...errors import InputError
from ...load.regular import open_regular

GZIP_MAGIC = b"\x1f\x8b"
_GLOB_CHARS = ("*", "?", "[")


def expand(pattern: str | os.PathLike[str]) -> list[str]:
    """The files a ``--usage`` value names, sorted: a path, or a glob (``logs/*.log.gz``)."""
    name = os.fspath(pattern)
    if os.path.exists(name) or not any(c in name for c in _GLOB_CHARS):
        return [name]
    found = sorted(p for p in glob.glob(name, recursive=True) if not os.path.isdir(p))
    if not found:
        raise InputError("no file matches this pattern", file=name)
    return found


def is_gzip(name: str) -> bool:
    handle, _ = open_regular(name, name)
    with handle:
        return handle.read(2) == GZIP_MAGIC


def open_binary(name: str) -> BinaryIO:
    """The file's bytes, decompressed when it is gzip (told by its first bytes, not its name)."""
    handle, _ = open_regular(name, name)
    if handle.read(2) == GZIP_MAGIC:
        handle.seek(0)
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    handle.seek(0)
    return handle


def head(name: str, size: int = 65536) -> bytes:
    """The first bytes of the (decompressed) file, for telling its format."""
    with open_binary(name) as stream:
        try:
            return stream.read(size)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"cannot decompress the file: {exc}", file=name) from None


def read_all(name: str) -> bytes:
    """A whole (decompressed) document: HAR and OTLP files are one JSON value each."""
    with open_binary(name) as stream:
        try:
            return stream.read()
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"cannot decompress the file: {exc}", file=name) from None


def raw_lines(name: str) -> Iterator[tuple[int, bytes]]:
    """(line number from 1, the line's bytes) of a plain or gzip file."""
    with open_binary(name) as stream:
        number = 0
        try:
            for number, raw in enumerate(stream, start=1):
                yield number, raw
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"cannot decompress the file after line {number}: {exc}", file=name) from None
