"""``parse_catalogue``: a parsed catalogue YAML mapping -> a validated ``Catalogue`` (pure),
and ``validate_overrides`` for a site's ``price_overrides``."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from planner.catalogue.values import (
    PRICE_OPTIONS,
    SUPPORTED_CURRENCIES,
    Catalogue,
    InstanceType,
    ManagedClass,
    NodeDefault,
    Price,
    Source,
    SplitRule,
    build_index,
    decimal_price,
    digest_of,
    unknown_key_problem,
)
from planner.errors import InputError, Problem
from planner.fx import PROJECT_CURRENCIES, FxRate
from planner.money import significant

_UNITS_WITH_LIMITS: Mapping[str, tuple[Decimal, Decimal]] = {
    "pct": (Decimal(0), Decimal(100)),
    "ratio": (Decimal(1), Decimal(10)),
}


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
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
    for section in (
        "sources",
        "instances",
        "prices",
        "node_defaults",
        "split",
        "managed_classes",
        "fx_rates",
    ):
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

    managed = _managed_classes(data.get("managed_classes") or {}, bad)
    fx_rates = _fx_rates(data.get("fx_rates") or {}, sources, bad)

    prices: dict[str, Price] = {}
    for raw_key, spec in sorted((data.get("prices") or {}).items()):
        key = str(raw_key)
        fld = f"prices.{key}"
        if not isinstance(spec, Mapping):
            bad(fld, "a price is `{value, unit, source, date}`", "fix the entry")
            continue
        value = decimal_price(spec.get("value"))
        unit = str(spec.get("unit", ""))
        if value is None:
            bad(fld, f"price value must be a number, got {spec.get('value')!r}", "give a number")
            continue
        if value < 0:
            bad(fld, f"negative price {significant(value)} {unit}", "prices must be >= 0")
            continue
        lo_hi = _UNITS_WITH_LIMITS.get(unit)
        if lo_hi is not None and not lo_hi[0] <= value <= lo_hi[1]:
            bad(
                fld,
                f"{significant(value)} {unit} is outside [{lo_hi[0]}, {lo_hi[1]}]",
                f"give a {unit} in that range",
            )
            continue
        if unit == "months" and value < 1:
            bad(
                fld,
                f"depreciation of {significant(value)} months",
                "amortise over at least 1 month",
            )
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
        up_to_gib = decimal_price(up_to) if up_to is not None else None
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
        managed_classes=managed,
        fx_rates=fx_rates,
        index=build_index(prices, instances),
    )
    return replace(cat, digest=digest_of(cat, prices))


def _fx_rates(
    data: Mapping[str, Any], sources: Mapping[str, Source], bad: Callable[[str, str, str], None]
) -> dict[str, FxRate]:
    """``fx_rates``: ``<code>: {usd_per_unit, date, source, note}`` for each project currency
    other than USD (``planner.fx``)."""
    out: dict[str, FxRate] = {}
    for raw_code, spec in sorted(data.items()):
        code = str(raw_code)
        fld = f"fx_rates.{code}"
        if code not in PROJECT_CURRENCIES or code == "USD":
            bad(
                fld,
                f"no project currency {code!r}",
                f"give a rate for one of {PROJECT_CURRENCIES[1:]}",
            )
            continue
        if not isinstance(spec, Mapping):
            bad(fld, "a rate is `{usd_per_unit, date, source}`", "fix the entry")
            continue
        rate = decimal_price(spec.get("usd_per_unit"))
        if rate is None or rate <= 0:
            bad(
                fld,
                f"usd_per_unit must be a positive number, got {spec.get('usd_per_unit')!r}",
                "give USD per unit, e.g. 1.0465",
            )
            continue
        day = str(spec.get("date", "") or "")
        try:
            date.fromisoformat(day)
        except ValueError:
            bad(fld, f"date {day!r} is not YYYY-MM-DD", "give the rate's reference date")
            continue
        src = str(spec.get("source", ""))
        if src not in sources:
            bad(fld, f"unknown source {src!r}", "cite an id listed under `sources`")
            continue
        out[code] = FxRate(code, rate, day, src, str(spec.get("note", "") or ""))
    return out


def _managed_classes(
    data: Mapping[str, Any], bad: Callable[[str, str, str], None]
) -> dict[str, ManagedClass]:
    """``managed_classes``: ``<provider>.<service>.<name>: {vcpu, memory_gib}``."""
    out: dict[str, ManagedClass] = {}
    for raw_key, spec in sorted(data.items()):
        key = str(raw_key)
        fld = f"managed_classes.{key}"
        parts = key.split(".", 2)
        vcpu = _num(spec.get("vcpu")) if isinstance(spec, Mapping) else None
        mem = _num(spec.get("memory_gib")) if isinstance(spec, Mapping) else None
        if len(parts) < 3 or vcpu is None or mem is None or vcpu <= 0 or mem <= 0:
            bad(
                fld,
                "a managed class is `<provider>.<service>.<name>: {vcpu, memory_gib}` with "
                "positive numbers",
                "fix the entry (e.g. `aws.rds.db.m6i.large: {vcpu: 2, memory_gib: 8}`)",
            )
            continue
        out[key] = ManagedClass(key, parts[0], parts[1], parts[2], vcpu, mem)
    return out


def validate_overrides(
    catalogue: Catalogue, overrides: Mapping[str, float | Decimal], *, where: str
) -> tuple[Problem, ...]:
    """Problems with a site's ``price_overrides``: unknown keys, negative values."""
    problems: list[Problem] = []
    for key, value in sorted(overrides.items()):
        exact = decimal_price(value)
        if not catalogue.overridable(key):
            problems.append(unknown_key_problem(catalogue, key, where))
        elif exact is None or exact < 0:
            problems.append(
                Problem(
                    where,
                    0,
                    0,
                    f"price_overrides.{key}",
                    f"negative price {value if exact is None else significant(exact)}",
                    "prices must be >= 0",
                )
            )
    return tuple(problems)
