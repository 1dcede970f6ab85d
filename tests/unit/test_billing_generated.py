"""A generated bill (tests/focus_bill.py): thousands of rows, the generator's exact sums."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from focus_bill import generate, workload_name

from planner.billing import BillingSpec, MappingRule, Match, compute_baseline
from planner.billing.scan import read_bill
from planner.billing.spec import ExportFile
from planner.money import Money

WORKLOADS = 40


@pytest.mark.parametrize(
    ("fmt", "tags"),
    [
        pytest.param("parquet", "map", id="parquet-map"),
        pytest.param("csv.gz", "json", id="csv-json"),
    ],
)
def test_generated_bill_sums_to_the_cent(tmp_path: Path, fmt: str, tags: str) -> None:
    """Every workload's one-month EffectiveCost is the generator's sum, to the cent."""
    written = generate(
        tmp_path / "bill",
        rows=6_000,
        workloads=WORKLOADS,
        months=1,
        chunk_rows=2_500,
        fmt=fmt,
        tags=tags,
    )
    names = [workload_name(k) for k in range(WORKLOADS)]
    spec = BillingSpec(
        exports=("*",), rules=(MappingRule(0, Match(), workload_tag="app"),), months=1
    )
    files = [ExportFile(p.name, p) for p in written.files]
    bill = read_bill(files, spec, names, currency="USD")
    base = compute_baseline(
        bill, spec, workloads=names, cores={n: Fraction(1) for n in names}, currency="USD"
    )
    got = {w.workload: w.effective for w in base.workloads}
    assert got == {w: Money(c, "USD") for w, c in written.mapped_cents.items()}
    assert base.coverage.unmapped == Money(written.unmapped_cents, "USD")
    assert base.coverage.total == Money(written.total_cents, "USD")
    assert len(written.files) == 3
