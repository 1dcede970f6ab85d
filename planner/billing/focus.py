"""What we read of a FOCUS cost-and-usage export, and how one export's columns become the
normalised bill relation the mapping SQL runs on (pure: SQL text in, SQL text out).

FOCUS (FinOps Open Cost and Usage Specification, https://focus.finops.org, versions 1.0 to
1.3) names the columns; exporters differ in types and details, which this module absorbs:

* **Tags** are a ``KeyValueFormat`` JSON object. AWS Data Exports writes a Parquet
  ``MAP(VARCHAR, VARCHAR)`` (a JSON string in CSV); Azure ``FocusCost`` and the GCP FOCUS
  export write JSON text, and older Azure Cost Management files omit the outer braces
  (``"app": "shop"``), which we add back. A list of ``{key, value}`` structs (BigQuery's
  label shape) is read too. Text that is not JSON counts as "no tags" and is reported.
* **Costs** (BilledCost, EffectiveCost, ListCost) are decimal text in CSV (read as text and
  cast to ``DECIMAL(38,10)``, exactly) and DECIMAL or DOUBLE in Parquet (a DOUBLE is rounded
  to 10 decimals per row: far below a cent over 10^7 rows).
* **ChargePeriodStart/End** are ISO 8601 text (``2025-01-01T00:00:00Z``, with or without
  fractions and offsets) or timestamps; all become UTC. ChargePeriodEnd is exclusive.
* Column names are matched without regard to case. Columns FOCUS 1.0 added (ChargeClass) or
  1.1 added (CommitmentDiscountStatus) are optional: absent, they read as NULL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

DECIMAL = "DECIMAL(38,10)"
"""The exact type of every amount: 28 integer digits hold any sum of 10^7 bill rows."""

REQUIRED: tuple[str, ...] = (
    "BilledCost",
    "EffectiveCost",
    "ChargeCategory",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "BillingCurrency",
)
"""Columns without which a file is not a FOCUS cost export we can average."""

OPTIONAL: tuple[str, ...] = (
    "ListCost",
    "ChargeClass",
    "ResourceId",
    "Tags",
    "ServiceCategory",
    "ServiceName",
    "SubAccountId",
    "RegionId",
    "PricingCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountStatus",
)

MATCH_COLUMNS: Mapping[str, str] = {
    "resource_id": "ResourceId",
    "account": "SubAccountId",
    "service": "ServiceName",
    "service_category": "ServiceCategory",
    "region": "RegionId",
}
"""Rule field -> the FOCUS column it reads (tags read ``Tags``)."""

_TEXT: Mapping[str, str] = {
    "ChargeCategory": "category",
    "ChargeClass": "charge_class",
    "BillingCurrency": "currency",
    "ResourceId": "resource_id",
    "ServiceCategory": "service_category",
    "ServiceName": "service",
    "SubAccountId": "account",
    "RegionId": "region",
    "PricingCategory": "pricing_category",
    "CommitmentDiscountId": "commitment_id",
    "CommitmentDiscountStatus": "commitment_status",
}
_AMOUNTS: Mapping[str, str] = {
    "BilledCost": "billed",
    "EffectiveCost": "effective",
    "ListCost": "list",
}


@dataclass(frozen=True, slots=True)
class Column:
    """A column as one export spells and types it."""

    name: str
    type: str


def resolve(described: Sequence[tuple[str, str]]) -> dict[str, Column]:
    """FOCUS column name -> the file's column, matched without regard to case."""
    by_lower = {name.lower(): Column(name, type_) for name, type_ in described}
    out: dict[str, Column] = {}
    for focus_name in REQUIRED + OPTIONAL:
        found = by_lower.get(focus_name.lower())
        if found is not None:
            out[focus_name] = found
    return out


def quote_ident(name: str) -> str:
    """``name`` as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def quote_text(value: str) -> str:
    """``value`` as a single-quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def tags_kind(type_: str) -> str | None:
    """How a ``Tags`` column of SQL type ``type_`` is read: ``map``, ``json`` (text), ``pairs``
    (a list of key/value structs), or ``None`` when we cannot read that type."""
    t = type_.upper().replace(" ", "")
    if t.startswith("MAP("):
        return "map"
    if t in ("VARCHAR", "JSON") or t.startswith("VARCHAR("):
        return "json"
    if t.startswith("STRUCT(") and t.endswith(")[]") and "KEY" in t and "VALUE" in t:
        return "pairs"
    return None


def _json_object(col: str) -> str:
    """The tags text as a JSON object: braces added when an exporter left them out."""
    trimmed = f"trim({col})"
    return f"CASE WHEN {trimmed} LIKE '{{%' THEN {trimmed} ELSE '{{' || {trimmed} || '}}' END"


def tag_values(tags: Column | None, keys: Sequence[str]) -> tuple[list[str], str, str]:
    """SQL for the value of each tag key (a list, in order), a ``WITH``-free inner select
    list that parses the tags once, and the expression counting unreadable tags (1 or 0).

    Returns (``tag_exprs``, ``inner_select``, ``bad_tags``): ``inner_select`` is added to the
    inner SELECT that reads the file; ``tag_exprs`` refer to its output."""
    if tags is None or not keys:
        return ["CAST(NULL AS VARCHAR)"] * len(keys), "", "0"
    col = quote_ident(tags.name)
    kind = tags_kind(tags.type)
    if kind == "map":
        return [f"CAST({col}[{quote_text(k)}] AS VARCHAR)" for k in keys], "", "0"
    if kind == "pairs":
        return (
            [f"list_filter({col}, lambda p: p.key = {quote_text(k)})[1].value" for k in keys],
            "",
            "0",
        )
    obj = _json_object(col)
    paths = ", ".join(quote_text('$."' + k.replace('"', '\\"') + '"') for k in keys)

    # The text is parsed once: try() turns "not JSON" into NULL, while valid JSON always
    # gives a list (of NULLs for absent keys), so a NULL list on non-blank text is a bad
    # row. Text starting with '{' (every FOCUS exporter's) skips the trim-and-brace repair.
    def extract(text: str) -> str:
        return f"try(json_extract_string({text}, [{paths}]))"

    inner = (
        f", CASE WHEN starts_with({col}, '{{') THEN {extract(col)} "
        f"WHEN trim({col}) <> '' THEN {extract(obj)} END AS _tag_values"
    )
    bad = f"CASE WHEN _tag_values IS NULL AND trim({col}) <> '' THEN 1 ELSE 0 END"
    return [f"_tag_values[{i + 1}]" for i in range(len(keys))], inner, bad


def _timestamp(col: Column) -> str:
    name = quote_ident(col.name)
    t = col.type.upper()
    if t.startswith("TIMESTAMP") and "TIME ZONE" not in t and "TZ" not in t:
        return f"CAST({name} AS TIMESTAMP)"
    if t == "DATE":
        return f"CAST({name} AS TIMESTAMP)"
    to_utc = f"CAST(CAST({name} AS TIMESTAMPTZ) AS TIMESTAMP)"  # the session runs in UTC
    if not t.startswith("VARCHAR"):
        return to_utc
    # ISO 8601 text: with 'Z' or no offset it is UTC already and the plain TIMESTAMP cast
    # (no time-zone lookup) reads it; an offset (a '+' or '-' after the date) goes through
    # TIMESTAMPTZ, since the plain cast would drop it
    after_date = f"substr({name}, 11)"
    offset = f"contains({after_date}, '+') OR contains({after_date}, '-')"
    return f"CASE WHEN {offset} THEN {to_utc} ELSE CAST({name} AS TIMESTAMP) END"


def _amount(col: Column | None) -> str:
    if col is None:
        return f"CAST(NULL AS {DECIMAL})"
    name = quote_ident(col.name)
    if col.type.upper().startswith("VARCHAR"):
        return f"CAST(NULLIF(trim({name}), '') AS {DECIMAL})"
    return f"CAST({name} AS {DECIMAL})"


def _text(col: Column | None) -> str:
    if col is None:
        return "CAST(NULL AS VARCHAR)"
    return f"NULLIF(CAST({quote_ident(col.name)} AS VARCHAR), '')"


def projection(
    source_index: int, reader: str, columns: Mapping[str, Column], tag_keys: Sequence[str]
) -> str:
    """A SELECT over ``reader`` (a table function such as ``read_parquet([...])``) giving the
    normalised bill relation: ``source``, ``period_start``, ``period_end``, the amounts, the
    text columns of ``_TEXT``, ``tag_0..tag_n`` for ``tag_keys`` and ``bad_tags``."""
    tag_exprs, inner_tags, bad = tag_values(columns.get("Tags"), tag_keys)
    outer = [
        f"{source_index} AS source",
        f"{_timestamp(columns['ChargePeriodStart'])} AS period_start",
        f"{_timestamp(columns['ChargePeriodEnd'])} AS period_end",
    ]
    outer += [f"{_amount(columns.get(f))} AS {alias}" for f, alias in _AMOUNTS.items()]
    outer += [f"{_text(columns.get(f))} AS {alias}" for f, alias in _TEXT.items()]
    outer += [f"{expr} AS tag_{i}" for i, expr in enumerate(tag_exprs)]
    outer.append(f"{bad} AS bad_tags")
    if inner_tags:
        return f"SELECT {', '.join(outer)} FROM (SELECT *{inner_tags} FROM {reader})"
    return f"SELECT {', '.join(outer)} FROM {reader}"
