"""A stack config as the plain data ``Pulumi.<env>.yaml`` holds: what
``stacks.config_io.to_config`` gives (that function ships with every stack; it is the
reference this one is tested against), with what each dataclass writes worked out once per
class instead of once per value - a 10k-workload config is hundreds of thousands of values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, fields, is_dataclass
from typing import Any

from stacks.spec import CONFIG_KEY, OMIT_DEFAULT

Field = tuple[str, str, bool, Callable[[], Any]]
"""(attribute, config key, omitted at its default, the default's factory)."""

_PLAIN = frozenset({str, int, float, bool, type(None)})
"""Types written as they are (checked first: most values of a config)."""


def config_data(value: Any) -> Any:
    """``stacks.config_io.to_config(value)``: dataclasses as mappings of their fields
    (renamed and omitted as their metadata says), tuples as lists; other values as they
    are."""
    return _Writer().data(value)


class _Writer:
    """``config_data`` with its per-class field lists."""

    def __init__(self) -> None:
        self._fields: dict[type, tuple[Field, ...] | None] = {}

    def data(self, value: Any) -> Any:
        kind = type(value)
        if kind in _PLAIN:
            return value
        plan = self._fields.get(kind)
        if plan is None and kind not in self._fields:
            plan = self._fields[kind] = _fields_of(kind)
        if plan is not None:
            out: dict[str, Any] = {}
            for name, key, omit, default in plan:
                item = getattr(value, name)
                if omit and item == default():
                    continue
                out[key] = self.data(item)
            return out
        if isinstance(value, Mapping):
            return {str(k): self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value


def _fields_of(kind: type) -> tuple[Field, ...] | None:
    """What instances of ``kind`` write, or None when it is not a dataclass (a class
    itself, as a value, is not written as one: ``kind`` is then a metaclass)."""
    if not is_dataclass(kind) or issubclass(kind, type):
        return None
    return tuple(
        (
            f.name,
            f.metadata.get(CONFIG_KEY, f.name),
            bool(f.metadata.get(OMIT_DEFAULT)),
            f.default_factory if f.default_factory is not MISSING else _constant(f.default),
        )
        for f in fields(kind)
    )


def _constant(value: Any) -> Callable[[], Any]:
    """A factory giving ``value``."""
    return lambda: value
