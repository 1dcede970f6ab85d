"""Object storage priced on both sides (workload kind ``object-store``, issue #13).

Cloud (S3, on-demand only; the gateway ``resources`` are not priced: S3 needs none), per
month, with ``G = objects.stored_gib`` and ``f = objects.infrequent_pct / 100``:

* Standard: ``G x (1 - f) x aws.s3.standard.<region>`` (USD/GiB-month, first 50 TB tier);
* Standard-IA: ``G x f x aws.s3.standard-ia.<region>``;
* requests: ``put / 1000 x aws.s3.put-requests.<region> + get / 1000 x
  aws.s3.get-requests.<region>`` (USD per 1,000 requests);
* internet egress: ``data.egress_gib_per_month`` through the provider's tiers.

IA retrievals, lifecycle transitions and the per-object minimums are not priced. A region
without one of these prices makes the offer ineligible with the key to add (never a guess).

Owned (a replicated storage array, per usable TB): ``raw_tb = G x 1.073741824 / 1000 x
owned.storage-array.replication-factor`` (GiB to decimal TB, times the copies kept), then

* array capex: ``raw_tb x owned.storage-array.capex-usd-per-raw-tb / depreciation months``
  (straight line; the site's ``depreciation_months``, else the catalogue's);
* array power and space: ``raw_tb x owned.storage-array.power-kw-per-raw-tb x colo USD per
  kW-month`` (the site's ``colo_usd_per_kw_month``, else the catalogue's: colo is sold per
  contracted kW, power included);
* the gateway (``resources`` x ``replicas``) at the site's cpu and memory rates, and transit
  (``owned_lines``).

Every key may be overridden per site (``price_overrides``).
"""

from __future__ import annotations

from decimal import Decimal

from planner.catalogue import Catalogue
from planner.cost.cloud import egress_items, storage_key
from planner.cost.common import PCT, item, num, unit_price
from planner.cost.priced import Priced
from planner.model import LineItem, ObjectStoreSpec, PricingOption, Site, Workload
from planner.money import Money, decimal_of

GB_PER_GIB = Decimal("1.073741824")
"""2^30 / 10^9: storage arrays and their prices count decimal TB."""

OWNED_ARRAY_KEYS = (
    "owned.storage-array.capex-usd-per-raw-tb",
    "owned.storage-array.power-kw-per-raw-tb",
    "owned.storage-array.replication-factor",
    "owned.depreciation-months",
    "owned.colo-usd-per-kw-month",
)


def _missing(catalogue: Catalogue, site: Site, keys: tuple[str, ...]) -> str | None:
    absent = [k for k in keys if k not in site.price_overrides and not catalogue.has(k)]
    if not absent:
        return None
    return (
        f"no price {', '.join(absent)} in catalogue {catalogue.version}: add it to the "
        f"site's price_overrides (object storage is not guessed)"
    )


def object_store_cloud_lines(
    workload: Workload,
    spec: ObjectStoreSpec,
    site: Site,
    catalogue: Catalogue,
    option: PricingOption,
) -> Priced:
    """S3 storage by class, requests and egress (on-demand only)."""
    if option is not PricingOption.ON_DEMAND:
        return Priced((), reason=f"object storage is sold on-demand, not {option.value}")
    keys = {
        k: storage_key(site, k)
        for k in ("s3.standard", "s3.standard-ia", "s3.put-requests", "s3.get-requests")
    }
    needed = [keys["s3.standard"]] if spec.infrequent_pct < 100 else []
    if spec.infrequent_pct > 0:
        needed.append(keys["s3.standard-ia"])
    if spec.put_requests_per_month > 0:
        needed.append(keys["s3.put-requests"])
    if spec.get_requests_per_month > 0:
        needed.append(keys["s3.get-requests"])
    why = _missing(catalogue, site, tuple(needed))
    if why is not None:
        return Priced((), reason=why)
    cur = catalogue.currency
    stored = decimal_of(spec.stored_gib)
    ia = stored * decimal_of(spec.infrequent_pct) / PCT
    items: list[LineItem] = []
    for label, gib, key in (
        ("object storage (S3 Standard)", stored - ia, keys["s3.standard"]),
        ("object storage (S3 Standard-IA)", ia, keys["s3.standard-ia"]),
    ):
        if gib > 0:
            p = catalogue.value(key, site.price_overrides)
            items.append(
                item(
                    label,
                    Money.of(gib * p, cur),
                    f"{num(gib)} GiB x {unit_price(p)}/GiB-month",
                    key,
                )
            )
    for label, count, key in (
        (
            "object requests (PUT/COPY/POST/LIST)",
            spec.put_requests_per_month,
            keys["s3.put-requests"],
        ),
        ("object requests (GET)", spec.get_requests_per_month, keys["s3.get-requests"]),
    ):
        if count > 0:
            p = catalogue.value(key, site.price_overrides)
            n = decimal_of(count)
            items.append(
                item(
                    label,
                    Money.of(n / 1000 * p, cur),
                    f"{num(n)} requests / 1,000 x {unit_price(p)}",
                    key,
                )
            )
    items.extend(egress_items(site, catalogue, workload.data.egress_gib_per_month))
    return Priced(tuple(items))


def storage_array_lines(spec: ObjectStoreSpec, site: Site, catalogue: Catalogue) -> Priced:
    """The owned storage array holding ``spec.stored_gib`` usable: capex over the
    depreciation months, and power and space at the colo price per kW."""
    why = _missing(catalogue, site, OWNED_ARRAY_KEYS)
    if why is not None:
        return Priced((), reason=why)
    capex_tb, kw_tb, copies, months, colo = (
        catalogue.value(k, site.price_overrides) for k in OWNED_ARRAY_KEYS
    )
    oc = site.owned_cost
    sources = [*OWNED_ARRAY_KEYS]
    if oc is not None and oc.depreciation_months is not None:
        months = Decimal(oc.depreciation_months)
        sources[3] = f"sites.{site.name}.cost.owned.depreciation_months"
    if oc is not None and oc.colo_usd_per_kw_month is not None:
        colo = decimal_of(oc.colo_usd_per_kw_month)
        sources[4] = f"sites.{site.name}.cost.owned.colo_usd_per_kw_month"
    cur = catalogue.currency
    stored = decimal_of(spec.stored_gib)
    raw_tb = stored * GB_PER_GIB / 1000 * copies
    raw_txt = (
        f"{num(stored)} GiB x 1.073741824 / 1000 x {num(copies)} copies = {num(raw_tb)} TB raw"
    )
    return Priced(
        (
            item(
                "storage array capex (owned)",
                Money.of(raw_tb * capex_tb / months, cur),
                f"{raw_txt} x {unit_price(capex_tb)}/TB / {num(months)} months",
                sources[0],
                sources[2],
                sources[3],
            ),
            item(
                "storage array power and space (owned)",
                Money.of(raw_tb * kw_tb * colo, cur),
                f"{num(raw_tb)} TB raw x {num(kw_tb)} kW/TB x {unit_price(colo)}/kW-month",
                sources[1],
                sources[4],
            ),
        )
    )
