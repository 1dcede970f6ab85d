"""Atomic tree writes and drift detection (planner.fs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import UsageError
from planner.fs import drift, read_tree, write_files, write_tree


def test_write_tree_writes_every_file(tmp_path: Path) -> None:
    """All files land under OUT with their relative paths and exact text."""
    out = tmp_path / "out"
    write_tree(out, {"plan.json": "{}\n", "stacks/a/Pulumi.yaml": "name: a\n"})
    assert read_tree(out) == {"plan.json": "{}\n", "stacks/a/Pulumi.yaml": "name: a\n"}


def test_write_tree_replaces_managed_subdirs_whole(tmp_path: Path) -> None:
    """A stack that is no longer planned disappears; unrelated files in OUT stay."""
    out = tmp_path / "out"
    write_tree(out, {"stacks/old/Pulumi.yaml": "x\n", "plan.json": "1\n"})
    (out / "notes.txt").write_text("mine\n")
    write_tree(out, {"stacks/new/Pulumi.yaml": "y\n", "plan.json": "2\n"}, subdirs=("stacks",))
    assert read_tree(out) == {
        "notes.txt": "mine\n",
        "plan.json": "2\n",
        "stacks/new/Pulumi.yaml": "y\n",
    }


@pytest.mark.parametrize(
    "bad",
    ["../escape.txt", "/etc/passwd", "a/../../b"],
    ids=["dotdot", "absolute", "nested-dotdot"],
)
def test_write_tree_refuses_paths_outside_out(tmp_path: Path, bad: str) -> None:
    """Paths that leave OUT are refused and nothing is written."""
    out = tmp_path / "out"
    with pytest.raises(UsageError):
        write_tree(out, {"plan.json": "{}\n", bad: "x"})
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_write_tree_leaves_out_untouched_on_failure(tmp_path: Path) -> None:
    """A failure half-way leaves the previous OUT exactly as it was (no staging left over)."""
    out = tmp_path / "out"
    write_tree(out, {"plan.json": "old\n"})
    with pytest.raises(UsageError):
        write_tree(out, {"plan.json": "new\n", "../x": "y"})
    assert read_tree(out) == {"plan.json": "old\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_drift_reports_changed_missing_and_unexpected() -> None:
    """Drift lists each differing path once, sorted, with what kind of difference it is."""
    expected = {"a": "1", "b": "2", "c": "3"}
    actual = {"a": "1", "b": "changed", "d": "4"}
    assert drift(expected, actual) == ("changed: b", "missing: c", "unexpected: d")
    assert drift(expected, dict(expected)) == ()


def test_write_files_uses_normal_permissions(tmp_path: Path) -> None:
    """Files written in place get the usual umask-derived mode, not a temp file's 0600."""
    target = tmp_path / "proj" / "inventory.yaml"
    write_files({target: "a: 1\n"})
    assert target.read_text() == "a: 1\n"
    assert target.stat().st_mode & 0o044 == 0o044


def test_write_files_changes_nothing_when_one_file_fails(tmp_path: Path) -> None:
    """If any file cannot be written, no target changes and no temporary is left."""
    keep = tmp_path / "keep.yaml"
    keep.write_text("old\n")
    blocked = tmp_path / "zz-blocker"
    blocked.write_text("a file where a folder is needed\n")
    with pytest.raises(FileExistsError):
        write_files({keep: "new\n", blocked / "x.yaml": "y\n"})
    assert keep.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.yaml", "zz-blocker"]


def test_write_tree_keeps_a_stack_venv_when_the_stack_is_re_emitted(tmp_path: Path) -> None:
    """A venv made by running a stack survives a re-plan of that stack; a stack that is no
    longer planned goes away with its venv."""
    out = tmp_path / "out"
    write_tree(out, {"stacks/a/Pulumi.yaml": "a\n", "stacks/b/Pulumi.yaml": "b\n"})
    for site in ("a", "b"):
        (out / "stacks" / site / "venv").mkdir()
        (out / "stacks" / site / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    write_tree(out, {"stacks/a/Pulumi.yaml": "a2\n"}, subdirs=("stacks",), keep=("venv",))
    assert read_tree(out) == {
        "stacks/a/Pulumi.yaml": "a2\n",
        "stacks/a/venv/pyvenv.cfg": "home = /usr\n",
    }
