"""How the ``trustguard`` process ends when it is the command (the installed script, or
``python -m trustguard``): without freeing what the run built (trustguard._runtime), and
still with every exit code, its output whole and flushed, the ``atexit`` handlers run and
other threads waited for; a program that calls ``main()`` itself, and a library caller,
get their SystemExit and their memory back as before."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import textwrap
import weakref
from pathlib import Path
from typing import Any

import pytest

import trustguard
from trustguard import _runtime, api

# Objects whose freeing shows that the interpreter's shutdown ran: a module global, and an
# object only sys.modules holds. Which of the two a shutdown frees depends on what else is
# loaded (a class defined in a module is in a cycle with that module's globals, freed only
# if something keeps the module alive until its globals are cleared; with other modules
# loaded, sys.modules is left to the collector), but one of them goes; os._exit frees none.
WITNESS = textwrap.dedent("""
    import os, sys
    class Witness:
        def __del__(self, write=os.write):  # bound now: the module's globals go first
            write(2, b"shutdown freed the witness\\n")
    witness = Witness()
    sys.modules["_trustguard_test_witness"] = Witness()
""")


def _spec(required: list[str], paths: int = 1) -> dict[str, Any]:
    item = {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
    body = {"content": {"application/json": {"schema": {**item, "required": required}}}}
    ops = {f"/pets{i}": {"post": {"requestBody": body, "responses": {"200": {"description": "ok"}}}}
           for i in range(paths)}
    return {"openapi": "3.0.3", "info": {"title": "Pets", "version": "1"}, "paths": ops}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # the config search stops here
    (tmp_path / "base.json").write_text(json.dumps(_spec(["id"], 400)), encoding="utf-8")
    (tmp_path / "revision.json").write_text(json.dumps(_spec(["id", "name"], 400)), encoding="utf-8")
    return tmp_path


def _script(folder: Path, body: str, name: str = "trustguard") -> Path:
    """A launcher like the one pip installs (bin/trustguard), ``body`` run before it."""
    path = folder / name
    path.write_text(f"import sys\n{body}\nfrom trustguard.cli import main\nif __name__ == '__main__':\n"
                    "    sys.exit(main())\n", encoding="utf-8")
    return path


def _run(folder: Path, argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in (env or os.environ).items() if k != "TRUSTGUARD_DEBUG"}
    return subprocess.run([sys.executable, *argv], cwd=folder, capture_output=True, text=True, timeout=120,
                          env=env, check=False)


CHECK = ["check", "base.json", "revision.json"]


def test_the_command_ends_without_the_shutdown_and_with_each_exit_code(project: Path) -> None:
    script = str(_script(project, WITNESS))
    passed = _run(project, [script, *CHECK, "--fail-on", "none", "-o", "out.txt"])
    assert passed.returncode == 0, passed.stderr
    assert "shutdown freed the witness" not in passed.stderr  # the shutdown was skipped
    assert "request-property-became-required" in (project / "out.txt").read_text(encoding="utf-8")
    failed = _run(project, [script, *CHECK, "--fail-on", "minor"])
    assert failed.returncode == 1 and "request-property-became-required" in failed.stdout
    bad = _run(project, [script, "check", "base.json", "missing.json"])
    assert bad.returncode == 2 and bad.stderr.startswith("trustguard: error: ") and bad.stdout == ""
    usage = _run(project, [script, "check", "base.json"])
    assert usage.returncode == 2
    assert _run(project, [script, "--version"]).stdout.startswith("trustguard, version ")


def test_a_bug_still_exits_3_from_the_command(project: Path) -> None:
    planted = ("from trustguard.diff import schema\n"
               "def boom(*args, **kwargs):\n    raise ZeroDivisionError('planted')\n"
               "schema.SchemaDiffer.result = boom\n")
    proc = _run(project, [str(_script(project, planted)), *CHECK, "-o", "out.txt"])
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("trustguard: internal error: ")
    assert not (project / "out.txt").exists()


def test_python_m_trustguard_ends_the_same_way(project: Path) -> None:
    # the witness comes in through sitecustomize, imported as the interpreter starts
    (project / "site").mkdir()
    (project / "site" / "sitecustomize.py").write_text(WITNESS, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project / "site"), *sys.path])}
    proc = _run(project, ["-m", "trustguard", *CHECK, "--fail-on", "minor"], env=env)
    assert proc.returncode == 1 and "request-property-became-required" in proc.stdout
    assert "shutdown freed the witness" not in proc.stderr
    other = _run(project, ["-c", "import sitecustomize"], env=env)
    assert other.returncode == 0 and "shutdown freed the witness" in other.stderr  # the witness works


def test_the_atexit_handlers_run_and_temporary_folders_go(project: Path) -> None:
    body = ("import atexit, pathlib, tempfile\nfrom trustguard import config_files\n"
            "holder = tempfile.TemporaryDirectory(prefix='trustguard-test-')\n"
            "config_files._EXTRACTED.append(holder)\n(pathlib.Path(holder.name) / 'kept').write_text('x')\n"
            "print(holder.name, flush=True)\n"
            "atexit.register(lambda: pathlib.Path('handler-ran').write_text('yes'))\n")
    proc = _run(project, [str(_script(project, body)), *CHECK, "-f", "json", "--fail-on", "none", "-o", "out.json"])
    assert proc.returncode == 0, proc.stderr
    folder = Path(proc.stdout.strip())
    assert folder.name.startswith("trustguard-test-") and not folder.exists()
    assert (project / "handler-ran").read_text() == "yes"
    findings = json.loads((project / "out.json").read_text(encoding="utf-8"))["findings"]
    assert len(findings) == 400 and {f["rule"] for f in findings} == {"request-property-became-required"}


def test_piped_output_is_whole_and_the_same_as_through_the_interpreters_exit(project: Path) -> None:
    script = str(_script(project, ""))
    args = [*CHECK, "-f", "sarif", "--fail-on", "none"]
    fast = _run(project, [script, *args])
    # the same command from a program that calls main itself: the interpreter ends it
    usual = _run(project, ["-c", "import sys\nsys.argv = ['trustguard', *sys.argv[1:]]\n"
                                 "from trustguard.cli import main\nmain()", *args])
    assert fast.returncode == usual.returncode == 0
    assert len(fast.stdout) > 100_000 and fast.stdout == usual.stdout  # 400 operations' results
    json.loads(fast.stdout)
    with (project / "out.txt").open("w", encoding="utf-8") as handle:  # to a file, not a pipe
        assert subprocess.run([sys.executable, script, *args], cwd=project, stdout=handle, check=False,
                              timeout=120).returncode == 0
    assert (project / "out.txt").read_text(encoding="utf-8") == usual.stdout


def test_a_closed_pipe_is_still_exit_2(project: Path) -> None:
    script = str(_script(project, "import os\nos.close(1)\n"))
    proc = _run(project, [script, *CHECK, "-f", "json", "--fail-on", "none"])
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("trustguard: error: cannot write to standard output")


def test_a_thread_still_running_is_waited_for(project: Path) -> None:
    body = ("import pathlib, threading, time\n"
            "def late():\n    time.sleep(0.5)\n    pathlib.Path('thread-done').write_text('yes')\n"
            "threading.Thread(target=late).start()\n")
    proc = _run(project, [str(_script(project, body + WITNESS)), *CHECK, "--fail-on", "minor", "-o", "out.txt"])
    assert proc.returncode == 1, proc.stderr
    assert (project / "thread-done").read_text() == "yes"
    assert "shutdown freed the witness" in proc.stderr  # the interpreter ended this one


def test_a_program_that_calls_main_gets_its_systemexit(project: Path) -> None:
    # a script of another name, and python -c: main raises, the program goes on
    body = WITNESS + "import sys\nsys.argv = ['trustguard', 'check', 'base.json', 'revision.json', '--fail-on', 'minor']\n"
    code = body + ("from trustguard.cli import main\ntry:\n    main()\nexcept SystemExit as end:\n"
                   "    print('main ended with', end.code)\n")
    (project / "other.py").write_text(code, encoding="utf-8")
    for argv in (["other.py"], ["-c", code]):
        proc = _run(project, argv)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip().splitlines()[-1] == "main ended with 1"
        assert "shutdown freed the witness" in proc.stderr


def test_a_library_caller_gets_its_memory_back(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[weakref.ref[Any]] = []
    load_pair = api._load_pair

    def noting(*args: Any, **kwargs: Any) -> Any:
        docs = load_pair(*args, **kwargs)
        loaded.extend(weakref.ref(doc) for doc in docs)
        return docs

    monkeypatch.setattr(api, "_load_pair", noting)
    report = trustguard.check(project / "base.json", project / "revision.json", fail_on="minor")
    assert report.verdict.value == "fail"
    gc.collect()
    assert len(loaded) == 2 and all(ref() is None for ref in loaded)
    assert _runtime._kept is None


def test_a_tool_that_runs_the_command_gets_its_own_end(project: Path) -> None:
    # cProfile runs the command, then writes its profile (and exits 0, its own choice):
    # that must still happen
    script = str(_script(project, ""))
    for argv in (["-m", "cProfile", "-o", "run.prof", "-m", "trustguard"], ["-m", "cProfile", "-o", "run.prof", script]):
        (project / "run.prof").unlink(missing_ok=True)
        (project / "out.txt").unlink(missing_ok=True)
        proc = _run(project, [*argv, *CHECK, "--fail-on", "minor", "-o", "out.txt"])
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        assert "request-property-became-required" in (project / "out.txt").read_text(encoding="utf-8")
        assert (project / "run.prof").stat().st_size > 0


# How coverage.py runs a program (`coverage run bin/trustguard`, `-m trustguard`): as a
# fresh __main__ module, its SystemExit caught, and its own work done afterwards.
RUNNER = textwrap.dedent("""
    import pathlib, runpy, sys, types
    target = sys.argv.pop(1)
    module = types.ModuleType("__main__")
    if target == "-m":
        name, spec, code = runpy._get_module_details(sys.argv.pop(1))
        file = code.co_filename
        module.__spec__, module.__package__ = spec, spec.parent
    else:
        file = target
        code = compile(pathlib.Path(file).read_text(), file, "exec")
    module.__file__ = file
    sys.modules["__main__"] = module
    sys.argv[0] = file
    try:
        exec(code, vars(module))
    except SystemExit as end:
        pathlib.Path("after.txt").write_text(f"ended with {end.code}")
""")


def test_a_runner_that_does_its_work_after_the_command_gets_to_do_it(project: Path) -> None:
    (project / "runner.py").write_text(RUNNER, encoding="utf-8")
    for target in (["-m", "trustguard"], [str(_script(project, ""))]):
        (project / "after.txt").unlink(missing_ok=True)
        proc = _run(project, ["runner.py", *target, *CHECK, "--fail-on", "minor"])
        assert proc.returncode == 0 and "request-property-became-required" in proc.stdout, proc.stderr
        assert (project / "after.txt").read_text() == "ended with 1"
