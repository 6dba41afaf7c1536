"""Policy: what fails a check, severity overrides, path filters, waivers.

Read from ``trustguard.yaml`` (or ``.trustguard.yaml``) or ``[tool.trustguard]`` in
``pyproject.toml``; CLI flags and API keyword arguments override the file.
"""

from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._user_regex import UnsafePatternError, compile_user_regex
from .errors import ConfigError, InputError
from .model import Severity, Waiver

# Pricing rule thresholds (rules read them as $pricing_<name>); config `pricing:` overrides.
PRICING_DEFAULTS: dict[str, float] = {
    "price_increase_major_percent": 10,
    "price_increase_blocker_percent": 25,
    "min_notice_days": 30,
}

CONFIG_NAMES = ("trustguard.yaml", "trustguard.yml", ".trustguard.yaml", ".trustguard.yml")
STABILITY_LEVELS = ("draft", "alpha", "beta", "stable")


class ImpactPolicy(BaseModel):
    """When impact data is given: which findings still fail the check."""

    model_config = ConfigDict(extra="forbid")

    min_customers: int = Field(0, ge=0, description="A failing finding must reach at least this many customers to fail the check (0: impact never relaxes the gate).")
    fail_unused: bool = Field(True, description="Whether a failing finding on an operation nobody calls still fails the check.")
    community_shock_customers: int = Field(20, ge=1, description="Many customers: at least this many affected ...")
    community_shock_max_share: float = Field(0.05, gt=0, description="... each paying at most this share of total revenue.")
    whale_revenue_share: float = Field(0.25, gt=0, le=1, description="Whale concentration: at most 3 customers holding at least this share of revenue.")
    whale_max_customers: int = Field(3, ge=1)
    top: int = Field(5, ge=1, description="How many top customers and integrations each finding lists.")
    min_revenue_share: float = Field(0.0, ge=0, le=1, description="A failing finding must also reach at least this share of revenue to fail the check (0: not used).")
    fail_flags: list[str] = Field(default_factory=list, description="Impact flags (community-shock, whale-concentration) that make a minor-or-worse finding fail even below fail_on.")

    @field_validator("fail_flags")
    @classmethod
    def _flags(cls, value: list[str]) -> list[str]:
        known = ("community-shock", "whale-concentration")
        for flag in value:
            if flag not in known:
                raise ValueError(f"unknown impact flag {flag!r} (expected one of: {', '.join(known)})")
        return value


class Config(BaseModel):
    """The whole policy. Every field is optional; defaults follow oasdiff's."""

    model_config = ConfigDict(extra="forbid")

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
    waivers: list[Waiver] = Field(default_factory=list)
    rule_packs: list[str] = Field(default_factory=list)
    allow_external_refs: bool = False
    today: _dt.date | None = Field(None, description="The date used for sunsets and waiver expiry (default: today).")
    impact: ImpactPolicy = Field(default_factory=ImpactPolicy)
    pricing: dict[str, Any] = Field(default_factory=dict, validate_default=True, description="Pricing rule thresholds (defaults: PRICING_DEFAULTS).")
    terms: dict[str, Any] = Field(default_factory=dict, description="Terms rule settings.")

    @field_validator("fail_on")
    @classmethod
    def _fail_on(cls, value: str) -> str:
        value = value.strip().lower()
        if value != "none":
            Severity.parse(value)
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
            if sev != "off":
                Severity.parse(sev)
            out[rule] = sev
        return out

    @field_validator("pricing")
    @classmethod
    def _pricing(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in PRICING_DEFAULTS:
            given = value.get(key)
            if given is not None and (isinstance(given, bool) or not isinstance(given, (int, float)) or given < 0):
                raise ValueError(f"pricing.{key} must be a number >= 0")
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

    def effective_today(self) -> _dt.date:
        return self.today or _dt.date.today()

    def threshold(self) -> Severity | None:
        return None if self.fail_on == "none" else Severity.parse(self.fail_on)


def _compiles(regex: str, written: str) -> None:
    try:
        compile_user_regex(regex)  # run by RE2: a pattern in the PR's config must not hang a check
    except UnsafePatternError as error:
        raise ValueError(f"{written!r} {error}") from None


def find_config(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.trustguard" in pyproject.read_text(encoding="utf-8", errors="replace"):
            return pyproject
        if (folder / ".git").exists():
            break
    return None


def _read_raw(path: Path) -> dict[str, Any]:
    if path.name == "pyproject.toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the config: {exc}", file=str(path)) from None
        section = data.get("tool", {}).get("trustguard", {})
        return {k.replace("-", "_"): v for k, v in section.items()}
    from .load.parse import decode_text, parse_yaml

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the config: {exc.strerror or exc}", file=str(path)) from None
    if not raw.strip():
        return {}
    try:
        data, _ = parse_yaml(decode_text(raw, str(path)), str(path))
    except InputError as exc:
        raise ConfigError(exc.message, file=exc.file, place=exc.place) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError("the config must be a mapping", file=str(path), place="/")
    return {str(k).replace("-", "_"): v for k, v in data.items()}


def load_config(path: str | Path | None = None, *, search_from: Path | None = None) -> Config:
    """Load a config file (or find one from ``search_from``); defaults when none exists."""
    if path is None:
        found = find_config(search_from or Path.cwd())
        if found is None:
            return Config()
        path = found
    path = Path(path)
    if not path.is_file():
        raise ConfigError("no such config file", file=str(path))
    raw = _read_raw(path)
    base = path.parent
    packs = raw.get("rule_packs")
    if isinstance(packs, list):
        # relative to the config file; anything but a path is left for validation to name
        raw["rule_packs"] = [str((base / p).resolve()) if isinstance(p, str) and not Path(p).is_absolute() else p
                             for p in packs]
    return build_config(raw, file=str(path))


def build_config(raw: dict[str, Any], *, file: str | None = None) -> Config:
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        place = "/" + "/".join(str(p) for p in err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")  # pydantic's prefix to our own messages
        raise ConfigError(f"invalid setting: {message}", file=file, place=place) from None


def merge_options(config: Config, **options: Any) -> Config:
    """Apply CLI flags / API keyword arguments (None means 'not given')."""
    given = {k: v for k, v in options.items() if v is not None}
    if not given:
        return config
    data = config.model_dump()
    for key, value in given.items():
        if key not in Config.model_fields:
            raise ConfigError(f"unknown option {key!r}")
        if key == "severity":
            data["severity"] = {**data["severity"], **value}
        elif key in ("waivers", "rule_packs"):
            data[key] = [*data[key], *value]
        else:
            data[key] = value
    return build_config(data)
