"""YAML text for generated files: block style the way people write GitHub workflows
(indented lists, ``|`` for multi-line strings) after a comment header. Values are dumped as
data by a ``yaml.SafeDumper`` (no string templating)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    """Block style the way people write GitHub workflows: indented lists, ``|`` scripts."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        """Steps shared by several jobs are written out in each (no ``&id`` anchors)."""
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(header: str, data: Mapping[str, Any]) -> str:
    """``header`` followed by ``data`` as block-style YAML, keys in the given order."""
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        width=100,
        allow_unicode=True,
    )
    return header + body
