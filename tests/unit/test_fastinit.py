"""``planner.model.fastinit.fast_init``: the same construction as a dataclass's own
``__init__``, only quicker."""

from __future__ import annotations

import dataclasses

import pytest

from planner.model import DataSpec, Dependency, Residency, Resources, SourceRef, Workload
from planner.model.enums import WorkloadKind
from planner.model.fastinit import fast_init


def test_defaults_keywords_positions_and_frozen_as_a_dataclass() -> None:
    """Positional and keyword arguments, defaults, equality and frozenness are kept."""
    assert Resources(1.0, 2.0) == Resources(cpu=1.0, memory_gib=2.0, gpus=0, storage_gib=0.0)
    assert DataSpec().residency is Residency.ANY
    assert Dependency("db").max_latency_ms is None
    ref = SourceRef("inventory.yaml", 3)
    assert (ref.file, ref.line, ref.column) == ("inventory.yaml", 3, 0)
    w = Workload("a", "t", WorkloadKind.SERVICE, 1, 2, Resources(1.0, 1.0), source=ref)
    assert w.depends_on == ()
    assert w.allow_spot is True
    assert w.source == ref
    assert dataclasses.replace(w, tier=2).tier == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        w.tier = 3  # type: ignore[misc]
    with pytest.raises(TypeError, match="memory_gib"):
        Resources(1.0)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword"):
        Resources(1.0, 2.0, cpus=3)  # type: ignore[call-arg]


def test_classes_it_cannot_serve_are_refused() -> None:
    """A default factory, a mutable dataclass or a __post_init__ is refused, not ignored."""

    @dataclasses.dataclass(frozen=True, slots=True)
    class Factory:
        items: list[int] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(slots=True)
    class Mutable:
        x: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        x: int

        def __post_init__(self) -> None:
            pass

    for cls in (Factory, Mutable, Checked):
        with pytest.raises(TypeError):
            fast_init(cls)
