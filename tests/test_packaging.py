"""The built wheel carries the default rule packs: an installed trustguard works from any folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_rules_and_works_outside_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = wheels.glob("trustguard-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "trustguard/py.typed" in names
    assert "trustguard/classify/rulepack.schema.json" in names
    shipped = {n for n in names if n.startswith("trustguard/_rules/") and n.endswith(".yaml")}
    in_repo = {"trustguard/_rules/" + p.relative_to(ROOT / "rules").as_posix() for p in (ROOT / "rules").rglob("*.yaml")}
    assert shipped == in_repo

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True, capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    proc = subprocess.run(
        [sys.executable, "-c", "import trustguard; from trustguard.classify import rulepack as r; "
         "print(trustguard.__file__); print(r.default_rules_dir()); print(len(trustguard.rules_for()))"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True,
    )
    module_file, rules_dir, count = proc.stdout.split()
    assert module_file.startswith(str(target))
    assert rules_dir.startswith(str(target))
    listed = json.loads(subprocess.run(
        [sys.executable, "-m", "trustguard", "rules", "--format", "json"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True,
    ).stdout)
    assert int(count) == len(listed) > 0
