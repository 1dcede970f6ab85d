"""The bill as SQL leaves it for Python: sums per rule and month (and a few more), never bill
rows. Whatever the size of the bill, this is a few rows per workload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class MonthSpan:
    """The rows of one source in one month: where its charge periods start and end."""

    source: int
    month: date
    first_start: datetime
    last_end: datetime


@dataclass(frozen=True, slots=True)
class RuleMonth:
    """Sums (exact ``Decimal``) of the rows a rule took in one month; ``tag_workload`` is the
    tag value naming the workload when the rule is a ``workload_tag`` rule. ``committed`` is
    the EffectiveCost of rows a commitment covered (CommitmentDiscountStatus ``Used``)."""

    rule: int
    tag_workload: str | None
    month: date
    effective: Decimal
    billed: Decimal
    list: Decimal
    committed: Decimal


@dataclass(frozen=True, slots=True)
class RuleCategory:
    """EffectiveCost a rule took per ServiceCategory, summed over the months averaged."""

    rule: int
    tag_workload: str | None
    category: str
    effective: Decimal


@dataclass(frozen=True, slots=True)
class UnmappedSum:
    """Unmapped EffectiveCost over the months averaged, by ``service`` or by a tag key."""

    key: str
    value: str | None
    effective: Decimal


@dataclass(frozen=True, slots=True)
class CommitmentUse:
    """Rows of one commitment discount with one status, taken by one rule (``None``:
    unmapped), over the months averaged; ``last_month`` the latest month they appear in."""

    commitment_id: str
    status: str | None
    rule: int | None
    tag_workload: str | None
    effective: Decimal
    billed: Decimal
    last_month: date


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """One group of export files read together (same format and columns)."""

    index: int
    format: str
    files: tuple[str, ...]
    tags: str | None
    """How its Tags column is read (``map``, ``json``, ``pairs``) or ``None`` if it has none."""


@dataclass(frozen=True, slots=True)
class BillSummary:
    """What reading the exports produced, for the months averaged (``months``)."""

    spans: tuple[MonthSpan, ...]
    months: tuple[date, ...]
    mapped: tuple[RuleMonth, ...]
    categories: tuple[RuleCategory, ...]
    unmapped: tuple[UnmappedSum, ...]
    commitments: tuple[CommitmentUse, ...]
    total_effective: Decimal
    correction_rows: int
    correction_effective: Decimal
    credit_effective: Decimal
    bad_tags: int
    null_costs: int
    sources: tuple[SourceInfo, ...]
    unmapped_tag_keys: tuple[str, ...]
