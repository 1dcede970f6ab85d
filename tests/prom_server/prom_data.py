"""The series the test Prometheus server holds:

* five VMs of the public Azure 2017 trace (tests/data/traces, CC BY 4.0), the last 10 days
  of their 5-minute CPU %, as ``azure_vm_cpu{vm="<id>"}``;
* three small synthetic workloads sampled every minute for two days, as
  ``cpu{workload="..."}``: ``api`` (a daily wave and a job every 65 minutes), ``web.1``
  and ``webx1`` (names a regex ``web.1`` would confuse).

Helpers here write planning projects reading the same series from files or from the
server.
"""

from __future__ import annotations

import csv
import functools
import gzip
import math
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from promserver import PromSeries

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "data" / "mini"
AZURE_FILE = REPO / "tests" / "data" / "traces" / "azure_vm_cpu_5min.csv.gz"
AZURE_VMS = ("vm1239939", "vm221719", "vm377211", "vm7438", "vm964968")
"""A job every 64 min, an idle VM, a step change on day 23, a flat VM, a job every 65 min."""
AZURE_DAYS = 10
STEP_S = 300

SYN_START_S = int(datetime(2017, 1, 21, tzinfo=UTC).timestamp())
SYN_MINUTES = 2 * 1440
SYN_WORKLOADS = ("api", "web.1", "webx1")


@dataclass(frozen=True, slots=True)
class AzureCut:
    """The VMs' last ``AZURE_DAYS`` days: ISO timestamps, epoch seconds, value texts."""

    iso: tuple[str, ...]
    epoch_s: tuple[int, ...]
    values: dict[str, tuple[str, ...]]

    @property
    def end_s(self) -> int:
        return self.epoch_s[-1]


@functools.cache
def azure() -> AzureCut:
    """The cut, read on first use (not at import: every xdist worker imports this file to
    collect, and reading the trace is most of that)."""
    with gzip.open(AZURE_FILE, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    body = body[-AZURE_DAYS * 86400 // STEP_S :]
    iso = tuple(r[0] for r in body)
    epoch = tuple(int(datetime.fromisoformat(t).timestamp()) for t in iso)
    index = {h.split("/")[0]: i for i, h in enumerate(header)}
    values = {vm: tuple(r[index[vm]] for r in body) for vm in AZURE_VMS}
    return AzureCut(iso, epoch, values)


def synthetic_values(workload: str) -> list[str]:
    """Minute samples of a synthetic workload (cores), as text with 3 decimals."""
    out = []
    for i in range(SYN_MINUTES):
        t = SYN_START_S + 60 * i
        if workload == "api":
            wave = 0.6 + 0.4 * math.sin(2 * math.pi * (t % 86400) / 86400)
            job = 1.5 if (i % 65) < 4 else 0.0
            x = wave + job + 0.05 * ((i * 7919) % 13) / 13
        elif workload == "web.1":
            x = 0.3 + 0.02 * ((i * 104729) % 17) / 17
        else:
            x = 9.0
        out.append(f"{x:.3f}")
    return out


def server_series() -> list[PromSeries]:
    """Every series the test server holds."""
    series = [
        PromSeries("azure_vm_cpu", (("vm", vm),), azure().epoch_s, azure().values[vm])
        for vm in AZURE_VMS
    ]
    minutes = [SYN_START_S + 60 * i for i in range(SYN_MINUTES)]
    series += [
        PromSeries("cpu", (("workload", w),), minutes, synthetic_values(w)) for w in SYN_WORKLOADS
    ]
    return series


def _inventory(names: Sequence[str]) -> str:
    lines = ["apiVersion: hybridplan/v1", "kind: Inventory", "workloads:"]
    for n in names:
        lines += [
            f"  - name: {n.replace('.', '-')}",
            "    team: research",
            "    kind: service",
            "    tier: 3",
            "    replicas: 1",
            "    resources: {cpu: 4, memory_gib: 16, storage_gib: 0}",
            "    image: registry.example.com/research/vm:1.0.0",
            "    current_site: aws-eu-west-1",
            f'    telemetry: "{n}"',
        ]
    return "\n".join(lines) + "\n"


def make_project(root: Path, workloads: Sequence[str], project_yaml: str = "") -> Path:
    """A planning project at ``root``: the mini project's sites, ``workloads`` as 4-core
    services (telemetry named as given), and ``project_yaml`` (kind Project) if given."""
    root.mkdir(parents=True)
    shutil.copy(MINI / "sites.yaml", root / "sites.yaml")
    (root / "inventory.yaml").write_text(_inventory(workloads), encoding="utf-8")
    if project_yaml:
        (root / "project.yaml").write_text(
            "apiVersion: hybridplan/v1\nkind: Project\n" + project_yaml, encoding="utf-8"
        )
    return root


def azure_files_project(root: Path) -> Path:
    """The Azure cut as a wide CSV telemetry file (the values as the trace writes them)."""
    make_project(root, AZURE_VMS)
    (root / "telemetry").mkdir()
    lines = ["timestamp," + ",".join(f"{vm}/cpu_percent" for vm in AZURE_VMS)]
    cut = azure()
    for i, t in enumerate(cut.iso):
        lines.append(t + "," + ",".join(cut.values[vm][i] for vm in AZURE_VMS))
    (root / "telemetry" / "azure.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def azure_prometheus_yaml(url: str, **extra: object) -> str:
    """A ``prometheus:`` section reading the Azure cut (range 40 days: 11,521 points a
    series at 5 minutes, more than one query may ask for)."""
    lines = [
        "prometheus:",
        f"  url: {url}",
        "  workload_label: vm",
        "  step: 5m",
        "  range: 40d",
        f"  end: {azure().end_s}",
        "  queries:",
        "    cpu_percent: avg_over_time(azure_vm_cpu{$selector}[$window])",
    ]
    lines += [f"  {k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"
