"""YAML parsing that remembers where every value came from.

``parse_yaml`` composes the YAML node tree with PyYAML's safe loader and walks it into plain,
JSON-compatible Python data (``dict`` with ``str`` keys, ``list``, ``str``, ``int``, ``float``,
``bool``, ``None``), recording the 1-based line/column of every value and every mapping key
under a path tuple such as ``("workloads", 3, "resources", "memory_gib")``.

Dialect (deliberately closer to YAML 1.2 and JSON than PyYAML's YAML 1.1 defaults):

* Mapping keys are always strings: the key's source text is kept, so ``on:``, ``no:``,
  ``1:`` and ``2027-01-01:`` are the keys ``"on"``, ``"no"``, ``"1"`` and ``"2027-01-01"``.
  Complex keys (a list or mapping used as a key) are a problem.
* Only ``true``/``false`` (any case) are booleans; ``yes``, ``no``, ``on``, ``off``, ``y``
  and ``n`` stay strings, so a country code ``no`` stays ``"no"``; a schema expecting a
  boolean then reports the string.
* Dates and timestamps stay strings: ``expires: 2027-03-31`` is ``"2027-03-31"``.
* A key repeated in one mapping is a problem (not silently last-wins); merge keys
  (``<<: *defaults``) are supported and may be overridden by the mapping's own keys.
* ``.nan`` and ``.inf`` are problems (JSON has no such numbers).
* Syntax errors become problems located at the parser's mark.
* Expanding aliases is capped at ``MAX_NODES`` values (a "billion laughs" guard).

Nothing here reads files: callers pass the text and the name to report problems under.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from planner.errors import Problem

PathKey = str | int
YamlPath = tuple[PathKey, ...]
Position = tuple[int, int]

MAX_NODES = 200_000
"""Upper bound on values produced from one document, aliases expanded."""

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-style booleans and no implicit timestamps."""


# PyYAML keeps resolvers in a class attribute; give _Loader its own filtered copy.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True, slots=True)
class Parsed:
    """The result of ``parse_yaml``.

    ``data`` is ``None`` for an empty document or when the text could not be parsed.
    ``positions`` maps the path of every value to its (line, column); ``key_positions``
    maps the path of every mapping entry to the (line, column) of its key.
    """

    data: Any
    positions: dict[YamlPath, Position] = field(default_factory=dict)
    key_positions: dict[YamlPath, Position] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def where(self, path: YamlPath, *, key: bool = False) -> Position:
        """Best-known position of ``path``: its key (if ``key``), else its value, else the
        nearest enclosing value; ``(0, 0)`` if nothing is known."""
        if key and path in self.key_positions:
            return self.key_positions[path]
        probe = path
        while True:
            if probe in self.positions:
                return self.positions[probe]
            if not probe:
                return (0, 0)
            probe = probe[:-1]


def format_path(path: YamlPath) -> str:
    """``("workloads", 3, "resources", "memory_gb")`` -> ``workloads[3].resources.memory_gb``.

    Keys that are not identifier-like (``aws.p5.48xlarge``) are quoted: ``["aws.p5..."]``.
    """
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part):
            out.append(f".{part}" if out else part)
        else:
            escaped = part.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'["{escaped}"]')
    return "".join(out)


def problem_at(
    parsed: Parsed, file: str, path: YamlPath, message: str, fix: str, *, key: bool = False
) -> Problem:
    """A ``Problem`` in ``file`` located at ``path`` of ``parsed`` (at its key if ``key``)."""
    line, column = parsed.where(path, key=key)
    return Problem(file, line, column, format_path(path), message, fix)


def _pos(node: Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Walker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: dict[YamlPath, Position] = {}
        self.key_positions: dict[YamlPath, Position] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.constructor = SafeConstructor()

    def problem(self, node: Node, path: YamlPath, message: str, fix: str) -> None:
        line, column = _pos(node)
        self.problems.append(Problem(self.file, line, column, format_path(path), message, fix))

    def walk(self, node: Node, path: YamlPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBigError(node)
        self.positions.setdefault(path, _pos(node))
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _scalar(self, node: Node, path: YamlPath) -> Any:
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            reason = exc.problem if isinstance(exc, yaml.MarkedYAMLError) else str(exc)
            self.problem(node, path, f"cannot read this value: {reason}", "remove the YAML tag")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(node, path, f"{node.value!r} is not a finite number", "use a number")
            return None
        if isinstance(value, bytes | set | tuple):
            self.problem(
                node, path, f"unsupported YAML type {node.tag}", "use plain strings and numbers"
            )
            return None
        return value

    def _key(self, node: Node, path: YamlPath) -> str | None:
        if isinstance(node, ScalarNode):
            return str(node.value)
        self.problem(node, path, "a mapping key must be a plain string", "use a string key")
        return None

    def _mapping(self, node: MappingNode, path: YamlPath) -> dict[str, Any]:
        own: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in sources:
                    if not isinstance(source, MappingNode):
                        self.problem(
                            source, path, "a merge key (<<) needs a mapping", "merge a mapping"
                        )
                        continue
                    for k, v in self._mapping(source, path).items():
                        merged.setdefault(k, v)
                continue
            key = self._key(key_node, path)
            if key is None:
                continue
            child = (*path, key)
            if key in own:
                first_line, _ = self.key_positions[child]
                self.problem(
                    key_node,
                    child,
                    f"duplicate key '{key}' (first given on line {first_line})",
                    "remove one of them; YAML keeps only one",
                )
                continue
            self.key_positions[child] = _pos(key_node)
            own[key] = self.walk(value_node, child)
        return {**merged, **own}


class _TooBigError(Exception):
    def __init__(self, node: Node) -> None:
        super().__init__("too many values")
        self.node = node


def parse_yaml(text: str, file: str) -> Parsed:
    """Parse one YAML document into plain data plus positions; never raises on bad input.

    ``file`` is only used to label problems (pass a path relative to the project root).
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = exc.problem or "invalid YAML"
        context, start = exc.context, exc.context_mark
        if exc.problem == "but found another document":
            what, context = "found a second YAML document ('---'); one document per file", None
        if context and start and start is not mark:
            what += f" ({context} started at line {start.line + 1}, column {start.column + 1})"
        elif context:
            what = f"{context}: {what}"
        return Parsed(
            None,
            problems=(
                Problem(
                    file,
                    line,
                    column,
                    "",
                    f"YAML syntax error: {what}",
                    "check indentation (spaces, not tabs), colons and quoting near this spot",
                ),
            ),
        )
    except yaml.YAMLError as exc:
        return Parsed(None, problems=(Problem(file, 0, 0, "", f"YAML error: {exc}", ""),))
    if root is None:
        return Parsed(None)
    walker = _Walker(file)
    try:
        data = walker.walk(root, ())
    except _TooBigError as exc:
        line, column = _pos(exc.node)
        problem = Problem(
            file,
            line,
            column,
            "",
            f"the document expands to more than {MAX_NODES} values",
            "use fewer aliases (*name)",
        )
        return Parsed(None, problems=(problem,))
    return Parsed(data, walker.positions, walker.key_positions, tuple(walker.problems))
