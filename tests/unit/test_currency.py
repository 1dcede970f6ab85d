"""The project currency (issue #12): catalogue fx_rates with a date and a source, amounts
computed in USD and converted once when shown (half to even, to the cent), plan.json schema
2 with a ``currency`` object, ``diff`` across schemas 1 and 2.

Rates (planner/catalogue/2025-h1.yaml): EUR 1.0465 USD (ECB reference rate, 2025-02-21),
GBP 1.264798 USD (ECB 2024-06-28: 1.0705 USD/EUR / 0.84638 GBP/EUR)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
import world
from jsonschema import Draft202012Validator

from planner.catalogue import load_default_catalogue
from planner.errors import InputError
from planner.fx import USD, FxRate, rate_for, stale_days, to_currency
from planner.ingest import TelemetrySet
from planner.model import Plan, PricingOption, Project, Resources, Settings, SourceRef
from planner.money import Money, json_text
from planner.pipeline import build_plan, input_digest
from planner.report import render_plan_md
from planner.report.diff import diff_plans, is_empty
from planner.report.plan_json import plan_to_dict, render_plan_json

SCHEMA = Path(__file__).resolve().parents[2] / "planner" / "schemas" / "plan.json"
AWS = "aws-us-east-1"
EUR = FxRate("EUR", Decimal("1.0465"), "2025-02-21", "ecb-eur-usd-2025-02-21")


def _project(currency: str = "USD") -> Project:
    """A steady 2-replica API on on-demand that signs commit-1y (100.92 a month, 1,211.04
    over 12 months, 140.16 on demand, saves 39.24) and a batch job that adopts spot (see
    test_purchasing for the figures by hand)."""
    res = Resources(cpu=2, memory_gib=8)
    ws = [
        world.workload("steady-api", replicas=2, allow_spot=False, current_site=AWS, resources=res),
        world.workload("nightly-batch", current_site=AWS, resources=res),
        world.workload(
            "legacy-api", current_site=AWS, current_option=PricingOption.COMMIT_1Y, resources=res
        ),
    ]
    project = world.project(ws, [world.aws_us_east_1()])
    where = SourceRef("project.yaml", 7, 13)
    settings = replace(project.settings, currency=currency, currency_source=where)
    return replace(project, settings=settings)


def _plan(project: Project) -> Plan:
    return world.planned(project)


def _eur(usd: str) -> str:
    """The EUR text of a USD figure: usd / 1.0465, half to even, grouped."""
    value = (Decimal(usd) / Decimal("1.0465")).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    return f"{value:,.2f}"


def test_the_catalogue_states_each_rate_with_its_date_and_source() -> None:
    """EUR and GBP have a rate, an ISO date and a source listed under `sources`."""
    cat = load_default_catalogue()
    assert cat.fx_rates["EUR"] == replace(EUR, note="")
    assert cat.fx_rates["GBP"].usd_per_unit == Decimal("1.264798")
    assert cat.fx_rates["GBP"].date == "2024-06-28"
    for rate in cat.fx_rates.values():
        assert rate.source in cat.sources


def test_conversion_rounds_half_to_even_to_the_cent() -> None:
    """100.92 USD / 1.0465 = 96.4357 -> 96.44 EUR; at 2 USD per unit 0.01 -> 0.005 -> 0.00
    and 0.03 -> 0.015 -> 0.02 (half to even); USD is returned as it is."""
    assert to_currency(Money.of("100.92", "USD"), EUR) == Money.of("96.44", "EUR")
    two = FxRate("GBP", Decimal(2))
    assert to_currency(Money.of("0.01", "USD"), two) == Money.of("0.00", "GBP")
    assert to_currency(Money.of("0.03", "USD"), two) == Money.of("0.02", "GBP")
    assert to_currency(Money.of("-0.03", "USD"), two) == Money.of("-0.02", "GBP")
    usd = Money.of("12.34", "USD")
    assert to_currency(usd, USD) is usd


def test_eur_plan_md_shows_usd_figures_divided_by_the_rate() -> None:
    """The same plan in EUR: plan.md's figures are the USD ones / 1.0465 to the cent
    (commitment 100.92 -> 96.44, over the term 1,211.04 -> 1,157.23, on demand 140.16 ->
    133.93, saving 39.24 -> 37.50) and its units say EUR; the computed plan is the same."""
    usd_plan, eur_plan = _plan(_project()), _plan(_project("EUR"))
    assert eur_plan.per_month == usd_plan.per_month  # computed in USD either way
    assert eur_plan.currency == load_default_catalogue().fx_rates["EUR"]
    text = render_plan_md(eur_plan, _project("EUR"))
    row = (
        f"| `steady-api` | aws-us-east-1 | on-demand | commit-1y | 12 | {_eur('100.92')} | "
        f"{_eur('1211.04')} | {_eur('140.16')} | 72.0 % | +{_eur('39.24')} |"
    )
    assert row.endswith("| 96.44 | 1,157.23 | 133.93 | 72.0 % | +37.50 |")
    assert row in text
    d = plan_to_dict(usd_plan, _project())["totals"]
    before, after = d["baseline_usd_per_month"], d["usd_per_month"]
    b, a = _eur(str(before.to_decimal())), _eur(str(after.to_decimal()))
    head = f"## hybridplan: {b} → {a} EUR/month"
    assert head in text
    assert "committed USD/month" not in text
    assert "committed EUR/month" in text
    assert "¤" not in text


def test_plan_json_keeps_usd_and_states_the_rate() -> None:
    """plan.json (schema 2) validates; its amounts are the USD ones, each total with its EUR
    twin (usd / 1.0465, once); ``currency`` is
    {code EUR, usd_per_unit 1.0465, date 2025-02-21, source}."""
    usd_plan, eur_plan = _plan(_project()), _plan(_project("EUR"))
    data = json.loads(render_plan_json(eur_plan, _project("EUR")))
    errors = Draft202012Validator(json.loads(SCHEMA.read_text())).iter_errors(data)
    assert [e.message for e in errors] == []
    assert data["schema_version"] == 2
    assert data["currency"] == {
        "code": "EUR",
        "usd_per_unit": 1.0465,
        "date": "2025-02-21",
        "source": "ecb-eur-usd-2025-02-21",
    }
    usd = json.loads(render_plan_json(usd_plan, _project()))
    twins = {k: v for k, v in data["totals"].items() if "eur" in k}
    assert {k: v for k, v in data["totals"].items() if k not in twins} == usd["totals"]
    assert twins["eur_per_month"] == float(
        _eur(str(usd["totals"]["usd_per_month"])).replace(",", "")
    )
    assert set(twins) == {
        k.replace("usd", "eur") for k in usd["totals"] if "usd" in k and k != "idle_owned"
    }
    assert usd["currency"] == {"code": "USD", "usd_per_unit": 1.0, "date": None, "source": None}


def test_input_digest_changes_only_for_another_currency() -> None:
    """A USD project keeps the digest it had before currencies; an EUR one hashes the rate."""
    cat = load_default_catalogue()
    usd, eur = _project(), _project("EUR")
    assert input_digest(usd, cat) != input_digest(eur, cat)
    assert input_digest(usd, cat) == input_digest(replace(usd, settings=Settings()), cat)


def test_a_currency_without_a_rate_is_located() -> None:
    """GBP with a catalogue that lists no GBP rate: an InputError at project.yaml:7:13."""
    with pytest.raises(InputError) as err:
        rate_for("GBP", {"EUR": EUR}, where=("project.yaml", 7, 13), catalogue="2025-h1")
    text = err.value.render()
    assert re.search(r"project\.yaml:7:13: settings\.currency: .*no exchange rate for GBP", text)
    assert "To fix:" in text
    with pytest.raises(InputError):
        build_plan(
            _project("GBP"),
            catalogue=replace(load_default_catalogue(), fx_rates={}),
            telemetry=TelemetrySet(series=()),
            today=date(2026, 12, 1),
        )


def test_stale_rates() -> None:
    """Against the catalogue's 2025-06-30: EUR (2025-02-21, 129 days) is fresh, GBP
    (2024-06-28, 367 days) is past half a year; USD never is."""
    cat = load_default_catalogue()
    assert stale_days(cat.fx_rates["EUR"], cat.captured) is None
    assert stale_days(cat.fx_rates["GBP"], cat.captured) == 367
    assert stale_days(USD, cat.captured) is None


def test_diff_reads_schema_1_and_2() -> None:
    """A schema-1 plan.json (currency "USD") and the same plan in schema 2 (EUR object):
    nothing changed, and a changed total is seen across schemas."""
    project = _project("EUR")
    v2 = json.loads(render_plan_json(_plan(project), project), parse_float=Decimal)
    v1 = {**v2, "schema_version": 1, "currency": "USD"}
    assert is_empty(diff_plans(v1, v2))
    assert is_empty(diff_plans(v2, v1))
    cheaper = json.loads(json_text(v1), parse_float=Decimal)
    cheaper["totals"]["usd_per_month"] = v2["totals"]["usd_per_month"] - 1
    diff = diff_plans(cheaper, v2)
    assert diff["totals"]["delta_usd_per_month"] == Money.of("1.00", "USD")
