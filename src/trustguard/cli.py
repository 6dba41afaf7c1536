"""The command line: thin, calls the public API.

Exit codes: 0 pass, 1 the policy failed, 2 a usage or input error (one line on stderr),
3 a bug in trustguard (one line on stderr; the traceback with --debug or TRUSTGUARD_DEBUG=1).

A command runs once and its process ends, so ``main`` turns the cyclic garbage collector
off, as the API does for the run itself (_runtime.no_gc_pauses): what is left for it, the
imports and the rendering, allocates what lives to the end, and its passes over that were
4-8 % of a check of Stripe's pair (text, SARIF); reference counting still frees memory.
For the same reason the interpreter's shutdown does not collect either (``gc.freeze`` at
exit): its collections walked every object still alive and freed the cycles the run left,
memory the process gives back as it ends, ~25 ms of the ~40 ms a check of Stripe's pair
spent ending. Files are closed where they are written, and ``atexit`` handlers (temporary
folders) still run. When the process is the command (the installed script, ``python -m
trustguard``), it does not free the run's data nor shut the interpreter down at all: it
ends with ``os._exit`` once the ``atexit`` handlers ran and the streams are flushed
(_runtime.end_process: ~22 ms of a check of Stripe's pair, all that was left of its end).
"""

from __future__ import annotations

import atexit
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from ._cli_exit import (
    DEBUG_ENV,
    EXIT_ERROR,
    EXIT_PASS,
    Commands,
    end_on_bug,
    end_on_error,
    fail,
    is_stdout_error,
    say,
    stdout_failed,
    use_color,
    write_output,
)
from ._cli_exit import EXIT_BUG as EXIT_BUG  # the exit codes, all importable from here
from ._cli_exit import EXIT_FAIL as EXIT_FAIL
from ._cli_options import (
    KINDS,
    SQL_DIALECTS,
    build_config,
    explain_option,
    impact_options,
    notices_option,
    parse_severity_overrides,
    policy_options,
)
from ._cli_options import (
    USAGE_FORMATS as USAGE_FORMATS,  # tests/impact_logs checks it against the impact package
)
from ._runtime import end_process, keep_until_exit, leave_to_exit
from .errors import ConfigError, TrustguardError, guarded
from .report import FORMATS, render, render_file

if TYPE_CHECKING:
    from .config import Config

# The models, the rule packs and the diff (pydantic, networkx, jsonschema...) are imported
# by the commands that use them, not by `trustguard --help` (see tests/test_cli.py). The
# shared options and the policy they build are in _cli_options.py; how a command ends
# (exit codes, errors, writing output) in _cli_exit.py.


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="trustguard")
@click.option("--debug", is_flag=True, help=f"On a bug in trustguard (exit 3), print the traceback (or set {DEBUG_ENV}=1).")
def cli(debug: bool) -> None:
    """Audit changes to an API spec, a pricing or terms of service before they ship.

    Exit codes: 0 pass, 1 the policy failed, 2 usage or input error, 3 a bug in
    trustguard (please report it; --debug shows the traceback).
    """
    del debug  # read by the error handlers from the context


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
            fail(f"cannot write {path}: {exc}")
    for path, text in files:
        write_output(text, path)


def _run(base: str, revision: str, opts: dict[str, Any], *, gate: bool, include_changes: bool) -> int:
    """Load, diff, classify, weigh and render; the exit code a command should end with."""
    from .api import check_records
    from .classify.policy import UNUSED_WAIVER

    api_check = guarded(check_records)  # the report as plain records: rendered, never handed out

    fmt, output, color, verbose = opts.pop("fmt"), opts.pop("output"), opts.pop("color"), opts.pop("verbose")
    per_operation = opts.pop("per_operation")
    explain = opts.pop("explain", False)
    if explain and fmt not in ("text", "markdown"):
        fail(f"--explain applies to -f text and -f markdown (not -f {fmt}: its findings carry the sentence)")
    notices_out: tuple[str, ...] = opts.pop("notices_out", ())
    if per_operation and fmt != "json":
        fail(f"--per-operation applies to -f json only (not -f {fmt})")
    try:
        if notices_out:
            from .release.notices_out import check_paths

            check_paths(notices_out)
        cfg, compared = build_config(opts.pop("config_path"), **opts)
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
        text: str | bytes
        if output not in (None, "-") and not explain:  # the file's bytes, without a str of them
            text = render_file(report, fmt, color=use_color(color, output), verbose=verbose,
                               per_operation=per_operation)
        else:
            shown = render(report, fmt, color=use_color(color, output), verbose=verbose, per_operation=per_operation)
            text = shown.rstrip("\n") + "\n\n" + _explained(report) if explain else shown
        if notices_out:
            _write_notices(report, notices_out, cfg)
    except TrustguardError as exc:
        end_on_error(exc)
        return EXIT_ERROR
    for warning in report.warnings:
        # the policy's own warnings go to stderr too: a JSON or SARIF report on stdout
        # is read by tools, and a dead waiver is something a person must fix
        if warning.startswith((UNUSED_WAIVER, "policy: ")):
            click.echo(f"trustguard: warning: {warning}", err=True)
    write_output(text, output)
    leave_to_exit(report)  # not freed as this returns, when the process ends next (_runtime)
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


@cli.command()
@click.argument("base")
@click.argument("revision")
@policy_options
@impact_options
@explain_option
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
@explain_option
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
                            fail_on=opts.get("fail_on"), severity=parse_severity_overrides(opts["severity"]),
                            today=opts.get("today"))
        report = api_release(file, config=cfg)
        text = render(report, fmt, color=use_color(opts["color"], output), verbose=opts["verbose"])
        if notices_out:
            _write_notices(report, notices_out, cfg)
    except TrustguardError as exc:
        end_on_error(exc)
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
        end_on_error(exc)
        return
    if rule_id:
        selected = [r for r in selected if r.id == rule_id]
        if not selected:
            fail(f"no rule with id {rule_id!r} (see 'trustguard rules')")
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
        fail("give impact data: at least one of --customers, --usage, --usage-summary, --integrations, --contracts, "
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
        end_on_error(exc)
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
        end_on_error(exc)
        return
    write_output(text, None)
    sys.exit(0)


def main() -> None:
    """The ``trustguard`` command. Every way out is an exit code of its own (see the module
    docstring); nothing ends in a traceback unless --debug asks for it."""
    gc.disable()  # a process that runs one command (the module docstring says why)
    atexit.unregister(gc.freeze)  # once, however often main is called in one process
    atexit.register(gc.freeze)
    owns_process = _is_the_process()
    if owns_process:
        keep_until_exit()  # the run's large data is not freed: the process ends next
    try:
        _main()
    except SystemExit as end:
        if owns_process:
            end_process(end.code)  # returns when the interpreter must end it itself
        raise


def _is_the_process() -> bool:
    """Whether this process runs the command and nothing else: started as the installed
    ``trustguard`` script or as ``python -m trustguard``, which calls :func:`main` from its
    top level as its last act. A program or a test that calls ``main()`` itself, and a
    tool that runs the command and then does its own work (``coverage run``, ``python -m
    cProfile``, pdb), get the SystemExit, and the run's memory, as before."""
    program = sys.modules.get("__main__")
    file = getattr(program, "__file__", None)
    if getattr(program, "main", None) is not main or not isinstance(file, str):
        return False
    path = Path(file)
    # the script pip writes (bin/trustguard); trustguard/__main__.py, also inside the
    # launcher of a Windows installation (Scripts/trustguard.exe/__main__.py)
    if path.name != "trustguard" and not (path.name == "__main__.py" and path.parent.stem == "trustguard"):
        return False
    caller = sys._getframe(1).f_back  # main's caller
    if caller is None or caller.f_code.co_name != "<module>" or caller.f_globals is not vars(program):
        return False
    below = caller.f_back  # nothing under the script; under `python -m`, runpy's start
    while below is not None:
        if below.f_globals.get("__name__") != "runpy":
            return False
        below = below.f_back
    return True


def _main() -> None:
    code: Any = EXIT_PASS
    try:
        code = cli.main(standalone_mode=False)  # the code of a ctx.exit(), when one ended it
    except click.exceptions.Abort:
        say("trustguard: aborted")
        sys.exit(EXIT_ERROR)
    except click.ClickException as exc:
        try:
            exc.show()
        except (OSError, ValueError, AttributeError):
            pass
        sys.exit(EXIT_ERROR)
    except TrustguardError as exc:
        end_on_error(exc)
    except SystemExit:
        raise
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except OSError as exc:  # --help or --version to a closed pipe, or a bug
        if is_stdout_error(exc):
            stdout_failed(exc)
        end_on_bug(exc)
    except Exception as exc:
        end_on_bug(exc)
    sys.exit(code if isinstance(code, int) else EXIT_PASS)


if __name__ == "__main__":
    main()
