"""The policy's public models: each record of :mod:`trustguard.config` as a pydantic
model, with the validation a config file and the API's options go through (what
``trustguard.Config`` is). A check with no config file and no option to validate never
imports this (``_record`` says why); ``Config.model_validate`` on the plain record comes
here. Each redeclares its record's fields as pydantic reads them (the JSON Schema's
source); tests/test_model_public.py checks that both declare the same.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from pydantic import ConfigDict, Field, PrivateAttr, field_validator, model_validator

from . import config, model
from ._public_base import PublicModel
from .config import PRICING_DEFAULTS, STABILITY_LEVELS, _compiles
from .config_source import ConfigSource
from .model import Severity
from .model_notices import CustomerNoticePolicy

__all__ = ["Config", "ImpactPolicy", "NoticePolicy", "ReleasePolicy"]


class ImpactPolicy(PublicModel, config.ImpactPolicy):  # type: ignore[misc]  # (the module docstring)
    __doc__ = config.ImpactPolicy.__doc__  # the record's, in the JSON Schema too
    model_config = ConfigDict(defer_build=True, extra="forbid")
    min_customers: int = Field(0, ge=0, description="A failing finding must reach at least this many customers to fail the check (0: impact never relaxes the gate).")
    fail_unused: bool = Field(True, description="Whether a failing finding on an operation nobody calls still fails the check.")
    community_shock_customers: int = Field(20, ge=1, description="Many customers: at least this many affected ...")
    community_shock_max_share: float = Field(0.05, gt=0, description="... each paying at most this share of total revenue.")
    whale_revenue_share: float = Field(0.25, gt=0, le=1, description="Whale concentration: at most 3 customers holding at least this share of revenue.")
    whale_max_customers: int = Field(3, ge=1)
    top: int = Field(5, ge=1, description="How many top customers and integrations each finding lists.")
    min_revenue_share: float = Field(0.0, ge=0, le=1, description="A failing finding must also reach at least this share of revenue to fail the check (0: not used).")
    fail_flags: list[str] = Field(default_factory=list, description="Impact flags (community-shock, whale-concentration) that make a minor-or-worse finding fail even below fail_on.")
    contract_broken_min_severity: str = Field("major", description="A finding that a consumer's contract proves breaks it (it reads what is removed or changed, or does not send what is now required) is raised to at least this severity ('off': never raised).")
    may_break_min_severity: str = Field("major", description="A finding that may break a customer the data cannot clear (it calls the operation, and no contract or declared fields say what it reads or sends -- traffic only, a Pact whose body paths the spec does not document -- or what it uses is a value the change disallows) is raised to at least this severity; the customer stays an estimate ('off': the rule's severity stands).")

    @field_validator("contract_broken_min_severity", "may_break_min_severity")
    @classmethod
    def _raise_to(cls, value: str) -> str:
        text = value.strip().lower()
        return text if text == "off" else Severity.parse(text).value

    @field_validator("fail_flags")
    @classmethod
    def _flags(cls, value: list[str]) -> list[str]:
        known = ("community-shock", "whale-concentration")
        for flag in value:
            if flag not in known:
                raise ValueError(f"unknown impact flag {flag!r} (expected one of: {', '.join(known)})")
        return value


class NoticePolicy(PublicModel, config.NoticePolicy):  # type: ignore[misc]  # (the module docstring)
    __doc__ = config.NoticePolicy.__doc__  # the record's, in the JSON Schema too
    model_config = ConfigDict(defer_build=True, extra="forbid")
    rules: dict[str, int] = Field(default_factory=dict, description="Rule id -> days of notice.")
    severity: dict[str, int] = Field(default_factory=dict, description="Severity (blocker, major, minor, info) -> days.")
    principle: dict[str, int] = Field(default_factory=dict, description="Principle (backward-compatibility, "
                                                                        "no-surprises, no-dark-patterns) -> days.")

    @field_validator("rules", "severity", "principle")
    @classmethod
    def _days(cls, value: dict[str, int]) -> dict[str, int]:
        for key, days in value.items():
            if days < 0:
                raise ValueError(f"{key}: days of notice must be 0 or more")
        return value

    @field_validator("severity")
    @classmethod
    def _severities(cls, value: dict[str, int]) -> dict[str, int]:
        for key in value:
            if key not in Severity._value2member_map_:
                raise ValueError(f"unknown severity {key!r} (expected one of: blocker, major, minor, info)")
        return value

    @field_validator("principle")
    @classmethod
    def _principles(cls, value: dict[str, int]) -> dict[str, int]:
        known = ("backward-compatibility", "no-surprises", "no-dark-patterns")
        for key in value:
            if key not in known:
                raise ValueError(f"unknown principle {key!r} (expected one of: {', '.join(known)})")
        return value


class ReleasePolicy(PublicModel, config.ReleasePolicy):  # type: ignore[misc]  # (the module docstring)
    __doc__ = config.ReleasePolicy.__doc__  # the record's, in the JSON Schema too
    model_config = ConfigDict(defer_build=True, extra="forbid")
    notice: config.NoticePolicy = Field(default_factory=NoticePolicy)


class Config(PublicModel, config.Config):  # type: ignore[misc]  # (the module docstring)
    __doc__ = config.Config.__doc__  # the record's, in the JSON Schema too
    model_config = ConfigDict(defer_build=True, extra="forbid")
    fail_on: str = Field("major", description="Lowest severity that fails the check, or 'none'.")
    severity: dict[str, str] = Field(default_factory=dict, description="Rule id (or prefix*) -> severity or 'off'.")
    include_paths: list[str] = Field(default_factory=list, description="Only check these API paths (glob, or regex with 're:').")
    exclude_paths: list[str] = Field(default_factory=list)
    exclude_extensions: list[str] = Field(
        default_factory=list,
        description="Skip API operations that carry (or whose path item carries) an x- extension whose name "
                    "matches one of these regular expressions, in either version (oasdiff's --filter-extension).")
    include_path_params: bool = Field(False, description="Match endpoints by their path parameter names too: /users/{id} and /users/{userId} differ (oasdiff's --include-path-params).")
    flatten_allof: bool = Field(False, description="Compare allOf schemas as the one schema they mean (oasdiff's --flatten-allof).")
    strip_prefix_base: str = Field("", description="Remove this prefix from the base's paths before matching them.")
    strip_prefix_revision: str = Field("", description="Remove this prefix from the revision's paths before matching.")
    prefix_base: str = Field("", description="Add this prefix to the base's paths (after stripping) before matching.")
    prefix_revision: str = Field("", description="Add this prefix to the revision's paths (after stripping).")
    deprecation_days_stable: int = Field(0, ge=0)
    deprecation_days_beta: int = Field(0, ge=0)
    stability_level: str = "beta"
    waivers: list[model.Waiver] = Field(default_factory=list)
    rule_packs: list[str] = Field(default_factory=list)
    allow_external_refs: bool = False
    today: _dt.date | None = Field(None, description="The date used for sunsets and waiver expiry (default: today).")
    impact: config.ImpactPolicy = Field(default_factory=ImpactPolicy)
    customer_notices: config.CustomerNoticePolicy = Field(default_factory=CustomerNoticePolicy, description="What the notice drafts offer affected customers (credits, grandfathering) and how they are grouped.")
    pricing: dict[str, Any] = Field(default_factory=dict, validate_default=True, description="Pricing rule thresholds (defaults: PRICING_DEFAULTS).")
    terms: dict[str, Any] = Field(default_factory=dict, description="Terms rule settings.")
    release: config.ReleasePolicy = Field(default_factory=ReleasePolicy, description="Release review: the notice owed.")
    plugin_kinds: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="The sections of the document kinds declared with an options model (trustguard.kinds; "
                    "all but pricing and terms), by kind: written at the top level as `KIND:` and validated "
                    "by the kind's options model.")

    @model_validator(mode="before")
    @classmethod
    def _plugin_sections(cls, value: Any) -> Any:
        # a top-level section named after a plug-in kind is that kind's options
        if not isinstance(value, dict):
            return value
        from .kinds import kind_specs

        plugins = {spec.name: spec for spec in kind_specs() if spec.name not in cls.model_fields}
        found = {k: value[k] for k in value if k in plugins}
        if not found:
            return value
        sections = dict(value.get("plugin_kinds") or {})
        for name, given in found.items():
            model = plugins[name].options
            if model is None:
                raise ValueError(f"the document kind {name!r} takes no options")
            sections[name] = model.model_validate(given).model_dump()
        return {**{k: v for k, v in value.items() if k not in found}, "plugin_kinds": sections}

    @field_validator("fail_on")
    @classmethod
    def _fail_on(cls, value: str) -> str:
        value = value.strip().lower()
        if value != "none" and value not in Severity._value2member_map_:
            raise ValueError(f"unknown severity {value!r} (expected one of: blocker, major, minor, info, none)")
        return value

    @field_validator("severity", mode="before")
    @classmethod
    def _severity_off(cls, value: Any) -> Any:
        # YAML 1.1 reads an unquoted `off` as false
        if isinstance(value, dict):
            return {k: ("off" if v is False else v) for k, v in value.items()}
        return value

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: dict[str, str]) -> dict[str, str]:
        out = {}
        for rule, sev in value.items():
            sev = str(sev).strip().lower()
            if sev != "off" and sev not in Severity._value2member_map_:
                raise ValueError(f"unknown severity {sev!r} for {rule!r} "
                                 "(expected one of: blocker, major, minor, info, off)")
            out[rule] = sev
        return out

    @field_validator("pricing")
    @classmethod
    def _pricing(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in PRICING_DEFAULTS:
            given = value.get(key)
            if given is not None and (isinstance(given, bool) or not isinstance(given, (int, float)) or given < 0):
                raise ValueError(f"pricing.{key} must be a number >= 0")
        if "fx" in value:  # exchange rates for prices in two currencies
            from .load.pricing import exchange_rates  # here: the pricing loader imports jsonschema

            try:
                exchange_rates(value["fx"])
            except ValueError as exc:
                raise ValueError(f"pricing.fx: {exc}") from None
        return {**PRICING_DEFAULTS, **value}

    @field_validator("include_paths", "exclude_paths")
    @classmethod
    def _path_patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if pattern.startswith("re:"):
                _compiles(pattern[3:], pattern)
        return value

    @field_validator("strip_prefix_base", "strip_prefix_revision", "prefix_base", "prefix_revision")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if value and not value.startswith("/"):
            raise ValueError(f"a path prefix starts with '/', found {value!r}")
        return value.rstrip("/")

    @field_validator("exclude_extensions")
    @classmethod
    def _extension_patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            _compiles(pattern, pattern)
        return value

    @field_validator("stability_level")
    @classmethod
    def _stability(cls, value: str) -> str:
        if value not in STABILITY_LEVELS:
            raise ValueError(f"must be one of {', '.join(STABILITY_LEVELS)}")
        return value
    # where each setting was written (a file and its lines), and which were set by options
    _source: ConfigSource | None = PrivateAttr(default=None)
    _options: dict[str, str] = PrivateAttr(default_factory=dict)
