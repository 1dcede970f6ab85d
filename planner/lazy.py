"""Lazy package exports: a package's names imported from their modules on first use
(PEP 562 ``__getattr__``), so importing the package (every command, ``--help`` included,
imports ``planner.app``) loads only what a run touches."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``name`` from its module
    ``package.homes[name]`` (or ``homes[name]`` when that is a dotted module name) on first
    use and keeps it in the package's namespace."""

    def get_export(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = home if "." in home else f"{package}.{home}"
        value = getattr(importlib.import_module(module), name)
        setattr(importlib.import_module(package), name, value)
        return value

    return get_export
