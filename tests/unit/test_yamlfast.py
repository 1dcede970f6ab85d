"""Tests for planner.load.yamlfast: the fast reader gives exactly what the full reader
(yamlpos.parse_yaml) gives - data, problems and every position asked for - on the
fixtures, on hand-picked edge cases and on Hypothesis-damaged files."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mutations import YAML_EDITS

from planner.load.yamlfast import FastLocator, fast_parse, looks_unusual, read_yaml
from planner.load.yamlpos import Parsed, YamlPath, parse_yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted(
    p
    for folder in (ROOT / "tests" / "data", ROOT / "examples")
    for p in folder.rglob("*.yaml")
    if p.stat().st_size < 200_000
)
MINI = ROOT / "tests" / "data" / "mini"


def _paths(value: Any, path: YamlPath = ()) -> Iterator[YamlPath]:
    """Every path in ``value``, plus a missing key or index below each list and mapping."""
    yield path
    if isinstance(value, dict):
        yield (*path, "no-such-key")
        for k, v in value.items():
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        yield (*path, len(value))
        yield (*path, "not-an-index")
        for i, v in enumerate(value):
            yield from _paths(v, (*path, i))


def assert_same(text: str, file: str = "inventory.yaml") -> Parsed:
    """``read_yaml`` and ``parse_yaml`` agree on data, problems and all positions; returns
    the fast reader's result."""
    full = parse_yaml(text, file)
    fast = read_yaml(text, file)
    assert fast.data == full.data
    assert repr(fast.data) == repr(full.data)  # the same types too (1 vs 1.0 vs True)
    assert fast.problems == full.problems
    for path in _paths(full.data):
        for key in (False, True):
            assert fast.where(path, key=key) == full.where(path, key=key), (path, key)
        assert fast.item_positions(path) == full.item_positions(path), path
    return fast


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fixtures_read_the_same(path: Path) -> None:
    """Every YAML fixture and example reads the same both ways."""
    assert_same(path.read_text(encoding="utf-8-sig"), path.name)


def test_a_plain_inventory_takes_the_fast_path() -> None:
    """The common file is read by the fast loop (not handed to the full reader), and a
    field's position is found by reading its item alone, not the whole file."""
    text = (MINI / "inventory.yaml").read_text(encoding="utf-8")
    fast = assert_same(text)
    assert isinstance(fast.locator, FastLocator)
    assert fast.locator._full is None  # every position above came without a full read


LINES = [f"  - name: w{i}\n    resources: {{cpu: {i}, memory_gib: 4}}\n" for i in range(4)]


@pytest.mark.parametrize(
    ("text", "fast_path"),
    [
        pytest.param("a: 010\nb: yes\nc: 0x1F\nd: 1.5\ne: ~\nf: '010'\n", True, id="core"),
        pytest.param("w:\n" + "".join(LINES), True, id="last-item-at-end"),
        pytest.param("w:\n" + "".join(LINES).rstrip("\n"), True, id="no-final-newline"),
        pytest.param("w:\n" + "".join(LINES) + "# c\n\nk: v\n", True, id="list-then-key"),
        pytest.param("w:\n- a: 1\n  b: [1, 2]\n- a: 2\nk: v\n", True, id="indentless"),
        pytest.param("  w:\n    - a: 1\n    - a: 2\n  k: v\n", True, id="indented-root"),
        pytest.param("w: [{a: 1}, {a: 2,\n  b: 3}]\n", True, id="flow-list"),
        pytest.param("w:\n  - - a\n    - b\n  - - c\n", True, id="nested-lists"),
        pytest.param("w:\n  - a: 1\r\n  - a: 2\r\n", True, id="crlf"),
        pytest.param('w:\n  - a: "x\u2028y"\n    b: 1\n  - a: 2\n', True, id="u2028"),
        pytest.param("w:\n  - a: |\n      x\n      y\n    b: 2\n  - a: 3\n", True, id="block"),
        pytest.param("a: &x 1\nb: *x\n", False, id="alias"),
        pytest.param("a: !!int 5\n", False, id="tag"),
        pytest.param("a: 1\na: 2\n", False, id="duplicate"),
        pytest.param("b: &d {x: 1}\nc:\n  <<: *d\n  y: 2\n", False, id="merge"),
        pytest.param("a: 1e400\n", False, id="too-large"),
        pytest.param("a: 1\n---\nb: 2\n", False, id="two-documents"),
        pytest.param("- a\n- b\n", False, id="top-list"),
        pytest.param("just text\n", False, id="top-scalar"),
        pytest.param("a: [[[[" * 20 + "]]]]" * 20 + "\n", False, id="deep"),
        pytest.param("a: {b: 1\nc: 2\n", True, id="syntax-error"),
        pytest.param("w:\n  - a: 1\n  - a: [\n", True, id="truncated"),
        pytest.param("", True, id="empty"),
        pytest.param("# only a comment\n", True, id="comment"),
    ],
)
def test_edge_cases_read_the_same(text: str, fast_path: bool) -> None:
    """Edge cases read the same; the unusual ones are handed to the full reader."""
    assert_same(text)
    assert (fast_parse(text, "inventory.yaml") is not None) is fast_path


@pytest.mark.parametrize(
    ("text", "unusual"),
    [
        pytest.param("a: !!int 5\n", True, id="tag"),
        pytest.param("a: &x 1\nb: *x\n", True, id="anchor-alias"),
        pytest.param("a: [*x]\n", True, id="alias-in-flow"),
        pytest.param("<<: {a: 1}\n", True, id="merge"),
        pytest.param("!x a: 1\n", True, id="at-start"),
        pytest.param("team: R&D\nnote: 'wow!'\nglob: a*b\n", False, id="in-words"),
        pytest.param("a: 1\n", False, id="plain"),
    ],
)
def test_looks_unusual_spots_tags_anchors_aliases_and_merges(text: str, unusual: bool) -> None:
    """The scan sends files with tag, anchor, alias or merge tokens to the full reader
    at once, and keeps the fast loop for those characters inside words."""
    assert looks_unusual(text) is unusual
    assert_same(text)


def test_core_schema_numbers_and_strings() -> None:
    """The fast loop keeps YAML 1.2 core rules: 010 is ten, yes a string."""
    parsed = read_yaml("a: 010\nb: yes\nc: no\n", "x.yaml")
    assert parsed.data == {"a": 10, "b": "yes", "c": "no"}


@settings(max_examples=60, deadline=None)
@given(
    rng=st.randoms(use_true_random=False),
    name=st.sampled_from(["inventory.yaml", "sites.yaml", "policies.yaml", "project.yaml"]),
)
def test_damaged_files_read_the_same(rng: random.Random, name: str, tmp_path_factory: Any) -> None:
    """A fixture damaged by one to three of the fuzz corpus's edits reads the same both
    ways (data, problems, positions)."""
    path = tmp_path_factory.mktemp("fast") / name
    path.write_bytes((MINI / name).read_bytes())
    for _ in range(rng.randint(1, 3)):
        rng.choice(YAML_EDITS)(path, rng)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return  # never parsed: files.read_document reports it first
    assert_same(text, name)
