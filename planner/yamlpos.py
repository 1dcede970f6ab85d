"""Where ``parse_yaml`` used to live: the positioned YAML parser is now
``planner.load.yamlpos``; these names stay importable from here for existing callers."""

from planner.load.yamlpos import (
    MAX_ALIAS_VALUES,
    Parsed,
    PathKey,
    Position,
    YamlPath,
    format_path,
    parse_yaml,
)

__all__ = [
    "MAX_ALIAS_VALUES",
    "Parsed",
    "PathKey",
    "Position",
    "YamlPath",
    "format_path",
    "parse_yaml",
]
