"""CDN egress (``data.cdn_egress_gib_per_month``, issue #13): what a workload serves to the
internet through a CDN, priced at the catalogue's CDN tiers (``aws.cloudfront.tier-<n>``,
USD per GiB by monthly volume, each tier up to ``up_to_gib``) on every site, cloud or owned:
a CDN in front of an owned origin bills the same per GiB delivered (the origin's own traffic
to the CDN is ``data.egress_gib_per_month``). The account-wide free allowance is not applied.
"""

from __future__ import annotations

from planner.catalogue import Catalogue, Price
from planner.cost.common import item, num, through_tiers
from planner.fx import CODE
from planner.model import LineItem, Site
from planner.money import Money

CDN_TIER_PREFIX = "aws.cloudfront.tier-"


def cdn_tiers(catalogue: Catalogue) -> tuple[Price, ...]:
    """The CDN tiers in tier order."""
    tiers = [p for k, p in catalogue.prices.items() if k.startswith(CDN_TIER_PREFIX)]
    return tuple(sorted(tiers, key=lambda p: int(p.key.removeprefix(CDN_TIER_PREFIX))))


def cdn_items(site: Site, catalogue: Catalogue, gib: float) -> tuple[LineItem, ...] | str:
    """One line for ``gib`` per month through the tiers, or the reason it cannot be priced."""
    if gib <= 0:
        return ()
    tiers = cdn_tiers(catalogue)
    if not tiers:
        return (
            f"no CDN tiers ({CDN_TIER_PREFIX}<n>) in catalogue {catalogue.version}: add them "
            f"to price CDN egress"
        )
    t = through_tiers(gib, tiers, lambda tier: catalogue.value(tier.key, site.price_overrides))
    formula = f"{num(gib)} GiB/month by tier: " + " + ".join(t.parts) + f" {CODE}/GiB"
    sources = (*t.keys, f"source {tiers[0].source} ({tiers[0].date})")
    return (item("CDN egress", Money.of(t.usd, catalogue.currency), formula, *sources),)
