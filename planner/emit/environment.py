"""The Jinja2 environment the stack templates render in, and the quoting filters that are
the only way a value enters a generated file: ``pyrepr`` for Python source, ``to_yaml`` for
YAML (through the safe dumper, never by interpolation), ``comment_text`` for the header
comments (``planner.escape``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import yaml

import planner
from planner.escape import comment_text


def pyrepr(value: object) -> str:
    """Quote a value for Python source (``repr`` of str/int/float/bool/None only)."""
    if value is None or isinstance(value, str | int | float | bool):
        return repr(value)
    raise TypeError(f"refusing to render {type(value).__name__} into Python source")


_SafeDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""libyaml's emitter when PyYAML has it (a stack config at 10k workloads is megabytes: the
pure-Python emitter took most of emit's time); the same safe representer either way, and
the same bytes for what emit writes (plain and quoted scalars, block style, width 4096)."""


class _Dumper(_SafeDumper):  # type: ignore[valid-type,misc]
    """The safe dumper, without anchors and aliases (shared sub-objects are written out)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def to_yaml(value: object) -> str:
    """Block-style YAML with sorted keys, through the safe dumper (never interpolation);
    no trailing newline (the template supplies it)."""
    text = yaml.dump(
        value,
        Dumper=_Dumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=False,
        width=4096,
    )
    return text.rstrip("\n")


def default_environment() -> jinja2.Environment:
    """A strict Environment on the ``templates/`` folder, with the ``pyrepr`` and
    ``to_yaml`` filters the templates use. ``planner/templates`` is a link to the
    repository's top-level ``templates/``, so a checkout and an installed wheel (which
    carries a copy as package data) read the same files."""
    root = Path(planner.__file__).resolve().parent / "templates"
    # Not HTML: escaping is the filters' job (to_yaml, pyrepr), so autoescape stays off.
    loader = jinja2.FileSystemLoader(str(root))
    return strict_environment(jinja2.Environment(loader=loader, autoescape=False))  # noqa: S701


def strict_environment(env: jinja2.Environment) -> jinja2.Environment:
    """A copy of ``env`` (same loader) made strict - ``StrictUndefined``, no autoescape,
    trailing newlines kept, block whitespace trimmed - with the ``pyrepr`` and ``to_yaml``
    filters registered. ``env`` itself is left unchanged."""
    strict = env.overlay(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    strict.filters = {
        **env.filters,
        "pyrepr": pyrepr,
        "to_yaml": to_yaml,
        "comment_text": comment_text,
    }
    return strict
