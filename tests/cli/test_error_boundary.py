"""The error boundary beyond PlannerError: OSError, parse errors and overflow exit 2, bugs
exit 70 with a short message, Ctrl-C exits 130 with one line; ``--debug`` adds the
traceback but keeps the code (never Click's 1)."""

from __future__ import annotations

import errno
import json
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import typer
from plan_runs import start_plan, timed_plan, wait_ready
from typer.testing import CliRunner

from planner import entry
from planner.cli import app as cli_app
from planner.cli.common import Ending, guarded, state
from planner.entry import INTERRUPTED_LINE, Interrupted
from planner.fs import read_tree, write_tree

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"
runner = CliRunner()


def _app(exc: BaseException) -> typer.Typer:
    """A one-command app whose command raises ``exc`` after printing a line."""
    app = typer.Typer()

    @app.command()
    @guarded
    def cmd() -> Ending:
        typer.echo("started")
        raise exc

    return app


@pytest.mark.parametrize(
    ("exc", "code", "text"),
    [
        (ValueError("boom"), 70, "internal error: ValueError: boom"),
        (KeyError("k"), 70, "internal error: KeyError: 'k'"),
        (OSError(errno.EACCES, "Permission denied", "/x/y.csv"), 2, "/x/y.csv: Permission denied"),
        (OSError(errno.ENOSPC, "No space left on device"), 2, "No space left on device"),
        (json.JSONDecodeError("Expecting value", "{", 1), 2, "unreadable input: Expecting value"),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), 2, "unreadable input"),
        (OverflowError("int too large to convert to float"), 2, "out of range"),
        (ZeroDivisionError("float division by zero"), 2, "out of range"),
    ],
    ids=["bug", "key-bug", "permission", "disk-full", "json", "utf8", "overflow", "zero-div"],
)
def test_exceptions_map_to_documented_codes_without_traceback(
    exc: Exception, code: int, text: str
) -> None:
    """Each exception class exits with its code and a short message, no traceback."""
    result = runner.invoke(_app(exc))
    assert result.exit_code == code
    assert text in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 3


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), Interrupted()], ids=["keyboard", "sigint"])
def test_an_interrupt_prints_one_line_and_exits_130(exc: BaseException) -> None:
    """Ctrl-C inside a command: one line on stderr, exit 130."""
    result = runner.invoke(_app(exc))
    assert (result.exit_code, result.stderr) == (130, INTERRUPTED_LINE + "\n")


def test_debug_shows_the_traceback_and_keeps_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """--debug prints the traceback, then the same message and exit code (70, not 1)."""
    monkeypatch.setitem(state, "debug", True)
    result = runner.invoke(_app(ValueError("boom")))
    assert result.exit_code == 70
    assert "Traceback (most recent call last)" in result.stderr
    assert "internal error: ValueError: boom" in result.stderr


def test_a_bug_inside_plan_exits_70(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception no input should cause, raised deep in `plan`, is a 70 and OUT is untouched."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan.json").write_text("old\n")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("solver state lost")

    monkeypatch.setattr("planner.pipeline.build_plan", broken)
    result = runner.invoke(cli_app, ["plan", str(MINI), "--out", str(out)])
    assert result.exit_code == 70
    assert "internal error: RuntimeError: solver state lost" in result.stderr
    assert read_tree(out) == {"plan.json": "old\n"}


def test_plan_into_a_file_exits_2_naming_out(tmp_path: Path) -> None:
    """`plan --out` naming a file: exit 2, OUT named with a fix, no traceback, file kept."""
    out = tmp_path / "out"
    out.write_text("a file\n")
    result = runner.invoke(cli_app, ["plan", str(MINI), "--out", str(out)])
    assert result.exit_code == 2
    assert f"{out}: is a file, not a folder" in result.stderr
    assert "To fix: remove it or choose another --out" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_text() == "a file\n"


def test_ctrl_c_is_ignored_from_the_moment_out_is_replaced(tmp_path: Path) -> None:
    """write_tree's swap is the run's commit point: the CLI's SIGINT handler gives way to
    ignoring Ctrl-C (exit 130 never follows a replaced OUT); another handler is kept."""
    previous = signal.getsignal(signal.SIGINT)
    try:
        signal.signal(signal.SIGINT, entry._interrupt)
        write_tree(tmp_path / "out", {"plan.json": "1\n"})
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        signal.signal(signal.SIGINT, signal.default_int_handler)
        write_tree(tmp_path / "out", {"plan.json": "2\n"})
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.slow
def test_sigint_at_any_moment_exits_130_and_leaves_out_whole(tmp_path: Path) -> None:
    """SIGINT sent to a running `hybridplan plan` at several moments, from the handler's
    installation (still importing the CLI) to near the end of an uninterrupted run (writing
    OUT): exit 130 and one line (or 0 if it had finished); OUT is the tree it held before
    that run or the complete new one, never a mix, and nothing is left beside it."""
    project = Path(shutil.copytree(MINI, tmp_path / "project"))
    out = tmp_path / "out"
    ready = tmp_path / "ready"
    run_s = timed_plan(project, out, ready)
    old = read_tree(out)
    inventory = project / "inventory.yaml"
    inventory.write_text(inventory.read_text().replace("replicas: 3", "replicas: 4", 1))
    runs = []  # (exit code, OUT before the run, OUT after it)
    for fraction in (0.0, 0.3, 0.6, 0.9):
        before = read_tree(out)
        proc = start_plan(project, out, ready, stderr=subprocess.PIPE)
        wait_ready(proc, ready)
        time.sleep(fraction * run_s)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode in (0, 130), stderr
        if proc.returncode == 130:
            assert stderr.strip().splitlines()[-1] == INTERRUPTED_LINE
            assert "Traceback" not in stderr
        runs.append((proc.returncode, before, read_tree(out)))
    assert runs[0][0] == 130  # interrupted while importing the CLI, long before the end
    timed_plan(project, out, ready)  # a run after the interrupted ones completes
    new = read_tree(out)
    assert new != old
    for code, before, after in runs:
        assert after == (before if code == 130 else new)  # 130: what the line says
    ready.unlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out", "project"]
