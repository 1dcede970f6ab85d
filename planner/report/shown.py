"""Figures as the reader sees them: in the project currency (``planner.fx``). Pure.

``plan.json`` keeps USD; ``plan.md`` and the CLI's tables convert every amount once, here:
:func:`shown` gives a copy of a ``plan_to_dict`` document with each ``Money`` converted by
``planner.fx.to_currency`` (half to even, to the cent), and the renderers write the unit as
:data:`CUR`, which :func:`with_unit` replaces by the currency code. Amounts in the prose the
core writes (findings, formulas, reasons) are marked there and converted by :func:`with_unit`
too (``planner.fx.render_text``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from planner.fx import USD, FxRate, render_text, to_currency
from planner.money import DEFAULT_CURRENCY, Money

CUR = "\u00a4\u00a4\u00a4"
"""The currency code's place in a rendered text (three currency signs, as wide as "USD")."""


def shown(data: Any, rate: FxRate) -> Any:
    """``data`` (nested dicts, lists, tuples) with every ``Money`` in ``rate.code``. A list
    of amounts (a month-by-month series) is converted by its running sums (``series``), so
    that its sum and every cumulative figure are the USD ones converted once."""
    if rate.identity:
        return data
    if isinstance(data, Money):
        return to_currency(data, rate)
    if isinstance(data, Mapping):
        return {k: shown(v, rate) for k, v in data.items()}
    if isinstance(data, list):
        if data and all(isinstance(v, Money) for v in data):
            return series(data, rate)
        return [shown(v, rate) for v in data]
    if isinstance(data, tuple):
        return tuple(shown(v, rate) for v in data)
    return data


def series(values: list[Money], rate: FxRate) -> list[Money]:
    """``values`` (USD) in ``rate.code`` such that each running sum is the USD running sum
    converted once (``to_currency``): item ``i`` is ``conv(sum[:i+1]) - conv(sum[:i])``,
    within a cent of ``conv(values[i])``."""
    out: list[Money] = []
    acc = Money.zero(DEFAULT_CURRENCY)
    before = Money.zero(rate.code)
    for v in values:
        acc += v
        now = to_currency(acc, rate)
        out.append(now - before)
        before = now
    return out


def with_unit(text: str, rate: FxRate) -> str:
    """``text`` as the reader sees it: the currency code where a renderer wrote :data:`CUR`,
    and the amounts the core marked in its prose in ``rate.code`` (``fx.render_text``)."""
    return render_text(text.replace(CUR, rate.code), rate)


def rate_of(d: Mapping[str, Any] | str | None) -> FxRate:
    """The ``FxRate`` of a ``currency`` object (``plan.json`` schema 2, ``currency_dict``);
    USD for a schema-1 code or nothing."""
    if not isinstance(d, Mapping) or d.get("code") in (None, DEFAULT_CURRENCY):
        return USD
    return FxRate(
        str(d["code"]),
        Decimal(str(d["usd_per_unit"])),
        str(d.get("date") or ""),
        str(d.get("source") or ""),
    )


def code_of(d: Mapping[str, Any]) -> str:
    """A ``plan_to_dict`` document's project currency code (schema 2), or USD (schema 1)."""
    return rate_of(d.get("currency")).code
