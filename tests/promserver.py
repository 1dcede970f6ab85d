"""A real Prometheus server for tests: series written as OpenMetrics, backfilled with
``promtool tsdb create-blocks-from openmetrics`` into a temporary TSDB, served by
``prometheus`` on a free loopback port; ``shared_server`` shares one server between the
xdist workers of a run (a lock file and a reference count: the first starts it, the last
stops it).

The binaries come from the distribution's ``prometheus`` package (``apt-get install -y
prometheus``; ``make test`` installs it when it runs as root with apt-get). Without them
the tests that need the server skip with the reason - unless ``CI=true`` or
``HYBRIDPLAN_REQUIRE_PROMETHEUS=1``, where they fail: CI must never pass by skipping them.

Backfilling is cheap in CPU and dear in fsyncs (promtool writes one block per 2 hours of
data): the OpenMetrics text is split into one file per day, converted by parallel promtool
processes into the same output folder. The server runs with ``--storage.tsdb.max-block-
duration=2h`` so it never compacts the backfilled blocks in the background.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

REQUIRE_ENV = "HYBRIDPLAN_REQUIRE_PROMETHEUS"
INSTALL_HINT = "install the prometheus package (apt-get install -y prometheus)"
READY_TIMEOUT_S = 120.0


@dataclass(frozen=True, slots=True)
class PromSeries:
    """One series to backfill: metric name, labels, epoch-second timestamps, value texts."""

    metric: str
    labels: tuple[tuple[str, str], ...]
    timestamps_s: Sequence[int]
    values: Sequence[str]


def required() -> bool:
    """Whether a missing Prometheus must fail the tests (CI) rather than skip them."""
    return os.environ.get("CI", "").lower() in ("true", "1") or os.environ.get(REQUIRE_ENV) == "1"


def binaries() -> tuple[str, str]:
    """Paths of ``prometheus`` and ``promtool``; skips (fails in CI) when either is missing."""
    found = shutil.which("prometheus"), shutil.which("promtool")
    if found[0] and found[1]:
        return found[0], found[1]
    missing = " and ".join(
        n for n, p in zip(("prometheus", "promtool"), found, strict=True) if not p
    )
    reason = f"{missing} not found: {INSTALL_HINT}"
    if required():
        pytest.fail(f"{reason} (required: CI=true or {REQUIRE_ENV}=1)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port nothing listens on now (the kernel's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _label_text(labels: Iterable[tuple[str, str]]) -> str:
    inner = ",".join(
        f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in labels
    )
    return "{" + inner + "}" if inner else ""


def openmetrics_by_day(series: Iterable[PromSeries]) -> dict[int, str]:
    """OpenMetrics text per UTC day (epoch day number): each file holds every family once,
    each series' samples together and in time order, and ends with ``# EOF``."""
    days: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for s in series:
        head = s.metric + _label_text(s.labels)
        for t, v in zip(s.timestamps_s, s.values, strict=True):
            if v != "":
                days[int(t) // 86400][s.metric].append(f"{head} {v} {int(t)}")
    out: dict[int, str] = {}
    for day, families in days.items():
        lines: list[str] = []
        for metric, samples in sorted(families.items()):
            lines.append(f"# TYPE {metric} gauge")
            lines.extend(samples)
        lines.append("# EOF")
        out[day] = "\n".join(lines) + "\n"
    return out


def backfill(promtool: str, series: Iterable[PromSeries], work: Path) -> Path:
    """A TSDB folder holding ``series``, made by promtool from one file per day."""
    tsdb = work / "tsdb"
    tsdb.mkdir(parents=True)
    files = []
    for day, text in sorted(openmetrics_by_day(series).items()):
        path = work / f"day-{day}.om"
        path.write_text(text, encoding="utf-8")
        files.append(path)

    def convert(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [promtool, "tsdb", "create-blocks-from", "openmetrics", "-q", str(path), str(tsdb)],
            capture_output=True,
            text=True,
            check=False,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        for path, done in zip(files, pool.map(convert, files), strict=True):
            if done.returncode != 0:
                raise RuntimeError(f"promtool failed on {path.name}: {done.stderr[-2000:]}")
    return tsdb


_DETACHED: list[subprocess.Popen[bytes]] = []


class PromServer:
    """A running ``prometheus`` serving a backfilled TSDB on 127.0.0.1."""

    def __init__(self, binary: str, tsdb: Path, work: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = work / "prometheus.yml"
        config.write_text("global:\n  scrape_interval: 1h\nscrape_configs: []\n", encoding="utf-8")
        self.log_path = work / "prometheus.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={tsdb}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--storage.tsdb.retention.time=100y",
                "--storage.tsdb.max-block-duration=2h",
                "--query.lookback-delta=5m",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        """Poll ``/-/ready`` until it answers 200; raise with the log when the server exits
        or does not get ready in time."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited {self.process.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"prometheus not ready after {timeout_s:g} s: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]

    def detach(self) -> None:
        """Leave the server running for another worker to stop; close our log handle (the
        process object is kept until exit: dropping it would warn that it still runs)."""
        _DETACHED.append(self.process)
        self._log.close()

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop within 10 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def start_server(series: Iterable[PromSeries], work: Path) -> PromServer:
    """Backfill ``series`` under ``work`` and start a server on them, ready to query."""
    prometheus, promtool = binaries()
    tsdb = backfill(promtool, series, work)
    server = PromServer(prometheus, tsdb, work)
    try:
        server.wait_ready()
    except BaseException:
        server.stop()
        raise
    return server


@dataclass(frozen=True, slots=True)
class SharedServer:
    """The server tests query."""

    url: str
    pid: int


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _stop_pid(pid: int, timeout_s: float = 10.0) -> None:
    """Terminate a server another worker may have started; kill it after ``timeout_s``."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _running(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def shared_server(root: Path, series: Callable[[], Iterable[PromSeries]]) -> Iterator[SharedServer]:
    """The run's server under ``root`` (shared by every worker whose ``root`` is the
    same): started with ``series`` by the first caller, stopped when the last leaves."""
    lock, state_path = root / "prometheus.lock", root / "prometheus.json"
    started: PromServer | None = None
    with _locked(lock):
        state = json.loads(state_path.read_text()) if state_path.exists() else None
        if state is not None and _running(state["pid"]):
            state["refs"] += 1
        else:
            work = root / f"prometheus-{os.getpid()}"
            work.mkdir()
            started = start_server(series(), work)
            state = {"url": started.url, "pid": started.process.pid, "refs": 1}
        state_path.write_text(json.dumps(state))
    try:
        yield SharedServer(state["url"], state["pid"])
    finally:
        with _locked(lock):
            state = json.loads(state_path.read_text())
            state["refs"] -= 1
            last = state["refs"] <= 0
            state_path.write_text(json.dumps(state))
            if last:
                if started is not None and started.process.pid == state["pid"]:
                    started.stop()
                else:
                    _stop_pid(state["pid"])
                state_path.unlink()
        if started is not None and not last:
            started.detach()
