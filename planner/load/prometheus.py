"""The ``prometheus:`` section of project.yaml (and ``--prometheus URL``) ->
``PrometheusSpec``. ``load_project`` has already validated the file against its schema;
this checks what a schema cannot (query placeholders, metric names, durations, the end
time) and keeps the line of every setting, so errors met while reading from the server
point at the setting to change. Secrets are never in the file: ``auth`` names environment
variables."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner.errors import InputError, Problem, UsageError
from planner.layout import PROJECT
from planner.load.files import read_document
from planner.load.schema_problems import document_problems
from planner.load.yamlpos import Parsed, YamlPath
from planner.promql import (
    DEFAULT_BACKOFF_S,
    DEFAULT_RANGE_S,
    DEFAULT_RETRIES,
    DEFAULT_STEP_S,
    DEFAULT_TIMEOUT_S,
    DEFAULT_WORKLOADS_PER_QUERY,
    FLAG,
    MAX_POINTS_PER_SERIES,
    Place,
    PromAuth,
    PrometheusSpec,
    PromQuery,
    default_queries,
    parse_duration,
    template_problems,
)

SECTION = "prometheus"
_URL = re.compile(r"https?://[^\s/?#]+[^\s?#]*")


def _place(doc: Parsed, path: YamlPath, *, key: bool = False) -> Place:
    line, column = doc.where((SECTION, *path), key=key)
    field = ".".join([SECTION, *(str(p) for p in path)])
    return Place(PROJECT, line, column, field)


def flag_url_problem(url: str) -> UsageError | None:
    """Why ``--prometheus URL`` is not usable, or ``None``."""
    if _URL.fullmatch(url.strip()):
        return None
    return UsageError(
        f"--prometheus {url!r} is not an http(s) URL",
        fix="give the base URL of the server's HTTP API, e.g. --prometheus http://localhost:9090",
    )


def build_prometheus(
    doc: Parsed | None, *, url: str | None = None, require_url: bool = True
) -> tuple[PrometheusSpec | None, list[Problem]]:
    """The spec of a schema-valid project.yaml's ``prometheus:`` section with ``url`` (the
    ``--prometheus`` flag) over its URL; ``None`` when neither asks for Prometheus. Also the
    problems a schema cannot see (a missing URL only when ``require_url``)."""
    data: Mapping[str, Any] | None = None
    if doc is not None and isinstance(doc.data, dict):
        data = doc.data.get(SECTION)
    if data is None or doc is None:
        if url is None:
            return None, []
        return PrometheusSpec(url=url.strip(), queries=default_queries()), []
    problems: list[Problem] = []
    section = _place(doc, (), key=True)
    queries = _queries(doc, data, section, problems)
    step_s = _duration(doc, data, "step", DEFAULT_STEP_S, problems)
    range_s = _duration(doc, data, "range", DEFAULT_RANGE_S, problems)
    if step_s < 1:
        problems.append(_place(doc, ("step",)).problem("the step is under 1 s", "use 1s or more"))
    elif range_s < step_s:
        problems.append(
            _place(doc, ("range",)).problem(
                "the range is shorter than the step", "make the range a multiple of the step"
            )
        )
    end_s = _end(doc, data, problems)
    if url is not None:
        url_text, url_place = url.strip(), FLAG
    elif "url" in data:
        url_text, url_place = str(data["url"]).strip(), _place(doc, ("url",))
    else:
        url_text, url_place = "", section
        if require_url:
            problems.append(
                section.problem(
                    "prometheus.url is not set", "set prometheus.url, or pass --prometheus URL"
                )
            )
    workloads = data.get("workloads")
    spec = PrometheusSpec(
        url=url_text,
        queries=queries,
        url_place=url_place,
        place=section,
        workload_label=str(data.get("workload_label", "workload")),
        step_s=step_s,
        range_s=range_s,
        end_s=end_s,
        workloads=None if workloads is None else tuple(str(w) for w in workloads),
        auth=_auth(doc, data.get("auth")),
        timeout_s=float(data.get("timeout_s", DEFAULT_TIMEOUT_S)),
        timeout_place=_place(doc, ("timeout_s",)) if "timeout_s" in data else section,
        retries=int(data.get("retries", DEFAULT_RETRIES)),
        backoff_s=float(data.get("backoff_s", DEFAULT_BACKOFF_S)),
        points_per_query=int(data.get("points_per_query", MAX_POINTS_PER_SERIES)),
        workloads_per_query=int(data.get("workloads_per_query", DEFAULT_WORKLOADS_PER_QUERY)),
    )
    return spec, problems


def _queries(
    doc: Parsed, data: Mapping[str, Any], section: Place, problems: list[Problem]
) -> tuple[PromQuery, ...]:
    if "queries" not in data:
        return default_queries(section)
    from planner.ingest.metrics import METRIC_FIX, resolve_metric  # numpy: only when used

    out: list[PromQuery] = []
    by_metric: dict[str, str] = {}
    for name, template in data["queries"].items():
        place = _place(doc, ("queries", name))
        resolved = resolve_metric(str(name))
        if resolved is None:
            problems.append(
                _place(doc, ("queries", name), key=True).problem(
                    f"unknown metric {name!r}", METRIC_FIX
                )
            )
            continue
        other = by_metric.get(resolved.metric)
        if other is not None:
            problems.append(
                place.problem(
                    f"{name!r} and {other!r} are both {resolved.metric}",
                    "keep one query per metric",
                )
            )
            continue
        by_metric[resolved.metric] = str(name)
        problems.extend(place.problem(m, _TEMPLATE_FIX) for m in template_problems(template))
        out.append(PromQuery(str(name), str(template), place))
    return tuple(out)


_TEMPLATE_FIX = (
    "write PromQL with $selector where the workload label matcher goes, e.g. "
    "avg_over_time(my_cpu{$selector}[$window]) ($step and $window are the step and the step "
    "less 1 ms; $$ is a literal $)"
)


def _duration(
    doc: Parsed, data: Mapping[str, Any], key: str, default: float, problems: list[Problem]
) -> float:
    if key not in data:
        return default
    try:
        return parse_duration(str(data[key]))
    except ValueError as exc:
        problems.append(_place(doc, (key,)).problem(str(exc), "e.g. 5m, 1h, 30d"))
        return default


def _end(doc: Parsed, data: Mapping[str, Any], problems: list[Problem]) -> float | None:
    if "end" not in data:
        return None
    from planner.ingest.timestamps import check_epoch, parse_timestamp  # numpy: when used

    raw = data["end"]
    place = _place(doc, ("end",))
    try:
        end = parse_timestamp(str(raw))
    except ValueError:
        problems.append(
            place.problem(f"unparseable time {raw!r}", "use RFC 3339 (2026-11-30T00:00:00Z)")
        )
        return None
    why = check_epoch(end)
    if why:
        problems.append(place.problem(f"time {raw!r} {why}", "use a time between 1990 and 2100"))
        return None
    return end


def _auth(doc: Parsed, data: Mapping[str, Any] | None) -> PromAuth | None:
    if data is None:
        return None
    if "bearer_token_env" in data:
        place = _place(doc, ("auth", "bearer_token_env"))
        return PromAuth("Authorization", str(data["bearer_token_env"]), True, place)
    place = _place(doc, ("auth", "value_env"))
    return PromAuth(str(data["header"]), str(data["value_env"]), False, place)


def prometheus_problems(doc: Parsed) -> list[Problem]:
    """What ``load_project`` adds for a schema-valid ``prometheus:`` section."""
    return build_prometheus(doc, require_url=False)[1] if SECTION in doc.data else []


def load_prometheus(root: Path, *, url: str | None = None) -> PrometheusSpec | None:
    """The Prometheus spec of the project in ``root`` with ``url`` (``--prometheus``) over
    its URL; ``None`` when the project reads telemetry files. Raises ``UsageError`` for a
    bad ``url``, ``InputError`` with every problem of the section."""
    if url is not None:
        bad = flag_url_problem(url)
        if bad is not None:
            raise bad
    problems: list[Problem] = []
    doc = read_document(root, PROJECT, "Project", required=False, problems=problems, digests={})
    if doc is not None:
        problems += document_problems("Project", doc, PROJECT)
    if problems:
        raise InputError(problems)
    spec, problems = build_prometheus(doc, url=url)
    if problems:
        raise InputError(problems)
    return spec
