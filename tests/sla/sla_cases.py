"""One service-level promise set written three ways: an SLA text, a terms text and a
Pricing2Yaml pricing, so that each metric is tested from each kind of document."""

from __future__ import annotations

from pathlib import Path

BASE = {"uptime": "99.99%", "credit": "25%", "rate": "10,000 requests per day",
        "support": "4 hours", "retention": "90 days"}

_SENTENCES = {
    "uptime": "Acme will make the API available {uptime} of the time in each calendar month.",
    "credit": "If the monthly uptime falls short, you receive a service credit of {credit} of the monthly fee.",
    "rate": "Each API key may send {rate}.",
    "support": "Our support team responds to tickets within {support}.",
    "retention": "Request logs are retained for {retention}.",
}
_TITLES = {"uptime": "Availability", "credit": "Service credits", "rate": "Rate limits",
           "support": "Support", "retention": "Data retention"}


def _sections(values: dict[str, str | None]) -> str:
    out = []
    for metric, sentence in _SENTENCES.items():
        value = values.get(metric)
        if value is not None:
            out.append(f"## {_TITLES[metric]}\n\n{sentence.format(**{metric: value})}\n")
    return "\n".join(out)


def sla_text(values: dict[str, str | None]) -> str:
    return f"# Acme API Service Level Agreement\n\n{_sections(values)}"


def terms_text(values: dict[str, str | None]) -> str:
    return ("# Acme Terms of Service\n\n## Agreement\n\nBy using the Service you agree to these terms. "
            "We may change these terms with 30 days notice, and you may terminate your account at any time.\n\n"
            f"{_sections(values)}")


def pricing(values: dict[str, str | None]) -> str:
    texts = {
        "uptime": "{uptime} uptime", "credit": "Service credit of {credit} of the monthly fee",
        "rate": "{rate}", "support": "Email support, first response within {support}",
        "retention": "Request logs retained for {retention}",
    }
    features = ["features:", "  api:", "    description: REST API", "    valueType: BOOLEAN",
                "    defaultValue: true", "    type: INTEGRATION"]
    plan = []
    for metric, text in texts.items():
        value = values.get(metric)
        features += [f"  {metric}Promise:", f"    description: {_TITLES[metric]}", "    valueType: TEXT",
                     "    defaultValue: ''", "    type: GUARANTEE"]
        if value is not None:
            plan.append(f"      {metric}Promise: {{value: '{text.format(**{metric: value})}'}}")
    return "\n".join([
        "syntaxVersion: '2.1'", "saasName: Acme", "version: '2024'", "currency: USD", *features,
        "plans:", "  FREE:", "    price: 0", "    unit: user/month", "    features: null", "    usageLimits: null",
        "  PRO:", "    price: 50", "    unit: user/month", "    features:", *(plan or ["      api: {value: true}"]),
        "    usageLimits: null", ""])


WRITERS = {"sla": (sla_text, "md"), "terms": (terms_text, "md"), "pricing": (pricing, "yaml")}


def write_pair(folder: Path, kind: str, before: dict[str, str | None], after: dict[str, str | None]) -> tuple[Path, Path]:
    writer, suffix = WRITERS[kind]
    old, new = folder / f"old-{kind}.{suffix}", folder / f"new-{kind}.{suffix}"
    old.write_text(writer(before), encoding="utf-8")
    new.write_text(writer(after), encoding="utf-8")
    return old, new
