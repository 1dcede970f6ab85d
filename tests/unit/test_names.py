"""Tests for planner.names: RFC 1123 label validation and nearest-name hints."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.names import (
    LABEL_SCHEMA_PATTERN,
    check_label,
    is_label,
    nearest_name,
    nearest_names,
    suggest_label,
)


@pytest.mark.parametrize("name", ["a", "checkout-api", "h100", "0", "a" * 63, "x-1-y"])
def test_valid_labels(name: str) -> None:
    """Lower-case letters, digits and inner dashes up to 63 characters are accepted."""
    assert is_label(name)
    assert check_label(name) is None


@pytest.mark.parametrize(
    ("name", "reason", "suggestion"),
    [
        ("Checkout-API", "contains upper-case letters", "checkout-api"),
        ("a" * 64, "is 64 characters long (at most 63)", "a" * 63),
        ("payments/db", "contains a path separator", "payments-db"),
        ("..", "contains '..'", ""),
        ("../etc", "contains '..'", "etc"),
        ('x"y', "contains quotes", "x-y"),
        ("it's", "contains quotes", "it-s"),
        ("my app", "contains whitespace", "my-app"),
        ("line\nbreak", "contains whitespace", "line-break"),
        ("-lead", "starts or ends with '-'", "lead"),
        ("snake_case", "contains '_'", "snake-case"),
        ("", "is empty", ""),
    ],
    ids=[
        "upper",
        "too-long",
        "slash",
        "dotdot",
        "traversal",
        "double-quote",
        "single-quote",
        "space",
        "newline",
        "leading-dash",
        "underscore",
        "empty",
    ],
)
def test_invalid_labels_say_why_and_suggest(name: str, reason: str, suggestion: str) -> None:
    """Each rejected name names the rule, the reason and a valid suggestion (if any)."""
    issue = check_label(name, what="workload name")
    assert issue is not None
    assert issue.message.startswith(f"workload name {name!r} is not an RFC 1123 label: ")
    assert reason in issue.message
    assert issue.suggestion == suggestion
    assert "RFC 1123" in issue.fix
    if suggestion:
        assert f"'{suggestion}'" in issue.fix


def test_schema_pattern_agrees_with_is_label() -> None:
    """The schema's regex (length folded in) accepts exactly 1-63 character labels."""
    assert re.fullmatch(LABEL_SCHEMA_PATTERN, "a" * 63)
    assert not re.fullmatch(LABEL_SCHEMA_PATTERN, "a" * 64)


@given(st.text(max_size=90))
def test_suggestions_are_labels_and_checks_agree(text: str) -> None:
    """suggest_label returns a valid label or ""; check_label is None exactly for labels."""
    suggestion = suggest_label(text)
    assert suggestion == "" or is_label(suggestion)
    assert (check_label(text) is None) == is_label(text)
    assert is_label(text) == bool(re.fullmatch(LABEL_SCHEMA_PATTERN, text))


SITES = ["colo-eu", "colo-us", "gpu-pool-us", "aws-eu-west-1"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [("colo-e", "colo-eu"), ("gpu-pool-eu", "gpu-pool-us"), ("azure-westeurope", None)],
    ids=["typo", "near-miss", "nothing-close"],
)
def test_nearest_name(word: str, expected: str | None) -> None:
    """The closest known name at 0.6 similarity or better, else None."""
    assert nearest_name(word, SITES) == expected


def test_nearest_names_best_first_within_limit_and_cutoff() -> None:
    """Several matches come best first, capped by limit; a lower cutoff admits more."""
    assert nearest_names("colo-uk", SITES) == ["colo-us", "colo-eu"]
    assert nearest_names("colo-uk", SITES, limit=1) == ["colo-us"]
    assert nearest_names("aws-e", SITES) == []
    assert nearest_names("aws-e", SITES, cutoff=0.5) == ["aws-eu-west-1"]
