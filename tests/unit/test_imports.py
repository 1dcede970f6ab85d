"""Every module imports on its own, in a fresh interpreter (catches import cycles)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for pkg in ("planner", "stacks")
    for p in (ROOT / pkg).rglob("*.py")
)


@pytest.mark.parametrize("module", MODULES, ids=MODULES)
def test_module_imports_alone(module: str) -> None:
    """Importing the module first, with nothing else loaded, succeeds."""
    proc = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
