"""The ``billing:`` section of project.yaml as values: which FOCUS exports to read, how bill
rows map to workloads (first matching rule wins), how shared costs are split, how many full
months to average, and the commitment expiries the bill cannot tell."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

from planner.model import SourceRef

DEFAULT_MONTHS = 3
"""Full months averaged when the project does not say (a quarter: long enough to smooth one
odd month, short enough to reflect today's estate)."""


class SplitBasis(StrEnum):
    """How a shared cost (support, monitoring, unused commitments...) is split among workloads."""

    MAPPED_SPEND = "mapped-spend"
    """In proportion to each workload's own mapped EffectiveCost in the same month."""
    REQUESTED_CORES = "requested-cores"
    """In proportion to each workload's declared cores x replicas (inventory.yaml): usage."""
    EVEN = "even"
    """Equal parts."""


@dataclass(frozen=True, slots=True)
class Match:
    """Conditions on one bill row; all given ones must hold (an empty match holds for all).

    ``tags`` are exact ``key = value`` pairs on the FOCUS ``Tags`` column; ``resource_id`` is
    a glob (``*`` any run of characters, ``?`` one) on ``ResourceId``; ``account``,
    ``service``, ``service_category`` and ``region`` equal ``SubAccountId``, ``ServiceName``,
    ``ServiceCategory`` and ``RegionId``."""

    tags: tuple[tuple[str, str], ...] = ()
    resource_id: str | None = None
    account: str | None = None
    service: str | None = None
    service_category: str | None = None
    region: str | None = None

    def exact_fields(self) -> tuple[tuple[str, str], ...]:
        """The equality conditions as (field, value), tags as ``tag:KEY``, sorted by field."""
        pairs = [(f"tag:{k}", v) for k, v in self.tags]
        for name in ("account", "service", "service_category", "region"):
            value = getattr(self, name)
            if value is not None:
                pairs.append((name, value))
        return tuple(sorted(pairs))


@dataclass(frozen=True, slots=True)
class SharedSplit:
    """A shared cost's split: ``basis``, among the named workloads (empty: every workload
    with its own mapped spend in that month)."""

    basis: SplitBasis
    among: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MappingRule:
    """One mapping rule, ``index`` its position in ``billing.rules`` (the first match wins).

    Exactly one target: ``workload`` (rows go to that workload), ``workload_tag`` (the value of
    that tag names the workload; values that name no workload stay unmapped) or ``shared``
    (rows are split among workloads)."""

    index: int
    match: Match
    workload: str | None = None
    workload_tag: str | None = None
    shared: SharedSplit | None = None
    source: SourceRef | None = None

    def describe(self) -> str:
        """``rules[2] (project.yaml:31)`` for messages and reports."""
        where = f" ({self.source.file}:{self.source.line})" if self.source else ""
        return f"rules[{self.index}]{where}"


@dataclass(frozen=True, slots=True)
class CommitmentExpiry:
    """An expiry the bill cannot tell (FOCUS has no commitment end date): commitments whose
    ``CommitmentDiscountId`` matches the glob ``id`` end on ``expires``."""

    id: str
    expires: date
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True)
class BillingSpec:
    """The ``billing:`` section: ``exports`` are paths or globs relative to the project folder
    (``**`` crosses folders); ``months`` full months are averaged, the last one ``until``
    (``YYYY-MM``) or the last full month of the bill; ``currency`` is the BillingCurrency every
    row must have (default: the project's currency)."""

    exports: tuple[str, ...]
    rules: tuple[MappingRule, ...] = ()
    months: int = DEFAULT_MONTHS
    until: str | None = None
    currency: str | None = None
    shared_split: SplitBasis = SplitBasis.MAPPED_SPEND
    commitments: tuple[CommitmentExpiry, ...] = ()
    report_tags: tuple[str, ...] = field(default=())
    """Tag keys whose values are listed for unmapped spend (default: the keys the rules use)."""

    def tag_keys(self) -> tuple[str, ...]:
        """Every tag key the rules and the report read, in first-use order."""
        keys: list[str] = []
        for rule in self.rules:
            keys.extend(k for k, _ in rule.match.tags)
            if rule.workload_tag is not None:
                keys.append(rule.workload_tag)
        keys.extend(self.report_tags)
        return tuple(dict.fromkeys(keys))


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One export file: ``name`` as shown (relative to the project folder), ``path`` to read."""

    name: str
    path: Path
