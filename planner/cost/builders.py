"""Positional constructors for the values a fleet pricing run builds by the hundred thousand
(``Offer``: one per workload, site and option; ``Money``: each offer's sum).

A frozen dataclass's ``__init__`` sets each field with ``object.__setattr__`` looked up anew
per field (and ``Money`` checks its cents in ``__post_init__``); these call each slot's
descriptor ``__set__``, bound once, in about half the time (as
``planner.model.fastinit.fast_init``, which refuses ``Offer``'s ``default_factory``). Every
field is positional and required; the instances are the class's own, equal to the ones
its ``__init__`` makes and as frozen. ``cents_money`` takes the cents of a sum of ``Money``
(an ``int``, which is what ``Money.__post_init__`` checks).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from planner.model import Offer
from planner.money import Money


def positional_new(cls: type[Any]) -> Callable[..., Any]:
    """A function ``(field_1, ..., field_n) -> cls`` that sets each slot directly (every
    field in declaration order, none defaulted); ``cls`` is a frozen, slotted dataclass."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: positional_new needs a frozen, slotted dataclass")
    names = [f.name for f in dataclasses.fields(cls)]
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    for name in names:
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__
    body = "".join(f"    _set_{name}(self, {name})\n" for name in names)
    source = f"def new({', '.join(names)}):\n    self = _new(_cls)\n{body}    return self\n"
    exec(source, namespace)  # noqa: S102 - generated from field names, as dataclasses does
    new: Callable[..., Any] = namespace["new"]
    new.__qualname__ = f"new_{cls.__name__}"
    return new


new_offer: Callable[..., Offer] = positional_new(Offer)
"""``Offer(workload, site, option, per_month, line_items, migration, migration_items,
instance_type, eligible, reason, usage, usd_per_gpu_hour, fixed_per_month,
billed_gpu_hours)``, every field given."""

cents_money: Callable[[int, str], Money] = positional_new(Money)
"""``Money(cents, currency)`` for ``cents`` known to be an ``int`` (a sum of cents)."""
