"""The hand-made mini plan of ``tests/pulumi/mini_plan.py`` for tests outside
``tests/pulumi`` (loaded by path: ``tests/pulumi`` is no package, a package named ``pulumi``
would shadow the SDK). Imported as ``mini_world`` (``tests/`` is on ``sys.path`` through its
conftest)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from planner.model import Plan, Project

MINI_PLAN = Path(__file__).resolve().parent / "pulumi" / "mini_plan.py"


def load_mini() -> ModuleType:
    """``tests/pulumi/mini_plan.py`` as a module of its own."""
    spec = importlib.util.spec_from_file_location("hybridplan_test_mini_world", MINI_PLAN)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mini() -> tuple[Plan, Project]:
    """A fresh mini plan and its project."""
    module = load_mini()
    plan: Plan = module.mini_plan()
    project: Project = module.mini_project()
    return plan, project
