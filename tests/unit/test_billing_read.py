"""Reading FOCUS exports end to end (DuckDB): the hand-written bill of tests/data/billed,
its Parquet and gzip twins, exporters' tag formats, and bad bills."""

from __future__ import annotations

import gzip
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from world import usd

from planner.app import baseline_project
from planner.billing import Baseline
from planner.errors import InputError
from planner.money import Money

BILLED = Path(__file__).resolve().parents[1] / "data" / "billed"
CSV = "bills/aws-focus-2025q2.csv"


def _project(tmp_path: Path, *, exports: str = "bills/*.csv", extra: str = "") -> Path:
    """A copy of tests/data/billed whose billing.exports is ``exports``."""
    root = tmp_path / "billed"
    shutil.copytree(BILLED, root)
    text = (root / "project.yaml").read_text(encoding="utf-8")
    text = text.replace("    - bills/*.csv\n", f"    - {exports}\n") + extra
    (root / "project.yaml").write_text(text, encoding="utf-8")
    return root


def _error_text(root: Path) -> str:
    """The rendered ``InputError`` the baseline of ``root`` raises."""
    with pytest.raises(InputError) as err:
        baseline_project(root)
    return err.value.render()


def _rewrite_line(root: Path, index: int, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` once in line ``index`` (0: the header) of the bill."""
    lines = (root / CSV).read_text(encoding="utf-8").splitlines()
    lines[index] = lines[index].replace(old, new, 1)
    (root / CSV).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _by_workload(b: Baseline) -> dict[str, tuple[Money, ...]]:
    return {w.workload: (w.effective, w.billed, w.list, w.committed, w.shared) for w in b.workloads}


# The hand-written bill (see the CSV): direct EffectiveCost per month
#   checkout-api 300 / 300 (320 - a 20 credit) / 400, payments-db 600 (595 + a 5 correction)
#   / 500 / 600, llm-finetune 1100 / 1200 / 1000; support 90 a month split evenly between
#   checkout-api and payments-db; CloudWatch 20 / 20 / 40 split by mapped spend (2000 each
#   month): 3 / 3 / 8, 6 / 5 / 12, 11 / 12 / 20. July is partial (ends on the 10th).
EXPECTED = {
    # effective, billed, list, committed (the savings plan), shared
    "checkout-api": ("383.00", "133.00", "539.67", "250.00", "49.67"),
    "payments-db": ("619.33", "619.33", "619.33", "0.00", "52.67"),
    "llm-finetune": ("1114.33", "1114.33", "1114.33", "0.00", "14.33"),
}


def _expected() -> dict[str, tuple[Money, ...]]:
    return {k: tuple(usd(x) for x in v) for k, v in EXPECTED.items()}


def test_hand_written_bill_to_the_cent() -> None:
    """Each workload's monthly EffectiveCost, BilledCost and ListCost are the hand sums."""
    b = baseline_project(BILLED).baseline
    assert _by_workload(b) == _expected()
    assert [m.isoformat() for m in b.months.averaged] == ["2025-04-01", "2025-05-01", "2025-06-01"]
    assert [m.isoformat() for m in b.months.partial] == ["2025-07-01"]
    checkout = next(w for w in b.workloads if w.workload == "checkout-api")
    assert [v for _, v in checkout.monthly] == [
        usd("348.00"),
        usd("348.00"),
        usd("453.00"),
    ]
    assert checkout.trend_pct_per_month == Decimal("13.71")  # slope 52.5 / mean 383


def test_before_is_the_mapped_bill() -> None:
    """The workloads' EffectiveCost adds up to the bill less its unmapped spend, to the cent."""
    b = baseline_project(BILLED).baseline
    # (6470 total - 120 unmapped) / 3 months, rounded per workload: 383.00 + 619.33 + 1114.33
    assert b.coverage.total == usd("2156.67")
    assert b.coverage.unmapped == usd("40.00")
    assert b.coverage.mapped == usd("2116.66")
    assert b.coverage.shared_allocated == usd("116.67")
    assert b.coverage.pct_mapped == Decimal("98.14")


def test_unmapped_spend_by_service_and_tag() -> None:
    """Unmapped spend is listed by service and by the app tag, largest first."""
    b = baseline_project(BILLED).baseline
    assert [(u.value, u.effective) for u in b.unmapped_by_service] == [
        ("Amazon Simple Storage Service", usd("25.00")),
        ("Savings Plans for AWS Compute usage", usd("10.00")),
        ("AWS Key Management Service", usd("5.00")),
    ]
    assert [(u.key, u.value, u.effective) for u in b.unmapped_by_tag] == [
        ("app", "legacy-reports", usd("25.00")),
        ("app", "(no tag)", usd("15.00")),
    ]


def test_commitment_in_force_with_declared_expiry() -> None:
    """The savings plan covers checkout-api, has 10 unused a month and the declared expiry."""
    (c,) = baseline_project(BILLED).baseline.commitments
    assert c.id.endswith("savingsplan/sp-1")
    assert c.used == (("checkout-api", usd("250.00")),)
    assert (c.unused, c.billed, c.in_force) == (usd("10.00"), usd("260.00"), True)
    assert c.expires is not None
    assert c.expires.isoformat() == "2026-03-31"


def test_notes_name_corrections_credits_and_partial_months() -> None:
    """Corrections, credits and the partial month are reported."""
    notes = baseline_project(BILLED).baseline.notes
    assert "partial months left out: 2025-07" in notes
    assert any("1 correction row(s)" in n and "5.00" in n for n in notes)
    assert any("credits" in n and "-20.00" in n for n in notes)


def _copy_as(src: Path, dst: Path, select: str, options: str) -> None:
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT {select} FROM read_csv('{src}', all_varchar = true)) TO '{dst}' ({options})"
    )
    con.close()


def test_parquet_with_map_tags_gives_the_same_baseline(tmp_path: Path) -> None:
    """AWS's Parquet shape (DECIMAL amounts, timestamps, Tags as a MAP) reads the same."""
    root = _project(tmp_path, exports="bills/*.parquet")
    select = (
        "* REPLACE (CAST(BilledCost AS DECIMAL(18,2)) AS BilledCost, "
        "CAST(EffectiveCost AS DECIMAL(18,2)) AS EffectiveCost, "
        "CAST(ListCost AS DOUBLE) AS ListCost, "
        "CAST(ChargePeriodStart AS TIMESTAMPTZ) AS ChargePeriodStart, "
        "CAST(ChargePeriodEnd AS TIMESTAMPTZ) AS ChargePeriodEnd, "
        "CASE WHEN Tags IS NULL THEN NULL "
        "ELSE CAST(json(Tags) AS MAP(VARCHAR, VARCHAR)) END AS Tags)"
    )
    _copy_as(root / CSV, root / "bills" / "aws.parquet", select, "FORMAT PARQUET")
    outcome = baseline_project(root)
    assert _by_workload(outcome.baseline) == _expected()
    assert outcome.sources[0].tags == "map"


def test_gzipped_csv_gives_the_same_baseline(tmp_path: Path) -> None:
    """A gzipped CSV export reads the same as the plain one."""
    root = _project(tmp_path, exports="bills/*.csv.gz")
    with (root / CSV).open("rb") as src, gzip.open(root / "bills" / "aws.csv.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert _by_workload(baseline_project(root).baseline) == _expected()


def test_offsets_in_charge_periods_give_the_same_baseline(tmp_path: Path) -> None:
    """Every charge period rewritten with a +02:00 offset (the same instants) averages to the
    same cents and months: offsets are moved to UTC, not dropped."""
    root = _project(tmp_path)
    text = (root / CSV).read_text(encoding="utf-8")
    shifted = text.replace("T00:00:00Z", "T02:00:00+02:00")
    assert shifted != text
    (root / CSV).write_text(shifted, encoding="utf-8")
    b = baseline_project(root).baseline
    assert _by_workload(b) == _expected()
    assert [m.isoformat() for m in b.months.averaged] == ["2025-04-01", "2025-05-01", "2025-06-01"]


def test_csv_files_with_their_columns_in_other_orders(tmp_path: Path) -> None:
    """The bill split into two CSV exports whose columns come in different orders (and one
    with an extra column) reads the same: CSV files are read together only under one
    header, so no column is taken by position from another file's layout."""
    root = _project(tmp_path, exports="bills/part-*.csv")
    lines = (root / CSV).read_text(encoding="utf-8").splitlines()
    header, rows = lines[0].split(","), lines[1:]
    half = len(rows) // 2
    (root / "bills" / "part-1.csv").write_text("\n".join(lines[: half + 1]) + "\n", "utf-8")
    con = duckdb.connect()
    second = root / "bills" / "second.csv"
    second.write_text("\n".join([lines[0], *rows[half:]]) + "\n", encoding="utf-8")
    reordered = ", ".join(f'"{c}"' for c in reversed(header))
    con.execute(
        f"COPY (SELECT {reordered}, 'x' AS Extra FROM read_csv('{second}', all_varchar = true))"
        f" TO '{root / 'bills' / 'part-2.csv'}' (HEADER, DELIMITER ',')"
    )
    con.close()
    second.unlink()
    (root / CSV).unlink()
    outcome = baseline_project(root)
    assert len(outcome.sources) == 2
    assert _by_workload(outcome.baseline) == _expected()


def test_tags_without_braces_and_as_key_value_pairs(tmp_path: Path) -> None:
    """Older Azure text without outer braces, and a list of {key, value} structs, both map."""
    root = _project(tmp_path, exports="bills/split-*")
    text = (root / CSV).read_text(encoding="utf-8")
    azure = text.replace('"{""app""', '"""app""').replace('""shop""}"', '""shop"""')
    (root / "bills" / "split-azure.csv").write_text(azure, encoding="utf-8")
    select = (
        "* REPLACE (CASE WHEN Tags IS NULL THEN NULL ELSE "
        "[{'key': 'app', 'value': json_extract_string(Tags, '$.app')}] END AS Tags)"
    )
    _copy_as(root / CSV, root / "bills" / "split-gcp.parquet", select, "FORMAT PARQUET")
    outcome = baseline_project(root)
    assert sorted(s.tags or "" for s in outcome.sources) == ["json", "pairs"]
    got = {w.workload: w.effective for w in outcome.baseline.workloads}
    # the same bill twice: 2 x (1149, 1858, 3343) / 3 months
    assert got == {
        "checkout-api": usd("766.00"),
        "payments-db": usd("1238.67"),
        "llm-finetune": usd("2228.67"),
    }


def test_first_matching_rule_wins(tmp_path: Path) -> None:
    """An equality rule before the tag rule takes the rows both match."""
    root = _project(tmp_path)
    text = (root / "project.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  rules:\n",
        "  rules:\n"
        "    - match: {tags: {app: checkout-api}, service: Amazon Elastic Compute Cloud}\n"
        "      workload: payments-db\n",
    )
    (root / "project.yaml").write_text(text, encoding="utf-8")
    got = {w.workload: w.effective for w in baseline_project(root).baseline.workloads}
    # checkout-api keeps only its even half of support; payments-db takes its compute:
    # (900 + 9 + 45) + (800 + 8 + 45) + (1000 + 20 + 45) = 2872 over 3 months
    assert got["checkout-api"] == usd("45.00")
    assert got["payments-db"] == usd("957.33")


def test_missing_columns_are_located(tmp_path: Path) -> None:
    """A file without EffectiveCost is named with what is missing and how to export FOCUS."""
    root = _project(tmp_path)
    text = (root / CSV).read_text(encoding="utf-8").replace("EffectiveCost", "Cost", 1)
    (root / CSV).write_text(text, encoding="utf-8")
    rendered = _error_text(root)
    assert f"{CSV}: not a FOCUS cost export: missing column EffectiveCost" in rendered
    assert "To fix: export FOCUS 1.0 or later" in rendered


def test_corrupt_gzip_is_located(tmp_path: Path) -> None:
    """A gzip cut short names the file and says to download it again."""
    root = _project(tmp_path, exports="bills/*.csv.gz")
    data = gzip.compress((root / CSV).read_bytes())
    (root / "bills" / "cut.csv.gz").write_bytes(data[: len(data) // 2])
    rendered = _error_text(root)
    assert "bills/cut.csv.gz: cannot read this export" in rendered
    assert "download the file again" in rendered


def test_mixed_currencies_are_refused(tmp_path: Path) -> None:
    """Rows in EUR in a USD project name the file, the currency and the row count."""
    root = _project(tmp_path)
    _rewrite_line(root, 1, "USD,", "EUR,")
    rendered = _error_text(root)
    assert f"{CSV}: BillingCurrency: BillingCurrency is EUR on 1 rows" in rendered
    assert "never added" in rendered


def test_unreadable_tags_are_counted_not_fatal(tmp_path: Path) -> None:
    """Tags that are not JSON leave the row untagged and are counted in the notes."""
    root = _project(tmp_path)
    text = (root / CSV).read_text(encoding="utf-8")
    text = text.replace('"{""app"":""legacy-reports"",""team"":""shop""}"', "app=legacy", 1)
    (root / CSV).write_text(text, encoding="utf-8")
    notes = baseline_project(root).baseline.notes
    assert "1 row(s) with Tags that are not JSON were read as untagged" in notes


def test_rule_reading_a_missing_column(tmp_path: Path) -> None:
    """A rule on ResourceId over an export without ResourceId is a located problem."""
    root = _project(tmp_path)
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * EXCLUDE (ResourceId) FROM read_csv('{root / CSV}', all_varchar = true)) "
        f"TO '{root / CSV}.tmp' (FORMAT CSV, HEADER)"
    )
    con.close()
    (root / f"{CSV}.tmp").replace(root / CSV)
    assert "rules[2] (project.yaml:17) reads column ResourceId" in _error_text(root)


def test_bill_without_a_full_month(tmp_path: Path) -> None:
    """Only a partial month: the error says so and how to fix it."""
    root = _project(tmp_path)
    lines = (root / CSV).read_text(encoding="utf-8").splitlines()
    (root / CSV).write_text("\n".join([lines[0], lines[-1]]) + "\n", encoding="utf-8")
    assert "no full month to average (partial: 2025-07)" in _error_text(root)


def test_unknown_file_type(tmp_path: Path) -> None:
    """A file that is neither CSV nor Parquet is named."""
    root = _project(tmp_path, exports="bills/*")
    (root / "bills" / "notes.txt").write_text("hello", encoding="utf-8")
    assert "bills/notes.txt: not a file type we read as a bill" in _error_text(root)


def test_unreadable_amount_is_located_by_line(tmp_path: Path) -> None:
    """An amount written with a decimal comma names the file, line, column and value."""
    root = _project(tmp_path)
    _rewrite_line(root, 3, "USD,595.00,595.00", 'USD,595.00,"595,00"')
    rendered = _error_text(root)
    assert f"{CSV}:4: EffectiveCost: '595,00' is not a plain decimal number" in rendered
    assert "To fix: write a plain decimal number such as 12.50" in rendered
