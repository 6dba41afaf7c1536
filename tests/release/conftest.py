"""Fixtures for the release tests: a copy of the example company's release to edit."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "trustguard", *args], capture_output=True, text=True,
                          cwd=cwd, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


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


def write_release(folder: Path, documents: dict[str, tuple[str, str]], *, announced: str | None = "2026-03-01",
                  effective: str | None = "2026-04-01", announcement: str = "We are changing things.\n",
                  customers: str | None = None, extra: str = "") -> Path:
    """A release file in ``folder`` naming documents (key -> (base, revision) files in it)."""
    (folder / "announcement.md").write_text(announcement, encoding="utf-8")
    lines = ["name: test release"]
    if announced:
        lines.append(f"announced: {announced}")
    if effective:
        lines.append(f"effective: {effective}")
    lines += ["announcement: announcement.md", "documents:"]
    for key, (base, revision) in documents.items():
        lines += [f"  {key}:", f"    base: {base}", f"    revision: {revision}"]
    if customers:
        lines += ["impact:", f"  customers: {customers}"]
    path = folder / "release.yaml"
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


TERMS = """# Terms of Service

## 1. Changes

We will give you at least {days} days' notice of any change to these Terms.

## 2. Disputes

{disputes}
"""
COURTS = "Any dispute will be heard by the courts of England and Wales."
ARBITRATION = "You agree that any dispute will be resolved exclusively by binding individual arbitration."
