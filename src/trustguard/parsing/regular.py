"""Opening input files safely: regular files only, never blocking, bounded in size.

In CI the files trustguard reads (the spec's revision, its sibling files, the impact
inputs) may come from the author of a pull request. A FIFO would block ``open`` and
``read`` forever, a device such as ``/dev/zero`` never ends: only regular files are read.
The file is opened with ``O_NONBLOCK`` (so a FIFO cannot block the open itself) and
checked with ``fstat`` on the open descriptor (so it cannot be swapped in between).
"""

from __future__ import annotations

import os
import stat
from typing import IO, BinaryIO

from ..errors import InputError

#: the most bytes one input file, or all the files one spec pulls in by ``$ref``, may hold
MAX_INPUT_BYTES = 256 * 1024 * 1024
_CHUNK = 1024 * 1024


def mib(size: int) -> str:
    """A size bound as people read it: ``256 MiB`` (bytes when not whole mebibytes)."""
    return f"{size // (1024 * 1024)} MiB" if size % (1024 * 1024) == 0 else f"{size:,} bytes"


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def open_regular(
    path: str | os.PathLike[str], name: str, place: str | None = None, *, missing: str = "no such file",
) -> tuple[BinaryIO, int]:
    """Open ``path`` for reading if it is a regular file: (binary handle, size).

    Raises :class:`InputError` naming ``name`` (and ``place``) otherwise; ``missing``
    is the message when there is no such file."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError(missing, file=name, place=place) from None
    except IsADirectoryError:
        raise InputError("is a folder, expected a file", file=name, place=place) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=name, place=place) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _kind_of(info.st_mode)
            message = "is a folder, expected a file" if kind == "a folder" else (
                f"is {kind}, not a regular file: only regular files are read")
            raise InputError(message, file=name, place=place)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: plain blocking reads from here on
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def read_regular(
    path: str | os.PathLike[str], name: str, *, limit: int = MAX_INPUT_BYTES, place: str | None = None,
    too_big: str | None = None,
) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes. The size is checked before
    reading (a 2 GB file is refused, not read into memory), and again while reading (a
    file that grows meanwhile). ``too_big``: the message when it is larger."""
    handle, size = open_regular(path, name, place)
    message = too_big or f"the file is larger than {mib(limit)}"
    with handle:
        if size > limit:
            raise InputError(message, file=name, place=place)
        try:
            data = read_bounded(handle, limit)
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror or exc}", file=name, place=place) from None
    if len(data) > limit:
        raise InputError(message, file=name, place=place)
    return data


def read_bounded(handle: IO[bytes], limit: int = MAX_INPUT_BYTES) -> bytes:
    """At most ``limit + 1`` bytes (one more tells the input is too large).

    ``read(limit + 1)`` would allocate the whole limit up front: 256 MiB, and a copy,
    for a 4 MB spec. A file is read at its size, a pipe one chunk at a time."""
    try:
        size = os.fstat(handle.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        size = 0
    chunks: list[bytes] = []
    total = 0
    want = min(size, limit) + 1 if size > 0 else _CHUNK
    while total <= limit:
        asked = min(want, limit + 1 - total)
        chunk = handle.read(asked)
        chunks.append(chunk)
        total += len(chunk)
        if len(chunk) < asked:  # a buffered read comes back short only at the end
            break
        want = _CHUNK
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)
