"""Reading from Prometheus without a server: the PromQL hybridplan writes (durations,
selectors, templates), the time windows (never over 11,000 points a series), the
``prometheus:`` section's checks, the reader over a fake server, retries and backoff, and
the rule that a missing Prometheus fails the tests in CI and skips them elsewhere."""

from __future__ import annotations

import itertools
import re
import shutil
import textwrap
from pathlib import Path

import promserver
import pytest

from planner.errors import InputError, UsageError
from planner.ingest import read_telemetry_file
from planner.ingest.json_responses import RawSeries
from planner.ingest.prom_http import Failure, PromClient, PromRequestError, RangeResult
from planner.ingest.prometheus import client_for, read_prometheus
from planner.load import load_project
from planner.load.prometheus import load_prometheus
from planner.promql import (
    MAX_POINTS_PER_SERIES,
    PrometheusSpec,
    PromQuery,
    default_queries,
    parse_duration,
    promql_duration,
    render,
    selector,
    template_problems,
    windows,
)

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "data" / "mini"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5m", 300), ("1h30m", 5400), ("30d", 2592000), ("299999ms", 299.999), ("2w", 1209600)],
    ids=["minutes", "compound", "days", "milliseconds", "weeks"],
)
def test_durations_are_read_as_prometheus_writes_them(text: str, seconds: float) -> None:
    """Prometheus durations, compound ones included, in seconds."""
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "5", "5 m", "m5", "1.5h", "0s", "5mm"])
def test_bad_durations_are_refused(text: str) -> None:
    """No unit, a space, a fraction, zero or a repeated unit letter is not a duration."""
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_window_is_the_step_less_a_millisecond() -> None:
    """$step is the step; $window is 1 ms shorter, so a step-aligned evaluation sees the
    samples of exactly one interval."""
    text = render(
        "max_over_time(x{$selector}[$window]) / $${step}", selector_text='a="b"', step_s=300
    )
    assert text == 'max_over_time(x{a="b"}[299999ms]) / ${step}'
    assert render("rate(x{${selector}}[$step])", selector_text="", step_s=60) == "rate(x{}[60s])"
    assert promql_duration(0.5) == "500ms"


def test_selectors_match_names_literally() -> None:
    """One name is an equality matcher; several are one anchored RE2 alternation with
    every metacharacter escaped (web.1 must not match webx1), quoted for PromQL."""
    assert selector("workload", ["api"]) == 'workload="api"'
    assert selector("vm", ["web.1", "a|b", 'q"x']) == r'vm=~"web\\.1|a\\|b|q\"x"'


def test_template_problems_name_unknown_placeholders_and_a_missing_selector() -> None:
    """$selector is required; $1 (label_replace) and $$ are left alone; $sel is unknown."""
    assert template_problems('label_replace(x{$selector}, "w", "$1", "pod", "(.*)")') == []
    assert template_problems("x{$sel}") == [
        "unknown placeholder $sel (known: $selector, $step, $window; $$ is a literal $)",
        "the query has no $selector (the workload label matcher)",
    ]


def _spec(**kw: object) -> PrometheusSpec:
    kw.setdefault("queries", default_queries())
    return PrometheusSpec(url="http://prom:9090", **kw)  # type: ignore[arg-type]


def test_windows_never_exceed_the_point_limit_and_tile_the_range() -> None:
    """40 days at 1 minute is 57,601 points a series: six queries of at most 11,000
    points, aligned to the step, each starting one step after the last ended."""
    spec = _spec(step_s=60.0, range_s=40 * 86400.0, end_s=1_700_000_050.0)
    spans = windows(spec, now_s=0.0)
    assert [w.points for w in spans] == [11000] * 5 + [2601]
    assert all(w.points <= MAX_POINTS_PER_SERIES for w in spans)
    assert spans[-1].end_s == 1_700_000_040.0
    assert spans[0].start_s == spans[-1].end_s - 40 * 86400
    for a, b in itertools.pairwise(spans):
        assert b.start_s == a.end_s + 60
    assert all(w.start_s % 60 == 0 for w in spans)


def test_windows_end_now_without_an_end() -> None:
    """Without `end` the range ends at the clock given, rounded down to the step."""
    spans = windows(_spec(range_s=3600.0), now_s=1_000_000_123.0)
    assert (spans[0].start_s, spans[-1].end_s) == (999_996_300.0, 999_999_900.0)


class FakeServer:
    """Answers range queries from canned series; records every call."""

    def __init__(
        self, series: dict[str, list[tuple[float, float]]], warnings: tuple[str, ...] = ()
    ) -> None:
        self.series = series
        self.warnings = warnings
        self.calls: list[tuple[str, float, float]] = []

    def __call__(self, query: str, start_s: float, end_s: float, step_s: float) -> RangeResult:
        self.calls.append((query, start_s, end_s))
        wanted = re.search(r'workload=~?"([^"]*)"', query)
        assert wanted is not None
        names = wanted.group(1).replace("\\\\", "\\").split("|")
        out = []
        for escaped in names:
            name = re.sub(r"\\(.)", r"\1", escaped)
            points = [(t, v) for t, v in self.series.get(name, []) if start_s <= t <= end_s]
            if points:
                raw = RawSeries("prometheus", "data.result[0]", 1, labels={"workload": name})
                for t, v in points:
                    raw.timestamps.append(t)
                    raw.values.append(v)
                out.append(raw)
        return RangeResult(out, list(self.warnings))


def test_reader_batches_workloads_and_splits_time() -> None:
    """3 workloads, 2 a query, 25 points in windows of 10: 2 batches x 3 windows = 6 calls;
    the series come back whole, sorted, under canonical names and units (memory_bytes ->
    memory in GiB)."""
    t0 = 1_700_000_100.0
    data = {w: [(t0 + 60 * i, float(i + k)) for i in range(25)] for k, w in enumerate("abc")}
    fake = FakeServer(data)
    spec = _spec(
        queries=(PromQuery("memory_bytes", "m{$selector}", default_queries()[0].place),),
        step_s=60.0,
        range_s=24 * 60.0,
        end_s=t0 + 24 * 60,
        points_per_query=10,
        workloads_per_query=2,
    )
    telemetry = read_prometheus(spec, ["c", "a", "b"], query_range=fake, now_s=0.0)
    assert len(fake.calls) == 6
    assert [(s.workload, s.metric, s.unit) for s in telemetry.series] == [
        ("a", "memory", "gib"),
        ("b", "memory", "gib"),
        ("c", "memory", "gib"),
    ]
    assert telemetry.series[2].values.tolist() == [(i + 2) / 2**30 for i in range(25)]


def test_reader_reports_every_workload_without_series() -> None:
    """Each workload no query returned anything for is one located problem."""
    fake = FakeServer({"a": [(1_700_000_100.0, 1.0)]})
    spec = _spec(end_s=1_700_000_100.0, range_s=3600.0)
    with pytest.raises(InputError) as info:
        read_prometheus(spec, ["a", "b", "c"], query_range=fake, now_s=0.0)
    assert [p.message.split(" (")[0] for p in info.value.problems] == [
        "no query returned a series for workload 'b'",
        "no query returned a series for workload 'c'",
    ]
    assert {p.file for p in info.value.problems} == {"--prometheus"}


def test_server_warnings_become_warnings_once_per_query() -> None:
    """A partial response's warning (Thanos: a store did not answer) is kept as a warning
    at the query, once however many batches and windows repeat it; the series are read."""
    fake = FakeServer(
        {w: [(1_700_000_100.0, 1.0)] for w in "ab"}, warnings=("store s3 unavailable",)
    )
    spec = _spec(end_s=1_700_000_100.0, range_s=3600.0, workloads_per_query=1)
    telemetry = read_prometheus(spec, ["a", "b"], query_range=fake, now_s=0.0)
    assert len(telemetry.series) == 2 * len(default_queries())  # the fake answers every query
    assert [w.message for w in telemetry.warnings] == [
        f"Prometheus warned about the {q.metric} query: store s3 unavailable"
        for q in default_queries()
    ]


def test_a_saved_response_with_warnings_is_read_with_a_warning(tmp_path: Path) -> None:
    """A query_range JSON file that carries `warnings` is read, and the warning shown."""
    path = tmp_path / "cpu.json"
    path.write_text(
        '{"status": "success", "warnings": ["partial response"], "data": {"resultType": '
        '"matrix", "result": [{"metric": {"workload": "a"}, "values": [[1700000100, "1"]]}]}}',
        encoding="utf-8",
    )
    result = read_telemetry_file(path, rel="telemetry/cpu.json")
    assert len(result.series) == 1
    assert [(w.line, w.field, w.message) for w in result.warnings] == [
        (1, "warnings", "the server warned: partial response")
    ]


def test_retries_back_off_exponentially_then_give_up() -> None:
    """A refused connection is tried 1 + retries times, waiting backoff, 2x, 4x between."""
    waits: list[float] = []
    client = PromClient(
        f"http://127.0.0.1:{promserver.free_port()}", retries=3, backoff_s=0.5, sleep=waits.append
    )
    with pytest.raises(PromRequestError) as info:
        client.query_range("up", 0.0, 60.0, 60.0)
    assert info.value.failure is Failure.CONNECT
    assert info.value.attempts == 4
    assert client.requests == 4
    assert waits == [0.5, 1.0, 2.0]


def _project(tmp_path: Path, section: str) -> Path:
    root = Path(shutil.copytree(MINI, tmp_path / "mini"))
    (root / "project.yaml").write_text(
        "apiVersion: hybridplan/v1\nkind: Project\n" + textwrap.dedent(section), encoding="utf-8"
    )
    return root


def test_section_problems_are_located(tmp_path: Path) -> None:
    """What the schema cannot see is still reported at its line: an unknown metric, a
    query without $selector, two queries of one metric, a range shorter than the step."""
    root = _project(
        tmp_path,
        """\
        prometheus:
          url: http://prom:9090
          step: 1h
          range: 30m
          queries:
            cpu: rate(x[5m])
            cpu_cores: x{$selector}
            cpu_temp: t{$selector}
        """,
    )
    with pytest.raises(InputError) as info:
        load_project(root)
    got = {(p.line, p.field, p.message) for p in info.value.problems}
    assert got == {
        (6, "prometheus.range", "the range is shorter than the step"),
        (8, "prometheus.queries.cpu", "the query has no $selector (the workload label matcher)"),
        (9, "prometheus.queries.cpu_cores", "'cpu_cores' and 'cpu' are both cpu"),
        (10, "prometheus.queries.cpu_temp", "unknown metric 'cpu_temp'"),
    }


def test_schema_wants_auth_from_the_environment(tmp_path: Path) -> None:
    """A literal token is not a setting: auth takes only variable names."""
    root = _project(tmp_path, "prometheus:\n  auth: {token: abc}\n")
    with pytest.raises(InputError) as info:
        load_project(root)
    assert any(p.field.startswith("prometheus.auth") for p in info.value.problems)


def test_url_comes_from_the_flag_or_the_section(tmp_path: Path) -> None:
    """A section without url needs --prometheus; the flag overrides the section's url; a
    flag that is not http(s) is a usage error."""
    root = _project(tmp_path, "prometheus:\n  step: 1m\n")
    load_project(root)  # valid: the URL may come from the flag
    with pytest.raises(InputError, match="1 problem"):
        load_prometheus(root)
    spec = load_prometheus(root, url="http://x:9090/prom/")
    assert spec is not None
    assert (spec.url, spec.url_place.file, spec.step_s) == (
        "http://x:9090/prom/",
        "--prometheus",
        60,
    )
    with pytest.raises(UsageError, match="not an http"):
        load_prometheus(root, url="file:///etc/passwd")
    assert load_prometheus(MINI) is None


def test_header_auth_reads_its_value_from_the_environment(tmp_path: Path) -> None:
    """header + value_env sends that header with the variable's value."""
    root = _project(
        tmp_path,
        "prometheus:\n  url: http://m/prometheus\n  auth: {header: X-Scope-OrgID, value_env: T}\n",
    )
    spec = load_prometheus(root)
    assert spec is not None
    assert client_for(spec, {"T": "tenant-1"}).headers == {"X-Scope-OrgID": "tenant-1"}
    with pytest.raises(InputError, match="1 problem"):
        client_for(spec, {})


def test_missing_prometheus_fails_in_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server tests' guard: no binary is a skip locally, a failure with CI=true or
    HYBRIDPLAN_REQUIRE_PROMETHEUS=1 (CI must not pass by skipping them)."""
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(promserver.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y prometheus"):
        promserver.binaries()
    for var, value in (("CI", "true"), (promserver.REQUIRE_ENV, "1")):
        with monkeypatch.context() as m:
            m.setenv(var, value)
            with pytest.raises(pytest.fail.Exception, match="required"):
                promserver.binaries()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("step: 5 minutes", "'5 minutes' is not a duration"),
        ("url: ftp://prom", "'ftp://prom' is not an http(s) URL"),
        ("auth: {bearer_token_env: PROM-TOKEN}", "'PROM-TOKEN' is not a name"),
    ],
    ids=["duration", "url", "env-name"],
)
def test_schema_problems_are_in_plain_words(tmp_path: Path, line: str, message: str) -> None:
    """The section's patterns are explained, not quoted as regular expressions."""
    root = _project(tmp_path, f"prometheus:\n  {line}\n")
    with pytest.raises(InputError) as info:
        load_project(root)
    assert [p.message for p in info.value.problems] == [message]
    assert info.value.problems[0].line == 4
