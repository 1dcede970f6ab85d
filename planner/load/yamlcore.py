"""Scalars under the YAML 1.2 core schema: the text of one YAML scalar and its tag -> a
JSON-compatible value, or why it cannot be one.

The core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution) resolves a plain
(unquoted, untagged) scalar as:

* null: ``~``, ``null``, ``Null``, ``NULL`` or nothing;
* boolean: ``true``/``false`` in lower, title or upper case only (``yes``, ``no``, ``on``,
  ``off``, ``y`` and ``n`` are strings, so a country code ``no`` stays ``"no"``);
* integer: decimal ``[-+]?[0-9]+`` (``010`` is ten: no YAML 1.1 octal), ``0o17`` (octal) and
  ``0x1F`` (hex); no ``_`` separators and no ``1:30`` sexagesimal;
* float: ``[-+]?(.[0-9]+|[0-9]+(.[0-9]*)?)([eE][-+]?[0-9]+)?``; ``.inf`` and ``.nan`` are
  recognised and rejected (JSON has no such numbers);
* anything else is a string; dates and timestamps stay strings.

Explicit tags ``!!str``, ``!!int``, ``!!float``, ``!!bool`` and ``!!null`` are honoured (the
text must then be of that type: ``!!int abc`` is a problem, not a crash); every other tag
(``!!binary``, ``!!timestamp``, ``!secret`` ...) is a problem.

Numbers must be finite and integers at most ``MAX_SAFE_INTEGER`` in magnitude (2**53: every
JSON reader holds them exactly), so no input can turn into ``inf`` or ``NaN`` downstream.
"""

from __future__ import annotations

import math
import re

CORE = "tag:yaml.org,2002:"
STR_TAG = CORE + "str"
MERGE_TAG = CORE + "merge"

MAX_SAFE_INTEGER = 2**53
"""Largest integer magnitude accepted: exact as a 64-bit float (JSON's number)."""

_DECIMAL = re.compile(r"[-+]?[0-9]+")
_OCTAL = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INFINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NUMBER_START = frozenset("0123456789+-.")
_MAX_DIGITS = len(str(MAX_SAFE_INTEGER)) + 1
"""Longer digit strings are out of range without converting them (``int()`` of thousands of
digits is slow and refuses past 4,300)."""

Scalar = str | int | float | bool | None


class ScalarError(ValueError):
    """The text cannot be read as its tag says; the message says why, ``fix`` what to do."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


def _integer(text: str) -> int | None:
    if _DECIMAL.fullmatch(text):
        digits = text.lstrip("+-")
        if len(digits) > _MAX_DIGITS:
            raise _too_large(text)
        value = int(text)
    elif _OCTAL.fullmatch(text):
        value = int(text[2:], 8) if len(text) <= 22 else MAX_SAFE_INTEGER + 1
    elif _HEX.fullmatch(text):
        value = int(text[2:], 16) if len(text) <= 18 else MAX_SAFE_INTEGER + 1
    else:
        return None
    if abs(value) > MAX_SAFE_INTEGER:
        raise _too_large(text)
    return value


def _too_large(text: str) -> ScalarError:
    shown = text if len(text) <= 24 else f"{text[:20]}... ({len(text)} characters)"
    return ScalarError(
        f"{shown} is too large a number (at most {MAX_SAFE_INTEGER:,} in magnitude)",
        "use a smaller number",
    )


def _float(text: str) -> float | None:
    if _FLOAT.fullmatch(text):
        value = float(text)
        if math.isfinite(value):
            return value
        raise _too_large(text)
    if _INFINITE.fullmatch(text):
        raise ScalarError(f"{text!r} is not a finite number", "use a number")
    return None


def plain(text: str) -> Scalar:
    """The value of a plain (unquoted, untagged) scalar under the core schema."""
    if text.isdigit() and text.isascii() and len(text) <= _MAX_DIGITS:
        value = int(text)  # the common case, without a regular expression
        if value <= MAX_SAFE_INTEGER:
            return value
        raise _too_large(text)
    if text[:1] in _NUMBER_START:
        number = _integer(text)
        if number is not None:
            return number
        real = _float(text)
        return text if real is None else real
    if text in _BOOLS:
        return _BOOLS[text]
    if text in _NULLS:
        return None
    return text


def tagged(text: str, tag: str) -> Scalar:
    """The value of a scalar with an explicit tag; ``ScalarError`` if the text is not of
    that type or the tag is not one of the core schema's."""
    if tag in (STR_TAG, "!"):
        return text
    if tag == CORE + "int":
        number = _integer(text)
        if number is None:
            raise ScalarError(f"!!int {text!r} is not a whole number", "remove the tag or fix it")
        return number
    if tag == CORE + "float":
        real = _integer(text)
        value = float(real) if real is not None else _float(text)
        if value is None:
            raise ScalarError(f"!!float {text!r} is not a number", "remove the tag or fix it")
        return value
    if tag == CORE + "bool":
        if text not in _BOOLS:
            raise ScalarError(f"!!bool {text!r} is not true or false", "write true or false")
        return _BOOLS[text]
    if tag == CORE + "null":
        if text not in _NULLS:
            raise ScalarError(f"!!null {text!r} is not empty", "remove the tag or the text")
        return None
    raise ScalarError(
        f"unsupported YAML tag {tag}",
        "remove the tag; use plain strings, numbers, true/false, lists and mappings",
    )
