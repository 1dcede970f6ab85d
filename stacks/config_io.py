"""Writing and reading the stack config of :mod:`stacks.spec`: :func:`to_config` turns a
:class:`~stacks.spec.StackConfig` into the plain data ``hybridplan`` writes to
``Pulumi.<env>.yaml``; :func:`parse_stack_config` reads it back into the same classes, and
``*_args`` give each component its ``Args``.

Parsing is strict: an unknown or missing key of a section raises ``SpecError`` naming the
key, so a hand-edited config fails at ``pulumi preview`` rather than deploying something
else. Top-level keys other than :data:`SECTIONS` (provider settings such as
``kubernetes:context``) are left to their owners.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

from stacks.spec import (
    CONFIG_KEY,
    OMIT_DEFAULT,
    AutoscaleSpec,
    AwsBurstArgs,
    AwsBurstConfig,
    AwsCostGuardArgs,
    BudgetConfig,
    BurstSpec,
    EksConfig,
    FlavorSpec,
    GpuTrainingPoolArgs,
    JobSpec,
    KubernetesConfig,
    KubernetesWorkloadsArgs,
    NetworkConfig,
    NodePoolSpec,
    PriceOverlaySpec,
    QuotaSpec,
    StackConfig,
    StackInfo,
    TeamQueueSpec,
    TeamSpec,
    TrainingConfig,
    WorkloadSpec,
)


class SpecError(ValueError):
    """The stack config does not match the contract the components expect."""


T = TypeVar("T")


def to_config(value: Any) -> Any:
    """``value`` as plain config data: dataclasses as mappings of their fields (renamed and
    omitted as their metadata says), tuples as lists; other values as they are."""
    if is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in fields(value):
            item = getattr(value, f.name)
            if f.metadata.get(OMIT_DEFAULT) and item == f.default:
                continue
            out[f.metadata.get(CONFIG_KEY, f.name)] = to_config(item)
        return out
    if isinstance(value, Mapping):
        return {str(k): to_config(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_config(v) for v in value]
    return value


def _take(cls: type[T], data: Any, where: str, **convert: Any) -> T:
    """Build dataclass ``cls`` from ``data``; ``convert`` maps field names to parsers."""
    if not isinstance(data, Mapping):
        raise SpecError(f"{where}: expected a mapping, got {type(data).__name__}")
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - names)
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {', '.join(unknown)}")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name in convert and value is not None:
            value = convert[f.name](value, f"{where}.{f.name}")
        kwargs[f.name] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise SpecError(f"{where}: {exc}") from None


Parser = Callable[[Any, str], Any]


def _list_of(cls: type[T], **convert: Parser) -> Parser:
    def parse(items: Any, where: str) -> tuple[T, ...]:
        if not isinstance(items, list | tuple):
            raise SpecError(f"{where}: expected a list")
        return tuple(_take(cls, item, f"{where}[{i}]", **convert) for i, item in enumerate(items))

    return parse


def _one(cls: type[T], **convert: Parser) -> Parser:
    def parse(item: Any, where: str) -> T:
        return _take(cls, item, where, **convert)

    return parse


def _strs(items: Any, where: str) -> tuple[str, ...]:
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise SpecError(f"{where}: expected a list of strings")
    return tuple(items)


def _ints(items: Any, where: str) -> tuple[int, ...]:
    try:
        if not isinstance(items, list | tuple):
            raise TypeError
        return tuple(int(i) for i in items)
    except (TypeError, ValueError):
        raise SpecError(f"{where}: expected a list of integers") from None


def _str_map(items: Any, where: str) -> dict[str, str]:
    if not isinstance(items, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in items.items()
    ):
        raise SpecError(f"{where}: expected a mapping of strings to strings")
    return dict(items)


SECTIONS: tuple[str, ...] = (
    "stack",
    "kubernetes",
    "training",
    "eks",
    "aws_burst",
    "budget",
    "network",
)
"""The keys of the stack's own namespace that the program reads."""


_FLAVORS = _list_of(FlavorSpec, node_labels=_str_map, tolerations=_strs)
_QUOTAS = _list_of(QuotaSpec)
_PARSERS: dict[str, Parser] = {
    "stack": _one(StackInfo, failure_domains=_strs),
    "kubernetes": _one(
        KubernetesConfig,
        teams=_list_of(TeamSpec, quota=_str_map),
        workloads=_list_of(
            WorkloadSpec,
            requests=_str_map,
            limits=_str_map,
            ports=_ints,
            autoscale=_one(AutoscaleSpec),
            sites=_strs,
        ),
        priority_tiers=_ints,
    ),
    "training": _one(
        TrainingConfig,
        teams=_strs,
        flavors=_FLAVORS,
        queues=_list_of(TeamQueueSpec, quotas=_QUOTAS),
        jobs=_list_of(JobSpec, requests=_str_map),
        burst=_one(
            BurstSpec,
            clusters=_strs,
            flavors=_FLAVORS,
            quotas=_QUOTAS,
            kubeconfig_secrets=_str_map,
            worker_projects=_str_map,
        ),
    ),
    "eks": _one(EksConfig),
    "aws_burst": _one(
        AwsBurstConfig,
        node_pools=_list_of(NodePoolSpec, instance_types=_strs, workloads=_strs),
        training_teams=_strs,
        overlays=_list_of(PriceOverlaySpec, capacity_types=_strs, instance_types=_strs),
    ),
    "budget": _one(BudgetConfig, alert_thresholds_pct=_ints, alert_emails=_strs),
    "network": _one(NetworkConfig, subnet_ids=_strs, security_group_ids=_strs),
}


def parse_stack_config(data: Mapping[str, Any]) -> StackConfig:
    """The :class:`StackConfig` of config ``data`` (keys without the project prefix; a key
    whose value is ``None`` counts as absent)."""
    present = {k: v for k, v in data.items() if v is not None}
    if "stack" not in present:
        raise SpecError("stack: missing (the stack identity hybridplan writes)")
    sections = {k: _PARSERS[k](present[k], k) for k in SECTIONS if k in present}
    region = present.get("aws:region")
    return StackConfig(
        aws_region=None if region is None else str(region),
        **sections,
    )


def kubernetes_args(config: StackConfig) -> KubernetesWorkloadsArgs | None:
    if config.kubernetes is None:
        return None
    return KubernetesWorkloadsArgs(**_fields(config.kubernetes), stack=config.stack)


def training_args(config: StackConfig) -> GpuTrainingPoolArgs | None:
    if config.training is None:
        return None
    return GpuTrainingPoolArgs(**_fields(config.training), stack=config.stack)


def aws_burst_args(config: StackConfig) -> AwsBurstArgs | None:
    if config.aws_burst is None:
        return None
    if config.eks is None:
        raise SpecError("aws_burst: needs the `eks` section (the cluster the nodes join)")
    return AwsBurstArgs(
        **_fields(config.aws_burst),
        stack=config.stack,
        eks=config.eks,
        network=config.network or NetworkConfig(),
    )


def cost_guard_args(config: StackConfig) -> AwsCostGuardArgs | None:
    if config.budget is None:
        return None
    return AwsCostGuardArgs(**_fields(config.budget), stack=config.stack)


def _fields(section: Any) -> dict[str, Any]:
    """A config section's fields by name (to extend into its component's ``Args``)."""
    return {f.name: getattr(section, f.name) for f in fields(section)}
