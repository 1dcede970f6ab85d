"""The policies package's README lists every rule (its modules' imports are checked with
the rest of the tree's in tests/unit/test_imports.py)."""

from __future__ import annotations

from pathlib import Path

from policies.registry import RULES

ROOT = Path(__file__).resolve().parents[3]


def test_readme_lists_every_rule() -> None:
    """policies/README.md has a table row for each registered rule, with its name."""
    readme = (ROOT / "policies" / "README.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"| {rule.id} | {rule.name} |" in readme
