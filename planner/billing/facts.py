"""The bill as the mapping SQL leaves it: one ``Fact`` per (source, month, currency, charge
category and class, rule, workload named by a tag, service, commitment...) with exact sums.
A few rows per workload and month, whatever the size of the bill."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Fact:
    """One group of bill rows and its sums (``Decimal``, exact to 10 decimals).

    ``rule`` is the index of the mapping rule that took the rows (``None``: unmapped);
    ``tag_workload`` the tag value naming the workload when that rule is a ``workload_tag``
    rule; ``unmapped_tags`` the values of the reported tag keys (unmapped rows only)."""

    source: int
    month: date
    currency: str | None
    category: str | None
    charge_class: str | None
    rule: int | None
    tag_workload: str | None
    service: str | None
    service_category: str | None
    commitment_id: str | None
    commitment_status: str | None
    unmapped_tags: tuple[str | None, ...]
    billed: Decimal
    effective: Decimal
    list: Decimal
    rows: int
    first_start: datetime
    last_end: datetime
    bad_tags: int
    null_costs: int


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """One group of export files read together (same format and columns)."""

    index: int
    format: str
    files: tuple[str, ...]
    tags: str | None
    """How its Tags column is read (``map``, ``json``, ``pairs``) or ``None`` if it has none."""


@dataclass(frozen=True, slots=True)
class BillFacts:
    """What reading the exports produced: the facts, the sources and the tag keys reported
    for unmapped rows (``Fact.unmapped_tags`` follow this order)."""

    facts: tuple[Fact, ...]
    sources: tuple[SourceInfo, ...]
    unmapped_tag_keys: tuple[str, ...]
