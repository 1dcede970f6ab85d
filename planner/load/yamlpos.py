"""YAML parsing that remembers where every value came from.

``parse_yaml`` reads the parse events of libyaml (PyYAML's C parser, ``yaml.CSafeLoader``'s
parser) and builds plain, JSON-compatible Python data (``dict`` with ``str`` keys, ``list``,
``str``, ``int``, ``float``, ``bool``, ``None``) in one streaming pass, recording the 1-based
line/column of every value and every mapping key; ``Parsed.where`` looks one up by a path
such as ``("workloads", 3, "resources", "memory_gib")``. No node tree is built, so memory is
the data plus 8 bytes a position.

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
from typing import Any

import yaml
from yaml import events as ev

from planner.errors import Problem
from planner.load import yamlcore

PathKey = str | int
YamlPath = tuple[PathKey, ...]
Position = tuple[int, int]

MAX_ALIAS_VALUES = 200_000
"""Upper bound on values produced by expanding aliases (``*name``) in one document."""

MAX_DEPTH = 64
"""Deepest nesting of lists and mappings accepted (the inputs need fewer than ten)."""

_COLUMN_BITS = 32
_NO_CHILD = -1


def _pack(mark: Any) -> int:
    """A parser mark as one integer: 1-based line and column."""
    return int(((mark.line + 1) << _COLUMN_BITS) | (mark.column + 1))


def _unpack(packed: int) -> Position:
    return (packed >> _COLUMN_BITS, packed & ((1 << _COLUMN_BITS) - 1))


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
    root: tuple[int, int] = (0, _NO_CHILD)

    def where(self, path: YamlPath, *, key: bool = False) -> Position:
        """Best-known position of ``path``: its key (if ``key``), else its value, else the
        nearest enclosing value; ``(0, 0)`` if nothing is known."""
        value, (at, child) = self.data, self.root
        key_at = 0
        for part in path:
            slot = _slot(value, part, child)
            if slot is None:
                return _unpack(at)
            value = value[part]
            if isinstance(part, str):
                key_at, at, child = self.marks[slot : slot + 3]
            else:
                key_at, (at, child) = 0, self.marks[slot : slot + 2]
        return _unpack(key_at if key and key_at else at)


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


class _FatalError(Exception):
    """Stop building: the document cannot become data (one problem says why)."""

    def __init__(self, mark: Any, message: str, fix: str) -> None:
        super().__init__(message)
        self.position = _unpack(_pack(mark))
        self.fix = fix


@dataclass(slots=True)
class _Open:
    """A list or mapping being built: its value, where it starts, its path and the
    positions of what it holds so far."""

    value: Any
    is_map: bool
    at: int
    path: YamlPath
    slots: list[int]
    produced_at_start: int
    anchor: str | None
    key: str | None = None
    """Mappings: the key read, waiting for its value (``None``: expecting a key)."""
    key_at: int = 0
    skip_value: bool = False
    """Mappings: the key was refused (complex or repeated), so its value is dropped."""
    merges: list[tuple[Any, int, int]] = field(default_factory=list)
    """Mappings: ``(mapping, child offset, position)`` of each ``<<`` source."""


@dataclass(frozen=True, slots=True)
class _Anchored:
    value: Any
    at: int
    child: int
    size: int
    text: str | None
    """The source text of an anchored scalar (it may be used as a key)."""


class _Builder:
    """Turns parse events into data and positions (see ``Parsed``)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.marks: array[int] = array("q")
        self.problems: list[Problem] = []
        self.stack: list[_Open] = []
        self.top: _Open | None = None
        """The innermost open list or mapping (``stack[-1]``)."""
        self.anchors: dict[str, _Anchored] = {}
        self.produced = 0
        self.expanded = 0
        self.root: tuple[Any, int, int] | None = None

    def problem(self, at: int, path: YamlPath, message: str, fix: str) -> None:
        line, column = _unpack(at)
        self.problems.append(Problem(self.file, line, column, format_path(path), message, fix))

    # -- values ------------------------------------------------------------------------

    def scalar(self, event: Any) -> None:
        """A scalar: a mapping key, or a value (the hot path: most events are these)."""
        mark = event.start_mark
        at = ((mark.line + 1) << _COLUMN_BITS) | (mark.column + 1)
        top = self.top
        text = event.value
        if top is not None and top.is_map and top.key is None:
            if event.anchor is None and text != "<<" and text not in top.value:
                top.key, top.key_at, top.skip_value = text, at, False
                return
            if event.anchor is not None:
                self.anchors[event.anchor] = _Anchored(text, at, _NO_CHILD, 1, text)
            self.key(top, text, at, event)
            return
        value: Any = None
        try:
            if event.tag is not None:
                value = yamlcore.tagged(text, event.tag)
            elif event.implicit[0]:
                value = yamlcore.plain(text)
            else:
                value = text
        except yamlcore.ScalarError as exc:
            self.problem(at, self.child_path(top), str(exc), exc.fix)
        self.produced += 1
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchored(value, at, _NO_CHILD, 1, text)
        if top is None or top.key == "<<":
            self.place(top, value, at, _NO_CHILD)
        elif top.is_map:
            if not top.skip_value:
                top.value[top.key] = value
                top.slots += (top.key_at, at, _NO_CHILD)
            top.key = None
        else:
            top.value.append(value)
            top.slots += (at, _NO_CHILD)

    def key(self, top: _Open, text: str, at: int, event: ev.ScalarEvent | None) -> None:
        if (
            text == "<<"
            and event is not None
            and (event.tag == yamlcore.MERGE_TAG or (event.tag is None and event.implicit[0]))
        ):
            top.key, top.key_at, top.skip_value = "<<", at, False
            top.merges.append(({}, _NO_CHILD, at))  # filled in by place()
            return
        top.key, top.key_at = text, at
        top.skip_value = text in top.value
        if top.skip_value:
            first = self.key_line(top, text)
            self.problem(
                at,
                (*top.path, text),
                f"duplicate key '{text}' (first given on line {first})",
                "remove one of them; YAML keeps only one",
            )

    def key_line(self, top: _Open, text: str) -> int:
        for i, k in enumerate(top.value):
            if k == text:
                return _unpack(top.slots[3 * i])[0]
        return 0

    def child_path(self, top: _Open | None) -> YamlPath:
        if top is None:
            return ()
        if isinstance(top.value, dict):
            return (*top.path, top.key) if top.key not in (None, "<<") else top.path
        return (*top.path, len(top.value))

    def place(self, top: _Open | None, value: Any, at: int, child: int) -> None:
        """Store a finished value in the open container (or as the document)."""
        if top is None:
            self.root = (value, at, child)
        elif isinstance(top.value, list):
            top.value.append(value)
            top.slots += (at, child)
        elif top.key is None:  # a list or mapping used as a key
            self.problem(at, top.path, "a mapping key must be a plain string", "use a string key")
            top.key, top.key_at, top.skip_value = "", at, True
        else:
            if top.key == "<<" and not top.skip_value:
                top.merges[-1] = (value, child, at)
            elif not top.skip_value:
                top.value[top.key] = value
                top.slots += (top.key_at, at, child)
            top.key = None

    def alias(self, event: Any) -> None:
        at = _pack(event.start_mark)
        top = self.stack[-1] if self.stack else None
        anchored = self.anchors.get(event.anchor)
        if any(
            o.anchor == event.anchor and (anchored is None or anchored.at < o.at)
            for o in self.stack
        ):
            raise _FatalError(
                event.start_mark,
                f"alias *{event.anchor} refers to a node that contains it",
                "a value cannot include itself; copy the part you need",
            )
        if anchored is None:
            raise _FatalError(
                event.start_mark,
                f"alias *{event.anchor} is not defined above",
                f"define &{event.anchor} before using *{event.anchor}",
            )
        if top is not None and top.is_map and top.key is None:
            if anchored.text is None:
                self.problem(
                    at, top.path, "a mapping key must be a plain string", "use a string key"
                )
                top.key, top.key_at, top.skip_value = "", at, True
            else:
                self.key(top, anchored.text, at, None)
            return
        self.expanded += anchored.size
        self.produced += anchored.size
        if self.expanded > MAX_ALIAS_VALUES:
            raise _FatalError(
                event.start_mark,
                f"aliases expand to more than {MAX_ALIAS_VALUES:,} values",
                "use fewer aliases (*name), or write the values out",
            )
        self.place(top, anchored.value, anchored.at, anchored.child)

    # -- containers --------------------------------------------------------------------

    def start(self, event: ev.CollectionStartEvent, value: dict[str, Any] | list[Any]) -> None:
        top = self.stack[-1] if self.stack else None
        complex_key = top is not None and top.is_map and top.key is None
        path = top.path if top is not None and complex_key else self.child_path(top)
        expected = yamlcore.CORE + ("map" if isinstance(value, dict) else "seq")
        at = _pack(event.start_mark)
        if event.tag not in (None, "!", expected):
            self.problem(
                at,
                path,
                f"unsupported YAML tag {event.tag}",
                "remove the tag; use plain lists and mappings",
            )
        if len(self.stack) >= MAX_DEPTH:
            raise _FatalError(
                event.start_mark,
                f"lists and mappings nested more than {MAX_DEPTH} levels deep",
                "flatten the structure; hybridplan files nest a few levels",
            )
        self.produced += 1
        is_map = isinstance(value, dict)
        self.top = _Open(value, is_map, at, path, [], self.produced, event.anchor)
        self.stack.append(self.top)

    def end(self) -> None:
        done = self.stack.pop()
        self.top = self.stack[-1] if self.stack else None
        if isinstance(done.value, dict) and done.merges:
            self.merge(done)
        child = len(self.marks)
        self.marks.extend(done.slots)
        if done.anchor is not None:
            size = self.produced - done.produced_at_start + 1
            self.anchors[done.anchor] = _Anchored(done.value, done.at, child, size, None)
        self.place(self.top, done.value, done.at, child)

    def merge(self, done: _Open) -> None:
        """Apply ``<<`` merge keys: earlier sources win over later ones, the mapping's own
        keys over all; positions of merged keys are those in their source."""
        merged: dict[str, tuple[Any, tuple[int, ...]]] = {}
        for source, child, at in done.merges:
            items: list[tuple[Any, int]] = [(source, child)]
            if isinstance(source, list):
                items = [(item, self.marks[child + 2 * i + 1]) for i, item in enumerate(source)]
            for mapping, offset in items:
                if not isinstance(mapping, dict):
                    self.problem(
                        at, done.path, "a merge key (<<) needs a mapping", "merge a mapping"
                    )
                    continue
                for i, (k, v) in enumerate(mapping.items()):
                    slot = offset + 3 * i
                    merged.setdefault(k, (v, tuple(self.marks[slot : slot + 3])))
        own = {
            k: (v, tuple(done.slots[3 * i : 3 * i + 3]))
            for i, (k, v) in enumerate(done.value.items())
        }
        final = {**merged, **own}
        done.value.clear()
        done.slots = []
        for k, (v, slots) in final.items():
            done.value[k] = v
            done.slots += slots


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""What libyaml counts as a line break (YAML 1.1's set)."""


def _syntax_problem(exc: yaml.YAMLError, text: str, file: str) -> Problem:
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
        lines = _LINE_BREAK.split(text)
        row = lines[mark.line] if mark.line < len(lines) else ""
        found = row[mark.column : mark.column + 1]
        what = f"found character {found!r} that cannot start any token"
    context, start = exc.context, exc.context_mark
    if context and start and start is not mark:
        what += f" ({context} started at line {start.line + 1}, column {start.column + 1})"
    elif context:
        what = f"{context}: {what}"
    return Problem(file, line, column, "", f"YAML syntax error: {what}", fix)


_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser; PyYAML's own (same events, slower) where it was built without libyaml."""

_START = {ev.MappingStartEvent: dict, ev.SequenceStartEvent: list}
_END = frozenset({ev.MappingEndEvent, ev.SequenceEndEvent})


def parse_yaml(text: str, file: str) -> Parsed:
    """Parse one YAML document into plain data plus positions; never raises on bad input.

    ``file`` is only used to label problems (pass a path relative to the project root).
    """
    builder = _Builder(file)
    parser = _Parser(text)
    # Locals, not attribute lookups, in the loop that runs once per event.
    next_event, on_scalar, on_end = parser.get_event, builder.scalar, builder.end
    scalar_event, stream_end = ev.ScalarEvent, ev.StreamEndEvent
    try:
        documents = 0
        while True:
            event = next_event()
            kind = type(event)
            if kind is scalar_event:
                on_scalar(event)
            elif kind in _END:
                on_end()
            elif kind in _START:
                builder.start(event, _START[kind]())
            elif kind is ev.AliasEvent:
                builder.alias(event)
            elif kind is ev.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _FatalError(
                        event.start_mark,
                        "found a second YAML document ('---'); one document per file",
                        "keep one document per file",
                    )
            elif kind is stream_end:
                break
    except yaml.YAMLError as exc:
        return Parsed(None, problems=(_syntax_problem(exc, text, file),))
    except _FatalError as exc:
        line, column = exc.position
        return Parsed(None, problems=(Problem(file, line, column, "", str(exc), exc.fix),))
    finally:
        parser.dispose()
    if builder.root is None:
        return Parsed(None)
    data, at, child = builder.root
    return Parsed(data, tuple(builder.problems), builder.marks, (at, child))
