"""What-if scenarios: parse changes, apply them to a ``Project`` and a ``Catalogue``, re-plan,
and compare with the base plan. Pure: inputs are passed in, new values come out.

Changes (the CLI flags, or entries of a ``--scenario`` YAML list):

==============================  =============================================================
``move: W=SITE``                pin workload ``W`` to ``SITE`` (``Workload.pinned_site``)
``price: KEY=-45%``             scale a price; ``KEY=55.04`` sets it. ``KEY`` is a catalogue
                                key (``aws.p5.48xlarge.us-east-1.on-demand``), a dotted prefix
                                of keys (``aws.p5`` = every P5 price), a glob (``aws.*.spot``),
                                or site-scoped ``SITE.PARAM``: ``power``, ``capex``,
                                ``labour``, ``space``, ``gpu-hour``, or ``SITE.<catalogue key
                                or prefix>`` (a site price override)
``capacity: SITE.RES=+64``      change an owned site's capacity; ``RES`` is ``cpu``,
                                ``memory_gib`` or ``gpus.<type>``; ``+N``/``-N`` add, ``N``
                                sets, ``+N%`` scales. Listed node classes grow or shrink by
                                whole nodes so capex and power follow the capacity
``horizon: 60``                 planning horizon in months
``growth: 20%``                 demand grows: per-replica CPU and memory (declared and
                                right-sized) and egress scale; GPU replicas round up;
                                training GPU-hours scale
==============================  =============================================================

Catalogue price changes also apply to sites that override the same key (a 45 % cut of P5
prices cuts a negotiated P5 price too). Relative changes compose in order.

A sweep ``KEY=FROM..TO:STEP`` re-plans once per value (``aws.p5=-60%..0%:10%``,
``aws.p5.48xlarge.us-east-1.capacity-block=20..40:5``, ``horizon=12..60:12``,
``growth=0%..50%:10%``) and reports, per value, the total and where the workloads that move
anywhere in the sweep land: the break-even table.
"""

from __future__ import annotations

import difflib
import fnmatch
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from planner.catalogue import Catalogue
from planner.errors import InfeasibleError, UsageError
from planner.model import (
    Capacity,
    Classification,
    GpuPoolCost,
    GpuPoolMode,
    NodeClass,
    OwnedCost,
    Plan,
    Project,
    Resources,
    Site,
    SiteKind,
    Workload,
    WorkloadKind,
)

CHANGE_KINDS: tuple[str, ...] = ("move", "price", "capacity", "horizon", "growth")

SITE_PARAMS: tuple[str, ...] = ("power", "capex", "labour", "space", "gpu-hour")
"""Site-scoped price parameters ``SITE.PARAM`` understands (besides catalogue keys)."""

MAX_SWEEP_POINTS = 201

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


# --------------------------------------------------------------------------- changes


@dataclass(frozen=True, slots=True)
class Change:
    """One parsed change. ``op`` is ``set`` (absolute), ``add`` (+/- N) or ``pct`` (+/- N %)."""

    kind: str
    target: str
    op: str
    value: float
    text: str
    site: str = ""
    """For ``move``: the site the workload is pinned to."""

    def describe(self) -> str:
        if self.kind == "move":
            return f"move {self.target} to {self.site}"
        if self.kind == "horizon":
            return f"horizon {self.value:g} months"
        if self.kind == "growth":
            return f"demand {self.value:+g} %"
        amount = {
            "set": f"= {self.value:g}",
            "add": f"{self.value:+g}",
            "pct": f"{self.value:+g} %",
        }[self.op]
        return f"{self.kind} {self.target} {amount}"


def _usage(kind: str, text: str, why: str, fix: str) -> UsageError:
    return UsageError(f"--{kind} {text!r}: {why}", fix=fix)


def _amount(kind: str, text: str, raw: str, *, allow_add: bool) -> tuple[str, float]:
    """``+20%`` -> (pct, 20); ``+64`` -> (add, 64) if allowed; ``55.04`` -> (set, 55.04)."""
    raw = raw.strip()
    m = re.fullmatch(rf"({_NUMBER})\s*%", raw)
    if m:
        return "pct", float(m.group(1))
    m = re.fullmatch(_NUMBER, raw)
    if m:
        if raw[0] in "+-" and allow_add:
            return "add", float(raw)
        if raw[0] in "+-":
            raise _usage(
                kind,
                text,
                f"{raw!r} is ambiguous for a price",
                f"write a percentage ({raw}%) or an absolute price without a sign",
            )
        return "set", float(raw)
    raise _usage(kind, text, f"{raw!r} is not a number or percentage", "e.g. -45%, +20% or 55.04")


def parse_change(kind: str, text: str) -> Change:
    """Parse one change of ``kind`` (``move``, ``price``, ``capacity``, ``horizon``,
    ``growth``). Raises ``UsageError`` with an example of the expected form."""
    text = str(text).strip()
    if kind == "move":
        name, sep, site = text.partition("=")
        if not sep or not name.strip() or not site.strip():
            raise _usage(
                kind, text, "expected WORKLOAD=SITE", "e.g. --move llm-train=aws-us-east-1"
            )
        return Change("move", name.strip(), "set", 0.0, text, site=site.strip())
    if kind in ("price", "capacity"):
        key, sep, raw = text.partition("=")
        example = "aws.p5=-45%" if kind == "price" else "gpu-pool-us.gpus.h100=+64"
        if not sep or not key.strip() or not raw.strip():
            raise _usage(kind, text, "expected KEY=AMOUNT", f"e.g. --{kind} {example}")
        op, value = _amount(kind, text, raw, allow_add=kind == "capacity")
        if kind == "capacity" and "." not in key:
            raise _usage(kind, text, "expected SITE.RESOURCE", f"e.g. --capacity {example}")
        return Change(kind, key.strip(), op, value, text)
    if kind == "horizon":
        m = re.fullmatch(r"\d+", text)
        if not m or int(text) < 1:
            raise _usage(kind, text, "expected a whole number of months >= 1", "e.g. --horizon 60")
        return Change("horizon", "", "set", float(int(text)), text)
    if kind == "growth":
        m = re.fullmatch(rf"({_NUMBER})\s*%?", text)
        if not m or float(m.group(1)) <= -100:
            raise _usage(kind, text, "expected a percentage above -100 %", "e.g. --growth 20%")
        return Change("growth", "", "pct", float(m.group(1)), text)
    raise UsageError(f"unknown change kind {kind!r}", fix=f"use one of: {', '.join(CHANGE_KINDS)}")


def parse_scenario(data: object, *, source: str) -> tuple[Change, ...]:
    """Changes from a parsed scenario YAML: a list of one-key mappings such as
    ``[{price: aws.p5=-45%}, {move: llm-train=aws-us-east-1}, {horizon: 60}]``, or a mapping
    with that list under ``changes``."""
    items = data.get("changes") if isinstance(data, Mapping) else data
    fix = "write a YAML list such as `- price: aws.p5=-45%` / `- horizon: 60`"
    if not isinstance(items, list) or not items:
        raise UsageError(f"{source}: a scenario is a non-empty list of changes", fix=fix)
    out: list[Change] = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping) or len(item) != 1:
            raise UsageError(f"{source}: item {i + 1} is not a one-key mapping", fix=fix)
        ((kind, value),) = item.items()
        if kind not in CHANGE_KINDS:
            close = difflib.get_close_matches(str(kind), CHANGE_KINDS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise UsageError(
                f"{source}: item {i + 1}: unknown change {kind!r}",
                fix=f"{hint}use one of: {', '.join(CHANGE_KINDS)}",
            )
        try:
            out.append(parse_change(str(kind), str(value)))
        except UsageError as exc:
            raise UsageError(f"{source}: item {i + 1}: {exc.message}", fix=exc.fix) from None
    return tuple(out)


# --------------------------------------------------------------------------- applying


@dataclass(frozen=True, slots=True)
class Applied:
    """A project and catalogue with changes applied, and what each change did."""

    project: Project
    catalogue: Catalogue
    growth_factor: float = 1.0
    notes: tuple[str, ...] = ()


def _scaled(old: float, change: Change) -> float:
    if change.op == "pct":
        return old * (1.0 + change.value / 100.0)
    if change.op == "add":
        return old + change.value
    return change.value


def _did_you_mean(word: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=3, cutoff=0.5)
    return f"did you mean {', '.join(close)}? " if close else ""


def matching_keys(pattern: str, keys: Sequence[str]) -> list[str]:
    """Catalogue keys selected by ``pattern``: the key itself, a dotted prefix, or a glob."""
    if pattern in keys:
        return [pattern]
    if any(c in pattern for c in "*?["):
        return sorted(k for k in keys if fnmatch.fnmatchcase(k, pattern))
    return sorted(k for k in keys if k.startswith(pattern + "."))


def _replace_site(project: Project, site: Site) -> Project:
    return replace(project, sites=tuple(site if s.name == site.name else s for s in project.sites))


def _site_named(project: Project, name: str, change: Change) -> Site:
    try:
        return project.site(name)
    except KeyError:
        names = [s.name for s in project.sites]
        raise _usage(
            change.kind,
            change.text,
            f"unknown site {name!r}",
            f"{_did_you_mean(name, names)}sites: {', '.join(sorted(names))}",
        ) from None


def _owned_costs(site: Site) -> list[tuple[str, OwnedCost]]:
    out: list[tuple[str, OwnedCost]] = []
    if site.owned_cost is not None:
        out.append(("owned", site.owned_cost))
    if site.gpu_pool_cost is not None and site.gpu_pool_cost.owned is not None:
        out.append(("gpu_pool", site.gpu_pool_cost.owned))
    return out


def _ensure_owned(site: Site) -> Site:
    """Make the implicit owned-cost inputs explicit (all defaults: the catalogue's), the way
    ``planner.cost`` reads a kubernetes or owned gpu-pool site without cost inputs."""
    if site.kind is SiteKind.KUBERNETES and site.owned_cost is None:
        return replace(site, owned_cost=OwnedCost())
    if site.kind is SiteKind.GPU_POOL:
        gp = site.gpu_pool_cost
        if gp is None:
            return replace(site, gpu_pool_cost=GpuPoolCost(owned=OwnedCost()))
        if gp.mode is GpuPoolMode.OWNED and gp.owned is None:
            return replace(site, gpu_pool_cost=replace(gp, owned=OwnedCost()))
    return site


def _with_owned(site: Site, where: str, oc: OwnedCost) -> Site:
    if where == "owned":
        return replace(site, owned_cost=oc)
    assert site.gpu_pool_cost is not None  # only returned by _owned_costs when present
    return replace(site, gpu_pool_cost=replace(site.gpu_pool_cost, owned=oc))


def _site_override(site: Site, catalogue: Catalogue, key: str, change: Change) -> Site:
    old = float(catalogue.value(key, site.price_overrides))
    overrides = dict(site.price_overrides)
    overrides[key] = _scaled(old, change)
    return replace(site, price_overrides=overrides)


def _apply_site_param(site: Site, param: str, catalogue: Catalogue, change: Change) -> Site:
    if param in ("power", "capex", "labour", "space"):
        site = _ensure_owned(site)
    owned = _owned_costs(site)
    if param == "power":
        if not owned:
            raise _usage("price", change.text, f"site {site.name} has no owned power cost", "-")
        for where, oc in owned:
            new = oc
            if oc.colo_usd_per_kw_month is not None:
                new = replace(new, colo_usd_per_kw_month=_scaled(oc.colo_usd_per_kw_month, change))
            else:
                site = _site_override(site, catalogue, "owned.colo-usd-per-kw-month", change)
            if oc.usd_per_kwh is not None:
                new = replace(new, usd_per_kwh=_scaled(oc.usd_per_kwh, change))
            else:
                site = _site_override(site, catalogue, "owned.usd-per-kwh", change)
            site = _with_owned(site, where, new)
        return site
    if param == "capex":
        if not owned:
            raise _usage("price", change.text, f"site {site.name} has no owned hardware", "-")
        for where, oc in owned:
            if oc.node_classes:
                classes = tuple(
                    replace(nc, capex_usd=_scaled(nc.capex_usd, change)) for nc in oc.node_classes
                )
                site = _with_owned(site, where, replace(oc, node_classes=classes))
            else:
                for key in matching_keys("owned.node.*.capex-usd", list(catalogue.prices)):
                    site = _site_override(site, catalogue, key, change)
        return site
    if param in ("labour", "space"):
        if not owned:
            raise _usage("price", change.text, f"site {site.name} has no owned cost", "-")
        for where, oc in owned:
            if param == "labour":
                new = replace(oc, labour_usd_per_month=_scaled(oc.labour_usd_per_month, change))
            else:
                new = replace(oc, space_usd_per_month=_scaled(oc.space_usd_per_month, change))
            site = _with_owned(site, where, new)
        return site
    if param == "gpu-hour":
        gp = site.gpu_pool_cost
        if gp is None or gp.usd_per_gpu_hour is None:
            raise _usage(
                "price",
                change.text,
                f"site {site.name} has no contract price per GPU-hour",
                "gpu-hour applies to leased or GPUaaS pools; use SITE.capex or SITE.power "
                "for owned pools",
            )
        return replace(
            site, gpu_pool_cost=replace(gp, usd_per_gpu_hour=_scaled(gp.usd_per_gpu_hour, change))
        )
    keys = matching_keys(param, list(catalogue.prices))
    if not keys:
        raise _usage(
            "price",
            change.text,
            f"{param!r} is neither a site parameter nor a catalogue key",
            f"{_did_you_mean(param, [*SITE_PARAMS, *catalogue.prices])}site parameters: "
            f"{', '.join(SITE_PARAMS)}; or a catalogue key, dotted prefix or glob",
        )
    for key in keys:
        site = _site_override(site, catalogue, key, change)
    return site


def _apply_price(
    project: Project, catalogue: Catalogue, change: Change
) -> tuple[Project, Catalogue, str]:
    head, _, rest = change.target.partition(".")
    if rest and head in {s.name for s in project.sites}:
        site = _apply_site_param(project.site(head), rest, catalogue, change)
        return _replace_site(project, site), catalogue, f"{change.describe()} (site {head})"
    keys = matching_keys(change.target, list(catalogue.prices))
    if not keys:
        raise _usage(
            "price",
            change.text,
            f"no catalogue key matches {change.target!r}",
            f"{_did_you_mean(change.target, list(catalogue.prices))}give a catalogue key, a "
            "dotted prefix (aws.p5), a glob (aws.*.spot) or SITE.PARAM "
            f"({', '.join(SITE_PARAMS)})",
        )
    overrides = {k: _scaled(float(catalogue.value(k)), change) for k in keys}
    negative = sorted(k for k, v in overrides.items() if v < 0)
    if negative:
        raise _usage("price", change.text, f"{negative[0]} would be negative", "use a smaller cut")
    catalogue = catalogue.with_overrides(overrides, label=f"what-if {change.text}")
    sites = []
    for s in project.sites:
        hit = [k for k in keys if k in s.price_overrides]
        new = dict(s.price_overrides)
        for k in hit:
            new[k] = _scaled(float(s.price_overrides[k]), change)
        sites.append(replace(s, price_overrides=new) if hit else s)
    project = replace(project, sites=tuple(sites))
    shown = keys[0] if len(keys) == 1 else f"{len(keys)} keys ({keys[0]}, ...)"
    return project, catalogue, f"{change.describe()}: {shown}"


def _resource_of(change: Change) -> tuple[str, str, str | None]:
    site, _, res = change.target.partition(".")
    if res in ("cpu", "memory_gib"):
        return site, res, None
    m = re.fullmatch(r"gpus\.([a-z0-9-]+)", res)
    if m:
        return site, "gpus", m.group(1)
    raise _usage(
        "capacity",
        change.text,
        f"unknown resource {res!r}",
        "use SITE.cpu, SITE.memory_gib or SITE.gpus.<type> (e.g. gpu-pool-us.gpus.h100=+64)",
    )


def _grow_nodes(
    classes: tuple[NodeClass, ...], res: str, gpu_type: str | None, delta: float
) -> tuple[tuple[NodeClass, ...], NodeClass | None, int]:
    """Add or remove whole nodes of the class that carries ``res`` (GPU type, or the class
    without GPUs for cpu/memory) so the estate's capex and power follow the capacity."""
    if res == "gpus":
        pick = [nc for nc in classes if nc.gpu_type == gpu_type and nc.gpus > 0]
    else:
        pick = [nc for nc in classes if nc.gpus == 0] or list(classes)
    if not pick or delta == 0:
        return classes, None, 0
    nc = pick[0]
    per_node = {"gpus": nc.gpus, "cpu": nc.cpu, "memory_gib": nc.memory_gib}[res]
    nodes = math.ceil(abs(delta) / per_node) if per_node > 0 else 0
    nodes = nodes if delta > 0 else -min(nodes, nc.count)
    new = replace(nc, count=nc.count + nodes)
    return tuple(new if c is nc else c for c in classes), nc, nodes


def _apply_capacity(project: Project, change: Change) -> tuple[Project, str]:
    name, res, gpu_type = _resource_of(change)
    site = _site_named(project, name, change)
    cap = site.capacity
    if cap is None:
        raise _usage(
            "capacity",
            change.text,
            f"{name} is a cloud site: its capacity is unlimited",
            "change the capacity of an owned site (kubernetes or gpu-pool)",
        )
    old = float(cap.gpus.get(gpu_type or "", 0) if res == "gpus" else getattr(cap, res))
    target = _scaled(old, change)
    if target < 0:
        raise _usage("capacity", change.text, f"capacity would be {target:g}", "use a smaller cut")
    note = f"{change.describe()}: {old:g} -> {target:g}"
    owned = _owned_costs(site)
    classes_before = next((oc.node_classes for _, oc in owned if oc.node_classes), ())
    if classes_before:
        where, oc = next((w, o) for w, o in owned if o.node_classes)
        classes, nc, nodes = _grow_nodes(classes_before, res, gpu_type, target - old)
        if nc is not None and nodes:
            site = _with_owned(site, where, replace(oc, node_classes=classes))
            gpus = dict(cap.gpus)
            if nc.gpu_type:
                gpus[nc.gpu_type] = gpus.get(nc.gpu_type, 0) + nodes * nc.gpus
            cap = Capacity(
                cpu=cap.cpu + nodes * nc.cpu,
                memory_gib=cap.memory_gib + nodes * nc.memory_gib,
                gpus={k: v for k, v in sorted(gpus.items()) if v > 0},
            )
            note += f" ({nodes:+d} x {nc.name} nodes: capex, power and all their resources)"
            return _replace_site(project, replace(site, capacity=cap)), note
    if res == "gpus":
        assert gpu_type is not None
        gpus = dict(cap.gpus)
        gpus[gpu_type] = round(target)
        cap = replace(cap, gpus={k: v for k, v in sorted(gpus.items()) if v > 0})
    elif res == "cpu":
        cap = replace(cap, cpu=target)
    else:
        cap = replace(cap, memory_gib=target)
    return _replace_site(project, replace(site, capacity=cap)), note


def _grow_workload(w: Workload, f: float) -> Workload:
    data = replace(w.data, egress_gib_per_month=w.data.egress_gib_per_month * f)
    if w.kind is WorkloadKind.TRAINING and w.training is not None:
        return replace(
            w,
            data=data,
            training=replace(w.training, gpu_hours_per_month=w.training.gpu_hours_per_month * f),
        )
    if w.resources.gpus > 0:
        return replace(w, data=data, replicas=max(1, math.ceil(w.replicas * f - 1e-9)))
    res = replace(w.resources, cpu=w.resources.cpu * f, memory_gib=w.resources.memory_gib * f)
    return replace(w, data=data, resources=res)


def grow_classifications(
    classifications: Sequence[Classification], project: Project, factor: float
) -> tuple[Classification, ...]:
    """Right-sized requests scaled like ``growth`` scales declared ones (CPU and memory of
    workloads without GPUs); classes and reasons are unchanged."""
    if factor == 1.0:
        return tuple(classifications)
    gpu_or_training = {
        w.name for w in project.workloads if w.resources.gpus > 0 or w.kind is WorkloadKind.TRAINING
    }
    out = []
    for c in classifications:
        r: Resources | None = c.rightsized
        if r is not None and c.workload not in gpu_or_training:
            grown = replace(r, cpu=r.cpu * factor, memory_gib=r.memory_gib * factor)
            out.append(replace(c, rightsized=grown))
        else:
            out.append(c)
    return tuple(out)


def apply_changes(project: Project, catalogue: Catalogue, changes: Sequence[Change]) -> Applied:
    """Apply ``changes`` in order; returns a NEW project and catalogue (inputs untouched)."""
    notes: list[str] = []
    factor = 1.0
    for ch in changes:
        if ch.kind == "move":
            try:
                w = project.workload(ch.target)
            except KeyError:
                names = [x.name for x in project.workloads]
                raise _usage(
                    "move",
                    ch.text,
                    f"unknown workload {ch.target!r}",
                    _did_you_mean(ch.target, names) or "see inventory.yaml",
                ) from None
            _site_named(project, ch.site, ch)
            project = replace(
                project,
                workloads=tuple(
                    replace(x, pinned_site=ch.site) if x.name == w.name else x
                    for x in project.workloads
                ),
            )
            notes.append(f"{ch.describe()} (from {w.current_site or 'new'})")
        elif ch.kind == "price":
            project, catalogue, note = _apply_price(project, catalogue, ch)
            notes.append(note)
        elif ch.kind == "capacity":
            project, note = _apply_capacity(project, ch)
            notes.append(note)
        elif ch.kind == "horizon":
            project = replace(
                project, settings=replace(project.settings, horizon_months=int(ch.value))
            )
            notes.append(ch.describe())
        elif ch.kind == "growth":
            f = 1.0 + ch.value / 100.0
            factor *= f
            project = replace(
                project, workloads=tuple(_grow_workload(w, f) for w in project.workloads)
            )
            notes.append(ch.describe())
    return Applied(project=project, catalogue=catalogue, growth_factor=factor, notes=tuple(notes))


# --------------------------------------------------------------------------- sweeps


@dataclass(frozen=True, slots=True)
class Sweep:
    """``KEY=FROM..TO:STEP``: ``kind`` is price, horizon or growth; ``unit`` ``%`` or ``""``."""

    kind: str
    key: str
    values: tuple[float, ...]
    unit: str
    text: str

    def change_at(self, value: float) -> Change:
        if self.kind == "horizon":
            return Change("horizon", "", "set", float(round(value)), f"horizon={value:g}")
        if self.kind == "growth":
            return Change("growth", "", "pct", value, f"growth={value:g}%")
        op = "pct" if self.unit == "%" else "set"
        return Change("price", self.key, op, value, f"{self.key}={value:g}{self.unit}")

    def label(self, value: float) -> str:
        if self.kind == "horizon":
            return f"{value:g} months"
        if self.unit == "%":
            return f"{value:+g} %"
        return f"{value:g}"


def parse_sweep(text: str) -> Sweep:
    """Parse ``KEY=FROM..TO:STEP`` (``aws.p5=-60%..0%:10%``, ``KEY=20..40:5``,
    ``horizon=12..60:12``, ``growth=0%..50%:10%``)."""
    fix = "e.g. --sweep aws.p5=-60%..0%:10% or --sweep horizon=12..60:12"
    m = re.fullmatch(
        rf"\s*([^=\s]+)\s*=\s*({_NUMBER})\s*(%?)\s*\.\.\s*({_NUMBER})\s*(%?)\s*:\s*({_NUMBER})\s*(%?)\s*",
        text,
    )
    if not m:
        raise UsageError(f"--sweep {text!r}: expected KEY=FROM..TO:STEP", fix=fix)
    key, lo, u1, hi, u2, step, u3 = m.groups()
    units = {u for u in (u1, u2, u3) if u}
    if units and not (u1 and u2):
        raise UsageError(
            f"--sweep {text!r}: FROM and TO must both be percentages or neither", fix=fix
        )
    unit = "%" if units else ""
    start, stop, inc = float(lo), float(hi), float(step)
    if inc <= 0:
        raise UsageError(f"--sweep {text!r}: STEP must be positive", fix=fix)
    if stop < start:
        raise UsageError(f"--sweep {text!r}: TO must not be below FROM", fix=fix)
    n = math.floor((stop - start) / inc + 1e-9) + 1
    if n > MAX_SWEEP_POINTS:
        raise UsageError(
            f"--sweep {text!r}: {n} points (at most {MAX_SWEEP_POINTS})", fix="use a larger STEP"
        )
    values = tuple(round(start + i * inc, 10) for i in range(n))
    kind = key if key in ("horizon", "growth") else "price"
    if kind == "horizon" and unit:
        raise UsageError(f"--sweep {text!r}: the horizon is in months, not %", fix=fix)
    if kind == "horizon" and (start < 1 or any(v != int(v) for v in values)):
        raise UsageError(
            f"--sweep {text!r}: the horizon takes whole numbers of months >= 1", fix=fix
        )
    if kind == "growth":
        unit = "%"
        if start <= -100:
            raise UsageError(f"--sweep {text!r}: growth must be above -100 %", fix=fix)
    return Sweep(kind=kind, key=key, values=values, unit=unit, text=text)


# --------------------------------------------------------------------------- running

PlanFn = Callable[[Project, Catalogue, tuple[Classification, ...]], Plan]
"""Plans a project with a catalogue and given classifications (``pipeline.build_plan``)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A scenario's plan and its difference from the base plan (``planner.diff`` shape)."""

    changes: tuple[Change, ...]
    notes: tuple[str, ...]
    project: Project
    plan: Plan | None
    diff: Mapping[str, Any] | None
    infeasible: str | None = None


def run_scenario(
    project: Project,
    catalogue: Catalogue,
    changes: Sequence[Change],
    *,
    plan_fn: PlanFn,
    classifications: tuple[Classification, ...],
    base: Mapping[str, Any],
) -> Outcome:
    """Apply ``changes``, re-plan with ``plan_fn`` (classifications reused: telemetry is
    unchanged) and diff against ``base`` (the base plan's ``plan_to_dict``)."""
    from planner.report import diff_plans
    from planner.report import plan_to_dict

    applied = apply_changes(project, catalogue, changes)
    cls = grow_classifications(classifications, project, applied.growth_factor)
    try:
        plan = plan_fn(applied.project, applied.catalogue, cls)
    except InfeasibleError as exc:
        return Outcome(tuple(changes), applied.notes, applied.project, None, None, exc.render())
    head = plan_to_dict(plan, applied.project)
    return Outcome(tuple(changes), applied.notes, applied.project, plan, diff_plans(base, head))


@dataclass(frozen=True, slots=True)
class SweepRow:
    value: float
    label: str
    usd_per_month: float | None
    delta_usd_per_month: float | None
    moves: int
    sites: Mapping[str, str] = field(default_factory=dict)
    """Watched workload -> its sites at this value (comma-joined)."""
    infeasible: str | None = None


@dataclass(frozen=True, slots=True)
class SweepResult:
    sweep: Sweep
    watched: tuple[str, ...]
    rows: tuple[SweepRow, ...]
    transitions: tuple[str, ...]
    """Human-readable break-even statements: where a watched workload changes site."""


def run_sweep(
    project: Project,
    catalogue: Catalogue,
    sweep: Sweep,
    *,
    changes: Sequence[Change] = (),
    plan_fn: PlanFn,
    classifications: tuple[Classification, ...],
    base: Mapping[str, Any],
    watch: Sequence[str] = (),
) -> SweepResult:
    """Re-plan once per sweep value (after ``changes``). Watched workloads are ``watch`` plus
    every workload whose sites differ between any two points of the sweep."""
    base_usd = float(base["totals"]["usd_per_month"])
    outcomes = [
        (
            v,
            run_scenario(
                project,
                catalogue,
                (*changes, sweep.change_at(v)),
                plan_fn=plan_fn,
                classifications=classifications,
                base=base,
            ),
        )
        for v in sweep.values
    ]
    placed: list[dict[str, str]] = []
    for _, o in outcomes:
        placed.append(
            {} if o.plan is None else {p.workload: " + ".join(p.sites) for p in o.plan.placements}
        )
    names = sorted({n for m in placed for n in m})
    moving = {n for n in names if len({m.get(n) for m in placed if m}) > 1}
    watched = tuple(sorted(moving | set(watch)))
    rows = []
    for (v, o), where in zip(outcomes, placed, strict=True):
        total = None if o.plan is None else round(o.plan.usd_per_month, 2)
        rows.append(
            SweepRow(
                value=v,
                label=sweep.label(v),
                usd_per_month=total,
                delta_usd_per_month=None if total is None else round(total - base_usd, 2),
                moves=0 if o.diff is None else len(o.diff["moves"]),
                sites={n: where.get(n, "-") for n in watched},
                infeasible=o.infeasible,
            )
        )
    transitions = []
    for n in watched:
        prev: SweepRow | None = None
        for r in rows:
            if r.infeasible is None:
                if prev is not None and prev.sites[n] != r.sites[n]:
                    transitions.append(
                        f"{n} {transition_text(prev.sites[n], r.sites[n])} between "
                        f"{prev.label} and {r.label}"
                    )
                prev = r
    return SweepResult(
        sweep=sweep, watched=watched, rows=tuple(rows), transitions=tuple(transitions)
    )


def transition_text(before: str, after: str) -> str:
    """How a workload's sites change (``a + b`` is a placement split over two sites): a
    split that gains or loses a site is said so, not printed as a move onto itself."""
    old = set(before.split(" + ")) - {"-"}
    new = set(after.split(" + ")) - {"-"}
    if old and new and old < new:
        return f"also runs on {' + '.join(sorted(new - old))} (besides {' + '.join(sorted(old))})"
    if old and new and new < old:
        return f"stops running on {' + '.join(sorted(old - new))} (keeps {' + '.join(sorted(new))})"
    return f"moves from {before} to {after}"


def sweep_to_dict(result: SweepResult) -> dict[str, Any]:
    """The sweep as JSON-ready data."""
    return {
        "sweep": result.sweep.text,
        "kind": result.sweep.kind,
        "key": result.sweep.key,
        "unit": result.sweep.unit,
        "watched": list(result.watched),
        "rows": [
            {
                "value": r.value,
                "label": r.label,
                "usd_per_month": r.usd_per_month,
                "delta_usd_per_month": r.delta_usd_per_month,
                "moves": r.moves,
                "sites": dict(sorted(r.sites.items())),
                "infeasible": r.infeasible,
            }
            for r in result.rows
        ],
        "transitions": list(result.transitions),
    }


def sweep_table(result: SweepResult) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Header and rows of the break-even table (money in USD/month)."""
    from planner.report import money, signed_money

    header = (
        result.sweep.key if result.sweep.kind == "price" else result.sweep.kind,
        "total USD/month",
        "delta USD/month",
        "moves vs base",
        *result.watched,
    )
    rows = [
        (
            r.label,
            "infeasible" if r.usd_per_month is None else money(r.usd_per_month),
            "-" if r.delta_usd_per_month is None else signed_money(r.delta_usd_per_month),
            str(r.moves),
            *(r.sites[n] for n in result.watched),
        )
        for r in result.rows
    ]
    return header, rows


def outcome_to_dict(outcome: Outcome) -> dict[str, Any]:
    """A scenario as JSON-ready data: the changes, what they did, the diff against the base
    plan, and the scenario's own plan (the ``plan.json`` document it would write)."""
    from planner.report import plan_to_dict

    return {
        "changes": [c.text for c in outcome.changes],
        "notes": list(outcome.notes),
        "infeasible": outcome.infeasible,
        "diff": None if outcome.diff is None else dict(outcome.diff),
        "plan": None
        if outcome.plan is None
        else plan_to_dict(outcome.plan, outcome.project, command="hybridplan what-if"),
    }
