"""Golden files: the whole tree emitted for the mini plan, byte for byte.

Run ``pytest tests/golden --update-golden`` to rewrite tests/golden/stacks_mini/, then
review the diff before committing it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from world import mini_plan, mini_project

from planner.emit import default_environment, render_stacks
from planner.fs import drift, read_tree

GOLDEN = Path(__file__).resolve().parent / "stacks_mini"
COMMAND = "hybridplan plan tests/data/mini --out out"


def _rendered() -> dict[str, str]:
    return render_stacks(mini_plan(), mini_project(), default_environment(), command=COMMAND)


def test_emitted_tree_matches_golden(update_golden: bool) -> None:
    """The emitted stacks equal tests/golden/stacks_mini/ (no missing, extra or changed file)."""
    files = _rendered()
    if update_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, text in files.items():
            target = GOLDEN / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
    assert drift(files, read_tree(GOLDEN)) == ()
