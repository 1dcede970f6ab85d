"""The per-export projection SQL of planner.billing.focus run on DuckDB: charge periods in
ISO 8601 text with 'Z', no offset or an offset all become UTC, and JSON Tags are parsed once
(a value per key, NULL when absent, unreadable text counted, never fatal)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from planner.billing import duck
from planner.billing.focus import projection, resolve

HEADER = (
    "BillingCurrency,BilledCost,EffectiveCost,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,Tags"
)


def _read(tmp_path: Path, rows: list[str], keys: tuple[str, ...] = ("app",)) -> list[tuple]:
    """(period_start, period_end, tag_0.., bad_tags) of each row of a CSV export."""
    path = tmp_path / "bill.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    reader = duck.csv_reader([path])
    with duck.engine(duck.EngineSettings(threads=1)) as eng:
        cols = resolve(eng.describe(reader))
        tags = ", ".join(f"tag_{i}" for i in range(len(keys)))
        return eng.rows(
            f"SELECT period_start, period_end, {tags}, bad_tags "
            f"FROM ({projection(0, reader, cols, keys)})"
        )


def test_charge_periods_with_and_without_offsets_are_utc(tmp_path: Path) -> None:
    """'Z', no offset, fractions and a space separator read as written; +02:00, -05:00 and
    +0530 are moved to UTC (a plain TIMESTAMP cast would drop them)."""
    rows = [
        "USD,1,1,Usage,2025-04-01T00:00:00Z,2025-04-02T00:00:00Z,",
        "USD,1,1,Usage,2025-04-01T00:00:00,2025-04-02 00:00:00,",
        "USD,1,1,Usage,2025-04-01T00:00:00.250Z,2025-04-02T00:00:00.5,",
        "USD,1,1,Usage,2025-04-01T02:00:00+02:00,2025-04-01T19:00:00-05:00,",
        "USD,1,1,Usage,2025-04-01T05:30:00+0530,2025-04-01T23:00:00-01:00,",
    ]
    got = [(r[0], r[1]) for r in _read(tmp_path, rows)]
    day, next_day = datetime(2025, 4, 1), datetime(2025, 4, 2)
    assert got == [
        (day, next_day),
        (day, next_day),
        (datetime(2025, 4, 1, 0, 0, 0, 250000), datetime(2025, 4, 2, 0, 0, 0, 500000)),
        (day, next_day),
        (day, next_day),
    ]


def test_json_tags_parsed_once(tmp_path: Path) -> None:
    """A key's value, NULL for an absent key or no tags, braces added to Azure's older text,
    and text that is not JSON read as untagged and counted in bad_tags."""
    period = "2025-04-01T00:00:00Z,2025-04-02T00:00:00Z"
    rows = [
        f'USD,1,1,Usage,{period},"{{""app"":""shop"",""team"":""a""}}"',
        f'USD,1,1,Usage,{period},"{{""team"":""a""}}"',
        f'USD,1,1,Usage,{period},"""app"":""azure"""',
        f"USD,1,1,Usage,{period},app=legacy",
        f"USD,1,1,Usage,{period},",
        f'USD,1,1,Usage,{period},"{{}}"',
    ]
    got = [r[2:] for r in _read(tmp_path, rows, ("app", "team"))]
    assert got == [
        ("shop", "a", 0),
        (None, "a", 0),
        ("azure", None, 0),
        (None, None, 1),
        (None, None, 0),
        (None, None, 0),
    ]
