"""A seeded fleet of distinct workloads written as a real planning project folder.

    .venv/bin/python bench/fleet.py --workloads 1000 --out /tmp/fleet-1k [--seed 18]

What it writes (the same files ``hybridplan plan`` reads):

* ``project.yaml``: 36-month horizon, ``solver_time_limit_s`` as given.
* ``sites.yaml``: 20 sites - six colo Kubernetes sites (three EU, three US, 1-3 failure
  domains, owned r7625 nodes sized for about 35 % of the fleet's cores), two single-domain
  owned H100 pools (EU, US) and twelve AWS regions (seven EU, five US) priced from the
  catalogue's fully priced regions (us-east-1, eu-west-1, eu-central-1) with discounts
  of 0-12 % and, on two of them, negotiated ``price_overrides``.
  Every pair of sites has a latency (1-25 ms inside a jurisdiction, 70-95 ms across).
* ``inventory.yaml``: ``workloads`` distinct workloads (random sizes, replicas, tiers,
  residency; no template copies): services (45 %), databases (15 %, each the partner of a
  few services under a 2-20 ms ``max_latency_ms``), batch jobs (28 %), inference on L4 or
  H100 (10 %; L4 US-bound, H100 never EU-bound: the catalogue prices them in US regions)
  and H100 training with a GPU-hour budget and deadline (2 %); 15 % tier 1,
  30 % EU and 20 % US residency, 0.5 % pinned to a colo site; most run in AWS today.
* ``telemetry/<team>.csv``: wide form, 720 hourly samples (30 days from 2026-10-01) per
  workload: ``cpu`` and ``memory`` per replica, ``gpu`` utilisation for GPU work, shaped
  steady, diurnal, bursty, batch or idle.

Deterministic: one ``numpy.random.default_rng([seed, n])`` drives everything, so the same
arguments write byte-identical files. Prices stay the catalogue's; the fleet is synthetic.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from planner.model import Settings

FLEET_VERSION = 2
"""Bumped whenever the generator changes what it writes (cached fleets are keyed by it)."""
HOURS = 30 * 24
TEAM_SIZE = 50

# name, jurisdiction, failure domains, node count factor
COLO: tuple[tuple[str, str, int, float], ...] = (
    ("colo-eu-par", "eu", 3, 1.2),
    ("colo-eu-fra", "eu", 1, 0.8),
    ("colo-eu-ams", "eu", 2, 1.0),
    ("colo-us-ash", "us", 3, 1.2),
    ("colo-us-chi", "us", 1, 0.8),
    ("colo-us-dal", "us", 2, 1.0),
)
GPU_POOLS: tuple[tuple[str, str], ...] = (("gpu-pool-eu", "eu"), ("gpu-pool-us", "us"))
# name, jurisdiction, price region, discount %, options
AWS: tuple[tuple[str, str, str, int, str], ...] = (
    (
        "aws-us-east-1",
        "us",
        "us-east-1",
        0,
        "[on-demand, commit-1y, commit-3y, spot, capacity-block]",
    ),
    ("aws-us-east-2", "us", "us-east-1", 3, "[on-demand, commit-1y, spot]"),
    ("aws-us-west-1", "us", "us-east-1", 6, "[on-demand, commit-1y, commit-3y]"),
    ("aws-us-west-2", "us", "us-east-1", 9, "[on-demand, spot]"),
    ("aws-ca-central-1", "us", "us-east-1", 12, "[on-demand, commit-1y]"),
    ("aws-eu-west-1", "eu", "eu-west-1", 0, "[on-demand, commit-1y, commit-3y, spot]"),
    ("aws-eu-west-2", "eu", "eu-west-1", 4, "[on-demand, commit-1y, spot]"),
    ("aws-eu-west-3", "eu", "eu-west-1", 8, "[on-demand, commit-3y]"),
    ("aws-eu-central-1", "eu", "eu-central-1", 0, "[on-demand, commit-1y, commit-3y, spot]"),
    ("aws-eu-central-2", "eu", "eu-central-1", 5, "[on-demand, commit-1y, spot]"),
    ("aws-eu-south-1", "eu", "eu-central-1", 10, "[on-demand, commit-1y]"),
    ("aws-eu-north-1", "eu", "eu-central-1", 2, "[on-demand, spot]"),
)
OVERRIDES = {
    "aws-us-west-2": {
        "aws.m6i.xlarge.us-east-1.on-demand": 0.17,
        "aws.r6i.xlarge.us-east-1.on-demand": 0.22,
    },
    "aws-eu-west-3": {"aws.m6i.xlarge.eu-west-1.on-demand": 0.19},
}
CLASSES = ("steady", "diurnal", "bursty", "idle")
KINDS = ("service", "database", "batch", "inference", "training")
MIN_REPLICAS = dict(Settings().min_replicas_by_tier)
"""Replicas a tier needs at least: the default ``settings.min_replicas_by_tier`` (HP-SLA-001)."""
KIND_P = (0.45, 0.15, 0.28, 0.10, 0.02)


@dataclass(frozen=True, slots=True)
class Drawn:
    """One generated workload: what the inventory says and how its telemetry looks."""

    name: str
    team: str
    kind: str
    tier: int
    replicas: int
    cpu: float
    memory_gib: float
    residency: str
    shape: str
    level: float
    gpus: int = 0
    gpu_type: str = ""
    depends_on: str = ""
    latency_ms: int = 0
    current_site: str = "aws-us-east-1"
    pinned_site: str = ""


def _site_names() -> list[tuple[str, str]]:
    return [(n, j) for n, j, _, _ in COLO] + list(GPU_POOLS) + [(n, j) for n, j, *_ in AWS]


def draw_workloads(n: int, rng: np.random.Generator) -> list[Drawn]:
    """``n`` distinct workloads (sizes drawn per workload, never copied from a template)."""
    kinds = rng.choice(len(KINDS), size=n, p=KIND_P)
    out: list[Drawn] = []
    dbs: dict[str, list[str]] = {"eu": [], "us": [], "any": []}
    eu_cloud = [a[0] for a in AWS if a[1] == "eu"]
    us_cloud = [a[0] for a in AWS if a[1] == "us"]
    for i in range(n):
        kind = KINDS[int(kinds[i])]
        team = f"team-{i // TEAM_SIZE:04d}"
        name = f"{kind[:3]}-{i:06d}"
        r = float(rng.random())
        residency = "eu" if r < 0.3 else ("us" if r < 0.5 else "any")
        tier = 1 if rng.random() < 0.15 else int(rng.integers(2, 4))
        current = str(rng.choice(eu_cloud if residency == "eu" else us_cloud))
        shape = str(rng.choice(CLASSES, p=(0.4, 0.35, 0.15, 0.1)))
        level = float(rng.uniform(0.15, 0.7)) if shape != "idle" else 0.02
        cpu = round(float(rng.choice((0.25, 0.5, 1, 2, 4, 8))) * float(rng.uniform(0.8, 1.5)), 2)
        mem = round(cpu * float(rng.choice((2, 4, 8))) * float(rng.uniform(0.9, 1.3)), 1)
        replicas = int(rng.integers(1, 13)) if tier > 1 else int(rng.integers(3, 10))
        gpus, gpu_type, dep, lat = 0, "", "", 0
        if kind == "database":
            cpu, mem = round(cpu * 2, 2), round(mem * 4, 1)
            replicas = int(rng.integers(1, 4)) if tier > 1 else 3
            shape, level = "steady", float(rng.uniform(0.3, 0.6))
            dbs[residency].append(name)
        elif kind == "service":
            pool = dbs[residency] or dbs["any"]
            if pool and rng.random() < 0.5:
                dep = pool[int(rng.integers(0, len(pool)))]
                lat = int(rng.choice((2, 5, 10, 20)))
        elif kind == "batch":
            shape, tier = "batch", max(tier, 2)
        elif kind == "inference":
            gpu_type = "l4" if rng.random() < 0.7 else "h100"
            gpus = 1 if gpu_type == "l4" else int(rng.choice((1, 2, 4)))
            cpu, mem = (4.0, 16.0) if gpu_type == "l4" else (8.0 * gpus, 80.0 * gpus)
            replicas, residency = int(rng.integers(1, 5)), "any" if gpu_type == "l4" else residency
            if gpu_type == "l4":
                residency = "us"
                current = "aws-us-east-1"
            shape = "diurnal"
        else:  # training
            gpu_type, gpus, cpu, mem = "h100", 8, 96.0, 1536.0
            replicas, shape, tier = int(rng.integers(1, 3)), "steady", 3
        if gpu_type == "h100":  # the catalogue prices H100s in US regions only
            residency, current = ("any" if residency == "eu" else residency), "aws-us-east-1"
        if kind in ("service", "database", "inference"):
            # HP-SLA-001's default floors (settings.min_replicas_by_tier): a fleet that
            # already runs breaks no SLA rule, so a plan of it exits 0.
            replicas = max(replicas, MIN_REPLICAS.get(tier, 1))
        pinned = ""
        if kind in ("service", "database") and tier > 1 and rng.random() < 0.005:
            pinned = "colo-eu-par" if residency == "eu" else "colo-us-ash"
        out.append(
            Drawn(
                name,
                team,
                kind,
                tier,
                replicas,
                max(cpu, 0.25),
                max(mem, 0.5),
                residency,
                shape,
                level,
                gpus,
                gpu_type,
                dep,
                lat,
                current,
                pinned,
            )
        )
    return out


COLO_SITE = """\
  - name: {name}
    kind: kubernetes
    provider: equinix
    region: {region}
    jurisdiction: {jur}
    failure_domains: [{fds}]
    availability: 99.95
    target_utilisation: 0.75
    capacity: {{cpu: {cpu}, memory_gib: {mem}{gpus}}}
    latency_ms: {{{latency}}}
    cost:
      owned:
        node_classes:
          - {{name: r7625, count: {count}, cpu: 64, memory_gib: 512, capex_usd: 30000,
              power_kw: 0.6}}
{l4_nodes}\
        amortisation: straight-line
        depreciation_months: 60
        power_billing: per-kw-month
        colo_usd_per_kw_month: 184.06
        pue: 1.4
        space_usd_per_month: 1500
        labour_usd_per_month: 5000
        support_pct_of_capex_per_year: 10
        cost_basis: average
"""
L4_NODES = """\
          - {{name: r760xa-l4, count: {count}, cpu: 64, memory_gib: 512, gpus: 4, gpu_type: l4,
              capex_usd: 39380, power_kw: 0.9}}
"""
GPU_SITE = """\
  - name: {name}
    kind: gpu-pool
    provider: self
    region: {jur}-pool
    jurisdiction: {jur}
    failure_domains: [{name}-hall]
    availability: 99.5
    target_utilisation: 0.85
    capacity: {{cpu: {cpu}, memory_gib: {mem}, gpus: {{h100: {gpus}}}}}
    latency_ms: {{{latency}}}
    cost:
      gpu_pool:
        mode: owned
        owned:
          node_classes:
            - {{name: hgx-h100, count: {count}, cpu: 112, memory_gib: 2048, gpus: 8,
                gpu_type: h100, capex_usd: 310000, power_kw: 10.2}}
          amortisation: straight-line
          depreciation_months: 60
          power_billing: per-kw-month
          colo_usd_per_kw_month: 184.06
          pue: 1.3
          space_usd_per_month: 2500
          labour_usd_per_month: 6000
          support_pct_of_capex_per_year: 10
          cost_basis: average
"""
AWS_SITE = """\
  - name: {name}
    kind: cloud
    provider: aws
    region: {region}
    jurisdiction: {jur}
    failure_domains: [{region}a, {region}b, {region}c]
    availability: 99.99
    latency_ms: {{{latency}}}
{overrides}\
    cost:
      cloud:
        price_region: {price_region}
        discount_pct: {discount}
        options: {options}
"""
WORKLOAD = """\
  - name: {name}
    team: {team}
    kind: {kind}
    tier: {tier}
    replicas: {replicas}
    resources: {{cpu: {cpu}, memory_gib: {mem}{gpu}, storage_gib: {storage}}}
    image: registry.fleet.example/{team}/{name}:1.0.0
    data: {{residency: {residency}, egress_gib_per_month: {egress}, dataset_gib: {dataset}}}
    current_site: {current}
{extra}"""


def sites_yaml(workloads: list[Drawn], rng: np.random.Generator) -> str:
    """Twenty sites; owned capacity sized from the fleet (about 35 % of its cores)."""
    cores = sum(w.cpu * w.replicas for w in workloads if not w.gpus)
    h100 = sum(w.gpus * w.replicas for w in workloads if w.gpu_type == "h100")
    l4 = 4 * max(2, math.ceil(sum(w.replicas for w in workloads if w.gpu_type == "l4") / 8))
    names = _site_names()
    lat: dict[tuple[str, str], int] = {}
    for a, (na, ja) in enumerate(names):
        for nb, jb in names[a + 1 :]:
            ms = int(rng.integers(1, 26)) if ja == jb else int(rng.integers(70, 96))
            lat[na, nb] = lat[nb, na] = ms

    def latency(name: str) -> str:
        return ", ".join(f"{o}: {lat[name, o]}" for o, _ in names if o != name)

    out = ["apiVersion: hybridplan/v1\nkind: Sites\nsites:\n"]
    unit = cores * 0.35 / sum(f for *_, f in COLO) / 64
    for name, jur, domains, factor in COLO:
        count = max(2, math.ceil(unit * factor))
        l4_nodes = l4 // 4 if name == "colo-us-ash" else 0
        out.append(
            COLO_SITE.format(
                name=name,
                region=name[5:],
                jur=jur,
                fds=", ".join(f"{name}-fd{d}" for d in range(domains)),
                cpu=(count + l4_nodes) * 64,
                mem=(count + l4_nodes) * 512,
                gpus=f", gpus: {{l4: {l4}}}" if l4_nodes else "",
                latency=latency(name),
                count=count,
                l4_nodes=L4_NODES.format(count=l4_nodes) if l4_nodes else "",
            )
        )
    nodes = max(2, math.ceil(h100 * 0.3 / 2 / 8))
    for name, jur in GPU_POOLS:
        out.append(
            GPU_SITE.format(
                name=name,
                jur=jur,
                cpu=nodes * 112,
                mem=nodes * 2048,
                gpus=nodes * 8,
                count=nodes,
                latency=latency(name),
            )
        )
    for name, jur, region, discount, options in AWS:
        overrides = OVERRIDES.get(name, {})
        out.append(
            AWS_SITE.format(
                name=name,
                region=name[4:],
                jur=jur,
                latency=latency(name),
                overrides=(
                    "    price_overrides:\n"
                    + "".join(f"      {k}: {v}\n" for k, v in sorted(overrides.items()))
                    if overrides
                    else ""
                ),
                price_region=region,
                discount=discount,
                options=options,
            )
        )
    return "".join(out)


def inventory_yaml(workloads: list[Drawn]) -> str:
    """The inventory, one block per workload."""
    out = ["apiVersion: hybridplan/v1\nkind: Inventory\nworkloads:\n"]
    for w in workloads:
        storage = 200 if w.kind == "database" else (1000 if w.kind == "training" else 0)
        extra: list[str] = []
        if w.kind in ("service", "inference"):
            extra.append("    ports: [8080]\n")
        if w.depends_on:
            extra.append(
                f"    depends_on: [{{name: {w.depends_on}, max_latency_ms: {w.latency_ms}}}]\n"
            )
        if w.pinned_site:
            extra.append(f"    pinned_site: {w.pinned_site}\n")
        if w.kind == "database":
            # An in-house database image: it says which user it runs as and where it
            # writes, as the emitter requires of an image it does not know.
            extra.append("    deploy: {run_as_user: 999, data_path: /var/lib/data}\n")
        if w.kind == "training":
            hours = w.replicas * 8 * 730 * 0.6
            extra.append(
                f"    training: {{gpu_hours_per_month: {hours:.0f}, deadline_days: 30, "
                "checkpoint_gib: 200}\n"
            )
        out.append(
            WORKLOAD.format(
                name=w.name,
                team=w.team,
                kind=w.kind,
                tier=w.tier,
                replicas=w.replicas,
                cpu=w.cpu,
                mem=w.memory_gib,
                gpu=f", gpus: {w.gpus}, gpu_type: {w.gpu_type}" if w.gpus else "",
                storage=storage,
                residency=w.residency,
                egress=int(w.cpu * 50),
                dataset=storage // 2,
                current=w.current_site,
                extra="".join(extra),
            )
        )
    return "".join(out)


def _series(w: Drawn, rng: np.random.Generator) -> np.ndarray:
    """Utilisation as a fraction of the request, one value per hour."""
    t = np.arange(HOURS, dtype=float)
    noise = 1 + rng.normal(0, 0.06, HOURS)
    if w.shape == "diurnal":
        peak = 19.0 if w.residency == "eu" else 1.0
        base = w.level * (1 + 0.5 * np.cos((t % 24 - peak) / 24 * 2 * np.pi))
    elif w.shape == "bursty":
        base = np.full(HOURS, 0.06)
        for start in rng.integers(0, HOURS - 6, size=5):
            base[start : start + int(rng.integers(2, 7))] = w.level + 0.3
    elif w.shape == "batch":
        start = int(rng.integers(0, 20))
        base = np.where((t % 24 >= start) & (t % 24 < start + 3), 0.85, 0.01)
    else:
        base = np.full(HOURS, w.level)
    return np.clip(base * noise, 0.0, 1.2)


def telemetry_csvs(workloads: list[Drawn], rng: np.random.Generator) -> dict[str, str]:
    """``{"<team>.csv": text}`` in wide form, columns ``<workload>/<metric>``."""
    teams: dict[str, list[Drawn]] = {}
    for w in workloads:
        teams.setdefault(w.team, []).append(w)
    stamps = [
        f"2026-10-{1 + h // 24:02d}T{h % 24:02d}:00:00Z" for h in range(HOURS)
    ]  # 30 days of October
    out: dict[str, str] = {}
    for team, members in teams.items():
        header = ["timestamp"]
        cols: list[np.ndarray] = []
        for w in members:
            u = _series(w, rng)
            header += [f"{w.name}/cpu", f"{w.name}/memory"]
            cols += [u * w.cpu, w.memory_gib * (0.5 + 0.3 * u)]
            if w.gpus:
                header.append(f"{w.name}/gpu")
                cols.append(np.clip(u, 0, 1))
        matrix = np.column_stack(cols)
        rows = [",".join(header)]
        body = [",".join(f"{v:.3f}" for v in row) for row in matrix]
        rows += [f"{s},{b}" for s, b in zip(stamps, body, strict=True)]
        out[f"{team}.csv"] = "\n".join(rows) + "\n"
    return out


def write_fleet(out: Path, workloads: int, *, seed: int = 18, time_limit_s: int = 60) -> Path:
    """Write the project folder ``out`` (created; existing files overwritten)."""
    rng = np.random.default_rng([seed, workloads])
    drawn = draw_workloads(workloads, rng)
    (out / "telemetry").mkdir(parents=True, exist_ok=True)
    (out / "project.yaml").write_text(
        "apiVersion: hybridplan/v1\nkind: Project\nsettings:\n  horizon_months: 36\n"
        "  discount_rate_pct: 8\n  currency: USD\n  headroom: 1.2\n"
        "  engineering_usd_per_move: 8000\n  double_running_months: 1\n"
        f"  solver_time_limit_s: {time_limit_s}\n"
    )
    (out / "sites.yaml").write_text(sites_yaml(drawn, rng))
    (out / "inventory.yaml").write_text(inventory_yaml(drawn))
    for name, text in telemetry_csvs(drawn, rng).items():
        (out / "telemetry" / name).write_text(text)
    return out


def main() -> None:
    """Write one fleet."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workloads", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--time-limit", type=int, default=60)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    write_fleet(args.out, args.workloads, seed=args.seed, time_limit_s=args.time_limit)


if __name__ == "__main__":
    main()
