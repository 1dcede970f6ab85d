"""Cut the public-trace samples in this folder from the team's trace snapshot.

    .venv/bin/python tests/data/traces/make_traces.py [SOURCE_DIR]

SOURCE_DIR defaults to ../shared/data/traces (see its SOURCES.md). The output is
deterministic (gzip without a timestamp). See README.md for what is kept and why.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[3] / "shared" / "data" / "traces"

HELIOS_VCS = ("vc6YE", "vcJkd", "vchbv")
AZURE_VM_ANCHOR = "2017-01-01T00:00:00Z"  # the source has minute offsets only


def write_gz(path: Path, text: str) -> None:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    path.write_bytes(buf.getvalue())


def helios(src: Path) -> str:
    out = ["timestamp,workload,metric,value"]
    with (src / "helios_philly_gpu_cluster_util" / "helios_earth_vc_10min.csv").open() as f:
        for row in csv.DictReader(f):
            if row["vc"] in HELIOS_VCS:
                out.append(f"{row['time']},{row['vc']},gpu,{row['gpu_utilization']}")
    return "\n".join(out) + "\n"


def philly(src: Path) -> str:
    out = ["timestamp,philly/gpu"]
    with (src / "helios_philly_gpu_cluster_util" / "philly_active_nodes_15min.csv").open() as f:
        for row in csv.DictReader(f):
            out.append(f"{row['time']},{row['active_fraction']}")
    return "\n".join(out) + "\n"


def azure_vm(src: Path) -> str:
    from datetime import datetime, timedelta

    anchor = datetime.fromisoformat(AZURE_VM_ANCHOR)
    path = src / "azure_vm_2017_periodic78" / "cpu_avg_5min.csv.gz"
    with gzip.open(path, "rt") as f:
        reader = csv.reader(f)
        header = next(reader)
        # every VM once, sorted (the source repeats vm83972 in two columns)
        vms = sorted(set(header[1:]))
        cols = [header.index(vm) for vm in vms]
        out = ["timestamp," + ",".join(f"{vm}/cpu_percent" for vm in vms)]
        for row in reader:
            stamp = anchor + timedelta(minutes=float(row[0]))
            out.append(stamp.strftime("%Y-%m-%dT%H:%M:%SZ") + "," + ",".join(row[c] for c in cols))
    return "\n".join(out) + "\n"


def azure_vm_peaks(src: Path) -> dict[str, str]:
    """vm -> p95 of the 5-minute CPU maxima (%), from the snapshot's labels.csv."""
    with (src / "azure_vm_2017_periodic78" / "labels.csv").open() as f:
        return {row["series"]: row["max_cpu_p95"] for row in csv.DictReader(f)}


def azure_vm_labels(src: Path) -> str:
    """Our reading (azure_vm_labels.csv) with the source's p95 of the maxima filled in."""
    peaks = azure_vm_peaks(src)
    with (HERE / "azure_vm_labels.csv").open() as f:
        rows = list(csv.DictReader(f))
    fields = ["vm", "label", "also_ok", "period_hours", "max_cpu_p95", "reading"]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**{k: row.get(k, "") for k in fields}, "max_cpu_p95": peaks[row["vm"]]})
    return buf.getvalue()


def llm(src: Path) -> str:
    out = ["timestamp,workload,metric,value"]
    path = src / "azure_llm_inference_2023" / "requests_per_minute.csv"
    with path.open() as f:
        for row in csv.DictReader(f):
            out.append(
                f"{row['minute']}Z,llm-{row['service']},requests_per_minute,{row['requests']}"
            )
    return "\n".join(out) + "\n"


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    write_gz(HERE / "helios_vc_gpu_10min.csv.gz", helios(src))
    write_gz(HERE / "philly_gpu_15min.csv.gz", philly(src))
    write_gz(HERE / "azure_vm_cpu_5min.csv.gz", azure_vm(src))
    labels = azure_vm_labels(src)
    (HERE / "azure_vm_labels.csv").write_text(labels, encoding="utf-8")
    (HERE / "azure_llm_requests_per_minute.csv").write_text(llm(src), encoding="utf-8")


if __name__ == "__main__":
    main()
