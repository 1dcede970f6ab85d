"""Migration waves: the order and months in which a plan's moves happen (``planner.waves``).

Months are the plan's months ``1..N`` (month 1 is ``WavePlan.start_month``). The money of
the waves (one-off cost, cash position, payback) is the report's (``planner.report.waves``):
it is computed from the plan's ledgers, once.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.money import DEFAULT_CURRENCY, Money

_ZERO = Money.zero(DEFAULT_CURRENCY)


def month_label(start_month: str, offset: int) -> str:
    """The calendar month ``offset`` months after ``start_month`` (``YYYY-MM``): month 1
    of a plan is ``month_label(start, 0)``."""
    year, month = (int(x) for x in start_month.split("-"))
    total = year * 12 + (month - 1) + offset
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


@dataclass(frozen=True, slots=True)
class Wave:
    """One wave: its move groups cut over at the start of ``start_month``; the old copies
    run until the end of ``end_month`` (double running), then the next wave starts."""

    number: int
    """1-based."""
    workloads: tuple[str, ...]
    """Cutover order: move groups by saving, within a group readers before the stateful
    workloads they read (each one's data moves once its readers are ready)."""
    groups: tuple[tuple[str, ...], ...]
    """The move groups (workloads joined by latency-bound dependencies), in wave order."""
    start_month: int
    end_month: int
    data_gib: float
    """Datasets moved (``data.dataset_gib``, plus stored objects of object stores)."""
    one_off: Money = _ZERO
    """The migration of its workloads (``Placement.migration``), paid at ``start_month``."""
    double_running: Money = _ZERO
    """The part of ``one_off`` that is running the old copies alongside the new."""
    saving_per_month: Money = _ZERO
    """Today's cost of its workloads minus theirs with the plan, a month."""
    notes: tuple[str, ...] = ()
    """Why the wave starts when it does, or breaks a limit (a group larger than it)."""


@dataclass(frozen=True, slots=True)
class WaveMove:
    """Why one workload moves in its wave."""

    workload: str
    wave: int
    group: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WavePlan:
    """The waves of a plan, and the settings they were built under."""

    start_month: str
    """Calendar month of month 1 (``YYYY-MM``): the timeline's origin."""
    max_moves_per_wave: int
    """The move limit applied (after ``target_waves``)."""
    max_data_tb_per_wave: float
    waves: tuple[Wave, ...]
    moves: tuple[WaveMove, ...]
    """Every moved workload, sorted by name."""

    def move(self, workload: str) -> WaveMove | None:
        """The wave move of ``workload``, or ``None`` when it does not move."""
        for m in self.moves:
            if m.workload == workload:
                return m
        return None

    def start_of(self, workload: str) -> int | None:
        """The month ``workload`` cuts over, or ``None``."""
        m = self.move(workload)
        return None if m is None else self.waves[m.wave - 1].start_month
