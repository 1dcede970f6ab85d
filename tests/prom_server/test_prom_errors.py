"""Every way reading from Prometheus fails is an input error (exit 2) located at the setting
to change (``project.yaml:<line>`` or ``--prometheus``) with a ``To fix:`` line and no
traceback: connection refused, a timeout, HTTP 4xx/5xx with Prometheus' own error text,
bad PromQL, a workload without series, an unset token variable. The server errors come
from the real server; the silent socket and the 503 stand in for a hung and an overloaded
backend, which a test cannot make a real Prometheus be on demand."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from prom_data import SYN_START_S, make_project
from promserver import SharedServer, free_port
from typer.testing import CliRunner, Result

from planner.cli import app

runner = CliRunner()
END = SYN_START_S + 2 * 86400


def _section(url: str, *lines: str) -> str:
    body = [f"  url: {url}", "  range: 3d", f"  end: {END}", *(f"  {x}" for x in lines)]
    return "prometheus:\n" + "\n".join(body) + "\n"


def _line_of(root: Path, text: str) -> int:
    lines = (root / "project.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def _classify(root: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    result = runner.invoke(app, ["classify", str(root), *args], env=env)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "To fix:" in result.stderr
    return result


def test_connection_refused_is_located_at_the_url(tmp_path: Path) -> None:
    """Nothing listens on the port: each attempt is refused (retried once), and the error
    points at prometheus.url."""
    url = f"http://127.0.0.1:{free_port()}"
    root = make_project(tmp_path / "p", ("api",), _section(url, "retries: 1", "backoff_s: 0"))
    err = _classify(root).stderr
    line = _line_of(root, "url:")
    assert f"project.yaml:{line}:8: prometheus.url: cannot connect to Prometheus at {url}" in err
    assert "connection refused (2 attempts)" in err
    assert "To fix: start the server, or correct the URL" in err


def test_connection_refused_with_the_flag_is_located_at_the_flag(tmp_path: Path) -> None:
    """The URL given with --prometheus is what is wrong, so the error names the flag."""
    url = f"http://127.0.0.1:{free_port()}"
    root = make_project(tmp_path / "p", ("api",), _section("http://unused:9090", "retries: 0"))
    err = _classify(root, "--prometheus", url).stderr
    assert f"--prometheus: cannot connect to Prometheus at {url}: connection refused." in err


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield int(s.getsockname()[1])


def test_timeout_is_located_at_timeout_s(tmp_path: Path, silent_port: int) -> None:
    """A server that never answers: each attempt times out after timeout_s, and the
    error points at timeout_s with the ways to ask less."""
    url = f"http://127.0.0.1:{silent_port}"
    root = make_project(
        tmp_path / "p", ("api",), _section(url, "timeout_s: 0.3", "retries: 1", "backoff_s: 0")
    )
    err = _classify(root).stderr
    line = _line_of(root, "timeout_s")
    assert f"project.yaml:{line}:14: prometheus.timeout_s: Prometheus at {url} did not " in err
    assert "within 0.3 s (2 attempts)" in err
    assert "To fix: raise prometheus.timeout_s" in err


def test_bad_promql_is_located_at_the_query(tmp_path: Path, prom: SharedServer) -> None:
    """An unclosed parenthesis: Prometheus answers 400 bad_data with its parse error, which
    the error quotes with the query sent, at the query's line."""
    yaml = _section(prom.url, "queries:", "  cpu: avg_over_time(cpu{$selector}[$window]")
    root = make_project(tmp_path / "p", ("api",), yaml)
    err = _classify(root).stderr
    line = _line_of(root, "cpu: avg_over_time")
    assert (
        f"project.yaml:{line}:10: prometheus.queries.cpu: Prometheus rejected the cpu query" in err
    )
    assert "HTTP 400 Bad Request: bad_data: 1:" in err
    assert "parse error" in err
    assert 'the query sent: avg_over_time(cpu{workload="api"}[299999ms]' in err
    assert "To fix: correct the PromQL of prometheus.queries.cpu" in err


def test_query_the_server_cannot_execute_is_a_422_at_the_query(
    tmp_path: Path, prom: SharedServer
) -> None:
    """Valid PromQL that fails on the data (many-to-many matching of two workloads): the
    real server's 422 and its execution error are quoted."""
    yaml = _section(prom.url, "queries:", "  cpu: cpu{$selector} + on() cpu{$selector}")
    root = make_project(tmp_path / "p", ("api", "web.1"), yaml)
    err = _classify(root).stderr
    assert f"project.yaml:{_line_of(root, 'cpu: cpu')}:10: prometheus.queries.cpu:" in err
    assert "HTTP 422 Unprocessable Entity: execution: " in err


def test_wrong_path_is_a_404_at_the_url(tmp_path: Path, prom: SharedServer) -> None:
    """A URL with a path Prometheus does not serve: 404, reported at the URL with the fix
    to give the API's base URL."""
    root = make_project(tmp_path / "p", ("api",), _section(prom.url + "/nope"))
    err = _classify(root).stderr
    assert f"prometheus.url: no Prometheus API at {prom.url}/nope: HTTP 404" in err
    assert "To fix: give the base URL of the server, the part before /api/v1" in err


class _Overloaded(http.server.BaseHTTPRequestHandler):
    """Answers every request 503 with a Prometheus error body; records the headers."""

    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).seen.append(dict(self.headers))
        body = json.dumps(
            {"status": "error", "errorType": "timeout", "error": "query timed out in query queue"}
        ).encode()
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


@pytest.fixture
def overloaded() -> Iterator[str]:
    """The URL of a server that answers 503 to everything."""
    _Overloaded.seen.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Overloaded)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_server_error_is_retried_then_quoted(tmp_path: Path, overloaded: str) -> None:
    """503 is retried (2 retries: 3 requests), each with the bearer token from the
    environment; the error quotes Prometheus' error body, and the token is never shown."""
    yaml = _section(
        overloaded,
        "retries: 2",
        "backoff_s: 0",
        "auth: {bearer_token_env: HP_TEST_TOKEN}",
        "queries: {cpu: 'cpu{$selector}'}",
    )
    root = make_project(tmp_path / "p", ("api",), yaml)
    result = _classify(root, env={"HP_TEST_TOKEN": "s3cr3t-token"})
    err = result.stderr
    assert f"project.yaml:{_line_of(root, 'queries:')}:" in err
    assert (
        "HTTP 503 Service Unavailable: timeout: query timed out in query queue (3 attempts)" in err
    )
    assert [h["Authorization"] for h in _Overloaded.seen] == ["Bearer s3cr3t-token"] * 3
    assert "s3cr3t" not in result.output


def test_missing_token_variable_is_located_at_auth(tmp_path: Path) -> None:
    """auth names an environment variable that is not set: an error at that setting,
    before any request."""
    url = f"http://127.0.0.1:{free_port()}"
    root = make_project(
        tmp_path / "p", ("api",), _section(url, "auth:", "  bearer_token_env: HP_UNSET_TOKEN")
    )
    err = _classify(root, env={"HP_UNSET_TOKEN": None}).stderr
    line = _line_of(root, "bearer_token_env")
    assert (
        f"project.yaml:{line}:23: prometheus.auth.bearer_token_env: environment variable "
        "HP_UNSET_TOKEN is not set (it holds the bearer token)" in err
    )
    assert "To fix: export HP_UNSET_TOKEN=<value> before running" in err


def test_workload_without_series_is_located_at_the_section(
    tmp_path: Path, prom: SharedServer
) -> None:
    """`ghost` has no series: named, with its selector, at the prometheus section; `api`
    alone would have been read."""
    root = make_project(tmp_path / "p", ("api", "ghost"), _section(prom.url))
    err = _classify(root).stderr
    assert (
        "project.yaml:3:1: prometheus: no query returned a series for workload 'ghost' "
        "(workload='ghost'" in err
    )
    assert "api" not in err.split("To fix:")[0].split("ghost")[0]


def test_flag_alone_reads_the_last_30_days_and_says_what_is_missing(
    tmp_path: Path, prom: SharedServer
) -> None:
    """`--prometheus URL` without a section reads the default queries over the last 30
    days; the test data is from 2017, so nothing comes back, reported at the flag."""
    root = make_project(tmp_path / "p", ("api",))
    err = _classify(root, "--prometheus", prom.url).stderr
    assert "--prometheus: no query returned a series for workload 'api'" in err


def test_query_dropping_the_workload_label_is_reported(tmp_path: Path, prom: SharedServer) -> None:
    """sum() without `by (workload)` drops the label hybridplan names series by."""
    yaml = _section(prom.url, "queries:", "  cpu: sum(cpu{$selector})")
    root = make_project(tmp_path / "p", ("api",), yaml)
    err = _classify(root).stderr
    assert "the cpu query returns series without the 'workload' label" in err
    assert "To fix: keep the label in the result: aggregate by (workload)" in err
