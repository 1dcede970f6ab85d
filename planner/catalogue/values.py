"""The catalogue's values: prices (exact ``Decimal`` rates, each with source and date),
instance shapes, default owned nodes, the split rule, and ``Catalogue`` with its lookups and
``with_overrides`` (the digest is recomputed over the new prices)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from planner.errors import InputError, Problem
from planner.fx import FxRate
from planner.money import decimal_of
from planner.names import nearest_names

SUPPORTED_CURRENCIES: frozenset[str] = frozenset({"USD"})
"""Currencies the catalogue can be priced in. Only USD today (every source is in USD)."""

PRICE_OPTIONS: tuple[str, ...] = ("on-demand", "spot", "capacity-block")
"""Instance price suffixes: ``aws.<instance>.<region>.<option>``."""


@dataclass(frozen=True, slots=True)
class Source:
    """A publication a price comes from."""

    id: str
    title: str
    ref: str
    date: str


@dataclass(frozen=True, slots=True)
class Price:
    """One catalogue entry: an exact rate in ``unit``. ``up_to_gib`` is set on tiered
    prices (egress)."""

    key: str
    value: Decimal
    unit: str
    source: str
    date: str
    note: str = ""
    up_to_gib: Decimal | None = None


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
class ManagedClass:
    """A managed-service class (an RDS DB instance class, an ElastiCache node type, an
    OpenSearch instance type). ``key`` is ``<provider>.<service>.<name>``, e.g.
    ``aws.rds.db.m6i.large``; its hourly prices are ``<provider>.<service>[.<engine>].<name>.
    <region>``."""

    key: str
    provider: str
    service: str
    name: str
    vcpu: float
    memory_gib: float


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


def build_index(
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
    managed_classes: Mapping[str, ManagedClass] = field(default_factory=dict)
    """Managed-service classes by key (``aws.rds.db.m6i.large``)."""
    fx_rates: Mapping[str, FxRate] = field(default_factory=dict)
    """Exchange rates by currency code (``planner.fx``): for showing a project's figures in
    its own currency; not part of ``digest`` (they change no computed amount)."""
    index: CatalogueIndex = field(default_factory=CatalogueIndex, compare=False, repr=False)

    # ------------------------------------------------------------------ lookups

    def has(self, key: str) -> bool:
        return key in self.prices

    def overridable(self, key: str) -> bool:
        """Whether a site or what-if may set ``key``: a catalogue price, or a per-region key the
        catalogue leaves absent for want of a source (a managed-service class price, RDS and
        OpenSearch storage, S3 storage and requests), which an offer then names to add."""
        if key in self.prices:
            return True
        parts = key.split(".")
        if len(parts) < 3:
            return False
        provider, service, region_less = parts[0], parts[1], ".".join(parts[2:-1])
        if f"{provider}.{service}.{region_less}" in _REGIONAL_STORAGE:
            return True
        if f"{provider}.{service}.{region_less}" in self.managed_classes:
            return True  # no engine in the key (OpenSearch)
        engines = _ENGINES.get(service, frozenset())
        return parts[2] in engines and (
            f"{provider}.{service}.{'.'.join(parts[3:-1])}" in self.managed_classes
        )

    def entry(self, key: str) -> Price:
        """The entry under ``key``; ``KeyError`` if absent (callers turn it into an
        ``InputError`` naming the site)."""
        return self.prices[key]

    def value(self, key: str, overrides: Mapping[str, float | Decimal] | None = None) -> Decimal:
        """The price under ``key``, a site override winning over the catalogue (an override
        is taken as the decimal it was written as, see ``planner.money.decimal_of``)."""
        if overrides is not None and key in overrides:
            return decimal_of(overrides[key])
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

    def classes_of(self, provider: str, service: str) -> tuple[ManagedClass, ...]:
        """The managed classes of ``service`` (``rds``, ``elasticache``, ``opensearch``),
        sorted by key."""
        return tuple(
            c
            for k, c in sorted(self.managed_classes.items())
            if c.provider == provider and c.service == service
        )

    def egress_tiers(self, provider: str) -> tuple[Price, ...]:
        """Tiered internet egress entries of ``provider``, in tier order."""
        return self.index.tiers.get(provider, ())

    def with_overrides(
        self, overrides: Mapping[str, Decimal | float], *, label: str = ""
    ) -> Catalogue:
        """A new catalogue with ``overrides`` applied (what-if ``--price KEY=VALUE``).

        Unknown keys and negative values raise ``InputError``; the digest is recomputed."""
        problems: list[Problem] = []
        new = dict(self.prices)
        for key, raw in sorted(overrides.items()):
            if not self.overridable(key):
                problems.append(unknown_key_problem(self, key, label or "--price"))
                continue
            value = decimal_price(raw)
            if value is None or value < 0:
                problems.append(
                    Problem(
                        label or "--price",
                        0,
                        0,
                        key,
                        f"price must be >= 0, got {raw}",
                        "give a non-negative number",
                    )
                )
                continue
            note = f"overridden ({label or 'what-if'})"
            new[key] = (
                replace(new[key], value=value, note=note)
                if key in new
                else Price(
                    key=key, value=value, unit="", source="override", date="what-if", note=note
                )
            )
        if problems:
            raise InputError(problems, message="invalid price override")
        return replace(
            self, prices=new, digest=digest_of(self, new), index=build_index(new, self.instances)
        )


_ENGINES: Mapping[str, frozenset[str]] = {
    "rds": frozenset({"mysql", "postgres"}),
    "elasticache": frozenset({"redis", "valkey"}),
}
"""The engines in a managed class price key ``<provider>.<service>.<engine>.<class>.<region>``."""

_REGIONAL_STORAGE = frozenset(
    {
        "aws.rds.gp3",
        "aws.rds.backup",
        "aws.opensearch.gp3",
        "aws.s3.standard",
        "aws.s3.standard-ia",
        "aws.s3.put-requests",
        "aws.s3.get-requests",
    }
)
"""Per-region keys ``<these>.<region>`` a site may add although the catalogue has no price."""


def unknown_key_problem(cat: Catalogue, key: str, where: str) -> Problem:
    near = nearest_names(key, cat.prices)
    hint = f"did you mean {', '.join(near)}?" if near else "see `planner/catalogue/*.yaml`"
    return Problem(where, 0, 0, key, f"unknown catalogue key {key!r}", f"use a known key; {hint}")


def _canonical(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


def _hashed(value: Decimal | None) -> float | None:
    """A price as the canonical JSON has always written it (a JSON float), so a catalogue
    keeps its digest, and plans their input digest. Used for hashing only: the float is
    the one the YAML text denotes, and nothing is computed with it."""
    return None if value is None else float(value)


def digest_of(cat: Catalogue, prices: Mapping[str, Price]) -> str:
    """Digest of the catalogue as it would be serialised with ``prices``."""
    payload = {
        "version": cat.version,
        "captured": cat.captured,
        "currency": cat.currency,
        "prices": {
            k: [_hashed(p.value), p.unit, p.source, p.date, _hashed(p.up_to_gib)]
            for k, p in prices.items()
        },
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
    if cat.managed_classes:  # absent from older catalogues: their digest is unchanged
        payload["managed_classes"] = {
            k: [c.vcpu, c.memory_gib] for k, c in cat.managed_classes.items()
        }
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def decimal_price(value: Any) -> Decimal | None:
    """A price as an exact ``Decimal`` (YAML text parsed by ``load_default_catalogue`` is
    already one; an int or float from a hand-built mapping is taken as written); ``None``
    for anything that is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        return decimal_of(value)
    except (ValueError, InvalidOperation):
        return None
