"""JSON text with exact money: the writer behind ``planner.money.json_text``.

``write_json`` writes what ``json.dumps(data, indent=indent, sort_keys=sort_keys,
ensure_ascii=False, allow_nan=False)`` writes, except that ``Decimal`` and ``Money`` are
exact numbers (``decimal_text``). plan.json at 10k workloads is about a million values, so
the common shapes take a fast path: plain ``dict``, ``list`` and ``tuple`` containers are
walked with their scalars written inline (one dict lookup by exact type: ``str``, ``int``,
``float``, ``bool``, ``None``, ``Money``, ``Decimal``), and an amount is written from its
integer cents. Anything else (a ``Mapping`` that is not a dict, a subclass of ``str`` or
``int``) goes through ``write_value``, the general writer, with the same text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from operator import itemgetter
from typing import Any

from planner.money import CURRENCY_DIGITS, Money, decimal_text

# What ``json.dumps(value, ensure_ascii=False, allow_nan=False)`` builds per call, built once:
# the same text.
_SCALAR = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
_string = json.encoder.encode_basestring  # what that encoder does with a str
_FAST_CENTS_BELOW = 10 ** (15 + CURRENCY_DIGITS)
"""Amounts under 10^15 are written from their cents (``decimal_text`` switches to an
exponent from 10^16 on)."""
_first = itemgetter(0)


def write_json(data: Any, *, indent: int = 2, sort_keys: bool = True) -> str:
    """``data`` as JSON text (see the module doc)."""
    out: list[str] = []
    append = out.append
    pads: list[str] = []
    key_texts: list[dict[str, str]] = []
    money_texts: dict[int, str] = {}

    def money(amount: Money) -> str:  # amounts repeat (zeros, a site's rates): kept by cents
        text = money_texts.get(amount.cents)
        if text is None:
            text = money_texts[amount.cents] = money_text(amount)
        return text

    leaves = {**_LEAVES, Money: money}

    def pad(level: int) -> str:
        while len(pads) <= level:
            pads.append("\n" + " " * (indent * len(pads)))
        return pads[level]

    def write(value: Any, level: int) -> None:
        kind = type(value)
        if kind is dict:
            if not value:
                append("{}")
                return
            if not sort_keys:
                items: Any = value.items()
            elif set(map(type, value)) == {str}:
                items = sorted(value.items(), key=_first)  # str keys sort as their text
            else:
                items = sorted(value.items(), key=lambda kv: str(kv[0]))
            while len(key_texts) <= level:
                key_texts.append({})
            texts = key_texts[level]
            append("{")
            first = len(out)
            for k, v in items:
                # ",\n<pad>\"key\": ", kept per level for str keys (1 and True are equal keys)
                text = texts.get(k) if type(k) is str else None
                if text is None:
                    text = "," + pad(level + 1) + _string(k if type(k) is str else _key(k)) + ": "
                    if type(k) is str:
                        texts[k] = text
                append(text)
                leaf = leaves.get(type(v))
                if leaf is None:
                    write(v, level + 1)
                else:
                    append(leaf(v))
            out[first] = out[first][1:]  # no comma before the first key
            append(pad(level) + "}")
        elif kind is list or kind is tuple:
            if not value:
                append("[]")
                return
            sep = pad(level + 1)
            after = "," + sep
            if type(value[0]) in leaves:  # a list of scalars (most are): joined at once
                try:
                    joined = [leaves[type(v)](v) for v in value]
                except KeyError:  # a collection or another type among them
                    pass
                else:
                    append("[" + sep + after.join(joined) + pad(level) + "]")
                    return
            append("[")
            for v in value:
                append(sep)
                sep = after
                leaf = leaves.get(type(v))
                if leaf is None:
                    write(v, level + 1)
                else:
                    append(leaf(v))
            append(pad(level) + "]")
        else:
            leaf = leaves.get(kind)
            if leaf is None:
                write_value(value, out, indent, sort_keys, level)
            else:
                append(leaf(value))

    write(data, 0)
    return "".join(out)


def write_value(value: Any, out: list[str], indent: int, sort_keys: bool, level: int) -> None:
    """The general writer: any value ``json.dumps`` takes, plus ``Decimal`` and ``Money``."""
    if isinstance(value, Money):
        out.append(decimal_text(value.to_decimal()))
    elif isinstance(value, Decimal):
        out.append(decimal_text(value))
    elif isinstance(value, Mapping):
        if not value:
            out.append("{}")
            return
        items = sorted(value.items(), key=lambda kv: str(kv[0])) if sort_keys else value.items()
        pad = "\n" + " " * (indent * (level + 1))
        out.append("{")
        for i, (k, v) in enumerate(items):
            out.append(("," if i else "") + pad + _string(_key(k)) + ": ")
            write_value(v, out, indent, sort_keys, level + 1)
        out.append("\n" + " " * (indent * level) + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        pad = "\n" + " " * (indent * (level + 1))
        out.append("[")
        for i, v in enumerate(value):
            out.append(("," if i else "") + pad)
            write_value(v, out, indent, sort_keys, level + 1)
        out.append("\n" + " " * (indent * level) + "]")
    elif isinstance(value, str):
        out.append(_string(value))
    else:
        out.append(_SCALAR.encode(value))


def money_text(amount: Money) -> str:
    """``decimal_text(amount.to_decimal())``, from the integer cents: ``12.34``, ``12.3``,
    ``1200.0``, ``0.05``, ``-7.0``, ``0.0``."""
    cents = amount.cents
    if CURRENCY_DIGITS != 2 or not -_FAST_CENTS_BELOW < cents < _FAST_CENTS_BELOW:
        return decimal_text(amount.to_decimal())
    units, frac = divmod(abs(cents), 100)
    if frac == 0:
        body = f"{units}.0"
    elif frac % 10 == 0:
        body = f"{units}.{frac // 10}"
    else:
        body = f"{units}.{frac:02d}"
    return "-" + body if cents < 0 else body


def _key(k: object) -> str:
    """JSON object keys as ``json.dumps`` writes them (str, numbers, booleans, null)."""
    if isinstance(k, str):
        return k
    return json.dumps(k)


def _float(x: float) -> str:
    if not math.isfinite(x):
        return _SCALAR.encode(x)  # raises ValueError: JSON has no NaN or infinity
    return float.__repr__(x)


_LEAVES: Mapping[type, Callable[[Any], str]] = {
    str: _string,
    int: int.__repr__,
    float: _float,
    bool: lambda b: "true" if b else "false",
    type(None): lambda _: "null",
    Money: money_text,
    Decimal: decimal_text,
}
"""Scalars by exact type, written inline by ``write_json``."""
