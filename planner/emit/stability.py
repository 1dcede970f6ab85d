"""Stable requests: right-sized CPU and memory quantised to a ladder of sizes, with
hysteresis against the requests the stack holds now, so a re-plan on slightly different
telemetry changes no pod template (every change of a pod template rolls every pod).

- **Ladder**: ``2^k x (1 + i/8)``, ``i`` in 0..7 - eight sizes per doubling (1, 1.125 ...
  1.875, 2, 2.25 ...), in cores for CPU and GiB for memory; a right-sized value is rounded
  *up* to the next size (at most 12.5 % more than sized, never less).
- **Hysteresis**: when the stack already requests a value (the previous emission, read from
  ``OUT/stacks/<site>/Pulumi.<env>.yaml`` before it is overwritten) and the new right-sized
  value is within ``BAND_PCT`` of it, the previous value is kept. Only a change beyond the
  band moves the request (to the new ladder size).

Declared requests (no telemetry) are the user's and are not quantised.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from planner.emit.quantities import mib, milli, parse_cpu_cores, parse_memory_gib

STEPS_PER_DOUBLING = 8
BAND_PCT = 10.0
"""A right-sized value within 10 % of the request the stack holds keeps that request:
telemetry noise of a few percent (the issue's 5 % drift) moves nothing."""


def ladder(value: float) -> float:
    """The smallest ladder size >= ``value`` (``value`` > 0)."""
    if value <= 0:
        return value
    octave = 2.0 ** math.floor(math.log2(value))
    for i in range(STEPS_PER_DOUBLING + 1):
        size = octave * (1 + i / STEPS_PER_DOUBLING)
        if size >= value * (1 - 1e-9):
            return size
    return octave * 2  # pragma: no cover - i = STEPS_PER_DOUBLING reaches 2 x octave


def stable(value: float, previous: float | None) -> float:
    """``value`` on the ladder, or ``previous`` when ``value`` is within the band of it."""
    within = previous is not None and previous > 0 and value > 0
    if within and previous is not None and abs(value - previous) / previous * 100 <= BAND_PCT:
        return previous
    return ladder(value)


def stable_resources(
    cpu: float, memory_gib: float, previous_requests: Mapping[str, str] | None
) -> tuple[float, float]:
    """Stable ``(cores, GiB)`` for right-sized ``cpu`` and ``memory_gib`` given the
    requests the stack holds now (``None``: none, e.g. a workload new on the site)."""
    before = previous_requests or {}
    # On the grid the stack writes (whole millicores, MiB): what is read back next time is
    # exactly what was used, so limits and quotas derived from it come out the same.
    return (
        milli(stable(cpu, parse_cpu_cores(before.get("cpu")))) / 1000,
        mib(stable(memory_gib, parse_memory_gib(before.get("memory")))) / 1024,
    )
