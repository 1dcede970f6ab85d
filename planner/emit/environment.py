"""The Jinja2 environment the stack templates render in, and the quoting filters that are
the only way a value enters a generated file: ``pyrepr`` for Python source, ``to_yaml`` for
YAML (through the safe dumper, never by interpolation), ``comment_text`` for the header
comments (``planner.escape``)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import jinja2
import yaml

import planner
from planner.emit.yaml_block import block_yaml, float_text
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


_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _UnrepresentableError(Exception):
    """A value of a type ``_node`` leaves to the safe representer."""


def _node(value: object) -> yaml.Node:
    """The node ``SafeRepresenter`` builds for plain config data (dict with sorted keys,
    list, str, int, float, bool, None; no aliases, block style), without its per-node
    dispatch and bookkeeping: a 10k-workload stack config has ~600k scalars. Any other
    type raises ``_UnrepresentableError`` (the caller then uses the representer itself)."""
    kind = type(value)
    if kind is str:
        return yaml.ScalarNode(_STR, value)
    if kind is dict:
        items = list(value.items())  # type: ignore[attr-defined]
        # as the representer: keys that do not compare stay in order
        with contextlib.suppress(TypeError):
            items = sorted(items)
        return yaml.MappingNode(_MAP, [(_node(k), _node(v)) for k, v in items], flow_style=False)
    if kind is list:
        return yaml.SequenceNode(_SEQ, [_node(v) for v in value], flow_style=False)  # type: ignore[attr-defined]
    if kind is bool:
        return yaml.ScalarNode(_BOOL, "true" if value else "false")
    if kind is int:
        return yaml.ScalarNode(_INT, str(value))
    if kind is float:
        return yaml.ScalarNode(_FLOAT, float_text(value))  # type: ignore[arg-type]
    if value is None:
        return yaml.ScalarNode(_NULL, "null")
    raise _UnrepresentableError(kind.__name__)


_OPTIONS: dict[str, Any] = {
    "sort_keys": True,
    "default_flow_style": False,
    "allow_unicode": False,
    "width": 4096,
}


_RESOLVER = yaml.resolver.Resolver()
"""The implicit tags the dumper resolves plain scalars to (both dumpers use this class)."""


def _reads_as_str(text: str) -> bool:
    """Whether the dumper's resolver reads ``text``, written plain, as a string."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag == _STR


def _quoted(text: str) -> str:
    """How the dumper writes the string ``text`` as a mapping's value (``'yes'``, ``"\\xE9"``,
    or lines of a long or multi-line one)."""
    out: str = yaml.dump({"k": text}, Dumper=_Dumper, **_OPTIONS)
    return out.removeprefix("k: ").removesuffix("\n")


def to_yaml(value: object) -> str:
    """Block-style YAML with sorted keys, through the safe dumper (never interpolation);
    no trailing newline (the template supplies it). Plain dicts and lists of strings and
    numbers are written by ``planner.emit.yaml_block`` (each string the dumper would quote
    quoted by it); other data is turned into nodes by ``_node`` (the safe representer's
    nodes, built faster) and serialised by the dumper: the same bytes as
    ``yaml.dump(value, Dumper=_Dumper, **_OPTIONS)`` either way."""
    fast = block_yaml(value, quoted=_quoted, reads_as_str=_reads_as_str)
    if fast is not None:
        return fast
    try:
        node = _node(value)
    except _UnrepresentableError:
        text: str = yaml.dump(value, Dumper=_Dumper, **_OPTIONS)
        return text.rstrip("\n")
    stream = io.StringIO()
    dumper = _Dumper(stream, **_OPTIONS)
    try:
        dumper.open()
        dumper.serialize(node)
        dumper.close()
    finally:
        dumper.dispose()
    return stream.getvalue().rstrip("\n")


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
