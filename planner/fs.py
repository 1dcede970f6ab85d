"""Filesystem edge: whole-tree replacement of an output folder, in-place file writes and
drift checks.

``write_tree`` never leaves ``OUT`` mixed. It builds the new tree in a staging folder
beside ``OUT`` (the files to write, plus hard links to whatever of the old ``OUT`` is kept)
and then swaps the two folders in one atomic ``renameat2(RENAME_EXCHANGE)``, so at every
moment ``OUT`` is either the old tree or the new one, whatever kills the process. Where
the kernel or file system cannot exchange, ``OUT`` is renamed aside and the staging folder
renamed in (``OUT`` is then absent for an instant, never mixed; the next run puts an
aside ``OUT`` back if it was killed in between). Folders left by a killed run are removed
by the next one. From the swap on, the CLI ignores Ctrl-C (``planner.entry.commit_point``),
so "interrupted" always means OUT is as it was.

One writer at a time: ``write_tree`` holds an advisory lock (``fcntl.flock``) on
``.<OUT>.lock`` beside ``OUT``; a second writer waits up to ``LOCK_WAIT_S`` seconds and
then fails with exit 2. Any ``OSError`` (``OUT`` is a file, a folder is read-only, the disk
is full) is an ``InputError`` naming ``OUT``, and ``OUT`` is untouched.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import os
import secrets
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from planner.entry import commit_point
from planner.errors import InputError, Problem, UsageError

LOCK_WAIT_S = 60.0
"""How long a second writer of one ``OUT`` waits for the first before giving up."""

_STAGING = "staging"
_ASIDE = "aside"


def _safe_relative(rel: str) -> PurePosixPath:
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise UsageError(f"refusing to write outside the output folder: {rel!r}")
    return path


def _out_error(out: Path, message: str, fix: str) -> InputError:
    return InputError([Problem(str(out), 0, 0, "", message, fix)], message="cannot write OUT")


def _os_error(out: Path, exc: OSError) -> InputError:
    """An ``OSError`` met while writing ``out``, as a located input error."""
    where = f" ({exc.filename})" if exc.filename else ""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = "free disk space (or choose another --out) and run again"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        fix = "choose a writable --out, or fix the folder's permissions"
    else:
        fix = "check the --out folder and run again"
    return _out_error(out, f"{reason}{where}; nothing in it changed", fix)


def write_tree(
    out_dir: Path,
    files: Mapping[str, str],
    *,
    subdirs: tuple[str, ...] = (),
    keep: tuple[str, ...] = (),
    lock_wait_s: float = LOCK_WAIT_S,
) -> None:
    """Replace the folder ``out_dir`` as a whole by one holding ``files``.

    Every path in ``files`` is relative. Top-level entries named in ``files`` (and the
    ``subdirs`` listed, e.g. ``stacks``) are replaced as a whole; other entries of the old
    ``out_dir`` are carried over. Folders named in ``keep`` one level inside a replaced
    entry (``stacks/<site>/venv``, made by running a stack) are carried over when that
    folder is still written. On any error ``out_dir`` does not change.
    """
    planned = {_safe_relative(rel): text for rel, text in files.items()}
    out = Path(out_dir).resolve()
    if out.parent == out:
        raise _out_error(out, "is the root of the file system", "choose another --out")
    tops = sorted({rel.parts[0] for rel in planned} | set(subdirs))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _writer_lock(out, lock_wait_s):
            _recover(out)
            _check_writable(out)
            staging = _sibling(out, _STAGING)
            try:
                staging.mkdir()
                if out.is_dir():
                    _carry_over(out, staging, tops, keep, written=planned)
                for rel, text in sorted(planned.items()):
                    target = staging.joinpath(*rel.parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with open(target, "w", encoding="utf-8", newline="\n") as fh:
                        fh.write(text)
                commit_point()  # Ctrl-C from here on would report an OUT already replaced
                _swap_in(staging, out)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        raise _os_error(out, exc) from exc


def _sibling(out: Path, role: str) -> Path:
    return out.with_name(f".{out.name}.{role}-{secrets.token_hex(4)}")


def _check_writable(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise _out_error(out, "is a file, not a folder", "remove it or choose another --out")
    for folder in (out, out.parent):
        if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
            raise _out_error(
                out,
                f"{folder} is read-only; nothing in OUT changed",
                "choose a writable --out, or fix the folder's permissions",
            )


@contextmanager
def _writer_lock(out: Path, wait_s: float) -> Iterator[None]:
    """Hold the advisory lock of ``out`` (``.<name>.lock`` beside it), waiting up to
    ``wait_s`` seconds for another writer; the lock file itself stays (removing it would
    let two writers lock two different files)."""
    lock_path = out.with_name(f".{out.name}.lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _out_error(
                        out,
                        f"another hybridplan run is writing it (lock {lock_path} held for "
                        f"{wait_s:g} s)",
                        "wait for the other run to finish, or write to another --out",
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _leftovers(out: Path, role: str) -> list[Path]:
    prefix = f".{out.name}.{role}-"
    return sorted(p for p in out.parent.iterdir() if p.name.startswith(prefix))


def _recover(out: Path) -> None:
    """Undo what a killed run left (the lock is held, so no run is using it): an ``OUT``
    renamed aside and not replaced is put back; staging and aside folders are removed."""
    aside = _leftovers(out, _ASIDE)
    if aside and not out.exists() and not out.is_symlink():
        os.rename(aside.pop(), out)
    for path in aside + _leftovers(out, _STAGING):
        shutil.rmtree(path, ignore_errors=True)


def _link_tree(src: Path, dst: Path) -> None:
    """Copy ``src`` (file, symlink or folder) to ``dst`` as hard links: instant, no data
    copied, and ``src`` untouched. Falls back to copying where links are refused."""

    def link(a: str, b: str) -> None:
        try:
            os.link(a, b, follow_symlinks=False)
        except OSError:
            shutil.copy2(a, b, follow_symlinks=False)

    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    elif src.is_dir():
        shutil.copytree(src, dst, symlinks=True, copy_function=link)
    else:
        link(str(src), str(dst))


def _carry_over(
    old: Path,
    new: Path,
    tops: list[str],
    keep: tuple[str, ...],
    *,
    written: Mapping[PurePosixPath, str],
) -> None:
    """Link into ``new`` what of ``old`` survives: every top-level entry not replaced, and
    each ``<top>/<child>/<name>`` (``name`` in ``keep``) whose ``<top>/<child>`` is written
    again and does not write ``<name>`` itself."""
    written_dirs = {rel.parts[:2] for rel in written if len(rel.parts) > 2}
    written_paths = {rel.parts[:3] for rel in written}
    for entry in sorted(old.iterdir()):
        if entry.name not in tops:
            _link_tree(entry, new / entry.name)
            continue
        for name in keep:
            for kept in sorted(entry.glob(f"*/{name}")):
                parts = (entry.name, kept.parent.name, name)
                if kept.is_symlink() or not kept.is_dir() or parts[:2] not in written_dirs:
                    continue
                if parts not in written_paths:
                    target = new.joinpath(*parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    _link_tree(kept, target)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); ``False`` where
    the C library, kernel or file system has no such call."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap_in(staging: Path, out: Path) -> None:
    """Make ``staging`` be ``out``; the old ``out`` ends at ``staging`` (then removed)."""
    if not out.exists():
        os.rename(staging, out)
    elif not _exchange(staging, out):
        aside = _sibling(out, _ASIDE)
        os.rename(out, aside)
        os.rename(staging, out)
        os.rename(aside, staging)


def write_files(files: Mapping[Path, str]) -> None:
    """Write files in place (e.g. ``init`` into an existing project), all or nothing as far
    as the filesystem allows: each file is first written to a hidden sibling (created with
    the usual permissions, umask applied); only when every one is written are they renamed
    into place. On error the temporaries are removed and no target has changed."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in sorted(files.items()):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with open(tmp, "x", encoding="utf-8", newline="\n") as fh:
                staged.append((tmp, path))
                fh.write(text)
        for tmp, path in staged:
            os.replace(tmp, path)
        staged = []
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


def read_tree(root: Path) -> dict[str, str]:
    """All files under ``root`` as ``{posix relative path: text}`` (empty if absent)."""
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def drift(expected: Mapping[str, str], actual: Mapping[str, str]) -> tuple[str, ...]:
    """Paths that differ: changed, missing (``-``) or unexpected (``+``), sorted."""
    out: list[str] = []
    for rel in sorted(set(expected) | set(actual)):
        if rel not in actual:
            out.append(f"missing: {rel}")
        elif rel not in expected:
            out.append(f"unexpected: {rel}")
        elif expected[rel] != actual[rel]:
            out.append(f"changed: {rel}")
    return tuple(out)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
