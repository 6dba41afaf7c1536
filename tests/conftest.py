from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # the tests folder is on the path from the line above

_skipped: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    # CI must run the corpus tests: a missing corpus there is an error, not a quiet skip
    if corpus.required() and not corpus.PRESENT:
        raise pytest.UsageError(
            f"{corpus.ENV_REQUIRE} is set but there is {corpus.where()}: the corpus tests cannot run. "
            f"Put the corpus at ../shared/corpus beside the checkout or set {corpus.ENV_PATH} to its folder."
        )


def pytest_runtest_setup(item: pytest.Item) -> None:
    # skipped from here, not with a mark, so that -ra folds every corpus skip into one line
    # (pytest groups skips by the place that raised them)
    if item.get_closest_marker("corpus") is not None and not corpus.PRESENT:
        _skipped.append(item.nodeid)
        pytest.skip(f"corpus tests: {corpus.where()}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    # the same one line when the short summary does not list skips (-ra taken out of addopts)
    chars = str(config.option.reportchars or "")
    listed = any(c in chars for c in "sSaA") and "N" not in chars
    if _skipped and not listed:
        terminalreporter.write_line(f"{len(_skipped)} corpus tests skipped: {corpus.where()}")
