"""Both sides of a pair are recognised, and a pair of different kinds, or a file of no kind
(a CSV, JSON lines, a README, JSON that is not a spec), is refused with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import corpus
import pytest
from click.testing import CliRunner

import trustguard
from trustguard.cli import cli
from trustguard.load.detect import MIN_LEGAL_SHARE, MIN_PROSE_SHARE, text_profile
from trustguard.load.sources import read_source

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

SPEC = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
TERMS = """# Acme Terms of Service

## 1. Fees

You agree to pay the fees of your plan. We may change them with 30 days' notice.

## 2. Termination

We may terminate your account if you breach these terms.
"""


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stdout, result.stderr


def refused(*args: str | Path) -> str:
    code, out, err = run("check", *args)
    assert code == 2, (code, out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trustguard: error: "), err
    return lines[0]


def kind_of(path: Path) -> trustguard.DocumentKind:
    return trustguard.load(path).kind


# --- pairs --------------------------------------------------------------------------------


def test_a_usage_log_against_a_spec_is_refused_naming_both_sides() -> None:
    # it used to pass: the base was taken for a terms text, and so was the spec
    error = refused(EXAMPLES / "usage.jsonl", EXAMPLES / "api" / "v2.yaml")
    assert "usage.jsonl: cannot tell what this document is: it looks like JSON lines" in error
    assert "v2.yaml is an OpenAPI spec" in error


def test_a_readme_against_docs_is_refused() -> None:
    error = refused(ROOT / "README.md", ROOT / "docs" / "api.md")
    assert "README.md: cannot tell what this document is" in error
    assert "technical text rather than terms" in error and "code blocks" in error
    assert "--kind" in error


@pytest.mark.parametrize(
    ("base", "revision", "base_is", "revision_is"),
    [
        ("api/v1.yaml", "terms/new.md", "an OpenAPI spec", "a terms text"),
        ("terms/old.md", "api/v1.yaml", "a terms text", "an OpenAPI spec"),
        ("pricing/old.yaml", "api/v2.yaml", "a pricing", "an OpenAPI spec"),
        ("api/v1.yaml", "pricing/new.yaml", "an OpenAPI spec", "a pricing"),
        ("terms/old.md", "pricing/new.yaml", "a terms text", "a pricing"),
    ],
)
def test_different_kinds_are_refused_saying_what_each_side_is(
    base: str, revision: str, base_is: str, revision_is: str
) -> None:
    error = refused(EXAMPLES / base, EXAMPLES / revision)
    assert "the base and the revision are different kinds of document" in error
    assert f"the base {EXAMPLES / base} is {base_is}" in error
    assert f"the revision {EXAMPLES / revision} is {revision_is}" in error
    assert "YAML" not in error  # not a syntax error of one read as the other
    with pytest.raises(trustguard.InputError, match="different kinds of document"):
        trustguard.check(EXAMPLES / base, EXAMPLES / revision)
    with pytest.raises(trustguard.InputError, match="different kinds of document"):
        trustguard.diff(EXAMPLES / base, EXAMPLES / revision)


@pytest.mark.parametrize("command", ["check", "review", "diff", "impact"])
def test_every_command_checks_both_sides(command: str) -> None:
    extra = ["--customers", str(EXAMPLES / "customers.csv")] if command == "impact" else []
    code, out, err = run(command, EXAMPLES / "api" / "v1.yaml", EXAMPLES / "terms" / "new.md", *extra)
    assert code == 2 and out == ""
    assert "different kinds of document" in err


def test_pairs_of_one_kind_still_work() -> None:
    assert run("check", EXAMPLES / "terms" / "old.md", EXAMPLES / "terms" / "new.md")[0] == 1
    assert run("check", EXAMPLES / "api" / "v1.yaml", EXAMPLES / "api" / "v2.yaml")[0] == 1
    assert run("check", EXAMPLES / "pricing" / "old.yaml", EXAMPLES / "pricing" / "new.yaml")[0] == 1
    assert run("check", EXAMPLES / "terms" / "old.md", EXAMPLES / "terms" / "old.md")[0] == 0


def test_a_json_file_of_no_kind_against_a_spec_is_explained_by_the_spec_loader(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(SPEC)
    (tmp_path / "rev.json").write_text('{"info": {"title": "t"}, "paths": {}}')
    error = refused(tmp_path / "base.yaml", tmp_path / "rev.json")
    assert "rev.json" in error and "'openapi'" in error


# --- files of no kind -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("customers.csv", "id,name,plan\nc1,Acme,pro\nc2,\"Globex, Inc\",free\n", "CSV"),
        ("usage.tsv", "customer\tpath\tcount\nc1\t/orders\t3\nc2\t/pets\t5\n", "CSV"),
        ("notes.txt", "id;name;plan\nc1;Acme;pro\nc2;Globex;free\n", "CSV"),
        ("usage.jsonl", '{"customer": "c1", "path": "/a"}\n{"customer": "c2", "path": "/b"}\n', "JSON lines"),
        ("data.json", '[{"customer": "c1"}]', "a list of 1 item"),
        ("config.yaml", "fail_on: major\nseverity: {a: off}\n", "a mapping with the keys 'fail_on', 'severity'"),
        ("scalar.yaml", "just a string\n", "a single str value"),
        ("guide.md", "# Guide\n\n```sh\npip install x\nx run --all\nx check a b\n```\n\n| flag | meaning |\n|---|---|\n"
                     "| -a | all |\n| -b | both |\n\nRun it.\n", "technical text"),
        # a spec quoted in a Markdown code block is not read as YAML
        ("spec-guide.md", "# Specs\n\n```yaml\nopenapi: 3.0.3\ninfo: {title: t\npaths: {}\n```\n\nWrite one.\n",
         "technical text"),
    ],
)
def test_a_file_of_no_kind_is_refused(tmp_path: Path, name: str, content: str, said: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    error = refused(path, path)
    assert f"{path}" in error and "cannot tell what this document is" in error
    assert said in error
    with pytest.raises(trustguard.InputError, match="cannot tell what this document is"):
        trustguard.load(path)


def test_long_prose_without_the_words_of_terms_is_not_terms(tmp_path: Path) -> None:
    sentence = "The differ walks both schema graphs once and caches every pair it has compared before. "
    path = tmp_path / "design.md"
    path.write_text("# Design\n\n" + "\n\n".join(sentence * 3 for _ in range(20)), encoding="utf-8")
    error = refused(path, path)
    assert "prose without the vocabulary of terms of service" in error
    # the same length of clauses is terms
    clause = "You agree that we may terminate your account if you breach these terms of service. "
    path.write_text("# Terms\n\n" + "\n\n".join(clause * 3 for _ in range(20)), encoding="utf-8")
    assert kind_of(path) is trustguard.DocumentKind.TERMS


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("terms.md", TERMS),
        ("short.txt", "Fees apply.\n"),
        ("terse.md", "# Pricing terms\n\n1. Price: $10/month\n2. Notice: 30 days\n3. Refunds: none\n"),  # short
        ("link-first.md", "[Home](https://acme.example) | [Help](https://acme.example/help)\n\n" + TERMS),
        ("terms", TERMS),  # no suffix
        ("TERMS.TXT", TERMS.replace("#", "").upper()),
        ("fees.md", TERMS + "\n| plan | price |\n|---|---|\n| Pro | $8 |\n"),  # a small table in terms
        ("terms.html", "<html><body><h1>Terms</h1><p>You agree to pay the fees.</p>"
                       "<p>We may terminate your account.</p></body></html>"),
    ],
)
def test_terms_texts_are_recognised(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert kind_of(path) is trustguard.DocumentKind.TERMS
    assert run("check", path, path)[0] == 0


def test_terms_written_to_hide_from_readers_are_still_terms(tmp_path: Path) -> None:
    # every word broken by a soft hyphen, a zero-width space or an entity: the terms differ
    # reports such text; the file must not be refused as "no kind" before it can
    clause = ("You agree that any dispute will be resolved by binding individual arbitration, and you "
              "waive any right to a class action or a jury trial. ")
    hidden = " ".join(w[:2] + ("\u00ad", "\u200b", "&shy;")[i % 3] + w[2:] if len(w) > 3 else w
                      for i, w in enumerate(clause.split()))
    path = tmp_path / "terms.md"
    path.write_text("# Terms\n\n" + "\n\n".join(hidden for _ in range(12)), encoding="utf-8")
    assert kind_of(path) is trustguard.DocumentKind.TERMS


def test_kind_forces_both_sides(tmp_path: Path) -> None:
    # a README read as terms, when asked for
    code, out, _ = run("check", "--kind", "terms", ROOT / "README.md", ROOT / "docs" / "api.md", "-f", "json")
    assert code in (0, 1) and '"kind": "terms"' in out
    # and a terms revision read as OpenAPI, because --kind says so for the revision too
    (tmp_path / "spec.yaml").write_text(SPEC)
    code, out, err = run("check", "--kind", "openapi", tmp_path / "spec.yaml", EXAMPLES / "terms" / "new.md")
    assert code == 2 and "new.md" in err and "different kinds" not in err
    report = trustguard.check(ROOT / "README.md", ROOT / "README.md", kind="terms")
    assert report.kind is trustguard.DocumentKind.TERMS
    assert trustguard.load(ROOT / "README.md", kind=trustguard.DocumentKind.TERMS).kind is trustguard.DocumentKind.TERMS


def test_empty_binary_and_non_utf8_text_keep_their_own_errors(tmp_path: Path) -> None:
    for raw, said in ((b"", "empty"), (b"\x00\x01binary", "binary"), (b"Caf\xe9 terms\n", "not UTF-8")):
        path = tmp_path / "terms.md"
        path.write_bytes(raw)
        error = refused(EXAMPLES / "terms" / "old.md", path)
        assert said in error and "terms.md" in error


def test_dicts_are_recognised_too() -> None:
    spec = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}
    assert trustguard.check(spec, spec).kind is trustguard.DocumentKind.OPENAPI
    terms = {"text": TERMS, "name": "terms.md"}
    assert trustguard.check(terms, terms).kind is trustguard.DocumentKind.TERMS
    with pytest.raises(trustguard.InputError, match="different kinds of document"):
        trustguard.check(spec, terms)


# --- the heuristic on real texts ----------------------------------------------------------


def _fixture_terms() -> list[Path]:
    found = sorted((EXAMPLES / "terms").glob("*.md"))
    found += sorted(p for p in (ROOT / "tests" / "data").rglob("*") if p.suffix in (".md", ".txt", ".html")
                    and "terms" in p.parts)
    return found


@pytest.mark.parametrize("path", _fixture_terms(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_terms_fixture_is_recognised(path: Path) -> None:
    assert trustguard.load(path).kind is trustguard.DocumentKind.TERMS


@pytest.mark.corpus
def test_every_terms_text_of_the_corpus_is_recognised() -> None:
    versions = sorted((corpus.CORPUS / "terms").glob("*/*/*.md"))
    assert len(versions) >= 21
    for path in versions:
        profile = text_profile(path.read_text(encoding="utf-8"))
        assert profile.is_terms, (path, profile)
        # by a margin, not by luck
        assert profile.prose_share >= MIN_PROSE_SHARE + 0.3 and profile.legal_share >= 2 * MIN_LEGAL_SHARE, path


def test_this_projects_docs_are_not_terms() -> None:
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for path in docs:
        source = read_source(path)
        assert not text_profile(source.raw.decode("utf-8")).is_terms, path


def test_a_spec_revision_that_says_what_it_is_is_parsed_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # detecting it by a full parse would leave that parse cached, without the base beside it
    import trustguard.api as api

    detected: list[str] = []
    real = api.detect_kind
    monkeypatch.setattr(api, "detect_kind", lambda source: detected.append(source.name) or real(source))
    trustguard.check(EXAMPLES / "api" / "v1.yaml", EXAMPLES / "api" / "v2.yaml")
    trustguard.check(EXAMPLES / "pricing" / "old.yaml", EXAMPLES / "pricing" / "new.yaml")
    assert detected == [str(EXAMPLES / "api" / "v1.yaml"), str(EXAMPLES / "pricing" / "old.yaml")]
    # a JSON spec with sorted keys names 'openapi' after all its components: still found
    big = {"components": {"schemas": {f"S{i}": {"type": "string", "description": "x" * 100} for i in range(2000)}},
           "info": {"title": "t", "version": "1"}, "openapi": "3.0.3", "paths": {}}
    assert json.dumps(big, sort_keys=True).index('"openapi"') > 65536
    tmp = tmp_path
    (tmp / "a.json").write_text(json.dumps(big, sort_keys=True))
    (tmp / "b.json").write_text(json.dumps(big, sort_keys=True))
    detected.clear()
    trustguard.check(tmp / "a.json", tmp / "b.json")
    assert detected == [str(tmp / "a.json")]
    # a revision whose key says another kind is still detected in full, and refused
    with pytest.raises(trustguard.InputError, match="different kinds"):
        trustguard.check(EXAMPLES / "api" / "v1.yaml", EXAMPLES / "pricing" / "new.yaml")
