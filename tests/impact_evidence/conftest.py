"""The shop API of evidence_shop.py, written to files for each test."""

from __future__ import annotations

from pathlib import Path

import pytest
from evidence_shop import spec_v1, spec_v2, write_json


@pytest.fixture
def specs(tmp_path: Path) -> tuple[Path, Path]:
    return write_json(tmp_path / "v1.json", spec_v1()), write_json(tmp_path / "v2.json", spec_v2())
