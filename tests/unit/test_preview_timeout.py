"""planner.preview.run: the child's time limit grows with the stack's config."""

from __future__ import annotations

from planner.preview.run import BASE_TIMEOUT_S, TIMEOUT_S_PER_KIB, preview_timeout_s


def test_timeout_grows_with_the_config() -> None:
    """A small stack gets the base limit, a 4 MiB config 4096 KiB x the per-KiB allowance more."""
    assert preview_timeout_s(0) == BASE_TIMEOUT_S
    assert preview_timeout_s(4 * 1024 * 1024) == BASE_TIMEOUT_S + 4096 * TIMEOUT_S_PER_KIB
    assert preview_timeout_s(2048) < preview_timeout_s(4096)
