"""Migration waves on the command line (tests/data/mini: llm-finetune moves to the GPU
pool in wave 1): ``explain``, ``what-if --waves/--max-moves-per-wave``, ``emit --wave``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app

runner = CliRunner()
WIDE = {"COLUMNS": "200"}


def test_explain_names_the_wave_and_why(mini_dir: Path) -> None:
    """A moved workload's explanation says its wave, its months and why it is there."""
    out = runner.invoke(app, ["explain", "llm-finetune", str(mini_dir)], env=WIDE)
    assert out.exit_code == 0, out.output
    assert "migration: wave 1 of 1, month 1 (from " in out.stdout
    assert "  wave: saving " in out.stdout
    data = json.loads(
        runner.invoke(app, ["explain", "llm-finetune", str(mini_dir), "--format", "json"]).stdout
    )
    assert data["wave"]["number"] == 1
    assert data["wave"]["workloads"] == ["llm-finetune"]


def test_explain_of_a_workload_that_stays_has_no_wave(mini_dir: Path) -> None:
    """A workload that does not move has no wave line."""
    data = json.loads(
        runner.invoke(app, ["explain", "checkout-api", str(mini_dir), "--format", "json"]).stdout
    )
    assert data["moved"] is False
    assert data["wave"] is None


def test_whatif_moves_per_wave_reports_waves_and_payback(mini_dir: Path) -> None:
    """--max-moves-per-wave is a what-if change: the table shows the waves and the
    break-even month moving in waves for both sides."""
    out = runner.invoke(app, ["what-if", str(mini_dir), "--max-moves-per-wave", "1"], env=WIDE)
    assert out.exit_code == 0, out.output
    assert "at most 1 moves per wave" in out.stdout
    assert "break-even month moving in waves" in out.stdout
    assert "migration waves" in out.stdout


@pytest.mark.parametrize(
    "args",
    [["--waves", "0"], ["--max-moves-per-wave", "0"], ["--waves", "10001"]],
    ids=["no-waves", "no-moves", "too-many"],
)
def test_whatif_wave_flags_refuse_bad_numbers(mini_dir: Path, args: list[str]) -> None:
    """A wave count or move limit outside 1..10,000 is a usage error (exit 2) with a fix."""
    out = runner.invoke(app, ["what-if", str(mini_dir), *args])
    assert out.exit_code == 2, out.output
    assert "expected a whole number from 1 to 10000" in out.output


def _stack_text(out: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8") for p in sorted((out / "stacks").rglob("Pulumi.prod.yaml"))
    )


def test_emit_wave_moves_only_the_waves_up_to_k(mini_dir: Path, tmp_path: Path) -> None:
    """--wave 0 keeps llm-finetune where it runs today (aws-us-east-1); --wave 1 is the
    whole plan (but for the header); --check --wave K is clean after writing; a wave the
    plan does not have exits 2."""
    w0, w1, whole = tmp_path / "w0", tmp_path / "w1", tmp_path / "whole"
    for out, extra in ((w0, ["--wave", "0"]), (w1, ["--wave", "1"]), (whole, [])):
        res = runner.invoke(app, ["emit", str(mini_dir), "--out", str(out), *extra])
        assert res.exit_code == 0, res.output
    # before any wave: no GPU-pool stack, llm-finetune still in its current region's stack
    assert sorted(p.name for p in (w0 / "stacks").iterdir() if p.is_dir()) == [
        "aws-eu-west-1",
        "aws-us-east-1",
    ]
    assert "llm-finetune" in (w0 / "stacks" / "aws-us-east-1" / "Pulumi.prod.yaml").read_text(
        encoding="utf-8"
    )
    assert "llm-finetune" in (whole / "stacks" / "gpu-pool-us" / "Pulumi.prod.yaml").read_text(
        encoding="utf-8"
    )
    header = "# Regenerate with: hybridplan emit"
    assert f"{header} {mini_dir.as_posix()} --out {w1.as_posix()} --wave 1" in _stack_text(w1)
    norm = _stack_text(w1).replace(f"emit {mini_dir.as_posix()} --out {w1.as_posix()} --wave 1", "")
    assert norm == _stack_text(whole).replace(
        f"plan {mini_dir.as_posix()} --out {whole.as_posix()}", ""
    )
    check = runner.invoke(app, ["emit", str(mini_dir), "--out", str(w0), "--wave", "0", "--check"])
    assert check.exit_code == 0, check.output
    bad = runner.invoke(app, ["emit", str(mini_dir), "--out", str(w0), "--wave", "2"])
    assert bad.exit_code == 2
    assert "the plan has 1 migration wave" in bad.output
