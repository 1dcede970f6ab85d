"""Light parse events for ``yamlbuild``.

libyaml's parser (PyYAML's ``yaml._yaml`` extension) makes each event by calling the event
class of that name in its own module with positional arguments. PyYAML's classes
(``yaml.events``) are Python classes whose ``__init__`` stores every argument as an
attribute: most of the time of reading a large inventory goes there, not to libyaml. The
classes here subclass ``BaseException``, whose constructor (in C) keeps the arguments as
the tuple ``args``; the builder's hot loop reads ``args`` by position (``LAYOUTS``), its
other paths by the usual attribute names (properties over ``args``).

``light_events()`` puts these classes in the extension's namespace while one document is
parsed (under a lock, restoring PyYAML's after); ``as_light`` converts PyYAML's own events,
for the pure-Python parser and for the tests that compare both ways.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, ClassVar

LAYOUTS: dict[str, tuple[str, ...]] = {
    "StreamStartEvent": ("start_mark", "end_mark", "encoding"),
    "StreamEndEvent": ("start_mark", "end_mark"),
    "DocumentStartEvent": ("start_mark", "end_mark", "explicit", "version", "tags"),
    "DocumentEndEvent": ("start_mark", "end_mark", "explicit"),
    "AliasEvent": ("anchor", "start_mark", "end_mark"),
    "ScalarEvent": ("anchor", "tag", "implicit", "value", "start_mark", "end_mark", "style"),
    "SequenceStartEvent": ("anchor", "tag", "implicit", "start_mark", "end_mark", "flow_style"),
    "MappingStartEvent": ("anchor", "tag", "implicit", "start_mark", "end_mark", "flow_style"),
    "SequenceEndEvent": ("start_mark", "end_mark"),
    "MappingEndEvent": ("start_mark", "end_mark"),
}
"""Event class -> the positional arguments libyaml's parser passes (PyYAML 6)."""


class LightEvent(BaseException):
    """A parse event whose fields are ``args`` (see ``LAYOUTS``)."""

    __slots__ = ()
    FIELDS: ClassVar[tuple[str, ...]] = ()


def _field(index: int) -> property:
    return property(lambda self: self.args[index])


def _light_class(name: str, fields: tuple[str, ...]) -> type[LightEvent]:
    namespace: dict[str, Any] = {"__slots__": (), "FIELDS": fields}
    namespace.update({f: _field(i) for i, f in enumerate(fields)})
    return type(name, (LightEvent,), namespace)


LIGHT: dict[str, type[LightEvent]] = {name: _light_class(name, f) for name, f in LAYOUTS.items()}
"""The light class of each event, by PyYAML's class name."""

_SWAP = threading.Lock()


def can_swap(module: ModuleType | None) -> bool:
    """Whether ``module`` (``yaml._yaml``) makes its events from names ``light_events`` can
    replace."""
    return module is not None and all(
        isinstance(getattr(module, name, None), type) for name in LAYOUTS
    )


@contextmanager
def light_events(module: ModuleType) -> Iterator[None]:
    """Within this block, ``module``'s parser makes ``LIGHT`` events (one block at a time
    in the process; PyYAML's classes are put back after)."""
    with _SWAP:
        saved = {name: getattr(module, name) for name in LAYOUTS}
        try:
            for name, cls in LIGHT.items():
                setattr(module, name, cls)
            yield
        finally:
            for name, original in saved.items():
                setattr(module, name, original)


def as_light(get_event: Callable[[], Any]) -> Callable[[], LightEvent]:
    """``get_event`` of a parser making PyYAML's events, made to return light events."""

    def next_event() -> LightEvent:
        event = get_event()
        cls = LIGHT[type(event).__name__]
        return cls(*(getattr(event, f) for f in cls.FIELDS))

    return next_event
