"""Timestamps: ISO 8601 or epoch seconds (milliseconds when above 10^11) -> UTC epoch
seconds, the 1990-2100 plausibility range, and a cache for exports that repeat the same
instants for every workload.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from planner.ingest.sink import SeriesSink

EPOCH_MIN_S = 631152000.0  # 1990-01-01T00:00:00Z
EPOCH_MAX_S = 4102444800.0  # 2100-01-01T00:00:00Z
MS_EPOCH_FROM = 1e11
"""Epoch numbers of this size or more are milliseconds (1e11 seconds is the year 5138)."""
TIMESTAMP_FIX = "use ISO 8601 (2026-10-01T00:00:00Z) or epoch seconds"

OUTSIDE = "is outside 1990-2100"
TS_NAMES = ("timestamp", "time", "ts")
"""Header names of the timestamp column of a CSV."""


def parse_timestamp(text: str) -> float:
    """ISO 8601 or epoch seconds/milliseconds -> UTC epoch seconds. Raises ValueError."""
    s = text.strip()
    if not s:
        raise ValueError("empty timestamp")
    try:
        x = float(s)
    except ValueError:
        dt = datetime.fromisoformat(s)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return dt.timestamp()
    if not math.isfinite(x):
        raise ValueError(f"not a time: {s!r}")
    return x / 1000.0 if abs(x) >= MS_EPOCH_FROM else x


def epoch_seconds(ts: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Epoch numbers -> seconds, vectorised (milliseconds from ``MS_EPOCH_FROM``)."""
    return np.where(ts >= MS_EPOCH_FROM, ts / 1000.0, ts)


def check_epoch(x: float) -> str | None:
    """Why epoch seconds ``x`` is implausible (outside 1990-2100), or None."""
    if x < EPOCH_MIN_S or x >= EPOCH_MAX_S:
        return OUTSIDE
    return None


def outside_epoch(ts: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """``check_epoch`` vectorised: True where implausible (NaN is not)."""
    with np.errstate(invalid="ignore"):
        out: npt.NDArray[np.bool_] = (ts < EPOCH_MIN_S) | (ts >= EPOCH_MAX_S)
    return out


class TimestampCache:
    """Caches parsed timestamps (exports repeat the same instants for every workload) of
    one file; each table is cleared when it grows past ``limit`` entries so memory stays
    bounded."""

    def __init__(self, limit: int = 200_000) -> None:
        self.cache: dict[str, float] = {}
        """Text -> epoch seconds, plausible ones only (``parse_many``)."""
        self.parsed: dict[str, float] = {}
        """Text -> epoch seconds, any (``parse``)."""
        self.hashed: dict[int, float] = {}
        """Hash of the text's bytes -> epoch seconds, plausible ones only (``parse_hashed``)."""
        self.limit = limit

    def parse(self, text: str) -> float:
        """``parse_timestamp``, cached; raises ValueError. The range is not checked."""
        x = self.parsed.get(text)
        if x is None:
            if len(self.parsed) > self.limit:
                self.parsed.clear()
            x = self.parsed[text] = parse_timestamp(text)
        return x

    def parse_hashed(self, key: int, text: Callable[[], str]) -> float | None:
        """Epoch seconds of the timestamp whose bytes hash to ``key`` (``text`` gives it
        when not cached); None when it is unparseable or implausible."""
        x = self.hashed.get(key)
        if x is None:
            try:
                x = parse_timestamp(text())
            except ValueError:
                return None
            if check_epoch(x):
                return None
            if len(self.hashed) > self.limit:
                self.hashed.clear()
            self.hashed[key] = x
        return x

    def parse_many(
        self, col: Sequence[str], first_line: int, sink: SeriesSink, fld: str
    ) -> npt.NDArray[np.float64]:
        """Epoch seconds for each string, NaN (and a problem) where unparseable."""
        cache = self.cache
        if len(cache) > self.limit:
            cache.clear()
        missing = set(col).difference(cache)
        bad: dict[str, str] = {}
        for s in missing:
            try:
                x = parse_timestamp(s)
            except ValueError as exc:
                bad[s] = f"unparseable timestamp {s!r} ({exc})"
                continue
            why = check_epoch(x)
            if why:
                bad[s] = f"timestamp {s!r} {why}"
                continue
            cache[s] = x
        if bad:
            for i, s in enumerate(col):
                if s in bad:
                    sink.problem(first_line + i, fld, bad[s], TIMESTAMP_FIX)
            return np.fromiter((cache.get(s, math.nan) for s in col), np.float64, len(col))
        return np.fromiter(map(cache.__getitem__, col), np.float64, len(col))


def chunk_ts(
    clock: TimestampCache, col: Sequence[str], lines: npt.NDArray[np.int64], sink: SeriesSink
) -> npt.NDArray[np.float64]:
    """Epoch seconds of a column of timestamp cells on ``lines`` (NaN and a problem where
    unparseable)."""
    if lines.size and int(lines[-1]) - int(lines[0]) == lines.size - 1:
        return clock.parse_many(col, int(lines[0]), sink, "timestamp")
    out = np.empty(len(col), dtype=np.float64)
    for i, s in enumerate(col):
        out[i] = clock.parse_many([s], int(lines[i]), sink, "timestamp")[0]
    return out


ISO_UTC_WIDTH = 20
"""``YYYY-MM-DDTHH:MM:SSZ``: the layout ``iso_utc_seconds`` reads at numpy speed."""
_ISO_DIGITS = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)
_ISO_PUNCT = ((4, 45), (7, 45), (10, 84), (13, 58), (16, 58), (19, 90))  # - - T : : Z
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def iso_utc_seconds(
    raw: npt.NDArray[np.uint8], start: npt.NDArray[np.intp]
) -> npt.NDArray[np.float64] | None:
    """Epoch seconds of the ``YYYY-MM-DDTHH:MM:SSZ`` texts at ``start`` in ``raw`` (bytes),
    as ``parse_timestamp`` gives them, in integer arithmetic; None when any is not exactly
    that layout with a real date and time (the caller parses those one by one)."""
    if not start.size or int(start.max()) + ISO_UTC_WIDTH > raw.size:
        return None
    field = raw[start[:, None] + np.arange(ISO_UTC_WIDTH)]
    for at, byte in _ISO_PUNCT:
        if not bool(np.all(field[:, at] == byte)):
            return None
    d = field[:, _ISO_DIGITS].astype(np.int64) - 48
    if bool(((d < 0) | (d > 9)).any()):
        return None
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    month, day = d[:, 4] * 10 + d[:, 5], d[:, 6] * 10 + d[:, 7]
    hour, minute, second = (
        d[:, 8] * 10 + d[:, 9],
        d[:, 10] * 10 + d[:, 11],
        d[:, 12] * 10 + d[:, 13],
    )
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    good_month = (month >= 1) & (month <= 12)
    month_days = _MONTH_DAYS[np.where(good_month, month, 0)] + (leap & (month == 2))
    if not bool(
        np.all(good_month & (year >= 1) & (day >= 1) & (day <= month_days))
        and np.all((hour < 24) & (minute < 60) & (second < 60))
    ):
        return None
    # days from 1970-01-01 to the civil date (H. Hinnant, "chrono-compatible low-level date
    # algorithms", days_from_civil): exact integers, as datetime's own arithmetic
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146097 + doe - 719468
    seconds: npt.NDArray[np.float64] = (days * 86400 + hour * 3600 + minute * 60 + second).astype(
        np.float64
    )
    return seconds
