"""A document kind installed as a distribution that declares a ``trustguard.kinds`` entry
point is found, however its metadata folder is laid out; and a check where no installed
distribution declares one does not import importlib.metadata to learn that
(trustguard.kinds._entry_points)."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trustguard import kinds

PLUGIN = '''\
from pathlib import Path

import yaml

from trustguard.change_kinds import ChangeKind
from trustguard.kinds import DocumentKindSpec
from trustguard.load.document import Document
from trustguard.model import Change, DocumentKind


def detect(source):
    return source.raw.lstrip().startswith(b"stock:")


def load(source, **options):
    data = source if isinstance(source, dict) else yaml.safe_load(source.raw)
    return Document(DocumentKind("stock"), data, str(getattr(source, "name", "<dict>")))


def diff(base, revision, **options):
    old, new = base.data["stock"], revision.data["stock"]
    return [Change(kind="stock.item.removed", location=f"/stock/{item}", subject=item, before=old[item],
                   facts={"item": item}) for item in sorted(set(old) - set(new))]


KIND = DocumentKindSpec(
    name="stock", title="a stock list", load=load, diff=diff, detect=detect,
    rules=Path(__file__).with_name("rules"), facts={"item": ("str", "the item")},
    change_kinds=(ChangeKind("stock.item.removed", "stock", "an item is no longer stocked", ("item",), "none"),),
)
'''

PACK = """\
document: stock
rules:
  - id: stock-item-dropped
    principle: no-surprises
    severity: major
    title: Item no longer stocked
    message: "{item} is no longer stocked (was {before})"
    rationale: Customers who reorder it find nothing to buy.
    remediation: Announce the end of the item and name a replacement.
    example: {before: {stock: {washers: 9}}, after: {stock: {}}}
    match:
      kind: stock.item.removed
"""

ENTRY_POINTS = "[console_scripts]\nstock-tool = stockkind:main\n\n[trustguard.kinds]\nstock = stockkind:KIND\n"


def _install(site: Path, metadata: str, entry_points: str = ENTRY_POINTS) -> None:
    """The plug-in as an installer leaves it: its package and, in ``metadata`` (a folder
    of ``site``), its METADATA and entry_points.txt."""
    package = site / "stockkind"
    (package / "rules").mkdir(parents=True)
    (package / "__init__.py").write_text(PLUGIN, encoding="utf-8")
    (package / "rules" / "stock.yaml").write_text(PACK, encoding="utf-8")
    folder = site / metadata
    folder.mkdir(parents=True)
    (folder / ("PKG-INFO" if metadata.lower().endswith("egg-info") else "METADATA")).write_text(
        "Metadata-Version: 2.1\nName: stockkind\nVersion: 1.0\n", encoding="utf-8")
    (folder / "entry_points.txt").write_text(entry_points, encoding="utf-8")


def _check(folder: Path, site: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    """``trustguard check`` in a fresh process with ``site`` on its path; the modules it
    imported on the last line of its output."""
    code = ("import sys\nfrom trustguard.cli import main\nsys.argv = ['trustguard', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit as end:\n    code = end.code\n"
            "print('modules', ' '.join(sorted(sys.modules)))\nsys.exit(code)")
    env = dict(os.environ)
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-c", code, "check", *args], cwd=folder, capture_output=True, text=True,
                          env=env, timeout=120, check=False)


@pytest.fixture
def stock(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "old.yaml").write_text("stock:\n  bolts: 40\n  washers: 9\n", encoding="utf-8")
    (tmp_path / "new.yaml").write_text("stock:\n  bolts: 40\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("metadata", ["stockkind-1.0.dist-info", "stockkind.egg-info", "StockKind-1.0.DIST-INFO",
                                      "stockkind-1.0.egg/EGG-INFO"])
def test_an_installed_plugin_kind_is_found_through_its_entry_point(stock: Path, metadata: str) -> None:
    site = stock / "site"
    if metadata.endswith("EGG-INFO"):  # an egg: the folder itself goes on the path
        _install(site / "stockkind-1.0.egg", "EGG-INFO")
        site = site / "stockkind-1.0.egg"
    else:
        _install(site, metadata)
    done = _check(stock, site, "old.yaml", "new.yaml")
    assert done.returncode == 1, done.stderr
    assert "stock-item-dropped" in done.stdout and "washers is no longer stocked (was 9)" in done.stdout


def test_without_such_a_distribution_importlib_metadata_is_not_imported(stock: Path) -> None:
    # a distribution with entry points of other groups only, as most have
    site = stock / "site"
    _install(site, "stockkind-1.0.dist-info", "[console_scripts]\nstock-tool = stockkind:main\n")
    done = _check(stock, site, "old.yaml", "new.yaml")
    assert done.returncode == 2 and "cannot tell what this document is" in done.stderr
    modules = done.stdout.strip().splitlines()[-1].split()
    assert "importlib.metadata" not in modules and "trustguard.kinds" in modules


def test_the_first_look_agrees_with_importlib_metadata_here() -> None:
    # every group some installed distribution declares is one that may be declared...
    declared = {point.group for dist in importlib.metadata.distributions() for point in dist.entry_points}
    assert declared and all(kinds._may_declare(group) for group in declared)
    # ...and a group that none declares is not
    assert not kinds._may_declare("trustguard.no-such-group")
    assert kinds._entry_points("trustguard.no-such-group") == []
    assert sorted(p.name for p in kinds._entry_points("console_scripts")) == sorted(
        p.name for p in importlib.metadata.entry_points(group="console_scripts"))


def test_a_finder_of_other_distributions_is_asked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    class Finder:
        @staticmethod
        def find_spec(*args: object) -> None:
            return None

        @staticmethod
        def find_distributions(*args: object) -> list[object]:
            return []

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder])
    assert kinds._may_declare("trustguard.no-such-group")  # it cannot be read here: importlib.metadata decides
