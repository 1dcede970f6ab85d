"""Filesystem edge: atomic writes of whole output trees and drift checks.

Outputs are rendered in memory as ``{relative_path: text}``, written to a temporary folder
beside the destination, and moved into place only when every file is written, so a failed
run never leaves a half-written ``OUT``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from planner.errors import UsageError


def _safe_relative(rel: str) -> PurePosixPath:
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise UsageError(f"refusing to write outside the output folder: {rel!r}")
    return path


def write_tree(
    out_dir: Path,
    files: Mapping[str, str],
    *,
    subdirs: tuple[str, ...] = (),
    keep: tuple[str, ...] = (),
) -> None:
    """Write ``files`` under ``out_dir`` atomically.

    Every path in ``files`` is relative. Top-level entries named in ``files`` (and the
    ``subdirs`` listed, e.g. ``stacks``) are replaced as a whole; other content of
    ``out_dir`` is left alone. Folders named in ``keep`` one level inside a replaced
    entry (``stacks/<site>/venv``, made by running a stack) are carried over when that
    folder is still written. On any error nothing in ``out_dir`` changes.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for rel, text in sorted(files.items()):
            target = staging / _safe_relative(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        out_dir.mkdir(parents=True, exist_ok=True)
        tops = sorted({_safe_relative(rel).parts[0] for rel in files} | set(subdirs))
        for top in tops:
            dest = out_dir / top
            src = staging / top
            if dest.is_dir() and not dest.is_symlink():
                _carry_over(dest, src, keep)
                shutil.rmtree(dest)
            elif dest.exists() or dest.is_symlink():
                dest.unlink()
            if src.exists():
                os.replace(src, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _carry_over(old: Path, new: Path, keep: tuple[str, ...]) -> None:
    """Move ``old/<child>/<name>`` folders (``name`` in ``keep``) into ``new/<child>/`` when
    ``new/<child>`` exists and has no such entry (a stack folder that is re-emitted)."""
    for name in keep:
        for kept in sorted(old.glob(f"*/{name}")):
            target = new / kept.relative_to(old)
            movable = kept.is_dir() and not kept.is_symlink()
            if movable and target.parent.is_dir() and not target.exists():
                os.replace(kept, target)


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
