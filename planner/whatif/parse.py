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

CHANGE_KINDS: tuple[str, ...] = ("move", "price", "capacity", "horizon", "growth")

MAX_SWEEP_POINTS = 201

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
        return out if isinstance(old, Decimal) else float(out)


def change_error(kind: str, text: str, why: str, fix: str) -> UsageError:
    """The error for the change ``--KIND TEXT``."""
    return UsageError(f"--{kind} {text!r}: {why}", fix=fix)


def did_you_mean(word: str, known: Sequence[str]) -> str:
    """``did you mean a, b? `` (the start of a fix) for the names close to ``word``, or ``""``."""
    close = nearest_names(word, known, limit=3, cutoff=0.5)
    return f"did you mean {', '.join(close)}? " if close else ""


def _amount(kind: str, text: str, raw: str, *, allow_add: bool) -> tuple[str, float]:
    """``+20%`` -> (pct, 20); ``+64`` -> (add, 64) if allowed; ``55.04`` -> (set, 55.04)."""
    raw = raw.strip()
    m = re.fullmatch(rf"({_NUMBER})\s*%", raw)
    if m:
        return "pct", float(m.group(1))
    m = re.fullmatch(_NUMBER, raw)
    if m:
        if raw[0] in "+-" and allow_add:
            return "add", float(raw)
        if raw[0] in "+-":
            raise change_error(
                kind,
                text,
                f"{raw!r} is ambiguous for a price",
                f"write a percentage ({raw}%) or an absolute price without a sign",
            )
        return "set", float(raw)
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
        m = re.fullmatch(r"\d+", text)
        if not m or int(text) < 1:
            raise change_error(
                kind, text, "expected a whole number of months >= 1", "e.g. --horizon 60"
            )
        return Change("horizon", "", "set", float(int(text)), text)
    if kind == "growth":
        m = re.fullmatch(rf"({_NUMBER})\s*%?", text)
        if not m or float(m.group(1)) <= -100:
            raise change_error(
                kind, text, "expected a percentage above -100 %", "e.g. --growth 20%"
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
    if kind == "horizon" and (start < 1 or any(v != int(v) for v in values)):
        raise UsageError(
            f"--sweep {text!r}: the horizon takes whole numbers of months >= 1", fix=fix
        )
    if kind == "growth":
        unit = "%"
        if start <= -100:
            raise UsageError(f"--sweep {text!r}: growth must be above -100 %", fix=fix)
    return Sweep(kind=kind, key=key, values=values, unit=unit, text=text)
