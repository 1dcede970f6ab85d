"""``hybridplan init [DIR] [--ci github]``: scaffold a planning project and its CI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner import app as services
from planner.app import CiProvider
from planner.cli import console
from planner.cli.common import Ending, guarded


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
            typer.Option(
                "--install",
                help="pip requirement the workflow installs hybridplan by (default: "
                "hybridplan==<this version>, the version the reviewed stacks come from).",
            ),
        ] = "",
        force: Annotated[
            bool, typer.Option("--force", help="Overwrite files that already exist.")
        ] = False,
    ) -> Ending:
        """Scaffold a planning project (inventory.yaml, sites.yaml, policies.yaml,
        project.yaml, README.md, .schemas/ for editors) that validates and plans as is.
        With --ci github, also write .github/workflows/hybridplan.yml: on a pull request it
        checks the committed stacks are the plan's, plans, posts the plan.md comment, runs the
        policy check with SARIF upload, the offline preview and `pulumi preview` per stack; on
        a push to main, `pulumi up` of the committed stacks (workers before managers). In an
        existing project (inventory.yaml present) only the workflow is written. Exit 2 if a
        file exists (unless --force); nothing is written then.

        Example: hybridplan init planning --ci github
        """
        files = services.init_files(project_dir, ci=ci, repo_root=repo_root, install=install)
        if not files:
            console.out.print(
                f"{project_dir / 'inventory.yaml'} exists: nothing to scaffold "
                "(add --ci github for a workflow)",
                markup=False,
            )
            return None
        services.write_init_files(files, force=force)
        rows = [(str(p), "written") for p in sorted(files)]
        console.table("hybridplan init", ("file", "status"), rows)
        console.out.print(
            f"next: hybridplan validate {project_dir} && "
            f"hybridplan plan {project_dir} --out {project_dir / 'out'}",
            markup=False,
        )
        return None
