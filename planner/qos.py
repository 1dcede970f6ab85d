"""The CPU limit an emitted pod gets for its request, shared by right-sizing (which checks
the limit against the observed peaks) and emit (which writes it). Pure.

Tier 1 gets limit = request (Kubernetes "Guaranteed" QoS: never throttled below its
request, never allowed above it); tiers 2+ get ``CPU_LIMIT_FACTOR`` x request ("Burstable":
room for short peaks without reserving them).
"""

from __future__ import annotations

CPU_LIMIT_FACTOR = 2.0
"""CPU limit over request for tiers 2+ (burstable QoS); tier 1 gets limit = request."""


def cpu_limit_cores(request_cores: float, tier: int) -> float:
    """The CPU limit emitted for a per-replica request (module doc)."""
    return request_cores if tier == 1 else request_cores * CPU_LIMIT_FACTOR
