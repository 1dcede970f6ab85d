"""The two JSON telemetry documents, streamed: Prometheus ``query_range`` and CloudWatch
``GetMetricData`` responses (or a list of CloudWatch pages).

A response can be hundreds of megabytes. ``json.load`` would build a Python list of lists
of strings for all of it; this module walks the documents with ``JsonScanner`` (256 KiB
pieces) instead, decoding the small parts (labels, ids) with the standard decoder and
scanning the large arrays (``values``, ``Timestamps``, ``Values``) item by item into
``array('d')``. Memory therefore holds the
numeric arrays plus one piece of text.

It knows the two document shapes, not telemetry semantics: it yields ``RawSeries`` (the
labels or label of one series, its timestamps and values as floats with NaN where an item
could not be read, and every unreadable item with its line), ``Notice`` (a document-level
problem) and ``ServerWarning`` (Prometheus' ``warnings``). ``planner.ingest.json_file`` turns
those into series, problems and warnings.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from planner.ingest.json_scanner import PIECE_CHARS, JsonScanner, JsonSyntaxError

_PAIR = re.compile(r'[ \t\r\n]*\[[ \t\r\n]*([^,\s\]]+)[ \t\r\n]*,[ \t\r\n]*"([^"\\]*)"[ \t\r\n]*\]')
_NUMBER = re.compile(r"[ \t\r\n]*(-?[0-9][0-9.eE+\-]*|null)")
_STRING = re.compile(r'[ \t\r\n]*"([^"\\]*)"')


@dataclass
class BadItem:
    """An item of a series' data array that could not be read."""

    index: int
    line: int
    text: str
    kind: str
    """``timestamp``, ``value``, or ``pair`` (a Prometheus item that is not ``[time, "v"]``)."""


@dataclass
class RawSeries:
    """One series as found in the document: names, data, and the items that were bad."""

    kind: str
    """``prometheus`` or ``cloudwatch``."""
    where: str
    """JSON path of the series, e.g. ``data.result[3]``."""
    line: int
    """Line where the series' data array starts (its first line until then)."""
    start_line: int = 0
    """Line where the series' object starts."""
    labels: dict[str, Any] = field(default_factory=dict)
    """Prometheus ``metric`` labels."""
    label: str = ""
    """CloudWatch ``Label`` (or ``Id``)."""
    timestamps: array[float] = field(default_factory=lambda: array("d"))
    values: array[float] = field(default_factory=lambda: array("d"))
    bad: list[BadItem] = field(default_factory=list)
    values_key: str = "values"


@dataclass
class ServerWarning:
    """A warning the server sent with its answer (Prometheus' ``warnings``, e.g. a Thanos
    partial response: some stores did not answer, series may be incomplete)."""

    where: str
    line: int
    message: str


@dataclass
class Notice:
    """A problem with the document as a whole (not one series)."""

    where: str
    line: int
    message: str
    fix: str = ""


def _float(text: str) -> float:
    return math.nan if text == "null" else float(text)


def _pairs(sc: JsonScanner, out: RawSeries) -> None:
    """``[[<unix seconds>, "<value>"], ...]`` into out.timestamps / out.values."""
    out.line = sc.line()
    if not sc.enter("[", "]"):
        return
    ts, vals, bad = out.timestamps, out.values, out.bad
    i = 0
    while True:
        m = sc.match(_PAIR)
        if m is not None:
            t_text, v_text = m.group(1), m.group(2)
            sc.pos = m.end()
            try:
                ts.append(float(t_text))
            except ValueError:
                ts.append(math.nan)
                bad.append(BadItem(i, sc.line(m.start()), t_text, "timestamp"))
            try:
                vals.append(float(v_text))
            except ValueError:
                vals.append(math.nan)
                bad.append(BadItem(i, sc.line(m.start()), v_text, "value"))
        else:  # an irregular item: decode it generically to say what is wrong
            line = sc.line()
            item = sc.value()
            ts.append(math.nan)
            vals.append(math.nan)
            bad.append(BadItem(i, line, json.dumps(item)[:60], "pair"))
        i += 1
        if not sc.after_item():
            return


def _scalars(
    sc: JsonScanner,
    out: array[float],
    bad: list[BadItem],
    kind: str,
    convert: Callable[[str], float],
) -> None:
    """An array of numbers (``kind`` value) or strings (``kind`` timestamp)."""
    if not sc.enter("[", "]"):
        return
    pattern = _STRING if kind == "timestamp" else _NUMBER
    i = 0
    while True:
        m = sc.match(pattern)
        if m is not None:
            sc.pos = m.end()
            try:
                out.append(convert(m.group(1)))
            except ValueError:
                out.append(math.nan)
                bad.append(BadItem(i, sc.line(m.start()), m.group(1), kind))
        else:
            line = sc.line()
            item = sc.value()
            out.append(math.nan)
            bad.append(BadItem(i, line, json.dumps(item)[:60], kind))
        i += 1
        if not sc.after_item():
            return


def _prometheus(sc: JsonScanner, where: str) -> Iterator[RawSeries | Notice]:
    for key in sc.members():
        if key == "resultType":
            line = sc.line()
            rtype = sc.value()
            if rtype != "matrix":
                yield Notice(
                    f"{where}.resultType",
                    line,
                    f"result type {rtype!r} is not matrix",
                    "export a range query (query_range), not an instant query",
                )
        elif key == "result":
            for n in sc.items():
                line = sc.line()
                item = RawSeries("prometheus", f"{where}.result[{n}]", line, start_line=line)
                for k in sc.members():
                    if k == "metric":
                        labels = sc.value()
                        item.labels = labels if isinstance(labels, dict) else {}
                    elif k == "values":
                        _pairs(sc, item)
                    else:
                        sc.value()
                yield item
        else:
            sc.value()


def _cloudwatch(
    sc: JsonScanner, where: str, parse_ts: Callable[[str], float]
) -> Iterator[RawSeries | Notice]:
    for n in sc.items():
        line = sc.line()
        item = RawSeries("cloudwatch", f"{where}[{n}]", line, start_line=line, values_key="Values")
        ident = ""
        for k in sc.members():
            if k == "Label":
                item.label = str(sc.value() or "")
            elif k == "Id":
                ident = str(sc.value() or "")
            elif k == "Timestamps":
                _scalars(sc, item.timestamps, item.bad, "timestamp", parse_ts)
            elif k == "Values":
                item.line = sc.line()
                _scalars(sc, item.values, item.bad, "value", _float)
            else:
                sc.value()
        item.label = item.label or ident
        yield item


def _document(
    sc: JsonScanner, prefix: str, parse_ts: Callable[[str], float]
) -> Iterator[RawSeries | Notice | ServerWarning]:
    line = sc.line()
    found = False
    for key in sc.members():
        if key == "warnings":
            at = sc.line()
            warnings = sc.value()
            for text in warnings if isinstance(warnings, list) else [warnings]:
                yield ServerWarning(f"{prefix}warnings", at, str(text)[:2000])
        elif key == "data":
            found = True
            yield from _prometheus(sc, f"{prefix}data")
        elif key == "MetricDataResults":
            found = True
            yield from _cloudwatch(sc, f"{prefix}MetricDataResults", parse_ts)
        else:
            sc.value()
    if not found:
        yield Notice(
            prefix.rstrip(".") or "(document)",
            line,
            "not a Prometheus query_range or CloudWatch GetMetricData response",
            "export the API response as returned (data.result / MetricDataResults)",
        )


def iter_json_series(
    f: IO[str], parse_ts: Callable[[str], float], *, piece_chars: int = PIECE_CHARS
) -> Iterator[RawSeries | Notice | ServerWarning]:
    """Series of a Prometheus response, a CloudWatch response, or a list of CloudWatch
    pages, reading ``piece_chars`` characters at a time. Raises ``JsonSyntaxError`` (with a
    line) when the text is not JSON."""
    sc = JsonScanner(f, piece_chars)
    if sc.peek() == "[":
        for n in sc.items():
            yield from _document(sc, f"[{n}].", parse_ts)
    else:
        yield from _document(sc, "", parse_ts)
    if sc.peek():
        raise JsonSyntaxError(sc.line(), "invalid JSON: extra data after the document")
