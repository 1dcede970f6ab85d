"""Every module of planner, stacks and policies imports on its own (catches import cycles),
checked in one interpreter by ``tests/import_check.py``; and the checker catches a cycle."""

from __future__ import annotations

from pathlib import Path

import pytest
from import_check import failing_imports, modules_in

from planner.fs import write_tree

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("planner", "stacks", "policies")
SKIP = ("policies.__main__",)  # constructing the PolicyPack blocks; tested over gRPC


@pytest.mark.slow  # imports the tree ~180 times (each module its package does not load)
def test_every_module_imports_alone() -> None:
    """Importing each module first, with no other module of ours loaded, succeeds."""
    modules = modules_in(ROOT, PACKAGES, skip=SKIP)
    assert {"planner", "planner.model", "stacks", "policies.registry"} <= set(modules)
    failures = failing_imports(modules, cwd=ROOT)
    assert failures == {}, "\n\n".join(f"{m}:\n{err}" for m, err in sorted(failures.items()))


def test_checker_reports_every_module_of_a_cycle(tmp_path: Path) -> None:
    """Modules ``a`` and ``b`` that import names from each other both fail alone, and so
    do a package and the module it imports that imports back from it; the modules outside
    the cycles pass, and every module is found in the tree."""
    write_tree(
        tmp_path,
        {
            "cyc/__init__.py": "",
            "cyc/a.py": "from cyc.b import B\nA = 1\n",
            "cyc/b.py": "from cyc.a import A\nB = 2\n",
            "cyc/ok/__init__.py": "from cyc.ok.leaf import LEAF\n",
            "cyc/ok/leaf.py": "LEAF = 0\n",
            "cyc/pkg/__init__.py": "from cyc.pkg.mod import MOD\nHELP = 1\n",
            "cyc/pkg/mod.py": "from cyc.pkg import HELP\nMOD = HELP\n",
        },
    )
    modules = modules_in(tmp_path, ["cyc"])
    assert modules == ["cyc", "cyc.a", "cyc.b", "cyc.ok", "cyc.ok.leaf", "cyc.pkg", "cyc.pkg.mod"]
    failures = failing_imports(modules, cwd=tmp_path)
    assert sorted(failures) == ["cyc.a", "cyc.b", "cyc.pkg", "cyc.pkg.mod"]
    assert "partially initialized module" in failures["cyc.a"]


def test_checker_imports_each_module_without_the_others(tmp_path: Path) -> None:
    """``b`` imports fine and loads ``a`` on the way; ``a`` imported after it would pass
    from the cache, but imported alone it enters the cycle from the wrong side and fails."""
    write_tree(
        tmp_path,
        {
            "order/__init__.py": "",
            "order/a.py": "import order.b\nA = 1\n",
            "order/b.py": "from order.a import A\nB = A\n",
        },
    )
    failures = failing_imports(["order.b", "order.a"], cwd=tmp_path)
    assert sorted(failures) == ["order.a"]
