"""A seeded generator of large FOCUS bills (imported as ``focus_bill`` by tests and by
``bench/baseline.py``), with the exact sums it wrote, to check the baseline against.

Rows are daily charges (ChargePeriodStart at midnight, ChargePeriodEnd the next midnight) in
``months`` full months starting 2025-01. Amounts are whole cents drawn by a seeded numpy
generator, so every sum is an exact integer of cents. Row ``i`` belongs to workload
``w{k:05d}`` (tag ``app``), except one row in ``unmapped_every``, whose app tag names no
workload. Every ``committed_every``-th row is covered by a savings plan (BilledCost 0,
CommitmentDiscountStatus Used). Files are written by DuckDB in chunks, as exports are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np

SERVICES = (
    ("Amazon Elastic Compute Cloud", "Compute"),
    ("Amazon Simple Storage Service", "Storage"),
    ("Amazon Relational Database Service", "Databases"),
    ("Amazon OpenSearch Service", "Analytics"),
    ("Amazon ElastiCache", "Databases"),
)
START = date(2025, 1, 1)
SP = "arn:aws:savingsplans::111111111111:savingsplan/sp-bench"


@dataclass(frozen=True, slots=True)
class Written:
    """What the generator wrote: files, rows, and exact sums in cents per month."""

    files: tuple[Path, ...]
    rows: int
    months: tuple[date, ...]
    mapped_cents: dict[str, int]
    """EffectiveCost per workload over all months."""
    unmapped_cents: int
    total_cents: int


def workload_name(k: int) -> str:
    """The name of workload ``k``."""
    return f"w{k:05d}"


def _month_starts(months: int) -> list[date]:
    out = []
    y, m = START.year, START.month
    for _ in range(months):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def generate(
    folder: Path,
    *,
    rows: int,
    workloads: int,
    months: int = 3,
    seed: int = 7,
    chunk_rows: int = 1_000_000,
    fmt: str = "parquet",
    tags: str = "map",
    unmapped_every: int = 20,
    committed_every: int = 10,
) -> Written:
    """Write a bill of ``rows`` rows over ``workloads`` workloads into ``folder`` as
    ``fmt`` (``parquet`` or ``csv.gz``) with Tags as a ``map`` or ``json`` text."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    starts = _month_starts(months)
    days = [
        ((starts[i + 1] if i + 1 < months else _month_starts(months + 1)[-1]) - s).days
        for i, s in enumerate(starts)
    ]
    mapped = np.zeros(workloads, dtype=np.int64)
    unmapped = 0
    files = []
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    done = 0
    part = 0
    while done < rows:
        n = min(chunk_rows, rows - done)
        idx = np.arange(done, done + n, dtype=np.int64)
        w = rng.integers(0, workloads, size=n)
        month = rng.integers(0, months, size=n)
        day = (rng.random(n) * np.array(days)[month]).astype(np.int64)
        if done == 0:  # first and last day of every month, so each month is full
            k = min(n, 2 * months)
            month[:k] = np.arange(k) % months
            day[:k] = np.where(np.arange(k) < months, 0, np.array(days)[month[:k]] - 1)
        cents = rng.integers(1, 100_000, size=n)
        service = rng.integers(0, len(SERVICES), size=n)
        is_unmapped = idx % unmapped_every == unmapped_every - 1
        committed = (idx % committed_every == 0) & ~is_unmapped
        mapped += np.bincount(
            w[~is_unmapped], weights=cents[~is_unmapped], minlength=workloads
        ).astype(np.int64)
        unmapped += int(cents[is_unmapped].sum())
        month_start = np.array([np.datetime64(s, "D") for s in starts])[month]
        start = (month_start + day.astype("timedelta64[D]")).astype("datetime64[us]")
        data = {  # noqa: F841 - read by DuckDB's replacement scan below
            "w": w,
            "cents": cents,
            "service": service,
            "unmapped": is_unmapped,
            "committed": committed,
            "start": start,
        }
        names = ", ".join(f"('{s}', '{c}', {i})" for i, (s, c) in enumerate(SERVICES))
        app = (
            "CASE WHEN unmapped THEN 'gone-' || CAST(w AS VARCHAR) "
            "ELSE 'w' || lpad(CAST(w AS VARCHAR), 5, '0') END"
        )
        team = "'team-' || CAST(w % 50 AS VARCHAR)"
        tag_expr = (
            f"map(['app', 'team'], [{app}, {team}])"
            if tags == "map"
            else f"""'{{"app": "' || {app} || '", "team": "' || {team} || '"}}'"""
        )
        select = f"""
            SELECT 'USD' AS BillingCurrency,
                   CASE WHEN committed THEN CAST(0 AS DECIMAL(18,2))
                        ELSE CAST(cents * 0.01 AS DECIMAL(18,2)) END AS BilledCost,
                   CAST(cents * 0.01 AS DECIMAL(18,2)) AS EffectiveCost,
                   CAST(cents * 0.0125 AS DECIMAL(18,4)) AS ListCost,
                   'Usage' AS ChargeCategory,
                   CAST(NULL AS VARCHAR) AS ChargeClass,
                   start AS ChargePeriodStart,
                   start + INTERVAL 1 DAY AS ChargePeriodEnd,
                   'i-' || CAST(w AS VARCHAR) AS ResourceId,
                   s.name AS ServiceName, s.category AS ServiceCategory,
                   '111111111111' AS SubAccountId, 'eu-west-1' AS RegionId,
                   CASE WHEN committed THEN 'Committed' ELSE 'Standard' END AS PricingCategory,
                   CASE WHEN committed THEN '{SP}' END AS CommitmentDiscountId,
                   CASE WHEN committed THEN 'Used' END AS CommitmentDiscountStatus,
                   {tag_expr} AS Tags
            FROM data JOIN (VALUES {names}) AS s(name, category, i) ON data.service = s.i
        """
        suffix = "parquet" if fmt == "parquet" else "csv.gz"
        path = folder / f"focus-part-{part:04d}.{suffix}"
        options = "FORMAT PARQUET" if fmt == "parquet" else "FORMAT CSV, HEADER, COMPRESSION GZIP"
        con.execute(f"COPY ({select}) TO '{path}' ({options})")
        files.append(path)
        done += n
        part += 1
    con.close()
    by_name = {workload_name(k): int(v) for k, v in enumerate(mapped) if v}
    return Written(
        tuple(files),
        rows,
        tuple(starts),
        by_name,
        unmapped,
        int(mapped.sum()) + unmapped,
    )
