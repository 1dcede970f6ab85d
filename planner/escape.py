"""Text that came from outside (a project path inside the regeneration command) made safe
to embed in a one-line comment of a generated file.

YAML readers (libyaml follows YAML 1.1) end a line at U+0085, U+2028 and U+2029 as well as
``\\r`` and ``\\n``; Python ends one at ``\\r``, ``\\n``, ``\\v``, ``\\f``, ``\\x1c``-``\\x1e``,
U+0085, U+2028 and U+2029 (``str.splitlines``); editors and terminals act on other control
and bidirectional-format characters. A path holding any of them would end the comment
and inject a line (``main: ...``) into ``Pulumi.yaml``. ``comment_text`` writes each such
character as a visible escape (``\\u2028``) instead. In an HTML comment it also breaks the
dash sequences that end or nest one: ``-->``, ``--!>`` and ``<!--`` (the HTML standard's
comment rules, https://html.spec.whatwg.org/multipage/syntax.html#comments; a plain
``--``, as in ``--out``, is allowed there and left readable).
"""

from __future__ import annotations

import re
import unicodedata

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
"""Control, format (bidi overrides, zero-width), line and paragraph separators, surrogates,
private-use and unassigned code points."""


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


_HTML_COMMENT_DASHES = re.compile(r"--(?=!?>)|(?<=<!)-(?=-)")
"""The dash of ``-->``, ``--!>`` or ``<!--`` to escape."""


def comment_text(text: str, *, html: bool = False) -> str:
    """``text`` with every character that can end a line or hide text written as an escape
    (``\\u2028``); with ``html``, ``-->``, ``--!>`` and ``<!--`` are also broken by an
    escaped dash (``-\\x2d>``), so the text cannot end or nest an HTML comment."""
    safe = "".join(_escape(c) if unicodedata.category(c) in _UNSAFE_CATEGORIES else c for c in text)
    if html:
        safe = _HTML_COMMENT_DASHES.sub(lambda m: "-\\x2d" if m.group() == "--" else "\\x2d", safe)
    return safe
