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
