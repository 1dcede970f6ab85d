"""The stack configs ``OUT`` holds now, as emit's ``previous`` input: the YAML documents of
``stacks/<site>/Pulumi.<env>.yaml`` (read by the caller) parsed back into
:class:`~stacks.spec.StackConfig` values. A config that does not parse (hand-edited,
written by an incompatible version) is left out: that stack gets no hysteresis and holds no
database move."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.emit.render import project_name
from stacks.config_io import SpecError, parse_stack_config
from stacks.spec import StackConfig


def previous_configs(docs: Mapping[str, Any]) -> dict[str, StackConfig]:
    """``{site: config}`` from ``{site: parsed Pulumi.<env>.yaml document}``."""
    out: dict[str, StackConfig] = {}
    for site, doc in sorted(docs.items()):
        config = doc.get("config") if isinstance(doc, Mapping) else None
        if not isinstance(config, Mapping):
            continue
        prefix = f"{project_name(site)}:"
        try:
            out[site] = parse_stack_config({k.removeprefix(prefix): v for k, v in config.items()})
        except (SpecError, TypeError, ValueError):
            continue
    return out
