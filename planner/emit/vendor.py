"""The component code shipped inside every emitted stack.

An emitted stack must build its virtualenv from its own ``requirements.txt`` with public
packages only (a fresh CI checkout has no hybridplan). So the ``stacks`` package - pure
Pulumi components, importing nothing from ``planner`` or ``policies`` and each other only
relatively - is copied byte for byte into ``stacks/<site>/hybridplan_stacks/``: a
namespaced name that clashes with no public package, importable from the stack folder
(Pulumi runs ``__main__.py`` with its folder on ``sys.path``). The copy is part of the
rendered tree, so ``hybridplan emit --check`` reports a stale or edited copy as drift.
"""

from __future__ import annotations

import functools
from importlib import resources

PACKAGE = "hybridplan_stacks"
"""The import name of the shipped components inside a stack folder."""
SOURCE_PACKAGE = "stacks"


@functools.cache
def component_files() -> tuple[tuple[str, str], ...]:
    """``(file name, text)`` of every module of the installed ``stacks`` package, sorted by
    name (read like the templates: package data, the same bytes on every run)."""
    folder = resources.files(SOURCE_PACKAGE)
    return tuple(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.is_file() and entry.name.endswith(".py")
    )


def vendored(site_dir: str) -> dict[str, str]:
    """``{"<site_dir>/hybridplan_stacks/<module>.py": text}`` for one stack folder."""
    return {f"{site_dir}/{PACKAGE}/{name}": text for name, text in component_files()}
