"""A fast reader for the common YAML file, with positions found again only when asked.

``read_yaml`` gives what ``yamlpos.parse_yaml`` (the full reader) gives - the same data,
the same problems, the same answers from ``Parsed.where`` and ``Parsed.item_positions`` -
in about half the time and memory on a large inventory: its loop over libyaml's events
keeps no position per value, only those of the document's top mapping (each key and value)
and of the items of the lists it holds (each workload, site, waiver: what the model's
``SourceRef`` needs when nothing is wrong).

Any other position (a field of one workload, asked when a problem is reported) is found by
reading that one item again with the full reader: the lines from the item to the next one
(``FastLocator``). Where that cannot be done exactly (a flow list ``[...]``, an item whose
lines hold anything else, a read that does not give the same item back), the whole text is
read again with the full reader, once.

The fast loop gives up and hands the file to the full reader (same result, slower) on
anything unusual: an anchor, alias, tag or merge key (``<<``; ``read_yaml`` does not try
the fast loop where a cheap scan sees one), a repeated or complex key, a scalar the core
schema refuses, nesting at ``MAX_DEPTH``, a second document, a top value that is not a
mapping. A syntax error is reported as the full reader reports it (it stops
at the same event, having met nothing unusual before it).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any

import yaml

from planner.load import yamlcore, yamlevents
from planner.load.yamlbuild import MAX_DEPTH, Position, YamlPath, pack, unpack
from planner.load.yamlevents import LIGHT
from planner.load.yamlpos import LIBYAML, LINE_BREAK, PARSER, Parsed, parse_yaml, syntax_problem

_UNSEEN = object()


class _UnusualError(Exception):
    """The fast loop met something only the full reader handles."""


def read_yaml(text: str, file: str) -> Parsed:
    """``parse_yaml(text, file)``'s result, by the fast loop when it can (see the module)."""
    fast = None if looks_unusual(text) else fast_parse(text, file)
    return parse_yaml(text, file) if fast is None else fast


_TOKEN_AFTER = frozenset(" \t\r\n[{,")
"""What may stand before a tag (``!``), anchor (``&``) or alias (``*``) token."""
_SCAN_LIMIT = 1_000
"""Occurrences of each of those characters looked at before ``looks_unusual`` gives up."""


def looks_unusual(text: str) -> bool:
    """Whether ``text`` seems to hold a tag, anchor, alias or merge key (``<<``), which
    the fast loop would give up on - perhaps late in a large file, after most of its work.
    A cheap scan (``str.find``); a wrong guess only costs time: the full reader gives the
    same result."""
    if "<<" in text:
        return True
    for char in "!&*":
        at, seen = text.find(char), 0
        while at != -1 and seen < _SCAN_LIMIT:
            if at == 0 or text[at - 1] in _TOKEN_AFTER:
                return True
            at, seen = text.find(char, at + 1), seen + 1
    return False


def fast_parse(text: str, file: str) -> Parsed | None:
    """The fast loop's result, or ``None`` where only the full reader can read ``text``."""
    if not yamlevents.can_swap(LIBYAML):
        return None
    parser = PARSER(text)
    shape = _Shape()
    try:
        with yamlevents.light_events(LIBYAML):
            data = _build(parser.get_event, shape)
    except yaml.YAMLError as exc:
        return Parsed(None, problems=(syntax_problem(exc, text, file),))
    except (_UnusualError, yamlcore.ScalarError):
        return None
    finally:
        parser.dispose()
    if data is None:
        return Parsed(None)
    return Parsed(data, locator=FastLocator(text, file, data, shape))


class _Shape:
    """The positions the fast loop keeps (packed as ``yamlbuild.pack`` does)."""

    def __init__(self) -> None:
        self.root_at = 0
        self.keys: dict[str, tuple[int, int]] = {}
        """Top-level key -> (key position, value position)."""
        self.items: dict[str, array[int]] = {}
        """Top-level key holding a list -> the position of each item."""
        self.block: dict[str, bool] = {}
        """Top-level key holding a list -> whether it is a block list (``- item`` lines)."""
        self.ends: dict[str, int] = {}
        """Top-level key holding a list -> the position of the list's end event."""


def _build(next_event: Callable[[], Any], shape: _Shape) -> Any:
    """The document's data from light events (``yamlevents``), or ``_UnusualError``."""
    scalar_event, plain = LIGHT["ScalarEvent"], yamlcore.plain
    map_start, seq_start = LIGHT["MappingStartEvent"], LIGHT["SequenceStartEvent"]
    ends = frozenset({LIGHT["MappingEndEvent"], LIGHT["SequenceEndEvent"]})
    document_start, stream_end = LIGHT["DocumentStartEvent"], LIGHT["StreamEndEvent"]
    passing = frozenset({LIGHT["StreamStartEvent"], LIGHT["DocumentEndEvent"]})
    resolved: dict[str, Any] = {}
    stack: list[tuple[Any, bool, Any, array[int] | None]] = []
    top: Any = None
    is_map = False
    key: Any = None
    key_at = 0
    record: array[int] | None = None
    """The item positions of the list ``top`` when it is a top-level value."""
    root: Any = None
    value: Any = None
    depth = 0
    """Lists and mappings open (``len(stack)``)."""
    documents = 0
    while True:
        event = next_event()
        kind = type(event)
        if kind is scalar_event:
            # args: anchor, tag, implicit, value, start_mark, end_mark, style
            args = event.args
            if args[0] is not None or args[1] is not None or top is None:
                raise _UnusualError
            text = args[3]
            if is_map and key is None:
                if text == "<<" or text in top:
                    raise _UnusualError
                key = text
                if depth == 1:
                    key_at = pack(args[4])
                continue
            if args[2][0]:
                value = resolved.get(text, _UNSEEN)
                if value is _UNSEEN:
                    value = resolved[text] = plain(text)
            else:
                value = text
            if is_map:
                if depth == 1:
                    shape.keys[key] = (key_at, pack(args[4]))
                top[key] = value
                key = None
            else:
                if record is not None:
                    record.append(pack(args[4]))
                top.append(value)
        elif kind in ends:
            done = top
            if not stack:
                raise _UnusualError
            top, is_map, key, record = stack.pop()
            depth -= 1
            if top is None:
                root = done
            elif is_map:
                if depth == 1 and type(done) is list:
                    shape.ends[key] = pack(event.args[0])
                top[key] = done
                key = None
            else:
                top.append(done)
        elif kind is map_start or kind is seq_start:
            # args: anchor, tag, implicit, start_mark, end_mark, flow_style
            anchor, tag, _, mark, _, flow = event.args
            if anchor is not None or tag is not None or depth >= MAX_DEPTH:
                raise _UnusualError
            child: array[int] | None = None
            if top is None:
                if kind is not map_start or root is not None:
                    raise _UnusualError
                shape.root_at = pack(mark)
            elif is_map:
                if key is None:
                    raise _UnusualError
                if depth == 1:
                    shape.keys[key] = (key_at, pack(mark))
                    if kind is seq_start:
                        child = shape.items[key] = array("q")
                        shape.block[key] = not flow
            elif record is not None:
                record.append(pack(mark))
            stack.append((top, is_map, key, record))
            depth += 1
            top, is_map, key, record = (
                ({} if kind is map_start else []),
                kind is map_start,
                None,
                child,
            )
        elif kind is document_start:
            documents += 1
            if documents > 1:
                raise _UnusualError
        elif kind is stream_end:
            return root
        elif kind not in passing:
            raise _UnusualError


class FastLocator:
    """``Parsed.where`` and ``Parsed.item_positions`` for ``fast_parse``'s result: from the
    positions kept, from one item read again, or from the whole text read again (once)."""

    def __init__(self, text: str, file: str, data: dict[str, Any], shape: _Shape) -> None:
        self.text, self.file, self.data, self.shape = text, file, data, shape
        self._full: Parsed | None = None
        self._line_starts: array[int] | None = None
        self._items: dict[tuple[str, int], tuple[Parsed, int] | None] = {}

    def full(self) -> Parsed:
        """The full reader's result for the whole text (read once, when first needed)."""
        if self._full is None:
            self._full = parse_yaml(self.text, self.file)
        return self._full

    def where(self, path: YamlPath, *, key: bool = False) -> Position:
        shape = self.shape
        if not path or not isinstance(path[0], str) or path[0] not in shape.keys:
            return unpack(shape.root_at)
        name = path[0]
        key_at, at = shape.keys[name]
        if len(path) == 1:
            return unpack(key_at if key else at)
        items = shape.items.get(name)
        index = path[1]
        if items is None:
            return self.full().where(path, key=key)
        if not isinstance(index, int) or not 0 <= index < len(items):
            return unpack(at)  # no such item: the list's own position, as the full reader
        if len(path) == 2:
            return unpack(items[index])
        item = self._item(name, index)
        if item is None:
            return self.full().where(path, key=key)
        parsed, first_line = item
        line, column = parsed.where((0, *path[2:]), key=key)
        return (line + first_line - 1, column)

    def item_positions(self, path: YamlPath) -> list[Position]:
        shape = self.shape
        if not path or not isinstance(path[0], str) or path[0] not in shape.keys:
            return []  # the top value is a mapping; a missing key holds no list
        items = shape.items.get(path[0])
        if len(path) == 1:
            return [] if items is None else [unpack(at) for at in items]
        index = path[1]
        if items is None:
            return self.full().item_positions(path)
        if not isinstance(index, int) or not 0 <= index < len(items):
            return []
        item = self._item(path[0], index)
        if item is None:
            return self.full().item_positions(path)
        parsed, first_line = item
        return [(ln + first_line - 1, col) for ln, col in parsed.item_positions((0, *path[2:]))]

    def _item(self, name: str, index: int) -> tuple[Parsed, int] | None:
        """Item ``index`` of the top-level list ``name`` read alone by the full reader, and
        its first line; ``None`` if that read is not exactly the item in place."""
        if (name, index) not in self._items:
            self._items[name, index] = self._read_item(name, index)
        return self._items[name, index]

    def _read_item(self, name: str, index: int) -> tuple[Parsed, int] | None:
        shape = self.shape
        if not shape.block[name]:
            return None
        items = shape.items[name]
        line, column = unpack(items[index])
        stop_line, stop_column = unpack(
            items[index + 1] if index + 1 < len(items) else shape.ends[name]
        )
        starts = self.line_starts()
        if stop_line <= line or stop_line > len(starts):
            return None
        begin, stop = starts[line - 1], starts[stop_line - 1]
        if self.text[begin : begin + column - 1].strip(" -") != "":
            return None  # the item's line holds more than its "- " indicators
        if self.text[stop : stop + stop_column - 1].strip(" -") != "":
            stop = len(self.text)  # the list ends at the end of the text, on a line of its own
        parsed = parse_yaml(self.text[begin:stop], self.file)
        alone = parsed.data
        if (
            parsed.problems
            or not isinstance(alone, list)
            or len(alone) != 1
            or alone[0] != self.data[name][index]
            or parsed.where((0,)) != (1, column)
        ):
            return None
        return parsed, line

    def line_starts(self) -> array[int]:
        """The offset in ``text`` of each line's start (libyaml's line breaks)."""
        if self._line_starts is None:
            starts = array("q", [0])
            starts.extend(m.end() for m in LINE_BREAK.finditer(self.text))
            self._line_starts = starts
        return self._line_starts
