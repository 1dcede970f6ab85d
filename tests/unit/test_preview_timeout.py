"""planner.preview.run: the child's CPU-time limit grows with the stack's config; a longer
wall-clock limit catches a hang."""

from __future__ import annotations

from planner.preview.run import (
    BASE_TIMEOUT_S,
    TIMEOUT_S_PER_KIB,
    WALL_TIMEOUT_MIN_S,
    preview_timeout_s,
    wall_timeout_s,
)


def test_timeout_grows_with_the_config() -> None:
    """A small stack gets the base limit, a 4 MiB config 4096 KiB x the per-KiB allowance more."""
    assert preview_timeout_s(0) == BASE_TIMEOUT_S
    assert preview_timeout_s(4 * 1024 * 1024) == BASE_TIMEOUT_S + 4096 * TIMEOUT_S_PER_KIB
    assert preview_timeout_s(2048) < preview_timeout_s(4096)


def test_wall_backstop_is_ten_times_the_cpu_limit_and_at_least_ten_minutes() -> None:
    """The CPU-time limit is what stops a busy child; the wall-clock backstop only catches
    a hang: 10x the CPU limit, never under 600 s (a small limit on a loaded machine)."""
    assert wall_timeout_s(2) == WALL_TIMEOUT_MIN_S == 600
    assert wall_timeout_s(preview_timeout_s(1024 * 1024)) == 10 * (BASE_TIMEOUT_S + 1024)
