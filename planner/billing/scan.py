"""Reading FOCUS exports into ``BillFacts`` (the I/O edge of billing): check each file's
format and columns, group files read alike, run the mapping SQL in DuckDB, and turn whatever
goes wrong into located problems (``file: what. To fix: ...``), never a traceback."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from planner.billing import duck
from planner.billing.facts import (
    BillSummary,
    CommitmentUse,
    MonthSpan,
    RuleCategory,
    RuleMonth,
    SourceInfo,
    UnmappedSum,
)
from planner.billing.focus import (
    DECIMAL,
    MATCH_COLUMNS,
    REQUIRED,
    Column,
    projection,
    quote_ident,
    resolve,
    tags_kind,
)
from planner.billing.months import MonthChoice, choose_months
from planner.billing.spec import BillingSpec, ExportFile
from planner.billing.sql import CURRENCIES_SQL, QUALITY_SQL, SPANS_SQL, mapping_sql, summary_sql
from planner.errors import InputError, Problem
from planner.layout import PROJECT

EXPORT_FIX = (
    "export FOCUS 1.0 or later: AWS Data Exports 'FOCUS 1.0 with AWS columns' (or 1.2), "
    "Azure Cost Management 'FocusCost', or the Google Cloud FOCUS export"
)


def file_format(name: str) -> str | None:
    """``parquet`` or ``csv`` (plain or compressed: .gz, .zst) from the file name."""
    lower = name.lower()
    if lower.endswith(".parquet"):
        return "parquet"
    for ext in (".csv", ".csv.gz", ".csv.gzip", ".csv.zst", ".gz"):
        if lower.endswith(ext):
            return "csv"
    return None


def _reader(fmt: str, paths: Sequence[Path]) -> str:
    return duck.parquet_reader(paths) if fmt == "parquet" else duck.csv_reader(paths)


def _unreadable(f: ExportFile, message: str) -> Problem:
    fix = "check the file is a complete FOCUS export (CSV, gzipped CSV or Parquet)"
    if "gzip" in message.lower() or "zlib" in message.lower():
        fix = (
            "the gzip stream is damaged or cut short: download the file again "
            "(compare its size with the one in the export's Manifest.json)"
        )
    elif "parquet" in message.lower():
        fix = "the Parquet file is damaged or incomplete: download it again"
    return Problem(f.name, 0, 0, "", f"cannot read this export: {message}", fix)


def _columns(
    eng: duck.Engine, f: ExportFile, fmt: str, spec: BillingSpec, problems: list[Problem]
) -> tuple[dict[str, Column], tuple[str, ...]] | None:
    """The FOCUS columns of ``f`` the bill reads and its whole header in order, or ``None``
    (with its problems added) when it cannot be read as a bill."""
    try:
        described = eng.describe(_reader(fmt, [f.path]))
    except duck.EngineError as exc:
        problems.append(_unreadable(f, exc.message))
        return None
    header = tuple(name for name, _ in described)
    columns = resolve(described)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        found = ", ".join(n for n, _ in described[:12]) + (", ..." if len(described) > 12 else "")
        problems.append(
            Problem(
                f.name,
                0,
                0,
                "",
                f"not a FOCUS cost export: missing column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} (found: {found})",
                EXPORT_FIX,
            )
        )
        return None
    for rule in spec.rules:
        needs = [MATCH_COLUMNS[f] for f in MATCH_COLUMNS if getattr(rule.match, f) is not None]
        if rule.match.tags or rule.workload_tag is not None:
            needs.append("Tags")
        absent = [c for c in needs if c not in columns]
        if absent:
            problems.append(
                Problem(
                    f.name,
                    0,
                    0,
                    "",
                    f"{rule.describe()} reads column {', '.join(absent)}, which this export "
                    f"does not have",
                    "include the column in the export, or change the rule",
                )
            )
    tags = columns.get("Tags")
    if tags is not None and tags_kind(tags.type) is None:
        problems.append(
            Problem(
                f.name,
                0,
                0,
                "Tags",
                f"Tags column of type {tags.type} is not a key-value form we read",
                "export Tags as a JSON object (text) or a map of strings, as FOCUS specifies",
            )
        )
    return columns, header


def _sources(
    eng: duck.Engine, files: Sequence[ExportFile], spec: BillingSpec
) -> list[tuple[SourceInfo, list[ExportFile], dict[str, Column]]]:
    problems: list[Problem] = []
    groups: dict[tuple[object, ...], tuple[str, list[ExportFile], dict[str, Column]]] = {}
    for f in files:
        fmt = file_format(f.name)
        if fmt is None:
            problems.append(
                Problem(
                    f.name,
                    0,
                    0,
                    "",
                    "not a file type we read as a bill",
                    "export CSV (.csv, .csv.gz) or Parquet (.parquet), or narrow billing.exports",
                )
            )
            continue
        read = _columns(eng, f, fmt, spec, problems)
        if read is None:
            continue
        columns, header = read
        # CSV files are read together only under one header (read_csv by position: with
        # union_by_name, DuckDB 2.0 buffers every gzipped file at once - 10 files of 1 M rows
        # ran out of a 640 MB limit); Parquet files are matched by name.
        same = header if fmt != "parquet" else ()
        key = (fmt, same, *sorted((k, c.name, c.type) for k, c in columns.items()))
        groups.setdefault(key, (fmt, [], columns))[1].append(f)
    if problems:
        raise InputError(problems, message=f"{len(problems)} problem(s) in the bill exports")
    out = []
    for i, (fmt, members, columns) in enumerate(groups.values()):
        tags = columns.get("Tags")
        info = SourceInfo(
            i, fmt, tuple(m.name for m in members), tags_kind(tags.type) if tags else None
        )
        out.append((info, members, columns))
    return out


_TYPED: tuple[tuple[str, str, str], ...] = (
    ("BilledCost", DECIMAL, "a plain decimal number such as 12.50 (no thousands separator)"),
    ("EffectiveCost", DECIMAL, "a plain decimal number such as 12.50 (no thousands separator)"),
    ("ListCost", DECIMAL, "a plain decimal number such as 12.50 (no thousands separator)"),
    ("ChargePeriodStart", "TIMESTAMPTZ", "an ISO 8601 time such as 2025-04-01T00:00:00Z"),
    ("ChargePeriodEnd", "TIMESTAMPTZ", "an ISO 8601 time such as 2025-04-01T00:00:00Z"),
)


def _bad_value(
    eng: duck.Engine, f: ExportFile, fmt: str, columns: dict[str, Column]
) -> Problem | None:
    """The first CSV value that does not convert (an amount or a charge period), located by
    line; ``None`` when there is none (or the file is not CSV)."""
    if fmt != "csv":
        return None
    eng.run("SET preserve_insertion_order = true")  # row_number() follows the file
    for name, type_, expected in _TYPED:
        col = columns.get(name)
        if col is None:
            continue
        found = eng.rows(
            f"SELECT n, v FROM (SELECT row_number() OVER () AS n, {quote_ident(col.name)} AS v "
            f"FROM {_reader(fmt, [f.path])}) WHERE NULLIF(trim(v), '') IS NOT NULL "
            f"AND TRY_CAST(trim(v) AS {type_}) IS NULL ORDER BY n LIMIT 1"
        )
        if found:
            row, value = found[0]
            return Problem(
                f.name,
                int(row) + 1,  # the header is line 1
                0,
                col.name,
                f"{value!r} is not {expected.split(' such as ')[0]}",
                f"write {expected}; FOCUS amounts use '.' as the decimal mark",
            )
    return None


def _locate_failure(
    eng: duck.Engine,
    sources: Sequence[tuple[SourceInfo, list[ExportFile], dict[str, Column]]],
    tag_keys: Sequence[str],
    error: duck.EngineError,
) -> Problem:
    """The file a failed aggregate came from: named by the engine's message, else found by
    reading each file alone (the error path only)."""
    every = [f for _, members, _ in sources for f in members]
    named = duck.file_named(error.message, [f.path for f in every])
    if named is not None:
        return _unreadable(next(f for f in every if f.path == named), error.message)
    for info, members, columns in sources:
        for f in members:
            one = projection(info.index, _reader(info.format, [f.path]), columns, tag_keys)
            try:
                eng.rows(f"SELECT count(*), sum(effective), min(period_start) FROM ({one})")
            except duck.EngineError as exc:
                bad = _bad_value(eng, f, info.format, columns)
                return bad if bad is not None else _unreadable(f, exc.message)
    return Problem(
        ", ".join(f.name for f in every[:3]),
        0,
        0,
        "",
        f"the bill could not be aggregated: {error.message}",
        "check the exports; run with --debug for the engine's detail",
    )


def _currency_problems(
    eng: duck.Engine,
    sources: Sequence[tuple[SourceInfo, list[ExportFile], dict[str, Column]]],
    expected: str,
) -> list[Problem]:
    problems = []
    for _, members, columns in sources:
        col = quote_ident(columns["BillingCurrency"].name)
        for f in members:
            fmt = file_format(f.name) or "csv"
            found = eng.rows(
                f"SELECT {col}, count(*) FROM {_reader(fmt, [f.path])} "
                f"GROUP BY 1 ORDER BY 2 DESC, 1"
            )
            other = [(c, n) for c, n in found if c != expected]
            if other:
                listed = ", ".join(f"{c or 'empty'} on {n:,} rows" for c, n in other)
                problems.append(
                    Problem(
                        f.name,
                        0,
                        0,
                        "BillingCurrency",
                        f"BillingCurrency is {listed}; the baseline is in {expected}",
                        f"export the bill in {expected}, set billing.currency to the bill's "
                        f"currency, or leave this file out of billing.exports (amounts of "
                        f"different currencies are never added)",
                    )
                )
    return problems


def _no_full_month(choice: MonthChoice) -> InputError:
    partial = ", ".join(m.isoformat()[:7] for m in choice.partial)
    return InputError(
        [
            Problem(
                PROJECT,
                0,
                0,
                "billing",
                "the bill has no full month to average"
                + (f" (partial: {partial})" if partial else ""),
                "export at least one whole month, or set billing.until to a month the bill "
                "covers in full",
            )
        ]
    )


def read_bill(
    files: Sequence[ExportFile],
    spec: BillingSpec,
    workloads: Sequence[str],
    *,
    currency: str,
    settings: duck.EngineSettings = duck.DEFAULT_SETTINGS,
) -> BillSummary:
    """Map and aggregate the rows of ``files`` by ``spec``'s rules and sum them for the full
    months ``spec`` asks to average. Raises ``InputError`` (every file's problems at once) for
    unreadable files, missing FOCUS columns, rules reading a column an export lacks, rows in
    another currency than ``currency``, and a bill without a full month."""
    tag_keys = spec.tag_keys()
    unmapped_tags = spec.report_tags or tag_keys
    try:
        with duck.engine(settings) as eng:
            sources = _sources(eng, files, spec)
            bill = " UNION ALL ".join(
                projection(
                    info.index, _reader(info.format, [f.path for f in members]), cols, tag_keys
                )
                for info, members, cols in sources
            )
            statements = mapping_sql(bill, spec.rules, workloads, tag_keys, unmapped_tags)
            try:
                for stmt in statements.setup:
                    eng.run(stmt)
                eng.run(statements.facts)
            except duck.EngineError as exc:
                raise InputError(
                    [_locate_failure(eng, sources, tag_keys, exc)],
                    message="the bill exports could not be read",
                ) from None
            currencies = {r[0] for r in eng.rows(CURRENCIES_SQL)}
            if currencies - {currency}:
                raise InputError(
                    _currency_problems(eng, sources, currency),
                    message=f"bill rows in {', '.join(sorted(str(c) for c in currencies))}: "
                    f"one currency expected ({currency})",
                )
            spans = tuple(MonthSpan(int(r[0]), r[1], r[2], r[3]) for r in eng.rows(SPANS_SQL))
            choice = choose_months(spans, spec.months, spec.until)
            if not choice.averaged:
                raise _no_full_month(choice)
            q = summary_sql(choice.averaged, unmapped_tags)
            mapped = tuple(RuleMonth(int(r[0]), *r[1:]) for r in eng.rows(q.mapped))
            categories = tuple(RuleCategory(int(r[0]), *r[1:]) for r in eng.rows(q.categories))
            unmapped = tuple(UnmappedSum(*r) for r in eng.rows(q.unmapped))
            commitments = tuple(
                CommitmentUse(r[0], r[1], None if r[2] is None else int(r[2]), *r[3:])
                for r in eng.rows(q.commitments)
            )
            total, correction_rows, correction_effective, credits = eng.rows(q.totals)[0]
            bad_tags, null_costs = eng.rows(QUALITY_SQL)[0]
    except duck.EngineError as exc:  # anything the located checks above did not foresee
        raise InputError(
            [
                Problem(
                    ", ".join(f.name for f in files[:3]),
                    0,
                    0,
                    "",
                    f"the bill could not be read: {exc.message}",
                    "check the exports and --memory-limit / --threads; run with --debug for "
                    "the detail",
                )
            ],
            message="the bill exports could not be read",
        ) from None
    return BillSummary(
        spans=spans,
        months=choice.averaged,
        mapped=mapped,
        categories=categories,
        unmapped=unmapped,
        commitments=commitments,
        total_effective=total,
        correction_rows=int(correction_rows),
        correction_effective=correction_effective,
        credit_effective=credits,
        bad_tags=int(bad_tags),
        null_costs=int(null_costs),
        sources=tuple(s[0] for s in sources),
        unmapped_tag_keys=tuple(unmapped_tags),
    )
