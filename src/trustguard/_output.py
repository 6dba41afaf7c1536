"""Writing a report file (``-o``): all or nothing, and never through what is not a file.

The report is written to a temporary file next to the target and renamed into place, so
a reader never sees half a report. The temporary file is removed on any error, and on
SIGTERM, SIGINT or SIGHUP while it exists (a CI job cancelled mid-write leaves nothing
behind; only SIGKILL cannot be caught). A target that exists and is not a regular file --
a symlink, a device node such as ``/dev/sda``, a FIFO -- is refused: writing through a
symlink the pull request planted, or replacing a device node, is never what was meant.
"""

from __future__ import annotations

import os
import signal
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))


class OutputError(Exception):
    """The report cannot be written where it was asked to go (the message says why)."""


def check_target(target: Path) -> None:
    """Refuse a target that exists and is not a regular file (a symlink included)."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(exc.strerror or str(exc)) from None
    if stat.S_ISLNK(info.st_mode):
        raise OutputError("it is a symbolic link; trustguard does not write through links (remove it first)")
    if stat.S_ISDIR(info.st_mode):
        raise OutputError("it is a folder")
    if not stat.S_ISREG(info.st_mode):
        raise OutputError("it exists and is not a regular file (a device, FIFO or socket); "
                          "trustguard only writes regular files")


@contextmanager
def _removed_on_signal(path: str) -> Iterator[None]:
    """While the block runs, a terminating signal first removes ``path``, then acts as it
    would have (the previous handler runs, or the default one ends the process)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: FrameType | None) -> None:
        _remove(path)
        old = previous.get(signum, signal.SIG_DFL)
        signal.signal(signum, old)
        if callable(old):
            old(signum, frame)
        elif old != signal.SIG_IGN:
            os.kill(os.getpid(), signum)  # the default action: end as the signal says

    for signum in _SIGNALS:
        previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


#: how tempfile.mkstemp opens its file: created here or not at all, never through a link
_NEW_FILE = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def _temporary_file(folder: Path, name: str) -> tuple[int, str]:
    """A new private file (0600) with a random name beside the target, opened as
    ``tempfile.mkstemp`` opens one, without importing tempfile: with shutil, bz2, lzma and
    random it was ~2.4 ms of a run that writes a report (importing this module and writing
    Stripe's 9.7 MB SARIF file, fresh processes after the CLI's imports, best of 10:
    11.2 -> 8.8 ms)."""
    for _ in range(100):
        path = os.path.abspath(os.path.join(folder, f".{name}.{os.urandom(6).hex()}.tmp"))
        try:
            return os.open(path, _NEW_FILE, 0o600), path
        except FileExistsError:
            continue  # a name taken: another
    raise FileExistsError(f"no free temporary name in {folder}")


def write_file(text: str | bytes, output: str) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends; bytes as they are) to ``output``, all or nothing.

    Raises :class:`OutputError` when it cannot; nothing is left behind then."""
    target = Path(output)
    check_target(target)
    folder = target.parent if str(target.parent) else Path(".")
    # A lone surrogate (from a JSON \ud800 escape) cannot be UTF-8: written as its escape.
    data = text if isinstance(text, bytes) else text.encode("utf-8", "backslashreplace")
    try:
        fd, tmp = _temporary_file(folder, target.name)
    except OSError as exc:
        raise OutputError(exc.strerror or str(exc)) from None
    try:
        with _removed_on_signal(tmp):
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    # the temporary file is private; a report gets the usual permissions
                    umask = os.umask(0)
                    os.umask(umask)
                    os.fchmod(handle.fileno(), 0o666 & ~umask)
                check_target(target)  # made meanwhile? still never replace a link or a device
                os.replace(tmp, target)
            except OSError as exc:
                raise OutputError(exc.strerror or str(exc)) from None
    except BaseException:
        _remove(tmp)
        raise
