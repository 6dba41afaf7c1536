"""A progress bar on standard error for a long DuckDB query -- only on a terminal: in CI or
piped, stderr carries nothing but warnings and errors."""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import Any

#: a query shorter than this shows no bar at all
DELAY_S = 1.0
WIDTH = 30


def configure(con: Any, stream: Any = None) -> None:
    """Let DuckDB track a query's progress only when the bar is drawn: its progress is -1
    (no bar) unless tracking is on, and DuckDB's own bar, which writes to stdout, stays off."""
    tty = _is_terminal(stream if stream is not None else sys.stderr)
    con.execute(f"SET enable_progress_bar = {'true' if tty else 'false'}")
    con.execute("SET enable_progress_bar_print = false")


def _is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class QueryProgress:
    """``with QueryProgress(con, "reading logs"):`` around ``con.execute(...)``."""

    def __init__(self, con: Any, label: str, stream: Any = None) -> None:
        self.con = con
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False

    @property
    def enabled(self) -> bool:
        return _is_terminal(self.stream)

    def __enter__(self) -> QueryProgress:
        if self.enabled:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        if self._stop.wait(DELAY_S):
            return
        start = time.monotonic() - DELAY_S
        while not self._stop.is_set():
            try:
                done = float(self.con.query_progress())
            except Exception:  # the connection is busy or closed: no bar, never a failure
                done = -1.0
            elapsed = f"{time.monotonic() - start:4.0f} s"
            if done > 0:
                filled = int(WIDTH * min(done, 100.0) / 100)
                line = f"trustguard: {self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {done:5.1f}% {elapsed}"
            else:
                # DuckDB tells no progress for some plans (a grouping into many groups
                # reports 0 until it is done): the time spent, so the run is seen alive
                line = f"trustguard: {self.label} ... {elapsed}"
            self.stream.write("\r" + line.ljust(WIDTH + len(self.label) + 30))
            self.stream.flush()
            self._shown = True
            self._stop.wait(0.25)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._shown:
            self.stream.write("\r" + " " * (WIDTH + len(self.label) + 30) + "\r")
            self.stream.flush()
