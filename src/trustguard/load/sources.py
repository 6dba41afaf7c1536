"""Where input comes from: a file, stdin (``-``) or a git revision (``REV:path``)."""

from __future__ import annotations

import errno
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import InputError
from ..parsing.regular import MAX_INPUT_BYTES, mib, open_regular, read_bounded, read_regular

__all__ = ["MAX_INPUT_BYTES", "GitReader", "SiblingReader", "Source", "git_show", "read_bounded", "read_source"]

_GIT_TIMEOUT = 120  # seconds: a local ``git show`` takes milliseconds


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

    def __init__(self, root: Path | None, allow_outside: bool = False, used: int = 0) -> None:
        self.root = root
        self.allow_outside = allow_outside
        #: bytes read so far for this spec (its own file included): the files a spec pulls
        #: in by $ref are bounded together as one file is, not each on its own
        self.used = used

    def _count(self, size: int, target: str, relative: str, name: str, place: str) -> None:
        """Add a file a ``$ref`` reached to the spec's total, refusing it past the bound."""
        if size > MAX_INPUT_BYTES:
            raise InputError(f"$ref {relative!r} reaches {target}, a file larger than {mib(MAX_INPUT_BYTES)}",
                             file=name, place=place)
        if self.used + size > MAX_INPUT_BYTES:
            raise InputError(
                f"$ref {relative!r} reaches {target} ({size:,} bytes): the spec and the files it reaches "
                f"by $ref would total more than {mib(MAX_INPUT_BYTES)}", file=name, place=place)
        self.used += size

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
        shown = _shown(target, root)
        try:
            handle, size = open_regular(target, name, place, missing=os.strerror(errno.ENOENT))
        except InputError as exc:
            raise InputError(f"cannot read $ref target {relative!r} ({shown}): {exc.message}",
                             file=name, place=place) from None
        with handle:
            self._count(size, shown, relative, name, place)  # before reading it into memory
            try:
                data = read_bounded(handle, MAX_INPUT_BYTES - self.used + size)
            except OSError as exc:
                raise InputError(f"cannot read $ref target {relative!r} ({shown}): {exc.strerror or exc}",
                                 file=name, place=place) from None
        self._count(len(data) - size, shown, relative, name, place)  # it grew meanwhile
        return data


def _shown(target: Path, root: Path) -> str:
    """A sibling file as a user would name it: relative to the spec's folder."""
    try:
        return target.relative_to(root).as_posix()
    except ValueError:
        return str(target)


class GitReader(SiblingReader):
    """Reads the files a ``$ref`` names from the same git revision as the spec."""

    def __init__(self, rev: str, folder: str, cwd: Path, allow_outside: bool = False, used: int = 0) -> None:
        super().__init__(None, allow_outside, used)
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
        shown = f"{self.rev}:{path}"
        data = git_show(self.rev, path, self.cwd, name, place, limit=MAX_INPUT_BYTES - self.used)
        # None: more than the bytes left (the size is not known, only that it is too many)
        self._count(len(data) if data is not None else MAX_INPUT_BYTES - self.used + 1,
                    shown, relative, name, place)
        assert data is not None
        return data


def check_revision(rev: str, name: str) -> None:
    """Refuse a git revision that git would read as an option (``--output=FILE`` writes a
    file): a revision never starts with ``-``."""
    if rev.startswith("-"):
        raise InputError(f"invalid git revision {rev!r}: a revision cannot start with '-'", file=name)


def git_show(
    rev: str, path: str, cwd: Path, name: str, place: str | None = None, *, limit: int = MAX_INPUT_BYTES,
) -> bytes | None:
    """The bytes of ``path`` at ``rev``; None when there are more than ``limit``.

    ``--end-of-options`` (git >= 2.24) keeps whatever follows from being read as an option,
    and the revision is checked besides. The output is read at most ``limit + 1`` bytes,
    not whole: a blob of the revision is as untrusted as a file."""
    import subprocess  # here: a check of two files runs no git (~2 ms to import)

    check_revision(rev, name)
    try:
        proc = subprocess.Popen(
            ["git", "show", "--end-of-options", f"{rev}:{path}"],
            cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
    except OSError as exc:
        raise InputError(f"cannot run git: {exc}", file=name, place=place) from None
    timer = threading.Timer(_GIT_TIMEOUT, proc.kill)
    timer.daemon = True  # never keeps trustguard alive on its own
    timer.start()
    try:
        assert proc.stdout is not None and proc.stderr is not None
        data = read_bounded(proc.stdout, max(0, limit))
        if len(data) > limit:
            proc.kill()
            proc.wait()
            return None
        stderr = proc.stderr.read(64 * 1024)
        proc.wait()
    finally:
        timer.cancel()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    if proc.returncode != 0:
        detail = stderr.decode("utf-8", "replace").strip().splitlines()
        if proc.returncode < 0 and not detail:
            detail = [f"git took longer than {_GIT_TIMEOUT} s"]
        raise InputError(
            f"git cannot show {rev}:{path}: {detail[-1] if detail else 'unknown error'}",
            file=name,
            place=place,
        )
    return data


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
        shown = git_show(rev, path, Path.cwd(), text)
        if shown is None:
            raise InputError(f"the file is larger than {mib(MAX_INPUT_BYTES)}", file=text)
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        return Source(text, shown, GitReader(rev, folder, Path.cwd(), allow_outside, used=len(shown)))
    raw = read_regular(text, text)
    return Source(text, raw, SiblingReader(Path(text).parent, allow_outside, used=len(raw)))


def _check_size(raw: bytes, name: str) -> None:
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(f"the file is larger than {mib(MAX_INPUT_BYTES)}", file=name)
