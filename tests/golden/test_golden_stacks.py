"""Golden files: the whole tree emitted for the mini plan, byte for byte.

Run ``pytest tests/golden --update-golden`` to rewrite tests/golden/stacks_mini/, then
review the diff before committing it. The component code each stack ships
(``stacks/<site>/hybridplan_stacks/``) is not kept in the golden tree: it is asserted to be
the ``stacks`` package byte for byte instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from world import mini_plan, mini_project

import stacks
from planner.emit import default_environment, render_stacks
from planner.emit.vendor import PACKAGE
from planner.fs import drift, read_tree

GOLDEN = Path(__file__).resolve().parent / "stacks_mini"
COMMAND = "hybridplan plan tests/data/mini --out out"


def _rendered() -> dict[str, str]:
    return render_stacks(mini_plan(), mini_project(), default_environment(), command=COMMAND)


def _generated(files: dict[str, str]) -> dict[str, str]:
    return {p: t for p, t in files.items() if f"/{PACKAGE}/" not in p}


def test_emitted_tree_matches_golden(update_golden: bool) -> None:
    """The emitted stacks equal tests/golden/stacks_mini/ (no missing, extra or changed file)."""
    files = _generated(_rendered())
    if update_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, text in files.items():
            target = GOLDEN / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
    assert drift(files, read_tree(GOLDEN)) == ()


def test_every_stack_ships_the_components_byte_for_byte() -> None:
    """Each stack folder holds hybridplan_stacks/, a byte-identical copy of stacks/*.py."""
    source = Path(stacks.__file__).resolve().parent
    expected = {p.name: p.read_bytes() for p in sorted(source.glob("*.py"))}
    files = _rendered()
    sites = {p.split("/")[1] for p in files if p.endswith("/Pulumi.yaml")}
    assert sites
    for site in sites:
        prefix = f"stacks/{site}/{PACKAGE}/"
        shipped = {p.removeprefix(prefix): t.encode() for p, t in files.items() if p.startswith(prefix)}
        assert shipped == expected, site
