"""planner.collector: the cycle collector is restored as it was, errors included."""

from __future__ import annotations

import gc

import pytest

from planner import collector


@pytest.mark.parametrize("enabled", [True, False])
def test_paused_restores_the_collector(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with collector.paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), collector.paused():
            raise RuntimeError
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_frozen_unfreezes_even_on_error() -> None:
    before = gc.get_freeze_count()
    with collector.frozen():
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == before
    with pytest.raises(RuntimeError), collector.frozen():
        raise RuntimeError
    assert gc.get_freeze_count() == before
