"""Scaffolding a planning project and its CI workflow (``hybridplan init``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from planner.errors import UsageError
from planner.fs import write_files
from planner.layout import INVENTORY
from planner.load import schema_for

SCHEMA_DIR = ".schemas"
"""Where a new project keeps the JSON Schemas its files name (for editors)."""
SCHEMA_KINDS = ("inventory", "sites", "policies", "project")


class CiProvider(StrEnum):
    """The CI systems ``init --ci`` writes a workflow for."""

    GITHUB = "github"


def _git_root(start: Path) -> Path | None:
    for d in (start, *start.parents):
        if (d / ".git").exists():
            return d
    return None


def init_files(
    project_dir: Path, *, ci: CiProvider | None, repo_root: Path | None, install: str
) -> dict[Path, str]:
    """Every file ``init`` would write, by absolute path (nothing is written)."""
    from planner.scaffold import WORKFLOW_PATH, github_workflow, scaffold_project

    files: dict[Path, str] = {}
    if not (project_dir / INVENTORY).exists():
        for rel, text in scaffold_project(schema_dir=SCHEMA_DIR).items():
            files[project_dir / rel] = text
        for kind in SCHEMA_KINDS:
            schema = json.dumps(schema_for(kind), indent=2, sort_keys=True) + "\n"
            files[project_dir / SCHEMA_DIR / f"{kind}.json"] = schema
    if ci is CiProvider.GITHUB:
        root = (repo_root or _git_root(project_dir.resolve()) or project_dir).resolve()
        try:
            rel = project_dir.resolve().relative_to(root).as_posix()
        except ValueError:
            raise UsageError(
                f"{project_dir} is not inside the repository root {root}",
                fix="pass --repo-root with the folder that holds .github/",
            ) from None
        files[root / WORKFLOW_PATH] = github_workflow(
            project_dir=rel if rel not in ("", ".") else ".", install=install
        )
    return files


def write_init_files(files: Mapping[Path, str], *, force: bool) -> None:
    """Write ``files``; unless ``force``, refuse (writing nothing) when any exists."""
    existing = sorted(p for p in files if p.exists())
    if existing and not force:
        raise UsageError(
            "refusing to overwrite: " + ", ".join(str(p) for p in existing),
            fix="remove them, pick another folder, or pass --force",
        )
    write_files(files)
