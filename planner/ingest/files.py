"""One telemetry file: open it (``.gz`` decompressed on the fly), detect its format from the
extension and CSV header, read it into a ``FileResult``; and the telemetry files of a
project.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from planner.classify.series import MetricSeries
from planner.errors import Problem
from planner.ingest.csv_fast import scan_threads
from planner.ingest.csv_long import read_long
from planner.ingest.csv_wide import wide_columns
from planner.ingest.csv_wide_fast import read_wide_any
from planner.ingest.json_file import read_json
from planner.ingest.sink import SeriesSink
from planner.ingest.timestamps import TS_NAMES
from planner.model import Project

BLOCK_BYTES = 1 << 22
"""CSV is read 4 MiB at a time (whole lines): the text held in memory at once."""


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, gunzipped when its name ends in ``.gz``."""
    if path.name.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


class _LineFeeds(io.RawIOBase):
    """A byte stream with every line end as ``\\n``: CSV exports from old tools end lines
    with a lone ``\\r`` (classic Mac) or ``\\r\\n``; the CSV readers split on ``\\n``. One
    line end stays one line, so line numbers are those an editor shows."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw
        self._cr_pending = False

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()

    def readinto(self, buffer: Any) -> int:
        size = len(buffer)
        while True:
            data = self._raw.read(max(size - 1, 1))
            if not data:
                if self._cr_pending:
                    self._cr_pending = False
                    buffer[:1] = b"\n"
                    return 1
                return 0
            if self._cr_pending:
                data = b"\r" + data
                self._cr_pending = False
            if data.endswith(b"\r"):  # may be the first half of \r\n: decide with more data
                data, self._cr_pending = data[:-1], True
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            if data:
                buffer[: len(data)] = data
                return len(data)


def open_text_lines(path: Path) -> IO[bytes]:
    """``open_binary``, with every line end read as ``\\n`` (see ``_LineFeeds``) when the
    file's first 64 KiB end a line with a lone ``\\r`` (``\\r\\n`` the readers handle)."""
    f = open_binary(path)
    peek = getattr(f, "peek", None)
    head = peek(1 << 16)[: 1 << 16] if peek is not None else b""
    if not _LONE_CR.search(head):
        return f
    return io.BufferedReader(_LineFeeds(f), buffer_size=1 << 16)


_LONE_CR = re.compile(rb"\r(?!\n)")


def read_telemetry_file(
    path: Path,
    *,
    rel: str | None = None,
    workload_label: str = "workload",
    block_bytes: int = BLOCK_BYTES,
    threads: int | None = None,
) -> FileResult:
    """Read one file: its series (with the line of their first sample), hard problems and
    warnings. Series are empty when there are problems. Long-form CSV is parsed, and every
    file's samples grouped, on ``threads`` threads (default: one a core, at most
    ``MAX_SCAN_THREADS``); the result does not depend on it."""
    name = rel or path.as_posix()
    n_threads = scan_threads() if threads is None else threads
    sink = SeriesSink(name, threads=n_threads)
    wide: list[tuple[MetricSeries, int]] | None = None  # a wide file's series, read fast
    base = path.name.removesuffix(".gz")
    try:
        with open_binary(path) if base.endswith(".json") else open_text_lines(path) as f:
            if base.endswith(".json"):
                read_json(f, sink, path, workload_label)
            else:
                header_line = f.readline()
                header_no = 1
                while header_line.startswith(b"#"):
                    header_line = f.readline()
                    header_no += 1
                header = next(csv.reader([header_line.decode("utf-8-sig")]), [])
                lower = {h.strip().lower() for h in header}
                if not header or not lower.intersection(TS_NAMES):
                    sink.problem(
                        header_no,
                        "",
                        "no timestamp column in the CSV header",
                        "start with timestamp,workload,metric,value (long form) or "
                        "timestamp,<workload>,... (wide form)",
                    )
                elif {"workload", "metric", "value"} <= lower:
                    read_long(f, header, sink, block_bytes, header_no + 1, threads=n_threads)
                else:
                    spec = wide_columns(header, sink, path, first_line=header_no + 1)
                    if spec is not None:
                        wide = read_wide_any(
                            f,
                            spec,
                            sink,
                            reopen=lambda: _rows_of(path, header_no),
                            block_bytes=block_bytes,
                            first_line=header_no + 1,
                        )
    except UnicodeDecodeError as exc:
        sink.problem(
            0, "", f"not UTF-8 text ({exc.reason})", "save the export as UTF-8 (iconv -t UTF-8)"
        )
    except (OSError, EOFError, zlib.error) as exc:
        # A truncated .gz is an EOFError, corrupt compressed data a zlib.error.
        sink.problem(
            0,
            "",
            f"cannot read: {exc}",
            "check the file is readable and complete, and gzip-compressed only if named .gz",
        )
    except csv.Error as exc:
        sink.problem(0, "", f"unreadable CSV header: {exc}", "start with a plain CSV header line")
    if sink.overflow:
        sink.problems.append(
            Problem(
                name,
                0,
                0,
                "",
                f"... and {sink.overflow} more problems in this file",
                "fix the problems above and run again to see the rest",
            )
        )
    if sink.problems:
        return FileResult((), tuple(sink.problems), tuple(sink.warnings))
    series = sink.series() if wide is None else wide
    return FileResult(tuple(series), (), tuple(sink.warnings))


@contextmanager
def _rows_of(path: Path, header_lines: int) -> Iterator[IO[bytes]]:
    """``open_text_lines(path)`` past its first ``header_lines`` lines."""
    with open_text_lines(path) as f:
        for _ in range(header_lines):
            f.readline()
        yield f


@dataclass(frozen=True, slots=True)
class FileResult:
    """One file's series (each with the line of its first sample), problems and warnings."""

    series: tuple[tuple[MetricSeries, int], ...]
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


def telemetry_paths(project: Project) -> list[tuple[Path, str]]:
    """(absolute path, path relative to the project) of every telemetry file; folders are
    expanded to their ``.csv`` / ``.json`` (optionally ``.gz``) files, sorted."""
    root = Path(project.root)
    out: list[tuple[Path, str]] = []
    for rel in project.telemetry_files:
        p = root / rel
        if p.is_dir():
            for q in sorted(p.rglob("*")):
                if q.is_file() and q.name.removesuffix(".gz").endswith((".csv", ".json")):
                    out.append((q, q.relative_to(root).as_posix()))
        else:
            out.append((p, rel))
    return out
