"""YAML parsing that remembers where every value came from.

``parse_yaml`` reads the parse events of libyaml (PyYAML's C parser, ``yaml.CSafeLoader``'s
parser) and builds plain, JSON-compatible Python data (``dict`` with ``str`` keys, ``list``,
``str``, ``int``, ``float``, ``bool``, ``None``) in one streaming pass, recording the 1-based
line/column of every value and every mapping key; ``Parsed.where`` looks one up by a path
such as ``("workloads", 3, "resources", "memory_gib")``. No node tree is built, so memory is
the data plus 8 bytes a position; the builder is ``yamlbuild``.

Dialect (the YAML 1.2 core schema, closer to JSON than PyYAML's YAML 1.1 defaults; scalars
are resolved by ``yamlcore``):

* Mapping keys are always strings: the key's source text is kept, so ``on:``, ``no:``,
  ``1:`` and ``2027-01-01:`` are the keys ``"on"``, ``"no"``, ``"1"`` and ``"2027-01-01"``.
  Complex keys (a list or mapping used as a key) are a problem.
* Only ``true``/``false`` are booleans (``yes``/``no``/``on``/``off`` are strings), ``010``
  is ten, dates stay strings, numbers are finite and integers exact; a tag other than the
  core schema's (``!!binary``, ``!secret``) or a value that does not fit its tag
  (``!!int abc``) is a problem.
* A key repeated in one mapping is a problem (not silently last-wins); merge keys
  (``<<: *defaults``) are supported and may be overridden by the mapping's own keys.
* Syntax errors become problems located at the parser's mark.
* Guards, each a located problem instead of a crash: values produced by expanding aliases
  are capped at ``MAX_ALIAS_VALUES`` (a "billion laughs" guard; values written out are not
  counted), an alias to a node that contains it is refused, and nesting is capped at
  ``MAX_DEPTH`` levels.

Nothing here reads files: callers pass the text and the name to report problems under.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from typing import Any, Protocol

import yaml

from planner.errors import Problem
from planner.load import yamlevents
from planner.load.yamlbuild import (
    MAX_ALIAS_VALUES,
    MAX_DEPTH,
    NO_CHILD,
    Builder,
    FatalError,
    PathKey,
    Position,
    YamlPath,
    unpack,
)

# The builder's names that callers import from here (the rest are defined below).
__all__ = ["MAX_ALIAS_VALUES", "MAX_DEPTH", "PathKey", "Position", "YamlPath"]


class Locator(Protocol):
    """Positions kept another way than ``Parsed.marks`` (``yamlfast``: read again when
    asked); answers as ``Parsed.where`` and ``Parsed.item_positions`` do."""

    def where(self, path: YamlPath, *, key: bool = False) -> Position: ...

    def item_positions(self, path: YamlPath) -> list[Position]: ...


@dataclass(frozen=True, slots=True)
class Parsed:
    """The result of ``parse_yaml``.

    ``data`` is ``None`` for an empty document or when the text could not be parsed.
    Positions are kept in ``marks``: each list holds ``(value position, child)`` per item
    from its ``child`` offset on, each mapping ``(key position, value position, child)`` per
    key in the order of its dict; ``child`` is the offset of a nested list or mapping (-1
    for a scalar). ``root`` is the ``(position, child)`` of the document's top value.
    """

    data: Any
    problems: tuple[Problem, ...] = ()
    marks: array[int] = field(default_factory=lambda: array("q"))
    root: tuple[int, int] = (0, NO_CHILD)
    locator: Locator | None = None
    """Where positions come from instead of ``marks`` (``yamlfast.read_yaml``)."""

    def where(self, path: YamlPath, *, key: bool = False) -> Position:
        """Best-known position of ``path``: its key (if ``key``), else its value, else the
        nearest enclosing value; ``(0, 0)`` if nothing is known."""
        if self.locator is not None:
            return self.locator.where(path, key=key)
        value, (at, child) = self.data, self.root
        key_at = 0
        for part in path:
            slot = _slot(value, part, child)
            if slot is None:
                return unpack(at)
            value = value[part]
            if isinstance(part, str):
                key_at, at, child = self.marks[slot : slot + 3]
            else:
                key_at, (at, child) = 0, self.marks[slot : slot + 2]
        return unpack(key_at if key and key_at else at)

    def item_positions(self, path: YamlPath) -> list[Position]:
        """The position of each item of the list at ``path`` (one walk, not one per item:
        ``where(path + (i,))`` for every ``i``)."""
        if self.locator is not None:
            return self.locator.item_positions(path)
        items = self.data
        at, child = self.root
        for part in path:
            slot = _slot(items, part, child)
            if slot is None:
                return [unpack(at)] * len(items[part]) if _has(items, part) else []
            items = items[part]
            at, child = (
                self.marks[slot + 1 : slot + 3]
                if isinstance(part, str)
                else (self.marks[slot : slot + 2])
            )
        if not isinstance(items, list):
            return []
        if child < 0:
            return [unpack(at)] * len(items)
        return [unpack(self.marks[child + 2 * i]) for i in range(len(items))]


def _has(value: Any, part: PathKey) -> bool:
    if isinstance(value, dict):
        return part in value
    return isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)


def _slot(value: Any, part: PathKey, child: int) -> int | None:
    """Where the positions of ``value[part]`` start in ``Parsed.marks``."""
    if child < 0:
        return None
    if isinstance(value, dict) and isinstance(part, str) and part in value:
        for i, k in enumerate(value):
            if k == part:
                return child + 3 * i
    if isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
        return child + 2 * part
    return None


def format_path(path: YamlPath) -> str:
    """``("workloads", 3, "resources", "memory_gb")`` -> ``workloads[3].resources.memory_gb``.

    Keys that are not identifier-like (``aws.p5.48xlarge``) are quoted: ``["aws.p5..."]``.
    """
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part):
            out.append(f".{part}" if out else part)
        else:
            escaped = part.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'["{escaped}"]')
    return "".join(out)


def problem_at(
    parsed: Parsed, file: str, path: YamlPath, message: str, fix: str, *, key: bool = False
) -> Problem:
    """A ``Problem`` in ``file`` located at ``path`` of ``parsed`` (at its key if ``key``)."""
    line, column = parsed.where(path, key=key)
    return Problem(file, line, column, format_path(path), message, fix)


LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""What libyaml counts as a line break (YAML 1.1's set)."""


def syntax_problem(exc: yaml.YAMLError, text: str, file: str) -> Problem:
    """A located problem for a scanner, parser or reader error."""
    fix = "check indentation (spaces, not tabs), colons and quoting near this spot"
    if isinstance(exc, yaml.reader.ReaderError):
        before = text.encode("utf-8")[: exc.position].decode("utf-8", errors="ignore")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        return Problem(
            file, line, column, "", f"unreadable character: {exc.reason}", "remove the character"
        )
    if not isinstance(exc, yaml.MarkedYAMLError):
        return Problem(file, 0, 0, "", f"YAML error: {exc}", fix)
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    what = exc.problem or "invalid YAML"
    if mark and what == "found character that cannot start any token":
        lines = LINE_BREAK.split(text)
        row = lines[mark.line] if mark.line < len(lines) else ""
        found = row[mark.column : mark.column + 1]
        what = f"found character {found!r} that cannot start any token"
    context, start = exc.context, exc.context_mark
    if context and start and start is not mark:
        what += f" ({context} started at line {start.line + 1}, column {start.column + 1})"
    elif context:
        what = f"{context}: {what}"
    return Problem(file, line, column, "", f"YAML syntax error: {what}", fix)


PARSER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser; PyYAML's own (same events, slower) where it was built without libyaml."""

LIBYAML: Any = getattr(yaml, "_yaml", None) if PARSER is not yaml.SafeLoader else None
"""The extension module whose event classes ``yamlevents.light_events`` replaces."""


def parse_yaml(text: str, file: str, *, light: bool = True) -> Parsed:
    """Parse one YAML document into plain data plus positions; never raises on bad input.

    ``file`` is only used to label problems (pass a path relative to the project root).
    ``light=False`` has libyaml make PyYAML's own events, converted one by one (slower;
    the reference the tests compare the light events with).
    """
    builder = Builder()
    parser = PARSER(text)
    try:
        if light and yamlevents.can_swap(LIBYAML):
            with yamlevents.light_events(LIBYAML):
                builder.feed(parser.get_event)
        else:
            builder.feed(yamlevents.as_light(parser.get_event))
    except yaml.YAMLError as exc:
        return Parsed(None, problems=(syntax_problem(exc, text, file),))
    except FatalError as exc:
        line, column = exc.position
        return Parsed(None, problems=(Problem(file, line, column, "", str(exc), exc.fix),))
    finally:
        parser.dispose()
    if builder.root is None:
        return Parsed(None)
    data, at, child = builder.root
    problems = tuple(
        Problem(file, *unpack(at), format_path(path), message, fix)
        for at, path, message, fix in builder.problems
    )
    return Parsed(data, problems, builder.marks, (at, child))
