"""The options the ``trustguard`` commands share (policy, impact data, notices) and the
policy they build from them with the config file. Nothing here imports a model, the
rules or the diff at import time: ``trustguard --help`` stays fast (tests/test_cli.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .report import FORMATS

if TYPE_CHECKING:
    from .config import Config
    from .model import Waiver


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


def parse_severity_overrides(values: tuple[str, ...]) -> dict[str, str] | None:
    if not values:
        return None
    out: dict[str, str] = {}
    for value in values:
        rule, sep, sev = value.partition("=")
        if not sep or not rule or not sev:
            raise click.BadParameter(f"expected RULE=SEVERITY, got {value!r}", param_hint="--severity")
        out[rule.strip()] = sev.strip()
    return out


def parse_waivers(values: tuple[str, ...]) -> list[Waiver] | None:
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
        click.option("--customer-from", help="Who the customer is in the logs: header:NAME, query:NAME, user, field:NAME or path:NAME (a path parameter of the operation, or path:N the N-th segment; mapped through the customer list's API keys and ids)."),
        click.option("--usage-summary", type=click.Path(dir_okay=False), help="Usage already aggregated (Parquet or CSV: customer, operation, requests [, status, integration]), e.g. by --emit-sql on your engine."),
        click.option("--integrations", type=click.Path(dir_okay=False), help="Integrations (YAML)."),
        click.option("--contracts", type=click.Path(), help="Pact consumer contracts (a file or a folder)."),
        click.option("--replay", type=click.Path(dir_okay=False), help="Recorded calls (HAR, or JSON lines of request/response pairs) replayed against the revision: the calls it refuses confirm findings."),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


def notices_option(fn: F) -> F:
    option = click.option(
        "--notices-out", "notices_out", multiple=True, type=click.Path(dir_okay=False), metavar="PATH",
        help="Write a notice draft per affected customer: PATH.md (a section each), PATH.csv or PATH.jsonl "
             "(a row per customer, for mail merge). Repeatable; needs impact data (--customers...).")
    return option(fn)


explain_option = click.option("--explain", is_flag=True,
                        help="After the report, the sentence each terms finding rests on and what read it.")


# how errors name the options the CLI gives the policy (keyword -> flag)
_FLAGS = {"waivers": "--waive", "rule_packs": "--rule-pack", "include_paths": "--include-path",
          "exclude_paths": "--exclude-path", "exclude_extensions": "--exclude-extension"}


def _flag(key: str) -> str:
    return _FLAGS.get(key, "--" + key.replace("_", "-"))


def build_config(config_path: str | None, **opts: Any) -> tuple[Config, Config | None]:
    """The policy in force and, with ``--trusted-config``, the config it is compared with.

    With a trusted config the policy is that config plus the flags; the config found (or
    given with ``--config``) is the pull request's, compared and never applied."""
    from .config import load_config, load_config_at, merge_options, with_fail_on
    from .config_files import split_git_spec

    found = load_config(Path(config_path)) if config_path else load_config(None, search_from=Path.cwd())
    extra: dict[str, Any] = {
        "severity": parse_severity_overrides(opts.get("severity") or ()),
        "include_paths": list(opts["include_path"]) or None,
        "exclude_paths": list(opts["exclude_path"]) or None,
        "exclude_extensions": list(opts["exclude_extension"]) or None,
        "flatten_allof": opts.get("flatten_allof"),
        "include_path_params": opts.get("include_path_params"),
        **{key: opts.get(key) for key in ("strip_prefix_base", "strip_prefix_revision", "prefix_base", "prefix_revision")},
        "deprecation_days_stable": opts.get("deprecation_days_stable"),
        "deprecation_days_beta": opts.get("deprecation_days_beta"),
        "stability_level": opts.get("stability_level"),
        "waivers": parse_waivers(opts.get("waive") or ()),
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
    cfg = merge_options(policy if trusted else found, labels=labels, **extra)
    if opts.get("fail_on") is not None:  # a choice: valid as given (with_fail_on)
        cfg = with_fail_on(cfg, opts["fail_on"], _flag("fail_on"))
    return cfg, found if trusted else None
