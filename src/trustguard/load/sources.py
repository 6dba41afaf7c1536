"""Where input comes from: a file, stdin (``-``) or a git revision (``REV:path``)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from ..errors import InputError

MAX_INPUT_BYTES = 256 * 1024 * 1024
_CHUNK = 1024 * 1024


def read_bounded(handle: BinaryIO, limit: int = MAX_INPUT_BYTES) -> bytes:
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


@dataclass(frozen=True)
class Source:
    """Raw bytes and where they came from. ``reader`` reads sibling files for ``$ref``."""

    name: str
    raw: bytes
    reader: SiblingReader
    #: parsed forms of ``raw`` (by label), so that detecting the kind and loading parse once
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


class SiblingReader:
    """Reads files next to the input, never outside its folder unless allowed."""

    def __init__(self, root: Path | None, allow_outside: bool = False) -> None:
        self.root = root
        self.allow_outside = allow_outside

    def read(self, relative: str, current: str, name: str, place: str) -> bytes:
        """Read ``relative`` (as written in a ``$ref``) seen from file ``current``."""
        if self.root is None:
            raise InputError(
                f"cannot resolve $ref to {relative!r}: the input has no folder (stdin)",
                file=name,
                place=place,
            )
        root = self.root.resolve()
        # resolve() follows symlinks: a link inside the folder to a file outside is refused too
        target = (root / current).parent.joinpath(relative).resolve()
        if not self.allow_outside and root not in target.parents:
            raise InputError(
                f"$ref {relative!r} points outside the spec's folder; pass --allow-external-refs to allow it",
                file=name,
                place=place,
            )
        try:
            with target.open("rb") as handle:
                data = read_bounded(handle)
        except OSError as exc:
            raise InputError(
                f"cannot read $ref target {relative!r}: {exc.strerror or exc}", file=name, place=place
            ) from None
        _check_size(data, name)
        return data


class GitReader(SiblingReader):
    """Reads the files a ``$ref`` names from the same git revision as the spec."""

    def __init__(self, rev: str, folder: str, cwd: Path, allow_outside: bool = False) -> None:
        super().__init__(None, allow_outside)
        self.rev = rev
        self.folder = folder  # as written, so that a leading ./ keeps git's cwd-relative meaning
        self.cwd = cwd

    def read(self, relative: str, current: str, name: str, place: str) -> bytes:
        if relative.startswith("/"):
            raise InputError(
                f"$ref {relative!r} is an absolute path; a git revision has only repository paths",
                file=name,
                place=place,
            )
        parts: list[str] = []
        for part in (PurePosixPath(current).parent / relative).parts:
            if part == "..":
                if parts and parts[-1] != "..":
                    parts.pop()
                elif self.allow_outside:
                    parts.append(part)
                else:
                    raise InputError(
                        f"$ref {relative!r} points outside the spec's folder; "
                        "pass --allow-external-refs to allow it",
                        file=name,
                        place=place,
                    )
            elif part not in (".", ""):
                parts.append(part)
        path = "/".join([self.folder, *parts]) if self.folder else "/".join(parts)
        data = git_show(self.rev, path, self.cwd, name, place)
        _check_size(data, name)
        return data


def git_show(rev: str, path: str, cwd: Path, name: str, place: str | None = None) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "show", f"{rev}:{path}"],
            cwd=cwd,
            capture_output=True,
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"cannot run git: {exc}", file=name, place=place) from None
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(
            f"git cannot show {rev}:{path}: {detail[-1] if detail else 'unknown error'}",
            file=name,
            place=place,
        )
    return proc.stdout


def _split_git_spec(spec: str) -> tuple[str, str] | None:
    if ":" not in spec or os.path.exists(spec):
        return None
    rev, _, path = spec.partition(":")
    if not rev or not path or (len(rev) == 1 and rev.isalpha()):  # a Windows drive letter
        return None
    if "://" in spec:
        return None
    return rev, path


def read_source(spec: str | os.PathLike[str], *, allow_outside: bool = False) -> Source:
    """Read an input given as a path, ``-`` for stdin, or ``REV:path`` for git."""
    text = os.fspath(spec)
    if text.startswith(("http://", "https://", "file://", "ftp://")):
        raise InputError("remote inputs are not read: trustguard works offline (download the file first)",
                         file=text)
    if text == "-":
        raw = read_bounded(sys.stdin.buffer)
        _check_size(raw, "<stdin>")
        return Source("<stdin>", raw, SiblingReader(None))
    git = _split_git_spec(text)
    if git is not None:
        rev, path = git
        raw = git_show(rev, path, Path.cwd(), text)
        _check_size(raw, text)
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        return Source(text, raw, GitReader(rev, folder, Path.cwd(), allow_outside))
    path_obj = Path(text)
    if path_obj.is_dir():
        raise InputError("is a folder, expected a file", file=text)
    try:
        if path_obj.stat().st_size > MAX_INPUT_BYTES:  # refused before reading it into memory
            raise InputError(f"the file is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB", file=text)
        with path_obj.open("rb") as handle:
            raw = read_bounded(handle)
    except FileNotFoundError:
        raise InputError("no such file", file=text) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=text) from None
    _check_size(raw, text)
    return Source(text, raw, SiblingReader(path_obj.parent, allow_outside))


def _check_size(raw: bytes, name: str) -> None:
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(f"the file is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB", file=name)
