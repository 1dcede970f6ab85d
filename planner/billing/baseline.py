"""The baseline from the bill (pure): facts -> per-workload monthly EffectiveCost averaged
over the chosen full months, with its trend, BilledCost and ListCost alongside, the part
covered by commitments, shared costs split by their rule, coverage, the largest unmapped
spend, and the commitments in force.

Exactness: sums arrive as ``Decimal`` (DuckDB ``DECIMAL(38,10)``) and are added as integers
of 10^-10; splits are exact (largest remainder); each figure is rounded once, to the cent,
half to even (``planner.money``'s rule), and becomes ``Money``; totals are sums of the
rounded figures shown.
"""

from __future__ import annotations

import fnmatch
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal
from fractions import Fraction

from planner.billing.facts import BillSummary, RuleMonth
from planner.billing.months import MonthChoice, choose_months
from planner.billing.spec import BillingSpec, MappingRule, SplitBasis
from planner.fx import said
from planner.money import Money, round_to_cents

TOP_UNMAPPED = 10
"""Unmapped lines listed per service and per tag key (the rest are summed as "other")."""
NO_TAG = "(no tag)"


SCALE = 10**10
"""Amounts are summed as integers of 10^-10 (DuckDB's ``DECIMAL(38,10)`` scale): exact and
fast (a ``Fraction`` per row of a 10,000-workload bill costs seconds)."""


_WIDE = Context(prec=80)
"""Wide enough that scaling any DECIMAL(38,10) by 10^10 is exact."""


def units(value: Decimal) -> int:
    """``value`` (at most 10 decimals, as DuckDB returns it) in integer 10^-10 units, exactly."""
    return int(_WIDE.scaleb(value, 10))


def pct2(value: Fraction) -> Decimal:
    """A percentage rounded to two decimals by the money rule (half to even), exactly."""
    return Decimal(round_to_cents(value)).scaleb(-2)


def cents_of(amount_units: int, currency: str, months: int = 1) -> Money:
    """``amount_units`` (10^-10) divided by ``months``, as ``Money`` rounded to the cent by
    the rule (half to even): integer arithmetic, no ``Fraction`` per figure."""
    q, r = divmod(amount_units, months * SCALE // 100)
    twice, half = 2 * r, months * SCALE // 100
    if twice > half or (twice == half and q % 2 == 1):
        q += 1
    return Money(q, currency)


@dataclass(frozen=True, slots=True)
class WorkloadBill:
    """One workload's bill, every amount per month averaged over the chosen months.

    ``effective`` includes its share of shared costs (``shared``); ``committed`` is the part
    of its own EffectiveCost covered by commitments (CommitmentDiscountStatus ``Used``);
    ``trend_pct_per_month`` is the least-squares slope of its monthly EffectiveCost as a
    percentage of the average (``None`` with fewer than two months or a zero average)."""

    workload: str
    effective: Money
    billed: Money
    list: Money
    committed: Money
    shared: Money
    monthly: tuple[tuple[date, Money], ...]
    trend_pct_per_month: Decimal | None
    by_category: tuple[tuple[str, Money], ...]
    rules: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of the bill (EffectiveCost, per month) the rules account for."""

    total: Money
    mapped: Money
    shared_allocated: Money
    unmapped: Money
    pct_mapped: Decimal | None


@dataclass(frozen=True, slots=True)
class UnmappedLine:
    """Unmapped spend per month of one service (``key`` ``service``) or one tag value."""

    key: str
    value: str
    effective: Money


@dataclass(frozen=True, slots=True)
class Commitment:
    """A commitment discount seen in the chosen months, amounts per month.

    ``used`` is EffectiveCost of usage it covered, by workload (``(unmapped)`` for the rest);
    ``unused`` its unused part; ``expires`` the declared end (``None``: unknown, FOCUS does not
    carry it); ``in_force`` whether it covers usage in the last month averaged."""

    id: str
    used: tuple[tuple[str, Money], ...]
    unused: Money
    billed: Money
    expires: date | None
    in_force: bool


@dataclass(frozen=True, slots=True)
class Baseline:
    """The whole baseline of a bill."""

    currency: str
    months: MonthChoice
    workloads: tuple[WorkloadBill, ...]
    without_bill: tuple[str, ...]
    coverage: Coverage
    unmapped_by_service: tuple[UnmappedLine, ...]
    unmapped_by_tag: tuple[UnmappedLine, ...]
    commitments: tuple[Commitment, ...]
    notes: tuple[str, ...]


@dataclass
class _Acc:
    """Sums in 10^-10 units."""

    effective: int = 0
    billed: int = 0
    list: int = 0
    committed: int = 0
    shared: int = 0


def split_exact(amount: int, weights: Mapping[str, Fraction]) -> dict[str, int]:
    """``amount`` (integer units) in proportion to ``weights`` (names with a positive
    weight; equal parts when none is positive), by largest remainder: the parts sum to
    ``amount`` exactly and each is within one unit of its exact share."""
    positive = {k: w for k, w in weights.items() if w > 0}
    if not positive:
        positive = {k: Fraction(1) for k in weights}
    if not positive:
        return {}
    total = sum(positive.values(), Fraction(0))
    exact = {k: amount * w / total for k, w in sorted(positive.items())}
    parts = {k: math.floor(v) for k, v in exact.items()}
    left = amount - sum(parts.values())
    by_remainder = sorted(exact, key=lambda k: (-(exact[k] - parts[k]), k))
    for k in by_remainder[:left]:
        parts[k] += 1
    return parts


def _trend(series: Sequence[int]) -> Decimal | None:
    """Least-squares slope of ``series`` as a percentage of its mean, per step."""
    n = len(series)
    total = sum(series)
    if n < 2 or total == 0:
        return None
    # slope = sum((2i - (n-1)) y) / (2 sum(((2i - (n-1)) / 2)^2)); mean = total / n
    num = sum((2 * i - (n - 1)) * y for i, y in enumerate(series))
    den = sum((2 * i - (n - 1)) ** 2 for i in range(n))
    return pct2(Fraction(2 * num * n * 100, den * abs(total)))


def _shared_targets(
    rule: MappingRule, own: Mapping[str, Fraction], cores: Mapping[str, Fraction]
) -> dict[str, Fraction]:
    assert rule.shared is not None
    among = rule.shared.among or tuple(sorted(k for k, v in own.items() if v != 0))
    basis = rule.shared.basis
    if basis is SplitBasis.MAPPED_SPEND:
        return {w: own.get(w, Fraction(0)) for w in among}
    if basis is SplitBasis.REQUESTED_CORES:
        return {w: cores.get(w, Fraction(0)) for w in among}
    return {w: Fraction(1) for w in among}


def _owner(rule: int | None, tag_workload: str | None, rules: Sequence[MappingRule]) -> str | None:
    """The workload rows taken by ``rule`` belong to (``None``: unmapped or shared)."""
    if rule is None or rules[rule].shared is not None:
        return None
    return rules[rule].workload if rules[rule].workload is not None else tag_workload


def _top(
    lines: Iterable[tuple[str, str, int]], n_months: int, currency: str
) -> tuple[UnmappedLine, ...]:
    by_key: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for key, value, amount in lines:
        by_key[key].append((value, amount))
    out: list[UnmappedLine] = []
    for key in sorted(by_key):
        ranked = sorted(by_key[key], key=lambda va: (-va[1], va[0]))
        out.extend(
            UnmappedLine(key, v, cents_of(a, currency, n_months)) for v, a in ranked[:TOP_UNMAPPED]
        )
        if len(ranked) > TOP_UNMAPPED:
            rest = sum(a for _, a in ranked[TOP_UNMAPPED:])
            other = f"(other {len(ranked) - TOP_UNMAPPED})"
            out.append(UnmappedLine(key, other, cents_of(rest, currency, n_months)))
    return tuple(out)


def _expiry(commitment_id: str, spec: BillingSpec) -> date | None:
    for c in spec.commitments:
        if fnmatch.fnmatchcase(commitment_id, c.id):
            return c.expires
    return None


def compute_baseline(
    bill: BillSummary,
    spec: BillingSpec,
    *,
    workloads: Sequence[str],
    cores: Mapping[str, Fraction],
    currency: str,
) -> Baseline:
    """The baseline of ``bill`` under ``spec``; ``workloads`` are the inventory's names and
    ``cores`` their declared cores x replicas (the ``requested-cores`` split)."""
    choice = choose_months(bill.spans, spec.months, spec.until)
    n = len(bill.months)
    rules = spec.rules

    own: dict[tuple[str, date], _Acc] = defaultdict(_Acc)
    used_rules: dict[str, set[int]] = defaultdict(set)
    pools: list[RuleMonth] = []
    for r in bill.mapped:
        owner = _owner(r.rule, r.tag_workload, rules)
        if owner is None:
            pools.append(r)
            continue
        acc = own[(owner, r.month)]
        used_rules[owner].add(r.rule)
        acc.effective += units(r.effective)
        acc.billed += units(r.billed)
        acc.list += units(r.list)
        acc.committed += units(r.committed)

    direct: dict[date, dict[str, Fraction]] = defaultdict(dict)
    for (w, m), acc in own.items():
        direct[m][w] = Fraction(acc.effective)  # before any shared part
    unallocated: list[tuple[str, str, int]] = []
    allocated = 0
    for pool in pools:
        rule = rules[pool.rule]
        weights = _shared_targets(rule, direct.get(pool.month, {}), cores)
        amount = units(pool.effective)
        if not weights:
            unallocated.append(("service", f"(shared by {rule.describe()}: no workload)", amount))
            continue
        allocated += amount
        effective = split_exact(amount, weights)
        billed = split_exact(units(pool.billed), weights)
        listed = split_exact(units(pool.list), weights)
        for w, part in effective.items():
            acc = own[(w, pool.month)]
            used_rules[w].add(pool.rule)
            acc.effective += part
            acc.shared += part
            acc.billed += billed[w]
            acc.list += listed[w]

    categories: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in bill.categories:
        owner = _owner(c.rule, c.tag_workload, rules)
        if owner is not None:
            categories[owner][c.category] += units(c.effective)

    out: list[WorkloadBill] = []
    empty = _Acc()
    for w in sorted({w for w, _ in own}):
        series = [own.get((w, m), empty) for m in bill.months]
        cats = sorted(
            ((c, cents_of(a, currency, n)) for c, a in categories[w].items()),
            key=lambda ca: (-ca[1].cents, ca[0]),
        )
        out.append(
            WorkloadBill(
                workload=w,
                effective=cents_of(sum(a.effective for a in series), currency, n),
                billed=cents_of(sum(a.billed for a in series), currency, n),
                list=cents_of(sum(a.list for a in series), currency, n),
                committed=cents_of(sum(a.committed for a in series), currency, n),
                shared=cents_of(sum(a.shared for a in series), currency, n),
                monthly=tuple(
                    (m, cents_of(a.effective, currency))
                    for m, a in zip(bill.months, series, strict=True)
                ),
                trend_pct_per_month=_trend([a.effective for a in series]),
                by_category=tuple(cats),
                rules=tuple(sorted(used_rules[w])),
            )
        )
    unmapped_lines = [
        (u.key, u.value if u.value is not None else NO_TAG, units(u.effective))
        for u in bill.unmapped
    ]
    unmapped_total = sum(a for k, _, a in unmapped_lines if k == "service")
    unmapped_total += sum(a for _, _, a in unallocated)
    mapped_total = Money.total((b.effective for b in out), currency)
    total = cents_of(units(bill.total_effective), currency, n)
    coverage = Coverage(
        total=total,
        mapped=mapped_total,
        shared_allocated=cents_of(allocated, currency, n),
        unmapped=cents_of(unmapped_total, currency, n),
        pct_mapped=pct2(mapped_total.ratio(total) * 100) if total.cents > 0 else None,
    )
    services = [line for line in unmapped_lines if line[0] == "service"] + unallocated
    return Baseline(
        currency=currency,
        months=choice,
        workloads=tuple(out),
        without_bill=tuple(sorted(set(workloads) - {b.workload for b in out})),
        coverage=coverage,
        unmapped_by_service=_top(services, n, currency),
        unmapped_by_tag=_top(
            [line for line in unmapped_lines if line[0] != "service"], n, currency
        ),
        commitments=_commitments(bill, rules, spec, currency),
        notes=_notes(bill, choice, spec, currency),
    )


def _commitments(
    bill: BillSummary, rules: Sequence[MappingRule], spec: BillingSpec, currency: str
) -> tuple[Commitment, ...]:
    n = len(bill.months)
    used: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    unused: dict[str, int] = defaultdict(int)
    billed: dict[str, int] = defaultdict(int)
    last_used: dict[str, date] = {}
    for c in bill.commitments:
        status = (c.status or "").lower()
        billed[c.commitment_id] += units(c.billed)
        if status == "used":
            owner = _owner(c.rule, c.tag_workload, rules) or "(unmapped)"
            used[c.commitment_id][owner] += units(c.effective)
            last = last_used.get(c.commitment_id, c.last_month)
            last_used[c.commitment_id] = max(last, c.last_month)
        elif status == "unused":
            unused[c.commitment_id] += units(c.effective)
    last_month = bill.months[-1]
    out = []
    for cid in sorted(billed):
        expires = _expiry(cid, spec)
        out.append(
            Commitment(
                id=cid,
                used=tuple((w, cents_of(a, currency, n)) for w, a in sorted(used[cid].items())),
                unused=cents_of(unused[cid], currency, n),
                billed=cents_of(billed[cid], currency, n),
                expires=expires,
                in_force=last_used.get(cid) == last_month
                and (expires is None or expires >= last_month),
            )
        )
    return tuple(out)


def _notes(
    bill: BillSummary, choice: MonthChoice, spec: BillingSpec, currency: str
) -> tuple[str, ...]:
    notes = []
    if choice.short_by:
        notes.append(
            f"billing.months asks for {spec.months} full months; the bill has "
            f"{len(choice.averaged)}: the average is over those"
        )
    if choice.partial:
        listed = ", ".join(m.isoformat()[:7] for m in choice.partial)
        notes.append(f"partial months left out: {listed}")
    if choice.later:
        listed = ", ".join(m.isoformat()[:7] for m in choice.later)
        notes.append(f"full months after billing.until left out: {listed}")
    if bill.correction_rows:
        notes.append(
            f"{bill.correction_rows} correction row(s) (ChargeClass Correction) counted in the "
            f"month they correct: {said(Money.of(bill.correction_effective, currency))} "
            "EffectiveCost "
            "in total"
        )
    if bill.credit_effective:
        notes.append(
            f"credits (ChargeCategory Credit) reduce the months they fall in: "
            f"{said(Money.of(bill.credit_effective, currency))}"
        )
    if bill.bad_tags:
        notes.append(f"{bill.bad_tags} row(s) with Tags that are not JSON were read as untagged")
    if bill.null_costs:
        notes.append(f"{bill.null_costs} row(s) without BilledCost or EffectiveCost were read as 0")
    return tuple(notes)
