"""Figures as the reader sees them: in the project currency (``planner.fx``). Pure.

``plan.json`` keeps USD; ``plan.md`` and the CLI's tables convert every amount once, here:
:func:`shown` gives a copy of a ``plan_to_dict`` document with each ``Money`` converted by
``planner.fx.to_currency`` (half to even, to the cent), and the renderers write the unit as
:data:`CUR`, which :func:`with_unit` replaces by the currency code. Formulas and reasons
made by the core quote catalogue prices and amounts in USD, the catalogue's currency.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from planner.fx import USD, FxRate, to_currency
from planner.money import DEFAULT_CURRENCY, Money

CUR = "\u00a4\u00a4\u00a4"
"""The currency code's place in a rendered text (three currency signs, as wide as "USD")."""


def shown(data: Any, rate: FxRate) -> Any:
    """``data`` (nested dicts, lists, tuples) with every ``Money`` in ``rate.code``."""
    if rate.identity:
        return data
    if isinstance(data, Money):
        return to_currency(data, rate)
    if isinstance(data, Mapping):
        return {k: shown(v, rate) for k, v in data.items()}
    if isinstance(data, list):
        return [shown(v, rate) for v in data]
    if isinstance(data, tuple):
        return tuple(shown(v, rate) for v in data)
    return data


def with_unit(text: str, code: str) -> str:
    """``text`` with the currency code where a renderer wrote :data:`CUR`."""
    return text.replace(CUR, code)


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
