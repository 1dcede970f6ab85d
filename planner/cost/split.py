"""The split rule: reference cloud prices per vCPU-hour, GiB-hour and GPU-hour.

An owned node's monthly cost is split between its CPUs, memory and GPUs in proportion to
what the same resources cost on demand in the cloud. Per-vCPU ``c`` and per-GiB ``g`` hourly
prices solve ``vcpu_G c + mem_G g = P_G`` and ``vcpu_M c + mem_M g = P_M`` for the catalogue's
reference general-purpose and memory instances (m6i.xlarge, r6i.xlarge in us-east-1 ->
c = 0.033 USD/vCPU-h, g = 0.00375 USD/GiB-h, a vCPU weighs as 8.8 GiB), and a GPU of type
``t`` weighs ``(P_t - vcpu_t c - mem_t g) / gpus_t`` from its reference instance (p5.48xlarge
for h100: 10.538 USD/GPU-h). Exact: ``Decimal`` arithmetic on the catalogue's prices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from planner.catalogue import Catalogue
from planner.errors import InputError, Problem
from planner.money import decimal_of


@dataclass(frozen=True, slots=True)
class SplitWeights:
    """Reference on-demand USD per vCPU-hour, GiB-hour and GPU-hour (by type)."""

    usd_per_vcpu_hour: Decimal
    usd_per_gib_hour: Decimal
    usd_per_gpu_hour: Mapping[str, Decimal] = field(default_factory=dict)


def split_weights(catalogue: Catalogue) -> SplitWeights:
    """Solve the reference prices for USD per vCPU-hour and per GiB-hour (see module doc)."""
    rule = catalogue.split
    region = rule.reference_region
    g_inst = catalogue.instances[rule.general]
    m_inst = catalogue.instances[rule.memory]
    p_g = catalogue.prices[f"{rule.general}.{region}.on-demand"].value
    p_m = catalogue.prices[f"{rule.memory}.{region}.on-demand"].value
    g_cpu, g_mem = decimal_of(g_inst.vcpu), decimal_of(g_inst.memory_gib)
    m_cpu, m_mem = decimal_of(m_inst.vcpu), decimal_of(m_inst.memory_gib)
    det = g_cpu * m_mem - m_cpu * g_mem
    if det == 0:  # parse_catalogue rejects this; kept for hand-built catalogues
        raise InputError(
            [
                Problem(
                    catalogue.origin or "catalogue",
                    0,
                    0,
                    "split.memory",
                    f"{rule.memory} has the same GiB per vCPU as {rule.general}, so CPU and "
                    f"memory prices cannot be told apart",
                    "name a memory-optimised instance (such as aws.r6i.xlarge) as split.memory",
                )
            ],
            message=f"invalid price catalogue {catalogue.origin}",
        )
    c = (p_g * m_mem - p_m * g_mem) / det
    g = (g_cpu * p_m - m_cpu * p_g) / det
    gpu: dict[str, Decimal] = {}
    for gpu_type, ikey in rule.gpu.items():
        inst = catalogue.instances[ikey]
        p = catalogue.prices[f"{ikey}.{region}.on-demand"].value
        rest = p - decimal_of(inst.vcpu) * c - decimal_of(inst.memory_gib) * g
        gpu[gpu_type] = max(rest, Decimal(0)) / max(inst.gpus, 1)
    return SplitWeights(usd_per_vcpu_hour=c, usd_per_gib_hour=g, usd_per_gpu_hour=gpu)
