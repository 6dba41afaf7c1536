"""The progress bar: drawn on a terminal for a long query, never on a pipe or a file."""

from __future__ import annotations

import io
import time

from trustguard.impact import progress
from trustguard.impact.progress import QueryProgress


class _Con:
    def __init__(self) -> None:
        self.calls = 0

    def query_progress(self) -> float:
        self.calls += 1
        return 42.0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_on_a_terminal_and_nothing_elsewhere() -> None:
    progress.DELAY_S = 0.0
    try:
        tty, pipe = _Terminal(), io.StringIO()
        with QueryProgress(_Con(), "reading", tty):
            time.sleep(0.3)
        with QueryProgress(_Con(), "reading", pipe):
            time.sleep(0.3)
    finally:
        progress.DELAY_S = 1.0
    assert "trustguard: reading [" in tty.getvalue() and "42.0%" in tty.getvalue()
    assert tty.getvalue().endswith("\r")  # the bar is wiped when the query ends
    assert pipe.getvalue() == ""


def test_duckdb_tracks_progress_only_for_a_terminal_and_never_draws_its_own_bar() -> None:
    # DuckDB reports no progress (-1) unless its tracking is on, so the bar would never
    # show; its own bar writes to stdout, so it stays off either way
    import duckdb

    for stream, tracked in ((_Terminal(), True), (io.StringIO(), False)):
        con = duckdb.connect()
        progress.configure(con, stream)
        settings = con.execute("SELECT current_setting('enable_progress_bar'), "
                               "current_setting('enable_progress_bar_print')").fetchone()
        assert settings == (tracked, False)
        con.close()


class _NoProgress(_Con):
    def query_progress(self) -> float:
        self.calls += 1
        return 0.0  # what DuckDB says for a plan it cannot estimate


def test_a_query_without_progress_shows_the_time_spent() -> None:
    progress.DELAY_S = 0.0
    try:
        tty = _Terminal()
        with QueryProgress(_NoProgress(), "reading", tty):
            time.sleep(0.3)
    finally:
        progress.DELAY_S = 1.0
    assert "trustguard: reading ... " in tty.getvalue() and " s" in tty.getvalue()
    assert "%" not in tty.getvalue()
