"""The policies package: every module imports alone, and the README lists every rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from policies.registry import RULES

ROOT = Path(__file__).resolve().parents[3]
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in (ROOT / "policies").rglob("*.py")
    if p.name != "__main__.py"  # constructing the PolicyPack blocks; tested over gRPC
)


@pytest.mark.parametrize("module", MODULES, ids=MODULES)
def test_module_imports_alone(module: str) -> None:
    """Importing the module first, in a fresh interpreter, succeeds (no import cycles)."""
    proc = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr


def test_readme_lists_every_rule() -> None:
    """policies/README.md has a table row for each registered rule, with its name."""
    readme = (ROOT / "policies" / "README.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"| {rule.id} | {rule.name} |" in readme
