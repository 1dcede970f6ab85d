"""Managed databases, search and caches priced as the managed service on a cloud site
(workload kinds ``managed-db``, ``search``, ``cache``; issue #13).

The class is the cheapest catalogue class of the service in the site's region that holds the
declared ``resources.cpu`` and ``memory_gib`` of one replica (ties: the class key). With
``P`` its hourly price and 730 hours a month (managed services run every hour):

* ``managed-db`` (RDS, ``aws.rds.<engine>.<class>.<region>``, USD per Single-AZ
  instance-hour): Multi-AZ when ``tier == 1`` or ``replicas > 1``. A Multi-AZ instance bills
  the primary and the standby (RDS user guide, source ``rds-multi-az-guide``), so
  ``n = 2 + max(0, replicas - 2)`` instances (read replicas beyond the pair), else ``n = 1``.
  Instances ``n x 730 x P``; storage ``n x storage_gib x aws.rds.gp3.<region>``; backups
  ``extra_backup_gib x aws.rds.backup.<region>`` (the first 100 % of provisioned storage is
  free).
* ``search`` (OpenSearch Service, ``aws.opensearch.<instance>.<region>``): ``replicas``
  data nodes, ``replicas x 730 x P``, and ``replicas x storage_gib x aws.opensearch.gp3.
  <region>``.
* ``cache`` (ElastiCache, ``aws.elasticache.<engine>.<node>.<region>``): ``replicas x 730 x
  P`` (one node per replica; no storage).

Internet egress (``data.egress_gib_per_month``) goes through the provider's tiers. Only
on-demand is priced (reserved nodes and database savings plans are not in the catalogue). A
region without a price makes the offer ineligible and names the key to add (never a guess);
every line lists the price keys and the catalogue source of each. On an owned site these
kinds run as pods (``planner.cost.owned_lines``: cpu, memory and storage per replica).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from planner.catalogue import Catalogue, ManagedClass
from planner.cost.cloud import egress_items, price_region
from planner.cost.common import HOURS, item, num, unit_price
from planner.cost.priced import Priced
from planner.model import LineItem, ManagedSpec, PricingOption, Site, Workload, WorkloadKind
from planner.money import Money, decimal_of

SERVICES: Mapping[WorkloadKind, str] = {
    WorkloadKind.MANAGED_DB: "rds",
    WorkloadKind.SEARCH: "opensearch",
    WorkloadKind.CACHE: "elasticache",
}
"""The catalogue service of each managed kind."""

_NAMES: Mapping[str, str] = {
    "rds": "RDS",
    "opensearch": "OpenSearch Service",
    "elasticache": "ElastiCache",
}


def class_price_key(site: Site, service: str, engine: str, cls: ManagedClass) -> str:
    """``<provider>.<service>[.<engine>].<class>.<region>`` (OpenSearch has one engine)."""
    eng = "" if service == "opensearch" else f".{engine}"
    return f"{site.provider}.{service}{eng}.{cls.name}.{price_region(site)}"


def _has(catalogue: Catalogue, site: Site, key: str) -> bool:
    return key in site.price_overrides or catalogue.has(key)


def _missing(catalogue: Catalogue, keys: list[str]) -> str:
    return (
        f"no price {', '.join(keys)} in catalogue {catalogue.version}: add it to the site's "
        f"price_overrides (managed services are not guessed)"
    )


def cited(catalogue: Catalogue, site: Site, key: str) -> tuple[str, str]:
    """The key and where its value comes from: the site's override or the catalogue
    source and date."""
    if key in site.price_overrides:
        return key, f"sites.{site.name}.price_overrides"
    entry = catalogue.entry(key)
    return key, f"source {entry.source} ({entry.date})"


def choose_class(
    workload: Workload, spec: ManagedSpec, site: Site, catalogue: Catalogue
) -> tuple[ManagedClass, str, Decimal] | str:
    """The cheapest priced class holding one replica, with its key and hourly price; or the
    reason there is none."""
    service = SERVICES[workload.kind]
    req = workload.resources
    fits = [
        c
        for c in catalogue.classes_of(site.provider, service)
        if c.vcpu >= req.cpu and c.memory_gib >= req.memory_gib
    ]
    if not fits:
        return (
            f"no {_NAMES[service]} class in catalogue {catalogue.version} holds {num(req.cpu)} "
            f"vCPU and {num(req.memory_gib)} GiB per replica"
        )
    keyed = [(c, class_price_key(site, service, spec.engine, c)) for c in fits]
    priced = [
        (catalogue.value(k, site.price_overrides), c.key, c, k)
        for c, k in keyed
        if _has(catalogue, site, k)
    ]
    if not priced:
        smallest = min(keyed, key=lambda ck: (ck[0].vcpu, ck[0].memory_gib, ck[0].key))
        return _missing(catalogue, [smallest[1]])
    p, _, cls, key = min(priced, key=lambda t: (t[0], t[1]))
    return cls, key, p


def managed_cloud_lines(
    workload: Workload,
    spec: ManagedSpec,
    site: Site,
    catalogue: Catalogue,
    option: PricingOption,
) -> Priced:
    """The managed service's instances (or nodes), storage, backups and egress."""
    service = SERVICES[workload.kind]
    if option is not PricingOption.ON_DEMAND:
        return Priced((), reason=f"{_NAMES[service]} is priced on-demand only, not {option.value}")
    chosen = choose_class(workload, spec, site, catalogue)
    if isinstance(chosen, str):
        return Priced((), reason=chosen)
    cls, key, p = chosen
    region = price_region(site)
    replicas = workload.replicas
    label = f"{_NAMES[service]} {cls.name}"
    if service == "rds":
        multi_az = workload.tier == 1 or replicas > 1
        n = 2 + max(0, replicas - 2) if multi_az else 1
        label += f", {'Multi-AZ' if multi_az else 'Single-AZ'}"
        if multi_az and replicas > 2:
            label += f" + {replicas - 2} read replica{'s' if replicas > 3 else ''}"
        storage_key: str | None = f"{site.provider}.rds.gp3.{region}"
    else:
        n = replicas
        storage_key = (
            f"{site.provider}.opensearch.gp3.{region}" if service == "opensearch" else None
        )
    storage = decimal_of(workload.resources.storage_gib)
    backup = decimal_of(spec.extra_backup_gib)
    backup_key = f"{site.provider}.rds.backup.{region}"
    needed = [k for k in (storage_key,) if k is not None and storage > 0]
    if service == "rds" and backup > 0:
        needed.append(backup_key)
    absent = [k for k in needed if not _has(catalogue, site, k)]
    if absent:
        return Priced((), reason=_missing(catalogue, absent))
    cur = catalogue.currency
    unit = ("node" if service != "rds" else "instance") + ("s" if n != 1 else "")
    items: list[LineItem] = [
        item(
            f"{label} ({unit})",
            Money.of(n * HOURS * p, cur),
            f"{n} {unit} x {num(HOURS)} h x {unit_price(p)}/h",
            *cited(catalogue, site, key),
        )
    ]
    if storage_key is not None and storage > 0:
        s = catalogue.value(storage_key, site.price_overrides)
        items.append(
            item(
                f"{_NAMES[service]} storage (gp3)",
                Money.of(n * storage * s, cur),
                f"{n} x {num(storage)} GiB x {unit_price(s)}/GiB-month",
                *cited(catalogue, site, storage_key),
            )
        )
    if service == "rds" and backup > 0:
        b = catalogue.value(backup_key, site.price_overrides)
        items.append(
            item(
                "RDS backup storage",
                Money.of(backup * b, cur),
                f"{num(backup)} GiB x {unit_price(b)}/GiB-month",
                *cited(catalogue, site, backup_key),
            )
        )
    items.extend(egress_items(site, catalogue, workload.data.egress_gib_per_month))
    return Priced(tuple(items), instance_type=cls.name)
