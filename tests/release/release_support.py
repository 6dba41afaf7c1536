"""Helpers the release tests import (a module of its own: importing ``conftest`` by name clashes with
other test folders' conftest files when pytest collects several folders at once)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "trustguard", *args], capture_output=True, text=True,
                          cwd=cwd, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


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
