"""Kueue quotas capped at the hardware: how many GPUs a site's nodes hold for training, and
how that capacity is split into per-team nominal quotas.

Sets: a site's GPU types ``t`` (one Kueue ResourceFlavor each on an owned site; one per
Karpenter NodePool on a cloud site), teams ``k`` with training demand ``d_k`` on a flavor
(GPUs of the pods the plan runs there at once).

- Capacity of an owned flavor: ``C_t = floor(P_t x u) - O_t`` (at least 0), with ``P_t``
  the site's physical GPUs of type ``t`` (``sites.yaml``), ``u`` its target utilisation and
  ``O_t`` the GPUs its other workloads of type ``t`` may hold (planned replicas plus HPA and
  rolling-update headroom). A cloud flavor's capacity is its NodePool's GPU limit.
- Nominal quotas: ``q_k = floor(C x d_k / D)`` with ``D = sum d_k``; the ``C - sum q_k``
  GPUs left by rounding go one each to the largest remainders (ties by team name). So
  ``sum q_k = C`` whenever ``D > 0``: the cohort never admits more than the nodes hold, and
  no capacity is left out of every quota. ``q_k <= C`` always.
- Borrowing limit of team ``k``: ``C - q_k``; within the cohort a team can use idle quota
  of the others, never more than the flavor holds.
- A Job's parallelism is capped at ``floor(max_f C_f / g)`` pods of ``g`` GPUs: a Job larger
  than every flavor of its GPU type would never be admitted.
"""

from __future__ import annotations

from collections.abc import Mapping

from planner.headroom import kueue_capacity
from planner.model import Site


def owned_training_gpus(site: Site, gpu: str, others_gpus: int) -> int:
    """``C_t``: GPUs of type ``gpu`` the owned ``site`` holds for training
    (``planner.headroom.kueue_capacity``, which the plan-time check HP-DEP-007 reads too)."""
    return kueue_capacity(site, gpu, others_gpus)


def split_quota(capacity: int, demand: Mapping[str, int]) -> dict[str, int]:
    """``q_k``: ``capacity`` split over the teams of ``demand`` in proportion to it
    (largest remainder); every team of ``demand`` gets an entry. With no demand at all, the
    capacity is split evenly (nobody's quota exceeds it either way)."""
    teams = sorted(demand)
    if not teams or capacity <= 0:
        return dict.fromkeys(teams, 0)
    weights = {k: max(0, demand[k]) for k in teams}
    total = sum(weights.values())
    if total == 0:
        weights = dict.fromkeys(teams, 1)
        total = len(teams)
    quota = {k: capacity * weights[k] // total for k in teams}
    left = capacity - sum(quota.values())
    by_remainder = sorted(teams, key=lambda k: (-(capacity * weights[k] % total), k))
    for k in by_remainder[:left]:
        quota[k] += 1
    return quota


def fitting_pods(planned: int, gpus_per_pod: int, capacities: list[int]) -> int:
    """The pods of a Job that can ever be admitted: ``planned``, capped at what the largest
    flavor of its GPU type holds (at least 1: a Job that cannot fit even one pod is left
    for HP-DEP-050 to report, rather than silently dropped)."""
    fit = max(capacities, default=0) // gpus_per_pod if gpus_per_pod > 0 else planned
    return max(1, min(planned, fit))
