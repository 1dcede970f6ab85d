"""planner.emit.environment.to_yaml: the fast node builder and libyaml's emitter write the
same bytes as PyYAML's pure-Python safe dumper for the plain data stack configs hold."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.emit import environment
from planner.emit.environment import to_yaml
from planner.emit.yaml_block import block_yaml


class _PureDumper(yaml.SafeDumper):
    """The pure-Python safe dumper, without aliases (what emit used before libyaml)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _reference(value: object) -> str:
    text: str = yaml.dump(
        value,
        Dumper=_PureDumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=False,
        width=4096,
    )
    return text.rstrip("\n")


TRICKY = [
    *("", "yes", "no", "null", "~", "1e5", "0x10", "1_000", "12:30", "- a", "a: b", "#x"),
    *("'q'", '"d"', " lead", "trail ", "multi\nline", "tab\there", "é", "on-demand+spot"),
    *("500m", "1.5Gi", "nvidia.com/gpu", "*", "&a", "!t", "%p", "@x", "`b", "{x}", "[y]"),
]
KEYS = st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=8)
"""Config keys: printable ASCII, never empty (field, workload, team, site and label names).
The emitters differ on other keys: an empty key or one with a control character is a
complex key (``? ''``) in the pure emitter, a simple one in libyaml."""
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(TRICKY),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12),
)
data = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, data, max_size=5))
def test_same_bytes_as_the_pure_python_dumper(value: object) -> None:
    """Any mapping of plain values (what the templates write: a stack config, Pulumi.yaml):
    to_yaml's text equals the pure-Python safe dumper's. (A bare top-level scalar would
    differ: the pure emitter ends it with ``...``; the templates never write one.)"""
    assert to_yaml(value) == _reference(value)


def test_other_types_fall_back_to_the_representer() -> None:
    """Types that are no plain config data go through the safe representer: a tuple is
    written as it writes one, an arbitrary object is refused as it refuses one."""
    assert to_yaml({"a": (1, 2)}) == _reference({"a": (1, 2)})
    with pytest.raises(yaml.representer.RepresenterError, match="cannot represent"):
        to_yaml({"a": object()})


def _libyaml(value: object) -> str:
    """What emit's dumper writes for ``value`` through its nodes (no direct writer)."""
    text: str = yaml.dump(value, Dumper=environment._Dumper, **environment._OPTIONS)
    return text.rstrip("\n")


def _direct(value: object) -> str | None:
    return block_yaml(value, quoted=environment._quoted, reads_as_str=environment._reads_as_str)


CONFIG = {
    "hybridplan-site:kubernetes": {
        "workloads": [
            {"name": "ser-000001", "cpu": "500m", "memory": "1.5Gi", "replicas": 3, "on": True},
            {"name": "yes", "labels": {"tier": "1", "nvidia.com/gpu": 2}, "ratio": 1e-05},
            {"name": "db", "empty": {}, "none": [], "nested": [[1, [2, "x"]], {"k": None}]},
        ],
        "when": "2026-10-01",
        "note": "a plan: with 'quotes', é and #",
        "long": "a" * 5000,
    },
    "aws:region": "eu-west-1",
    7: -0.0,
}


def test_direct_writer_takes_plain_config_data() -> None:
    """A stack config of plain data (quoted and plain strings, numbers, nesting, empty
    collections, a long plain string, an int key) is written directly, as the dumper
    writes it."""
    direct = _direct(CONFIG)
    assert direct is not None
    assert direct == _libyaml(CONFIG)
    assert to_yaml(CONFIG) == direct
    assert _direct([CONFIG, [], {}]) == _libyaml([CONFIG, [], {}])


@pytest.mark.parametrize(
    "value",
    [
        {"a": (1, 2)},
        {"a": "two\nlines"},
        {"k" * 101: 1},
        {"a": "b " * 600},
        {"a": [{1, 2}]},
        "scalar",
    ],
    ids=["tuple", "multi-line", "long-key", "long-quoted", "set", "top-scalar"],
)
def test_direct_writer_leaves_the_rest_to_the_dumper(value: object) -> None:
    """What the direct writer does not write itself comes back as None (to_yaml then
    dumps it, with the same bytes as before)."""
    assert _direct(value) is None
    if not isinstance(value, str):
        assert to_yaml(value) == _libyaml(value)


PLAIN_LIKE = [
    *("a:b", "1:20", "12.50", "0.5", "10", "0o17", "0x1F", "1_000", "1e5", "1.5e+3", "True"),
    *("NULL", "Off", "y", "n", "2026-10-01", "2026-10-01T00:00:00Z", "registry.x/y:1.0.0"),
    *("a/b", "ser-000001", "500m", "nvidia.com/gpu", "_x", "a.", "x-", "9:60", "190:20:30"),
]


@pytest.mark.parametrize("text", PLAIN_LIKE)
def test_plain_looking_strings_as_the_dumper_writes_them(text: str) -> None:
    """Strings of the plain alphabet, as a value and as a key: plain when they read back
    as strings, single-quoted when they would read as a number, bool, null or date."""
    value = {text: [text, {"k": text}]}
    assert _direct(value) == _libyaml(value)
