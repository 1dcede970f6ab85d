"""The mapping and aggregation SQL, as text (pure). ``planner.billing.duck`` runs it.

The statements are plain SQL on purpose: ``CASE``, ``LIKE ... ESCAPE``, ``LEFT JOIN``,
``COALESCE``/``LEAST``/``NULLIF``, ``date_trunc`` and ``GROUP BY`` run unchanged on Trino or
Athena over the same FOCUS table (docs/billing.md says how); only the per-export
projections of ``planner.billing.focus`` (file readers, tag extraction) are DuckDB's.

Mapping, first match wins: every rule that can match a row yields its index, and the row
takes the smallest. Rules made only of equalities (tags, account, service...) are grouped by
the fields they test and joined as lookup tables, so 10,000 such rules cost one hash join,
not 10,000 comparisons per row; rules with a ``resource_id`` glob form one ``CASE``; a
``workload_tag`` rule joins the tag's value to the workload names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from planner.billing.focus import quote_text
from planner.billing.spec import MappingRule, Match

NO_RULE = 2_147_483_647
"""Stands for "no rule matched" inside LEAST (Trino's LEAST is NULL if any argument is)."""


@dataclass(frozen=True, slots=True)
class MappingSql:
    """The statements that build ``facts``: lookup tables first, then the aggregate."""

    setup: tuple[str, ...]
    facts: str


def glob_to_like(pattern: str) -> str:
    """A glob (``*`` any run, ``?`` one character) as a LIKE pattern escaped with ``\\``."""
    out = []
    for ch in pattern:
        if ch in "%_\\":
            out.append("\\" + ch)
        elif ch == "*":
            out.append("%")
        elif ch == "?":
            out.append("_")
        else:
            out.append(ch)
    return "".join(out)


def _field_column(field: str, tag_index: dict[str, int]) -> str:
    if field.startswith("tag:"):
        return f"b.tag_{tag_index[field.removeprefix('tag:')]}"
    return f"b.{field}"


def match_condition(match: Match, tag_index: dict[str, int]) -> str:
    """The SQL condition of ``match`` on the bill row ``b`` (``TRUE`` when empty)."""
    parts = [f"{_field_column(f, tag_index)} = {quote_text(v)}" for f, v in match.exact_fields()]
    if match.resource_id is not None:
        parts.append(
            f"b.resource_id LIKE {quote_text(glob_to_like(match.resource_id))} ESCAPE '\\'"
        )
    return " AND ".join(parts) if parts else "TRUE"


def _values_table(name: str, columns: Sequence[str], rows: Sequence[Sequence[str | int]]) -> str:
    def lit(v: str | int) -> str:
        return str(v) if isinstance(v, int) else quote_text(v)

    body = ",\n".join("(" + ", ".join(lit(v) for v in r) + ")" for r in rows)
    cols = ", ".join(columns)
    return f"CREATE TEMP TABLE {name} AS SELECT * FROM (VALUES\n{body}\n) AS v({cols})"


def mapping_sql(
    bill: str,
    rules: Sequence[MappingRule],
    workloads: Sequence[str],
    tag_keys: Sequence[str],
    unmapped_tags: Sequence[str],
) -> MappingSql:
    """The statements mapping the rows of the relation ``bill`` (a subquery) to rules and
    aggregating them into the temporary table ``facts``; ``tag_keys`` name the ``tag_i``
    columns of ``bill``, ``unmapped_tags`` those listed for unmapped rows."""
    tag_index = {k: i for i, k in enumerate(tag_keys)}
    setup: list[str] = []
    joins: list[str] = []
    candidates: list[str] = []

    # equality-only rules: one lookup table per set of tested fields
    by_fields: dict[tuple[str, ...], list[MappingRule]] = {}
    glob_rules: list[MappingRule] = []
    for rule in rules:
        if rule.workload_tag is not None:
            continue
        if rule.match.resource_id is not None or not rule.match.exact_fields():
            glob_rules.append(rule)
        else:
            fields = tuple(f for f, _ in rule.match.exact_fields())
            by_fields.setdefault(fields, []).append(rule)
    for n, (fields, members) in enumerate(sorted(by_fields.items())):
        first: dict[tuple[str, ...], int] = {}
        for rule in members:
            values = tuple(v for _, v in rule.match.exact_fields())
            first.setdefault(values, rule.index)
        table = f"rules_eq_{n}"
        cols = [f"f{i}" for i in range(len(fields))] + ["rule"]
        setup.append(_values_table(table, cols, [(*k, r) for k, r in sorted(first.items())]))
        on = " AND ".join(
            f"{_field_column(f, tag_index)} = e{n}.f{i}" for i, f in enumerate(fields)
        )
        joins.append(f"LEFT JOIN {table} AS e{n} ON {on}")
        candidates.append(f"e{n}.rule")
    if glob_rules:
        whens = " ".join(
            f"WHEN {match_condition(r.match, tag_index)} THEN {r.index}" for r in glob_rules
        )
        candidates.append(f"CASE {whens} END")
    tag_rules = [r for r in rules if r.workload_tag is not None]
    if tag_rules:
        names = sorted(set(workloads)) or [""]
        setup.append(_values_table("workload_names", ["name"], [(w,) for w in names]))
    for n, tag in enumerate(dict.fromkeys(r.workload_tag for r in tag_rules)):
        assert tag is not None
        joins.append(f"LEFT JOIN workload_names AS w{n} ON b.tag_{tag_index[tag]} = w{n}.name")
        for r in tag_rules:
            if r.workload_tag == tag:
                cond = match_condition(r.match, tag_index)
                candidates.append(f"CASE WHEN w{n}.name IS NOT NULL AND {cond} THEN {r.index} END")

    if candidates:
        least = ", ".join(f"COALESCE({c}, {NO_RULE})" for c in candidates)
        rule_expr = (
            f"NULLIF(LEAST({least}, {NO_RULE}), {NO_RULE})"
            if len(candidates) > 1
            else f"NULLIF(COALESCE({candidates[0]}, {NO_RULE}), {NO_RULE})"
        )
    else:
        rule_expr = "CAST(NULL AS INTEGER)"
    if tag_rules:
        whens = " ".join(
            f"WHEN {r.index} THEN tag_{tag_index[r.workload_tag or '']}" for r in tag_rules
        )
        tag_workload = f"CASE rule {whens} END"
    else:
        tag_workload = "CAST(NULL AS VARCHAR)"
    unmapped = [
        f"CASE WHEN rule IS NULL THEN tag_{tag_index[k]} END AS unmapped_tag_{i}"
        for i, k in enumerate(unmapped_tags)
    ]
    tag_cols = ", ".join(f"b.tag_{i}" for i in range(len(tag_keys)))
    inner = (
        "SELECT b.source, b.period_start, b.period_end, b.billed, b.effective, b.list, "
        "b.currency, b.category, b.charge_class, b.service, b.service_category, "
        "b.commitment_id, b.commitment_status, b.bad_tags"
        + (f", {tag_cols}" if tag_cols else "")
        + f", {rule_expr} AS rule FROM ({bill}) AS b "
        + " ".join(joins)
    )
    key = [
        "source",
        "CAST(date_trunc('month', period_start) AS DATE) AS month",
        "currency",
        "category",
        "charge_class",
        "rule",
        f"{tag_workload} AS tag_workload",
        "CASE WHEN rule IS NULL THEN service END AS service",
        "service_category",
        "commitment_id",
        "commitment_status",
        *unmapped,
    ]
    group_by = ", ".join(str(i + 1) for i in range(len(key)))
    sums = [
        "sum(COALESCE(billed, 0)) AS billed",
        "sum(COALESCE(effective, 0)) AS effective",
        "sum(COALESCE(list, 0)) AS list",
        "count(*) AS rows",
        "min(period_start) AS first_start",
        "max(period_end) AS last_end",
        "sum(bad_tags) AS bad_tags",
        "sum(CASE WHEN billed IS NULL OR effective IS NULL THEN 1 ELSE 0 END) AS null_costs",
    ]
    facts = (
        f"CREATE TEMP TABLE facts AS SELECT {', '.join(key + sums)} "
        f"FROM ({inner}) AS m GROUP BY {group_by}"
    )
    return MappingSql(tuple(setup), facts)


@dataclass(frozen=True, slots=True)
class SummarySql:
    """The queries over ``facts`` whose results Python reads (see ``summary_sql``)."""

    mapped: str
    categories: str
    unmapped: str
    commitments: str
    totals: str


SPANS_SQL = (
    "SELECT source, month, min(first_start), max(last_end) FROM facts "
    "GROUP BY source, month ORDER BY source, month"
)
"""Where each source's charge periods start and end, per month (to find full months)."""

CURRENCIES_SQL = "SELECT DISTINCT currency FROM facts"
QUALITY_SQL = "SELECT COALESCE(sum(bad_tags), 0), COALESCE(sum(null_costs), 0) FROM facts"


def summary_sql(months: Sequence[date], unmapped_tags: Sequence[str]) -> SummarySql:
    """The sums over ``facts`` for the ``months`` averaged: per rule and month, per rule and
    ServiceCategory, unmapped by service and by each of ``unmapped_tags``, per commitment, and
    the totals (all, corrections, credits)."""
    chosen = "month IN (" + ", ".join(f"DATE '{m.isoformat()}'" for m in months) + ")"
    used = "CASE WHEN lower(commitment_status) = 'used' THEN effective ELSE 0 END"
    by_tag = [
        f"SELECT {quote_text(k)} AS k, unmapped_tag_{i} AS v, sum(effective) AS e FROM facts "
        f"WHERE rule IS NULL AND {chosen} GROUP BY unmapped_tag_{i}"
        for i, k in enumerate(unmapped_tags)
    ]
    return SummarySql(
        mapped=(
            f"SELECT rule, tag_workload, month, sum(effective), sum(billed), sum(list), "
            f"sum({used}) FROM facts WHERE rule IS NOT NULL AND {chosen} "
            f"GROUP BY rule, tag_workload, month ORDER BY rule, tag_workload, month"
        ),
        categories=(
            f"SELECT rule, tag_workload, COALESCE(service_category, '(none)') AS c, "
            f"sum(effective) FROM facts WHERE rule IS NOT NULL AND {chosen} "
            f"GROUP BY rule, tag_workload, c ORDER BY rule, tag_workload, c"
        ),
        unmapped=" UNION ALL ".join(
            [
                f"SELECT 'service' AS k, COALESCE(service, '(none)') AS v, sum(effective) AS e "
                f"FROM facts WHERE rule IS NULL AND {chosen} GROUP BY v",
                *by_tag,
            ]
        )
        + " ORDER BY k, v",
        commitments=(
            f"SELECT commitment_id, commitment_status, rule, tag_workload, sum(effective), "
            f"sum(billed), max(month) FROM facts WHERE commitment_id IS NOT NULL AND {chosen} "
            f"GROUP BY commitment_id, commitment_status, rule, tag_workload "
            f"ORDER BY commitment_id, commitment_status, rule, tag_workload"
        ),
        totals=(
            f"SELECT COALESCE(sum(effective), 0), "
            f"COALESCE(sum(CASE WHEN lower(charge_class) = 'correction' THEN rows END), 0), "
            f"COALESCE(sum(CASE WHEN lower(charge_class) = 'correction' THEN effective END), 0), "
            f"COALESCE(sum(CASE WHEN lower(category) = 'credit' THEN effective END), 0) "
            f"FROM facts WHERE {chosen}"
        ),
    )
