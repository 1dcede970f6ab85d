"""``hybridplan init [DIR] [--ci github]``: scaffold a planning project and its CI."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from planner.cli import console
from planner.cli.common import guarded
from planner.errors import UsageError
from planner.fs import write_files

SCHEMA_DIR = ".schemas"
SCHEMA_KINDS = ("inventory", "sites", "policies", "project")


class CiProvider(StrEnum):
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
    from planner.load import schema_for
    from planner.scaffold import WORKFLOW_PATH, github_workflow, scaffold_project

    files: dict[Path, str] = {}
    if not (project_dir / "inventory.yaml").exists():
        for rel, text in scaffold_project(schema_dir=SCHEMA_DIR).items():
            files[project_dir / rel] = text
        import json

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


def register(app: typer.Typer) -> None:
    @app.command("init")
    @guarded
    def init_cmd(
        project_dir: Annotated[
            Path, typer.Argument(help="Folder of the new planning project (created if missing).")
        ] = Path("."),
        ci: Annotated[
            CiProvider | None,
            typer.Option("--ci", help="Also write a CI workflow: github."),
        ] = None,
        repo_root: Annotated[
            Path | None,
            typer.Option(
                "--repo-root",
                help="Repository root for .github/ (default: the enclosing git repository).",
            ),
        ] = None,
        install: Annotated[
            str,
            typer.Option("--install", help="pip requirement the workflow installs hybridplan by."),
        ] = "hybridplan",
        force: Annotated[
            bool, typer.Option("--force", help="Overwrite files that already exist.")
        ] = False,
    ) -> None:
        """Scaffold a planning project (inventory.yaml, sites.yaml, policies.yaml,
        project.yaml, README.md, .schemas/ for editors) that validates and plans as is.
        With --ci github, also write .github/workflows/hybridplan.yml: on a pull request it
        plans, posts the plan.md comment, runs the policy check with SARIF upload, the offline
        preview and `pulumi preview` per stack; on a push to main, `pulumi up`. In an existing
        project (inventory.yaml present) only the workflow is written. Exit 2 if a file
        exists (unless --force); nothing is written then.

        Example: hybridplan init planning --ci github
        """
        files = init_files(project_dir, ci=ci, repo_root=repo_root, install=install)
        if not files:
            console.out.print(
                f"{project_dir / 'inventory.yaml'} exists: nothing to scaffold "
                "(add --ci github for a workflow)",
                markup=False,
            )
            return
        existing = sorted(p for p in files if p.exists())
        if existing and not force:
            raise UsageError(
                "refusing to overwrite: " + ", ".join(str(p) for p in existing),
                fix="remove them, pick another folder, or pass --force",
            )
        write_files(files)
        rows = [(str(p), "written") for p in sorted(files)]
        console.table("hybridplan init", ("file", "status"), rows)
        console.out.print(
            f"next: hybridplan validate {project_dir} && "
            f"hybridplan plan {project_dir} --out {project_dir / 'out'}",
            markup=False,
        )
