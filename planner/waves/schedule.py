"""Move groups into waves, month by month. Pure and deterministic.

Waves run one after the other. Wave ``k`` starts in month ``s_k`` (``s_1 = 1``) and lasts
``d_k = max(1, ceil(longest double running of its workloads))`` months; the next starts in
``s_k + d_k``. Each wave is filled greedily, in this order of precedence:

1. a group whose readers (``planner.waves.groups``) are not in this or an earlier wave
   waits;
2. a group whose servers (bought for the plan, or a site bought for it) arrive after
   ``s_k`` waits for them;
3. the group must fit every owned site's capacity in month ``s_k`` (arrivals counted from
   the wave's start, departures until its end: ``planner.waves.capacity``); capacity only
   grows through a wave, so its first month is its tightest;
4. at most ``max_moves`` workloads and ``max_data_tb`` TB of data per wave;
5. among the groups that may go, the largest monthly saving first (then by name).

A group larger than a limit on its own goes alone, with a note (its members must move
together). A wave nothing can enter starts when the next servers arrive; if nothing ever
could (capacity), the largest-saving group goes alone with a note saying what it overfills.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.fx import said
from planner.model import Wave, WaveMove
from planner.money import DEFAULT_CURRENCY, Money
from planner.waves.capacity import SiteRoom, Usage, WorkloadUse, overflow_of
from planner.waves.groups import MoveGroup

BYTES_PER_GIB = 2**30
BYTES_PER_TB = 10**12


def tb_of(gib: float) -> float:
    """GiB (2^30 bytes) to TB (10^12 bytes)."""
    return gib * BYTES_PER_GIB / BYTES_PER_TB


@dataclass(frozen=True, slots=True)
class GroupFacts:
    """What the scheduler weighs for one group."""

    group: MoveGroup
    saving_cents: int
    """Monthly saving of its moves (today minus with the plan), in cents."""
    data_gib: float
    ready_month: int
    """The month its servers arrive (1 when nothing is awaited)."""
    ready_why: str = ""
    months: int = 1
    """Its workloads' double running, in whole months (at least 1)."""
    currency: str = DEFAULT_CURRENCY


@dataclass(frozen=True, slots=True)
class Limits:
    max_moves: int
    max_data_tb: float


def _first_reason(facts: GroupFacts, limits: Limits) -> str:
    g = facts.group
    return (
        f"saving {said(Money(facts.saving_cents, facts.currency))}/month; "
        f"{len(g.workloads)} move(s), {tb_of(facts.data_gib):.2f} TB "
        f"(limits {limits.max_moves} moves, {limits.max_data_tb:g} TB per wave)"
    )


def _sum_into(into: dict[str, dict[str, float]], use: Mapping[str, Usage], sign: float) -> None:
    for site, usage in use.items():
        room = into.setdefault(site, {})
        for res, val in usage.items():
            room[res] = room.get(res, 0.0) + sign * val


class _State:
    """The waves so far and what each owned site holds during the wave being filled
    (kept up to date move by move: a capacity check costs the group's size)."""

    def __init__(
        self,
        facts: Sequence[GroupFacts],
        uses: Mapping[str, WorkloadUse],
        rooms: Sequence[SiteRoom],
    ) -> None:
        self.facts = facts
        self.uses = uses
        self.rooms = {r.site: r for r in rooms}
        self.wave_of_group: dict[int, int] = {}
        self.waited: dict[int, tuple[int, str]] = {}
        """Why a group last waited: (wave, reason)."""
        moved = {n for f in facts for n in f.group.workloads}
        self.pending = sorted(
            (u.ready_month, n) for n, u in uses.items() if n not in moved and u.after
        )
        self.used: dict[str, dict[str, float]] = {}
        for n in sorted(moved):
            if n in uses:
                _sum_into(self.used, uses[n].today, 1.0)
        self.leaving: list[int] = []
        self.departs = [self._departs(f) for f in facts]
        """The owned sites each group leaves (it runs there today, not with the plan)."""
        self.base = sorted(
            range(len(facts)), key=lambda i: (-facts[i].saving_cents, facts[i].group.workloads)
        )
        """Largest saving first, then by name: the groups not in a wave yet, and some that
        are (``_order`` drops those in bulk: ``dropped`` is how many waves held when it
        last did)."""
        self.dropped = 0
        self.frees: dict[int, str] = {}
        """Why a group went early: it leaves a site another group has no room in."""
        self._extra: dict[int, tuple[tuple[str, dict[str, float]], ...]] = {}
        self._caps: dict[tuple[str, int], dict[str, float]] = {}
        """Each owned site's capacity by month (``SiteRoom.at``), read once."""

    def _departs(self, f: GroupFacts) -> frozenset[str]:
        out: set[str] = set()
        for n in f.group.workloads:
            u = self.uses.get(n)
            if u is not None:
                out |= {s for s in u.today if s not in u.after}
        return frozenset(out)

    def start_wave(self, month: int) -> None:
        """The previous wave's old copies are gone; servers due by ``month`` run."""
        for i in self.leaving:
            for n in self.facts[i].group.workloads:
                if n in self.uses:
                    _sum_into(self.used, self.uses[n].today, -1.0)
        self.leaving = []
        while self.pending and self.pending[0][0] <= month:
            _, n = self.pending.pop(0)
            _sum_into(self.used, self.uses[n].after, 1.0)

    def assign(self, i: int, wave: int) -> None:
        self.wave_of_group[i] = wave
        self.leaving.append(i)
        for n in self.facts[i].group.workloads:
            if n in self.uses:
                _sum_into(self.used, self.uses[n].after, 1.0)

    def fits(self, i: int, month: int) -> tuple[str, str] | None:
        """``(site, what overflows)`` when group ``i`` does not fit now, else ``None``."""
        for site, extra in self._moving_in(i):
            room = self.rooms[site]
            cap = self._caps.get((site, month))
            if cap is None:
                cap = self._caps[(site, month)] = room.at(month)
            here = self.used.get(site, {})
            trial = {r: here.get(r, 0.0) + v for r, v in extra.items()}
            over = overflow_of(site, cap, trial, month)
            if over is not None:
                return site, over
        return None

    def _moving_in(self, i: int) -> tuple[tuple[str, dict[str, float]], ...]:
        """What group ``i`` uses with the plan on each owned site, by site (summed once:
        a blocked group is probed wave after wave)."""
        known = self._extra.get(i)
        if known is None:
            extra: dict[str, dict[str, float]] = {}
            for n in self.facts[i].group.workloads:
                if n in self.uses:
                    _sum_into(extra, self.uses[n].after, 1.0)
            known = self._extra[i] = tuple(
                (site, extra[site]) for site in sorted(extra) if site in self.rooms
            )
        return known


PROBE = 32
"""Groups, largest saving first, whose room is probed when a wave is ordered: a blocked
group further down saves too little to lift the group that would free its room."""


def _order(st: _State, month: int) -> list[int]:
    """The groups not in a wave yet (and, unless some group is blocked, some that are: the
    caller skips them) in the order they are offered a place. Largest saving first; a
    group that leaves a site another group cannot enter for want of room counts that
    group's saving too (it frees the room). Only the first ``PROBE`` groups that may
    otherwise go are probed for room (a wave is ordered in time linear in the groups, not
    quadratic)."""
    gone = st.wave_of_group
    todo = st.base
    if 2 * (len(gone) - st.dropped) > len(todo):  # groups only leave: dropped in bulk
        todo = st.base = [i for i in todo if i not in gone]
        st.dropped = len(gone)
    blocked: dict[str, tuple[int, str]] = {}
    probed = 0
    for i in todo:
        if i in gone:
            continue
        f = st.facts[i]
        if f.ready_month > month or any(j not in st.wave_of_group for j in f.group.after):
            continue
        probed += 1
        if probed > PROBE:
            break
        hit = st.fits(i, month)
        if hit is not None and f.saving_cents > blocked.get(hit[0], (0, ""))[0]:
            blocked[hit[0]] = (f.saving_cents, f.group.name)
    if not blocked:
        return todo  # _fill skips the groups already in a wave
    todo = st.base = [i for i in todo if i not in gone]
    st.dropped = len(gone)

    def key(i: int) -> tuple[int, tuple[str, ...]]:
        f = st.facts[i]
        boost, site = max(
            ((blocked[s][0], s) for s in st.departs[i] if s in blocked), default=(0, "")
        )
        if boost and i not in st.frees:
            st.frees[i] = f"leaves {site} early: frees room there for {blocked[site][1]}"
        return (-(f.saving_cents + boost), f.group.workloads)

    return sorted(todo, key=key)


def _fill(st: _State, wave: int, month: int, limits: Limits) -> list[int]:
    """Fill ``wave`` in priority order; a second pass only when a group skipped for its
    readers may now go (they went in this pass). Stops when the wave is full."""
    chosen: list[int] = []
    moves, gib = 0, 0.0
    order = _order(st, month)
    again = True
    while again and moves < limits.max_moves:
        again = False
        skipped_for_readers = False
        for i in order:
            if moves >= limits.max_moves:
                break
            if i in st.wave_of_group:
                continue
            f = st.facts[i]
            why = _wait(
                st,
                i,
                month=month,
                wave=wave,
                limits=limits,
                moves=moves,
                gib=gib,
                started=bool(chosen),
            )
            if why == _ALONE:
                st.assign(i, wave)  # the first group that may go is over a limit alone
                return [i]
            if why:
                st.waited[i] = (wave, why)
                skipped_for_readers |= why.startswith("its readers")
                continue
            chosen.append(i)
            st.assign(i, wave)
            moves += len(f.group.workloads)
            gib += f.data_gib
            again = skipped_for_readers
    return chosen


_ALONE = "alone"


def _oversize(f: GroupFacts, limits: Limits) -> bool:
    """The group alone breaks a limit: it goes in a wave of its own."""
    return len(f.group.workloads) > limits.max_moves or tb_of(f.data_gib) > limits.max_data_tb


def _wait(
    st: _State,
    i: int,
    *,
    month: int,
    wave: int,
    limits: Limits,
    moves: int,
    gib: float,
    started: bool,
) -> str:
    """Why group ``i`` may not go in ``wave`` now ("" when it may; ``_ALONE`` when it goes
    alone, being over a limit on its own). The cheap checks come before the capacity's."""
    f = st.facts[i]
    if any(j not in st.wave_of_group for j in f.group.after):
        return "its readers " + ", ".join(f.group.readers) + " are not ready yet"
    if f.ready_month > month:
        return f.ready_why
    over_limit = (
        moves + len(f.group.workloads) > limits.max_moves
        or tb_of(gib + f.data_gib) > limits.max_data_tb
    )
    if over_limit and started:
        return f"wave {wave} was full ({moves} moves, {tb_of(gib):.2f} TB)"
    hit = st.fits(i, month)
    if hit is not None:
        return f"no room in wave {wave}: {hit[1]}"
    return _ALONE if over_limit and _oversize(f, limits) else ""


def schedule(
    facts: Sequence[GroupFacts],
    uses: Mapping[str, WorkloadUse],
    rooms: Sequence[SiteRoom],
    limits: Limits,
) -> tuple[tuple[Wave, ...], tuple[WaveMove, ...]]:
    """The waves of ``facts`` (see the module docstring) and every move's reasons."""
    st = _State(facts, uses, rooms)
    waves: list[Wave] = []
    reasons: dict[int, list[str]] = {}
    month = 1
    while len(st.wave_of_group) < len(facts):
        number = len(waves) + 1
        notes: list[str] = []
        st.start_wave(month)
        chosen = _fill(st, number, month, limits)
        if not chosen:
            waiting = [
                f.ready_month
                for i, f in enumerate(facts)
                if i not in st.wave_of_group and f.ready_month > month
            ]
            if waiting:
                month = min(waiting)
                st.start_wave(month)
                chosen = _fill(st, number, month, limits)
                notes.append(f"starts in month {month}: waits for hardware to arrive")
            if not chosen:
                i = next(
                    j
                    for j in _order(st, month)
                    if j not in st.wave_of_group
                    and all(k in st.wave_of_group for k in facts[j].group.after)
                )
                hit = st.fits(i, month)
                st.assign(i, number)
                chosen = [i]
                if hit is not None:
                    notes.append(f"over capacity: {hit[1]} (no order of the moves avoids it)")
        moves = sum(len(facts[i].group.workloads) for i in chosen)
        gib = sum(facts[i].data_gib for i in chosen)
        if moves > limits.max_moves:
            notes.append(
                f"{moves} moves, over the limit of {limits.max_moves}: a move group moves together"
            )
        if tb_of(gib) > limits.max_data_tb:
            notes.append(
                f"{tb_of(gib):.3f} TB, over the limit of {limits.max_data_tb:g} TB: a move "
                "group moves together"
            )
        months = max(facts[i].months for i in chosen)
        for i in chosen:
            reasons[i] = [_first_reason(facts[i], limits), *_waited(st, i, number)]
            if i in st.frees:
                reasons[i].append(st.frees[i])
        waves.append(
            Wave(
                number=number,
                workloads=tuple(n for i in chosen for n in facts[i].group.workloads),
                groups=tuple(facts[i].group.workloads for i in chosen),
                start_month=month,
                end_month=month + months - 1,
                data_gib=round(gib, 3),
                notes=tuple(notes),
            )
        )
        month += months
    return tuple(waves), _moves(facts, st, reasons)


def _waited(st: _State, i: int, wave: int) -> list[str]:
    """Why group ``i`` did not go before ``wave``."""
    if wave == 1:
        return []
    last = st.waited.get(i)
    if last is not None and last[0] == wave - 1:
        return [last[1]]
    return [f"wave {wave - 1} filled with larger savings first"]


def _moves(
    facts: Sequence[GroupFacts], st: _State, reasons: Mapping[int, list[str]]
) -> tuple[WaveMove, ...]:
    out = []
    for i, f in enumerate(facts):
        g = f.group
        extra = []
        if len(g.workloads) > 1:
            extra.append("moves with " + ", ".join(g.workloads) + ": " + "; ".join(g.links))
        if g.readers:
            extra.append("stateful: moves once its readers " + ", ".join(g.readers) + " are ready")
        for n in g.workloads:
            why = [*extra, *reasons.get(i, [])]
            out.append(WaveMove(n, st.wave_of_group[i], g.workloads, tuple(why)))
    return tuple(sorted(out, key=lambda m: m.workload))


def whole_months(months: float) -> int:
    """Double running in whole months, at least 1 (a wave takes a month)."""
    return max(1, math.ceil(months))
