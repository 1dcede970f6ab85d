"""The classifier on real, public utilisation traces (tests/data/traces, CC BY 4.0).

Each test reads a trace through ``planner.ingest`` (so the real intervals, gaps and
timestamp formats are exercised), classifies it with the default thresholds unless it
says otherwise, and asserts only what the data clearly supports. The docstrings say what
is asserted and why.
"""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import pytest

from planner.classify import classify_project
from planner.ingest import load_telemetry
from planner.model import (
    Classification,
    Project,
    Resources,
    Settings,
    Workload,
    WorkloadClass,
    WorkloadKind,
)

TRACES = Path(__file__).resolve().parents[1] / "data" / "traces"


def _workload(name: str, kind: WorkloadKind, resources: Resources) -> Workload:
    return Workload(name=name, team="research", kind=kind, tier=3, replicas=1, resources=resources)


def _classify(
    tmp_path: Path,
    file: str,
    workloads: tuple[Workload, ...],
    classify: dict[str, float] | None = None,
) -> dict[str, Classification]:
    shutil.copy(TRACES / file, tmp_path / file)
    project = Project(
        root=str(tmp_path),
        workloads=workloads,
        sites=(),
        settings=Settings(classify=classify or {}),
        telemetry_files=(file,),
    )
    telemetry = load_telemetry(project)
    assert telemetry.warnings == ()
    return {c.workload: c for c in classify_project(project, telemetry)}


GPU_NODE = Resources(cpu=96, memory_gib=1024, gpus=8, gpu_type="v100")


@pytest.fixture(scope="module")
def helios(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Classification]:
    """The three Helios virtual clusters, each as an 8-GPU training workload."""
    return _classify(
        tmp_path_factory.mktemp("helios"),
        "helios_vc_gpu_10min.csv.gz",
        tuple(_workload(vc, WorkloadKind.TRAINING, GPU_NODE) for vc in ("vc6YE", "vcJkd", "vchbv")),
    )


def test_helios_saturated_vc_is_sustained_training(helios: dict[str, Classification]) -> None:
    """Helios vc6YE ran with ~90 % of its GPUs allocated for the whole of May 2020
    (10-minute samples, 31 days, p50 0.94): a GPU cluster held near saturation for a
    month is sustained training load, so the class is ai-training with high confidence and
    the reason quotes the mean utilisation and the month of data."""
    c = helios["vc6YE"]
    gpu = c.features["gpu"]
    assert c.cls is WorkloadClass.AI_TRAINING
    assert c.confidence >= 0.8
    assert gpu["mean"] > 0.85
    assert gpu["duty_cycle"] > 0.9
    assert gpu["step_s"] == 600
    assert gpu["days"] == pytest.approx(31, abs=0.1)
    assert "mean utilisation 0.90" in c.reasons[0]
    assert "31 days of data" in c.reasons[0]


def test_helios_empty_vc_is_idle(helios: dict[str, Classification]) -> None:
    """Helios vcJkd had almost no GPUs allocated in May 2020 (mean 0.8 %, p95 6 %): whatever
    was declared, GPUs that sit unused for a month are idle capacity, the zombie case the
    idle class exists to flag."""
    c = helios["vcJkd"]
    assert c.cls is WorkloadClass.IDLE
    assert c.features["gpu"]["mean"] < 0.02
    assert "idle: gpu mean" in c.reasons[0]


def test_helios_half_used_vc_is_not_called_sustained(helios: dict[str, Classification]) -> None:
    """Helios vchbv swings between empty and full (mean 0.41, CV 0.75, no daily cycle):
    the GPUs are not sustained, so despite kind training it must not be called
    ai-training; the irregular swings make it bursty."""
    c = helios["vchbv"]
    assert c.cls is not WorkloadClass.AI_TRAINING
    assert c.cls is WorkloadClass.BURSTY
    assert c.features["gpu"]["mean"] < 0.5


def test_philly_cluster_is_sustained_with_gaps(tmp_path: Path) -> None:
    """Microsoft's Philly cluster kept ~74 % of its nodes active for ten weeks (15-minute
    samples, 39 missing): a shared training cluster at that level is sustained GPU load.
    Also checks the gaps are counted (coverage just under 1) rather than guessed."""
    cs = _classify(
        tmp_path,
        "philly_gpu_15min.csv.gz",
        (_workload("philly", WorkloadKind.TRAINING, GPU_NODE),),
    )
    c = cs["philly"]
    gpu = c.features["gpu"]
    assert c.cls is WorkloadClass.AI_TRAINING
    assert gpu["days"] > 70
    assert 0.99 < gpu["coverage"] < 1.0
    assert gpu["samples"] == 7044
    assert gpu["step_s"] == 900


VM = Resources(cpu=4, memory_gib=16)


def azure_vm_names() -> tuple[str, ...]:
    """The 77 VMs of the Azure 2017 cut, from its labels file."""
    with (TRACES / "azure_vm_labels.csv").open(encoding="utf-8") as f:
        return tuple(row["vm"] for row in csv.DictReader(f))


@pytest.fixture(scope="module")
def azure_vms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Classification]:
    """The 77 Azure 2017 VMs (5-minute CPU %), declared as services sized like the VM."""
    names = azure_vm_names()
    return _classify(
        tmp_path_factory.mktemp("azure"),
        "azure_vm_cpu_5min.csv.gz",
        tuple(_workload(n, WorkloadKind.SERVICE, VM) for n in names),
    )


def test_azure_vm_labelled_daily_is_a_job_every_65_minutes(
    azure_vms: dict[str, Classification],
) -> None:
    """vm964968 is labelled 24 h periodic by DataCenterSim, and it does correlate with
    itself a day later (r ~0.8) - but at 5-minute resolution the cause is plain: a job that
    spikes to ~45 % every 65.45 minutes (11 runs in 12 h, so 22 in a day: the day is a
    multiple of the job's period). The period reported is the job's, 65 min, not 24 h, and
    busy ~13 % of the time it is batch."""
    c = azure_vms["vm964968"]
    cpu = c.features["cpu"]
    assert cpu["acf_24h"] >= 0.5
    assert cpu["period_s"] == pytest.approx(65.45 * 60, abs=30)
    assert c.cls is WorkloadClass.BATCH
    assert c.reasons[0].startswith("batch: periodic job every 65 min (ACF 0.9")
    assert "same class in both halves" in c.reasons[1]


def test_azure_vm_weak_daily_label_is_a_job_every_64_minutes(
    azure_vms: dict[str, Classification],
) -> None:
    """vm1239939 is also labelled 24 h periodic, but its 24 h autocorrelation is about 0
    (the periodicity labels come from the DataCenterSim selection and are weak:
    tests/data/traces/README.md). Read at 5 minutes it is a job that spikes to ~35 % once
    an hour, a slot later each hour (every ~64 minutes). We assert what the data shows: that
    period, spiky (p99 > 3x the mean), hence batch, and no daily pattern."""
    c = azure_vms["vm1239939"]
    cpu = c.features["cpu"]
    assert abs(cpu["acf_24h"]) < 0.2
    assert cpu["period_s"] / 60 == pytest.approx(64, abs=2)
    assert c.cls is WorkloadClass.BATCH
    assert cpu["p99_to_mean"] > 3
    assert "periodic job every 64 min" in c.reasons[0]


@pytest.mark.parametrize("vm", ["vm7438", "vm215607"], ids=["vm7438", "vm215607"])
def test_azure_flat_vms_are_steady(azure_vms: dict[str, Classification], vm: str) -> None:
    """These VMs hold a flat CPU level for 29 days (CV < 0.2, p95 within 1.2x the mean, no
    daily cycle); their 1 h label is invisible at hourly resolution. Flat usage is what
    steady means, and the reason quotes CV and p95/mean."""
    c = azure_vms[vm]
    assert c.cls is WorkloadClass.STEADY
    assert c.features["cpu"]["cv"] < 0.2
    assert c.reasons[0].startswith("steady: CV ")


def test_azure_near_zero_vm_is_idle_and_rightsized_down(
    azure_vms: dict[str, Classification],
) -> None:
    """vm221719 averages 0.24 % CPU (p95 1.8 %) for a month: with the VM's 4 cores as the
    declared request that is idle. The CPU series is in percent of the request, so the
    right-sized request is converted to cores and falls to the floor, far below 4."""
    c = azure_vms["vm221719"]
    assert c.cls is WorkloadClass.IDLE
    assert c.rightsized is not None
    assert c.rightsized.cpu < 0.2
    assert c.rightsized.memory_gib == VM.memory_gib


def test_llm_request_trace_is_too_short_by_default(tmp_path: Path) -> None:
    """The Azure LLM inference trace covers one hour. With the default minimum of 24 h the
    classifier must say unknown and give the numbers instead of guessing."""
    cs = _classify(
        tmp_path,
        "azure_llm_requests_per_minute.csv",
        (
            _workload("llm-code", WorkloadKind.SERVICE, VM),
            _workload("llm-conv", WorkloadKind.SERVICE, VM),
        ),
    )
    for c in cs.values():
        assert c.cls is WorkloadClass.UNKNOWN
        assert c.confidence == 0.0
        assert "h of data" in c.reasons[0]
        assert "need at least 24 h" in c.reasons[0]
        assert c.rightsized is None


def test_llm_code_completion_is_bursty_conversation_steady(tmp_path: Path) -> None:
    """With ``min_days`` lowered to 30 minutes (a project setting), the per-minute request
    counts decide. Code completion arrives in bursts with idle minutes between (CV 1.0,
    p99 3.6x the mean, a quarter of the minutes empty): bursty. The conversation service
    holds 200-500 requests a minute; its CV of 0.28 (inflated by the partial first and
    last minutes of the trace) is just above the steady limit of 0.25, so the classifier
    must say steady but flag it as weak (confidence 0.4) rather than overstate it.
    Requests per minute are converted to requests per second on ingest."""
    cs = _classify(
        tmp_path,
        "azure_llm_requests_per_minute.csv",
        (
            _workload("llm-code", WorkloadKind.SERVICE, VM),
            _workload("llm-conv", WorkloadKind.SERVICE, VM),
        ),
        classify={"min_days": 0.02},
    )
    code, conv = cs["llm-code"], cs["llm-conv"]
    assert code.cls is WorkloadClass.BURSTY
    assert code.features["rps"]["cv"] > 0.5
    assert code.reasons[0].startswith("bursty: CV 1.02")
    assert conv.cls is WorkloadClass.STEADY
    assert conv.confidence == 0.4
    assert conv.reasons[0].startswith("steady (weak): CV 0.28")
    assert conv.features["rps"]["mean"] == pytest.approx(5.38, abs=0.01)
    assert math.isnan(conv.features["rps"]["acf_24h"])
    assert math.isnan(conv.features["rps"]["trend_per_month"])


# ------------------------------------------------------- all 77 Azure VMs against our reading
# tests/data/traces/azure_vm_labels.csv holds our reading of each VM's 5-minute series (one
# line of evidence each; how it was made: tests/data/traces/README.md): the class, other
# classes a careful reader could defend (also_ok), and, for periodic jobs, the period
# measured independently of the classifier (the mean gap between spike starts). These
# tests pin what issue 15 asks: periodic series found periodic at their real period, step
# changes not called periodic, reasons that carry the period and the stability, and
# right-sizing that reports throttling risk.

MIN_AGREEMENT = 0.95
"""Share of VMs whose class is the reading's class or one it allows."""


def _labels() -> dict[str, dict[str, str]]:
    with (TRACES / "azure_vm_labels.csv").open(encoding="utf-8") as f:
        return {row["vm"]: row for row in csv.DictReader(f)}


LABELS = _labels()


def _period_matches(found_s: float, label_h: float) -> bool:
    """The period found is the labelled period or a multiple of it (1-5x: spikes every 64
    minutes whose sizes repeat every 3 h repeat exactly at 3 h), within 6 %."""
    ratio = found_s / 3600 / label_h
    return round(ratio) in range(1, 6) and abs(ratio - round(ratio)) <= 0.06 * round(ratio)


def test_agreement_with_the_careful_reading(azure_vms: dict[str, Classification]) -> None:
    """At least 95 % of the 77 VMs get the reading's class (or one it allows); the
    DataCenterSim-selected set is mostly jobs every ~65 minutes (batch) and idle VMs."""
    agree = [
        vm
        for vm, row in LABELS.items()
        if azure_vms[vm].cls.value in {row["label"], *row["also_ok"].split()}
    ]
    assert len(LABELS) == 77
    assert len(agree) / len(LABELS) >= MIN_AGREEMENT, sorted(set(LABELS) - set(agree))


def test_periodic_jobs_are_found_at_their_period(
    azure_vms: dict[str, Classification],
) -> None:
    """Every VM the reading calls a periodic job gets the reading's class (batch, or the
    class it allows) at its measured period (or a multiple at which it repeats exactly),
    and a batch reason says 'periodic job every'."""
    periodic = {vm: row for vm, row in LABELS.items() if row["period_hours"]}
    assert len(periodic) >= 30
    wrong = []
    for vm, row in periodic.items():
        c = azure_vms[vm]
        period_s = c.features["cpu"]["period_s"]
        allowed = {row["label"], *row["also_ok"].split()}
        if c.cls.value not in allowed or not _period_matches(period_s, float(row["period_hours"])):
            wrong.append((vm, c.cls.value, period_s / 3600, row["period_hours"]))
        elif c.cls is WorkloadClass.BATCH and "periodic job every" not in c.reasons[0]:
            wrong.append((vm, c.reasons[0]))
    assert wrong == []


def test_no_job_every_65_minutes_is_called_daily(
    azure_vms: dict[str, Classification],
) -> None:
    """Hourly binning turned jobs every ~65 minutes into '24 h' cycles; at 5 minutes none of
    them is diurnal or reported with a 24 h period."""
    for vm, row in LABELS.items():
        if row["period_hours"] and float(row["period_hours"]) < 1.5:
            c = azure_vms[vm]
            assert c.cls is not WorkloadClass.DIURNAL, vm
            assert abs(c.features["cpu"]["period_s"] - 86400) > 3600, vm


@pytest.mark.parametrize(
    ("vm", "day", "before", "after"),
    [("vm377211", 23.2, "1.81", "23"), ("vm215591", 23.2, "25.9", "17.8")],
    ids=["step-up", "step-down"],
)
def test_step_changes_are_sized_on_the_current_regime(
    azure_vms: dict[str, Classification],
    vm: str,
    day: float,
    before: str,
    after: str,
) -> None:
    """vm377211 idles at 1.8 % for 23 days, then runs at 19-28 %; vm215591 drops from a
    heavy job to ~18 %. Neither is periodic batch: both are classified and sized on the
    last 5.9 days, and the reasons say where the level shifted."""
    c = azure_vms[vm]
    cpu = c.features["cpu"]
    assert cpu["shift_at_days"] == pytest.approx(day, abs=0.1)
    assert c.cls is WorkloadClass.STEADY
    assert any(
        f"({before} -> {after})" in r and "sized on the last 5.9 days" in r for r in c.reasons
    )
    assert c.rightsized is not None
    if vm == "vm377211":
        assert c.rightsized.cpu >= 0.2 * 4  # the current ~23 % of 4 cores, not the month's 6 %


def test_reasons_carry_the_stability(azure_vms: dict[str, Classification]) -> None:
    """Every classified VM says whether its class held in both halves of the window."""
    for vm in LABELS:
        text = " ".join(azure_vms[vm].reasons)
        assert (
            "both halves of the window" in text
            or "unstable: first half" in text
            or ("too short to check" in text)
        ), vm


def test_right_sizing_reports_the_throttling_risk(
    azure_vms: dict[str, Classification],
) -> None:
    """Every VM's right-sized request comes with a peak check against its 2x limit; the
    limit covers the p99 of the 5-minute means, so no VM exceeds it in more than 1 % of the
    intervals - while the source's p95 of the 5-minute maxima (not in these series) shows
    what averages hide: most VMs peak above their limit inside an interval."""
    above_max = 0
    for vm, row in LABELS.items():
        pc = azure_vms[vm].peak_check
        assert pc is not None, vm
        assert pc.metric == "cpu"
        assert pc.share_above_limit <= 0.011, vm
        if float(row["max_cpu_p95"]) / 100 * 4 > pc.limit_cores:
            above_max += 1
    assert above_max > len(LABELS) / 2
