"""The ``hybridplan`` command line: thin commands over the services of ``planner.app``.

Each ``cmd_*`` module registers its commands on ``app``. A command parses its flags, calls
services, renders the result and returns the failure it ends with (or ``None``);
``common.guarded``, the one error boundary, prints a failure or a raised error (any
exception, mapped by ``planner.errors.from_exception``) and exits with
``planner.errors.exit_code`` of it:

====  =========================================================================
code  meaning
====  =========================================================================
0     success (advisory findings allowed)
1     infeasible plan or scenario, an unwaived mandatory policy finding, or a
      stack that does not preview cleanly
2     usage or input error (bad flags, invalid planning project)
3     drift: emitted files differ from what the plan renders (``emit --check``)
70    internal error (a bug; ``--debug`` shows the traceback)
130   interrupted (Ctrl-C; ``planner.entry`` maps SIGINT)
====  =========================================================================
"""

from __future__ import annotations

import importlib

import typer

from planner import __version__
from planner.cli import console
from planner.cli.common import state

app = typer.Typer(
    name="hybridplan",
    help=(
        "Plan where each workload runs - cloud, colo Kubernetes or a bare-metal GPU pool - "
        "by total cost of ownership, and emit Pulumi stacks.\n\n"
        "Example: hybridplan plan examples/acme --out out"
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    rich_markup_mode=None,
)

# Command modules, registered explicitly (no discovery by glob).
COMMAND_MODULES: tuple[str, ...] = (
    "planner.cli.cmd_validate",
    "planner.cli.cmd_schema",
    "planner.cli.cmd_plan",
    "planner.cli.cmd_emit",
    "planner.cli.cmd_preview",
    "planner.cli.cmd_cost",
    "planner.cli.cmd_baseline",
    "planner.cli.cmd_diff",
    "planner.cli.cmd_init",
    "planner.cli.cmd_whatif",
    "planner.cli.cmd_check",
    "planner.cli.cmd_classify",
    "planner.cli.cmd_explain",
)


def _version(value: bool) -> None:
    if value:
        console.out.print(f"hybridplan {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
) -> None:
    """Plan hybrid placements by TCO and emit Pulumi stacks."""
    state["debug"] = debug


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    """Console entry point. Exit codes are set by ``planner.cli.common.guarded``."""
    app()
