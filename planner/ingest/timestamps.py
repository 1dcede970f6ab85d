"""Timestamps: ISO 8601 or epoch seconds (milliseconds when above 10^11) -> UTC epoch
seconds, the 1990-2100 plausibility range, and a cache for exports that repeat the same
instants for every workload.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from planner.ingest.sink import SeriesSink

EPOCH_MIN_S = 631152000.0  # 1990-01-01T00:00:00Z
EPOCH_MAX_S = 4102444800.0  # 2100-01-01T00:00:00Z

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
    return x / 1000.0 if abs(x) >= 1e11 else x


def check_epoch(x: float) -> str | None:
    """Why epoch seconds ``x`` is implausible (outside 1990-2100), or None."""
    if x < EPOCH_MIN_S or x >= EPOCH_MAX_S:
        return "is outside 1990-2100"
    return None


class TimestampCache:
    """Caches parsed timestamps (exports repeat the same instants for every workload);
    cleared when it grows past ``limit`` entries so memory stays bounded."""

    def __init__(self, limit: int = 200_000) -> None:
        self.cache: dict[str, float] = {}
        self.limit = limit

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
                    sink.problem(
                        first_line + i,
                        fld,
                        bad[s],
                        "use ISO 8601 (2026-10-01T00:00:00Z) or epoch seconds",
                    )
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
