"""How a ``trustguard`` command ends: the exit codes, one line on stderr for an error
(exit 2) or a bug (exit 3, the traceback only with --debug or TRUSTGUARD_DEBUG=1), and
output written all or nothing -- standard output closed or full included."""

from __future__ import annotations

import errno
import os
import sys
from typing import Any

import click

from .errors import InternalError, TrustguardError, internal_error

#: exit codes: the policy passed, failed; bad usage or input; a bug in trustguard
EXIT_PASS, EXIT_FAIL, EXIT_ERROR, EXIT_BUG = 0, 1, 2, 3

DEBUG_ENV = "TRUSTGUARD_DEBUG"


def fail(message: str) -> None:
    say(f"trustguard: error: {message}")
    sys.exit(EXIT_ERROR)


def say(line: str) -> None:
    try:
        click.echo(line, err=True)
    except (OSError, ValueError, AttributeError):  # stderr closed too: the exit code still tells
        pass


def _debug() -> bool:
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.find_root().params.get("debug"):
        return True
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def end_on_error(exc: TrustguardError) -> None:
    """End on a trustguard error: exit 2, or 3 when it is a bug."""
    if isinstance(exc, InternalError):
        end_on_bug(exc)
    fail(str(exc))


def end_on_bug(exc: BaseException) -> None:
    """End on an unexpected exception: one line saying it is a bug (exit 3); the traceback
    only when asked for."""
    error = exc if isinstance(exc, InternalError) else internal_error(exc)
    if _debug():
        import traceback

        original = exc.__cause__ if isinstance(exc, InternalError) and exc.__cause__ is not None else exc
        try:
            traceback.print_exception(type(original), original, original.__traceback__, file=sys.stderr)
        except (OSError, ValueError, AttributeError):
            pass
    say(f"trustguard: internal error: {error}")
    sys.exit(EXIT_BUG)


def stdout_failed(exc: OSError) -> None:
    """Standard output is closed or full: say so (exit 2), and point stdout at /dev/null so
    that the interpreter's last flush does not fail again (the Python docs' advice for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test runner's stream)
        pass
    if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
        reason = "the reading end of the pipe was closed"
    else:
        reason = exc.strerror or str(exc)
    fail(f"cannot write to standard output: {reason}")


def write_output(text: str | bytes, output: str | None) -> None:
    """Write all or nothing (see :mod:`trustguard._output`); stdout for None or ``-``
    (bytes, a file's, only to a file)."""
    if output is None or output == "-":
        if isinstance(text, bytes):
            raise TypeError("the bytes of a report file are written to a file only")
        try:
            if sys.stdout is None:
                raise OSError(errno.EBADF, "standard output is closed")
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError as exc:
            stdout_failed(exc)
        return
    from ._output import (  # tempfile, threading, signal: only to write a file
        OutputError,
        write_file,
    )

    try:
        write_file(text, output)
    except OutputError as exc:
        fail(f"cannot write {output}: {exc}")


def use_color(color: bool | None, output: str | None) -> bool:
    if color is not None:
        return color
    if output not in (None, "-") or os.environ.get("NO_COLOR") or sys.stdout is None:
        return False
    return sys.stdout.isatty()


class Commands(click.Group):
    """The command group: a command that raises anything unexpected ends with exit 3 and
    one line saying it is a bug -- never 1, the code for "the policy failed"."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        # --help and --version print while the arguments are parsed: a closed pipe there
        # would be click's own exit 1, the code for "the policy failed"
        try:
            return super().make_context(info_name, args, parent, **extra)
        except OSError as exc:
            if is_stdout_error(exc):
                stdout_failed(exc)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except TrustguardError as exc:
            end_on_error(exc)
        except OSError as exc:
            if is_stdout_error(exc):
                stdout_failed(exc)
            end_on_bug(exc)
        except Exception as exc:
            end_on_bug(exc)
        return None


def is_stdout_error(exc: OSError) -> bool:
    """A write to standard output that failed (a closed pipe, a full disk), as far as can be told."""
    return isinstance(exc, BrokenPipeError) or exc.errno in (errno.EPIPE, errno.ENOSPC, errno.EBADF)
