"""A commitment bills every hour of its term (issue #12): a training job on a 1-year
commitment pays for whole instances all month, not for the GPU-hours it uses."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import world

from planner.catalogue import load_default_catalogue
from planner.cost.cloud_lines import cloud_lines
from planner.cost.offers import offers_for
from planner.model import PricingOption, Resources, Settings
from planner.money import Money

RES = Resources(cpu=2, memory_gib=8)


def test_training_commitment_bills_whole_instances_every_hour() -> None:
    """llm-finetune uses 4,000 H100-hours a month on p5.48xlarge (8 GPUs; the mini world's
    negotiated 55.04 USD/h on demand). On demand it pays the hours used: 4,000 / 8 x 55.04
    = 27,520.00. On commit-1y (28 % off: 39.6288 USD/h) it commits ceil(4,000 / (730 x 8))
    = 1 instance for all 730 h: 730 x 39.6288 = 28,929.02 (not 4,000 / 8 x 39.6288 =
    19,814.40); the solver's slope is that bill over the 4,000 GPU-h used."""
    job = world.llm_finetune()
    site = world.aws_us_east_1()
    cat = load_default_catalogue()
    od = cloud_lines(job, job.resources, site, cat, PricingOption.ON_DEMAND)
    commit = cloud_lines(job, job.resources, site, cat, PricingOption.COMMIT_1Y)
    assert od.items[0].amount == Money.of("27520.00", "USD")
    line = commit.items[0]
    assert line.amount == Money.of("28929.02", "USD")
    assert "1 x p5.48xlarge x 730 h" in line.formula
    assert "5,840 GPU-h committed for 4,000 used" in line.formula
    assert commit.usd_per_gpu_hour is not None
    assert commit.usd_per_gpu_hour * 4000 == Decimal("730") * Decimal("39.6288")


def test_commitment_past_the_horizon_is_not_offered() -> None:
    """With a 12-month horizon a new 3-year commitment is ineligible (it would bill 24
    months the plan does not count); a 1-year one is offered, and a 3-year commitment the
    workload already holds on its site stays eligible."""
    job = world.workload("api", current_site="aws-eu-west-1", resources=RES)
    site = world.aws_eu_west_1()
    cat = load_default_catalogue()
    short = Settings(horizon_months=12)
    by = {o.option: o for o in offers_for(job, job.resources, site, cat, short)}
    assert not by[PricingOption.COMMIT_3Y].eligible
    assert by[PricingOption.COMMIT_3Y].reason == (
        "commit-3y bills every hour of its 36-month term, past the 12-month horizon"
    )
    assert by[PricingOption.COMMIT_1Y].eligible
    held = replace(job, current_option=PricingOption.COMMIT_3Y)
    by = {o.option: o for o in offers_for(held, held.resources, site, cat, short)}
    assert by[PricingOption.COMMIT_3Y].eligible
