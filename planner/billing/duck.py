"""DuckDB, the one module that imports it: an embedded, streaming SQL engine that reads
CSV (gzipped or not) and Parquet files in place and aggregates them in SQL, so bill rows never
enter Python; only the aggregate (a few rows per workload and month) does.

The connection runs in UTC with a memory limit and a spill folder, so a bill larger than
memory still aggregates (DuckDB spills its hash tables to ``temp_dir``).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from planner.billing.focus import quote_text


class EngineError(Exception):
    """DuckDB refused a statement or a file; ``message`` is its text, first line."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Threads (the machine's cores by default, ``None``), memory limit and spill folder."""

    threads: int | None = None
    memory_limit: str = "640MB"
    temp_dir: str | None = None


DEFAULT_SETTINGS = EngineSettings()


def _error(exc: duckdb.Error) -> EngineError:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return EngineError(first, type(exc).__name__)


class Engine:
    """An open DuckDB connection (see ``engine``)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def run(self, sql: str) -> None:
        """Execute one statement; ``EngineError`` if DuckDB refuses it."""
        try:
            self._con.execute(sql)
        except duckdb.Error as exc:
            raise _error(exc) from None

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows of a query (DECIMAL columns as ``Decimal``, timestamps as ``datetime``)."""
        try:
            return self._con.execute(sql).fetchall()
        except duckdb.Error as exc:
            raise _error(exc) from None

    def describe(self, reader: str) -> list[tuple[str, str]]:
        """(column, SQL type) of what ``reader`` yields, reading only what it needs to."""
        return [(str(r[0]), str(r[1])) for r in self.rows(f"DESCRIBE SELECT * FROM {reader}")]


@contextmanager
def engine(settings: EngineSettings = DEFAULT_SETTINGS) -> Iterator[Engine]:
    """An in-memory DuckDB connection configured by ``settings``, closed on exit. Without a
    ``temp_dir`` it spills into a private temporary folder, removed on exit (never into the
    working directory)."""
    with tempfile.TemporaryDirectory(prefix="hybridplan-duckdb-") as own_tmp:
        try:
            con = duckdb.connect(":memory:")
            con.execute("SET TimeZone = 'UTC'")
            con.execute(f"SET memory_limit = {quote_text(settings.memory_limit)}")
            con.execute("SET preserve_insertion_order = false")
            if settings.threads is not None:
                con.execute(f"SET threads = {int(settings.threads)}")
            spill = settings.temp_dir if settings.temp_dir is not None else own_tmp
            con.execute(f"SET temp_directory = {quote_text(spill)}")
        except duckdb.Error as exc:
            raise _error(exc) from None
        try:
            yield Engine(con)
        finally:
            con.close()


def csv_reader(files: Sequence[Path]) -> str:
    """The table function reading ``files`` as CSV (compression from the name, ``.gz``
    included), every column as text: amounts are cast to DECIMAL exactly, never via a float.
    Columns are matched by position: ``files`` share one header (``scan`` groups them so).
    An 8 MiB read buffer (DuckDB's default is 32 MiB a file): gzipped files of a 10 M-row
    bill then stay within the engine's memory limit (lines up to DuckDB's 2 MB maximum)."""
    paths = ", ".join(quote_text(str(f)) for f in files)
    return f"read_csv([{paths}], all_varchar = true, header = true, buffer_size = 8388608)"


def parquet_reader(files: Sequence[Path]) -> str:
    """The table function reading ``files`` as Parquet; columns missing from some files are
    NULL there."""
    paths = ", ".join(quote_text(str(f)) for f in files)
    return f"read_parquet([{paths}], union_by_name = true)"


def file_named(message: str, files: Sequence[Path]) -> Path | None:
    """The one of ``files`` an engine message names, if any (longest path first)."""
    for f in sorted(files, key=lambda p: len(str(p)), reverse=True):
        if re.search(re.escape(str(f)), message) or re.search(re.escape(f.name), message):
            return f
    return None
