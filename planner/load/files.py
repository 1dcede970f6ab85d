"""The planning folder on disk: which files it holds, reading one into positioned YAML, and
listing ``telemetry/``; every file read is digested (sha256) for the plan's provenance."""

from __future__ import annotations

import hashlib
from pathlib import Path

from planner.errors import Problem
from planner.layout import INVENTORY, POLICIES, PROJECT, SITES, TELEMETRY_DIR
from planner.load.yamlfast import read_yaml
from planner.load.yamlpos import Parsed

# (file name, kind, required)
INPUT_FILES: tuple[tuple[str, str, bool], ...] = (
    (INVENTORY, "Inventory", True),
    (SITES, "Sites", True),
    (POLICIES, "Policies", False),
    (PROJECT, "Project", False),
)


def file_of_kind(kind: str) -> str:
    """The file that holds documents of ``kind`` (``Sites`` -> ``sites.yaml``)."""
    for file, k, _ in INPUT_FILES:
        if k == kind:
            return file
    return "this file"


def read_document(
    root: Path,
    file: str,
    kind: str,
    *,
    required: bool,
    problems: list[Problem],
    digests: dict[str, str],
) -> Parsed | None:
    """Read and parse one file, recording its digest and its problems; ``None`` if it is
    absent, unreadable or empty."""
    path = root / file
    if not path.exists():
        if required:
            problems.append(
                Problem(
                    file,
                    0,
                    0,
                    "",
                    f"required file {file} is missing",
                    f"create it (see `hybridplan schema {kind}`)",
                )
            )
        return None
    if not path.is_file():
        problems.append(Problem(file, 0, 0, "", "is not a regular file", "make it a YAML file"))
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        problems.append(
            Problem(file, 0, 0, "", f"cannot read: {reason}", "check the file's permissions")
        )
        return None
    digests[file] = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(file, 0, 0, "", f"not valid UTF-8 ({exc.reason})", "save the file as UTF-8")
        )
        return None
    parsed = read_yaml(text, file)
    problems.extend(parsed.problems)
    if parsed.data is None:
        if not parsed.problems:
            problems.append(
                Problem(
                    file,
                    0,
                    0,
                    "",
                    "the file is empty",
                    f"add apiVersion: hybridplan/v1 and kind: {kind} "
                    f"(see `hybridplan schema {kind}`)",
                )
            )
        return None
    return parsed


def list_telemetry(root: Path, problems: list[Problem], digests: dict[str, str]) -> tuple[str, ...]:
    """Relative paths of the files under ``telemetry/`` (hidden files skipped), sorted."""
    folder = root / TELEMETRY_DIR
    if not folder.exists():
        return ()
    if not folder.is_dir():
        problems.append(
            Problem(TELEMETRY_DIR, 0, 0, "", "is not a folder", "make telemetry/ a folder of files")
        )
        return ()
    found: list[str] = []
    for path in folder.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        rel = relative.as_posix()
        found.append(rel)
        digests[rel] = file_sha256(path)
    return tuple(sorted(found))


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in chunks (a telemetry export may be gigabytes)."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
