"""Sample values: text cells -> floats (a problem per non-numeric cell), the checks every
value passes (negative, infinite, absurd for its unit), and the field names problems quote.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from planner.ingest.sink import MAX_PROBLEMS_PER_FILE, SeriesSink


def value_problems(
    sink: SeriesSink,
    vals: npt.NDArray[np.float64],
    limits: npt.NDArray[np.float64],
    lines: npt.NDArray[np.int64],
    names: Sequence[str],
) -> npt.NDArray[np.bool_]:
    """Record negative / infinite / absurd values; return the mask of samples to keep."""
    with np.errstate(invalid="ignore"):
        bad = (vals < 0) | np.isinf(vals) | (vals > limits)
    if bad.any():
        for i in np.flatnonzero(bad)[: MAX_PROBLEMS_PER_FILE + 1]:
            v = float(vals[i])
            if v < 0:
                msg, fix = f"negative value {v:g}", "utilisation cannot be negative"
            elif math.isinf(v):
                msg, fix = f"infinite value {v:g}", "export finite numbers (empty = gap)"
            else:
                msg = f"absurd value {v:g} (above {float(limits[i]):g})"
                fix = "check the unit: cpu in cores, memory in GiB, gpu 0-1, rps per second"
            sink.problem(int(lines[i]), names[i], msg, fix)
        sink.overflow += max(0, int(bad.sum()) - MAX_PROBLEMS_PER_FILE - 1)
    keep: npt.NDArray[np.bool_] = ~bad & ~np.isnan(vals)
    return keep


def floats(col: Sequence[str]) -> npt.NDArray[np.float64] | None:
    """The cells as floats at numpy speed; None when any is not a number (or empty)."""
    try:
        return np.array(col, dtype=np.float64)
    except ValueError:
        return None


def floats_slow(
    col: Sequence[str], lines: Sequence[int], sink: SeriesSink, names: Sequence[str]
) -> npt.NDArray[np.float64]:
    """The cells as floats one by one: empty is a gap (NaN), anything else that is not a
    number is NaN and a problem on its line and field."""
    out = np.empty(len(col), dtype=np.float64)
    for i, s in enumerate(col):
        s2 = s.strip()
        if not s2:
            out[i] = math.nan
            continue
        try:
            out[i] = float(s2)
        except ValueError:
            out[i] = math.nan
            sink.problem(lines[i], names[i], f"non-numeric value {s!r}", "values are numbers")
    return out


class FieldNames(Sequence[str]):
    """The field a problem names for sample i, made on demand: a file has millions of
    samples and its problems name at most a few of them."""

    def __init__(self, n: int, name_of: Callable[[int], str]) -> None:
        self.n = n
        self.name_of = name_of

    @classmethod
    def same(cls, name: str, n: int) -> FieldNames:
        """``name`` for each of ``n`` samples."""
        return cls(n, lambda _: name)

    @classmethod
    def by_column(cls, names: Sequence[str], n_rows: int) -> FieldNames:
        """The column name of each sample of ``n_rows`` rows flattened column by column."""
        return cls(len(names) * n_rows, lambda i: names[i // n_rows])

    @classmethod
    def indexed(cls, where: str, n: int) -> FieldNames:
        """``where[i]`` for each of ``n`` samples (a JSON array's items)."""
        return cls(n, lambda i: f"{where}[{i}]")

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: Any) -> Any:
        return self.name_of(int(i))
