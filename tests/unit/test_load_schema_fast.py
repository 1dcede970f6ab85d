"""Tests for the two-validator schema check of planner.load: the compiled validator clears
valid documents, the explaining one words only the invalid entries."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from planner.errors import InputError
from planner.load import load_project
from planner.load.schema_problems import MAX_INVALID_ENTRIES, document_problems
from planner.load.yamlpos import parse_yaml

MINI = Path(__file__).resolve().parent.parent / "data" / "mini"


def _inventory(entries: list[str]) -> str:
    return "apiVersion: hybridplan/v1\nkind: Inventory\nworkloads:\n" + "".join(entries)


def _workload(i: int, tier: object = 1) -> str:
    return (
        f"  - {{name: w{i}, team: t, kind: service, tier: {tier}, replicas: 1,"
        f" resources: {{cpu: 1, memory_gib: 1}}, image: 'r/a:1'}}\n"
    )


def test_invalid_entries_are_reported_at_their_own_index() -> None:
    """Only the invalid entries are explained, each at its own line and index."""
    text = _inventory([_workload(i, tier=7 if i in (3, 40) else 1) for i in range(50)])
    problems = document_problems("Inventory", parse_yaml(text, "inventory.yaml"), "inventory.yaml")
    assert [(p.line, p.field) for p in problems] == [
        (7, "workloads[3].tier"),
        (44, "workloads[40].tier"),
    ]


def test_invalid_entries_beyond_the_cap_are_counted_not_listed() -> None:
    """Past MAX_INVALID_ENTRIES bad entries of a list, one more problem counts the rest."""
    total = MAX_INVALID_ENTRIES + 25
    text = _inventory([_workload(i, tier=9) for i in range(total)])
    problems = document_problems("Inventory", parse_yaml(text, "inventory.yaml"), "inventory.yaml")
    assert len(problems) == MAX_INVALID_ENTRIES + 1
    last = problems[-1]
    assert last.field == f"workloads[{MAX_INVALID_ENTRIES}]"
    assert last.message.startswith("25 more entries of workloads")


def test_a_name_ending_in_a_newline_is_rejected(tmp_path: Path) -> None:
    """A name with a trailing newline fails the RFC 1123 pattern (ECMA-262 ``$``), even
    though Python's ``re`` lets ``$`` match before a final newline."""
    root = Path(shutil.copytree(MINI, tmp_path / "mini"))
    path = root / "inventory.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("- name: payments-db", '- name: "payments-db\\n"'),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_project(root)
    assert any(p.field == "workloads[1].name" for p in caught.value.problems)
