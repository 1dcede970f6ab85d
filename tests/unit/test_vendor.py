"""The ``stacks`` package can be shipped inside an emitted stack as ``hybridplan_stacks``:
it imports its own modules relatively and nothing of hybridplan's other packages."""

from __future__ import annotations

import ast

import pytest

from planner.emit.vendor import component_files

FORBIDDEN = ("planner", "policies", "stacks")


@pytest.mark.parametrize("name", [n for n, _ in component_files()])
def test_component_module_imports_only_siblings_and_public_packages(name: str) -> None:
    """No absolute import of stacks/planner/policies: the copy must import under any name."""
    tree = ast.parse(dict(component_files())[name])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots = [node.module.split(".")[0]]
        else:
            continue
        assert not set(roots) & set(FORBIDDEN), f"{name}:{node.lineno}"
