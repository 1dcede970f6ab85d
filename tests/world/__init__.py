"""The shared test world (imported as ``world``; ``tests/`` is on ``sys.path`` through its
conftest): builders for sites, workloads, projects and plans, and the standard world they
build - ``tests/data/mini`` as model objects, plus ``search-api``, and a plan over it.

Built by hand (no loader, no solver), so a test built on it pins its own module's contract
only; ``tests/unit/test_world.py`` checks that the mini world equals what the loader reads
from ``tests/data/mini``. Every builder returns a new frozen value and takes keyword changes
for any field (``colo_eu(capacity=None)``, ``checkout_api(tier=2)``).

Builders
    ``site(name, kind, **changes)``        a cloud site is AWS, unlimited, priced in a region
                                           named like the site; an owned one is self-run with
                                           512 cores and 4 TiB
    ``workload(name, kind, **changes)``    team-a, tier 2, one replica of 1 core and 2 GiB
    ``project(workloads, sites, **changes)``
    ``usd(amount)``                        an amount as Money, rounded to the cent (a string
                                           exactly, a float at its shortest digits)
    ``assignment(site, option, replicas, per_month, **changes)``
    ``placement(workload, assignments, **changes)``  cost summed from the assignments
    ``classification(workload, cls, *reasons, **changes)``  certain unless told otherwise
    ``plan(placements, **changes)``        totals summed from the placements

The mini world
    sites ``colo_eu`` (kubernetes), ``gpu_pool_us`` (gpu-pool), ``aws_eu_west_1`` and
    ``aws_us_east_1`` (cloud); workloads ``checkout_api``, ``payments_db``, ``llm_finetune``
    (all three as in ``tests/data/mini/inventory.yaml``), ``search_api`` (team ``web``,
    bursty) and its redis ``search_cache``; ``mini_project()`` and ``mini_plan()``, the
    plan the emit tests and the golden stacks (``tests/golden/stacks_mini``) are made from.
"""

from __future__ import annotations

from world.build import (
    assignment,
    classification,
    placement,
    plan,
    project,
    site,
    usd,
    workload,
)
from world.mini import (
    DIGEST,
    MINI_COMMAND,
    MINI_DIGESTS,
    MINI_ROOT,
    aws_eu_west_1,
    aws_us_east_1,
    checkout_api,
    colo_eu,
    gpu_pool_us,
    llm_finetune,
    mini_plan,
    mini_project,
    mini_sites,
    mini_workloads,
    payments_db,
    search_api,
    search_cache,
)
from world.planned import planned

__all__ = [
    "DIGEST",
    "MINI_COMMAND",
    "MINI_DIGESTS",
    "MINI_ROOT",
    "assignment",
    "aws_eu_west_1",
    "aws_us_east_1",
    "checkout_api",
    "classification",
    "colo_eu",
    "gpu_pool_us",
    "llm_finetune",
    "mini_plan",
    "mini_project",
    "mini_sites",
    "mini_workloads",
    "payments_db",
    "placement",
    "plan",
    "planned",
    "project",
    "search_api",
    "search_cache",
    "site",
    "usd",
    "workload",
]
