"""Block-style YAML written directly, for the plain data of a stack config.

A stack config at 10k workloads is megabytes of nested dicts and lists of strings and
numbers; building a node per value and running the dumper over them took most of emit.
``block_yaml`` writes the same bytes as ``planner.emit.environment``'s dumper (sorted keys,
block style, indent 2, sequences in a mapping not indented, empty collections as ``{}`` and
``[]``, width 4096, ASCII) by walking the data once:

* a string made only of ``[A-Za-z0-9_./:-]`` (not starting with ``.``, ``/``, ``:`` or
  ``-``, not ending with ``:``) is written plain when the dumper's own resolver reads it
  back as a string, else (``yes``, ``null``, ``12.50``, ``2026-10-01``) in single quotes,
  as the dumper does;
* any other string is written as the dumper writes it in a mapping (``'yes'``, ``"\\xE9"``),
  asked once per distinct string, when that is one line;
* ``None``, ``bool``, ``int`` and ``float`` as the safe representer writes them.

Anything else - another type, a string the dumper would write over several lines, a key
too long for a simple key, a top-level scalar - returns None, and the caller uses the
dumper itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./:-]*(?<!:)")
"""Strings the emitter writes plain when they resolve to a string, else in single quotes
(``'12.50'``, ``'yes'``): no indicator (a ``:`` is one only before a space or at the
end), space, quote, escape or non-ASCII character can appear in them."""
MAX_KEY = 100
"""Longer keys are left to the dumper (it writes keys over 128 characters as ``? key``)."""
MAX_SCALAR = 1000
"""Longer quoted scalars are left to the dumper (they could reach the line width)."""


class _FallbackError(Exception):
    """Something ``block_yaml`` does not write itself."""


def block_yaml(
    value: object, *, quoted: Callable[[str], str], reads_as_str: Callable[[str], bool]
) -> str | None:
    """``value`` (a dict or list) as the dumper writes it, without the final newline; None
    when it holds anything the dumper must write (module doc). ``quoted(text)`` is the
    dumper's text of a string as a mapping's value (``'yes'``); ``reads_as_str(text)``
    whether the dumper's resolver reads ``text`` written plain as a string."""
    if type(value) is not dict and type(value) is not list:
        return None
    lines: list[str] = []
    seen: dict[str, str] = {}

    def text_of(s: str) -> str:
        known = seen.get(s)
        if known is None:
            if PLAIN.fullmatch(s):
                known = s if reads_as_str(s) else f"'{s}'"
            else:
                known = quoted(s)
                if "\n" in known or len(known) > MAX_SCALAR:
                    raise _FallbackError
            seen[s] = known
        return known

    def scalar(v: object) -> str | None:
        if type(v) is str:
            return text_of(v)
        if type(v) is bool:
            return "true" if v else "false"
        if type(v) is int:
            return str(v)
        if type(v) is float:
            return float_text(v)
        if v is None:
            return "null"
        return None  # a collection, or a type left to the dumper

    def mapping(m: dict[Any, Any], indent: int, first: str) -> None:
        items = list(m.items())
        try:  # as the representer: keys that do not compare stay in order
            items.sort()
        except TypeError:
            items = list(m.items())
        pad = " " * indent
        lead = first
        for k, v in items:
            key = seen.get(k) if type(k) is str else None
            if key is None:
                key = scalar(k)
                if key is None:
                    raise _FallbackError
            if len(key) > MAX_KEY:
                raise _FallbackError
            if type(v) is str:  # most values: written here, as ``node`` writes them
                text = seen.get(v)
                lines.append(f"{lead}{key}: {text_of(v) if text is None else text}")
            else:
                node(v, f"{lead}{key}:", indent)
            lead = pad

    def sequence(s: list[Any], indent: int, first: str) -> None:
        pad = " " * indent
        lead = first
        for v in s:
            item(v, f"{lead}-", indent)
            lead = pad

    def node(v: object, head: str, indent: int) -> None:
        """A mapping's value after ``head`` (``key:``) at ``indent``."""
        if type(v) is str:
            text = seen.get(v)
            lines.append(f"{head} {text_of(v) if text is None else text}")
        elif type(v) is dict:
            if v:
                lines.append(head)
                mapping(v, indent + 2, " " * (indent + 2))
            else:
                lines.append(f"{head} {{}}")
        elif type(v) is list:
            if v:
                lines.append(head)
                sequence(v, indent, " " * indent)
            else:
                lines.append(f"{head} []")
        else:
            text = scalar(v)
            if text is None:
                raise _FallbackError
            lines.append(f"{head} {text}")

    def item(v: object, dash: str, indent: int) -> None:
        """A sequence's item after ``dash`` (``-``) at ``indent``: a non-empty collection
        starts on the dash's line, its other lines two columns in."""
        text = scalar(v)
        if text is not None:
            lines.append(f"{dash} {text}")
        elif type(v) is dict:
            if v:
                mapping(v, indent + 2, f"{dash} ")
            else:
                lines.append(f"{dash} {{}}")
        elif type(v) is list:
            if v:
                sequence(v, indent + 2, f"{dash} ")
            else:
                lines.append(f"{dash} []")
        else:
            raise _FallbackError

    try:
        if not value:
            return "{}" if type(value) is dict else "[]"
        if type(value) is dict:
            mapping(value, 0, "")
        elif type(value) is list:
            sequence(value, 0, "")
    except _FallbackError:
        return None
    return "\n".join(lines)


def float_text(x: float) -> str:
    """``SafeRepresenter.represent_float``'s text."""
    if x != x:  # noqa: PLR0124 - NaN is the one value unequal to itself
        return ".nan"
    if x == float("inf"):
        return ".inf"
    if x == float("-inf"):
        return "-.inf"
    text = repr(x).lower()
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text
