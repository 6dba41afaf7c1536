"""Typed errors. Every error names the file and the place (line or JSON pointer)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import PurePath
from typing import ParamSpec, TypeVar

#: the folder of trustguard's own modules (where a crash's last own frame is looked for)
_PACKAGE_DIR = PurePath(os.path.dirname(os.path.abspath(__file__)))


class TrustguardError(Exception):
    """Base class of every error trustguard raises on bad input or bad usage."""

    def __init__(self, message: str, *, file: str | None = None, place: str | None = None) -> None:
        self.message = message
        self.file = file
        self.place = place
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.place:
                where += f":{self.place}" if self.place[:1].isdigit() else f" at {self.place}"
            where += ": "
        elif self.place:
            where = f"at {self.place}: "
        return f"{where}{self.message}"


class InputError(TrustguardError):
    """An input document cannot be read, parsed or resolved."""


class ConfigError(TrustguardError):
    """The configuration file or an option is invalid. ``place`` is the JSON pointer of the
    key; ``line`` its line in the file, when known (then the message shows the line)."""

    def __init__(self, message: str, *, file: str | None = None, place: str | None = None,
                 line: int | None = None) -> None:
        self.line = line
        super().__init__(message, file=file, place=place)

    def __str__(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}: {self.message}"
        return super().__str__()


class RulePackError(TrustguardError):
    """A rule pack does not validate against the rule pack schema."""


class InternalError(TrustguardError):
    """A bug in trustguard: an unexpected exception. The original is ``__cause__``.

    The CLI ends with exit code 3 on it (not 1, "the policy failed", nor 2, bad input)."""


#: where a bug is reported when the installed metadata names no issue tracker
_FALLBACK_TRACKER = "https://github.com/trustguard-dev/trustguard/issues"


def issue_tracker() -> str:
    """The issue tracker's address, from the project URLs of the installed distribution
    that provides the ``trustguard`` command (its name is not 'trustguard' on the index)."""
    try:
        from importlib.metadata import entry_points

        for ep in entry_points(group="console_scripts"):
            if ep.value.replace(" ", "") != "trustguard.cli:main" or ep.dist is None:
                continue
            urls: list[str] = [str(u) for u in ep.dist.metadata.get_all("Project-URL") or []]
            by_label: dict[str, str] = {label.strip().lower(): url.strip()
                                        for label, _, url in (u.partition(",") for u in urls)}
            for label in ("issues", "bug tracker", "bugs", "tracker"):
                if by_label.get(label):
                    return by_label[label]
            for label in ("source", "repository", "homepage"):
                if by_label.get(label, "").startswith("https://github.com/"):
                    return by_label[label].rstrip("/") + "/issues"
    except Exception:  # metadata is a courtesy here: a broken install must not hide the bug itself
        pass
    return _FALLBACK_TRACKER


def internal_error(exc: BaseException) -> InternalError:
    """The InternalError for an unexpected exception (raise it ``from exc``): one line
    naming the exception and the last place in trustguard's own code it went through."""
    where = ""
    tb = exc.__traceback__
    while tb is not None:
        # trustguard's own code is what lies in this package's folder, not any path that
        # names a "trustguard" folder (a checkout is often called that: its tests are not ours)
        path = PurePath(os.path.abspath(tb.tb_frame.f_code.co_filename))
        if path.is_relative_to(_PACKAGE_DIR):
            own = PurePath("trustguard", path.relative_to(_PACKAGE_DIR)).as_posix()
            where = f" at {own}:{tb.tb_lineno} ({tb.tb_frame.f_code.co_name})"
        tb = tb.tb_next
    text = str(exc).strip()
    detail = text.splitlines()[0][:200] if text else ""
    # the message of a crash may carry input text: no control character reaches a CI log
    detail = "".join(c if c.isprintable() else repr(c)[1:-1] for c in detail)
    return InternalError(
        f"this is a bug in trustguard: {type(exc).__name__}{where}"
        + (f": {detail}" if detail else "")
        + f"; please report it at {issue_tracker()} with the command you ran "
        "(run again with --debug or TRUSTGUARD_DEBUG=1 for the traceback)"
    )


_P = ParamSpec("_P")
_R = TypeVar("_R")


def guarded(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """A public function: a TrustguardError passes as it is, any other exception is a
    bug and becomes an InternalError (with the original as ``__cause__``)."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return fn(*args, **kwargs)
        except TrustguardError:
            raise
        except Exception as exc:
            raise internal_error(exc) from exc

    return wrapper
