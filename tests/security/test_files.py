"""Files written and read (issue 23.8, and the FIFO of 23.4): ``-o`` is all or nothing and
never goes through a symlink or onto a device; impact inputs are regular files, bounded
when read whole; the contracts folder does not lead out of itself."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from trustguard import _output

ROOT = Path(__file__).resolve().parents[2]
V1, V2 = str(ROOT / "examples/api/v1.yaml"), str(ROOT / "examples/api/v2.yaml")
CUSTOMERS = ROOT / "examples/customers.csv"


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trustguard", *args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=120)


def entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def assert_refused(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("trustguard: error: ")
    for word in words:
        assert word in proc.stderr, proc.stderr


# --- -o -------------------------------------------------------------------------------


def test_output_through_a_symlink_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / "report.json").symlink_to(victim)
    before = entries(tmp_path)
    proc = cli(tmp_path, "diff", V1, V2, "-f", "json", "-o", "report.json")
    assert_refused(proc, "cannot write report.json", "symbolic link")
    assert victim.read_text() == "precious\n" and (tmp_path / "report.json").is_symlink()
    assert entries(tmp_path) == before  # no temporary file left either


def test_output_onto_a_device_or_fifo_is_refused(tmp_path: Path) -> None:
    """A device node of its own (not the machine's /dev/null, which a replace would break
    for everyone), when this user may make one; a FIFO in any case."""
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (OSError, AttributeError):
        device = Path()
    if device != Path():
        assert_refused(cli(tmp_path, "diff", V1, V2, "-o", "null"), "not a regular file")
        assert device.is_char_device()
        device.unlink()
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe")
        assert_refused(cli(tmp_path, "diff", V1, V2, "-o", "pipe"), "not a regular file")
        assert entries(tmp_path) == {"pipe"} and (tmp_path / "pipe").is_fifo()
    (tmp_path / "folder").mkdir()
    assert cli(tmp_path, "diff", V1, V2, "-o", "folder").returncode == 2
    assert list((tmp_path / "folder").iterdir()) == []


def test_output_to_a_regular_file_still_replaces_it(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text("old\n")
    proc = cli(tmp_path, "diff", V1, V2, "-o", "report.txt")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "report.txt").read_text().startswith("trustguard openapi:")
    assert entries(tmp_path) == {"report.txt"}


def test_an_error_while_writing_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(_output.OutputError, match="No space left"):
        _output.write_file("report\n", str(tmp_path / "out.txt"))
    assert entries(tmp_path) == set()


def test_the_report_gets_the_usual_permissions_and_a_taken_temporary_name_is_skipped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the temporary file is private while it is written; the report follows the umask
    umask = os.umask(0o027)
    try:
        _output.write_file("report\n", str(tmp_path / "a.txt"))
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(tmp_path / "a.txt").st_mode) == 0o640
    # the first random name is taken (a planted file, or another run's): never opened, another is used
    names = iter([b"\x00" * 6, b"\x01" * 6])
    monkeypatch.setattr(os, "urandom", lambda n: next(names))
    planted = tmp_path / f".b.txt.{'00' * 6}.tmp"
    planted.write_text("someone else's")
    _output.write_file("report\n", str(tmp_path / "b.txt"))
    assert planted.read_text() == "someone else's"
    assert (tmp_path / "b.txt").read_text() == "report\n"
    assert entries(tmp_path) == {"a.txt", "b.txt", planted.name}


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_signal_while_writing_removes_the_temporary_file(tmp_path: Path, signame: str) -> None:
    """The job is cancelled between the write and the rename: the process still ends by
    the signal (SIGINT: KeyboardInterrupt), and no ``.out.txt.XXXX.tmp`` is left."""
    if not hasattr(signal, signame):
        pytest.skip(f"no {signame} here")
    script = textwrap.dedent(f"""
        import os, signal, sys
        from trustguard import _output
        def replace(src, dst):
            assert os.path.exists(src)  # the temporary file is there, written
            os.kill(os.getpid(), signal.{signame})
            raise SystemExit("the signal did not end the write")
        _output.os.replace = replace
        _output.write_file("x" * 100000, sys.argv[1])
    """)
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "out.txt")], capture_output=True,
                          text=True, check=False, timeout=60)
    if signame == "SIGINT":
        assert "KeyboardInterrupt" in proc.stderr, proc.stderr
    else:
        assert proc.returncode == -getattr(signal, signame), (proc.returncode, proc.stderr)
    assert entries(tmp_path) == set()


# --- impact inputs ----------------------------------------------------------------------


def test_an_impact_input_too_big_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "customers.csv"
    with open(big, "wb") as handle:  # sparse: 2 GiB on paper, nothing on disk
        handle.write(b"customer,api_key\n")
        handle.truncate(2 * 1024 * 1024 * 1024)
    proc = cli(tmp_path, "impact", V1, V2, "--customers", "customers.csv")
    assert_refused(proc, "customers.csv: the file is larger than 256 MiB")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("option", ["--customers", "--usage", "--integrations", "--contracts"])
def test_an_impact_input_that_is_a_fifo_is_refused_not_waited_on(tmp_path: Path, option: str) -> None:
    os.mkfifo(tmp_path / "input.json")
    proc = cli(tmp_path, "impact", V1, V2, option, "input.json")
    assert_refused(proc, "input.json: is a FIFO (named pipe), not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_the_contracts_folder_is_refused(tmp_path: Path) -> None:
    pacts = tmp_path / "pacts"
    shutil.copytree(ROOT / "examples/pacts", pacts)
    os.mkfifo(pacts / "zz.json")
    proc = cli(tmp_path, "impact", V1, V2, "--contracts", "pacts")
    assert_refused(proc, "zz.json: is a FIFO (named pipe)")


def test_the_contracts_folder_does_not_follow_links_out_of_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(ROOT / "examples/pacts/ShopSync-Orderly.json", outside / "secret.json")
    pacts = tmp_path / "pacts"
    shutil.copytree(ROOT / "examples/pacts", pacts)
    ok = cli(tmp_path, "impact", V1, V2, "--contracts", "pacts")
    assert ok.returncode == 0, ok.stderr
    (pacts / "leak.json").symlink_to(outside / "secret.json")
    assert_refused(cli(tmp_path, "impact", V1, V2, "--contracts", "pacts"),
                   "leak.json is a link to a file outside the contracts folder")
    (pacts / "leak.json").unlink()
    # a link to a folder outside: its files are not read (links to folders are not walked)
    secret = json.loads((outside / "secret.json").read_text())
    secret["consumer"]["name"] = "OutsideSecret"
    (outside / "secret.json").write_text(json.dumps(secret))
    (pacts / "more").symlink_to(outside, target_is_directory=True)
    walked = cli(tmp_path, "impact", V1, V2, "--contracts", "pacts")
    assert walked.returncode == 0 and "OutsideSecret" not in walked.stdout, walked.stderr
    # a link that stays inside the folder is fine
    (pacts / "more").unlink()
    first = sorted(p.name for p in (ROOT / "examples/pacts").glob("*.json"))[0]
    (pacts / "again").mkdir()
    (pacts / "again" / "same.json").symlink_to(pacts / first)
    assert cli(tmp_path, "impact", V1, V2, "--contracts", "pacts").returncode == 0


def test_a_usage_log_is_streamed_not_bounded(tmp_path: Path) -> None:
    """Usage logs may be big legitimately: one over the bound for files read whole is
    still read, line by line (here: made to look big by a long run of blank lines)."""
    log = tmp_path / "usage.jsonl"
    shutil.copy(ROOT / "examples/usage.jsonl", log)
    with open(log, "ab") as handle:
        handle.write(b"\n" * (300 * 1024 * 1024 // 100))  # 3 MB of blank lines: cheap, and skipped
    proc = cli(tmp_path, "impact", V1, V2, "--usage", "usage.jsonl")
    assert proc.returncode == 0, proc.stderr
