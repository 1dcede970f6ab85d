"""The cost model on tests/data/mini with the packaged catalogue, checked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from cost_world import usd

from planner.catalogue import load_default_catalogue
from planner.cost import breakeven_utilisation, offers_for, owned_rates
from planner.load import load_project
from planner.model import PricingOption, Project

MINI = Path(__file__).resolve().parent.parent / "data" / "mini"


@pytest.fixture(scope="module")
def mini() -> Project:
    """The mini planning project."""
    return load_project(MINI)


def test_colo_eu_effective_rates(mini: Project) -> None:
    """colo-eu: capex 8 x 30,000 / 60 = 4,000; power 8 x 0.6 kW x 217.30 = 1,043.04; space
    1,500; labour 4,000; support 240,000 x 10 % / 12 = 2,000 -> 12,543.04 USD/month.
    Split: 64 vCPU x 0.033 = 2.112 vs 512 GiB x 0.00375 = 1.92 (from m6i/r6i.xlarge);
    USD/core-h = 12,543.04 x 2.112 / 4.032 / (512 x 0.75 x 730) = 0.0234381;
    USD/GiB-h = 12,543.04 x 1.92 / 4.032 / (4,096 x 0.75 x 730) = 0.00266342."""
    r = owned_rates(mini.site("colo-eu"), load_default_catalogue(), mini.settings)
    assert r.per_month == usd("12543.04")
    core_h = float(r.usd_per_core_hour)
    assert core_h == pytest.approx(12543.04 * 2.112 / 4.032 / (512 * 0.75 * 730))
    assert core_h == pytest.approx(0.0234381, rel=1e-5)
    assert float(r.usd_per_gib_hour) == pytest.approx(0.00266342, rel=1e-5)
    assert "PUE not applied" in r.items[1].formula


def test_gpu_pool_us_rate_and_breakeven(mini: Project) -> None:
    """gpu-pool-us: capex 8 x 310,000 / 60 = 41,333.33; power 81.6 kW x 184.06 = 15,019.30;
    labour 6,000; support (catalogue 10 %) 2,480,000 x 10 % / 12 = 20,666.67 -> 83,019.30;
    at 0.85: 83,019.30 / (64 x 0.85 x 730) = 2.09053 USD/GPU-h. Against Lambda's 2.99 owning
    wins above 83,019.30 / (64 x 730) / 2.99 = 59.4 % utilisation; against AWS p5 on demand
    (98.32 / 8 = 12.29) above 14.5 %."""
    cat = load_default_catalogue()
    site = mini.site("gpu-pool-us")
    r = owned_rates(site, cat, mini.settings)
    assert r.per_month == usd("83019.30")
    assert float(r.usd_per_gpu_hour["h100"]) == pytest.approx(2.09053, rel=1e-5)
    assert breakeven_utilisation(site, cat, 2.99) == pytest.approx(0.5942, abs=1e-4)
    assert breakeven_utilisation(site, cat, 12.29) == pytest.approx(0.1446, abs=1e-4)


def test_mini_override_prices_p5(mini: Project) -> None:
    """aws-us-east-1 overrides p5 on demand to 55.04: llm-finetune 4,000 GPU-h x 55.04 / 8 =
    27,520 + EBS 2,000 GiB x 0.08 = 160 + S3 800 GiB x 0.023 = 18.40 -> 27,698.40."""
    w = mini.workload("llm-finetune")
    site = mini.site("aws-us-east-1")
    offers = {
        o.option: o
        for o in offers_for(w, w.resources, site, load_default_catalogue(), mini.settings)
    }
    assert offers[PricingOption.ON_DEMAND].per_month == usd("27698.40")
