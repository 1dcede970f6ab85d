"""Tests for planner.load.yamlpos: positioned YAML parsing."""

from __future__ import annotations

import pytest
import yaml

from planner.load.yamlpos import MAX_NODES, format_path, parse_yaml

DOC = """\
apiVersion: hybridplan/v1
workloads:
  - name: api
    resources: {cpu: 2, memory_gib: 4}
"""


def test_values_and_keys_have_one_based_positions() -> None:
    """Every value and key is located by 1-based line and column."""
    parsed = parse_yaml(DOC, "inventory.yaml")
    assert parsed.problems == ()
    assert parsed.data == {
        "apiVersion": "hybridplan/v1",
        "workloads": [{"name": "api", "resources": {"cpu": 2, "memory_gib": 4}}],
    }
    assert parsed.positions[("apiVersion",)] == (1, 13)
    assert parsed.positions[("workloads", 0)] == (3, 5)
    assert parsed.positions[("workloads", 0, "name")] == (3, 11)
    assert parsed.positions[("workloads", 0, "resources", "memory_gib")] == (4, 37)
    assert parsed.key_positions[("workloads", 0, "resources", "memory_gib")] == (4, 25)


def test_where_falls_back_to_the_nearest_known_parent() -> None:
    """A path with no node of its own is located at its closest ancestor."""
    parsed = parse_yaml(DOC, "inventory.yaml")
    assert parsed.where(("workloads", 0, "resources", "gpus")) == (4, 16)
    assert parsed.where(("workloads", 0, "name"), key=True) == (3, 5)
    assert parsed.where(("nowhere",)) == (1, 1)


def test_duplicate_key_is_a_problem_and_first_value_wins() -> None:
    """A repeated key is reported at the repeat, naming the first line."""
    parsed = parse_yaml("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert parsed.data == {"a": 1, "b": 2}
    assert [p.render() for p in parsed.problems] == [
        "f.yaml:3:1: a: duplicate key 'a' (first given on line 1). "
        "To fix: remove one of them; YAML keeps only one"
    ]


def test_dates_stay_strings_and_only_true_false_are_booleans() -> None:
    """Dates are strings; yes/no/on/off are strings; true/false are booleans."""
    parsed = parse_yaml(
        "expires: 2027-03-31\nat: 2027-03-31T10:00:00Z\na: yes\nb: no\nc: on\nd: True\ne: false\n",
        "f.yaml",
    )
    assert parsed.data == {
        "expires": "2027-03-31",
        "at": "2027-03-31T10:00:00Z",
        "a": "yes",
        "b": "no",
        "c": "on",
        "d": True,
        "e": False,
    }


def test_keys_are_source_text() -> None:
    """Keys such as on, no, 1 and a date are kept as the strings written."""
    parsed = parse_yaml("on: 1\nno: 2\n1: 3\n2027-01-01: 4\n", "f.yaml")
    assert parsed.data == {"on": 1, "no": 2, "1": 3, "2027-01-01": 4}


def test_the_global_safe_loader_is_untouched() -> None:
    """Our dialect does not leak into yaml.safe_load."""
    assert yaml.safe_load("a: yes") == {"a": True}


def test_syntax_error_is_located() -> None:
    """A syntax error becomes one problem at the parser's mark."""
    parsed = parse_yaml("a: {b: 1\nc: 2\n", "f.yaml")
    assert parsed.data is None
    (problem,) = parsed.problems
    assert (problem.line, problem.column) == (2, 2)
    assert "YAML syntax error" in problem.message
    assert "started at line 1, column 4" in problem.message


def test_tabs_and_second_documents_are_syntax_errors() -> None:
    """Tab indentation and a second document are reported, not crashed on."""
    assert "'\\t'" in parse_yaml("a:\n\tb: 1\n", "f.yaml").problems[0].message
    second = parse_yaml("a: 1\n---\nb: 2\n", "f.yaml").problems[0]
    assert "second YAML document" in second.message


def test_empty_document_has_no_data_and_no_problems() -> None:
    """An empty (or comment-only) file parses to None without problems."""
    parsed = parse_yaml("# nothing\n", "f.yaml")
    assert (parsed.data, parsed.problems) == (None, ())


def test_non_finite_numbers_and_unknown_tags_are_problems() -> None:
    """.nan, .inf and custom tags are rejected with their positions."""
    parsed = parse_yaml("a: .nan\nb: -.inf\nc: !secret x\n", "f.yaml")
    assert [(p.line, p.field) for p in parsed.problems] == [(1, "a"), (2, "b"), (3, "c")]


def test_complex_keys_are_problems() -> None:
    """A list used as a mapping key is reported."""
    parsed = parse_yaml("? [a, b]\n: 1\n", "f.yaml")
    assert "plain string" in parsed.problems[0].message


def test_merge_keys_are_supported_and_overridable() -> None:
    """<<: *anchor merges a mapping; the mapping's own keys win and are not duplicates."""
    parsed = parse_yaml("base: &b {x: 1, y: 2}\nc: {<<: *b, y: 3}\n", "f.yaml")
    assert parsed.problems == ()
    assert parsed.data["c"] == {"x": 1, "y": 3}


def test_alias_expansion_is_capped() -> None:
    """A billion-laughs document is rejected instead of expanded."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    parsed = parse_yaml("\n".join(lines) + "\n", "f.yaml")
    assert parsed.data is None
    assert str(MAX_NODES) in parsed.problems[0].message


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("workloads", 3, "resources", "memory_gb"), "workloads[3].resources.memory_gb"),
        (("sites", 0, "price_overrides", "aws.p5.us"), 'sites[0].price_overrides["aws.p5.us"]'),
        (("rules", "HP-COST-001", "level"), "rules.HP-COST-001.level"),
        ((), ""),
    ],
    ids=["indexed", "dotted-key", "dashed-key", "root"],
)
def test_format_path(path: tuple[str | int, ...], expected: str) -> None:
    """Paths render as field.list[i].key, quoting keys that are not identifiers."""
    assert format_path(path) == expected
