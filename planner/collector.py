"""Python's cycle collector around the allocation-heavy steps (load, plan, render): paused
or with what already exists frozen out of its generations. Reference counting frees
acyclic garbage as ever; the collector is restored as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cycle collection inside (cycles made meanwhile go at the next pass after)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """Every object alive on entry moved out of the collector's generations until exit:
    a pass inside scans only what was made inside."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
