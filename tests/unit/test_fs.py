"""Atomic tree writes and drift detection (planner.fs)."""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

import pytest

from planner.errors import InputError, UsageError
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
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


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


def test_write_tree_swaps_the_whole_folder_and_carries_other_entries_by_link(
    tmp_path: Path,
) -> None:
    """OUT is a new folder after a write; entries it does not write are hard links to the
    old ones (no copy), and nothing is left beside OUT but its lock file."""
    out = tmp_path / "out"
    write_tree(out, {"plan.json": "1\n"})
    (out / "notes.txt").write_text("mine\n")
    old_inode = out.stat().st_ino
    notes_inode = (out / "notes.txt").stat().st_ino
    write_tree(out, {"plan.json": "2\n"})
    assert out.stat().st_ino != old_inode
    assert (out / "notes.txt").stat().st_ino == notes_inode
    assert read_tree(out) == {"notes.txt": "mine\n", "plan.json": "2\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


def test_write_tree_cleans_up_what_a_killed_run_left(tmp_path: Path) -> None:
    """Staging and aside folders of a killed run go; an OUT renamed aside and never
    replaced is put back before the new tree is written over it."""
    out = tmp_path / "out"
    write_tree(out, {"plan.json": "1\n", "keep/me.txt": "kept\n"})
    (tmp_path / ".out.staging-dead").mkdir()
    (tmp_path / ".out.staging-dead" / "half.json").write_text("{")
    out.rename(tmp_path / ".out.aside-dead")
    write_tree(out, {"plan.json": "2\n"})
    assert read_tree(out) == {"keep/me.txt": "kept\n", "plan.json": "2\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


def test_write_tree_into_a_file_is_a_located_input_error(tmp_path: Path) -> None:
    """OUT that is a file is refused with exit 2, naming OUT, and the file is untouched."""
    out = tmp_path / "out"
    out.write_text("not a folder\n")
    with pytest.raises(InputError) as caught:
        write_tree(out, {"plan.json": "{}\n"})
    (problem,) = caught.value.problems
    assert problem.file == str(out)
    assert "is a file" in problem.message
    assert out.read_text() == "not a folder\n"


def test_a_full_disk_leaves_out_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC while writing the new tree is a located input error; OUT keeps its old tree
    and no staging folder is left."""
    out = tmp_path / "out"
    write_tree(out, {"plan.json": "old\n", "stacks/a/x": "1\n"})
    real_open = open

    def full_disk(path: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        if "w" in mode and str(path).endswith("x"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", full_disk)
    with pytest.raises(InputError) as caught:
        write_tree(out, {"plan.json": "new\n", "stacks/a/x": "2\n"}, subdirs=("stacks",))
    monkeypatch.undo()
    assert "No space left on device" in caught.value.problems[0].message
    assert "free disk space" in caught.value.problems[0].fix
    assert read_tree(out) == {"plan.json": "old\n", "stacks/a/x": "1\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


def test_a_second_writer_waits_then_fails_with_a_message(tmp_path: Path) -> None:
    """While one writer holds OUT's lock, another gives up after its wait with exit 2."""
    out = tmp_path / "out"
    write_tree(out, {"plan.json": "1\n"})
    holder = os.open(tmp_path / ".out.lock", os.O_RDWR)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        with pytest.raises(InputError) as caught:
            write_tree(out, {"plan.json": "2\n"}, lock_wait_s=0.2)
    finally:
        os.close(holder)
    assert "another hybridplan run is writing it" in caught.value.problems[0].message
    assert read_tree(out) == {"plan.json": "1\n"}
    write_tree(out, {"plan.json": "3\n"}, lock_wait_s=0.2)
    assert read_tree(out) == {"plan.json": "3\n"}


def test_the_fallback_swap_without_renameat2_gives_the_same_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the folders cannot be exchanged atomically, rename-aside gives the same OUT."""
    monkeypatch.setattr("planner.fs._exchange", lambda a, b: False)
    out = tmp_path / "out"
    write_tree(out, {"plan.json": "1\n", "stacks/a/x": "1\n"})
    write_tree(out, {"plan.json": "2\n"}, subdirs=("stacks",))
    assert read_tree(out) == {"plan.json": "2\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


def test_a_read_only_out_folder_is_a_located_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OUT (or its parent) that this user cannot write is refused before anything is staged:
    exit 2 naming OUT with a fix, and OUT keeps its old tree."""
    out = tmp_path / "out"
    write_tree(out, {"plan.json": "old\n"})
    # os.access stands in for chmod: the suite may run as root, which chmod does not stop.
    monkeypatch.setattr("planner.fs.os.access", lambda path, mode: Path(path) != out)
    with pytest.raises(InputError) as caught:
        write_tree(out, {"plan.json": "new\n"})
    (problem,) = caught.value.problems
    assert problem.file == str(out)
    assert f"{out} is read-only" in problem.message
    assert problem.fix.startswith("choose a writable --out")
    assert read_tree(out) == {"plan.json": "old\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


def test_a_read_only_file_system_is_a_located_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EROFS when the staging folder is made is exit 2 naming OUT (not a traceback); OUT
    keeps its old tree."""
    out = tmp_path / "out"
    write_tree(out, {"plan.json": "old\n"})
    real_mkdir = Path.mkdir

    def read_only(self: Path, *args: object, **kwargs: object) -> None:
        if ".staging-" in self.name:
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(InputError) as caught:
        write_tree(out, {"plan.json": "new\n"})
    monkeypatch.undo()
    (problem,) = caught.value.problems
    assert problem.file == str(out)
    assert problem.message.startswith("Read-only file system")
    assert problem.fix.startswith("choose a writable --out")
    assert read_tree(out) == {"plan.json": "old\n"}
