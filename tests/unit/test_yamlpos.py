"""Tests for planner.load.yamlpos: positioned YAML parsing."""

from __future__ import annotations

import pytest
import yaml

from planner.load.yamlpos import MAX_ALIAS_VALUES, format_path, parse_yaml

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
    assert parsed.where(("apiVersion",)) == (1, 13)
    assert parsed.where(("workloads", 0)) == (3, 5)
    assert parsed.where(("workloads", 0, "name")) == (3, 11)
    assert parsed.where(("workloads", 0, "resources", "memory_gib")) == (4, 37)
    assert parsed.where(("workloads", 0, "resources", "memory_gib"), key=True) == (4, 25)
    assert parsed.where(("workloads", 0), key=True) == (3, 5)


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
    """A billion-laughs document is rejected at the alias that crosses the cap."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    parsed = parse_yaml("\n".join(lines) + "\n", "f.yaml")
    assert parsed.data is None
    (problem,) = parsed.problems
    assert f"{MAX_ALIAS_VALUES:,}" in problem.message
    assert problem.line == 6


def test_values_written_out_are_not_capped() -> None:
    """Only alias expansions count: a document with more plain values than the cap loads."""
    items = "".join(f"  - {{n: {i}, m: [a, b]}}\n" for i in range(MAX_ALIAS_VALUES // 3))
    parsed = parse_yaml("base: &b {x: 1}\nitems:\n" + items + "more: [*b, *b]\n", "f.yaml")
    assert parsed.problems == ()
    assert len(parsed.data["items"]) == MAX_ALIAS_VALUES // 3
    assert parsed.data["more"] == [{"x": 1}, {"x": 1}]
    assert parsed.where(("more", 1, "x")) == (1, 14)
    assert parsed.where(("more", 1, "x"), key=True) == (1, 11)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 010", 10),
        ("a: 0o17", 15),
        ("a: 0x1F", 31),
        ("a: +12", 12),
        ("a: 1_000", "1_000"),
        ("a: 1:30", "1:30"),
        ("a: 1e3", 1000.0),
        ("a: .5", 0.5),
        ("a: yes", "yes"),
        ("a: off", "off"),
        ("a: ~", None),
        ("a: NULL", None),
        ("a: '010'", "010"),
        ("a: !!str 010", "010"),
        ("a: !!float 2", 2.0),
        ("a: !!int '12'", 12),
        ("a: 9007199254740992", 2**53),
    ],
    ids=str,
)
def test_scalars_follow_the_yaml_1_2_core_schema(text: str, expected: object) -> None:
    """Plain scalars resolve as YAML 1.2 core: 010 is ten, yes/off are strings, no _ digits."""
    parsed = parse_yaml(text + "\n", "f.yaml")
    assert parsed.problems == ()
    assert parsed.data == {"a": expected}
    assert type(parsed.data["a"]) is type(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!int abc", "!!int 'abc' is not a whole number"),
        ("a: !!float x", "!!float 'x' is not a number"),
        ("a: !!bool yes", "!!bool 'yes' is not true or false"),
        ("a: !!binary aGk=", "unsupported YAML tag tag:yaml.org,2002:binary"),
        ("a: !!timestamp 2027-01-01", "unsupported YAML tag tag:yaml.org,2002:timestamp"),
        ("a: !!set {x}", "unsupported YAML tag tag:yaml.org,2002:set"),
        ("a: 9007199254740993", "too large a number"),
        ("a: " + "9" * 400, "too large a number"),
        ("a: -" + "1" * 5000, "too large a number"),
        ("a: 1e309", "too large a number"),
        ("a: 0x" + "F" * 40, "too large a number"),
    ],
    ids=[
        "int-tag",
        "float-tag",
        "bool-tag",
        "binary",
        "timestamp",
        "set",
        "2-53-plus-1",
        "400-digits",
        "5000-digits",
        "float-overflow",
        "long-hex",
    ],
)
def test_values_that_fit_no_json_number_or_tag_are_located_problems(
    text: str, message: str
) -> None:
    """Tags the core schema lacks, text that does not fit its tag, and numbers beyond 2**53
    or a float are problems at the value, never exceptions."""
    parsed = parse_yaml("x: 1\n" + text + "\n", "f.yaml")
    (problem,) = parsed.problems
    assert (problem.line, problem.column, problem.field) == (2, 4, "a")
    assert message in problem.message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: &x [1, *x]\n", 1, "refers to a node that contains it"),
        ("a: &x {b: *x}\n", 1, "refers to a node that contains it"),
        ("a: *nope\n", 1, "not defined above"),
        ("a: " + "[" * 200 + "]" * 200 + "\n", 1, "nested more than 64 levels"),
        ("a: 1\n---\nb: 2\n", 2, "second YAML document"),
        ("a: \x07\n", 1, "unreadable character"),
    ],
    ids=["self-alias-list", "self-alias-map", "undefined-alias", "deep", "two-docs", "control"],
)
def test_unbuildable_documents_are_one_located_problem(text: str, line: int, message: str) -> None:
    """Recursion, undefined aliases, deep nesting and bad characters stop with one problem."""
    parsed = parse_yaml(text, "f.yaml")
    assert parsed.data is None
    (problem,) = parsed.problems
    assert problem.line == line
    assert message in problem.message


def test_cr_line_ends_are_line_breaks() -> None:
    """Old-Mac CR and Windows CRLF line ends count lines like LF."""
    for end in ("\r", "\r\n"):
        parsed = parse_yaml(end.join(["a: 1", "b:", "  c: 2", ""]), "f.yaml")
        assert parsed.data == {"a": 1, "b": {"c": 2}}
        assert parsed.where(("b", "c")) == (3, 6)


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
