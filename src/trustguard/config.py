"""Policy: what fails a check, severity overrides, path filters, waivers.

Read from ``trustguard.yaml`` (or ``.trustguard.yaml``) or ``[tool.trustguard]`` in
``pyproject.toml``; CLI flags and API keyword arguments override the file.

The models build their pydantic schemas when a policy is first validated (``defer_build``),
not at import: a run with no config file and no option to validate (``default_config``,
``with_fail_on``) builds none of them, ~10 ms (pydantic's first schema of a process also
scans the installed packages for its plug-ins).
"""

from __future__ import annotations

import datetime as _dt
import re
import sys
from pathlib import Path
from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from ._user_regex import UnsafePatternError, compile_user_regex
from .config_files import inside, read_regular_file, repo_path, repository_root, split_git_spec
from .config_source import ConfigSource, dotted_key
from .errors import ConfigError, InputError
from .model import Severity, Waiver
from .model_notices import CustomerNoticePolicy

# Pricing rule thresholds (rules read them as $pricing_<name>); config `pricing:` overrides.
PRICING_DEFAULTS: dict[str, float] = {
    "price_increase_major_percent": 10,
    "price_increase_blocker_percent": 25,
    "min_notice_days": 30,
}

CONFIG_NAMES = ("trustguard.yaml", "trustguard.yml", ".trustguard.yaml", ".trustguard.yml")
STABILITY_LEVELS = ("draft", "alpha", "beta", "stable")
#: oasdiff's x-stability-level order: operations below the checked level may change freely
STABILITY_RANK = {level: rank for rank, level in enumerate(STABILITY_LEVELS)}


class ImpactPolicy(BaseModel):
    """When impact data is given: which findings still fail the check."""

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


class NoticePolicy(BaseModel):
    """Days of notice a release owes a change (``trustguard release``), replacing the
    documented defaults; a base document's own promise (the terms' change-notice clause,
    the pricing's ``priceChangeNoticeDays``) still binds when it asks for more. The most
    specific setting wins: a rule's, then its severity's, then its principle's."""

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


class ReleasePolicy(BaseModel):
    """How ``trustguard release`` judges a release."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    notice: NoticePolicy = Field(default_factory=NoticePolicy)


class Config(BaseModel):
    """The whole policy. Every field is optional; defaults follow oasdiff's."""

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
    waivers: list[Waiver] = Field(default_factory=list)
    rule_packs: list[str] = Field(default_factory=list)
    allow_external_refs: bool = False
    today: _dt.date | None = Field(None, description="The date used for sunsets and waiver expiry (default: today).")
    impact: ImpactPolicy = Field(default_factory=ImpactPolicy)
    customer_notices: CustomerNoticePolicy = Field(default_factory=CustomerNoticePolicy, description="What the notice drafts offer affected customers (credits, grandfathering) and how they are grouped.")
    pricing: dict[str, Any] = Field(default_factory=dict, validate_default=True, description="Pricing rule thresholds (defaults: PRICING_DEFAULTS).")
    terms: dict[str, Any] = Field(default_factory=dict, description="Terms rule settings.")
    release: ReleasePolicy = Field(default_factory=ReleasePolicy, description="Release review: the notice owed.")
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

    @property
    def file(self) -> str | None:
        """The config file this policy was read from (None: defaults or options only)."""
        return self._source.file if self._source is not None else None

    def origin_of(self, pointer: str) -> str | None:
        """The option (``--severity``, ``severity=``) that set ``pointer``, or None when
        the file (or the defaults) did."""
        best: str | None = None
        for prefix in self._options:
            if (pointer == prefix or pointer.startswith(prefix + "/")) and (best is None or len(prefix) > len(best)):
                best = prefix
        return self._options[best] if best is not None else None

    def key_text(self, pointer: str) -> str:
        """How a message names the setting at ``pointer``: the option that set it, else
        its key (``waivers[2].rule``)."""
        return self.origin_of(pointer) or dotted_key(pointer)

    def line_of(self, pointer: str) -> int | None:
        if self._source is None or self.origin_of(pointer) is not None:
            return None
        return self._source.line(pointer)

    def error_at(self, pointer: str, message: str) -> ConfigError:
        """A ConfigError about the setting at ``pointer``: with the file and line when the
        file set it, the option's name (in ``message``) when an option did."""
        if self.origin_of(pointer) is not None or self._source is None:
            return ConfigError(message)
        return ConfigError(message, file=self._source.file, place=pointer, line=self._source.line(pointer))

    def kind_options(self) -> dict[str, dict[str, Any]]:
        """Every kind's options, by kind (rules read them as ``$<kind>_<option>``): the
        built-in ``pricing:`` and ``terms:`` sections, and each plug-in kind's section, its
        options model's defaults when the config has none."""
        from .kinds import kind_specs

        out: dict[str, dict[str, Any]] = {"pricing": self.pricing, "terms": self.terms}
        for spec in kind_specs():
            if spec.options is not None and spec.name not in out:
                out[spec.name] = self.plugin_kinds.get(spec.name) or spec.options().model_dump()
        return out

    def effective_today(self) -> _dt.date:
        return self.today or _dt.date.today()

    def threshold(self) -> Severity | None:
        return None if self.fail_on == "none" else Severity.parse(self.fail_on)


def _compiles(regex: str, written: str) -> None:
    try:
        compile_user_regex(regex)  # run by RE2: a pattern in the PR's config must not hang a check
    except UnsafePatternError as error:
        raise ValueError(f"{written!r} {error}") from None


_M = TypeVar("_M", bound=BaseModel)


def default_config() -> Config:
    """The default policy, equal to ``Config()`` (tests/test_check_startup.py), built
    without validating it: its values are the model's own defaults."""
    return _defaults_of(Config)


def _defaults_of(model: type[_M]) -> _M:
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        factory = field.default_factory
        if isinstance(factory, type) and issubclass(factory, BaseModel):
            values[name] = _defaults_of(factory)  # a section: its own defaults, unvalidated too
        elif factory is not None:
            values[name] = factory()  # type: ignore[call-arg]
        else:
            values[name] = field.default
    if model is Config:
        values["pricing"] = Config._pricing(values["pricing"])  # the one default validated (validate_default)
    return model.model_construct(_fields_set=set(), **values)


#: the values of ``fail_on`` as its validator leaves them
FAIL_ON_VALUES = ("blocker", "major", "minor", "info", "none")


def with_fail_on(config: Config, value: str, label: str) -> Config:
    """``merge_options(config, fail_on=value)`` for an option whose value is one of
    FAIL_ON_VALUES as written (the CLI's ``--fail-on`` choice): set without validating the
    whole policy again. Any other value goes through merge_options (and its error)."""
    if value not in FAIL_ON_VALUES:
        return merge_options(config, labels={"fail_on": label}, fail_on=value)
    merged = config.model_copy(update={"fail_on": value})
    merged._options = {**config._options, "/fail_on": label}
    return merged


# --- reading -----------------------------------------------------------------------------


def find_config(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.trustguard" in _pyproject_text(pyproject):
            return pyproject
        if (folder / ".git").exists():
            break
    return None


def _pyproject_text(path: Path) -> str:
    try:
        return read_regular_file(path, name=str(path), what="pyproject.toml").decode("utf-8", "replace")
    except ConfigError:
        return ""


def _plain_dates(value: Any) -> Any:
    # TOML has dates; the config holds them as text, as YAML's loader leaves them
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_dates(v) for v in value]
    return value


def parse_config(raw: bytes, name: str) -> tuple[dict[str, Any], ConfigSource]:
    """A config file's settings (top-level keys with ``-`` read as ``_``) and its source."""
    from .parsing.text import decode_text
    from .parsing.yaml_tree import parse_yaml

    try:
        text = decode_text(raw, name)
    except InputError as exc:
        raise ConfigError(exc.message, file=exc.file, place=exc.place) from None
    if Path(name.rsplit(":", 1)[-1]).name == "pyproject.toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib
        try:
            data: Any = tomllib.loads(text)
        except (ValueError, RecursionError) as exc:
            detail = "it nests too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise ConfigError(f"invalid TOML: {detail}", file=name) from None
        section = data.get("tool", {}).get("trustguard", {})
        if not isinstance(section, dict):
            raise ConfigError("[tool.trustguard] must be a table", file=name)
        source = ConfigSource(name, "toml", text)
        data = _plain_dates(section)
    else:
        if not raw.strip():
            return {}, ConfigSource(name, "yaml", text)
        try:
            data, index = parse_yaml(text, name)
        except InputError as exc:
            raise ConfigError(exc.message, file=exc.file, place=exc.place) from None
        source = ConfigSource(name, "yaml", text, index)
        if data is None:
            return {}, source
        if not isinstance(data, dict):
            raise ConfigError("the config must be a mapping of settings", file=name, place="/", line=1)
    out: dict[str, Any] = {}
    for key, value in data.items():
        normal = str(key).replace("-", "_")
        source.spelled[normal] = str(key)
        out[normal] = value
    source.settings = dict(out)
    return out, source


def load_config(path: str | Path | None = None, *, search_from: Path | None = None) -> Config:
    """Load a config file (or find one from ``search_from``); defaults when none exists.

    The rule packs it names must be regular files inside its repository (the git work
    tree containing it, else its folder): a config is part of a pull request."""
    if path is None:
        found = find_config(search_from or Path.cwd())
        if found is None:
            return default_config()
        if not inside(found, repository_root(found.parent)):
            raise ConfigError("the config file is a symlink to a file outside the repository; refused",
                              file=str(found))
        path = _shown(found)
    path = Path(path)
    raw, source = parse_config(read_regular_file(path, name=str(path), what="config file"), str(path))
    root = repository_root(path.parent)
    packs = raw.get("rule_packs")
    if isinstance(packs, list):
        raw["rule_packs"] = [_local_pack(path.parent, root, p, index, source) if isinstance(p, str) else p
                             for index, p in enumerate(packs)]
    terms = raw.get("terms")
    if isinstance(terms, dict) and terms.get("patterns") is not None:
        folders = terms["patterns"]
        written = [folders] if isinstance(folders, str) else folders
        if isinstance(written, list):
            terms["patterns"] = [
                _local_folder(path.parent, root, f, index, source) if isinstance(f, str) else f
                for index, f in enumerate(written)]
    return build_config(raw, file=str(path), source=source)


def _shown(found: Path) -> Path:
    """A config found by the search, named from the working directory when it is below it
    (``trustguard.yaml:3:`` in messages, not the whole path)."""
    try:
        return found.relative_to(Path.cwd())
    except ValueError:
        return found


def _local_pack(folder: Path, root: Path, written: str, index: int, source: ConfigSource) -> str:
    return _inside_repository(folder, root, written, f"rule_packs[{index}]", f"/rule_packs/{index}", source,
                              "files inside it (give other rule packs with --rule-pack)")


def _local_folder(folder: Path, root: Path, written: str, index: int, source: ConfigSource) -> str:
    # a terms pattern folder replaces shipped categories (forced arbitration...): the same bound
    return _inside_repository(folder, root, written, f"terms.patterns[{index}]", f"/terms/patterns/{index}",
                              source, "folders inside it")


def _inside_repository(folder: Path, root: Path, written: str, key: str, pointer: str, source: ConfigSource,
                       allowed: str) -> str:
    """The absolute path of a file or folder a config names (relative to the config's folder),
    refused when it is outside the repository. The path is what the config says; the
    content is never shown."""
    target = Path(written) if Path(written).is_absolute() else folder / written
    if not inside(target, root):
        raise ConfigError(f"{key}: {written!r} is outside the repository ({root}); a config may name only {allowed}",
                          file=source.file, place=pointer, line=source.line(pointer))
    return str(target.resolve())


def load_config_at(spec: str | Path) -> Config:
    """A config from a file or from ``REV:path`` in git (the trusted policy of
    ``--trusted-config``): a path that does not exist at that revision is the default
    policy. Rule packs of a git config are read from the same revision."""
    text = str(spec)
    git = split_git_spec(text) if isinstance(spec, str) else None
    if git is None:
        return load_config(Path(spec))
    from .config_files import git_file

    rev, path = git
    data = git_file(rev, path, Path.cwd(), text)
    if data is None:
        return Config()
    raw, source = parse_config(data, text)
    if raw.get("rule_packs") is not None and isinstance(raw["rule_packs"], list):
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        packs = []
        for index, written in enumerate(raw["rule_packs"]):
            if not isinstance(written, str):
                packs.append(written)
                continue
            inner = repo_path(folder, written)
            if inner is None:
                pointer = f"/rule_packs/{index}"
                raise ConfigError(f"rule_packs[{index}]: {written!r} is outside the repository; a config "
                                  "may name only files inside it", file=text, place=pointer,
                                  line=source.line(pointer))
            packs.append(f"{rev}:{inner}")
        raw["rule_packs"] = packs
    terms = raw.get("terms")
    if isinstance(terms, dict) and terms.get("patterns") is not None:
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        written_folders = [terms["patterns"]] if isinstance(terms["patterns"], str) else terms["patterns"]
        if isinstance(written_folders, list):
            terms["patterns"] = [_git_folder(rev, folder, w, index, text, source) if isinstance(w, str) else w
                                 for index, w in enumerate(written_folders)]
    return build_config(raw, file=text, source=source)


def _git_folder(rev: str, folder: str, written: str, index: int, text: str, source: ConfigSource) -> str:
    """A terms pattern folder of a trusted git config, read from that revision."""
    from .config_files import git_folder

    inner = repo_path(folder, written)
    pointer = f"/terms/patterns/{index}"
    if inner is None:
        raise ConfigError(f"terms.patterns[{index}]: {written!r} is outside the repository; a config "
                          "may name only folders inside it", file=text, place=pointer, line=source.line(pointer))
    return str(git_folder(rev, inner, Path.cwd(), f"{rev}:{inner}"))


# --- validating --------------------------------------------------------------------------

_TYPES = {
    "string_type": "a text", "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "list_type": "a list",
    "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)", "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)", "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
}
_BOUNDS = {"greater_than_equal": ("ge", "at least"), "greater_than": ("gt", "more than"),
           "less_than_equal": ("le", "at most"), "less_than": ("lt", "less than")}


def _found(value: Any) -> str:
    kinds = {bool: "true or false", int: "a number", float: "a number", str: "a text", list: "a list",
             dict: "a mapping", type(None): "nothing"}
    kind = kinds.get(type(value), type(value).__name__)
    if isinstance(value, (dict, list)) or value is None:
        return kind
    shown = repr(value)
    return f"{kind}, {shown[:40] + '...' if len(shown) > 40 else shown}"


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = Config
    for part in loc:
        if isinstance(part, int):
            continue
        nested: dict[str, type[BaseModel]] = {"impact": ImpactPolicy, "waivers": Waiver, "release": ReleasePolicy}
        sub = nested.get(str(part)) if model is Config else (NoticePolicy if model is ReleasePolicy
                                                              and part == "notice" else None)
        if sub is None:
            return []
        model = sub
    return list(model.model_fields)


def did_you_mean(word: str, known: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``known``, or nothing."""
    import difflib  # only on an error

    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def describe_error(err: Any, key: str, spelled: dict[str, str] | None = None) -> str:
    """One pydantic error in trustguard's words; ``key`` names the setting, ``spelled``
    how the file wrote its top-level keys (``fail-on``)."""
    spelled = spelled or {}
    kind, loc, ctx = err["type"], tuple(err["loc"]), err.get("ctx") or {}
    if kind == "extra_forbidden":
        name = spelled.get(str(loc[-1]), str(loc[-1])) if len(loc) == 1 else str(loc[-1])
        parent = dotted_key("/" + "/".join(str(p) for p in loc[:-1])) if len(loc) > 1 else ""
        where = f" in {parent}" if parent else ""
        known = _fields_at(loc[:-1])
        if "-" in name:  # pyproject.toml style: suggest it as it would be written
            known = [k.replace("_", "-") for k in known]
        return f"unknown key {name!r}{where}{did_you_mean(name, known)}"
    if kind == "missing":
        return f"{key}: missing (this setting is required)"
    if kind in _TYPES:
        return f"{key}: expected {_TYPES[kind]}, found {_found(err.get('input'))}"
    if kind in _BOUNDS:
        name, words = _BOUNDS[kind]
        return f"{key}: must be {words} {ctx.get(name)}, found {_found(err.get('input'))}"
    message = str(err["msg"]).removeprefix("Value error, ")  # pydantic's prefix to our own messages
    return f"{key}: {message}"


def _pointer(loc: tuple[Any, ...]) -> str:
    return "/" + "/".join(str(p) for p in loc)


def build_config(raw: dict[str, Any], *, file: str | None = None, source: ConfigSource | None = None) -> Config:
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        place = _pointer(tuple(err["loc"]))
        line = source.line(place) if source is not None else None
        message = describe_error(err, dotted_key(place), source.spelled if source is not None else None)
        raise ConfigError(message, file=file, place=place, line=line) from None
    config._source = source
    _check_waivers(config, 0)
    return config


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def valid_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _check_waivers(config: Config, first: int) -> None:
    """Waivers from ``first`` on: each names what it waives, and its date is a real day
    (``2027-13-45`` used to count as expired, silently)."""
    for index, waiver in enumerate(config.waivers[first:], start=first):
        pointer = f"/waivers/{index}"
        if not (waiver.rule or waiver.operation or waiver.location or waiver.fingerprint):
            raise config.error_at(pointer, f"{config.key_text(pointer)}: a waiver names what it waives "
                                           "(rule, operation, location or fingerprint)")
        if waiver.expires is not None and not valid_date(str(waiver.expires)):
            at = pointer + "/expires"
            raise config.error_at(at, f"{config.key_text(at)}: {str(waiver.expires)!r} is not a date "
                                      "(expected YYYY-MM-DD, a day that exists)")


def option_label(key: str) -> str:
    """How the API names an option in an error (the CLI names its flags)."""
    return f"option {key}"


def merge_options(config: Config, *, labels: dict[str, str] | None = None, **options: Any) -> Config:
    """Apply CLI flags / API keyword arguments (None means 'not given'). ``labels`` name
    the options in errors (the CLI's flags); by default their keyword argument."""
    given = {k: v for k, v in options.items() if v is not None}
    if not given:
        return config
    names = list(Config.model_fields)
    for key in given:
        if key not in Config.model_fields:
            raise ConfigError(f"unknown option {key!r}{did_you_mean(key, names)}")
    label = {key: (labels or {}).get(key) or option_label(key) for key in given}
    try:  # the options alone first: an error names the option, not a key of the merged config
        Config.model_validate(given)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        key = label.get(str(loc[0]), str(loc[0])) + dotted_key(_pointer(loc[1:])).removeprefix("the config")
        raise ConfigError(describe_error(err, key)) from None
    data = config.model_dump()
    origins = dict(config._options)
    for key, value in given.items():
        if key == "severity":
            data["severity"] = {**data["severity"], **value}
            origins.update({f"/severity/{rule}": label[key] for rule in value})
        elif key in ("waivers", "rule_packs"):
            origins.update({f"/{key}/{i}": label[key] for i in range(len(data[key]), len(data[key]) + len(value))})
            data[key] = [*data[key], *value]
        else:
            data[key] = value
            origins[f"/{key}"] = label[key]
    try:
        merged = Config.model_validate(data)
    except ValidationError as exc:  # pragma: no cover - each part validated above
        raise ConfigError(describe_error(exc.errors()[0], dotted_key(_pointer(tuple(exc.errors()[0]["loc"]))))) from None
    merged._source = config._source
    merged._options = origins
    _check_waivers(merged, len(config.waivers))
    return merged
