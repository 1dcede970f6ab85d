"""Telemetry read straight from a Prometheus-API server -> ``TelemetrySet``, the same value
the file readers produce.

For each metric query of the ``PrometheusSpec``, each batch of workloads
(``workloads_per_query``, selected by ``$selector``) and each time window (at most
``points_per_query`` <= 11,000 points per series, step-aligned), one range query; the
series are named by their workload label and the query's metric, converted and checked as
a Prometheus JSON file's are (``planner.ingest.json_file.emit_raw``), so the same samples
give the same ``TelemetrySet`` whether they come from a file or a server.

Every failure is an ``InputError`` with one located problem and a fix: the connection
(at ``prometheus.url`` or ``--prometheus``), a timeout (at ``timeout_s``), an error status
with Prometheus' own error text (bad PromQL at the query), credentials (at ``auth``), a
workload no query returned anything for (at the section).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from planner.classify.series import MetricSeries
from planner.classify.telemetry_set import TelemetrySet
from planner.errors import InputError, Problem
from planner.ingest.json_file import emit_raw
from planner.ingest.json_responses import RawSeries
from planner.ingest.metrics import resolve_metric
from planner.ingest.prom_http import Failure, PromClient, PromRequestError, RangeResult
from planner.ingest.sink import MAX_PROBLEMS_PER_FILE, SeriesSink
from planner.names import nearest_names
from planner.promql import (
    PrometheusSpec,
    PromQuery,
    batches,
    render,
    selector,
    windows,
)


class RangeQuery(Protocol):
    """What reading needs of a server: ``PromClient.query_range`` (tests pass fakes)."""

    def __call__(self, query: str, start_s: float, end_s: float, step_s: float) -> RangeResult: ...


def client_for(
    spec: PrometheusSpec,
    environ: Mapping[str, str],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> PromClient:
    """A client for ``spec.url`` with the auth header read from ``environ``; raises
    ``InputError`` (located at ``auth``) when the variable is unset or empty."""
    headers: dict[str, str] = {}
    auth = spec.auth
    if auth is not None:
        value = environ.get(auth.env, "")
        if not value:
            raise InputError(
                [
                    auth.place.problem(
                        f"environment variable {auth.env} is not set (it holds the "
                        f"{'bearer token' if auth.bearer else auth.header + ' header value'})",
                        f"export {auth.env}=<value> before running (the secret stays out of "
                        "project.yaml), or remove prometheus.auth",
                    )
                ]
            )
        if any(c in value for c in "\r\n\0"):
            raise InputError(
                [
                    auth.place.problem(
                        f"environment variable {auth.env} holds a line break",
                        f"set {auth.env} to the bare value, on one line",
                    )
                ]
            )
        headers[auth.header] = f"Bearer {value}" if auth.bearer else value
    return PromClient(
        spec.url,
        headers=headers,
        timeout_s=spec.timeout_s,
        retries=spec.retries,
        backoff_s=spec.backoff_s,
        sleep=sleep,
    )


def read_prometheus(
    spec: PrometheusSpec,
    workloads: Sequence[str],
    *,
    query_range: RangeQuery,
    now_s: float,
) -> TelemetrySet:
    """Every series ``spec`` asks for, of ``workloads`` (telemetry names of the inventory;
    ``spec.workloads`` narrows them), over the range ending at ``spec.end_s`` or
    ``now_s``. Raises ``InputError`` (see the module doc)."""
    names = _names(spec, workloads)
    sink = SeriesSink(spec.place.file)
    got: set[str] = set()
    label = spec.workload_label
    spans = windows(spec, now_s)
    for q in spec.queries:
        unlabelled = False
        warned: set[str] = set()
        for batch in batches(names, spec.workloads_per_query):
            asked = set(batch)
            text = render(q.template, selector_text=selector(label, batch), step_s=spec.step_s)
            for span in spans:
                try:
                    result = query_range(text, span.start_s, span.end_s, span.step_s)
                except PromRequestError as exc:
                    raise InputError(
                        [_request_problem(spec, q, text, exc)],
                        message="cannot read telemetry from Prometheus",
                    ) from None
                for message in result.warnings:
                    if message not in warned:
                        warned.add(message)
                        sink.warnings.append(_warning(q, message))
                for raw in result.series:
                    workload = str(raw.labels.get(label) or "")
                    if workload not in asked:
                        unlabelled = unlabelled or not workload
                        continue
                    _locate(raw, q, f'{label}="{workload}"')
                    emit_raw(sink, raw, workload, q.metric)
                    got.add(workload)
        if unlabelled:
            sink.problems.append(
                q.place.problem(
                    f"the {q.metric} query returns series without the {label!r} label",
                    f"keep the label in the result: aggregate by ({label}), or name the "
                    "label with prometheus.workload_label",
                )
            )
    missing = [n for n in names if n not in got]
    for n in missing[:MAX_PROBLEMS_PER_FILE]:
        sink.problems.append(
            spec.place.problem(
                f"no query returned a series for workload {n!r} ({label}={n!r}, "
                f"{len(spans) * len(spec.queries)} range queries)",
                f"check that Prometheus has series with {label}={n!r} in the range, or list "
                "under prometheus.workloads only the workloads it has",
            )
        )
    sink.overflow += max(0, len(missing) - MAX_PROBLEMS_PER_FILE)
    if sink.overflow:
        sink.problems.append(
            spec.place.problem(
                f"... and {sink.overflow} more problems",
                "fix the problems above and run again to see the rest",
            )
        )
    if sink.problems:
        count = len(sink.problems)
        plural = "s" if count != 1 else ""
        raise InputError(sink.problems, message=f"{count} problem{plural} in telemetry")
    return TelemetrySet(series=_canonical(sink), warnings=tuple(sink.warnings))


def _warning(q: PromQuery, message: str) -> Problem:
    """A warning the server sent with the answer to a query (once per query and text)."""
    return q.place.problem(
        f"Prometheus warned about the {q.metric} query: {message}",
        "the series may be incomplete (a Thanos partial response, a store that did not "
        "answer): check the backend, or run again",
    )


def _names(spec: PrometheusSpec, workloads: Sequence[str]) -> list[str]:
    """The telemetry names to read, sorted; a name of ``spec.workloads`` that is no
    workload's is a problem."""
    known = sorted(set(workloads))
    if spec.workloads is None:
        return known
    unknown = [n for n in spec.workloads if n not in set(known)]
    if unknown:
        problems = []
        for n in unknown:
            near = nearest_names(n, known)
            problems.append(
                spec.place.problem(
                    f"prometheus.workloads names {n!r}, which is no workload of the inventory",
                    f"did you mean {', '.join(near)}?" if near else "name inventory workloads",
                )
            )
        raise InputError(problems)
    return sorted(set(spec.workloads))


def _locate(raw: RawSeries, q: PromQuery, series_name: str) -> None:
    """Point a response's series (and its unreadable items) at the query that asked for
    it: the lines of a response body mean nothing to the user."""
    raw.where = f"{q.place.field or 'query ' + q.metric} {series_name}"
    raw.line = raw.start_line = q.place.line
    for bad in raw.bad:
        bad.line = q.place.line


def _canonical(sink: SeriesSink) -> tuple[MetricSeries, ...]:
    """The sink's series under canonical metric names (``cpu_percent`` -> ``cpu``, unit
    percent), sorted by (workload, metric) as ``load_telemetry`` sorts them."""
    out = []
    for s, _line in sink.series():
        resolved = resolve_metric(s.metric)
        metric = resolved.metric if resolved else s.metric
        out.append(
            MetricSeries(
                s.workload, metric, s.unit, s.timestamps_s, s.values, s.duplicates, s.source
            )
        )
    return tuple(sorted(out, key=lambda s: (s.workload, s.metric)))


def _request_problem(
    spec: PrometheusSpec, q: PromQuery, text: str, exc: PromRequestError
) -> Problem:
    """The located problem of a failed range query."""
    url = spec.url
    tries = f" ({exc.attempts} attempts)" if exc.attempts > 1 else ""
    if exc.failure is Failure.CONNECT:
        return spec.url_place.problem(
            f"cannot connect to Prometheus at {url}: {exc.message}{tries}",
            "start the server, or correct the URL (the base of its HTTP API, e.g. "
            "http://prometheus:9090; Thanos Query or Mimir: the Prometheus API prefix)",
        )
    if exc.failure is Failure.TIMEOUT:
        return spec.timeout_place.problem(
            f"Prometheus at {url} did not answer the {q.metric} query within "
            f"{spec.timeout_s:g} s{tries}",
            "raise prometheus.timeout_s, or ask less of each query: a coarser "
            "prometheus.step or fewer prometheus.workloads_per_query",
        )
    if exc.failure is Failure.RESPONSE:
        return spec.url_place.problem(
            f"the answer of {url} to the {q.metric} query is {exc.message}",
            "point the URL at a Prometheus-API server (Prometheus, Thanos Query, Mimir's "
            "/prometheus prefix)",
        )
    if exc.status in (401, 403):
        place = spec.auth.place if spec.auth is not None else spec.url_place
        return place.problem(
            f"Prometheus at {url} refused the request: {exc.message}",
            "check the credentials: the token in the environment variable prometheus.auth "
            "names (or add prometheus.auth)",
        )
    if exc.status == 404:
        return spec.url_place.problem(
            f"no Prometheus API at {url}: {exc.message}",
            "give the base URL of the server, the part before /api/v1",
        )
    if exc.status in (400, 422):
        return q.place.problem(
            f"Prometheus rejected the {q.metric} query: {exc.message}; the query sent: {text}",
            f"correct the PromQL of {q.place.field or 'the ' + q.metric + ' query'} "
            "(placeholders: $selector, $step, $window) and try it in the Prometheus UI",
        )
    return q.place.problem(
        f"Prometheus at {url} failed the {q.metric} query: {exc.message}{tries}",
        "check the server's health and logs; a 503 or 504 is often a query the server "
        "gave up on: ask less of each query (prometheus.step, prometheus.workloads_per_query)",
    )
