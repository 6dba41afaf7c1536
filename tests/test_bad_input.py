"""Bad input at the CLI: exit 2, one line on stderr naming the file and the place, no traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import trustguard

GOOD = """openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /pets:
    get:
      responses:
        '200': {description: ok}
"""


def check(
    tmp_path: Path, name: str, content: bytes | str | None, stdin: bytes | None = None, shown: str | None = None
) -> str:
    """Run ``trustguard check good <name>`` and return its one-line error."""
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    if content is not None:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)
    proc = subprocess.run(
        [sys.executable, "-m", "trustguard", "check", "good.yaml", name],
        cwd=tmp_path, capture_output=True, input=stdin, check=False, timeout=120,
    )
    stderr = proc.stderr.decode()
    assert proc.returncode == 2, (proc.returncode, stderr, proc.stdout[:500])
    assert "Traceback" not in stderr
    assert proc.stdout == b""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    shown = shown or ("<stdin>" if name == "-" else name)
    assert lines[0].startswith(f"trustguard: error: {shown}"), lines[0]
    return lines[0][len("trustguard: error: "):]


def at_line(error: str, name: str, line: int) -> None:
    assert re.match(rf"{re.escape(name)}:{line}(:\d+)?: ", error), error


def test_missing_file(tmp_path: Path) -> None:
    assert check(tmp_path, "nope.yaml", None) == "nope.yaml: no such file"


def test_empty_file(tmp_path: Path) -> None:
    error = check(tmp_path, "empty.yaml", "  \n\n")
    at_line(error, "empty.yaml", 1)
    assert "empty" in error


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    from trustguard.load.sources import MAX_INPUT_BYTES

    with (tmp_path / "huge.json").open("wb") as handle:  # sparse: no disk space used
        handle.write(b"{")
        handle.truncate(MAX_INPUT_BYTES + 1)
    assert check(tmp_path, "huge.json", None) == "huge.json: the file is larger than 256 MiB"


def test_reading_is_bounded_without_allocating_the_bound(tmp_path: Path) -> None:
    import io
    import tracemalloc

    from trustguard.load.sources import read_bounded

    spec = tmp_path / "spec.json"
    spec.write_bytes(b"x" * 300_000)
    tracemalloc.start()
    with spec.open("rb") as handle:
        data = read_bounded(handle)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert data == b"x" * 300_000
    assert peak < 2_000_000  # the file's size, not the 256 MiB bound
    # a stream of unknown size is read in chunks, and stops one byte past the bound
    assert read_bounded(io.BytesIO(b"y" * 5000), limit=1000) == b"y" * 1001
    assert read_bounded(io.BytesIO(b"y" * 5000), limit=10_000) == b"y" * 5000
    assert read_bounded(io.BytesIO(b""), limit=10) == b""


@pytest.mark.parametrize("command", ["check", "diff", "review"])
def test_base_and_revision_cannot_both_be_stdin(tmp_path: Path, command: str) -> None:
    # the revision used to read an empty stdin and be taken for an empty terms text
    proc = subprocess.run([sys.executable, "-m", "trustguard", command, "-", "-"], cwd=tmp_path,
                          capture_output=True, input=GOOD.encode(), check=False, timeout=120)
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode().strip() == ("trustguard: error: <stdin>: the base and the revision cannot both "
                                            "be '-': standard input can be read only once")
    with pytest.raises(trustguard.InputError, match="cannot both be '-'"):
        trustguard.check("-", Path("-"))


def test_stdin_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from trustguard.load import sources

    monkeypatch.setattr(sources, "MAX_INPUT_BYTES", 1000)
    monkeypatch.setattr(sources.sys, "stdin", io.TextIOWrapper(io.BytesIO(b"{" + b" " * 2000 + b"}")))
    with pytest.raises(trustguard.InputError, match="larger than"):
        sources.read_source("-")


def test_invalid_yaml_names_its_line(tmp_path: Path) -> None:
    error = check(tmp_path, "bad.yaml", "openapi: 3.0.3\ninfo:\n  title: [a, b\n  version: 1\npaths: {}\n")
    at_line(error, "bad.yaml", 4)
    assert "invalid YAML" in error


def test_a_duplicate_yaml_key_names_both_lines(tmp_path: Path) -> None:
    # a second `get:` would silently replace the first operation
    twice = GOOD + "    get:\n      responses:\n        '404': {description: gone}\n"
    error = check(tmp_path, "twice.yaml", twice)
    at_line(error, "twice.yaml", 8)
    assert "duplicate key 'get' in a mapping (first at line 5)" in error
    # the same key spelled as a number and as a string is the same key
    at_line(check(tmp_path, "codes.yaml", GOOD + "        200: {description: ok}\n"), "codes.yaml", 8)


def test_truncated_json_names_line_and_column(tmp_path: Path) -> None:
    error = check(tmp_path, "cut.json", '{\n  "openapi": "3.0.3",\n  "paths": {"/a": {"get": ')
    assert error.startswith("cut.json:3:"), error
    assert re.match(r"cut\.json:3:\d+: invalid JSON", error), error


def test_binary_garbage(tmp_path: Path) -> None:
    garbage = bytes(range(256)) * 40
    error = check(tmp_path, "spec.yaml", garbage)
    at_line(error, "spec.yaml", 1)
    assert "binary" in error


def test_non_utf8_text(tmp_path: Path) -> None:
    error = check(tmp_path, "latin1.yaml", "openapi: 3.0.3\ninfo:\n  title: Caf\xe9\n".encode("latin-1"))
    assert error.startswith("latin1.yaml:3:13: "), error
    assert "not UTF-8" in error


def test_yaml_that_is_not_openapi(tmp_path: Path) -> None:
    error = check(tmp_path, "other.yaml", "name: a shopping list\nitems: [milk, eggs]\n")
    at_line(error, "other.yaml", 1)
    assert "'openapi'" in error and "'swagger'" in error


def test_unsupported_version(tmp_path: Path) -> None:
    error = check(tmp_path, "v4.yaml", "openapi: 4.0.0\npaths: {}\n")
    at_line(error, "v4.yaml", 1)
    assert "unsupported OpenAPI version" in error


def test_unresolvable_local_ref(tmp_path: Path) -> None:
    spec = GOOD.replace("'200': {description: ok}", "'200': {$ref: '#/components/responses/Gone'}")
    error = check(tmp_path, "spec.yaml", spec)
    at_line(error, "spec.yaml", 7)
    assert "unresolvable $ref '#/components/responses/Gone'" in error


def test_ref_to_missing_sibling_file(tmp_path: Path) -> None:
    spec = GOOD.replace("'200': {description: ok}", "'200': {$ref: 'responses.yaml#/Ok'}")
    error = check(tmp_path, "spec.yaml", spec)
    at_line(error, "spec.yaml", 7)
    assert "responses.yaml" in error and "No such file" in error


def test_unresolvable_ref_inside_a_sibling_file_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "responses.yaml").write_text("Ok:\n  description: ok\n  headers:\n    X: {$ref: '#/Nope'}\n")
    (tmp_path / "api").mkdir()
    (tmp_path / "responses.yaml").rename(tmp_path / "api" / "responses.yaml")
    spec = GOOD.replace("'200': {description: ok}", "'200': {$ref: 'responses.yaml#/Ok'}")
    error = check(tmp_path, "api/spec.yaml", spec, shown="api/responses.yaml")
    at_line(error, "api/responses.yaml", 4)
    assert "unresolvable $ref '#/Nope'" in error


@pytest.mark.parametrize("ref", ["https://example.com/pets.yaml#/Pet", "http://10.0.0.1/x.json", "//example.com/x.yaml"])
def test_remote_ref_is_refused(tmp_path: Path, ref: str) -> None:
    spec = GOOD.replace("'200': {description: ok}", f"'200': {{$ref: '{ref}'}}")
    error = check(tmp_path, "spec.yaml", spec)
    at_line(error, "spec.yaml", 7)
    assert "remote $ref" in error


@pytest.mark.parametrize("ref", ["../secret.yaml#/Ok", "/etc/passwd", "sub/../../secret.yaml"])
def test_ref_escaping_the_folder_is_refused(tmp_path: Path, ref: str) -> None:
    (tmp_path / "secret.yaml").write_text("Ok: {description: ok}\n")
    spec = GOOD.replace("'200': {description: ok}", f"'200': {{$ref: '{ref}'}}")
    error = check(tmp_path, "api/spec.yaml", spec)
    at_line(error, "api/spec.yaml", 7)
    assert "outside the spec's folder" in error and "--allow-external-refs" in error


def test_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("Ok: {description: ok}\n")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    spec = GOOD.replace("'200': {description: ok}", "'200': {$ref: 'link.yaml#/Ok'}")
    error = check(tmp_path, "api/spec.yaml", spec)
    assert "outside the spec's folder" in error


def test_ref_loop_without_a_value(tmp_path: Path) -> None:
    spec = GOOD + "components:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n"
    error = check(tmp_path, "spec.yaml", spec)
    assert "loops back" in error


def _run_measured(tmp_path: Path, name: str) -> dict[str, object]:
    """Run the CLI in a child of a fresh interpreter, so that ru_maxrss is that child's alone."""
    (tmp_path / "good.yaml").write_text(GOOD)
    probe = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        f"p = subprocess.run([sys.executable, '-m', 'trustguard', 'check', 'good.yaml', {name!r}],"
        " capture_output=True, text=True)\n"
        "print(json.dumps({'rc': p.returncode, 'stderr': p.stderr, 'seconds': time.perf_counter() - t,"
        " 'maxrss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                         check=True, timeout=120)
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_yaml_alias_bomb_is_refused_within_memory(tmp_path: Path) -> None:
    lines = ['openapi: 3.0.3', 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    lines.append("paths: {}")
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    result = _run_measured(tmp_path, "bomb.yaml")
    print(f"alias bomb: {result['seconds']:.2f} s, peak RSS {int(result['maxrss_kb']) // 1024} MB")  # type: ignore[call-overload]
    assert result["rc"] == 2
    stderr = str(result["stderr"])
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
    assert re.match(r"trustguard: error: bomb\.yaml:\d+:\d+: .*alias", stderr), stderr
    assert int(result["maxrss_kb"]) < 200 * 1024  # type: ignore[call-overload]


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    error = check(tmp_path, "loop.yaml", "openapi: 3.0.3\npaths: &p\n  /a: *p\n")
    at_line(error, "loop.yaml", 3)


DEEP = 10_000


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("flow-seq.yaml", "openapi: 3.0.3\nx: " + "[" * DEEP + "]" * DEEP + "\n"),
        ("flow-map.yaml", "openapi: 3.0.3\nx: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n"),
        ("block-seq.yaml", "openapi: 3.0.3\nx:\n" + "- " * DEEP + "1\n"),
        ("block-map.yaml", "openapi: 3.0.3\nx:\n" + "".join(" " * (i + 1) + "a:\n" for i in range(DEEP))),
        ("deep.json", '{"openapi": "3.0.3", "x": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}"),
        ("deep-array.json", '{"openapi": "3.0.3", "x": ' + "[" * DEEP + "]" * DEEP + "}"),
    ],
)
def test_ten_thousand_deep_nesting(tmp_path: Path, name: str, text: str) -> None:
    error = check(tmp_path, name, text)
    assert re.match(rf"{re.escape(name)}:\d+:\d+: the (YAML|JSON) nests deeper than \d+ levels", error), error


@pytest.mark.parametrize(
    ("spec", "line", "expected"),
    [
        ("openapi: 3.0.3\npaths:\n  - /pets\n", 2, "'paths' must be a mapping, found a list"),
        ("openapi: 3.0.3\npaths:\n  /pets:\n    get: list them\n", 4, "an operation must be a mapping, found a string"),
        ("openapi: 3.0.3\npaths:\n  /pets:\n    get:\n      parameters:\n        - name: limit\n"
         "          schema: {type: integer}\n", 6, "a parameter needs 'in'"),
        ("openapi: 3.0.3\npaths:\n  /pets:\n    get:\n      parameters:\n        - {name: q, in: body}\n",
         6, "a parameter's 'in' must be one of"),
        ("openapi: 3.0.3\npaths:\n  pets: {}\n", 3, "a path must start with '/'"),
        ("openapi: 3.0.3\npaths: {}\ncomponents:\n  schemas:\n    Pet:\n      properties: [name]\n",
         6, "'properties' must be a mapping"),
        ("openapi: 3.0.3\npaths: {}\ncomponents:\n  schemas:\n    Pet:\n      allOf: {a: 1}\n",
         6, "'allOf' must be a list"),
        ("openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses:\n        '200': ok\n", 6,
         "a response must be a mapping"),
    ],
)
def test_structurally_wrong_spec(tmp_path: Path, spec: str, line: int, expected: str) -> None:
    error = check(tmp_path, "spec.yaml", spec)
    at_line(error, "spec.yaml", line)
    assert expected in error


def test_bad_stdin_is_named_stdin(tmp_path: Path) -> None:
    error = check(tmp_path, "-", None, stdin=b"openapi: 3.0.3\npaths: [\n")
    assert re.match(r"<stdin>:\d+:\d+: invalid YAML", error), error


def test_sibling_ref_from_stdin_is_refused(tmp_path: Path) -> None:
    spec = GOOD.replace("'200': {description: ok}", "'200': {$ref: 'responses.yaml#/Ok'}")
    error = check(tmp_path, "-", None, stdin=spec.encode())
    at_line(error, "<stdin>", 7)
    assert "no folder" in error


def test_unknown_git_revision(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    error = check(tmp_path, "no-such-rev:spec.yaml", None)
    assert "git cannot show no-such-rev:spec.yaml" in error


def test_api_raises_input_error_with_file_and_place(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.0.3\npaths:\n  /a:\n    get: 42\n")
    with pytest.raises(trustguard.InputError) as caught:
        trustguard.load(spec)
    assert caught.value.file == str(spec)
    assert caught.value.place == "4:5"
    with pytest.raises(trustguard.InputError) as caught:
        trustguard.load({"openapi": "3.0.3", "paths": {"/a": {"get": {"parameters": [{"name": "x"}]}}}})
    assert caught.value.file == "<dict>"
    assert caught.value.place == "/paths/~1a/get/parameters/0"
