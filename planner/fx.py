"""The project currency: a dated exchange rate from the catalogue, applied at presentation.

The planner computes in the catalogue's currency (USD: every price source is in USD). A
project may choose another currency to read its figures in (``settings.currency``: EUR,
GBP); the catalogue's ``fx_rates`` give each one's rate (USD per unit), its date and its
source. Conversion happens once, when a figure is shown: :func:`to_currency` divides the
exact USD amount by the rate and rounds to cents half to even (``planner.money``'s one
rounding rule). ``plan.json`` keeps its ``*_usd`` fields and states the rate used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from planner.errors import InfeasibleError, InputError, Problem
from planner.money import DEFAULT_CURRENCY, Money, round_to_cents, significant

if TYPE_CHECKING:
    from planner.catalogue import Catalogue
    from planner.model import Project

PROJECT_CURRENCIES: tuple[str, ...] = ("USD", "EUR", "GBP")
"""The currencies a project may be shown in (``settings.currency``)."""

STALE_AFTER_DAYS = 183
"""A rate dated more than half a year before the catalogue's ``captured`` date is stale
(the catalogue is a half-year snapshot: a rate from before its half-year is advisory)."""


@dataclass(frozen=True, slots=True)
class FxRate:
    """``usd_per_unit`` US dollars buy one unit of ``code`` on ``date`` (ISO), per
    ``source`` (a catalogue source id)."""

    code: str
    usd_per_unit: Decimal
    date: str = ""
    source: str = ""
    note: str = ""

    @property
    def identity(self) -> bool:
        """No conversion: the project is shown in the catalogue's own currency."""
        return self.code == DEFAULT_CURRENCY and self.usd_per_unit == 1


USD = FxRate(DEFAULT_CURRENCY, Decimal(1))
"""The catalogue's own currency: amounts are shown as computed."""


def to_currency(amount: Money, rate: FxRate) -> Money:
    """``amount`` (USD) in ``rate.code``: ``amount / usd_per_unit``, half to even to the
    cent. The one conversion function; an amount already in ``rate.code`` is returned."""
    if amount.currency == rate.code:
        return amount
    if amount.currency != DEFAULT_CURRENCY:
        raise ValueError(f"cannot convert {amount.currency} with a USD rate for {rate.code}")
    units = Fraction(amount.cents, 100) / Fraction(rate.usd_per_unit)
    return Money(round_to_cents(units), rate.code)


def stale_days(rate: FxRate, captured: str) -> int | None:
    """Days from ``rate.date`` to the catalogue's ``captured`` date when more than
    ``STALE_AFTER_DAYS``, else ``None`` (also for USD or unparsable dates)."""
    if rate.identity:
        return None
    try:
        days = (date.fromisoformat(captured) - date.fromisoformat(rate.date)).days
    except ValueError:
        return None
    return days if days > STALE_AFTER_DAYS else None


def project_rate(project: Project, catalogue: Catalogue) -> FxRate:
    """The rate to show ``project`` in its ``settings.currency`` (``planner.fx.rate_for``):
    an ``InputError`` at project.yaml's ``settings.currency`` when the catalogue has none."""
    src = project.settings.currency_source
    where = (src.file, src.line, src.column) if src is not None else ("project.yaml", 0, 0)
    return rate_for(
        project.settings.currency,
        catalogue.fx_rates,
        where=where,
        catalogue=catalogue.origin or catalogue.version,
    )


def rate_for(
    code: str,
    rates: Mapping[str, FxRate],
    *,
    where: tuple[str, int, int],
    catalogue: str,
) -> FxRate:
    """The rate to show a project in ``code`` (``settings.currency``, set at ``where``:
    file, line, column). USD needs none; an unknown code or a currency the catalogue
    ``catalogue`` gives no rate for is an ``InputError`` there."""
    if code == DEFAULT_CURRENCY:
        return USD
    rate = rates.get(code)
    if rate is not None:
        return rate
    file, line, column = where
    known = ", ".join((DEFAULT_CURRENCY, *sorted(rates))) or DEFAULT_CURRENCY
    message = (
        f"no project currency {code!r}"
        if code not in PROJECT_CURRENCIES
        else f"the price catalogue {catalogue} has no exchange rate for {code}"
    )
    raise InputError(
        [
            Problem(
                file,
                line,
                column,
                "settings.currency",
                message,
                f"set settings.currency to one of {known}, or add `fx_rates.{code}` "
                "(usd_per_unit, date, source) to the catalogue",
            )
        ]
    )


# --------------------------------------------------------------------------- amounts in text
#
# The core writes prose (findings, formulas, a diagnosis, what-if notes) once, in USD, but a
# reader sees it in the project currency. An amount in such a text is *marked*: its USD text
# between control characters, preceded by the exact value (``said`` for an amount,
# ``said_number`` for a unit price's number, ``CODE`` for the code alone). ``render_text`` at
# the edges (plan.md, plan.json, the console, the error boundary) converts each marked value
# once from the exact value (``to_currency``: amounts half to even to the cent; unit prices
# to 6 significant digits, half to even) or, for a USD project, just drops the marks: the text
# is then what the core wrote before marks existed. A text without marks is returned as it
# is, after one ``in`` test. Core text compared in tests is read through ``plain``.

OPEN, SEP, CLOSE = "\x80", "\x81", "\x82"
"""A mark: ``OPEN kind value SEP usd_text CLOSE`` (kinds: ``m`` amount, ``p`` unit price,
``c`` the currency code, ``x`` a text shown only in another currency). C1 control characters:
no text has them, JSON writes them as they are, and a ``str`` of them stays one byte a
character (private-use characters would make every formula string twice as large)."""

_MARK = re.compile("\x80([mpcx])([^\x81]*)\x81([^\x82]*)\x82")
_HEAD = re.compile("\x80[^\x81]*\x81")


def said(amount: Money, *, sign: bool = False, whole: bool = False, unit: bool = True) -> str:
    """``amount`` (USD), marked: ``12,345.67 USD`` as a USD text, ``+12,345.67 USD``
    (``sign``), ``12,346 USD`` (``whole``: to the unit, half to even), ``12,345.67``
    (``unit=False``: a column header says it, written with ``CODE``)."""
    text = _amount_text(amount, sign=sign, whole=whole, unit=unit)
    flags = ("s" if sign else "") + ("w" if whole else "") + ("" if unit else "n")
    return f"{OPEN}m{amount.cents},{flags}{SEP}{text}{CLOSE}"


def said_number(value: Decimal | int | float, text: str) -> str:
    """The number of a unit price (USD per hour, GiB, kW...) written ``text`` (as formulas
    write numbers), marked; the caller writes the unit (``CODE``, ``/h``). The value is kept
    as ``str`` writes it (a float's shortest digits: ``decimal_of``), which is exact; pricing
    calls this about a hundred times per workload, so it only formats."""
    return f"{OPEN}p{value!s}{SEP}{text}{CLOSE}"


CODE = f"{OPEN}c{SEP}{DEFAULT_CURRENCY}{CLOSE}"
"""The currency code, marked (a unit written apart from a number: ``USD/GiB`` after tiers)."""


def converted_only(text: str) -> str:
    """``text`` (a USD figure a reader needs beside its conversion: a budget set in USD),
    marked to be shown only when the amounts around it are converted; nothing in USD."""
    return f"{OPEN}x{text}{SEP}{CLOSE}"


def render_text(text: str, rate: FxRate) -> str:
    """``text`` with each marked amount shown in ``rate.code`` (converted once from its
    exact USD value), or unmarked as written for USD."""
    if OPEN not in text:
        return text
    if rate.identity:  # each mark's USD text: its head and its end dropped, in two C passes
        return _HEAD.sub("", text).replace(CLOSE, "")
    return _MARK.sub(lambda m: _converted(m, rate), text)


def cut_text(text: str, length: int) -> str:
    """The start of ``text`` that reads ``length`` characters in USD (``render_text(...,
    USD)``). A mark the cut falls in keeps its value: another currency shows it whole, USD
    its first characters (what cutting the unmarked text gives)."""
    out: list[str] = []
    at = left = 0
    for m in _MARK.finditer(text):
        plain = text[at : m.start()]
        if len(plain) >= length - left:
            out.append(plain[: length - left])
            return "".join(out)
        out.append(plain)
        left += len(plain)
        usd = m.group(3)
        if len(usd) >= length - left:
            out.append(f"{OPEN}{m.group(1)}{m.group(2)}{SEP}{usd[: length - left]}{CLOSE}")
            return "".join(out)
        out.append(m.group(0))
        left += len(usd)
        at = m.end()
    out.append(text[at:][: length - left])
    return "".join(out)


def plain(text: str) -> str:
    """``text`` as a USD reader sees it (``render_text(text, USD)``): the marks dropped."""
    return render_text(text, USD)


def _converted(m: re.Match[str], rate: FxRate) -> str:
    kind, value = m.group(1), m.group(2)
    if kind == "c":
        return rate.code
    if kind == "x":
        return value
    if kind == "p":
        return price_text(Decimal(value) / rate.usd_per_unit)
    cents, flags = value.split(",")
    shown = to_currency(Money(int(cents), DEFAULT_CURRENCY), rate)
    return _amount_text(shown, sign="s" in flags, whole="w" in flags, unit="n" not in flags)


def _amount_text(amount: Money, *, sign: bool, whole: bool, unit: bool) -> str:
    if not whole:
        return amount.format(sign=sign, unit=unit)
    units = amount.to_decimal().quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    text = f"{units:{'+' if sign and units else ''},.0f}"
    return f"{text} {amount.currency}" if unit else text


def price_text(value: Decimal) -> str:
    """A unit price as formulas write numbers (``planner.cost.common.num``): up to 6
    significant digits, half to even, thousands grouped from 1,000."""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return significant(value)


def shown_error(err: InfeasibleError, rate: FxRate) -> InfeasibleError:
    """``err`` with its message, diagnosis and fix in ``rate.code`` (``render_text``)."""
    return InfeasibleError(
        render_text(err.message, rate),
        diagnosis=tuple(render_text(d, rate) for d in err.diagnosis),
        fix=render_text(err.fix, rate),
    )
