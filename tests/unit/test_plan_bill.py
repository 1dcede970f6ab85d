"""The bill in the plan (issue #13): "before" is the bill's EffectiveCost where the bill maps
spend to a workload and the catalogue estimate otherwise; commitments in force are not
saved by a move before they expire; coverage and unmapped spend are reported."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from world import usd

from planner.app import load_inputs, render_plan_files
from planner.billing.before import committed_spend, months_until
from planner.catalogue import load_default_catalogue
from planner.errors import InputError
from planner.model import BaselineSource
from planner.money import Money

BILLED = Path(__file__).resolve().parents[1] / "data" / "billed"
CSV = "bills/aws-focus-2025q2.csv"
TODAY = date(2026, 1, 15)
SP1 = "arn:aws:savingsplans::111111111111:savingsplan/sp-1"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "billed"
    shutil.copytree(BILLED, root)
    return root


def _plan(root: Path) -> tuple[dict[str, object], str, object]:
    """plan.json (parsed exactly), plan.md and the plan of the project in ``root``."""
    out = render_plan_files(
        load_inputs(root), catalogue=load_default_catalogue(), today=TODAY, out=root / "out"
    )
    data = json.loads(out.files["plan.json"], parse_float=Decimal)
    return data, out.files["plan.md"], out.plan


def _gpu_under_savings_plan(root: Path) -> None:
    """The GPU instance's rows (llm-finetune, which the plan moves) covered by sp-1."""
    path = root / CSV
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [
        line.replace(",Standard,,,", f",Committed,{SP1},Used,") if "i-0gpu1" in line else line
        for line in lines
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_before_is_the_bill_to_the_cent(tmp_path: Path) -> None:
    """Every mapped workload's "before" is its bill's monthly EffectiveCost, to the cent."""
    data, md, plan = _plan(_copy(tmp_path))
    # the hand sums of tests/data/billed (see test_billing_read.EXPECTED)
    expected = {"checkout-api": "383.00", "llm-finetune": "1114.33", "payments-db": "619.33"}
    assert dict(plan.workload_baseline_per_month) == {k: usd(v) for k, v in expected.items()}
    assert set(plan.baseline_source.values()) == {BaselineSource.BILL}
    assert plan.baseline_per_month == usd("2116.66")  # the bill's mapped EffectiveCost
    b = data["baseline"]
    assert (b["source"], b["bill_usd_per_month"], b["estimate_usd_per_month"]) == (
        "bill",
        Decimal("2116.66"),
        Decimal("0.0"),
    )
    # the plan's total "before" adds the owned estates' idle share to what workloads pay
    totals = data["totals"]
    assert totals["baseline_usd_per_month"] == Decimal("2116.66") + Decimal(
        totals["baseline_idle_owned_usd_per_month"]
    )
    assert {w["workload"]: w["source"] for w in b["workloads"]} == dict.fromkeys(expected, "bill")
    assert "Cost today is the **bill** for 3 workloads (2,116.66 USD/month" in md
    assert "| payments-db | bill | 619.33 | 1,069.32 |" in md


def test_workload_without_bill_rows_is_estimated(tmp_path: Path) -> None:
    """A workload the bill maps nothing to keeps the catalogue estimate and says so."""
    root = _copy(tmp_path)
    text = (root / CSV).read_text(encoding="utf-8")
    (root / CSV).write_text(
        "\n".join(line for line in text.splitlines() if "payments-main" not in line) + "\n",
        encoding="utf-8",
    )
    data, md, plan = _plan(root)
    assert plan.baseline_source["payments-db"] is BaselineSource.ESTIMATE
    estimate = plan.workload_estimate_per_month["payments-db"]
    assert plan.workload_baseline_per_month["payments-db"] == estimate
    assert data["baseline"]["source"] == "mixed"
    assert data["baseline"]["estimate_usd_per_month"] == estimate.to_decimal()
    assert "and the catalogue **estimate** for 1 (" in md


def test_coverage_and_unmapped_spend_in_the_plan(tmp_path: Path) -> None:
    """plan.json and plan.md report the bill's coverage and its largest unmapped spend."""
    data, md, _ = _plan(_copy(tmp_path))
    billing = data["billing"]
    assert billing["coverage"]["pct_mapped"] == Decimal("98.14")
    assert billing["coverage"]["unmapped_per_month"] == Decimal("40.0")
    assert billing["unmapped"]["by_service"][0] == {
        "service": "Amazon Simple Storage Service",
        "effective_per_month": Decimal("25.0"),
    }
    assert "Bill coverage: **98.14 %** of 2,156.67 USD/month" in md
    assert "| Amazon Simple Storage Service | 25.00 |" in md


def test_move_before_expiry_does_not_save_committed_spend(tmp_path: Path) -> None:
    """llm-finetune moves while sp-1 covers 1,100 a month of it until 2026-03-31: the
    3 months left (from 2026-01-15) are not counted as saved."""
    root = _copy(tmp_path)
    _gpu_under_savings_plan(root)
    data, md, plan = _plan(root)
    assert [p.workload for p in plan.placements if p.moved] == ["llm-finetune"]
    (c,) = plan.committed
    assert (c.workload, c.commitment_id, c.per_month, c.months) == (
        "llm-finetune",
        SP1,
        usd("1100.00"),
        3,
    )
    assert c.total == usd("3300.00")
    b = data["baseline"]
    assert b["committed_not_saved_usd"] == Decimal("3300.0")
    savings = data["totals"]["horizon_savings_usd"]
    assert b["horizon_savings_after_commitments_usd"] == savings - Decimal("3300")
    assert "Savings exclude committed spend until expiry" in md
    assert "**3,300.00 USD** owed to commitments in force" in md


def test_no_bill_means_every_before_is_an_estimate() -> None:
    """A project without billing: every "before" is the estimate; plan.json says so."""
    root = Path(__file__).resolve().parents[2] / "examples" / "acme"
    out = render_plan_files(
        load_inputs(root), catalogue=load_default_catalogue(), today=TODAY, out=Path("out")
    )
    data = json.loads(out.files["plan.json"], parse_float=Decimal)
    assert data["billing"] is None
    assert data["baseline"]["source"] == "estimate"
    assert data["baseline"]["bill_usd_per_month"] == Decimal("0.0")
    totals = data["totals"]
    assert data["baseline"]["usd_per_month"] + Decimal(
        totals["baseline_idle_owned_usd_per_month"]
    ) == Decimal(totals["baseline_usd_per_month"])
    assert "Cost today is the catalogue **estimate** for all" in out.files["plan.md"]


def test_bill_in_another_currency_is_an_input_error(tmp_path: Path) -> None:
    """A EUR bill against the USD catalogue is refused at project.yaml's billing.currency
    line with a fix, never converted (the project currency only changes how figures are
    shown)."""
    root = _copy(tmp_path)
    (root / CSV).write_text(
        (root / CSV).read_text(encoding="utf-8").replace("\nUSD,", "\nEUR,"), encoding="utf-8"
    )
    text = (root / "project.yaml").read_text(encoding="utf-8")
    (root / "project.yaml").write_text(
        text.replace("  months: 3\n", "  months: 3\n  currency: EUR\n"), encoding="utf-8"
    )
    with pytest.raises(InputError) as err:
        _plan(root)
    text = err.value.render()
    assert "a bill in EUR cannot be compared with the price catalogue" in text
    assert re.search(r"project\.yaml:\d+:\d+: billing\.currency", text), text


@pytest.mark.parametrize(
    ("today", "expires", "months"),
    [
        pytest.param(date(2026, 1, 15), date(2026, 3, 31), 3, id="partial-month-counts"),
        pytest.param(date(2026, 1, 31), date(2026, 2, 28), 1, id="short-month"),
        pytest.param(date(2026, 1, 15), date(2026, 1, 15), 1, id="expires-today"),
        pytest.param(date(2026, 1, 15), date(2025, 12, 31), 0, id="expired"),
    ],
)
def test_months_until_expiry(today: date, expires: date, months: int) -> None:
    """A started month counts whole; an expired commitment counts none."""
    assert months_until(today, expires) == months


def test_unknown_expiry_is_owed_for_the_whole_horizon(tmp_path: Path) -> None:
    """Without a declared expiry the committed spend is not saved over the whole horizon."""
    root = _copy(tmp_path)
    _gpu_under_savings_plan(root)
    inputs = load_inputs(root)
    assert inputs.bill is not None
    from dataclasses import replace

    bill = replace(
        inputs.bill, commitments=tuple(replace(c, expires=None) for c in inputs.bill.commitments)
    )
    (c,) = committed_spend(bill, ["llm-finetune"], today=TODAY, horizon_months=36)
    assert (c.months, c.total) == (36, Money(110000 * 36, "USD"))
    assert committed_spend(bill, ["checkout-api-elsewhere"], today=TODAY, horizon_months=36) == ()


def test_the_bill_is_part_of_the_input_digest(tmp_path: Path) -> None:
    """A different bill gives a different input digest (the plan depends on it)."""
    root = _copy(tmp_path)
    before = _plan(root)[0]["input_digest"]
    _gpu_under_savings_plan(root)
    assert _plan(root)[0]["input_digest"] != before
