"""Exit codes: one mapping (``planner.errors.exit_code``), one boundary (``guarded``), and
the README table that documents them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from planner.cli.common import Ending, Shown, guarded
from planner.entry import INTERRUPTED_LINE, Interrupted, interrupted
from planner.errors import (
    CheckFailedError,
    DriftError,
    ExitCode,
    InfeasibleError,
    InputError,
    PlannerError,
    PolicyFailure,
    Problem,
    UsageError,
    exit_code,
)
from planner.preview import PreviewError

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

CASES: list[tuple[PlannerError | None, int]] = [
    (None, 0),
    (InfeasibleError("no plan"), 1),
    (PolicyFailure("1 unwaived mandatory finding(s): HP-SLA-001"), 1),
    (PreviewError("colo-eu does not preview cleanly"), 1),
    (CheckFailedError("infeasible: scenario"), 1),
    (InputError([Problem("inventory.yaml", 1, 1, "", "bad")]), 2),
    (UsageError("unknown workload 'x'"), 2),
    (PlannerError("anything else"), 2),
    (DriftError("1 file(s) differ"), 3),
]


@pytest.mark.parametrize(("failure", "code"), CASES, ids=[type(f).__name__ for f, _ in CASES])
def test_each_ending_maps_to_its_documented_code(failure: PlannerError | None, code: int) -> None:
    """Success 0; infeasible, mandatory finding, failed preview 1; input 2; drift 3."""
    assert exit_code(failure) == code


def test_readme_documents_every_code() -> None:
    """README's "Exit codes" table lists exactly the codes ``ExitCode`` defines."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(c) for c in re.findall(r"^\| (\d+) \|", section, flags=re.MULTILINE)}
    assert documented == {int(c) for c in ExitCode}


def _app(ending: Ending, *, raised: bool = False) -> typer.Typer:
    """A one-command app that ends with ``ending`` (returned, or raised when ``raised``)."""
    app = typer.Typer()

    @app.command()
    @guarded
    def cmd() -> Ending:
        typer.echo("report")
        if raised and isinstance(ending, PlannerError):
            raise ending
        return ending

    return app


def test_a_returned_failure_prints_after_the_report_and_sets_the_code() -> None:
    """A verdict returned by a command is rendered on stderr once, after its output."""
    result = runner.invoke(_app(PolicyFailure("mandatory: HP-SLA-001 workload=api: 1 < 2")))
    assert (result.exit_code, result.stdout) == (1, "report\n")
    assert result.stderr == "mandatory: HP-SLA-001 workload=api: 1 < 2\n"


def test_a_raised_error_is_rendered_without_traceback() -> None:
    """A raised PlannerError exits with its code and its rendering, no traceback."""
    result = runner.invoke(_app(DriftError("2 file(s) differ", paths=("a", "b")), raised=True))
    assert result.exit_code == 3
    assert result.stderr == "drift: 2 file(s) differ\n  a\n  b\n"


def test_a_shown_failure_exits_without_printing_it_again() -> None:
    """``Shown`` (the command showed the problems itself, e.g. as JSON) prints nothing more."""
    result = runner.invoke(_app(Shown(InputError([Problem("x.yaml", 0, 0, "", "bad")]))))
    assert (result.exit_code, result.stdout, result.stderr) == (2, "report\n", "")


def test_success_exits_0_silently() -> None:
    """``None`` is success: exit 0 and nothing on stderr."""
    result = runner.invoke(_app(None))
    assert (result.exit_code, result.stderr) == (0, "")


def _import_stopped_by_ctrl_c() -> None:
    """What pybind11 does when Ctrl-C lands while an extension module (highspy) initialises:
    the interrupt becomes the cause of an ``ImportError("initialization failed")``."""
    try:
        raise Interrupted
    except Interrupted as exc:
        raise ImportError("initialization failed") from exc


def test_an_import_stopped_by_ctrl_c_exits_130_not_70() -> None:
    """The boundary treats an error caused by an interrupt as the interrupt: one line, 130
    (it was 70, "a bug", when Ctrl-C hit the solver's lazy highspy import)."""
    app = typer.Typer()

    @app.command()
    @guarded
    def cmd() -> Ending:
        _import_stopped_by_ctrl_c()
        return None

    result = runner.invoke(app)
    assert result.exit_code == int(ExitCode.INTERRUPTED) == 130
    assert result.stderr == INTERRUPTED_LINE + "\n"


def test_only_errors_caused_by_an_interrupt_count_as_one() -> None:
    """``interrupted`` follows causes and contexts; an ordinary ImportError is not one."""
    with pytest.raises(ImportError) as caught:
        _import_stopped_by_ctrl_c()
    assert interrupted(caught.value)
    assert interrupted(KeyboardInterrupt())
    assert not interrupted(ImportError("No module named 'highspy'"))
    plain = ImportError("outer")
    plain.__cause__ = ValueError("inner")
    assert not interrupted(plain)
