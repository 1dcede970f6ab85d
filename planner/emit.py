"""Plan -> Pulumi stacks, as ``{relative path: text}`` (pure; the Jinja2 environment is
passed in).

One stack folder per site that the plan uses, ``stacks/<site>/``:

- ``Pulumi.yaml`` - the project (``hybridplan-<site>``, Python runtime);
- ``Pulumi.<env>.yaml`` - structured stack config holding this site's share of the plan,
  written by ``yaml.safe_dump(sort_keys=True)``: what a pull request reviews;
- ``__main__.py`` - two lines that read the config and call ``stacks.program.deploy``;
  it carries no user data, so nothing a user writes can become code;
- ``requirements.txt`` - ``hybridplan==<version>`` and the Pulumi SDK ranges;
- ``README.md`` - what the stack holds and how to preview and deploy it.

Plus ``stacks/README.md``, an index. Every file starts with the command that regenerates it
and the plan's input digest; nothing depends on the clock, so emitting twice gives the same
bytes. All decisions (quantities, HPA bounds, quotas, the GPU burst split) are made here in
tested Python; the templates only place values, and the ``stacks`` package only maps
config onto resources.

Sizing rules (each a documented default, see the constants below):

- per-replica requests: ``Classification.rightsized`` when present, else the declared
  ``Workload.resources``; memory limit = memory request; CPU limit = request for tier 1
  (Guaranteed QoS), ``planner.qos.CPU_LIMIT_FACTOR`` x request otherwise;
- HPA: diurnal workloads scale between ``max(tier minimum, ceil(replicas/2))`` and the
  planned replicas (the plan is sized for the peak); bursty workloads between the planned
  replicas and ``BURSTY_MAX_FACTOR`` x replicas; CPU target ``HPA_CPU_TARGET_PCT``;
- namespace quota per team: requests and limits of every pod the plan puts there at its
  maximum replica count plus one rolling-update surge pod per Deployment, GPUs of the
  training pods, PVC storage of the databases;
- batch workloads become suspended Jobs (no HPA, no PDB, no surge pod);
- training: the Jobs live on the workload's "home" site (a GPU pool before a Kubernetes
  site before a cloud site); its other assignments are MultiKueue burst targets, each with
  the same queue names;
- AWS GPU node groups (training and GPU services on an AWS site): one instance per
  replica, on-demand base = replicas bought on-demand / committed / as capacity blocks, the
  rest spot; max size = all replicas the plan puts there, plus, for a GPU service, the pods
  its HPA and a rolling update may add.

Names are validated with ``planner.names`` (RFC 1123 labels) before anything is rendered.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

import planner
from planner import names
from planner.errors import InputError, Problem, UsageError
from planner.model import (
    Assignment,
    Classification,
    Plan,
    PricingOption,
    Project,
    Resources,
    Site,
    SiteKind,
    Workload,
    WorkloadClass,
    WorkloadKind,
)
from planner.qos import cpu_limit_cores

TEMPLATE_DIR = "stack"
"""Folder under ``templates/`` holding the per-stack templates."""

BURSTY_MAX_FACTOR = 3
"""HPA ceiling for bursty workloads, as a multiple of the planned replicas."""
HPA_CPU_TARGET_PCT = 70
"""HPA CPU utilisation target (Kubernetes HPA walkthrough's common default, 2025)."""
SURGE_PODS = 1
"""Extra pods a RollingUpdate may create (``maxSurge: 1``), counted in the quota."""
BUDGET_ALERT_THRESHOLDS_PCT = (80, 100)
"""Budget alerts on actual spend at these percentages of the plan's monthly cost (a
forecasted-100% alert is always added)."""
CHECKPOINT_RETENTION_DAYS = 30
"""Lifecycle expiry of training checkpoints in the burst bucket."""
EKS_VERSION: str | None = None
"""Kubernetes version of the EKS-optimised AMI looked up for burst nodes: ``None`` = the
EKS cluster's own version (a kubelet newer than its control plane is unsupported, so a
fixed version breaks node joins on clusters that are not on it)."""
DEFAULT_GPU_INSTANCE = {
    "h100": "p5.48xlarge",
    "h200": "p5e.48xlarge",
    "b200": "p6-b200.48xlarge",
    "a100": "p4d.24xlarge",
    "l40s": "g6e.48xlarge",
    "l4": "g6.48xlarge",
    "a10g": "g5.48xlarge",
}
"""8-GPU EC2 instance per GPU type, used when the plan names no instance type (AWS
"Accelerated computing" instance types page, checked 2026-11)."""

STATEFULSET_NAME_MAX = 52
"""Longest StatefulSet name whose pods can be created: each pod is labelled
``controller-revision-hash: <name>-<10-character hash>``, a label value of at most 63."""
RESERVED_NAMESPACES = frozenset({"default", "kueue-system"})
"""Team names that would become a namespace the cluster or its add-ons already own (as would
any ``kube-*`` name): server-side apply adopts an existing Namespace, so the stack would put
the ``restricted`` Pod Security label and a quota on it, and delete it with the stack."""

_IMAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$")
_DIGEST = re.compile(r"^[A-Za-z0-9:+._-]*$")
_NON_SPOT = frozenset(
    {
        PricingOption.OWNED,
        PricingOption.LEASED,
        PricingOption.ON_DEMAND,
        PricingOption.COMMIT_1Y,
        PricingOption.COMMIT_3Y,
        PricingOption.CAPACITY_BLOCK,
    }
)


# --------------------------------------------------------------------------- environment


def _pyrepr(value: object) -> str:
    """Quote a value for Python source (``repr`` of str/int/float/bool/None only)."""
    if value is None or isinstance(value, str | int | float | bool):
        return repr(value)
    raise TypeError(f"refusing to render {type(value).__name__} into Python source")


class _Dumper(yaml.SafeDumper):
    """The safe dumper, without anchors and aliases (shared sub-objects are written out)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _to_yaml(value: object) -> str:
    """Block-style YAML with sorted keys, through the safe dumper (never interpolation);
    no trailing newline (the template supplies it)."""
    text = yaml.dump(
        value,
        Dumper=_Dumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=False,
        width=4096,
    )
    return text.rstrip("\n")


def default_environment() -> jinja2.Environment:
    """A strict Environment on the ``templates/`` folder, with the ``pyrepr`` and
    ``to_yaml`` filters the templates use. ``planner/templates`` is a link to the
    repository's top-level ``templates/``, so a checkout and an installed wheel (which
    carries a copy as package data) read the same files."""
    root = Path(planner.__file__).resolve().parent / "templates"
    # Not HTML: escaping is the filters' job (to_yaml, pyrepr), so autoescape stays off.
    loader = jinja2.FileSystemLoader(str(root))
    return strict_environment(jinja2.Environment(loader=loader, autoescape=False))  # noqa: S701


def strict_environment(env: jinja2.Environment) -> jinja2.Environment:
    """A copy of ``env`` (same loader) made strict - ``StrictUndefined``, no autoescape,
    trailing newlines kept, block whitespace trimmed - with the ``pyrepr`` and ``to_yaml``
    filters registered. ``env`` itself is left unchanged."""
    strict = env.overlay(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    strict.filters = {**env.filters, "pyrepr": _pyrepr, "to_yaml": _to_yaml}
    return strict


# --------------------------------------------------------------------------- quantities


def _milli(cores: float) -> int:
    return math.ceil(round(cores * 1000, 6))


def _mib(gib: float) -> int:
    return math.ceil(round(gib * 1024, 6))


def cpu_quantity(cores: float) -> str:
    """Kubernetes CPU quantity: whole cores as ``"2"``, else millicores rounded up."""
    milli = _milli(cores)
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


def memory_quantity(gib: float) -> str:
    """Kubernetes memory quantity: ``"4Gi"`` when whole, else MiB rounded up."""
    mib = _mib(gib)
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


def usd(value: float) -> str:
    """Money as a fixed two-decimal string (no float noise in config or annotations)."""
    return f"{value:.2f}"


def plan_id(plan: Plan) -> str:
    """First 12 hex digits of the input digest (a valid label value), or ``unversioned``."""
    digest = plan.input_digest.lower().removeprefix("sha256:")
    hexdigits = re.sub(r"[^0-9a-f]", "", digest)[:12]
    return hexdigits or "unversioned"


# --------------------------------------------------------------------------- validation


def check_inputs(plan: Plan, project: Project, *, stack_env: str, command: str) -> None:
    """Reject, before anything is rendered, every name that would become a Kubernetes
    name, a path or a Python/YAML token and is not an RFC 1123 label (this also rules out
    quotes, ``/``, ``..`` and newlines), every image reference with characters outside
    ``[A-Za-z0-9._/:@+-]``, and a header command or digest with control characters."""
    problems: list[Problem] = []

    def label(value: str, what: str, where: str) -> None:
        issue = names.check_label(value, what=what)
        if issue is not None:
            problems.append(Problem("", 0, 0, where, issue.message, issue.fix))

    label(stack_env, "stack environment", "--env")
    used = _used_sites(plan)
    for s in project.sites:
        if s.name in used:
            label(s.name, "site name", f"sites[{s.name!r}]")
            for fd in s.failure_domains:
                label(fd, "failure domain", f"sites[{s.name!r}].failure_domains")
    placed = {p.workload for p in plan.placements}
    for w in project.workloads:
        if w.name not in placed:
            continue
        where = f"workloads[{w.name!r}]"
        label(w.name, "workload name", where)
        label(w.team, "team name", f"{where}.team")
        if w.team in RESERVED_NAMESPACES or w.team.startswith("kube-"):
            problems.append(
                Problem(
                    "",
                    0,
                    0,
                    f"{where}.team",
                    f"team {w.team!r} would take over the cluster's own namespace {w.team!r}",
                    "name the team after the people who own it (its namespace is the team name)",
                )
            )
        if w.kind is WorkloadKind.TRAINING:
            label(f"{w.name}-burst", "training job name", where)
        if w.kind is WorkloadKind.DATABASE:
            label(f"{w.name}-headless", "headless Service name", where)
            if len(w.name) > STATEFULSET_NAME_MAX:
                problems.append(
                    Problem(
                        "",
                        0,
                        0,
                        where,
                        f"database name {w.name!r} has {len(w.name)} characters: its "
                        "StatefulSet could create no pod (the controller-revision-hash label "
                        f"'<name>-<hash>' exceeds 63), at most {STATEFULSET_NAME_MAX}",
                        f"shorten it to {STATEFULSET_NAME_MAX} characters or fewer",
                    )
                )
        if w.resources.gpu_type is not None:
            label(w.resources.gpu_type, "GPU type", f"{where}.resources.gpu_type")
            label(f"{w.resources.gpu_type}-burst", "burst flavor name", where)
        if w.image is None:
            problems.append(
                Problem("", 0, 0, f"{where}.image", "has no image", "set `image:` in the inventory")
            )
        elif not _IMAGE.fullmatch(w.image) or len(w.image) > 512:
            problems.append(
                Problem(
                    "",
                    0,
                    0,
                    f"{where}.image",
                    f"image {w.image!r} is not a plain image reference",
                    "use registry/path:tag or registry/path@sha256:digest",
                )
            )
    problems.extend(_derived_name_clashes(project, placed))
    for p in plan.placements:
        for a in p.assignments:
            if a.instance_type is not None and not _IMAGE.fullmatch(a.instance_type):
                problems.append(
                    Problem(
                        "", 0, 0, f"plan.{p.workload}", f"bad instance type {a.instance_type!r}"
                    )
                )
    if problems:
        raise InputError(problems, message="names unsafe to emit as Pulumi stacks")
    if any(ord(c) < 32 or ord(c) == 127 for c in command):
        raise UsageError(
            "the regeneration command holds control characters",
            fix="pass the command line as one line of text",
        )
    if not _DIGEST.fullmatch(plan.input_digest):
        raise UsageError(f"input digest {plan.input_digest!r} is not a digest")


def _derived_name_clashes(project: Project, placed: set[str]) -> list[Problem]:
    """Derived object names that another workload's objects of the same kind already use: a
    database's headless Service ``<db>-headless`` against a Service of a workload so named,
    a training burst Job ``<training>-burst`` against a Job (training or batch) so named.
    Either would register one Pulumi URN twice or make two resources apply one Kubernetes
    object (server-side apply upserts, so the second silently takes over the first). Checked
    across the whole plan (names are workload identities), not only per site."""
    workloads = [w for w in project.workloads if w.name in placed]
    services = {w.name for w in workloads if w.ports and w.kind is not WorkloadKind.DATABASE}
    jobs = {w.name for w in workloads if w.kind in (WorkloadKind.TRAINING, WorkloadKind.BATCH)}
    problems: list[Problem] = []
    for w in workloads:
        if w.kind is WorkloadKind.DATABASE and f"{w.name}-headless" in services:
            derived, what = f"{w.name}-headless", "headless Service"
        elif w.kind is WorkloadKind.TRAINING and f"{w.name}-burst" in jobs:
            derived, what = f"{w.name}-burst", "burst Job"
        else:
            continue
        problems.append(
            Problem(
                "",
                0,
                0,
                f"workloads[{derived!r}]",
                f"the name {derived!r} is also the {what} of {w.name!r}",
                f"rename workload {derived!r} (or {w.name!r}) in the inventory",
            )
        )
    return problems


# --------------------------------------------------------------------------- the plan, per site


@dataclass(frozen=True, slots=True)
class _Share:
    """One workload's assignments on one site, merged."""

    workload: Workload
    replicas: int
    usd_per_month: float
    options: tuple[PricingOption, ...]
    assignments: tuple[Assignment, ...]


def _used_sites(plan: Plan) -> set[str]:
    return {a.site for p in plan.placements for a in p.assignments if a.replicas > 0}


def stack_sites(plan: Plan, project: Project) -> tuple[str, ...]:
    """Sites that get a stack: those holding at least one assignment, in project order."""
    used = _used_sites(plan)
    return tuple(s.name for s in project.sites if s.name in used)


def _shares(plan: Plan, project: Project, site: str) -> list[_Share]:
    out: list[_Share] = []
    for p in sorted(plan.placements, key=lambda p: p.workload):
        here = tuple(a for a in p.assignments if a.site == site and a.replicas > 0)
        if not here:
            continue
        out.append(
            _Share(
                workload=project.workload(p.workload),
                replicas=sum(a.replicas for a in here),
                usd_per_month=sum(a.usd_per_month for a in here),
                options=tuple(sorted({a.option for a in here})),
                assignments=here,
            )
        )
    return out


def _per_replica(w: Workload, c: Classification | None) -> Resources:
    if c is not None and c.rightsized is not None and w.kind is not WorkloadKind.TRAINING:
        r = c.rightsized
        return Resources(
            cpu=r.cpu,
            memory_gib=r.memory_gib,
            gpus=r.gpus,
            gpu_type=w.resources.gpu_type,
            storage_gib=w.resources.storage_gib,
        )
    return w.resources


def _class_of(w: Workload, c: Classification | None) -> str:
    if c is not None:
        return c.cls.value
    if w.kind is WorkloadKind.TRAINING:
        return WorkloadClass.AI_TRAINING.value
    if w.profile is not None:
        return w.profile.value
    return WorkloadClass.UNKNOWN.value


def _autoscale(w: Workload, cls: str, replicas: int, tier_min: int) -> dict[str, int] | None:
    if w.kind in (WorkloadKind.DATABASE, WorkloadKind.BATCH):
        return None
    if cls == WorkloadClass.DIURNAL.value:
        low = min(replicas, max(tier_min, math.ceil(replicas / 2)))
        high = replicas
    elif cls == WorkloadClass.BURSTY.value:
        low = replicas
        high = max(replicas + 1, replicas * BURSTY_MAX_FACTOR)
    else:
        return None
    return {
        "min_replicas": low,
        "max_replicas": high,
        "target_cpu_utilization_pct": HPA_CPU_TARGET_PCT,
    }


@dataclass
class _Quota:
    """A team's ResourceQuota, summed from the per-pod quantities as rendered (millicores,
    MiB, rounded up per pod) so the quota always admits the pods it was sized for; shown
    rounded up to whole cores and GiB."""

    milli_cpu: int = 0
    mib: int = 0
    milli_cpu_limit: int = 0
    mib_limit: int = 0
    gpus: int = 0
    pods: int = 0
    storage_mib: int = 0
    claims: int = 0

    def add(self, *, cpu: float, memory_gib: float, cpu_limit: float, gpus: int, pods: int) -> None:
        self.pods += pods
        self.milli_cpu += _milli(cpu) * pods
        self.mib += _mib(memory_gib) * pods
        self.milli_cpu_limit += _milli(cpu_limit) * pods
        self.mib_limit += _mib(memory_gib) * pods
        self.gpus += gpus * pods

    def render(self) -> dict[str, str]:
        hard = {
            "requests.cpu": str(math.ceil(self.milli_cpu / 1000)),
            "requests.memory": f"{math.ceil(self.mib / 1024)}Gi",
            "limits.cpu": str(math.ceil(self.milli_cpu_limit / 1000)),
            "limits.memory": f"{math.ceil(self.mib_limit / 1024)}Gi",
            "pods": str(self.pods),
        }
        if self.gpus:
            hard["requests.nvidia.com/gpu"] = str(self.gpus)
        if self.claims:
            hard["requests.storage"] = f"{math.ceil(self.storage_mib / 1024)}Gi"
            hard["persistentvolumeclaims"] = str(self.claims)
        return hard


def _kubernetes_section(
    plan: Plan, project: Project, site: Site, shares: list[_Share], training: list[_Share]
) -> dict[str, Any] | None:
    classes = {c.workload: c for c in plan.classifications}
    tier_min = project.settings.min_replicas_by_tier
    quotas: dict[str, _Quota] = defaultdict(_Quota)
    workloads: list[dict[str, Any]] = []
    tiers: set[int] = set()
    for s in shares:
        w = s.workload
        c = classes.get(w.name)
        res = _per_replica(w, c)
        cls = _class_of(w, c)
        auto = _autoscale(w, cls, s.replicas, tier_min.get(w.tier, 1))
        cpu_limit = cpu_limit_cores(res.cpu, w.tier)
        requests = {"cpu": cpu_quantity(res.cpu), "memory": memory_quantity(res.memory_gib)}
        limits = {"cpu": cpu_quantity(cpu_limit), "memory": memory_quantity(res.memory_gib)}
        if res.gpus:
            requests["nvidia.com/gpu"] = limits["nvidia.com/gpu"] = str(res.gpus)
        database = w.kind is WorkloadKind.DATABASE
        storage = memory_quantity(res.storage_gib) if database and res.storage_gib > 0 else None
        entry: dict[str, Any] = {
            "name": w.name,
            "team": w.team,
            "kind": w.kind.value,
            "tier": w.tier,
            "cls": cls,
            "image": w.image,
            "replicas": s.replicas,
            "requests": requests,
            "limits": limits,
            "usd_per_month": usd(s.usd_per_month),
            "option": "+".join(o.value for o in s.options),
            "ports": list(w.ports),
            "storage": storage,
            "autoscale": auto,
            "spread": w.tier == 1 and s.replicas > 1 and len(site.failure_domains) > 1,
            "disruption_budget": s.replicas > 1 and w.kind is not WorkloadKind.BATCH,
            "gpu_type": _gpu_type(w) if res.gpus else None,
        }
        whole = [a for p in plan.placements if p.workload == w.name for a in p.assignments]
        sites = sorted({a.site for a in whole if a.replicas > 0})
        if len(sites) > 1:
            # Split over sites: the tier's minimums hold for the whole (HP-SLA-001/002).
            entry["replicas_total"] = sum(a.replicas for a in whole)
            entry["sites"] = sites
        workloads.append(entry)
        tiers.add(w.tier)
        surge = 0 if w.kind in (WorkloadKind.DATABASE, WorkloadKind.BATCH) else SURGE_PODS
        pods = (auto["max_replicas"] if auto else s.replicas) + surge
        q = quotas[w.team]
        q.add(cpu=res.cpu, memory_gib=res.memory_gib, cpu_limit=cpu_limit, gpus=res.gpus, pods=pods)
        if storage is not None:
            q.claims += s.replicas
            q.storage_mib += _mib(res.storage_gib) * s.replicas
    for s in training:
        w = s.workload
        quotas[w.team].add(
            cpu=w.resources.cpu,
            memory_gib=w.resources.memory_gib,
            cpu_limit=w.resources.cpu,
            gpus=w.resources.gpus,
            pods=s.replicas,
        )
    if not quotas:
        return None
    return {
        "teams": [{"name": t, "quota": quotas[t].render()} for t in sorted(quotas)],
        "workloads": workloads,
        "priority_tiers": sorted(tiers),
    }


def _home_site(plan: Plan, project: Project, workload: str) -> str:
    """Where a training workload's Jobs live: its first owned site (GPU pool before
    Kubernetes), else its first cloud site; the others are MultiKueue burst targets."""
    placement = next(p for p in plan.placements if p.workload == workload)
    order = {SiteKind.GPU_POOL: 0, SiteKind.KUBERNETES: 1, SiteKind.CLOUD: 2}
    sites = [project.site(n) for n in placement.sites]
    return min(sites, key=lambda s: (order[s.kind], s.name)).name


def _gpu_type(w: Workload) -> str:
    return w.resources.gpu_type or "gpu"


def _flavor(name: str, gpu_type: str, shares: Iterable[tuple[Workload, int]]) -> dict[str, Any]:
    gpus = cpu = mem = 0.0
    for w, replicas in shares:
        gpus += w.resources.gpus * replicas
        cpu += w.resources.cpu * replicas
        mem += w.resources.memory_gib * replicas
    return {
        "name": name,
        "gpu_type": gpu_type,
        "gpus": int(gpus),
        "cpu": cpu_quantity(cpu),
        "memory": memory_quantity(mem),
        "node_labels": {"hybridplan.io/gpu-type": gpu_type},
    }


def _training_section(
    plan: Plan, project: Project, site: Site, training: list[_Share]
) -> dict[str, Any] | None:
    if not training:
        return None
    local: dict[str, list[tuple[Workload, int]]] = defaultdict(list)
    burst: dict[str, list[tuple[Workload, int]]] = defaultdict(list)
    burst_clusters: set[str] = set()
    jobs: list[dict[str, Any]] = []
    serves_burst = False
    for s in training:
        w = s.workload
        gpu_type = _gpu_type(w)
        local[gpu_type].append((w, s.replicas))
        placement = next(p for p in plan.placements if p.workload == w.name)
        if _home_site(plan, project, w.name) != site.name:
            serves_burst = True
            continue
        requests = {
            "cpu": cpu_quantity(w.resources.cpu),
            "memory": memory_quantity(w.resources.memory_gib),
        }
        common = {
            "workload": w.name,
            "team": w.team,
            "image": w.image,
            "gpu_type": gpu_type,
            "gpus_per_pod": w.resources.gpus,
            "requests": requests,
            "tier": w.tier,
        }
        jobs.append(
            {
                **common,
                "name": w.name,
                "queue": "training",
                "parallelism": s.replicas,
                "usd_per_month": usd(s.usd_per_month),
                "gpu_hours_per_month": usd(
                    sum(a.gpu_hours_per_month or 0.0 for a in s.assignments)
                ),
                "multikueue": False,
            }
        )
        away = [a for a in placement.assignments if a.site != site.name and a.replicas > 0]
        if away:
            burst_clusters.update(a.site for a in away)
            # One Job runs on one worker: as many pods as the largest share of one site
            # (summed over its pricing options, e.g. on-demand base + spot).
            per_site: dict[str, int] = defaultdict(int)
            for a in away:
                per_site[a.site] += a.replicas
            replicas = max(per_site.values())
            burst[gpu_type].append((w, sum(a.replicas for a in away)))
            jobs.append(
                {
                    **common,
                    "name": f"{w.name}-burst",
                    "queue": "training-burst",
                    "parallelism": replicas,
                    "usd_per_month": usd(sum(a.usd_per_month for a in away)),
                    "gpu_hours_per_month": usd(sum(a.gpu_hours_per_month or 0.0 for a in away)),
                    "multikueue": True,
                }
            )
    section: dict[str, Any] = {
        "teams": sorted({s.workload.team for s in training}),
        "flavors": [_flavor(t, t, local[t]) for t in sorted(local)],
        "jobs": sorted(jobs, key=lambda j: j["name"]),
        "serves_burst": serves_burst,
        "burst": None,
    }
    if burst:
        clusters = sorted(burst_clusters)
        section["burst"] = {
            "clusters": clusters,
            "flavors": [_flavor(f"{t}-burst", t, burst[t]) for t in sorted(burst)],
            "kubeconfig_secrets": {c: f"multikueue-{c}" for c in clusters},
        }
    return section


def _headroom_pods(plan: Plan, project: Project, share: _Share) -> int:
    """Pods a long-running workload may run beyond its planned replicas: up to its HPA
    ceiling, plus the rolling-update surge pod (0 for databases, batch and training)."""
    w = share.workload
    if w.kind in (WorkloadKind.DATABASE, WorkloadKind.BATCH, WorkloadKind.TRAINING):
        return 0
    c = next((c for c in plan.classifications if c.workload == w.name), None)
    tier_min = project.settings.min_replicas_by_tier.get(w.tier, 1)
    auto = _autoscale(w, _class_of(w, c), share.replicas, tier_min)
    ceiling = auto["max_replicas"] if auto else share.replicas
    return ceiling - share.replicas + SURGE_PODS


def _aws_burst_section(
    site: Site, gpu_shares: list[_Share], headroom: Mapping[str, int] | None = None
) -> dict[str, Any] | None:
    """GPU node groups for every GPU workload the plan puts on an AWS site (training and
    GPU services alike): one instance per replica, plus one per pod a GPU service may add
    (``headroom``: its HPA ceiling and rolling-update surge - without them a scale-out or a
    ``maxUnavailable: 0`` rollout waits forever for a node the group may not add)."""
    headroom = headroom or {}
    if not gpu_shares:
        return None
    groups: dict[str, dict[str, Any]] = {}
    for s in gpu_shares:
        w = s.workload
        gpu_type = _gpu_type(w)
        g = groups.setdefault(
            gpu_type,
            {
                "name": gpu_type,
                "gpu_type": gpu_type,
                "instance_types": set(),
                "max_size": 0,
                "on_demand_base": 0,
                "spot": 0,
                "workloads": set(),
                "usd": 0.0,
            },
        )
        for a in s.assignments:
            itype = a.instance_type or DEFAULT_GPU_INSTANCE.get(gpu_type)
            if itype is None:
                raise InputError(
                    [
                        Problem(
                            "",
                            0,
                            0,
                            f"workloads[{w.name!r}].resources.gpu_type",
                            f"no default AWS instance for GPU type {gpu_type!r} on {site.name}",
                            "use one of " + ", ".join(sorted(DEFAULT_GPU_INSTANCE)),
                        )
                    ]
                )
            g["instance_types"].add(itype)
            g["max_size"] += a.replicas
            if a.option in _NON_SPOT:
                g["on_demand_base"] += a.replicas
            else:
                g["spot"] += a.replicas
            g["usd"] += a.usd_per_month
        g["max_size"] += headroom.get(w.name, 0)
        g["workloads"].add(w.name)
    return {
        "groups": [
            {
                "name": g["name"],
                "gpu_type": g["gpu_type"],
                "instance_types": sorted(g["instance_types"]),
                "max_size": g["max_size"],
                "on_demand_base": g["on_demand_base"],
                "on_demand_pct_above_base": 0 if g["spot"] else 100,
                "workloads": sorted(g["workloads"]),
                "usd_per_month": usd(g["usd"]),
            }
            for _, g in sorted(groups.items())
        ],
        "eks_cluster_name": site.name,
        "eks_version": EKS_VERSION,
        "checkpoint_retention_days": CHECKPOINT_RETENTION_DAYS,
    }


def stack_config(plan: Plan, project: Project, site_name: str, *, stack_env: str) -> dict[str, Any]:
    """The structured config of one site's stack: ``{key: value}`` without the project
    prefix (provider keys such as ``aws:region`` carry their own prefix)."""
    site = project.site(site_name)
    shares = _shares(plan, project, site_name)
    training = [s for s in shares if s.workload.kind is WorkloadKind.TRAINING]
    others = [s for s in shares if s.workload.kind is not WorkloadKind.TRAINING]
    total = sum(s.usd_per_month for s in shares)
    config: dict[str, Any] = {
        "stack": {
            "site": site.name,
            "site_kind": site.kind.value,
            "provider": site.provider,
            "region": site.region,
            "env": stack_env,
            "plan_id": plan_id(plan),
            "input_digest": plan.input_digest,
            "generator": f"hybridplan {planner.__version__}",
            "usd_per_month": usd(total),
            "failure_domains": list(site.failure_domains),
        }
    }
    kube = _kubernetes_section(plan, project, site, others, training)
    if kube is not None:
        config["kubernetes"] = kube
    train = _training_section(plan, project, site, training)
    if train is not None:
        config["training"] = train
    if site.kind is SiteKind.CLOUD and site.provider == "aws":
        config["aws:region"] = site.region
        gpu_shares = [s for s in shares if s.workload.resources.gpus > 0]
        burst = _aws_burst_section(
            site,
            gpu_shares,
            {s.workload.name: _headroom_pods(plan, project, s) for s in gpu_shares},
        )
        if burst is not None:
            config["aws_burst"] = burst
        config["budget"] = {
            "usd_per_month": usd(total),
            "alert_thresholds_pct": list(BUDGET_ALERT_THRESHOLDS_PCT),
            "alert_emails": [],
        }
    return config


def project_name(site: str) -> str:
    return f"hybridplan-{site}"


def _qualified(site: str, config: Mapping[str, Any]) -> dict[str, Any]:
    project = project_name(site)
    return {(k if ":" in k else f"{project}:{k}"): v for k, v in config.items()}


def _summary(plan: Plan, project: Project, site: str) -> list[dict[str, Any]]:
    return [
        {
            "workload": s.workload.name,
            "team": s.workload.team,
            "kind": s.workload.kind.value,
            "replicas": s.replicas,
            "option": "+".join(o.value for o in s.options),
            "usd_per_month": usd(s.usd_per_month),
        }
        for s in _shares(plan, project, site)
    ]


# --------------------------------------------------------------------------- rendering


STACK_FILES = (
    ("Pulumi.yaml.j2", "Pulumi.yaml"),
    ("Pulumi.env.yaml.j2", "Pulumi.{env}.yaml"),
    ("__main__.py.j2", "__main__.py"),
    ("requirements.txt.j2", "requirements.txt"),
    ("README.md.j2", "README.md"),
)


def render_stacks(
    plan: Plan,
    project: Project,
    env: jinja2.Environment,
    *,
    stack_env: str = "prod",
    command: str,
) -> dict[str, str]:
    """Render one Pulumi stack folder per used site: ``{"stacks/<site>/<file>": text}``.

    ``command`` is the command line that regenerates the files (written in each header).
    Raises ``InputError`` (exit 2) when a name is unsafe to emit, before rendering anything.
    """
    check_inputs(plan, project, stack_env=stack_env, command=command)
    env = strict_environment(env)
    files: dict[str, str] = {}
    sites = stack_sites(plan, project)
    common = {
        "command": command,
        "input_digest": plan.input_digest or "(none)",
        "version": planner.__version__,
        "stack_env": stack_env,
    }
    for site_name in sites:
        site = project.site(site_name)
        config = stack_config(plan, project, site_name, stack_env=stack_env)
        context = {
            **common,
            "site": site_name,
            "site_kind": site.kind.value,
            "project_name": project_name(site_name),
            "pulumi_yaml": {
                "name": project_name(site_name),
                "description": f"hybridplan placement for site {site_name} ({site.kind.value})",
                "runtime": {
                    "name": "python",
                    "options": {"toolchain": "pip", "virtualenv": "venv"},
                },
            },
            "stack_yaml": {"config": _qualified(site_name, config)},
            "summary": _summary(plan, project, site_name),
            "usd_per_month": config["stack"]["usd_per_month"],
            "has_training": "training" in config,
            "has_burst": "aws_burst" in config,
            "has_budget": "budget" in config,
            "is_manager": bool(config.get("training", {}).get("burst")),
        }
        for template, target in STACK_FILES:
            path = f"stacks/{site_name}/{target.format(env=stack_env)}"
            files[path] = env.get_template(f"{TEMPLATE_DIR}/{template}").render(context)
    index = env.get_template(f"{TEMPLATE_DIR}/index.md.j2").render(
        {
            **common,
            "stacks": [
                {
                    "site": s,
                    "kind": project.site(s).kind.value,
                    "usd_per_month": usd(sum(x.usd_per_month for x in _shares(plan, project, s))),
                }
                for s in sites
            ],
        }
    )
    files["stacks/README.md"] = index
    return files
