"""Fixtures for the release tests: a copy of the example company's release to edit."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from release_support import EXAMPLES  # type: ignore[import-not-found]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of examples/ (the release and everything it names); returns the release file."""
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target)
    return target / "release.yaml"


@pytest.fixture
def edit() -> Callable[[Path, str, str], None]:
    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return replace
