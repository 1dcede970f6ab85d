"""Telemetry files -> ``TelemetrySet`` (the I/O boundary of the classifier).

Formats, detected by content (and extension for JSON):

* **CSV long form**: header ``timestamp,workload,metric,value`` (any column order; ``time``
  or ``ts`` also name the timestamp column), one sample a line.
* **CSV wide form**: header ``timestamp,<column>,...``; a column is ``workload/metric`` or
  just ``workload``, whose metric is then the file name's last word (``cpu.csv``,
  ``fleet-memory.csv``). Empty cells are gaps.
* **Prometheus** ``query_range`` JSON (``resultType: matrix``): the workload is the label
  named ``workload_label`` (default ``workload``); the metric is the ``metric`` label, else
  ``__name__``, else the file name's last word.
* **CloudWatch** ``GetMetricData`` JSON (one response, or a list of pages): ``Label`` is
  ``workload/metric`` (or ``workload metric``); a bare label takes the metric from the
  file name.

``.gz`` files are decompressed on the fly.

Timestamps are ISO 8601 (with ``Z`` or an offset; naive times are taken as UTC) or epoch
seconds (milliseconds when above 10^11), normalised to UTC seconds. Metric names and units
(``METRIC_ALIASES``): ``cpu`` cores, ``cpu_percent`` percent of the declared request,
``memory`` GiB (``memory_bytes``, ``memory_mib`` converted), ``memory_percent``, ``gpu``
0-1 (``gpu_percent`` converted), ``rps`` (``requests_per_minute`` converted). Empty values
and ``NaN`` are gaps; duplicate timestamps are averaged (``planner.classify.series.normalise``).

Hard errors (``InputError``, every one found, at most ``MAX_PROBLEMS_PER_FILE`` a file):
unparseable timestamps, non-numeric, negative or infinite values, values above
``ABSURD_LIMITS`` (CPU 1e12 cores), timestamps outside 1990-2100. Problems name the file
and line (CSV) or the JSON path. Telemetry for a workload not in the inventory is a
warning and is dropped.

Memory: CSV is read ``block_bytes`` (4 MiB) of whole lines at a time; each block is turned
into numpy arrays at once (clean long-form blocks without any per-line Python: fields are
located, hashed and converted by numpy), so memory holds the numeric arrays (20 bytes a
sample while reading, about 36 while grouping by series, 16 after) plus a few blocks.
Speed: long-form blocks are scanned on a thread pool (``csv_fast``: one thread a core, at
most 4; numpy releases the GIL) and committed in file order, and the grouping scatters
chunks on the same number of threads: the result is the serial reader's, to the byte. A
project's files are read on as many threads at once, merged in file order. JSON is
streamed too (256 KiB of text at a time, large arrays scanned item by item); its problems
name the JSON path and the line.

The modules: ``project`` (``load_telemetry``: a project's files, merged), ``files`` (one
file: format detection, ``FileResult``), ``csv_long`` (with ``csv_fast``), ``csv_wide``
(with ``csv_wide_fast``: a clean wide file read by numpy, anything unusual by ``csv_wide``),
``json_file`` (the readers of each format), ``json_responses`` and ``json_scanner``
(streamed Prometheus / CloudWatch documents), ``sink`` (samples and problems of one file
-> series), ``values`` (value parsing and checks), ``bytefields`` (numpy field hashing and
decimal parsing), ``timestamps`` and ``metrics`` (names, units, limits).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.lazy import lazy_exports

if TYPE_CHECKING:
    from planner.classify.series import MetricSeries
    from planner.classify.telemetry_set import TelemetrySet
    from planner.ingest.files import BLOCK_BYTES, FileResult, read_telemetry_file, telemetry_paths
    from planner.ingest.metrics import ABSURD_LIMITS, METRIC_ALIASES, resolve_metric
    from planner.ingest.project import load_telemetry
    from planner.ingest.sink import MAX_PROBLEMS_PER_FILE
    from planner.ingest.timestamps import parse_timestamp

__getattr__ = lazy_exports(
    __name__,
    {
        "ABSURD_LIMITS": "metrics",
        "BLOCK_BYTES": "files",
        "FileResult": "files",
        "MAX_PROBLEMS_PER_FILE": "sink",
        "METRIC_ALIASES": "metrics",
        "MetricSeries": "planner.classify.series",
        "TelemetrySet": "planner.classify.telemetry_set",
        "load_telemetry": "project",
        "parse_timestamp": "timestamps",
        "read_telemetry_file": "files",
        "resolve_metric": "metrics",
        "telemetry_paths": "files",
    },
)
"""Imported on first use: a project without telemetry files loads no reader."""

__all__ = [
    "ABSURD_LIMITS",
    "BLOCK_BYTES",
    "MAX_PROBLEMS_PER_FILE",
    "METRIC_ALIASES",
    "FileResult",
    "MetricSeries",
    "TelemetrySet",
    "load_telemetry",
    "parse_timestamp",
    "read_telemetry_file",
    "resolve_metric",
    "telemetry_paths",
]
