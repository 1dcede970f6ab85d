"""The price catalogue: a versioned, dated set of prices, each with its source and date.

``parse_catalogue`` turns the YAML mapping (``planner/catalogue/<version>.yaml``) into a typed,
validated ``Catalogue``; it is pure. ``load_default_catalogue`` at the bottom is the only
function here that reads a file (the packaged catalogue, through ``importlib.resources``).

Every price lives under one flat, dotted key; the same keys are what a site's
``price_overrides`` and ``what-if --price KEY=VALUE`` override:

==========================================================  ==============================
key                                                         unit
==========================================================  ==============================
``aws.<instance>.<region>.<on-demand|spot|capacity-block>``  USD per instance-hour
``aws.discount.<commit-1y|commit-3y>-pct``                  percent off on-demand
``aws.egress.internet.tier-<n>`` (with ``up_to_gib``)       USD per GiB, monthly tiers
``aws.ebs.gp3.<region>``, ``aws.s3.standard.<region>``      USD per GiB-month
``gpuaas.<provider|default>.<gpu type>``                    USD per GPU-hour
``owned.<parameter>``, ``owned.node.<class>.<capex-usd|power-kw>``  see the entry's unit
``spot.interruption-overhead-pct.<training|service>``       percent
==========================================================  ==============================

The catalogue's ``digest`` is the sha256 of its canonical JSON (sorted keys, no spaces), so
a plan can record exactly which prices it used.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from planner.errors import InputError, Problem

SUPPORTED_CURRENCIES: frozenset[str] = frozenset({"USD"})
"""Currencies the catalogue can be priced in. Only USD today (every source is in USD)."""

PRICE_OPTIONS: tuple[str, ...] = ("on-demand", "spot", "capacity-block")
"""Instance price suffixes: ``aws.<instance>.<region>.<option>``."""

_UNITS_WITH_LIMITS: Mapping[str, tuple[float, float]] = {
    "pct": (0.0, 100.0),
    "ratio": (1.0, 10.0),
}


@dataclass(frozen=True, slots=True)
class Source:
    """A publication a price comes from."""

    id: str
    title: str
    ref: str
    date: str


@dataclass(frozen=True, slots=True)
class Price:
    """One catalogue entry. ``up_to_gib`` is set on tiered prices (egress)."""

    key: str
    value: float
    unit: str
    source: str
    date: str
    note: str = ""
    up_to_gib: float | None = None


@dataclass(frozen=True, slots=True)
class InstanceType:
    """A cloud instance shape. ``key`` is ``<provider>.<name>``, e.g. ``aws.m6i.xlarge``."""

    key: str
    provider: str
    name: str
    family: str
    vcpu: float
    memory_gib: float
    gpus: int = 0
    gpu_type: str | None = None


@dataclass(frozen=True, slots=True)
class NodeDefault:
    """A default owned server shape; its capex and power are prices
    ``owned.node.<name>.capex-usd`` and ``owned.node.<name>.power-kw``."""

    name: str
    cpu: float
    memory_gib: float
    gpus: int = 0
    gpu_type: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class SplitRule:
    """Reference instances whose on-demand prices set the CPU : memory : GPU cost ratio."""

    reference_region: str
    general: str
    memory: str
    gpu: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CatalogueIndex:
    """Lookups precomputed from the prices (built by ``parse_catalogue``; speed only)."""

    regions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    instances: Mapping[tuple[str, str], tuple[InstanceType, ...]] = field(default_factory=dict)
    tiers: Mapping[str, tuple[Price, ...]] = field(default_factory=dict)
    families: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _build_index(
    prices: Mapping[str, Price], instances: Mapping[str, InstanceType]
) -> CatalogueIndex:
    regions: dict[str, set[str]] = {}
    by_region: dict[tuple[str, str], list[InstanceType]] = {}
    tiers: dict[str, list[Price]] = {}
    for k, p in prices.items():
        parts = k.split(".")
        if parts[-1] in PRICE_OPTIONS and len(parts) >= 4:
            regions.setdefault(parts[0], set()).add(parts[-2])
            inst = instances.get(".".join(parts[:-2]))
            if parts[-1] == "on-demand" and inst is not None:
                by_region.setdefault((inst.provider, parts[-2]), []).append(inst)
        if len(parts) == 4 and parts[1:3] == ["egress", "internet"]:
            tiers.setdefault(parts[0], []).append(p)
    fams: dict[str, set[str]] = {}
    for i in instances.values():
        fams.setdefault(i.provider, set()).add(i.family)
    return CatalogueIndex(
        regions={k: tuple(sorted(v)) for k, v in regions.items()},
        instances={k: tuple(sorted(v, key=lambda i: i.key)) for k, v in by_region.items()},
        tiers={
            k: tuple(sorted(v, key=lambda p: int(p.key.rsplit("-", 1)[1])))
            for k, v in tiers.items()
        },
        families={k: tuple(sorted(v)) for k, v in fams.items()},
    )


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: str
    captured: str
    currency: str
    prices: Mapping[str, Price]
    instances: Mapping[str, InstanceType]
    sources: Mapping[str, Source]
    node_defaults: Mapping[str, NodeDefault]
    split: SplitRule
    digest: str
    """sha256 of the canonical JSON of the catalogue data (after overrides)."""
    origin: str = ""
    """Where the catalogue was read from (for messages)."""
    index: CatalogueIndex = field(default_factory=CatalogueIndex, compare=False, repr=False)

    # ------------------------------------------------------------------ lookups

    def has(self, key: str) -> bool:
        return key in self.prices

    def entry(self, key: str) -> Price:
        """The entry under ``key``; ``KeyError`` if absent (callers turn it into an
        ``InputError`` naming the site)."""
        return self.prices[key]

    def value(self, key: str, overrides: Mapping[str, float] | None = None) -> float:
        """The price under ``key``, a site override winning over the catalogue."""
        if overrides is not None and key in overrides:
            return float(overrides[key])
        return self.prices[key].value

    def instance_price_key(self, instance: InstanceType, region: str, option: str) -> str:
        return f"{instance.key}.{region}.{option}"

    def instances_in(self, provider: str, region: str) -> tuple[InstanceType, ...]:
        """Instance types with an on-demand price in ``region``, sorted by key."""
        return self.index.instances.get((provider, region), ())

    def families(self, provider: str) -> tuple[str, ...]:
        return self.index.families.get(provider, ())

    def regions(self, provider: str) -> tuple[str, ...]:
        """Regions with at least one instance price of ``provider``."""
        return self.index.regions.get(provider, ())

    def egress_tiers(self, provider: str) -> tuple[Price, ...]:
        """Tiered internet egress entries of ``provider``, in tier order."""
        return self.index.tiers.get(provider, ())

    def with_overrides(self, overrides: Mapping[str, float], *, label: str = "") -> Catalogue:
        """A new catalogue with ``overrides`` applied (what-if ``--price KEY=VALUE``).

        Unknown keys and negative values raise ``InputError``; the digest is recomputed."""
        problems: list[Problem] = []
        new = dict(self.prices)
        for key, value in sorted(overrides.items()):
            if key not in self.prices:
                problems.append(_unknown_key_problem(self, key, label or "--price"))
                continue
            if not math.isfinite(value) or value < 0:
                problems.append(
                    Problem(
                        label or "--price",
                        0,
                        0,
                        key,
                        f"price must be >= 0, got {value}",
                        "give a non-negative number",
                    )
                )
                continue
            new[key] = replace(
                new[key], value=float(value), note=f"overridden ({label or 'what-if'})"
            )
        if problems:
            raise InputError(problems, message="invalid price override")
        return replace(
            self, prices=new, digest=_digest_of(self, new), index=_build_index(new, self.instances)
        )


def _unknown_key_problem(cat: Catalogue, key: str, where: str) -> Problem:
    import difflib  # only needed on the error path

    near = difflib.get_close_matches(key, list(cat.prices), n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(near)}?" if near else "see `planner/catalogue/*.yaml`"
    return Problem(where, 0, 0, key, f"unknown catalogue key {key!r}", f"use a known key; {hint}")


# ------------------------------------------------------------------ parsing


def _canonical(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


def _digest_of(cat: Catalogue, prices: Mapping[str, Price]) -> str:
    """Digest of the catalogue as it would be serialised with ``prices``."""
    payload = {
        "version": cat.version,
        "captured": cat.captured,
        "currency": cat.currency,
        "prices": {k: [p.value, p.unit, p.source, p.date, p.up_to_gib] for k, p in prices.items()},
        "instances": {
            k: [i.family, i.vcpu, i.memory_gib, i.gpus, i.gpu_type]
            for k, i in cat.instances.items()
        },
        "node_defaults": {
            k: [n.cpu, n.memory_gib, n.gpus, n.gpu_type] for k, n in cat.node_defaults.items()
        },
        "split": [
            cat.split.reference_region,
            cat.split.general,
            cat.split.memory,
            dict(cat.split.gpu),
        ],
    }
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def parse_catalogue(data: Mapping[str, Any], *, source: str) -> Catalogue:
    """Validate ``data`` (a parsed catalogue YAML) and return a ``Catalogue``.

    Collects every problem before raising one ``InputError``: missing fields, unknown
    currency, negative or non-finite prices, percentages outside [0, 100], a depreciation
    of 0 months, a PUE below 1, a price citing an unknown source, an instance without a
    shape."""
    problems: list[Problem] = []

    def bad(fld: str, msg: str, fix: str) -> None:
        problems.append(Problem(source, 0, 0, fld, msg, fix))

    if not isinstance(data, Mapping):
        raise InputError(
            [
                Problem(
                    source,
                    0,
                    0,
                    "",
                    "a catalogue must be a mapping",
                    "start from planner/catalogue/2025-h1.yaml",
                )
            ],
            message=f"invalid price catalogue {source}",
        )
    for section in ("sources", "instances", "prices", "node_defaults", "split"):
        if not isinstance(data.get(section) or {}, Mapping):
            bad(section, f"`{section}` must be a mapping", "see planner/catalogue/2025-h1.yaml")
    if problems:
        raise InputError(problems, message=f"invalid price catalogue {source}")

    version = str(data.get("version", "") or "")
    captured = str(data.get("captured", "") or "")
    currency = str(data.get("currency", "") or "")
    if not version:
        bad("version", "missing catalogue version", 'add `version: "2025-h1"`')
    if not captured:
        bad("captured", "missing capture date", 'add `captured: "YYYY-MM-DD"`')
    if currency not in SUPPORTED_CURRENCIES:
        bad(
            "currency",
            f"unknown currency {currency!r}",
            f"price the catalogue in one of {sorted(SUPPORTED_CURRENCIES)}",
        )

    sources: dict[str, Source] = {}
    for sid, s in sorted((data.get("sources") or {}).items()):
        if not isinstance(s, Mapping):
            bad(f"sources.{sid}", "a source must be a mapping", "give title, ref and date")
            continue
        sources[str(sid)] = Source(
            str(sid), str(s.get("title", "")), str(s.get("ref", "")), str(s.get("date", ""))
        )

    instances: dict[str, InstanceType] = {}
    for raw_key, spec in sorted((data.get("instances") or {}).items()):
        key = str(raw_key)
        fld = f"instances.{key}"
        if not isinstance(spec, Mapping) or "." not in key:
            bad(
                fld,
                "an instance is `<provider>.<name>: {family, vcpu, memory_gib}`",
                "fix the entry",
            )
            continue
        vcpu, mem = _num(spec.get("vcpu")), _num(spec.get("memory_gib"))
        gpus = _num(spec.get("gpus", 0))
        if vcpu is None or mem is None or vcpu <= 0 or mem <= 0 or gpus is None or gpus < 0:
            bad(
                fld,
                "vcpu and memory_gib must be positive numbers, gpus >= 0",
                "give the instance shape",
            )
            continue
        provider, name = key.split(".", 1)
        gpu_type = spec.get("gpu_type")
        instances[key] = InstanceType(
            key=key,
            provider=provider,
            name=name,
            family=str(spec.get("family", name.split(".")[0])),
            vcpu=vcpu,
            memory_gib=mem,
            gpus=int(gpus),
            gpu_type=str(gpu_type) if gpu_type else None,
        )

    prices: dict[str, Price] = {}
    for raw_key, spec in sorted((data.get("prices") or {}).items()):
        key = str(raw_key)
        fld = f"prices.{key}"
        if not isinstance(spec, Mapping):
            bad(fld, "a price is `{value, unit, source, date}`", "fix the entry")
            continue
        value = _num(spec.get("value"))
        unit = str(spec.get("unit", ""))
        if value is None or not math.isfinite(value):
            bad(fld, f"price value must be a number, got {spec.get('value')!r}", "give a number")
            continue
        if value < 0:
            bad(fld, f"negative price {value:g} {unit}", "prices must be >= 0")
            continue
        lo_hi = _UNITS_WITH_LIMITS.get(unit)
        if lo_hi is not None and not lo_hi[0] <= value <= lo_hi[1]:
            bad(
                fld,
                f"{value:g} {unit} is outside [{lo_hi[0]:g}, {lo_hi[1]:g}]",
                f"give a {unit} in that range",
            )
            continue
        if unit == "months" and value < 1:
            bad(fld, f"depreciation of {value:g} months", "amortise over at least 1 month")
            continue
        if not unit:
            bad(fld, "missing unit", "add `unit:` (usd-per-hour, pct, ...)")
        src = str(spec.get("source", ""))
        if src not in sources:
            bad(fld, f"unknown source {src!r}", "cite an id listed under `sources`")
        date = str(spec.get("date", "") or "")
        if not date:
            bad(fld, "missing date", "add the date the price was captured")
        up_to = spec.get("up_to_gib")
        up_to_gib = _num(up_to) if up_to is not None else None
        prices[key] = Price(
            key=key,
            value=value,
            unit=unit,
            source=src,
            date=date,
            note=str(spec.get("note", "") or ""),
            up_to_gib=up_to_gib,
        )

    for key in prices:
        parts = key.split(".")
        if parts[-1] in PRICE_OPTIONS and len(parts) >= 4:
            ikey = ".".join(parts[:-2])
            if parts[0] in {"aws"} and ikey not in instances:
                bad(
                    f"prices.{key}",
                    f"price for unknown instance {ikey!r}",
                    "add the instance under `instances`",
                )

    node_defaults: dict[str, NodeDefault] = {}
    for raw_name, spec in sorted((data.get("node_defaults") or {}).items()):
        name = str(raw_name)
        if not isinstance(spec, Mapping):
            bad(f"node_defaults.{name}", "a node default is `{cpu, memory_gib}`", "fix the entry")
            continue
        cpu, mem = _num(spec.get("cpu")), _num(spec.get("memory_gib"))
        if cpu is None or mem is None or cpu <= 0 or mem <= 0:
            bad(f"node_defaults.{name}", "cpu and memory_gib must be positive", "fix the shape")
            continue
        for part in ("capex-usd", "power-kw"):
            if f"owned.node.{name}.{part}" not in prices:
                bad(
                    f"node_defaults.{name}",
                    f"missing price owned.node.{name}.{part}",
                    "add it under `prices`",
                )
        gpu_type = spec.get("gpu_type")
        node_defaults[name] = NodeDefault(
            name=name,
            cpu=cpu,
            memory_gib=mem,
            gpus=int(_num(spec.get("gpus", 0)) or 0),
            gpu_type=str(gpu_type) if gpu_type else None,
            note=str(spec.get("note", "") or ""),
        )

    split_data = data.get("split") or {}
    split = SplitRule(
        reference_region=str(split_data.get("reference_region", "us-east-1")),
        general=str(split_data.get("general", "")),
        memory=str(split_data.get("memory", "")),
        gpu={str(k): str(v) for k, v in sorted((split_data.get("gpu") or {}).items())},
    )
    for role, ikey in [
        ("general", split.general),
        ("memory", split.memory),
        *((f"gpu.{t}", k) for t, k in split.gpu.items()),
    ]:
        if f"{ikey}.{split.reference_region}.on-demand" not in prices:
            bad(
                f"split.{role}",
                f"no on-demand price for {ikey} in {split.reference_region}",
                "name an instance priced in the reference region",
            )
    g_inst, m_inst = instances.get(split.general), instances.get(split.memory)
    if (
        g_inst is not None
        and m_inst is not None
        and math.isclose(g_inst.vcpu * m_inst.memory_gib, m_inst.vcpu * g_inst.memory_gib)
    ):
        bad(
            "split.memory",
            f"{split.memory} has the same GiB per vCPU as {split.general} "
            f"({g_inst.memory_gib / g_inst.vcpu:g}), so CPU and memory prices cannot be "
            f"told apart",
            "name a memory-optimised instance (such as aws.r6i.xlarge) as split.memory",
        )

    if problems:
        raise InputError(problems, message=f"invalid price catalogue {source}")

    cat = Catalogue(
        version=version,
        captured=captured,
        currency=currency,
        prices=prices,
        instances=instances,
        sources=sources,
        node_defaults=node_defaults,
        split=split,
        digest="",
        origin=source,
        index=_build_index(prices, instances),
    )
    return replace(cat, digest=_digest_of(cat, prices))


def validate_overrides(
    catalogue: Catalogue, overrides: Mapping[str, float], *, where: str
) -> tuple[Problem, ...]:
    """Problems with a site's ``price_overrides``: unknown keys, negative values."""
    problems: list[Problem] = []
    for key, value in sorted(overrides.items()):
        if key not in catalogue.prices:
            problems.append(_unknown_key_problem(catalogue, key, where))
        elif not math.isfinite(value) or value < 0:
            problems.append(
                Problem(
                    where,
                    0,
                    0,
                    f"price_overrides.{key}",
                    f"negative price {value:g}",
                    "prices must be >= 0",
                )
            )
    return tuple(problems)


# ------------------------------------------------------------------ the only I/O

DEFAULT_CATALOGUE = "2025-h1.yaml"


@functools.cache
def load_default_catalogue() -> Catalogue:
    """Read the catalogue shipped with the package (``planner/catalogue/2025-h1.yaml``);
    read once per process (the catalogue is immutable)."""
    from importlib import resources  # the I/O stays inside this one function

    import yaml

    text = resources.files("planner").joinpath("catalogue", DEFAULT_CATALOGUE).read_text("utf-8")
    data = yaml.safe_load(text)
    return parse_catalogue(data, source=f"planner/catalogue/{DEFAULT_CATALOGUE}")
