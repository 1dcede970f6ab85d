"""The price catalogue: a versioned, dated set of prices, each with its source and date.

``parse_catalogue`` (``planner.catalogue.parse``) turns the YAML mapping
(``planner/catalogue/<version>.yaml``) into a typed, validated ``Catalogue``
(``planner.catalogue.values``); it is pure. ``load_default_catalogue`` at the bottom is the
only function here that reads a file (the packaged catalogue, through
``importlib.resources``).

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
``aws.rds.<mysql|postgres>.<class>.<region>``               USD per Single-AZ instance-hour
``aws.rds.<gp3|backup>.<region>``                           USD per GiB-month
``aws.elasticache.<redis|valkey>.<node>.<region>``          USD per node-hour
``aws.opensearch.<instance>.<region>``, ``.gp3.<region>``    USD per hour, per GiB-month
``aws.cloudfront.tier-<n>`` (with ``up_to_gib``)            USD per GiB, monthly tiers
==========================================================  ==============================

Prices are ``Decimal`` rates, parsed from the catalogue's YAML text exactly (a float never
stands between the file and the money computed from it). The catalogue's ``digest`` is the
sha256 of its canonical JSON (sorted keys, no spaces), so a plan can record exactly which
prices it used.
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation

from planner.catalogue.parse import parse_catalogue, validate_overrides
from planner.catalogue.values import (
    PRICE_OPTIONS,
    SUPPORTED_CURRENCIES,
    Catalogue,
    CatalogueIndex,
    InstanceType,
    ManagedClass,
    NodeDefault,
    Price,
    Source,
    SplitRule,
)

__all__ = [
    "DEFAULT_CATALOGUE",
    "PRICE_OPTIONS",
    "SUPPORTED_CURRENCIES",
    "Catalogue",
    "CatalogueIndex",
    "InstanceType",
    "ManagedClass",
    "NodeDefault",
    "Price",
    "Source",
    "SplitRule",
    "load_default_catalogue",
    "parse_catalogue",
    "validate_overrides",
]

# ------------------------------------------------------------------ the only I/O

DEFAULT_CATALOGUE = "2025-h1.yaml"


@functools.cache
def load_default_catalogue() -> Catalogue:
    """Read the catalogue shipped with the package (``planner/catalogue/2025-h1.yaml``);
    read once per process (the catalogue is immutable)."""
    from importlib import resources  # the I/O stays inside this one function

    import yaml

    # libyaml's parser where PyYAML has it (the same data, a tenth of the time)
    safe_loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _DecimalLoader(safe_loader):  # type: ignore[valid-type,misc]
        """YAML floats become ``Decimal`` of their text, so prices are exact."""

    def _decimal_scalar(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
        text = str(loader.construct_scalar(node)).replace("_", "")
        try:
            out = Decimal(text)
        except InvalidOperation:  # .inf, .nan: refused by parse_catalogue
            return loader.construct_yaml_float(node)
        return out if out.is_finite() else loader.construct_yaml_float(node)

    _DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal_scalar)
    text = resources.files("planner").joinpath("catalogue", DEFAULT_CATALOGUE).read_text("utf-8")
    data = yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 - a SafeLoader subclass
    return parse_catalogue(data, source=f"planner/catalogue/{DEFAULT_CATALOGUE}")
