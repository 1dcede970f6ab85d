"""What to read from a Prometheus-API server (Prometheus, Thanos, Mimir): ``PrometheusSpec``
(the ``prometheus:`` section of project.yaml, or ``--prometheus URL`` alone), the default
queries, durations, and the PromQL text hybridplan writes: workload label selectors, query
templates and the time windows of range queries. Pure: no I/O, clock or environment.

A query template is PromQL with three placeholders, ``$selector`` (the label matcher of a
batch of workloads: ``workload="api"`` or ``workload=~"api|db"``), ``$step`` (the step,
``300s``) and ``$window`` (the step less one millisecond, ``299999ms``: a range selector of
that length at a step-aligned evaluation time holds exactly the samples of one interval,
whether the server's ranges are closed (Prometheus 2) or left-open (Prometheus 3)).
``${name}`` is the same as ``$name``; ``$$`` is a literal ``$``; ``$1`` (label_replace) is
left alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from planner.errors import Problem

MAX_POINTS_PER_SERIES = 11_000
"""Prometheus refuses a range query whose result would hold more points per series
("exceeded maximum resolution of 11,000 points per timeseries"); queries are split in time
below it."""

PLACEHOLDERS = ("selector", "step", "window")

DEFAULT_QUERIES: Mapping[str, str] = {
    # metric name (planner.ingest.metrics) -> template. The defaults read series recorded
    # under hybridplan's canonical metric names with a workload label, and push the
    # per-step aggregation into PromQL (a Thanos/Mimir backend does that work).
    "cpu": "avg_over_time(cpu{$selector}[$window])",
    "cpu_max": "max_over_time(cpu{$selector}[$window])",
    "memory": "avg_over_time(memory{$selector}[$window])",
    "gpu": "avg_over_time(gpu{$selector}[$window])",
    "rps": "avg_over_time(rps{$selector}[$window])",
    "tokens": "avg_over_time(tokens{$selector}[$window])",
}

DEFAULT_STEP_S = 300.0
DEFAULT_RANGE_S = 30 * 86400.0
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF_S = 1.0
DEFAULT_WORKLOADS_PER_QUERY = 50
MAX_BACKOFF_S = 30.0

_DURATION = re.compile(r"([0-9]+)(ms|s|m|h|d|w|y)")
_UNIT_S = {
    "ms": 0.001,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "w": 7 * 86400.0,
    "y": 365 * 86400.0,
}
_PLACEHOLDER = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_RE2_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$])")


@dataclass(frozen=True, slots=True)
class Place:
    """Where a setting was given: a file position and field, or a command-line flag."""

    file: str
    line: int = 0
    column: int = 0
    field: str = ""

    def problem(self, message: str, fix: str) -> Problem:
        """A ``Problem`` located here."""
        return Problem(self.file, self.line, self.column, self.field, message, fix)


FLAG = Place("--prometheus")
"""The place of settings that came with ``--prometheus URL`` alone."""


@dataclass(frozen=True, slots=True)
class PromQuery:
    """One metric's query template."""

    metric: str
    """The metric the values are in: a name ``planner.ingest.metrics`` knows (``cpu``,
    ``cpu_percent``, ``memory_bytes``...)."""
    template: str
    place: Place


@dataclass(frozen=True, slots=True)
class PromAuth:
    """A request header whose value is read from an environment variable."""

    header: str
    """``Authorization`` for a bearer token, else the header named (``X-Scope-OrgID``)."""
    env: str
    bearer: bool
    place: Place


@dataclass(frozen=True, slots=True)
class PrometheusSpec:
    """How to read a project's telemetry from a Prometheus-API server."""

    url: str
    queries: tuple[PromQuery, ...]
    url_place: Place = FLAG
    place: Place = FLAG
    """The section (or the flag): where a workload without series is reported."""
    workload_label: str = "workload"
    step_s: float = DEFAULT_STEP_S
    range_s: float = DEFAULT_RANGE_S
    end_s: float | None = None
    """The end of the range, epoch seconds; ``None``: now."""
    workloads: tuple[str, ...] | None = None
    """The workloads (telemetry names) to read; ``None``: every workload of the inventory."""
    auth: PromAuth | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    timeout_place: Place = FLAG
    retries: int = DEFAULT_RETRIES
    backoff_s: float = DEFAULT_BACKOFF_S
    points_per_query: int = MAX_POINTS_PER_SERIES
    workloads_per_query: int = DEFAULT_WORKLOADS_PER_QUERY


def default_queries(place: Place = FLAG) -> tuple[PromQuery, ...]:
    """``DEFAULT_QUERIES`` as queries located at ``place``."""
    return tuple(PromQuery(m, t, place) for m, t in DEFAULT_QUERIES.items())


def parse_duration(text: str) -> float:
    """A Prometheus duration (``5m``, ``1h30m``, ``30d``, ``299999ms``) in seconds. Raises
    ``ValueError`` for anything else, zero included."""
    s = text.strip()
    pos, total = 0, 0.0
    for m in _DURATION.finditer(s):
        if m.start() != pos:
            break
        total += int(m.group(1)) * _UNIT_S[m.group(2)]
        pos = m.end()
    if pos != len(s) or not s:
        raise ValueError(f"{text!r} is not a duration (e.g. 30s, 5m, 1h30m, 30d)")
    if total <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return total


def promql_duration(seconds: float) -> str:
    """Seconds as a PromQL duration: whole seconds as ``300s``, else milliseconds."""
    ms = round(seconds * 1000)
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


def promql_string(text: str) -> str:
    """``text`` as a double-quoted PromQL string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def selector(label: str, names: Sequence[str]) -> str:
    """The label matcher of ``names``: ``label="a"`` for one, ``label=~"a|b"`` (each name
    quoted for RE2, which anchors the whole expression) for more."""
    if len(names) == 1:
        return f"{label}={promql_string(names[0])}"
    alternation = "|".join(_RE2_SPECIAL.sub(r"\\\1", n) for n in names)
    return f"{label}=~{promql_string(alternation)}"


def template_problems(template: str) -> list[str]:
    """What is wrong with a query template: unknown placeholders, no ``$selector``."""
    out: list[str] = []
    seen: set[str] = set()
    for m in _PLACEHOLDER.finditer(template):
        name = m.group(1) or m.group(2)
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            known = ", ".join(f"${p}" for p in PLACEHOLDERS)
            out.append(f"unknown placeholder ${name} (known: {known}; $$ is a literal $)")
        seen.add(name)
    if "selector" not in seen:
        out.append("the query has no $selector (the workload label matcher)")
    return out


def render(template: str, *, selector_text: str, step_s: float) -> str:
    """The PromQL of a template for one batch of workloads (``template_problems`` first)."""
    values = {
        "selector": selector_text,
        "step": promql_duration(step_s),
        "window": promql_duration(step_s - 0.001),
    }

    def sub(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2)
        if name is None:
            return "$"
        return values[name]

    return _PLACEHOLDER.sub(sub, template)


@dataclass(frozen=True, slots=True)
class Window:
    """One range query's time span: evaluation times ``start_s``, ``start_s + step_s``, ...,
    ``end_s`` (all multiples of the step)."""

    start_s: float
    end_s: float
    step_s: float

    @property
    def points(self) -> int:
        return round((self.end_s - self.start_s) / self.step_s) + 1


def windows(spec: PrometheusSpec, now_s: float) -> list[Window]:
    """The range ``spec`` asks for (``range_s`` up to ``end_s``, else up to ``now_s``),
    aligned to multiples of the step and split so no query holds more than
    ``points_per_query`` points per series; consecutive, not overlapping."""
    step = spec.step_s
    end = math.floor((spec.end_s if spec.end_s is not None else now_s) / step) * step
    n = math.floor(spec.range_s / step) + 1
    start = end - (n - 1) * step
    per = max(2, min(spec.points_per_query, MAX_POINTS_PER_SERIES))
    out: list[Window] = []
    first = 0
    while first < n:
        last = min(first + per, n) - 1
        out.append(Window(start + first * step, start + last * step, step))
        first = last + 1
    return out


def batches(names: Sequence[str], size: int) -> Iterator[tuple[str, ...]]:
    """``names`` in groups of at most ``size``."""
    for i in range(0, len(names), max(1, size)):
        yield tuple(names[i : i + size])
