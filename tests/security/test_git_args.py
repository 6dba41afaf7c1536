"""Argument injection into git (issue 23.2): ``REV:path`` with a REV that git would take
for an option (``--output=FILE`` made ``git show`` write a file)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import trustguard
from trustguard.load import sources

SPEC = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "spec.yaml").write_text(SPEC)
    for args in (["init", "-q"], ["add", "spec.yaml"],
                 ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "spec"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)
    return tmp_path


def listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if ".git" not in p.parts}


@pytest.mark.parametrize("rev", ["--output=pwned", "-o", "--no-index", "-p"])
def test_a_revision_starting_with_a_dash_is_refused(repo: Path, rev: str) -> None:
    before = listing(repo)
    proc = subprocess.run([sys.executable, "-m", "trustguard", "check", "spec.yaml", "--", f"{rev}:spec.yaml"],
                          cwd=repo, capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert f"invalid git revision {rev!r}: a revision cannot start with '-'" in proc.stderr
    assert listing(repo) == before  # nothing written, by git or anyone


def test_the_api_refuses_it_too(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    with pytest.raises(trustguard.InputError, match="cannot start with '-'"):
        trustguard.check("spec.yaml", "--output=pwned:spec.yaml")
    assert not list(repo.glob("pwned*"))


def test_git_reads_no_option_even_past_the_check(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second lock: ``--end-of-options`` is passed, so a revision that got past the
    check is still only a revision to git (and an unknown one)."""
    monkeypatch.setattr(sources, "check_revision", lambda rev, name: None)
    with pytest.raises(trustguard.InputError, match="git cannot show"):
        sources.git_show("--output=pwned", "spec.yaml", repo, "x")
    assert not list(repo.glob("pwned*"))


def test_a_real_revision_still_reads(repo: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "trustguard", "check", "HEAD:spec.yaml", "spec.yaml"],
                          cwd=repo, capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_files_a_revision_reaches_by_ref_are_bounded_in_total(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From a git revision too: git's output is read at most up to the bytes left (the
    bound made small for the test), and the error names the file and the $ref."""
    (repo / "spec.yaml").write_text(SPEC.replace("paths: {}", "paths:\n  /a: {$ref: 'big.yaml#/A'}"))
    (repo / "big.yaml").write_text("A: {description: '" + "x" * 5000 + "'}\n")
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "big"],
                   cwd=repo, check=True)
    monkeypatch.chdir(repo)
    monkeypatch.setattr(sources, "MAX_INPUT_BYTES", 4096)
    with pytest.raises(trustguard.InputError) as caught:
        trustguard.load("HEAD:spec.yaml")
    assert caught.value.file == "HEAD:spec.yaml"
    assert caught.value.message.startswith("$ref 'big.yaml' reaches HEAD:big.yaml")
    monkeypatch.setattr(sources, "MAX_INPUT_BYTES", 64 * 1024)
    assert "big.yaml" in trustguard.load("HEAD:spec.yaml").files
