"""The baseline from the bill (pure): facts -> per-workload monthly EffectiveCost averaged
over the chosen full months, with its trend, BilledCost and ListCost alongside, the part
covered by commitments, shared costs split by their rule, coverage, the largest unmapped
spend, and the commitments in force.

Exactness: sums arrive as ``Decimal`` (DuckDB ``DECIMAL(38,10)``); splits and averages are
exact fractions; each figure is rounded once, to the cent, half to even, and totals are sums
of the rounded figures shown.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from planner.billing.facts import BillFacts, Fact
from planner.billing.months import MonthChoice, choose_months
from planner.billing.spec import PROJECT_FILE, BillingSpec, MappingRule, SplitBasis
from planner.errors import InputError, Problem

CENT = Decimal("0.01")
TOP_UNMAPPED = 10
"""Unmapped lines listed per service and per tag key (the rest are summed as "other")."""
NO_TAG = "(no tag)"


def cents(value: Fraction | Decimal | int) -> Decimal:
    """``value`` rounded to the cent, half to even, exactly: the one rounding of a figure
    (the rule ``planner.money`` states; amounts become ``Money`` once it is on main)."""
    whole = round(Fraction(value) * 100)  # Fraction rounds half to even, exactly
    return Decimal(whole).scaleb(-2)


@dataclass(frozen=True, slots=True)
class WorkloadBill:
    """One workload's bill, every amount per month averaged over the chosen months.

    ``effective`` includes its share of shared costs (``shared``); ``committed`` is the part
    of its own EffectiveCost covered by commitments (CommitmentDiscountStatus ``Used``);
    ``trend_pct_per_month`` is the least-squares slope of its monthly EffectiveCost as a
    percentage of the average (``None`` with fewer than two months or a zero average)."""

    workload: str
    effective: Decimal
    billed: Decimal
    list: Decimal
    committed: Decimal
    shared: Decimal
    monthly: tuple[tuple[date, Decimal], ...]
    trend_pct_per_month: Decimal | None
    by_category: tuple[tuple[str, Decimal], ...]
    rules: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of the bill (EffectiveCost, per month) the rules account for."""

    total: Decimal
    mapped: Decimal
    shared_allocated: Decimal
    unmapped: Decimal
    pct_mapped: Decimal | None


@dataclass(frozen=True, slots=True)
class UnmappedLine:
    """Unmapped spend per month of one service (``key`` ``service``) or one tag value."""

    key: str
    value: str
    effective: Decimal


@dataclass(frozen=True, slots=True)
class Commitment:
    """A commitment discount seen in the chosen months, amounts per month.

    ``used`` is EffectiveCost of usage it covered, by workload (``(unmapped)`` for the rest);
    ``unused`` its unused part; ``expires`` the declared end (``None``: unknown, FOCUS does not
    carry it); ``in_force`` whether it covers usage in the last month averaged."""

    id: str
    used: tuple[tuple[str, Decimal], ...]
    unused: Decimal
    billed: Decimal
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
    effective: Fraction = Fraction(0)
    billed: Fraction = Fraction(0)
    list: Fraction = Fraction(0)
    committed: Fraction = Fraction(0)
    shared: Fraction = Fraction(0)


def split_exact(amount: Fraction, weights: Mapping[str, Fraction]) -> dict[str, Fraction]:
    """``amount`` in proportion to ``weights`` (names with positive weight), exactly: the
    parts sum to ``amount``. Equal parts when no weight is positive."""
    positive = {k: w for k, w in weights.items() if w > 0}
    if not positive:
        names = sorted(weights)
        return {k: amount / len(names) for k in names} if names else {}
    total = sum(positive.values(), Fraction(0))
    return {k: amount * w / total for k, w in sorted(positive.items())}


def _trend(series: Sequence[Fraction]) -> Decimal | None:
    n = len(series)
    mean = sum(series, Fraction(0)) / n if n else Fraction(0)
    if n < 2 or mean == 0:
        return None
    xbar = Fraction(n - 1, 2)
    num = sum(((i - xbar) * (y - mean) for i, y in enumerate(series)), Fraction(0))
    den = sum(((i - xbar) ** 2 for i in range(n)), Fraction(0))
    return cents(num / den / abs(mean) * 100)


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


def _owner(fact: Fact, rules: Sequence[MappingRule]) -> str | None:
    if fact.rule is None:
        return None
    rule = rules[fact.rule]
    return rule.workload if rule.workload is not None else fact.tag_workload


def _top(totals: Mapping[tuple[str, str], Fraction], n_months: int) -> tuple[UnmappedLine, ...]:
    by_key: dict[str, list[tuple[str, Fraction]]] = defaultdict(list)
    for (key, value), amount in totals.items():
        by_key[key].append((value, amount))
    out: list[UnmappedLine] = []
    for key in sorted(by_key):
        ranked = sorted(by_key[key], key=lambda va: (-va[1], va[0]))
        for value, amount in ranked[:TOP_UNMAPPED]:
            out.append(UnmappedLine(key, value, cents(amount / n_months)))
        rest = sum((a for _, a in ranked[TOP_UNMAPPED:]), Fraction(0))
        if len(ranked) > TOP_UNMAPPED:
            out.append(UnmappedLine(key, f"(other {len(ranked) - TOP_UNMAPPED})", cents(rest / n_months)))
    return tuple(out)


def _expiry(commitment_id: str, spec: BillingSpec) -> date | None:
    for c in spec.commitments:
        if fnmatch.fnmatchcase(commitment_id, c.id):
            return c.expires
    return None


def compute_baseline(
    bill: BillFacts,
    spec: BillingSpec,
    *,
    workloads: Sequence[str],
    cores: Mapping[str, Fraction],
    currency: str,
) -> Baseline:
    """The baseline of ``bill`` under ``spec``; ``workloads`` are the inventory's names and
    ``cores`` their declared cores x replicas (the ``requested-cores`` split). Raises
    ``InputError`` when the bill has no full month to average."""
    choice = choose_months(bill.facts, spec.months, spec.until)
    if not choice.averaged:
        raise InputError(
            [
                Problem(
                    PROJECT_FILE,
                    0,
                    0,
                    "billing",
                    "the bill has no full month to average"
                    + (f" (partial: {', '.join(m.isoformat()[:7] for m in choice.partial)})"
                       if choice.partial else ""),
                    "export at least one whole month, or set billing.until to a month the "
                    "bill covers in full",
                )
            ]
        )
    chosen = set(choice.averaged)
    n = len(choice.averaged)
    rules = spec.rules
    facts = [f for f in bill.facts if f.month in chosen]

    own: dict[tuple[str, date], _Acc] = defaultdict(_Acc)
    category: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    used_rules: dict[str, set[int]] = defaultdict(set)
    shared_pool: dict[tuple[int, date], _Acc] = defaultdict(_Acc)
    unmapped_service: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    unmapped_tag: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    total = Fraction(0)
    unmapped = Fraction(0)
    for f in facts:
        eff = Fraction(f.effective)
        total += eff
        owner = _owner(f, rules)
        if f.rule is not None and rules[f.rule].shared is not None:
            acc = shared_pool[(f.rule, f.month)]
        elif owner is not None:
            acc = own[(owner, f.month)]
            used_rules[owner].add(f.rule or 0)
            category[(owner, f.service_category or "(none)")] += eff
            if (f.commitment_status or "").lower() == "used":
                acc.committed += eff
        else:
            unmapped += eff
            unmapped_service[("service", f.service or "(none)")] += eff
            for key, value in zip(bill.unmapped_tag_keys, f.unmapped_tags, strict=True):
                unmapped_tag[(key, value if value is not None else NO_TAG)] += eff
            continue
        acc.effective += eff
        acc.billed += Fraction(f.billed)
        acc.list += Fraction(f.list)

    unallocated = Fraction(0)
    allocated = Fraction(0)
    direct = {key: acc.effective for key, acc in own.items()}  # before any shared part
    for (rule_index, month), pool in sorted(shared_pool.items()):
        rule = rules[rule_index]
        month_own = {w: a for (w, m), a in direct.items() if m == month}
        weights = _shared_targets(rule, month_own, cores)
        if not weights:
            unallocated += pool.effective
            unmapped_service[("service", f"(shared by {rule.describe()}, no workload to share)")] += (
                pool.effective
            )
            continue
        parts = split_exact(Fraction(1), weights)
        allocated += pool.effective
        for w, share in parts.items():
            acc = own[(w, month)]
            used_rules[w].add(rule_index)
            acc.effective += pool.effective * share
            acc.shared += pool.effective * share
            acc.billed += pool.billed * share
            acc.list += pool.list * share
    unmapped += unallocated

    names = sorted({w for w, _ in own})
    out: list[WorkloadBill] = []
    for w in names:
        series = [own[(w, m)] if (w, m) in own else _Acc() for m in choice.averaged]
        cats = sorted(
            ((c, cents(a / n)) for (x, c), a in category.items() if x == w),
            key=lambda ca: (-ca[1], ca[0]),
        )
        out.append(
            WorkloadBill(
                workload=w,
                effective=cents(sum((a.effective for a in series), Fraction(0)) / n),
                billed=cents(sum((a.billed for a in series), Fraction(0)) / n),
                list=cents(sum((a.list for a in series), Fraction(0)) / n),
                committed=cents(sum((a.committed for a in series), Fraction(0)) / n),
                shared=cents(sum((a.shared for a in series), Fraction(0)) / n),
                monthly=tuple(
                    (m, cents(a.effective)) for m, a in zip(choice.averaged, series, strict=True)
                ),
                trend_pct_per_month=_trend([a.effective for a in series]),
                by_category=tuple(cats),
                rules=tuple(sorted(used_rules[w])),
            )
        )
    mapped_total = sum((b.effective for b in out), Decimal(0))
    total_c = cents(total / n)
    coverage = Coverage(
        total=total_c,
        mapped=mapped_total,
        shared_allocated=cents(allocated / n),
        unmapped=cents(unmapped / n),
        pct_mapped=cents(Fraction(mapped_total) / Fraction(total_c) * 100) if total_c > 0 else None,
    )
    return Baseline(
        currency=currency,
        months=choice,
        workloads=tuple(out),
        without_bill=tuple(sorted(set(workloads) - set(names))),
        coverage=coverage,
        unmapped_by_service=_top(unmapped_service, n),
        unmapped_by_tag=_top(unmapped_tag, n),
        commitments=_commitments(facts, rules, spec, choice, n),
        notes=_notes(bill.facts, facts, choice, spec),
    )


def _commitments(
    facts: Iterable[Fact],
    rules: Sequence[MappingRule],
    spec: BillingSpec,
    choice: MonthChoice,
    n: int,
) -> tuple[Commitment, ...]:
    used: dict[str, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    unused: dict[str, Fraction] = defaultdict(Fraction)
    billed: dict[str, Fraction] = defaultdict(Fraction)
    last_used: dict[str, date] = {}
    for f in facts:
        if not f.commitment_id:
            continue
        cid = f.commitment_id
        status = (f.commitment_status or "").lower()
        billed[cid] += Fraction(f.billed)
        if status == "used":
            owner = _owner(f, rules)
            used[cid][owner if owner is not None and rules[f.rule or 0].shared is None else "(unmapped)"] += (
                Fraction(f.effective)
            )
            last_used[cid] = max(last_used.get(cid, f.month), f.month)
        elif status == "unused":
            unused[cid] += Fraction(f.effective)
        else:
            unused[cid] += 0
    last = choice.averaged[-1]
    out = []
    for cid in sorted(set(billed) | set(used) | set(unused)):
        expires = _expiry(cid, spec)
        out.append(
            Commitment(
                id=cid,
                used=tuple((w, cents(a / n)) for w, a in sorted(used[cid].items())),
                unused=cents(unused[cid] / n),
                billed=cents(billed[cid] / n),
                expires=expires,
                in_force=last_used.get(cid) == last and (expires is None or expires >= last),
            )
        )
    return tuple(out)


def _notes(
    every: Sequence[Fact], chosen: Sequence[Fact], choice: MonthChoice, spec: BillingSpec
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
    corrections = [f for f in chosen if (f.charge_class or "").lower() == "correction"]
    if corrections:
        amount = sum((Fraction(f.effective) for f in corrections), Fraction(0))
        rows = sum(f.rows for f in corrections)
        notes.append(
            f"{rows} correction row(s) (ChargeClass Correction) counted in the month they "
            f"correct: {cents(amount)} EffectiveCost in total"
        )
    credits = [f for f in chosen if (f.category or "").lower() == "credit"]
    if credits:
        amount = sum((Fraction(f.effective) for f in credits), Fraction(0))
        notes.append(f"credits (ChargeCategory Credit) reduce the months they fall in: {cents(amount)}")
    bad = sum(f.bad_tags for f in every)
    if bad:
        notes.append(f"{bad} row(s) with Tags that are not JSON were read as untagged")
    null = sum(f.null_costs for f in every)
    if null:
        notes.append(f"{null} row(s) without BilledCost or EffectiveCost were read as 0")
    return tuple(notes)
