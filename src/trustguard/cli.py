"""The command line: thin, calls the public API.

Exit codes: 0 pass, 1 the policy failed, 2 a usage or input error (one line on stderr),
3 a bug in trustguard (one line on stderr; the traceback with --debug or TRUSTGUARD_DEBUG=1).
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import __version__
from .errors import ConfigError, InternalError, TrustguardError, internal_error
from .report import FORMATS, render

if TYPE_CHECKING:
    from .config import Config
    from .model import Waiver

# The models, the rule packs and the diff (pydantic, networkx, jsonschema...) are imported
# by the commands that use them, not by `trustguard --help` (see tests/test_cli.py).


class _KindChoice(click.Choice):  # type: ignore[type-arg]
    """``--kind``'s choices: the declared document kinds (trustguard.kinds), read when the
    option is used, so that a plug-in's kind is one and ``trustguard --help`` imports no model."""

    def __init__(self) -> None:
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        from .kinds import kind_names

        return kind_names()

    @choices.setter
    def choices(self, value: Any) -> None:  # click.Choice sets it; the registry is the truth
        pass


KINDS = _KindChoice()
# impact.logs.detect.FORMATS and impact.sql.DIALECTS (not imported: the impact package pulls
# in networkx, and --help must stay fast; tests/impact_logs checks they agree)
USAGE_FORMATS = ("jsonl", "csv", "combined", "common", "alb", "cloudfront", "har", "otlp")
SQL_DIALECTS = ("duckdb", "spark", "bigquery", "snowflake", "trino")

F = TypeVar("F", bound=Callable[..., Any])


#: exit codes: the policy passed, failed; bad usage or input; a bug in trustguard
EXIT_PASS, EXIT_FAIL, EXIT_ERROR, EXIT_BUG = 0, 1, 2, 3

_DEBUG_ENV = "TRUSTGUARD_DEBUG"


def _fail(message: str) -> None:
    _say(f"trustguard: error: {message}")
    sys.exit(EXIT_ERROR)


def _say(line: str) -> None:
    try:
        click.echo(line, err=True)
    except (OSError, ValueError, AttributeError):  # stderr closed too: the exit code still tells
        pass


def _debug() -> bool:
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.find_root().params.get("debug"):
        return True
    return os.environ.get(_DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _error(exc: TrustguardError) -> None:
    """End on a trustguard error: exit 2, or 3 when it is a bug."""
    if isinstance(exc, InternalError):
        _bug(exc)
    _fail(str(exc))


def _bug(exc: BaseException) -> None:
    """End on an unexpected exception: one line saying it is a bug (exit 3); the traceback
    only when asked for."""
    error = exc if isinstance(exc, InternalError) else internal_error(exc)
    if _debug():
        import traceback

        original = exc.__cause__ if isinstance(exc, InternalError) and exc.__cause__ is not None else exc
        try:
            traceback.print_exception(type(original), original, original.__traceback__, file=sys.stderr)
        except (OSError, ValueError, AttributeError):
            pass
    _say(f"trustguard: internal error: {error}")
    sys.exit(EXIT_BUG)


def _stdout_failed(exc: OSError) -> None:
    """Standard output is closed or full: say so (exit 2), and point stdout at /dev/null so
    that the interpreter's last flush does not fail again (the Python docs' advice for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test runner's stream)
        pass
    if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
        reason = "the reading end of the pipe was closed"
    else:
        reason = exc.strerror or str(exc)
    _fail(f"cannot write to standard output: {reason}")


def write_output(text: str, output: str | None) -> None:
    """Write all or nothing (see :mod:`trustguard._output`); stdout for None or ``-``."""
    if output is None or output == "-":
        try:
            if sys.stdout is None:
                raise OSError(errno.EBADF, "standard output is closed")
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError as exc:
            _stdout_failed(exc)
        return
    from ._output import (  # tempfile, threading, signal: only to write a file
        OutputError,
        write_file,
    )

    try:
        write_file(text, output)
    except OutputError as exc:
        _fail(f"cannot write {output}: {exc}")


def _parse_severity_overrides(values: tuple[str, ...]) -> dict[str, str] | None:
    if not values:
        return None
    out: dict[str, str] = {}
    for value in values:
        rule, sep, sev = value.partition("=")
        if not sep or not rule or not sev:
            raise click.BadParameter(f"expected RULE=SEVERITY, got {value!r}", param_hint="--severity")
        out[rule.strip()] = sev.strip()
    return out


def _parse_waivers(values: tuple[str, ...]) -> list[Waiver] | None:
    if not values:
        return None
    from .model import Waiver

    out = []
    for value in values:
        # FINGERPRINT_OR_RULE[@OPERATION]:REASON[:EXPIRES]
        target, _, rest = value.partition(":")
        reason, _, expires = rest.rpartition(":") if rest.count(":") >= 1 and _looks_date(rest.rsplit(":", 1)[-1]) else (rest, "", "")
        if not target or not reason:
            raise click.BadParameter(f"expected TARGET:REASON[:YYYY-MM-DD], got {value!r}", param_hint="--waive")
        rule, _, operation = target.partition("@")
        is_fp = len(rule) == 16 and all(c in "0123456789abcdef" for c in rule)
        out.append(
            Waiver(
                fingerprint=rule if is_fp else None,
                rule=None if is_fp else rule,
                operation=operation or None,
                reason=reason,
                expires=expires or None,
            )
        )
    return out


def _looks_date(text: str) -> bool:
    return len(text) == 10 and text[4] == "-" and text[7] == "-"


def policy_options(fn: F) -> F:
    decorators = [
        click.option("--kind", type=KINDS, help="Force the document kind (default: recognised by content)."),
        click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False), help="Config file (default: trustguard.yaml or [tool.trustguard] in pyproject.toml, searched upwards)."),
        click.option("--fail-on", type=click.Choice(["blocker", "major", "minor", "info", "none"]), help="Lowest severity that fails the check (default: major)."),
        click.option("--severity", "severity", multiple=True, metavar="RULE=SEVERITY", help="Override a rule's severity (blocker, major, minor, info, off). Repeatable; RULE may end in *."),
        click.option("--include-path", multiple=True, help="Only check API paths matching this glob (or re:REGEX). Repeatable."),
        click.option("--exclude-path", multiple=True, help="Skip API paths matching this glob (or re:REGEX). Repeatable."),
        click.option("--exclude-extension", "--filter-extension", "exclude_extension", multiple=True, metavar="REGEX",
                     help="Skip API operations marked with an x- extension whose name matches REGEX "
                          "(e.g. x-internal), in either version. Repeatable."),
        click.option("--include-path-params", is_flag=True, default=None, help="Match endpoints by path parameter names too (/users/{id} is not /users/{userId})."),
        click.option("--flatten-allof", is_flag=True, default=None, help="Compare allOf schemas as the one schema they mean, when their branches merge plainly."),
        click.option("--strip-prefix-base", metavar="PREFIX", help="Remove PREFIX from the base's paths before matching them to the revision's."),
        click.option("--strip-prefix-revision", metavar="PREFIX", help="Remove PREFIX from the revision's paths before matching."),
        click.option("--prefix-base", metavar="PREFIX", help="Add PREFIX to the base's paths (after stripping) before matching."),
        click.option("--prefix-revision", metavar="PREFIX", help="Add PREFIX to the revision's paths (after stripping) before matching."),
        click.option("--deprecation-days-stable", type=click.IntRange(min=0), help="Minimum sunset grace period for stable operations (0: not enforced)."),
        click.option("--deprecation-days-beta", type=click.IntRange(min=0), help="Minimum sunset grace period for beta operations (0: not enforced)."),
        click.option("--stability-level", type=click.Choice(["draft", "alpha", "beta", "stable"]), help="Lowest x-stability-level that is checked (default: beta)."),
        click.option("--waive", multiple=True, metavar="TARGET:REASON[:YYYY-MM-DD]", help="Waive a finding: TARGET is a fingerprint or RULE[@METHOD /path]. Repeatable."),
        click.option("--rule-pack", multiple=True, type=click.Path(dir_okay=False), help="An extra rule pack (YAML; a file or REV:path). Repeatable."),
        click.option("--validate", is_flag=True, help="Validate OpenAPI inputs with openapi-spec-validator; problems are warnings."),
        click.option("--strict", is_flag=True, help="Like --validate, but problems are errors (exit 2)."),
        click.option("--allow-external-refs", is_flag=True, default=None, help="Allow $ref to files outside the spec's folder."),
        click.option("--today", help="The date used for sunsets and waiver expiry (YYYY-MM-DD; default: today)."),
        click.option("--fx", type=click.Path(dir_okay=False), help="Exchange rates for pricings in two currencies (YAML/JSON, e.g. 'USD/EUR: 0.92'); sets pricing.fx."),
        click.option("--trusted-config", "trusted_config", metavar="SOURCE",
                     help="Read the policy from SOURCE (a file, or REV:path from git, e.g. origin/main:trustguard.yaml; "
                          "a path missing at REV is the default policy). The config found (or --config) is then "
                          "only compared with it: each way it weakens the policy is a policy-weakened finding."),
        click.option("-f", "--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text", show_default=True, help="Output format."),
        click.option("--per-operation", is_flag=True,
                     help="JSON only: each finding once per operation it reaches (default: once per change and "
                          "place, listing its operations)."),
        click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file (default: stdout)."),
        click.option("--color/--no-color", default=None, help="Colour in text output (default: only on a terminal)."),
        click.option("-v", "--verbose", is_flag=True, help="Explain each finding: place, fix, fingerprint."),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


def impact_options(fn: F) -> F:
    decorators = [
        click.option("--customers", type=click.Path(dir_okay=False), help="Customers (CSV, JSON or YAML)."),
        click.option("--usage", type=click.Path(dir_okay=False), help="Usage / access logs: a file or a glob, plain or gzip (JSON lines, CSV, combined/common, nginx/Envoy JSON, ALB, CloudFront, HAR, OTLP JSON)."),
        click.option("--usage-format", type=click.Choice(USAGE_FORMATS), help="Force the usage format (default: told from the content)."),
        click.option("--customer-from", help="Who the customer is in the logs: header:NAME, query:NAME, user or field:NAME (mapped through the customer list's API keys and ids)."),
        click.option("--usage-summary", type=click.Path(dir_okay=False), help="Usage already aggregated (Parquet or CSV: customer, operation, requests [, status, integration]), e.g. by --emit-sql on your engine."),
        click.option("--integrations", type=click.Path(dir_okay=False), help="Integrations (YAML)."),
        click.option("--contracts", type=click.Path(), help="Pact consumer contracts (a file or a folder)."),
        click.option("--replay", type=click.Path(dir_okay=False), help="Recorded calls (HAR, or JSON lines of request/response pairs) replayed against the revision: the calls it refuses confirm findings."),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


# how errors name the options the CLI gives the policy (keyword -> flag)
_FLAGS = {"waivers": "--waive", "rule_packs": "--rule-pack", "include_paths": "--include-path",
          "exclude_paths": "--exclude-path", "exclude_extensions": "--exclude-extension"}


def _flag(key: str) -> str:
    return _FLAGS.get(key, "--" + key.replace("_", "-"))


def _build_config(config_path: str | None, **opts: Any) -> tuple[Config, Config | None]:
    """The policy in force and, with ``--trusted-config``, the config it is compared with.

    With a trusted config the policy is that config plus the flags; the config found (or
    given with ``--config``) is the pull request's, compared and never applied."""
    from .config import load_config, load_config_at, merge_options
    from .config_files import split_git_spec

    found = load_config(Path(config_path)) if config_path else load_config(None, search_from=Path.cwd())
    extra: dict[str, Any] = {
        "fail_on": opts.get("fail_on"),
        "severity": _parse_severity_overrides(opts.get("severity") or ()),
        "include_paths": list(opts["include_path"]) or None,
        "exclude_paths": list(opts["exclude_path"]) or None,
        "exclude_extensions": list(opts["exclude_extension"]) or None,
        "flatten_allof": opts.get("flatten_allof"),
        "include_path_params": opts.get("include_path_params"),
        **{key: opts.get(key) for key in ("strip_prefix_base", "strip_prefix_revision", "prefix_base", "prefix_revision")},
        "deprecation_days_stable": opts.get("deprecation_days_stable"),
        "deprecation_days_beta": opts.get("deprecation_days_beta"),
        "stability_level": opts.get("stability_level"),
        "waivers": _parse_waivers(opts.get("waive") or ()),
        "rule_packs": [p if split_git_spec(p) else str(Path(p).resolve()) for p in opts.get("rule_pack") or ()] or None,
        "allow_external_refs": opts.get("allow_external_refs"),
        "today": opts.get("today"),
    }
    labels = {key: _flag(key) for key in extra}
    trusted = opts.get("trusted_config")
    policy = load_config_at(trusted) if trusted else found
    if opts.get("fx"):  # the rates join the policy's other pricing settings, not replace them
        from .load.pricing import load_exchange_rates

        extra["pricing"] = {**policy.pricing, "fx": load_exchange_rates(opts["fx"])}
        labels["pricing"] = "--fx"
    if trusted:
        return merge_options(policy, labels=labels, **extra), found
    return merge_options(found, labels=labels, **extra), None


def _use_color(color: bool | None, output: str | None) -> bool:
    if color is not None:
        return color
    if output not in (None, "-") or os.environ.get("NO_COLOR") or sys.stdout is None:
        return False
    return sys.stdout.isatty()


class _Commands(click.Group):
    """The command group: a command that raises anything unexpected ends with exit 3 and
    one line saying it is a bug -- never 1, the code for "the policy failed"."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        # --help and --version print while the arguments are parsed: a closed pipe there
        # would be click's own exit 1, the code for "the policy failed"
        try:
            return super().make_context(info_name, args, parent, **extra)
        except OSError as exc:
            if _is_stdout_error(exc):
                _stdout_failed(exc)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except TrustguardError as exc:
            _error(exc)
        except OSError as exc:
            if _is_stdout_error(exc):
                _stdout_failed(exc)
            _bug(exc)
        except Exception as exc:
            _bug(exc)
        return None


def _is_stdout_error(exc: OSError) -> bool:
    """A write to standard output that failed (a closed pipe, a full disk), as far as can be told."""
    return isinstance(exc, BrokenPipeError) or exc.errno in (errno.EPIPE, errno.ENOSPC, errno.EBADF)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="trustguard")
@click.option("--debug", is_flag=True, help=f"On a bug in trustguard (exit 3), print the traceback (or set {_DEBUG_ENV}=1).")
def cli(debug: bool) -> None:
    """Audit changes to an API spec, a pricing or terms of service before they ship.

    Exit codes: 0 pass, 1 the policy failed, 2 usage or input error, 3 a bug in
    trustguard (please report it; --debug shows the traceback).
    """
    del debug  # read by the error handlers from the context


def notices_option(fn: F) -> F:
    option = click.option(
        "--notices-out", "notices_out", multiple=True, type=click.Path(dir_okay=False), metavar="PATH",
        help="Write a notice draft per affected customer: PATH.md (a section each), PATH.csv or PATH.jsonl "
             "(a row per customer, for mail merge). Repeatable; needs impact data (--customers...).")
    return option(fn)


def _write_notices(report: Any, paths: tuple[str, ...], cfg: Config) -> None:
    from .release.notices_out import render_notices

    if report.impact is None:
        raise ConfigError("--notices-out needs impact data: give --customers (and --usage, --integrations...), "
                          "or for a release its impact: customers")
    from ._output import OutputError, check_target

    files = render_notices(report, list(paths), cfg.customer_notices.credit_percent)
    for path, _ in files:  # every target checked before any is written
        try:
            check_target(Path(path))
        except OutputError as exc:
            _fail(f"cannot write {path}: {exc}")
    for path, text in files:
        write_output(text, path)


def _run(base: str, revision: str, opts: dict[str, Any], *, gate: bool, include_changes: bool) -> int:
    """Load, diff, classify, weigh and render; the exit code a command should end with."""
    from .api import check as api_check
    from .classify.policy import UNUSED_WAIVER

    fmt, output, color, verbose = opts.pop("fmt"), opts.pop("output"), opts.pop("color"), opts.pop("verbose")
    per_operation = opts.pop("per_operation")
    explain = opts.pop("explain", False)
    if explain and fmt not in ("text", "markdown"):
        _fail(f"--explain applies to -f text and -f markdown (not -f {fmt}: its findings carry the sentence)")
    notices_out: tuple[str, ...] = opts.pop("notices_out", ())
    if per_operation and fmt != "json":
        _fail(f"--per-operation applies to -f json only (not -f {fmt})")
    try:
        if notices_out:
            from .release.notices_out import check_paths

            check_paths(notices_out)
        cfg, compared = _build_config(opts.pop("config_path"), **opts)
        if not gate and include_changes:
            cfg = cfg.model_copy(update={"fail_on": "none"})
        report = api_check(
            base,
            revision,
            kind=opts.get("kind"),
            config=compared if compared is not None else cfg,
            trusted_config=cfg if compared is not None else None,
            validate=opts.get("validate", False),
            strict=opts.get("strict", False),
            include_changes=include_changes,
            customers=opts.get("customers"),
            usage=opts.get("usage"),
            usage_format=opts.get("usage_format"),
            customer_from=opts.get("customer_from"),
            usage_summary=opts.get("usage_summary"),
            integrations=opts.get("integrations"),
            contracts=opts.get("contracts"),
            replay=opts.get("replay"),
            # a reader's report and the mail-merge files carry the drafts however many
            notices=True if notices_out or fmt in ("html", "markdown") else None,
        )
        text = render(report, fmt, color=_use_color(color, output), verbose=verbose, per_operation=per_operation)
        if explain:
            text = text.rstrip("\n") + "\n\n" + _explained(report)
        if notices_out:
            _write_notices(report, notices_out, cfg)
    except TrustguardError as exc:
        _error(exc)
        return EXIT_ERROR
    for warning in report.warnings:
        # the policy's own warnings go to stderr too: a JSON or SARIF report on stdout
        # is read by tools, and a dead waiver is something a person must fix
        if warning.startswith((UNUSED_WAIVER, "policy: ")):
            click.echo(f"trustguard: warning: {warning}", err=True)
    write_output(text, output)
    return report.exit_code if gate else 0


def _explained(report: Any) -> str:
    """--explain: the sentence each terms finding rests on, and what read it (a pattern or
    the clause model with its probability), so a reviewer can judge the reading."""
    lines = ["Why (the sentence each finding rests on):"]
    for finding in report.findings:
        sentence = finding.facts.get("sentence")
        if not isinstance(sentence, str) or not sentence:
            continue
        by = finding.facts.get("found_by_text") or "a pattern"
        lines.append(f"- {finding.rule} ({finding.subject}): read by {by}: \"{' '.join(sentence.split())}\"")
    if len(lines) == 1:
        lines.append("- no finding rests on a classified sentence")
    return "\n".join(lines) + "\n"


_EXPLAIN = click.option("--explain", is_flag=True,
                        help="After the report, the sentence each terms finding rests on and what read it.")


@cli.command()
@click.argument("base")
@click.argument("revision")
@policy_options
@impact_options
@_EXPLAIN
@notices_option
def check(base: str, revision: str, **opts: Any) -> None:
    """Fail when REVISION breaks the promises of BASE (the CI gate).

    BASE and REVISION are files, '-' for stdin, or REV:path for a git revision, both of
    one kind (recognised by content, or --kind).
    Exit 0 when the policy passes, 1 when it fails, 2 on a usage or input error,
    3 on a bug in trustguard.
    """
    sys.exit(_run(base, revision, opts, gate=True, include_changes=False))


@cli.command()
@click.argument("base")
@click.argument("revision")
@policy_options
@impact_options
@_EXPLAIN
@notices_option
def review(base: str, revision: str, **opts: Any) -> None:
    """Report what REVISION changes for customers, before it is announced.

    The same findings, blast radius and verdict as 'check', for people rather than CI:
    use -f html or -f markdown for a shareable report. Exits 0 whatever the verdict
    (2 on a usage or input error, 3 on a bug in trustguard).
    """
    sys.exit(_run(base, revision, opts, gate=False, include_changes=False))


@cli.command("diff")
@click.argument("base")
@click.argument("revision")
@policy_options
@impact_options
def diff_cmd(base: str, revision: str, **opts: Any) -> None:
    """List every change and finding between BASE and REVISION; never fails the build.

    Exits 0 whatever the findings (2 on a usage or input error, 3 on a bug in trustguard);
    --fail-on belongs to 'check'.
    """
    if opts.get("fail_on") is not None:
        # accepted and ignored, it would look like a gate that never closes
        raise click.UsageError(
            "--fail-on has no effect on 'diff', which never fails the build; "
            "use 'trustguard check --fail-on ...' for a gate"
        )
    sys.exit(_run(base, revision, opts, gate=False, include_changes=True))


@cli.command("release")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False), help="Config file (default: trustguard.yaml or [tool.trustguard] in pyproject.toml, searched upwards).")
@click.option("--fail-on", type=click.Choice(["blocker", "major", "minor", "info", "none"]), help="Lowest severity that fails the release (default: major).")
@click.option("--severity", "severity", multiple=True, metavar="RULE=SEVERITY", help="Override a rule's severity (blocker, major, minor, info, off). Repeatable; RULE may end in *.")
@click.option("--today", help="The date used for sunsets and waiver expiry (YYYY-MM-DD; default: today).")
@click.option("-f", "--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file (default: stdout).")
@click.option("--color/--no-color", default=None, help="Colour in text output (default: only on a terminal).")
@click.option("-v", "--verbose", is_flag=True, help="Explain each finding: place, fix, fingerprint.")
@notices_option
def release_cmd(file: str, **opts: Any) -> None:
    """Review a release: every document it changes, the notice owed, what the announcement leaves out.

    FILE is a release file (YAML; its schema: 'trustguard schema release'): the release's
    name, announcement and effective dates, the documents changed (base and revision of
    each API spec, the pricing, the terms), the announcement text and the impact data.
    One report, one verdict, one blast radius. Exit 0 when the policy passes, 1 when it
    fails, 2 on a usage or input error (nothing is written), 3 on a bug in trustguard.
    """
    from .api import release as api_release
    from .config import load_config, merge_options

    fmt, output = opts["fmt"], opts["output"]
    notices_out: tuple[str, ...] = opts.get("notices_out", ())
    try:
        if notices_out:
            from .release.notices_out import check_paths

            check_paths(notices_out)
        found = load_config(Path(opts["config_path"])) if opts["config_path"] else load_config(
            None, search_from=Path.cwd())
        cfg = merge_options(found, labels={"fail_on": "--fail-on", "severity": "--severity", "today": "--today"},
                            fail_on=opts.get("fail_on"), severity=_parse_severity_overrides(opts["severity"]),
                            today=opts.get("today"))
        report = api_release(file, config=cfg)
        text = render(report, fmt, color=_use_color(opts["color"], output), verbose=opts["verbose"])
        if notices_out:
            _write_notices(report, notices_out, cfg)
    except TrustguardError as exc:
        _error(exc)
        return
    write_output(text, output)
    sys.exit(report.exit_code)


@cli.command()
@click.argument("rule_id", required=False)
@click.option("--kind", type=KINDS, help="Only the rules for one document kind.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--rule-pack", multiple=True, type=click.Path(dir_okay=False), help="Include an extra rule pack.")
@click.option("-o", "--output", type=click.Path(dir_okay=False))
def rules(rule_id: str | None, kind: str | None, fmt: str, rule_pack: tuple[str, ...], output: str | None) -> None:
    """List the rules, or explain one (RULE_ID)."""
    from .classify.rulepack import load_rules
    from .report.rules import render_rules

    try:
        # what trustguard.rules_for lists, without importing the API (the loaders and the diff)
        selected = sorted((r for r in load_rules(list(rule_pack)) if kind is None or r.document == kind),
                          key=lambda r: (r.document, r.pack.rsplit("/", 1)[-1], r.id))
    except TrustguardError as exc:
        _error(exc)
        return
    if rule_id:
        selected = [r for r in selected if r.id == rule_id]
        if not selected:
            _fail(f"no rule with id {rule_id!r} (see 'trustguard rules')")
    write_output(render_rules(selected, fmt, explain=bool(rule_id)), output)


@cli.command()
@click.argument("what", type=click.Choice(["report", "config", "rulepack", "release", "impact"]), default="report")
def schema(what: str) -> None:
    """Print a JSON Schema: of the JSON report (default), the config file, a rule pack, a
    release file or the JSON of 'trustguard impact -f json'."""
    import json

    from .classify.rulepack import rulepack_schema
    from .config import Config
    from .report.json import report_schema

    if what == "report":
        data = report_schema()
    elif what == "config":
        data = Config.model_json_schema()
    elif what == "impact":
        from .impact.json_report import impact_schema

        data = impact_schema()
    elif what == "release":
        from .release.file import release_schema

        data = release_schema()
    else:
        data = rulepack_schema()
    write_output(json.dumps(data, indent=2, sort_keys=True) + "\n", None)


@cli.command("impact")
@click.argument("base")
@click.argument("revision")
@impact_options
@click.option("--kind", type=KINDS, help="Force the document kind (default: recognised by content).")
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False), help="Config file (the impact: section sets thresholds and how many top entities to list).")
@click.option("--today", help="The date used for sunsets (YYYY-MM-DD; default: today).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Also write every affected customer and integration, per finding, as CSV.")
@click.option("--emit-sql", is_flag=True, help="Print the usage aggregation as SQL for your own engine (see --dialect) and exit; it reads a relation requests(customer, integration, method, path, status, requests).")
@click.option("--dialect", type=click.Choice(SQL_DIALECTS), default="duckdb", show_default=True, help="The SQL dialect of --emit-sql.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="json: the schema of 'trustguard schema impact'.")
@click.option("--graph-out", type=click.Path(dir_okay=False), help="Write the impact graph: FILE.graphml (GraphML) or FILE.json (node-link JSON).")
def impact_cmd(base: str, revision: str, **opts: Any) -> None:
    """Who a change hurts: the customers and integrations each finding reaches.

    Give at least one of --customers, --usage, --integrations, --contracts.
    Never fails the build: exit 0, or 2 on bad input, 3 on a bug in trustguard.
    """
    from .api import check as api_check
    from .config import load_config, merge_options
    from .impact.entities import affected_customers, integration_names
    from .report.impact_text import impact_csv, render_impact_text

    if opts.get("emit_sql"):
        _emit_sql(base, revision, opts)
        return
    inputs = {k: opts.get(k) for k in ("customers", "usage", "integrations", "contracts", "usage_summary")}
    if all(v is None for v in inputs.values()) and opts.get("replay") is None:
        _fail("give impact data: at least one of --customers, --usage, --usage-summary, --integrations, --contracts, "
              "--replay")
    try:
        cfg = load_config(Path(opts["config_path"])) if opts.get("config_path") else load_config(None, search_from=Path.cwd())
        cfg = merge_options(cfg, labels={"today": "--today"}, today=opts.get("today"), fail_on="none")
        report = api_check(
            base, revision, kind=opts.get("kind"), config=cfg, customers=inputs["customers"],
            usage=inputs["usage"], integrations=inputs["integrations"], contracts=inputs["contracts"],
            usage_format=opts.get("usage_format"), customer_from=opts.get("customer_from"),
            usage_summary=inputs["usage_summary"], replay=opts.get("replay"), graph_out=opts.get("graph_out"),
        )
        customers = affected_customers(report, inputs) if opts["fmt"] == "text" or opts.get("output") else {}
        if opts["fmt"] == "json":
            from .impact.json_report import render_impact_json

            text = render_impact_json(report, inputs)
        else:
            from .report.impact_text import render_replay_text

            text = render_impact_text(report, customers, top=cfg.impact.top) + render_replay_text(report.impact)
        table = impact_csv(report, customers, integration_names(inputs)) if opts.get("output") else None
    except TrustguardError as exc:
        _error(exc)
        return
    if table is not None:
        write_output(table, opts["output"])
    write_output(text, None)
    sys.exit(0)


def _emit_sql(base: str, revision: str, opts: dict[str, Any]) -> None:
    """The aggregation query, route patterns of both specs included, for the user's engine."""
    from .api import route_table_of
    from .impact.sql import emit_sql

    try:
        router = route_table_of(base, revision, kind=opts.get("kind"))
        text = emit_sql(router, opts["dialect"])
    except TrustguardError as exc:
        _error(exc)
        return
    write_output(text, None)
    sys.exit(0)


def main() -> None:
    """The ``trustguard`` command. Every way out is an exit code of its own (see the module
    docstring); nothing ends in a traceback unless --debug asks for it."""
    code: Any = EXIT_PASS
    try:
        code = cli.main(standalone_mode=False)  # the code of a ctx.exit(), when one ended it
    except click.exceptions.Abort:
        _say("trustguard: aborted")
        sys.exit(EXIT_ERROR)
    except click.ClickException as exc:
        try:
            exc.show()
        except (OSError, ValueError, AttributeError):
            pass
        sys.exit(EXIT_ERROR)
    except TrustguardError as exc:
        _error(exc)
    except SystemExit:
        raise
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except OSError as exc:  # --help or --version to a closed pipe, or a bug
        if _is_stdout_error(exc):
            _stdout_failed(exc)
        _bug(exc)
    except Exception as exc:
        _bug(exc)
    sys.exit(code if isinstance(code, int) else EXIT_PASS)


if __name__ == "__main__":
    main()
