"""Where input comes from: a file, stdin (``-``) or a git revision (``REV:path``)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import InputError

MAX_INPUT_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """Raw bytes and where they came from. ``reader`` reads sibling files for ``$ref``."""

    name: str
    raw: bytes
    reader: SiblingReader


class SiblingReader:
    """Reads files next to the input, never outside its folder unless allowed."""

    def __init__(self, root: Path | None, allow_outside: bool = False) -> None:
        self.root = root
        self.allow_outside = allow_outside

    def read(self, relative: str, current: str, name: str, place: str) -> tuple[str, bytes]:
        """Read ``relative`` (as written in a ``$ref``) seen from file ``current``."""
        if self.root is None:
            raise InputError(
                f"cannot resolve $ref to {relative!r}: the input has no folder (stdin)",
                file=name,
                place=place,
            )
        base = (self.root / current).parent
        target = (base / relative).resolve()
        root = self.root.resolve()
        if not self.allow_outside and root not in target.parents and target != root:
            raise InputError(
                f"$ref {relative!r} points outside the spec's folder ({root}); "
                "pass --allow-external-refs to allow it",
                file=name,
                place=place,
            )
        try:
            data = target.read_bytes()
        except OSError as exc:
            raise InputError(
                f"cannot read $ref target {relative!r}: {exc.strerror or exc}", file=name, place=place
            ) from None
        try:
            key = str(target.relative_to(root))
        except ValueError:
            key = str(target)
        return key.replace(os.sep, "/"), data


class GitReader(SiblingReader):
    def __init__(self, rev: str, folder: PurePosixPath, cwd: Path) -> None:
        super().__init__(None)
        self.rev = rev
        self.folder = folder
        self.cwd = cwd

    def read(self, relative: str, current: str, name: str, place: str) -> tuple[str, bytes]:
        parts: list[str] = []
        for part in (PurePosixPath(current).parent / relative).parts:
            if part == "..":
                if not parts:
                    raise InputError(
                        f"$ref {relative!r} points outside the spec's folder", file=name, place=place
                    )
                parts.pop()
            elif part not in (".", ""):
                parts.append(part)
        key = "/".join(parts)
        return key, git_show(self.rev, str(self.folder / key), self.cwd, name)


def git_show(rev: str, path: str, cwd: Path, name: str) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "show", f"{rev}:{path}"],
            cwd=cwd,
            capture_output=True,
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"cannot run git: {exc}", file=name) from None
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(
            f"git cannot show {rev}:{path}: {detail[-1] if detail else 'unknown error'}", file=name
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
    if text.startswith(("http://", "https://")):
        raise InputError("remote inputs are not read: trustguard works offline", file=text)
    if text == "-":
        raw = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        _check_size(raw, "<stdin>")
        return Source("<stdin>", raw, SiblingReader(None))
    git = _split_git_spec(text)
    if git is not None:
        rev, path = git
        posix = PurePosixPath(path)
        raw = git_show(rev, path, Path.cwd(), text)
        _check_size(raw, text)
        return Source(text, raw, GitReader(rev, posix.parent, Path.cwd()))
    path_obj = Path(text)
    if path_obj.is_dir():
        raise InputError("is a folder, expected a file", file=text)
    try:
        with path_obj.open("rb") as handle:
            raw = handle.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise InputError("no such file", file=text) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=text) from None
    _check_size(raw, text)
    return Source(text, raw, SiblingReader(path_obj.parent, allow_outside))


def _check_size(raw: bytes, name: str) -> None:
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(f"the file is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB", file=name)
