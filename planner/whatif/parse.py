"""What-if input -> values: one change (a CLI flag), a scenario (a YAML list of changes) and
a sweep (``KEY=FROM..TO:STEP``). Pure; a bad input raises ``UsageError`` with an example."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from planner.errors import UsageError
from planner.money import decimal_of
from planner.names import nearest_name, nearest_names

N = TypeVar("N", float, Decimal)

CHANGE_KINDS: tuple[str, ...] = (
    "move",
    "price",
    "capacity",
    "horizon",
    "growth",
    "waves",
    "max-moves-per-wave",
)

MAX_WAVES = 10_000
"""The most waves (or moves per wave) a what-if may ask for: the project schema's ceiling
on ``settings.waves.max_moves_per_wave``."""

MAX_SWEEP_POINTS = 201

MAX_HORIZON_MONTHS = 360
"""The longest horizon a what-if may ask for: ``settings.horizon_months``' maximum in the
project schema (30 years)."""

MAX_AMOUNT = 10**9
"""The largest price or capacity a what-if may set or add: the highest ceiling of a price in
the sites schema (``price_overrides``, ``labour_usd_per_month``), so no change can push a
figure towards ``inf`` or ``NaN``."""

MAX_PCT = 10_000.0
"""The largest increase in percent (a hundredfold); the smallest is -100 %."""

MAX_RESULT = 10**15
"""The largest value a chain of changes may produce (the policies schema's ceiling on a
number): repeated increases in a scenario cannot compound into an overflow."""

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


@dataclass(frozen=True, slots=True)
class Change:
    """One parsed change. ``op`` is ``set`` (absolute), ``add`` (+/- N) or ``pct`` (+/- N %)."""

    kind: str
    target: str
    op: str
    value: float
    text: str
    site: str = ""
    """For ``move``: the site the workload is pinned to."""

    def describe(self) -> str:
        if self.kind == "move":
            return f"move {self.target} to {self.site}"
        if self.kind == "horizon":
            return f"horizon {self.value:g} months"
        if self.kind == "growth":
            return f"demand {self.value:+g} %"
        if self.kind == "waves":
            return f"moves spread over about {self.value:g} waves"
        if self.kind == "max-moves-per-wave":
            return f"at most {self.value:g} moves per wave"
        amount = {
            "set": f"= {self.value:g}",
            "add": f"{self.value:+g}",
            "pct": f"{self.value:+g} %",
        }[self.op]
        return f"{self.kind} {self.target} {amount}"

    def applied_to(self, old: N) -> N:
        """``old`` changed by this change: scaled (``pct``), added to (``add``) or set,
        computed on exact decimals (a price stays a ``Decimal``; a float input comes back as
        the float nearest the exact result, not with a float product's noise)."""
        value, before = decimal_of(self.value), decimal_of(old)
        if self.op == "pct":
            out = before * (1 + value / 100)
        elif self.op == "add":
            out = before + value
        else:
            out = value
        if abs(out) > MAX_RESULT:
            raise change_error(
                self.kind,
                self.text,
                f"the changed value would be {out:.3e} (at most {MAX_RESULT:.0e})",
                "use a smaller change",
            )
        return out if isinstance(old, Decimal) else float(out)


def change_error(kind: str, text: str, why: str, fix: str) -> UsageError:
    """The error for the change ``--KIND TEXT``."""
    return UsageError(f"--{kind} {text!r}: {why}", fix=fix)


def did_you_mean(word: str, known: Sequence[str]) -> str:
    """``did you mean a, b? `` (the start of a fix) for the names close to ``word``, or ``""``."""
    close = nearest_names(word, known, limit=3, cutoff=0.5)
    return f"did you mean {', '.join(close)}? " if close else ""


def _bounded(kind: str, text: str, op: str, value: float) -> tuple[str, float]:
    """``(op, value)`` when ``value`` is within what a change may ask (``MAX_PCT`` for a
    percentage, ``MAX_AMOUNT`` for an amount); else the located usage error."""
    if op == "pct" and not -100 <= value <= MAX_PCT:
        raise change_error(
            kind, text, f"{value:g} % is out of range", f"give -100 % to +{MAX_PCT:g} %"
        )
    if op != "pct" and not abs(value) <= MAX_AMOUNT:
        raise change_error(
            kind, text, f"{value:g} is out of range", f"give at most {MAX_AMOUNT:,} either way"
        )
    return op, value


def _amount(kind: str, text: str, raw: str, *, allow_add: bool) -> tuple[str, float]:
    """``+20%`` -> (pct, 20); ``+64`` -> (add, 64) if allowed; ``55.04`` -> (set, 55.04);
    out of range (``_bounded``) is a usage error."""
    raw = raw.strip()
    m = re.fullmatch(rf"({_NUMBER})\s*%", raw)
    if m:
        return _bounded(kind, text, "pct", float(m.group(1)))
    m = re.fullmatch(_NUMBER, raw)
    if m:
        if raw[0] in "+-" and allow_add:
            return _bounded(kind, text, "add", float(raw))
        if raw[0] in "+-":
            raise change_error(
                kind,
                text,
                f"{raw!r} is ambiguous for a price",
                f"write a percentage ({raw}%) or an absolute price without a sign",
            )
        return _bounded(kind, text, "set", float(raw))
    raise change_error(
        kind, text, f"{raw!r} is not a number or percentage", "e.g. -45%, +20% or 55.04"
    )


def parse_change(kind: str, text: str) -> Change:
    """Parse one change of ``kind`` (``move``, ``price``, ``capacity``, ``horizon``,
    ``growth``). Raises ``UsageError`` with an example of the expected form."""
    text = str(text).strip()
    if kind == "move":
        name, sep, site = text.partition("=")
        if not sep or not name.strip() or not site.strip():
            raise change_error(
                kind, text, "expected WORKLOAD=SITE", "e.g. --move llm-train=aws-us-east-1"
            )
        return Change("move", name.strip(), "set", 0.0, text, site=site.strip())
    if kind in ("price", "capacity"):
        key, sep, raw = text.partition("=")
        example = "aws.p5=-45%" if kind == "price" else "gpu-pool-us.gpus.h100=+64"
        if not sep or not key.strip() or not raw.strip():
            raise change_error(kind, text, "expected KEY=AMOUNT", f"e.g. --{kind} {example}")
        op, value = _amount(kind, text, raw, allow_add=kind == "capacity")
        if kind == "capacity" and "." not in key:
            raise change_error(kind, text, "expected SITE.RESOURCE", f"e.g. --capacity {example}")
        return Change(kind, key.strip(), op, value, text)
    if kind == "horizon":
        m = re.fullmatch(r"\d{1,6}", text)
        if not m or not 1 <= int(text) <= MAX_HORIZON_MONTHS:
            raise change_error(
                kind,
                text,
                f"expected a whole number of months from 1 to {MAX_HORIZON_MONTHS}",
                "e.g. --horizon 60",
            )
        return Change("horizon", "", "set", float(int(text)), text)
    if kind in ("waves", "max-moves-per-wave"):
        if not re.fullmatch(r"\d{1,6}", text) or not 1 <= int(text) <= MAX_WAVES:
            raise change_error(
                kind,
                text,
                f"expected a whole number from 1 to {MAX_WAVES}",
                f"e.g. --{kind} 3",
            )
        return Change(kind, "", "set", float(int(text)), text)
    if kind == "growth":
        m = re.fullmatch(rf"({_NUMBER})\s*%?", text)
        if not m or not -100 < float(m.group(1)) <= MAX_PCT:
            raise change_error(
                kind,
                text,
                f"expected a percentage above -100 % and at most {MAX_PCT:g} %",
                "e.g. --growth 20%",
            )
        return Change("growth", "", "pct", float(m.group(1)), text)
    raise UsageError(f"unknown change kind {kind!r}", fix=f"use one of: {', '.join(CHANGE_KINDS)}")


def parse_scenario(data: object, *, source: str) -> tuple[Change, ...]:
    """Changes from a parsed scenario YAML: a list of one-key mappings such as
    ``[{price: aws.p5=-45%}, {move: llm-train=aws-us-east-1}, {horizon: 60}]``, or a mapping
    with that list under ``changes``."""
    items = data.get("changes") if isinstance(data, Mapping) else data
    fix = "write a YAML list such as `- price: aws.p5=-45%` / `- horizon: 60`"
    if not isinstance(items, list) or not items:
        raise UsageError(f"{source}: a scenario is a non-empty list of changes", fix=fix)
    out: list[Change] = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping) or len(item) != 1:
            raise UsageError(f"{source}: item {i + 1} is not a one-key mapping", fix=fix)
        ((kind, value),) = item.items()
        if kind not in CHANGE_KINDS:
            close = nearest_name(str(kind), CHANGE_KINDS)
            hint = f"did you mean {close!r}? " if close else ""
            raise UsageError(
                f"{source}: item {i + 1}: unknown change {kind!r}",
                fix=f"{hint}use one of: {', '.join(CHANGE_KINDS)}",
            )
        try:
            out.append(parse_change(str(kind), str(value)))
        except UsageError as exc:
            raise UsageError(f"{source}: item {i + 1}: {exc.message}", fix=exc.fix) from None
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Sweep:
    """``KEY=FROM..TO:STEP``: ``kind`` is price, horizon or growth; ``unit`` ``%`` or ``""``."""

    kind: str
    key: str
    values: tuple[float, ...]
    unit: str
    text: str

    def change_at(self, value: float) -> Change:
        if self.kind == "horizon":
            return Change("horizon", "", "set", float(round(value)), f"horizon={value:g}")
        if self.kind == "growth":
            return Change("growth", "", "pct", value, f"growth={value:g}%")
        op = "pct" if self.unit == "%" else "set"
        return Change("price", self.key, op, value, f"{self.key}={value:g}{self.unit}")

    def label(self, value: float) -> str:
        if self.kind == "horizon":
            return f"{value:g} months"
        if self.unit == "%":
            return f"{value:+g} %"
        return f"{value:g}"


def parse_sweep(text: str) -> Sweep:
    """Parse ``KEY=FROM..TO:STEP`` (``aws.p5=-60%..0%:10%``, ``KEY=20..40:5``,
    ``horizon=12..60:12``, ``growth=0%..50%:10%``)."""
    fix = "e.g. --sweep aws.p5=-60%..0%:10% or --sweep horizon=12..60:12"
    m = re.fullmatch(
        rf"\s*([^=\s]+)\s*=\s*({_NUMBER})\s*(%?)\s*\.\.\s*({_NUMBER})\s*(%?)\s*:\s*({_NUMBER})\s*(%?)\s*",
        text,
    )
    if not m:
        raise UsageError(f"--sweep {text!r}: expected KEY=FROM..TO:STEP", fix=fix)
    key, lo, u1, hi, u2, step, u3 = m.groups()
    units = {u for u in (u1, u2, u3) if u}
    if units and not (u1 and u2):
        raise UsageError(
            f"--sweep {text!r}: FROM and TO must both be percentages or neither", fix=fix
        )
    unit = "%" if units else ""
    start, stop, inc = float(lo), float(hi), float(step)
    limit = MAX_PCT if unit else MAX_AMOUNT
    if not (abs(start) <= limit and abs(stop) <= limit and inc <= limit):
        raise UsageError(f"--sweep {text!r}: values beyond +-{limit:,g}", fix=fix)
    if inc <= 0:
        raise UsageError(f"--sweep {text!r}: STEP must be positive", fix=fix)
    if stop < start:
        raise UsageError(f"--sweep {text!r}: TO must not be below FROM", fix=fix)
    n = math.floor((stop - start) / inc + 1e-9) + 1
    if n > MAX_SWEEP_POINTS:
        raise UsageError(
            f"--sweep {text!r}: {n} points (at most {MAX_SWEEP_POINTS})", fix="use a larger STEP"
        )
    values = tuple(round(start + i * inc, 10) for i in range(n))
    kind = key if key in ("horizon", "growth") else "price"
    if kind == "horizon" and unit:
        raise UsageError(f"--sweep {text!r}: the horizon is in months, not %", fix=fix)
    if kind == "horizon" and (
        start < 1 or stop > MAX_HORIZON_MONTHS or any(v != int(v) for v in values)
    ):
        raise UsageError(
            f"--sweep {text!r}: the horizon takes whole numbers of months from 1 to "
            f"{MAX_HORIZON_MONTHS}",
            fix=fix,
        )
    if kind == "growth":
        unit = "%"
        if start <= -100:
            raise UsageError(f"--sweep {text!r}: growth must be above -100 %", fix=fix)
    return Sweep(kind=kind, key=key, values=values, unit=unit, text=text)
