"""A commitment bills every hour of its term (issue #12): a training job on a 1-year
commitment pays for whole instances all month, not for the GPU-hours it uses."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import world

from planner.catalogue import load_default_catalogue
from planner.cost.cloud_lines import cloud_lines
from planner.cost.offers import offers_for
from planner.cost.purchasing import purchasing_changes
from planner.model import (
    Assignment,
    Placement,
    PricingOption,
    PurchasingChange,
    Resources,
    Settings,
    TrainingSpec,
    Workload,
)
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


def _signed(job: Workload, gpu_hours: float) -> PurchasingChange:
    """The purchasing change of ``job`` placed wholly on aws-us-east-1 commit-1y."""
    site = world.aws_us_east_1()
    cat = load_default_catalogue()
    offers = offers_for(job, job.resources, site, cat, Settings())
    commit = next(o for o in offers if o.option is PricingOption.COMMIT_1Y)
    part = Assignment(
        site.name,
        PricingOption.COMMIT_1Y,
        1,
        commit.per_month,
        instance_type=commit.instance_type,
        gpu_hours_per_month=gpu_hours,
    )
    placed = Placement(job.name, (part,), commit.per_month, Money.zero("USD"), site.name)
    project = world.project([job], [site])
    (change,) = purchasing_changes([placed], project, {job.name: offers}, {})
    return change


def test_training_commitment_has_a_break_even_utilisation() -> None:
    """llm-finetune (4,000 H100-hours a month) signs commit-1y on aws-us-east-1. It commits
    1 p5.48xlarge (8 GPUs) for all 730 h: 5,840 GPU-h at 39.6288 / 8 = 4.9536 USD per
    GPU-h, 28,929.02 a month. On demand that capacity costs 55.04 / 8 = 6.88 USD per GPU-h
    (27,520.00 / 4,000 used) x 5,840 = 40,179.20. Break-even utilisation = 28,929.02 /
    40,179.20 = 0.719999... -> 72.00 % (the committed GPU-hour rate 39.6288 over the
    on-demand 55.04 is exactly 0.72): below 4,205 GPU-h a month on demand is cheaper."""
    change = _signed(world.llm_finetune(), 4000)
    assert change.kind == "sign"
    assert change.committed_per_month == Money.of("28929.02", "USD")
    assert change.on_demand_per_month == Money.of("40179.20", "USD")
    assert change.break_even_utilisation == Decimal("0.7200")


def test_training_break_even_follows_its_duty_cycle() -> None:
    """With 2,920 GPU-h a month (half of 5,840) the same single instance is committed and
    billed (28,929.02), on demand would bill 2,920 x 6.88 = 20,089.60, but the break-even
    is a rate ratio over the billed capacity: 40,179.20 on demand for all 5,840 GPU-h ->
    72.00 % again; the job's own use (50 %) is below it, so on demand is the cheaper way
    to buy these hours (the commitment is still shown with its break-even)."""
    job = world.llm_finetune(
        training=TrainingSpec(gpu_hours_per_month=2920, deadline_days=30, checkpoint_gib=800)
    )
    change = _signed(job, 2920)
    assert change.committed_per_month == Money.of("28929.02", "USD")
    assert change.on_demand_per_month == Money.of("40179.20", "USD")
    assert change.break_even_utilisation == Decimal("0.7200")
