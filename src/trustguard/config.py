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
from typing import Any

from ._record import Record, field, fields_of
from ._user_regex import UnsafePatternError, compile_user_regex
from .config_files import inside, read_regular_file, repo_path, repository_root, split_git_spec
from .config_source import ConfigSource, dotted_key
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
#: oasdiff's x-stability-level order: operations below the checked level may change freely
STABILITY_RANK = {level: rank for rank, level in enumerate(STABILITY_LEVELS)}


#: Above this many affected customers a draft is written per segment, not per customer
#: (``customer_notices.max_drafts``): a person reviews every draft before it is sent, and
#: 500 distinct letters is already more than a team reads in a day. Each segment draft
#: still lists its recipients, so mail merge keeps one row per customer.
MAX_DRAFTS = 500


class CustomerNoticePolicy(Record):
    """What the company offers the customers a change hurts, and how drafts are grouped
    (the config's ``customer_notices:`` section)."""

    _public_name = "trustguard.model_notices:CustomerNoticePolicy"

    max_drafts: int = MAX_DRAFTS
    grandfather_months: int = 0
    credit_percent: float = 0.0
    credit_months: int = 1
    offer: str = ""
    contact: str = ""
    contact_first: int = 20


class ImpactPolicy(Record):
    """When impact data is given: which findings still fail the check."""
    _public_name = "trustguard.config_public:ImpactPolicy"
    min_customers: int = 0
    fail_unused: bool = True
    community_shock_customers: int = 20
    community_shock_max_share: float = 0.05
    whale_revenue_share: float = 0.25
    whale_max_customers: int = 3
    top: int = 5
    min_revenue_share: float = 0.0
    fail_flags: list[str] = field(default_factory=list)
    contract_broken_min_severity: str = "major"
    may_break_min_severity: str = "major"


class NoticePolicy(Record):
    """Days of notice a release owes a change (``trustguard release``), replacing the
    documented defaults; a base document's own promise (the terms' change-notice clause,
    the pricing's ``priceChangeNoticeDays``) still binds when it asks for more. The most
    specific setting wins: a rule's, then its severity's, then its principle's."""
    _public_name = "trustguard.config_public:NoticePolicy"
    rules: dict[str, int] = field(default_factory=dict)
    severity: dict[str, int] = field(default_factory=dict)
    principle: dict[str, int] = field(default_factory=dict)


class ReleasePolicy(Record):
    """How ``trustguard release`` judges a release."""
    _public_name = "trustguard.config_public:ReleasePolicy"
    notice: NoticePolicy = field(default_factory=lambda: NoticePolicy.model_construct())


class Config(Record):
    """The whole policy. Every field is optional; defaults follow oasdiff's."""
    _public_name = "trustguard.config_public:Config"
    fail_on: str = "major"
    severity: dict[str, str] = field(default_factory=dict)
    include_paths: list[str] = field(default_factory=list)
    exclude_paths: list[str] = field(default_factory=list)
    exclude_extensions: list[str] = field(default_factory=list)
    include_path_params: bool = False
    flatten_allof: bool = False
    strip_prefix_base: str = ""
    strip_prefix_revision: str = ""
    prefix_base: str = ""
    prefix_revision: str = ""
    deprecation_days_stable: int = 0
    deprecation_days_beta: int = 0
    stability_level: str = "beta"
    waivers: list[Waiver] = field(default_factory=list)
    rule_packs: list[str] = field(default_factory=list)
    allow_external_refs: bool = False
    today: _dt.date | None = None
    impact: ImpactPolicy = field(default_factory=lambda: ImpactPolicy.model_construct())
    customer_notices: CustomerNoticePolicy = field(default_factory=lambda: CustomerNoticePolicy.model_construct())
    pricing: dict[str, Any] = field(default_factory=lambda: dict(PRICING_DEFAULTS))  # as its validator fills it in
    terms: dict[str, Any] = field(default_factory=dict)
    release: ReleasePolicy = field(default_factory=lambda: ReleasePolicy.model_construct())
    plugin_kinds: dict[str, dict[str, Any]] = field(default_factory=dict)
    _source: ConfigSource | None = field(init=False, default=None)
    _options: dict[str, str] = field(init=False, default_factory=dict)

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


def default_config() -> Config:
    """The default policy, equal to ``Config()`` (tests/test_check_startup.py), as a plain
    record: its values are the model's own defaults, nothing to validate."""
    return Config.model_construct()


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
    model: type[Any] = Config
    for part in loc:
        if isinstance(part, int):
            continue
        nested: dict[str, type[Any]] = {"impact": ImpactPolicy, "waivers": Waiver, "release": ReleasePolicy}
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
    from pydantic import (
        ValidationError,  # a config to validate: the public model's (config_public.py)
    )

    try:
        config: Config = Config.model_validate(raw)
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
    names = list(fields_of(Config))
    for key in given:
        if key not in names:
            raise ConfigError(f"unknown option {key!r}{did_you_mean(key, names)}")
    label = {key: (labels or {}).get(key) or option_label(key) for key in given}
    from pydantic import (
        ValidationError,  # options to validate: the public model's (config_public.py)
    )

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
        merged: Config = Config.model_validate(data)
    except ValidationError as exc:  # pragma: no cover - each part validated above
        raise ConfigError(describe_error(exc.errors()[0], dotted_key(_pointer(tuple(exc.errors()[0]["loc"]))))) from None
    merged._source = config._source
    merged._options = origins
    _check_waivers(merged, len(config.waivers))
    return merged
