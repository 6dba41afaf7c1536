"""The files a policy names: read only when they are regular files of bounded size, inside
the repository, and never echoed.

In CI the config file is part of the pull request, so whatever it names is chosen by the
pull request's author: ``rule_packs: ['/etc/passwd']`` must not print that file in an
error, and ``rule_packs: ['/dev/zero']`` must not read forever.

``subprocess`` and ``tempfile`` (~4 ms to import) are imported by what runs git: a check
that reads no policy from a revision never needs them.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from .errors import ConfigError, InputError, TrustguardError
from .parsing.regular import open_regular, read_bounded

if TYPE_CHECKING:
    import subprocess
    import tempfile

#: a config or rule pack larger than this is refused (the largest shipped pack is ~30 KB)
MAX_POLICY_FILE_BYTES = 4 * 1024 * 1024


def repository_root(folder: Path) -> Path:
    """The git work tree containing ``folder`` (the nearest parent holding ``.git``), else
    ``folder`` itself: the files a config there may name."""
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (after following every symlink) is ``root`` or below it."""
    resolved = path.resolve()
    return resolved == root or root in resolved.parents


def read_regular_file(path: Path, *, name: str, what: str, error: type[TrustguardError] = ConfigError) -> bytes:
    """The bytes of ``path`` when it is a regular file of at most MAX_POLICY_FILE_BYTES.

    Opened the way every input is (:func:`trustguard.parsing.regular.open_regular`: without
    blocking, checked on the open descriptor, so a FIFO cannot be swapped in meanwhile);
    the errors speak of the ``what`` a config names."""
    limit = f"{MAX_POLICY_FILE_BYTES // (1024 * 1024)} MiB"
    try:
        handle, size = open_regular(path, name, missing=f"no such {what}")
    except InputError as exc:
        message = exc.message
        if message.startswith("is a folder"):
            message = f"the {what} is a folder; expected a regular file"
        elif "not a regular file" in message:
            message = f"the {what} is not a regular file; expected a regular file"
        elif message.startswith("cannot read"):
            message = message.replace("the file", f"the {what}", 1)
        raise error(message, file=name) from None
    with handle:
        if size > MAX_POLICY_FILE_BYTES:
            raise error(f"the {what} is larger than {limit}", file=name)
        try:
            data = read_bounded(handle, MAX_POLICY_FILE_BYTES)
        except OSError as exc:
            raise error(f"cannot read the {what}: {exc.strerror or exc}", file=name) from None
    if len(data) > MAX_POLICY_FILE_BYTES:
        raise error(f"the {what} is larger than {limit}", file=name)
    return data


# --- git: REV:path ---------------------------------------------------------------------


def split_git_spec(spec: str) -> tuple[str, str] | None:
    """``(REV, path)`` for ``REV:path`` (the same reading as the inputs': an existing file
    wins, a drive letter and a URL are not revisions), else None."""
    if ":" not in spec or "://" in spec or os.path.exists(spec):
        return None
    rev, _, path = spec.partition(":")
    if not rev or not path or (len(rev) == 1 and rev.isalpha()) or rev.startswith(("/", "\\")):
        return None  # no revision starts with a slash: an absolute path that has a colon
    return rev, path


def _git(args: list[str], cwd: Path, name: str) -> subprocess.CompletedProcess[bytes]:
    import subprocess

    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"cannot run git: {exc}", file=name) from None


def git_file(rev: str, path: str, cwd: Path, name: str) -> bytes | None:
    """The file ``path`` at revision ``rev`` (None when the revision has no such file);
    an unknown revision, or one that reads as an option, is an error."""
    if rev.startswith("-"):
        raise ConfigError(f"the revision {rev!r} starts with '-' (it would be read as an option)", file=name)
    found = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd, name)
    if found.returncode != 0:
        raise ConfigError(f"git knows no revision {rev!r} here", file=name)
    commit = found.stdout.decode("ascii", "replace").strip()
    blob = f"{commit}:{path}"
    kind = _git(["cat-file", "-t", blob], cwd, name)
    if kind.returncode != 0:
        return None
    if kind.stdout.strip() != b"blob":
        raise ConfigError("expected a file at that revision, found a folder", file=name)
    size = _git(["cat-file", "-s", blob], cwd, name)
    if size.returncode == 0 and int(size.stdout.strip() or b"0") > MAX_POLICY_FILE_BYTES:
        raise ConfigError(f"the file is larger than {MAX_POLICY_FILE_BYTES // (1024 * 1024)} MiB", file=name)
    shown = _git(["cat-file", "blob", blob], cwd, name)
    if shown.returncode != 0:
        raise ConfigError("git cannot read the file at that revision", file=name)
    return shown.stdout


#: the most pattern files one folder of a trusted revision may hold (the shipped library has 29)
MAX_FOLDER_FILES = 500
_EXTRACTED: list[tempfile.TemporaryDirectory[str]] = []


def git_folder(rev: str, path: str, cwd: Path, name: str) -> Path:
    """The ``*.yaml`` files of the folder ``path`` at revision ``rev``, written to a private
    temporary folder (removed when the process ends) that the pattern library can read.

    A trusted config's terms pattern folders come from its own revision, like its rule
    packs: the working tree's copy is the pull request's to edit."""
    found = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd, name)
    if rev.startswith("-") or found.returncode != 0:
        raise ConfigError(f"git knows no revision {rev!r} here", file=name)
    commit = found.stdout.decode("ascii", "replace").strip()
    listed = _git(["ls-tree", "-z", f"{commit}:{path}"], cwd, name)
    if listed.returncode != 0:
        raise ConfigError("the terms pattern folder does not exist at that revision", file=name)
    files = []
    for entry in listed.stdout.split(b"\0"):
        meta, _, entry_name = entry.partition(b"\t")
        if meta.split(b" ")[1:2] == [b"blob"] and entry_name.endswith(b".yaml") and b"/" not in entry_name:
            files.append(entry_name.decode("utf-8", "replace"))
    if len(files) > MAX_FOLDER_FILES:
        raise ConfigError(f"the terms pattern folder holds more than {MAX_FOLDER_FILES} files", file=name)
    import tempfile

    holder = tempfile.TemporaryDirectory(prefix="trustguard-patterns-")
    _EXTRACTED.append(holder)  # kept (and cleaned up at exit) for the library's cache
    target = Path(holder.name)
    for file in files:
        data = git_file(commit, f"{path}/{file}", cwd, f"{rev}:{path}/{file}")
        if data is not None:
            (target / file).write_bytes(data)
    return target


def repo_path(folder: str, written: str) -> str | None:
    """``written`` (a path in a config at ``folder`` of a git revision) as a path from the
    repository root, or None when it leaves the repository (absolute, or too many ``..``)."""
    if written.startswith(("/", "\\")) or (len(written) > 1 and written[1] == ":"):
        return None
    parts: list[str] = []
    for part in (PurePosixPath(folder) / written.replace("\\", "/")).parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts) if parts else None


def read_policy_file(spec: str, *, what: str, error: type[TrustguardError] = ConfigError) -> bytes:
    """A file named by a policy (a rule pack): ``REV:path`` from git, else a regular file."""
    git = split_git_spec(spec)
    if git is not None:
        try:
            data = git_file(git[0], git[1], Path.cwd(), spec)
        except ConfigError as exc:
            raise error(exc.message, file=spec) from None
        if data is None:
            raise error(f"no such {what} at that revision", file=spec)
        return data
    return read_regular_file(Path(spec), name=spec, what=what, error=error)
