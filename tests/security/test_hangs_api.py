"""Hangs on hostile OpenAPI input: each runs in time linear (or near) in its size.

A hostile pull request controls the spec, its config and the workflow's flags. Each case
below was a hang (quadratic, cubic or exponential) before; the tests check the *growth*:
the input is made 4x larger and the CPU time may grow about 4x (a generous bound of 8x
or 9x: the quadratic versions grew 16x or more). The exponential regex cases run in a
subprocess with a generous timeout instead, so a regression fails rather than hangs.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustguard
from trustguard.diff.openapi_context import normalize_path
from trustguard.diff.values import missing_from
from trustguard.impact.routes import _PARAM, PathRouter, _SegmentTemplate
from trustguard.load.parse import Locator

SUBPROCESS_TIMEOUT = 120  # seconds; each case takes well under 5 s when linear


def _cpu(run: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def _growth(make: Callable[[int], Callable[[], object]], n: int, factor: int = 4) -> float:
    """CPU time at ``factor * n`` over CPU time at ``n`` (each the best of three)."""
    small, large = make(n), make(factor * n)
    return _cpu(large) / max(_cpu(small), 1e-4)


def _spec(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


def _enum_spec(values: list[Any]) -> dict[str, Any]:
    return _spec({"/x": {"get": {
        "parameters": [{"name": "q", "in": "query", "schema": {"type": "string", "enum": values}}],
        "responses": {"200": {"description": "ok"}}}}})


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trustguard", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=SUBPROCESS_TIMEOUT)


# --- enums -------------------------------------------------------------------------------


def test_an_enum_of_many_values_is_compared_in_linear_time() -> None:
    # the same values in the other order, one swapped: every `v not in list` scanned the list
    def make(n: int) -> Callable[[], object]:
        base = _enum_spec([f"v{i}" for i in range(n)])
        rev = _enum_spec([f"v{i}" for i in reversed(range(1, n))] + ["new"])

        def run() -> None:
            changes = trustguard.diff(base, rev)
            assert sorted((c.kind, c.before, c.after) for c in changes) == [
                ("api.schema.enum.value-added", None, "new"), ("api.schema.enum.value-removed", "v0", None)]
        return run

    assert _growth(make, 10_000) < 8


def test_an_enum_with_every_value_changed_gives_one_change_per_value() -> None:
    n = 20_000
    changes = trustguard.diff(_enum_spec([f"a{i}" for i in range(n)]), _enum_spec([f"b{i}" for i in range(n)]))
    removed = [c.before for c in changes if c.kind == "api.schema.enum.value-removed"]
    added = [c.after for c in changes if c.kind == "api.schema.enum.value-added"]
    assert sorted(removed) == sorted(f"a{i}" for i in range(n))
    assert sorted(added) == sorted(f"b{i}" for i in range(n))


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([0.0, 1.0, 2.5]) | st.sampled_from(["a", "b", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["k", "l"]), inner, max_size=2),
    max_leaves=6,
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_json_values, max_size=6), st.lists(_json_values, max_size=6))
def test_missing_values_are_those_python_equality_finds(values: list[Any], other: list[Any]) -> None:
    # 1 == 1.0 == True, mappings equal in any key order, lists in order, repeats kept
    assert missing_from(values, other) == [v for v in values if v not in other]


def test_missing_values_keep_python_equality_across_types() -> None:
    assert missing_from([1, 1.0, True, 2, {"a": [1, 2]}, [1, 2]], [True, {"a": [1.0, 2]}]) == [2, [1, 2]]
    assert missing_from([{"a": 1, "b": 2}], [{"b": 2, "a": 1}]) == []
    assert missing_from([[1, 2]], [[2, 1]]) == [[1, 2]]


def test_server_variable_enums_are_compared_in_linear_time() -> None:
    def make(n: int) -> Callable[[], object]:
        def servers(values: list[str]) -> dict[str, Any]:
            return _spec({"/x": {"get": {"responses": {"200": {"description": "ok"}}}}}, servers=[
                {"url": "https://{v}.example.com", "variables": {"v": {"default": values[0], "enum": values}}}])
        base, rev = servers([f"s{i}" for i in range(n)]), servers([f"s{i}" for i in reversed(range(1, n))])

        def run() -> None:
            kinds = [c.kind for c in trustguard.diff(base, rev)]
            assert kinds.count("api.server.variable.enum.value-removed") == 1
        return run

    assert _growth(make, 10_000) < 8


# --- oneOf / anyOf branches ----------------------------------------------------------------


def test_many_one_of_branches_are_paired_in_linear_time() -> None:
    def make(n: int) -> Callable[[], object]:
        def body(kind: str) -> dict[str, Any]:
            branches = [{"type": "object", "title": f"B{i}", "properties": {"p": {"type": kind}}} for i in range(n)]
            return _spec({"/x": {"post": {"requestBody": {"content": {"application/json": {"schema": {"oneOf": branches}}}},
                                          "responses": {"200": {"description": "ok"}}}}})
        base, rev = body("string"), body("integer")

        def run() -> None:
            changes = trustguard.diff(base, rev)
            assert len([c for c in changes if c.kind.startswith("api.schema.type.")]) == n  # each branch paired by title
        return run

    assert _growth(make, 500) < 8


# --- positions in minified JSON -----------------------------------------------------------


def _minified(n: int) -> tuple[str, dict[str, Any]]:
    data = _spec({f"/p{i}": {"get": {"parameters": [{"name": "q", "in": "query"}],
                                     "responses": {"200": {"description": "ok"}}}} for i in range(n)})
    return json.dumps(data, separators=(",", ":")), data


def test_positions_in_one_line_json_are_found_in_linear_time() -> None:
    def make(n: int) -> Callable[[], object]:
        text, data = _minified(n)

        def run() -> None:
            locator = Locator(text, "json", data)
            for i in range(n):
                locator.position(f"/paths/~1p{i}/get/parameters/0/in")
        return run

    assert _growth(make, 3_000) < 8


def test_positions_in_one_line_json_are_the_columns_of_the_keys() -> None:
    text, data = _minified(300)
    locator = Locator(text, "json", data)
    for i in (0, 1, 150, 299):
        at = text.index(f'"/p{i}":')
        key_at = text.index('"in"', at)
        assert locator.position(f"/paths/~1p{i}") == (1, at + 1)
        assert locator.position(f"/paths/~1p{i}/get/parameters/0/in") == (1, key_at + 1)


def test_line_and_column_across_blocks_match_a_plain_count() -> None:
    # long lines, short lines and newlines on block boundaries (blocks are 4096 characters)
    rng = random.Random(7)
    lines = [" " * rng.choice([0, 1, 4095, 4096, 4097, 9000, rng.randrange(200)]) for _ in range(60)]
    text = "\n".join(lines)
    locator = Locator(text, "json")
    offsets = sorted({rng.randrange(len(text)) for _ in range(3000)} | {0, 4095, 4096, 8192, len(text) - 1})
    for offset in offsets:
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        assert locator._line_col(offset) == (line, column), offset


# --- path templates ------------------------------------------------------------------------


def _old_segment_regex(segment: str) -> re.Pattern[str]:
    """The regex a partial segment template was matched with before (the oracle)."""
    return re.compile("[^/]+?".join(re.escape(p) for p in _PARAM.split(segment)))


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(["a", "-", ".", "ab", "{x}", "{y}"]), min_size=1, max_size=6),
       st.text(alphabet="ab-.", max_size=9))
def test_a_partial_segment_template_matches_as_its_regex_did(parts: list[str], segment: str) -> None:
    template = "".join(parts)
    expected = _old_segment_regex(template).fullmatch(segment) is not None
    assert _SegmentTemplate(tuple(_PARAM.split(template))).fullmatch(segment) is expected


def test_a_template_with_twelve_parameters_against_a_long_path_does_not_backtrack(tmp_path: Path) -> None:
    code = textwrap.dedent("""
        from trustguard.impact.routes import PathRouter
        router = PathRouter()
        router.add("get", "/files/" + "-".join(f"{{p{i}}}" for i in range(12)) + ".json")
        router.add("get", "/files/{name}/meta")
        print(router.match("GET", "/files/" + "-" * 5000 + "x"))
        print(router.match("GET", "/files/" + "a-" * 11 + "b.json"))
        print(router.match("GET", "/files/" + "-" * 5000 + "/meta"))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:3] == [
        "None", "GET /files/" + "-".join(["{}"] * 12) + ".json", "GET /files/{}/meta"]


def test_matching_a_partial_template_is_linear_in_the_segment() -> None:
    router = PathRouter()
    router.add("get", "/f/" + "-".join(f"{{p{i}}}" for i in range(12)) + ".json")

    def make(n: int) -> Callable[[], object]:
        path = "/f/" + "-" * n + "x"
        return lambda: [router._match("GET", path) for _ in range(20)]

    assert _growth(make, 20_000) < 8


def test_a_template_with_thousands_of_segments_is_matched_without_recursion() -> None:
    router = PathRouter()
    key = router.add("get", "/" + "/".join(f"{{p{i}}}" for i in range(3000)))
    assert router.match("GET", "/a" * 3000) == key
    assert router.match("GET", "/a" * 2999) is None


def test_a_path_with_a_long_unclosed_brace_run_is_normalised_in_linear_time() -> None:
    def make(n: int) -> Callable[[], object]:
        path = "/x/" + "{" * n + "/{id}"
        return lambda: normalize_path(path)

    assert normalize_path("/x/" + "{" * 10 + "/{id}") == "/x/" + "{" * 10 + "/{}"
    assert _growth(make, 50_000) < 8


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="/{}a", max_size=12))
def test_normalised_paths_are_those_of_the_plain_parameter_regex(path: str) -> None:
    assert normalize_path(path) == re.sub(r"\{[^}/]*\}", "{}", path.rstrip("/") or "/")


def test_a_path_template_beyond_the_length_bound_is_refused_briefly(tmp_path: Path) -> None:
    path = "/" + "/".join(f"{{p{i}}}" for i in range(4000))
    spec = _spec({path: {"get": {"responses": {"200": {"description": "ok"}}}}})
    text = json.dumps(spec, indent=1)
    (tmp_path / "a.json").write_text(text)
    proc = _cli("check", "a.json", "a.json", "-o", "out.txt", cwd=tmp_path)
    assert proc.returncode == 2
    line = text.count("\n", 0, text.index('"/{p0}')) + 1
    assert f"a.json:{line}:" in proc.stderr and "4,096 characters" in proc.stderr
    assert len(proc.stderr) < 400  # it does not echo the path or its pointer whole
    assert not (tmp_path / "out.txt").exists()


# --- user regexes ----------------------------------------------------------------------------


_EVIL = "a" * 40 + "!"  # ^(a+)+$ against this takes 2^40 steps in a backtracking engine


def _regex_specs(tmp_path: Path, path: str = "/" + _EVIL) -> None:
    def spec(required: bool) -> dict[str, Any]:
        return _spec({path: {"get": {
            "x-" + _EVIL: True,
            "parameters": [{"name": "q", "in": "query", "required": required, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok"}}}}})
    (tmp_path / "base.json").write_text(json.dumps(spec(False)))
    (tmp_path / "rev.json").write_text(json.dumps(spec(True)))


def test_an_include_path_regex_with_nested_repeats_does_not_hang(tmp_path: Path) -> None:
    _regex_specs(tmp_path)
    # the path does not match: the finding on it is left out, the check passes
    assert _cli("check", "base.json", "rev.json", "--include-path", "re:^/(a+)+$", cwd=tmp_path).returncode == 0
    # and one that does match keeps it
    assert _cli("check", "base.json", "rev.json", "--include-path", "re:^/(a+)+!$", cwd=tmp_path).returncode == 1
    assert _cli("check", "base.json", "rev.json", "--exclude-path", "re:^/(a+)+!$", cwd=tmp_path).returncode == 0


def test_an_extension_filter_with_nested_repeats_does_not_hang(tmp_path: Path) -> None:
    _regex_specs(tmp_path)
    no_match = _cli("check", "base.json", "rev.json", "--filter-extension", "^x-(a+)+$", cwd=tmp_path)
    assert no_match.returncode == 1  # nothing filtered: the break is reported
    (tmp_path / "trustguard.yaml").write_text('exclude_extensions: ["^x-(a+)+!$"]\n')
    assert _cli("check", "base.json", "rev.json", cwd=tmp_path).returncode == 0  # the operation is skipped


def test_a_spec_pattern_with_nested_repeats_does_not_hang_validation(tmp_path: Path) -> None:
    def spec(required: bool) -> dict[str, Any]:
        return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": {
            "parameters": [{"name": "q", "in": "query", "required": required,
                            "schema": {"type": "string", "pattern": "^(a+)+$", "default": _EVIL}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object", "patternProperties": {"^(b+)+$": {"type": "integer"}},
                "default": {"b" * 40 + "!": "text", "bbb": "text"}}}}}}}}}}
    (tmp_path / "base.json").write_text(json.dumps(spec(False)))
    (tmp_path / "rev.json").write_text(json.dumps(spec(True)))
    proc = _cli("check", "base.json", "rev.json", "--validate", cwd=tmp_path)
    assert proc.returncode == 1
    warnings = proc.stdout + proc.stderr
    assert f"'{_EVIL}' does not match '^(a+)+$'" in warnings
    assert "'text' is not of type 'integer'" in warnings  # "bbb" matched ^(b+)+$; the long key did not


@pytest.mark.parametrize(("flag", "pattern", "why"), [
    ("--include-path", r"re:^/(a)\1", "backreference"),
    ("--exclude-path", "re:^/(?=a)", "lookahead"),
    ("--filter-extension", "(?<!x)-internal", "lookbehind"),
    ("--filter-extension", "x-(?>a+)", "atomic group"),
    ("--include-path", "re:^/a++$", "possessive quantifier"),
])
def test_a_pattern_that_needs_backtracking_is_refused(tmp_path: Path, flag: str, pattern: str, why: str) -> None:
    _regex_specs(tmp_path, "/a")
    proc = _cli("check", "base.json", "rev.json", flag, pattern, "-o", "out.txt", cwd=tmp_path)
    assert proc.returncode == 2
    option = {"--filter-extension": "--exclude-extension"}.get(flag, flag)  # the option's main name
    assert option in proc.stderr and why in proc.stderr and "RE2" in proc.stderr
    assert repr(pattern).strip("'").replace("\\\\", "\\") in proc.stderr.replace("\\\\", "\\")
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out.txt").exists()


def test_a_refused_pattern_in_the_config_names_the_file_and_key(tmp_path: Path) -> None:
    _regex_specs(tmp_path, "/a")
    (tmp_path / "trustguard.yaml").write_text('exclude_extensions: ["^x-(?!public)"]\n')
    proc = _cli("check", "base.json", "rev.json", cwd=tmp_path)
    assert proc.returncode == 2
    assert "trustguard.yaml" in proc.stderr and "exclude_extensions" in proc.stderr
    assert "^x-(?!public)" in proc.stderr and "negative lookahead" in proc.stderr


def test_an_invalid_pattern_keeps_its_message() -> None:
    with pytest.raises(trustguard.ConfigError, match=r"'re:\(' is not a valid regular expression: missing \)"):
        trustguard.check(_enum_spec(["a"]), _enum_spec(["a"]), include_paths=["re:("])


def test_a_spec_pattern_rE2_cannot_run_is_reported_not_run(tmp_path: Path) -> None:
    spec = _spec({"/x": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {
        "type": "string", "pattern": "^(?=a)(a+)+$", "default": _EVIL}}],
        "responses": {"200": {"description": "ok"}}}}})
    (tmp_path / "a.json").write_text(json.dumps(spec))
    proc = _cli("check", "a.json", "a.json", "--strict", cwd=tmp_path)
    assert proc.returncode == 2
    assert "'^(?=a)(a+)+$'" in proc.stderr and "lookahead" in proc.stderr


# the same problems as the library's own checks, for patterns both engines run
_VALIDATED = [
    ("3.0.3", {"type": "string", "pattern": "^[a-z]+$", "default": "abc1"}),
    ("3.0.3", {"type": "string", "pattern": "^[a-z]+$", "default": "abc"}),
    ("3.0.3", {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False,
               "default": {"a": "x", "b": 1}}),
    ("3.1.0", {"type": "object", "patternProperties": {"^x-": {"type": "integer"}, "^y": {"type": "string"}},
               "additionalProperties": False, "default": {"x-a": "s", "yy": 1, "z": 2}}),
    ("3.1.0", {"type": "object", "patternProperties": {"^x-": {"type": "integer"}},
               "additionalProperties": {"type": "string"}, "default": {"x-a": 1, "q": 3}}),
    ("3.1.0", {"type": "object", "allOf": [{"patternProperties": {"^a": {"type": "integer"}}}],
               "unevaluatedProperties": False, "default": {"ab": 1, "b": 2}}),
    ("3.1.0", {"type": "object", "properties": {"k": {"type": "string", "pattern": "^k"}},
               "unevaluatedProperties": {"type": "integer"}, "default": {"k": "v", "m": "n", "o": 1}}),
]


@pytest.mark.parametrize(("version", "schema"), _VALIDATED)
def test_validation_problems_are_those_of_the_library(version: str, schema: dict[str, Any],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from trustguard.load import openapi as load_openapi
    from trustguard.load import spec_patterns

    spec = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": {
        "parameters": [{"name": "q", "in": "query", "schema": schema}],
        "responses": {"200": {"description": "ok"}}}}}}
    doc = trustguard.load(spec)
    ours = load_openapi.validate_spec(doc.data, doc)
    monkeypatch.setattr(spec_patterns, "safe_keyword_validators", lambda base: dict(base.keyword_validators))
    theirs = load_openapi.validate_spec(doc.data, doc)
    assert ours == theirs


def test_a_wide_all_of_is_flattened_in_linear_time() -> None:
    # every branch adds to `required`: each name was looked for in the list so far
    def make(n: int) -> Callable[[], object]:
        def body(last: str) -> dict[str, Any]:
            branches = [{"type": "object", "properties": {f"p{i}": {"type": last if i == n - 1 else "string"}},
                         "required": [f"p{i}", "p0"]} for i in range(n)]
            return _spec({"/x": {"post": {"requestBody": {"content": {"application/json": {"schema": {"allOf": branches}}}},
                                          "responses": {"200": {"description": "ok"}}}}})
        base, rev = body("string"), body("integer")

        def run() -> None:
            changes = trustguard.diff(base, rev, flatten_allof=True)
            assert [c.kind for c in changes] == ["api.schema.type.changed"]
        return run

    assert _growth(make, 1_000) < 8
