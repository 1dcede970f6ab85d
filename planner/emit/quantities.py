"""Numbers as the stack config writes them: Kubernetes CPU and memory quantities (rounded
up, so a pod always gets at least what the plan sized), money and GPU-hours as fixed
two-decimal strings, and the short plan id."""

from __future__ import annotations

import math
import re

from planner.model import Plan
from planner.money import Money


def milli(cores: float) -> int:
    """Cores as millicores, rounded up."""
    return math.ceil(round(cores * 1000, 6))


def mib(gib: float) -> int:
    """GiB as MiB, rounded up."""
    return math.ceil(round(gib * 1024, 6))


def cpu_quantity(cores: float) -> str:
    """Kubernetes CPU quantity: whole cores as ``"2"``, else millicores rounded up."""
    m = milli(cores)
    return str(m // 1000) if m % 1000 == 0 else f"{m}m"


def memory_quantity(gib: float) -> str:
    """Kubernetes memory quantity: ``"4Gi"`` when whole, else MiB rounded up."""
    m = mib(gib)
    return f"{m // 1024}Gi" if m % 1024 == 0 else f"{m}Mi"


def amount(value: Money) -> str:
    """Money as the config writes it: ``1234.57`` (exact cents, no grouping, no unit)."""
    return value.format(unit=False, group=False)


def hours(value: float) -> str:
    """GPU-hours as a fixed two-decimal string (no float noise in config or annotations)."""
    return f"{value:.2f}"


def plan_id(plan: Plan) -> str:
    """First 12 hex digits of the input digest (a valid label value), or ``unversioned``."""
    digest = plan.input_digest.lower().removeprefix("sha256:")
    hexdigits = re.sub(r"[^0-9a-f]", "", digest)[:12]
    return hexdigits or "unversioned"
