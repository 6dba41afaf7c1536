"""Loading Pricing2Yaml: the real dataset's quirks load, bad input stops with file + pointer."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import corpus
import pytest
import yaml

from trustguard import api
from trustguard.errors import InputError
from trustguard.load.pricing import load_pricing, pricing_of

CORPUS = corpus.CORPUS / "pricing"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "pricing"
CORPUS_FILES = corpus.collect(lambda: sorted(CORPUS.glob("*/*.yml")))
SAMPLE_FILES = sorted((corpus.DATA / "pricing").glob("*/*.yml"))


@pytest.mark.corpus
def test_the_corpus_is_there() -> None:
    assert len(CORPUS_FILES) == 63


@pytest.mark.parametrize("path", [
    *(pytest.param(p, id=f"{p.parent.name}-{p.stem}", marks=pytest.mark.corpus) for p in CORPUS_FILES),
    *(pytest.param(p, id=f"sample-{p.parent.name}-{p.stem}") for p in SAMPLE_FILES),
])
def test_every_corpus_file_loads_as_pricing(path: Path) -> None:
    doc = api.load(str(path))
    assert doc.kind.value == "pricing"
    model = pricing_of(doc)
    assert model.plans
    for plan in model.plans.values():
        # every plan sees every declared feature and limit (defaults + overrides)
        assert set(plan.features) == set(model.features)
        assert set(plan.limits) == set(model.limits)


def test_contact_sales_prices_are_text_not_numbers() -> None:
    model = pricing_of(load_pricing(str(corpus.find("pricing", "slack/2020.yml"))))
    grid = model.plans["ENTERPRISE_GRID"]
    assert grid.price is None and grid.price_text == "Contact Sales"
    assert model.plans["STANDARD"].price == 8.0


def test_sentinels_and_inf_mean_unlimited_and_null_inherits() -> None:
    model = pricing_of(load_pricing(str(corpus.find("pricing", "slack/2020.yml"))))
    assert math.isinf(model.plans["STANDARD"].limits["useMessagesAccess"])  # 10000000000000
    assert math.isinf(model.plans["ENTERPRISE_GRID"].limits["useWorkspaces"])  # .inf
    # FREE has `usageLimits: null`: it inherits the default 10,000 messages
    assert model.plans["FREE"].limits["useMessagesAccess"] == 10000
    assert model.plans["FREE"].features["storageByTeamMember"] is False
    assert model.plans["STANDARD"].features["storageByTeamMember"] is True


@pytest.mark.corpus
def test_billing_period_spellings_and_missing_billing() -> None:
    evernote = pricing_of(load_pricing(str(CORPUS / "evernote" / "2025.yml")))
    assert evernote.billing == {"monthly": 1.0, "annual": 0.75}  # written 'annually'
    figma = pricing_of(load_pricing(str(CORPUS / "figma" / "2021.yml")))
    assert figma.billing == {"monthly": 1.0}  # no billing key at all


def test_commercial_terms_resolve_per_plan() -> None:
    model = pricing_of(load_pricing(str(EXAMPLE / "new.yaml")))
    assert model.plans["FREE"].terms["trialDays"] == 14
    assert model.plans["PRO"].terms["mandatoryFees"]["platformFee"]["price"] == 2
    assert "mandatoryFees" not in model.plans["FREE"].terms


def _doc(**changes: object) -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load((EXAMPLE / "old.yaml").read_text(encoding="utf-8"))
    for pointer, value in changes.items():
        node: dict[str, object] = data
        *parents, last = pointer.split("__")
        for key in parents:
            node = node[key]  # type: ignore[assignment]
        node[last] = value
    return data


@pytest.mark.parametrize(
    ("changes", "place", "words"),
    [
        ({"plans__TEAM__price": -5}, "/plans/TEAM/price", "cannot be negative"),
        ({"plans__TEAM__features": {"teleport": {"value": True}}}, "/plans/TEAM/features/teleport", "not declared"),
        ({"plans__TEAM__usageLimits": {"seatsLimit": {"value": 3}}}, "/plans/TEAM/usageLimits/seatsLimit", "not declared"),
        ({"plans__TEAM__usageLimits": {"storageGB": {"value": "lots"}}}, "/plans/TEAM/usageLimits/storageGB/value", "expected a number"),
        ({"commercialTerms": {"cancellationMethod": "fax"}}, "/commercialTerms/cancellationMethod", "expected one of"),
        ({"commercialTerms": {"trialLength": 3}}, "/commercialTerms", "unknown key 'trialLength'"),
        ({"addOns__extraStorage__availableFor": ["GOLD"]}, "/addOns/extraStorage/availableFor/0", "not declared"),
    ],
)
def test_bad_input_names_the_key_path(changes: dict[str, object], place: str, words: str) -> None:
    with pytest.raises(InputError) as info:
        load_pricing(_doc(**changes), name="bad.yaml")
    assert info.value.file == "bad.yaml"
    assert info.value.place == place
    assert words in info.value.message


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "trustguard", *args], capture_output=True, text=True, check=False
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_cli_bad_pricing_exits_2_with_file_and_pointer(tmp_path: Path) -> None:
    good = EXAMPLE / "old.yaml"
    negative = tmp_path / "negative.yaml"
    negative.write_text(yaml.safe_dump(_doc(plans__TEAM__price=-5)), encoding="utf-8")
    proc = _cli("check", str(good), str(negative))
    assert proc.returncode == 2
    assert f"{negative} at /plans/TEAM/price: a price cannot be negative" in proc.stderr

    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(
        yaml.safe_dump(_doc(plans__TEAM__features={"teleport": {"value": True}})), encoding="utf-8"
    )
    proc = _cli("check", str(good), str(unknown))
    assert proc.returncode == 2
    assert "at /plans/TEAM/features/teleport: plan 'TEAM' refers to feature 'teleport'" in proc.stderr

    text_limit = tmp_path / "text-limit.yaml"
    text_limit.write_text(
        yaml.safe_dump(_doc(plans__TEAM__usageLimits={"storageGB": {"value": "lots"}})), encoding="utf-8"
    )
    proc = _cli("check", str(good), str(text_limit))
    assert proc.returncode == 2
    assert "at /plans/TEAM/usageLimits/storageGB/value: expected a number" in proc.stderr

    broken = tmp_path / "broken.yml"
    broken.write_text("syntaxVersion: '2.1'\nplans:\n  PRO: {price: 3\n", encoding="utf-8")
    proc = _cli("check", str(good), str(broken), "--kind", "pricing")
    assert proc.returncode == 2
    assert f"{broken}:4:1: invalid YAML" in proc.stderr
