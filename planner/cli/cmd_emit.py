"""``hybridplan emit``: re-plan and (re)write, or check, only the Pulumi stacks."""

from __future__ import annotations

import shlex
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from planner.cli import console
from planner.cli.common import guarded
from planner.errors import DriftError

STACKS = "stacks"


def stack_files(files: dict[str, str]) -> dict[str, str]:
    """The part of a rendered output tree under ``stacks/``."""
    return {p: t for p, t in files.items() if p.startswith(f"{STACKS}/")}


RUNTIME_DIRS = frozenset({"venv", "__pycache__"})
"""What running a stack adds to its folder and the drift check ignores: the virtualenv the
emitted ``Pulumi.yaml`` names (``pulumi install``, or the README's ``python -m venv venv``)
and byte-code caches."""


def stack_tree(root: Path) -> dict[str, str]:
    """The files under ``OUT/stacks`` as ``{"stacks/<relative path>": text}``, without the
    runtime folders of ``RUNTIME_DIRS`` inside a stack; a file that is not UTF-8 text is read
    with replacement characters, so it shows up as drift instead of crashing the check."""
    if not root.is_dir():
        return {}
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or RUNTIME_DIRS & set(rel.parts[1:-1]):
            continue
        out[f"{STACKS}/{rel.as_posix()}"] = path.read_bytes().decode("utf-8", errors="replace")
    return out


def check_drift(out: Path, expected: dict[str, str], *, command: str = "") -> None:
    """Raise ``DriftError`` (exit 3) when ``OUT/stacks`` differs from ``expected``;
    ``command`` is the one that regenerates them (quoted in the fix)."""
    from planner.fs import drift

    changed = drift(expected, stack_tree(out / STACKS))
    if changed:
        regenerate = command or f"hybridplan emit --out {shlex.quote(out.as_posix())}"
        raise DriftError(
            f"{len(changed)} file(s) under {(out / STACKS).as_posix()} differ from what the "
            "plan renders",
            paths=changed,
            fix=f"regenerate with `{regenerate}` (or `hybridplan plan` with the same "
            "arguments) and commit the result, or revert the hand edits",
        )


def register(app: typer.Typer) -> None:
    @app.command("emit")
    @guarded
    def emit_cmd(
        project_dir: Annotated[
            Path, typer.Argument(help="Planning project folder (inventory.yaml, sites.yaml...).")
        ] = Path("."),
        out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
        stack_env: Annotated[
            str, typer.Option("--env", help="Pulumi stack name of the emitted stacks.")
        ] = "prod",
        check: Annotated[
            bool,
            typer.Option("--check", help="Write nothing; exit 3 if OUT/stacks would change."),
        ] = False,
    ) -> None:
        """Re-plan the project and write OUT/stacks/<site>/ (Pulumi programs) only.

        The files are byte-identical to those `hybridplan plan` writes for the same inputs
        (same header command), so `--check` in CI catches hand edits and stale stacks.
        Exit 0 when up to date or written, 2 on bad input, 3 on drift with --check.

        Example: hybridplan emit examples/acme --out out --check
        """
        from planner.cli.cmd_plan import plan_files, reproduce_command
        from planner.fs import write_tree

        files, _plan, _project = plan_files(project_dir, out, stack_env, date.today())
        expected = stack_files(files)
        if check:
            regenerate = reproduce_command("emit", project_dir, out, stack_env)
            check_drift(out, expected, command=regenerate)
            console.out.print(f"{(out / STACKS).as_posix()}: up to date ({len(expected)} files)")
            return
        write_tree(out, expected, subdirs=(STACKS,), keep=("venv",))
        sites = sorted({p.split("/")[1] for p in expected if p.count("/") >= 2})
        console.out.print(
            f"wrote {len(sites)} stack(s) to {(out / STACKS).as_posix()}/: " + ", ".join(sites)
        )
