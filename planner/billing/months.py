"""Which months of a bill are complete, and which of them are averaged (pure).

A month is *full* when no export's data starts or ends inside it: each source's first
``ChargePeriodStart`` and last ``ChargePeriodEnd`` (exclusive) fall on month boundaries or
outside the month. A month-to-date export therefore never drags a partial month into the
average, and neither does an export that begins mid-month."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from planner.billing.facts import MonthSpan


def month_of(moment: datetime | date) -> date:
    """The first day of ``moment``'s month."""
    return date(moment.year, moment.month, 1)


def _is_month_start(moment: datetime) -> bool:
    return (
        moment.day == 1
        and moment.hour == moment.minute == moment.second == 0
        and (moment.microsecond == 0)
    )


def previous_month(month: date) -> date:
    """The first day of the month before ``month``."""
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


@dataclass(frozen=True, slots=True)
class MonthChoice:
    """``averaged``: the full months averaged, oldest first; ``partial``: months in the bill
    left out because an export starts or ends inside them; ``later``: full months after
    ``until``; ``short_by``: how many fewer full months the bill has than asked."""

    averaged: tuple[date, ...]
    partial: tuple[date, ...]
    later: tuple[date, ...]
    short_by: int


def choose_months(spans: Iterable[MonthSpan], months: int, until: str | None) -> MonthChoice:
    """The last ``months`` full months of the bill, up to ``until`` (``YYYY-MM``) if given."""
    present: set[date] = set()
    first: dict[int, datetime] = {}
    last: dict[int, datetime] = {}
    for f in spans:
        present.add(f.month)
        if f.source not in first or f.first_start < first[f.source]:
            first[f.source] = f.first_start
        if f.source not in last or f.last_end > last[f.source]:
            last[f.source] = f.last_end
    partial: set[date] = set()
    for start in first.values():
        if not _is_month_start(start):
            partial.add(month_of(start))
    for end in last.values():
        if not _is_month_start(end):
            partial.add(month_of(end))
    full = sorted(present - partial)
    limit = date.fromisoformat(until + "-01") if until else None
    later = tuple(m for m in full if limit is not None and m > limit)
    eligible = [m for m in full if limit is None or m <= limit]
    averaged = tuple(eligible[-months:]) if months > 0 else ()
    return MonthChoice(
        averaged=averaged,
        partial=tuple(sorted(partial & present)),
        later=later,
        short_by=max(0, months - len(averaged)),
    )
