"""GitHub-flavoured Markdown primitives: table cells, code spans, tables, Mermaid labels,
and short texts for table cells. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from planner.fx import OPEN, USD, cut_text, render_text

_MD_ESCAPES = str.maketrans({"|": "\\|", "\n": " ", "\r": " ", "<": "&lt;", ">": "&gt;"})


def md_cell(value: object) -> str:
    """Text safe inside a GFM table cell (pipes escaped, no newlines, no raw HTML)."""
    if value is None:
        return "-"
    text = str(value).translate(_MD_ESCAPES).strip()
    return text or "-"


def code_span(text: str) -> str:
    """An inline code span (backticks in ``text`` are replaced: names never contain them).
    A ``|`` is escaped: in a GFM table it would end the cell even inside backticks (GitHub
    shows ``\\|`` in a table's code span as ``|``)."""
    cleaned = text.replace("`", "'").replace("|", "\\|")
    return f"`{cleaned}`"


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    """GFM table lines. ``align`` has one letter per column: ``l`` or ``r``."""
    sep = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    lines.extend("| " + " | ".join(r) + " |" for r in rows)
    return lines


def mermaid_label(text: str) -> str:
    """Text safe inside a double-quoted Mermaid label."""
    return text.replace('"', "'")


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to ``limit`` characters (with an
    ellipsis)."""
    text = " ".join(str(text).split())
    if OPEN in text:  # amounts marked for the project currency: cut where USD text would be
        plain = render_text(text, USD)
        if len(plain) <= limit:
            return text
        cut = plain[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
        return cut_text(text, len(cut)) + "…"
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def sites_text(sites: Sequence[str]) -> str:
    """``a + b`` for a placement split over sites (``-`` when there are none)."""
    return " + ".join(sites) if sites else "-"
