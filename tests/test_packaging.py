"""The built wheel carries the default rule packs: an installed trustguard works from any folder.
Its metadata names the distribution (trustguard-cli: "trustguard" on PyPI is another
project), ships the licence it declares and the project's URLs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from functools import cache
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the tomli backport, as in trustguard itself
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
DIST = "trustguard-cli"
URL = "https://github.com/trustguard-dev/trustguard"


@cache
def _wheel(folder: str) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", folder, str(ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = Path(folder).glob("trustguard_cli-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _wheel(str(tmp_path_factory.mktemp("wheels")))


def test_wheel_metadata_names_the_distribution_licence_and_urls(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (metadata_name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    metadata = HeaderParser().parsestr(archive.read(metadata_name).decode("utf-8"))
    assert metadata["Name"] == DIST
    assert metadata["License-Expression"] == "Apache-2.0"
    # the licence file the metadata declares is in the wheel, and it is the Apache text
    (licence_file,) = metadata.get_all("License-File") or []
    licence = archive.read(metadata_name.replace("METADATA", f"licenses/{licence_file}")).decode("utf-8")
    assert licence == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License\n                           Version 2.0, January 2004" in licence
    assert "END OF TERMS AND CONDITIONS" in licence
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
    assert set(urls) == {"Homepage", "Source", "Issues", "Documentation"}
    assert all(u.startswith(URL) for u in urls.values()), urls
    # the command keeps its name
    entry_points = archive.read(metadata_name.replace("METADATA", "entry_points.txt")).decode("utf-8")
    assert re.search(r"^trustguard = trustguard\.cli:main$", entry_points, re.MULTILINE)


def test_sarif_points_at_the_project() -> None:
    from trustguard.report.sarif import INFORMATION_URI

    assert INFORMATION_URI == URL
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["urls"]["Homepage"] == URL


def test_install_instructions_name_the_distribution() -> None:
    """Every `pip install` in the docs, the Action and the hook installs trustguard-cli (or
    this checkout), never the unrelated `trustguard` package."""
    files = [ROOT / "README.md", ROOT / "action.yml", ROOT / ".pre-commit-hooks.yaml", *sorted((ROOT / "docs").glob("*.md"))]
    installs = 0
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            for match in re.finditer(r"pip install((?:\s+-{1,2}[\w-]+)*)\s+(\S+)", line):
                installs += 1
                target = match.group(2).strip("'\"")
                assert not re.fullmatch(r"trustguard(\[.*\])?([=<>~!].*)?", target), f"{path.name}: {line.strip()}"
    assert installs >= 3


def test_wheel_ships_rules_and_works_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "trustguard/py.typed" in names
    assert "trustguard/classify/rulepack.schema.json" in names
    assert "trustguard/classify/rules.bundle.json" in names  # the shipped packs, compiled (rulebundle.py)
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
    # the HTML review's templates ship as package data and render from the installed copy
    templates = {n for n in names if n.startswith("trustguard/report/templates/")}
    in_repo_templates = {"trustguard/report/templates/" + p.name
                         for p in (ROOT / "src" / "trustguard" / "report" / "templates").iterdir()}
    assert templates == in_repo_templates and "trustguard/report/templates/report.html.j2" in templates
    page = subprocess.run(
        [sys.executable, "-m", "trustguard", "review", str(ROOT / "examples" / "api" / "v1.yaml"),
         str(ROOT / "examples" / "api" / "v2.yaml"), "-f", "html"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True,
    ).stdout
    assert page.startswith("<!DOCTYPE html>") and 'id="contents"' in page


def test_readme_commands_work_when_pasted_into_a_fresh_shell() -> None:
    """The quick start creates .venv: every bare pip / python / trustguard after that runs
    in it (activated first, or called by its path), never the system's."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.DOTALL)
    setups = [b for b in blocks if "-m venv .venv" in b]
    assert len(setups) == 2  # run the example; run the tests
    for block in setups:
        active = False
        for part in (p.strip() for p in block.strip().split("&&")):
            if part in (". .venv/bin/activate", "source .venv/bin/activate"):
                active = True
            command = part.split()[0]
            if command in ("pip", "python", "trustguard"):
                assert active, f"{part!r} runs outside the virtual environment"
    assert any("trustguard release examples/release.yaml" in b for b in setups)  # the first command (issue 17)
    assert any(re.search(r"pip install -q -e '\.\[test\]' && python -m pytest -q", b) for b in setups)
    # the later examples use the bare command: the README says where it comes from
    first_bare = readme.index("\ntrustguard check examples/api/v1.yaml")
    assert readme.index("assume that virtual environment is active") < first_bare
