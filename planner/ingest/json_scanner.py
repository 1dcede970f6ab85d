"""An incremental JSON scanner over a text stream: it reads ``PIECE_CHARS`` at a time, decodes
small values with the standard decoder, and lets callers walk objects and arrays key by key
and item by item (with the line of every position) without building the document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any

PIECE_CHARS = 1 << 18
"""Characters of JSON text read at a time (256 Ki)."""
_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\r\n]*")
_SEP = re.compile(r"[ \t\r\n]*([,\]])")


class JsonSyntaxError(ValueError):
    """The text is not JSON (or not the expected shape) at ``line``."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class JsonScanner:
    """A cursor over JSON text read ``piece_chars`` at a time; the text before the cursor is
    dropped as pieces are read, and ``line`` still counts from the start of the file."""

    def __init__(self, f: IO[str], piece_chars: int = PIECE_CHARS) -> None:
        self.f = f
        self.piece_chars = piece_chars
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.base_line = 1

    # -- buffer ------------------------------------------------------------------------
    def fill(self) -> bool:
        if self.eof:
            return False
        data = self.f.read(self.piece_chars)
        if not data:
            self.eof = True
            return False
        if self.pos:
            self.base_line += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos :]
            self.pos = 0
        self.buf += data
        return True

    def line(self, pos: int | None = None) -> int:
        return self.base_line + self.buf.count("\n", 0, self.pos if pos is None else pos)

    def need(self, n: int = 1) -> None:
        while len(self.buf) - self.pos < n and self.fill():
            pass

    def ws(self) -> None:
        while True:
            m = _WS.match(self.buf, self.pos)
            assert m is not None
            self.pos = m.end()
            if self.pos < len(self.buf) or not self.fill():
                return

    def peek(self) -> str:
        self.ws()
        return self.buf[self.pos] if self.pos < len(self.buf) else ""

    def expect(self, ch: str) -> None:
        got = self.peek()
        if got != ch:
            found = repr(got) if got else "end of file"
            raise JsonSyntaxError(self.line(), f"invalid JSON: expected {ch!r}, found {found}")
        self.pos += 1

    # -- values ------------------------------------------------------------------------
    def value(self) -> Any:
        """Decode one (small) JSON value, reading more text while it is incomplete."""
        self.ws()
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self.fill():
                    continue
                line = self.base_line + self.buf.count("\n", 0, exc.pos)
                raise JsonSyntaxError(line, f"invalid JSON: {exc.msg}") from None
            except RecursionError:  # the decoder recurses once per level of nesting
                raise JsonSyntaxError(
                    self.line(), "invalid JSON: lists or objects nested too deeply"
                ) from None
            if end >= len(self.buf) and not self.eof and self.fill():
                continue  # a number may go on in the next piece
            self.pos = end
            return obj

    def string(self) -> str:
        v = self.value()
        if not isinstance(v, str):
            raise JsonSyntaxError(self.line(), "invalid JSON: expected a string key")
        return v

    def enter(self, opening: str, closing: str) -> bool:
        """Consume ``opening``; False (and ``closing`` consumed too) when it is empty."""
        self.expect(opening)
        if self.peek() == closing:
            self.pos += 1
            return False
        return True

    def _another(self, closing: str) -> bool:
        """After a member or item: consume ',' (True) or ``closing`` (False)."""
        c = self.peek()
        self.pos += 1
        if c == closing:
            return False
        if c != ",":
            raise JsonSyntaxError(self.line(), f"invalid JSON: expected ',' or '{closing}'")
        return True

    def members(self) -> Iterator[str]:
        """Keys of an object; the caller consumes each value before asking for the next."""
        if not self.enter("{", "}"):
            return
        while True:
            key = self.string()
            self.expect(":")
            yield key
            if not self._another("}"):
                return

    def items(self) -> Iterator[int]:
        """Indexes of an array's items; the caller consumes each item."""
        if not self.enter("[", "]"):
            return
        i = 0
        while True:
            yield i
            i += 1
            if not self._another("]"):
                return

    def match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """Match at the cursor, reading more text when the match could run past the end."""
        while True:
            m = pattern.match(self.buf, self.pos)
            if m is not None and m.end() < len(self.buf):
                return m
            if len(self.buf) - self.pos < 4096 and self.fill():
                continue
            return m

    def after_item(self) -> bool:
        """Consume ',' (True: more items) or ']' (False)."""
        m = self.match(_SEP)
        if m is None:
            raise JsonSyntaxError(self.line(), "invalid JSON: expected ',' or ']'")
        self.pos = m.end()
        return m.group(1) == ","
