"""YAML parse events -> plain data and packed positions: the builder behind
``planner.load.yamlpos.parse_yaml``.

One pass over libyaml's events (``yaml.CSafeLoader``'s parser); no node tree. Each list
keeps ``(value position, child offset)`` per item and each mapping ``(key position,
value position, child offset)`` per key in ``marks`` (see ``yamlpos.Parsed``); positions
are 1-based line and column packed into one integer. Scalars are resolved by
``yamlcore``; aliases, merge keys, duplicate and complex keys are handled here, with the
guards ``MAX_ALIAS_VALUES`` and ``MAX_DEPTH``.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from planner.load import yamlcore
from planner.load.yamlevents import LIGHT

PathKey = str | int
YamlPath = tuple[PathKey, ...]
Position = tuple[int, int]
Found = tuple[int, YamlPath, str, str]
"""A problem met while building: (packed position, path, message, fix)."""

MAX_ALIAS_VALUES = 200_000
"""Upper bound on values produced by expanding aliases (``*name``) in one document."""

MAX_DEPTH = 64
"""Deepest nesting of lists and mappings accepted (the inputs need fewer than ten)."""

_COLUMN_BITS = 32
NO_CHILD = -1


def pack(mark: Any) -> int:
    """A parser mark as one integer: 1-based line and column."""
    return int(((mark.line + 1) << _COLUMN_BITS) | (mark.column + 1))


def unpack(packed: int) -> Position:
    return (packed >> _COLUMN_BITS, packed & ((1 << _COLUMN_BITS) - 1))


_ENDS = frozenset({LIGHT["MappingEndEvent"], LIGHT["SequenceEndEvent"]})
_UNSEEN = object()


class FatalError(Exception):
    """Stop building: the document cannot become data (one problem says why)."""

    def __init__(self, mark: Any, message: str, fix: str) -> None:
        super().__init__(message)
        self.position = unpack(pack(mark))
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


class Builder:
    """Turns parse events into data and positions (see ``Parsed``)."""

    def __init__(self) -> None:
        self.marks: array[int] = array("q")
        self.problems: list[Found] = []
        self.stack: list[_Open] = []
        self.top: _Open | None = None
        """The innermost open list or mapping (``stack[-1]``)."""
        self.anchors: dict[str, _Anchored] = {}
        self.produced = 0
        self.expanded = 0
        self.root: tuple[Any, int, int] | None = None

    def problem(self, at: int, path: YamlPath, message: str, fix: str) -> None:
        self.problems.append((at, path, message, fix))

    # -- the event loop ----------------------------------------------------------------

    def feed(self, next_event: Callable[[], Any]) -> None:
        """Build from ``next_event`` (a parser's ``get_event`` making ``yamlevents``'
        light events, whose fields the loop reads from ``args`` by position) to the end of
        the stream.

        The hot loop, once per event: untagged, unanchored scalars and lists or mappings
        in an open list or mapping are handled inline with local state; everything else
        (the document's top value, anchors, aliases, tags, merge and repeated keys) goes
        to the methods below, with ``top`` and ``produced`` handed over and taken back."""
        stack, marks, plain = self.stack, self.marks, yamlcore.plain
        scalar_event, alias_event = LIGHT["ScalarEvent"], LIGHT["AliasEvent"]
        map_start, seq_start = LIGHT["MappingStartEvent"], LIGHT["SequenceStartEvent"]
        document_start, stream_end = LIGHT["DocumentStartEvent"], LIGHT["StreamEndEvent"]
        top, produced, documents = self.top, self.produced, 0
        resolved: dict[str, Any] = {}
        """Plain scalar text -> its value: names, kinds and numbers repeat across entries."""
        while True:
            event = next_event()
            kind = type(event)
            if kind is scalar_event:
                # args: anchor, tag, implicit, value, start_mark, end_mark, style
                args = event.args
                if top is None or args[0] is not None:
                    top, produced = self._delegate(self.scalar, event, top, produced)
                    continue
                text = args[3]
                if top.is_map and top.key is None:
                    if text != "<<" and text not in top.value:
                        mark = args[4]
                        top.key = text
                        top.key_at = ((mark.line + 1) << _COLUMN_BITS) | (mark.column + 1)
                        top.skip_value = False
                    else:
                        top, produced = self._delegate(self.scalar, event, top, produced)
                    continue
                if args[1] is not None or top.key == "<<":
                    top, produced = self._delegate(self.scalar, event, top, produced)
                    continue
                mark = args[4]
                at = ((mark.line + 1) << _COLUMN_BITS) | (mark.column + 1)
                value: Any = text
                if args[2][0]:
                    value = resolved.get(text, _UNSEEN)
                    if value is _UNSEEN:
                        try:
                            value = resolved[text] = plain(text)
                        except yamlcore.ScalarError as exc:
                            self.problem(at, self.child_path(top), str(exc), exc.fix)
                            value = None
                produced += 1
                if top.is_map:
                    if not top.skip_value:
                        top.value[top.key] = value
                        top.slots += (top.key_at, at, NO_CHILD)
                    top.key = None
                else:
                    top.value.append(value)
                    top.slots += (at, NO_CHILD)
            elif kind in _ENDS:
                done = stack.pop()
                top = stack[-1] if stack else None
                if done.merges or done.anchor is not None or top is None or top.key == "<<":
                    self.top = top
                    self.produced = produced
                    stack.append(done)
                    self.end()
                    top, produced = self.top, self.produced
                    continue
                child = len(marks)
                marks.extend(done.slots)
                if not top.is_map:
                    top.value.append(done.value)
                    top.slots += (done.at, child)
                elif top.key is None:
                    self.place(top, done.value, done.at, child)
                else:
                    if not top.skip_value:
                        top.value[top.key] = done.value
                        top.slots += (top.key_at, done.at, child)
                    top.key = None
            elif kind is map_start or kind is seq_start:
                # args: anchor, tag, implicit, start_mark, end_mark, flow_style
                args = event.args
                if (
                    top is None
                    or args[0] is not None
                    or args[1] is not None
                    or (top.is_map and top.key in (None, "<<"))
                    or len(stack) >= MAX_DEPTH
                ):
                    value = {} if kind is map_start else []
                    self.top = top
                    self.produced = produced
                    self.start(event, value)
                    top, produced = self.top, self.produced
                    continue
                mark = args[3]
                produced += 1
                part: PathKey = (top.key or "") if top.is_map else len(top.value)
                path = (*top.path, part)
                top = _Open(
                    {} if kind is map_start else [],
                    kind is map_start,
                    ((mark.line + 1) << _COLUMN_BITS) | (mark.column + 1),
                    path,
                    [],
                    produced,
                    None,
                )
                stack.append(top)
            elif kind is alias_event:
                top, produced = self._delegate(self.alias, event, top, produced)
            elif kind is document_start:
                documents += 1
                if documents > 1:
                    raise FatalError(
                        event.start_mark,
                        "found a second YAML document ('---'); one document per file",
                        "keep one document per file",
                    )
            elif kind is stream_end:
                self.top, self.produced = top, produced
                return

    def _delegate(
        self, method: Callable[[Any], None], event: Any, top: _Open | None, produced: int
    ) -> tuple[_Open | None, int]:
        """Run one of the methods below on ``event`` with the loop's state handed over."""
        self.top, self.produced = top, produced
        method(event)
        return self.top, self.produced

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
                self.anchors[event.anchor] = _Anchored(text, at, NO_CHILD, 1, text)
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
            self.anchors[event.anchor] = _Anchored(value, at, NO_CHILD, 1, text)
        if top is None or top.key == "<<":
            self.place(top, value, at, NO_CHILD)
        elif top.is_map:
            if not top.skip_value:
                top.value[top.key] = value
                top.slots += (top.key_at, at, NO_CHILD)
            top.key = None
        else:
            top.value.append(value)
            top.slots += (at, NO_CHILD)

    def key(self, top: _Open, text: str, at: int, event: Any) -> None:
        if (
            text == "<<"
            and event is not None
            and (event.tag == yamlcore.MERGE_TAG or (event.tag is None and event.implicit[0]))
        ):
            top.key, top.key_at, top.skip_value = "<<", at, False
            top.merges.append(({}, NO_CHILD, at))  # filled in by place()
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
                return unpack(top.slots[3 * i])[0]
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
        at = pack(event.start_mark)
        top = self.stack[-1] if self.stack else None
        anchored = self.anchors.get(event.anchor)
        if any(
            o.anchor == event.anchor and (anchored is None or anchored.at < o.at)
            for o in self.stack
        ):
            raise FatalError(
                event.start_mark,
                f"alias *{event.anchor} refers to a node that contains it",
                "a value cannot include itself; copy the part you need",
            )
        if anchored is None:
            raise FatalError(
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
            raise FatalError(
                event.start_mark,
                f"aliases expand to more than {MAX_ALIAS_VALUES:,} values",
                "use fewer aliases (*name), or write the values out",
            )
        self.place(top, anchored.value, anchored.at, anchored.child)

    # -- containers --------------------------------------------------------------------

    def start(self, event: Any, value: dict[str, Any] | list[Any]) -> None:
        top = self.stack[-1] if self.stack else None
        complex_key = top is not None and top.is_map and top.key is None
        path = top.path if top is not None and complex_key else self.child_path(top)
        expected = yamlcore.CORE + ("map" if isinstance(value, dict) else "seq")
        at = pack(event.start_mark)
        if event.tag not in (None, "!", expected):
            self.problem(
                at,
                path,
                f"unsupported YAML tag {event.tag}",
                "remove the tag; use plain lists and mappings",
            )
        if len(self.stack) >= MAX_DEPTH:
            raise FatalError(
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
