"""Load a Pricing2Yaml 2.x pricing into a model where every plan's features and limits
are resolved (declared defaults plus the plan's overrides).

The public Pricing2Yaml dataset has quirks this loader absorbs rather than rejects:
prices written as "Contact Sales", "unlimited" written as a big power of ten or
``.inf``, ``null`` meaning "inherit the defaults", billing periods spelt ``annual``
or ``annually``, and files without ``billing`` or ``url``. What it does reject, with
the file and the JSON pointer, is input a diff cannot trust: invalid YAML, a plan or
add-on naming an undeclared feature or limit, a negative price, a limit of the
wrong type.

Pricing2Yaml has no commercial terms, so trustguard reads an optional
``commercialTerms`` mapping (top level, and per plan as an override): trial length,
auto-renewal, cancellation method, mandatory fees, minimum commitment and the
notice promised before a price change. ``pricing.schema.json`` documents it.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from ..errors import InputError
from ..model import DocumentKind
from .document import Document, parse_structured
from .parse import join_pointer
from .sources import Source, read_source

SCHEMA_FILE = Path(__file__).with_name("pricing.schema.json")

# Below this a big round number may be a real quota (Mailchimp sells 100,000 contacts);
# from here on, an exact power of ten is the dataset's way of writing "unlimited".
UNLIMITED_SENTINEL_MIN = 1_000_000

CANCELLATION_EFFORT = {"online": 0, "email": 1, "chat": 1, "phone": 2, "postal-mail": 3, "in-person": 3}

_PERIOD_ALIASES = {
    "monthly": "monthly", "month": "monthly",
    "annual": "annual", "annually": "annual", "yearly": "annual", "year": "annual",
    "quarterly": "quarterly", "quarter": "quarterly",
}

# A plan or add-on unit whose first word is one of these is charged per seat.
_SEAT_WORDS = frozenset({
    "user", "users", "seat", "seats", "editor", "editors", "host", "hosts", "member",
    "members", "license", "licenses", "agent", "agents", "person", "people",
})


@dataclass(frozen=True)
class FeatureDef:
    name: str
    value_type: str
    default: Any
    description: str


@dataclass(frozen=True)
class LimitDef:
    name: str
    value_type: str
    default: Any
    unit: str | None
    type: str | None
    description: str
    linked_features: tuple[str, ...] = ()


@dataclass
class Plan:
    """A plan with its effective features and limits (defaults + overrides)."""

    name: str
    price: float | None
    price_text: str | None
    unit: str | None
    private: bool
    features: dict[str, Any]
    limits: dict[str, Any]
    feature_overrides: frozenset[str]
    limit_overrides: frozenset[str]
    terms: dict[str, Any]
    terms_overrides: frozenset[str]

    @property
    def is_free(self) -> bool:
        return self.price == 0

    @property
    def seats_per_unit(self) -> float:
        return seats_per_unit(self.unit)

    def enabled_features(self) -> frozenset[str]:
        return frozenset(k for k, v in self.features.items() if feature_enabled(v))


@dataclass
class AddOn:
    name: str
    price: float | None
    price_text: str | None
    unit: str | None
    private: bool
    available_for: tuple[str, ...] | None
    depends_on: tuple[str, ...]
    excludes: tuple[str, ...]
    features: dict[str, Any]
    limits: dict[str, Any]
    extensions: dict[str, float]
    description: str = ""

    def available_to(self, plan: str) -> bool:
        return self.available_for is None or plan in self.available_for

    @property
    def seats_per_unit(self) -> float:
        return seats_per_unit(self.unit)


@dataclass
class Pricing:
    """The normalised pricing: what the diff and the bill calculator read."""

    saas: str
    version: str
    currency: str
    billing: dict[str, float]
    billing_keys: dict[str, str]
    features: dict[str, FeatureDef]
    limits: dict[str, LimitDef]
    plans: dict[str, Plan]
    addons: dict[str, AddOn]
    terms: dict[str, Any] = field(default_factory=dict)

    def multiplier(self, period: str) -> float | None:
        return self.billing.get(normalise_period(period))

    @staticmethod
    def period_of(period: str) -> str:
        """A billing period as this model names it ("annually" and "yearly" are "annual")."""
        return normalise_period(period)

    @staticmethod
    def seats_per_unit(unit: str | None) -> float:
        return seats_per_unit(unit)


def normalise_period(period: str) -> str:
    key = str(period).strip().lower()
    return _PERIOD_ALIASES.get(key, key)


_PERIOD_WORDS = frozenset({"month", "year", "week", "day", "quarter", "hour", "minute"})
_QUANTITY = re.compile(r"^(\d[\d,]*(?:\.\d+)?)\s*(.*)$")


@dataclass(frozen=True)
class PriceUnit:
    """What one price buys: ``quantity`` of ``thing`` per ``period`` ("5 users/month" is
    5 seat per month; "/month" is a flat price, thing ""). Every seat word (user, host,
    editor, license...) is the thing ``"seat"``: a plan charged per host and then per user
    charges for the same thing."""

    quantity: float
    thing: str
    period: str | None

    def same_basis(self, other: PriceUnit) -> bool:
        """Whether prices in the two units compare per unit (the same thing, per the same period)."""
        periods = {self.period, other.period} - {None}  # "user" and "user/month" are one unit
        return self.thing == other.thing and len(periods) <= 1

    def same_as(self, other: PriceUnit) -> bool:
        return self.same_basis(other) and self.quantity == other.quantity


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def unit_key(unit: str | None) -> str:
    """A unit as it compares: "devices" is "device", "calls / month" is "call/month"."""
    parts = (unit or "").lower().split("/")
    return "/".join(" ".join(_singular(w) for w in part.split()) for part in parts).strip("/")


def price_unit(unit: str | None) -> PriceUnit:
    """The unit of a plan's or add-on's price, read from its Pricing2Yaml ``unit`` text."""
    parts = [p.strip().lower() for p in (unit or "").split("/")]
    period = _singular(parts[-1]) if len(parts) > 1 and _singular(parts[-1]) in _PERIOD_WORDS else None
    if period is not None:
        parts = parts[:-1]
    elif len(parts) == 1 and _singular(parts[0]) in _PERIOD_WORDS:
        return PriceUnit(1.0, "", _singular(parts[0]))  # "month": a flat price per month
    head = parts[0] if parts else ""
    quantity = 1.0
    found = _QUANTITY.match(head)
    if found:
        quantity = float(found.group(1).replace(",", "")) or 1.0
        head = found.group(2).strip()
    thing = " ".join(_singular(w) for w in head.split())
    if thing in {_singular(w) for w in _SEAT_WORDS}:
        thing = "seat"
    rest = "/".join(parts[1:])
    return PriceUnit(quantity, f"{thing}/{rest}" if rest else thing, period)


def seats_per_unit(unit: str | None) -> float:
    """How many seats one price buys: 1 for "user/month", 5 for "5 users/month" (a customer
    with 7 seats buys 2 of those), 0 for a price that is not per seat."""
    parsed = price_unit(unit)
    return parsed.quantity if parsed.thing == "seat" else 0.0


def feature_enabled(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, (int, float)):
        return value > 0
    if isinstance(value, (list, tuple, dict, str)):
        return len(value) > 0
    return True


def is_unlimited(value: Any) -> bool:
    return isinstance(value, float) and math.isinf(value)


def _normalise_number(value: float | int, sentinel_min: float) -> float:
    number = float(value)
    if math.isinf(number):
        return math.inf
    if number >= sentinel_min:
        exponent = math.log10(number)
        if abs(exponent - round(exponent)) < 1e-9:
            return math.inf
    return number


@lru_cache(maxsize=1)
def pricing_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


def load_pricing(
    source: str | os.PathLike[str] | Source | dict[str, Any],
    *,
    name: str | None = None,
    unlimited_min: float = UNLIMITED_SENTINEL_MIN,
    **_options: Any,
) -> Document:
    """Load and check a Pricing2Yaml document. Raises :class:`InputError` on bad input.

    ``doc.data`` is the document as written (for pointers); ``doc.model`` is the
    resolved :class:`Pricing` (:func:`pricing_of`).
    """
    if isinstance(source, dict):
        label = name or "<dict>"
        doc = Document(DocumentKind.PRICING, source, label)
    else:
        src = source if isinstance(source, Source) else read_source(source)
        data, locator = parse_structured(src)
        label = name or src.name
        doc = Document(DocumentKind.PRICING, data, label, locator=locator)
    _check_schema(doc.data, label)
    doc.model = _Builder(doc.data, label, float(unlimited_min)).build()
    doc.meta["syntax_version"] = str(doc.data.get("syntaxVersion", ""))
    version = doc.meta["syntax_version"]
    if version and not version.startswith("2"):
        doc.warnings.append(
            f"{label}: Pricing2Yaml syntaxVersion {version} is read as 2.x; keys added after 2.x are ignored"
        )
    return doc


def pricing_of(doc: Document) -> Pricing:
    return doc.model_as(Pricing)


# --- structural check ------------------------------------------------------------------


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _check_schema(data: Any, label: str) -> None:
    if not isinstance(data, dict):
        raise InputError(
            f"not a pricing document: expected a mapping at the top, found {_describe(data)}",
            file=label,
            place="/",
        )
    validator = jsonschema.Draft202012Validator(pricing_schema())
    errors = sorted(
        validator.iter_errors(data), key=lambda e: ([str(p) for p in e.absolute_path], e.validator)
    )
    if not errors:
        return
    err = errors[0]
    pointer = join_pointer(*(str(p) for p in err.absolute_path)) or "/"
    raise InputError(_schema_message(err), file=label, place=pointer)


def _schema_message(err: jsonschema.ValidationError) -> str:
    kind = err.validator
    found = _describe(err.instance)
    rule: Any = err.validator_value
    schema: Any = err.schema
    if kind == "type":
        expected = rule
        names = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join("a mapping" if n == "object" else "a list" if n == "array" else f"a {n}" for n in names if n != "null")
        return f"expected {wanted}, found {found}"
    if kind == "required":
        missing = [k for k in rule if isinstance(err.instance, dict) and k not in err.instance]
        return f"missing required key {missing[0]!r}" if missing else err.message
    if kind == "enum":
        choices = ", ".join(str(c) for c in rule)
        return f"expected one of {choices}, found {found}"
    if kind in ("minimum", "exclusiveMinimum"):
        return f"must not be below {rule}, found {found}"
    if kind == "maximum":
        return f"must be at most {rule}, found {found}"
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(k for k in err.instance if k not in allowed) if isinstance(err.instance, dict) else []
        return f"unknown key {extra[0]!r} (expected one of: {', '.join(allowed)})" if extra else err.message
    if kind == "minProperties":
        return "must not be empty"
    return err.message


# --- resolution --------------------------------------------------------------------------


class _Builder:
    def __init__(self, data: dict[str, Any], label: str, sentinel_min: float) -> None:
        self.data = data
        self.label = label
        self.sentinel_min = sentinel_min

    def fail(self, message: str, *tokens: str) -> InputError:
        return InputError(message, file=self.label, place=join_pointer(*tokens) or "/")

    def build(self) -> Pricing:
        data = self.data
        features = {
            str(n): self._feature(str(n), spec) for n, spec in sorted((data.get("features") or {}).items())
        }
        limits = {
            str(n): self._limit(str(n), spec) for n, spec in sorted((data.get("usageLimits") or {}).items())
        }
        self.features, self.limits = features, limits
        billing_raw = data.get("billing") or {"monthly": 1.0}
        billing: dict[str, float] = {}
        billing_keys: dict[str, str] = {}
        for key, mult in billing_raw.items():
            norm = normalise_period(str(key))
            if norm in billing:
                raise self.fail(f"billing period {key!r} repeats {billing_keys[norm]!r}", "billing", str(key))
            billing[norm] = float(mult)
            billing_keys[norm] = str(key)
        doc_terms = self._terms(data.get("commercialTerms"))
        plans = {
            str(n): self._plan(str(n), spec, doc_terms) for n, spec in (data.get("plans") or {}).items()
        }
        addons = {str(n): self._addon(str(n), spec, plans) for n, spec in (data.get("addOns") or {}).items()}
        for name, addon in addons.items():
            for key, ref in (("dependsOn", addon.depends_on), ("excludes", addon.excludes)):
                for i, other in enumerate(ref):
                    if other not in addons:
                        raise self.fail(
                            f"add-on {name!r} refers to add-on {other!r}, which is not declared under /addOns",
                            "addOns", name, key, str(i),
                        )
        return Pricing(
            saas=str(data.get("saasName") or ""),
            version=str(data.get("version") or data.get("createdAt") or ""),
            currency=str(data.get("currency") or "").upper(),
            billing=billing,
            billing_keys=billing_keys,
            features=features,
            limits=limits,
            plans=plans,
            addons=addons,
            terms=doc_terms,
        )

    def _feature(self, name: str, spec: dict[str, Any]) -> FeatureDef:
        value_type = str(spec["valueType"])
        default = self._value(value_type, spec.get("defaultValue"), ("features", name, "defaultValue"), "feature")
        return FeatureDef(name, value_type, default, str(spec.get("description") or ""))

    def _limit(self, name: str, spec: dict[str, Any]) -> LimitDef:
        value_type = str(spec["valueType"])
        default = self._value(value_type, spec.get("defaultValue"), ("usageLimits", name, "defaultValue"), "limit")
        unit = spec.get("unit")
        return LimitDef(
            name,
            value_type,
            default,
            str(unit).strip() if unit not in (None, "") else None,
            str(spec["type"]) if spec.get("type") else None,
            str(spec.get("description") or ""),
            tuple(str(f) for f in spec.get("linkedFeatures") or ()),
        )

    def _value(self, value_type: str, value: Any, where: tuple[str, ...], what: str) -> Any:
        if value is None:
            return None
        if value_type == "BOOLEAN":
            if not isinstance(value, bool):
                raise self.fail(f"expected true or false for this BOOLEAN {what}, found {_describe(value)}", *where)
            return value
        if value_type == "NUMERIC":
            if isinstance(value, str):
                try:
                    value = float(value.strip())
                except ValueError:
                    raise self.fail(
                        f"expected a number for this NUMERIC {what}, found {_describe(value)}", *where
                    ) from None
            if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
                raise self.fail(f"expected a number for this NUMERIC {what}, found {_describe(value)}", *where)
            if value < 0:
                raise self.fail(f"a {what} cannot be negative, found {_describe(value)}", *where)
            return _normalise_number(value, self.sentinel_min)
        if isinstance(value, (dict,)):
            raise self.fail(f"expected a text or a list for this TEXT {what}, found {_describe(value)}", *where)
        return tuple(value) if isinstance(value, list) else value

    def _price(self, value: Any, where: tuple[str, ...]) -> tuple[float | None, str | None]:
        if value is None:
            return None, None
        if isinstance(value, str):
            try:
                value = float(value.strip().lstrip("$€£"))
            except ValueError:
                return None, value.strip()
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            raise self.fail(f"expected a price (a number or a text such as 'Contact Sales'), found {_describe(value)}", *where)
        if value < 0:
            raise self.fail(f"a price cannot be negative, found {_describe(value)}", *where)
        if math.isinf(value):
            raise self.fail("a price must be a finite number", *where)
        return float(value), None

    def _overrides(
        self, raw: Any, catalogue: dict[str, Any], where: tuple[str, ...], owner: str, what: str
    ) -> dict[str, Any]:
        if raw is None:
            return {}
        section = where[-1]
        out: dict[str, Any] = {}
        for name, entry in raw.items():
            name = str(name)
            spec = catalogue.get(name)
            if spec is None:
                top = "features" if what == "feature" else "usageLimits"
                raise self.fail(
                    f"{owner} refers to {what} {name!r}, which is not declared under /{top}", *where, name
                )
            value = entry.get("value") if isinstance(entry, dict) else entry
            place = (*where, name, "value") if isinstance(entry, dict) else (*where, name)
            if value is None:
                continue  # null means "inherit the default"
            if section == "usageLimitsExtensions":
                out[name] = self._value("NUMERIC", value, place, "limit extension")
            else:
                out[name] = self._value(spec.value_type, value, place, what)
        return out

    def _terms(self, raw: Any) -> dict[str, Any]:
        if not raw:
            return {}
        out = {k: v for k, v in raw.items() if k != "mandatoryFees"}
        if "mandatoryFees" in raw:
            out["mandatoryFees"] = {str(k): dict(v) for k, v in sorted(raw["mandatoryFees"].items())}
        return out

    def _plan(self, name: str, spec: dict[str, Any], doc_terms: dict[str, Any]) -> Plan:
        where = ("plans", name)
        price, price_text = self._price(spec.get("price"), (*where, "price"))
        owner = f"plan {name!r}"
        feat = self._overrides(spec.get("features"), self.features, (*where, "features"), owner, "feature")
        lim = self._overrides(spec.get("usageLimits"), self.limits, (*where, "usageLimits"), owner, "limit")
        features = {n: d.default for n, d in self.features.items()}
        features.update(feat)
        limits = {n: d.default for n, d in self.limits.items()}
        limits.update(lim)
        own_terms = self._terms(spec.get("commercialTerms"))
        terms = dict(doc_terms)
        for key, value in own_terms.items():
            if key == "mandatoryFees":
                terms[key] = {**doc_terms.get(key, {}), **value}
            else:
                terms[key] = value
        return Plan(
            name=name,
            price=price,
            price_text=price_text,
            unit=str(spec["unit"]).strip() if spec.get("unit") else None,
            private=bool(spec.get("private")),
            features=features,
            limits=limits,
            feature_overrides=frozenset(feat),
            limit_overrides=frozenset(lim),
            terms=terms,
            terms_overrides=frozenset(own_terms),
        )

    def _addon(self, name: str, spec: dict[str, Any], plans: dict[str, Plan]) -> AddOn:
        where = ("addOns", name)
        price, price_text = self._price(spec.get("price"), (*where, "price"))
        owner = f"add-on {name!r}"
        available = spec.get("availableFor")
        if available is not None:
            for i, plan in enumerate(available):
                if plan not in plans:
                    raise self.fail(
                        f"add-on {name!r} is offered to plan {plan!r}, which is not declared under /plans",
                        *where, "availableFor", str(i),
                    )
        extensions = self._overrides(
            spec.get("usageLimitsExtensions"), self.limits, (*where, "usageLimitsExtensions"), owner, "limit"
        )
        return AddOn(
            name=name,
            price=price,
            price_text=price_text,
            unit=str(spec["unit"]).strip() if spec.get("unit") else None,
            private=bool(spec.get("private")),
            available_for=tuple(str(p) for p in available) if available is not None else None,
            depends_on=tuple(str(a) for a in spec.get("dependsOn") or ()),
            excludes=tuple(str(a) for a in spec.get("excludes") or ()),
            features=self._overrides(spec.get("features"), self.features, (*where, "features"), owner, "feature"),
            limits=self._overrides(spec.get("usageLimits"), self.limits, (*where, "usageLimits"), owner, "limit"),
            extensions={k: float(v) for k, v in extensions.items()},
            description=str(spec.get("description") or ""),
        )


# --- exchange rates ------------------------------------------------------------------------

_CURRENCY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def exchange_rates(raw: Any) -> dict[tuple[str, str], float]:
    """The user's exchange rates, ``{"USD/EUR": 0.92}`` (1 USD = 0.92 EUR), as (from, to) -> rate
    with the inverse of each pair added. Raises ValueError naming the bad entry: a comparison
    across currencies must never run on a rate trustguard guessed."""
    if not isinstance(raw, dict):
        raise ValueError(f"expected a mapping of currency pairs such as 'USD/EUR: 0.92', found {_describe(raw)}")
    rates: dict[tuple[str, str], float] = {}
    for key, value in raw.items():
        pair = str(key).strip().upper().split("/")
        if len(pair) != 2 or not all(len(c) == 3 and set(c) <= _CURRENCY for c in pair) or pair[0] == pair[1]:
            raise ValueError(f"{key!r}: expected a pair of two ISO currency codes such as 'USD/EUR'")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise ValueError(f"{key!r}: expected a positive number (1 {pair[0]} in {pair[1]}), found {_describe(value)}")
        rates[(pair[0], pair[1])] = float(value)
    for (a, b), rate in list(rates.items()):
        rates.setdefault((b, a), 1 / rate)
    return rates


def load_exchange_rates(path: str | os.PathLike[str]) -> dict[str, float]:
    """An exchange-rate file (YAML or JSON): ``USD/EUR: 0.92`` pairs, at the top or under ``fx``.
    Raises :class:`InputError` with the file and the pointer of a bad entry."""
    src = read_source(path)
    data, _locator = parse_structured(src)
    rates = data.get("fx", data) if isinstance(data, dict) else data
    place = "/fx" if isinstance(data, dict) and "fx" in data else ""
    if not isinstance(rates, dict) or not rates:
        raise InputError("expected a mapping of currency pairs such as 'USD/EUR: 0.92'", file=src.name, place=place or "/")
    for key, value in rates.items():
        try:
            exchange_rates({key: value})
        except ValueError as exc:
            raise InputError(str(exc), file=src.name, place=place + join_pointer(str(key))) from None
    return {str(k): float(v) for k, v in rates.items()}
