"""The batch (numpy) instance choice answers exactly as the scalar ``cloud.choose`` does, and
candidates priced with it are the scalar candidates: same instances, same Money to the cent.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from planner.catalogue import Catalogue, load_default_catalogue
from planner.cost import PriceCache, offers_for
from planner.cost.choose_batch import Query, prime_cloud_choices, prime_fleet, queries_for
from planner.cost.cloud import _choose, choice_key
from planner.load.project import load_project
from planner.model import Constraints, Offer, Project, Resources, SiteKind
from planner.solve.candidates import build_candidates

BENCH = Path(__file__).resolve().parents[2] / "bench" / "fleet.py"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A 240-workload real-format fleet of bench/fleet.py (20 sites, overrides, discounts)."""
    spec = importlib.util.spec_from_file_location("bench_fleet", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_fleet"] = module  # dataclasses look their module up while built
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("fleet")
    module.write_fleet(out, 240, seed=5)
    return load_project(out)


def right_sized(project: Project) -> dict[str, Resources]:
    """Requests unlike the declared ones (odd fractions of a vCPU and GiB), so that both the
    declared and the right-sized shapes are compared."""
    return {
        w.name: replace(
            w.resources, cpu=w.resources.cpu * 0.37, memory_gib=w.resources.memory_gib * 0.61
        )
        for i, w in enumerate(project.workloads)
        if i % 2 == 0
    }


def test_every_batch_choice_is_the_scalar_choice(fleet: Project) -> None:
    """Each primed answer equals ``_choose`` on the same arguments, and only rows the scalar
    path answers with a reason are left unprimed."""
    catalogue = load_default_catalogue()
    requests = right_sized(fleet)
    cache = PriceCache()
    stored = prime_fleet(fleet, requests, catalogue, cache)
    queries = [
        q
        for w in fleet.workloads
        for q in queries_for(w, requests.get(w.name, w.resources), fleet.sites)
    ]
    assert stored > 1000
    assert len(queries) > 1000
    unprimed = 0
    for q in queries:
        key = choice_key(
            q.site, catalogue, q.request, q.option, replicas=q.replicas, cap=q.cap, cache=cache
        )
        scalar = _choose(q.site, catalogue, q.request, q.option, replicas=q.replicas, cap=q.cap)
        if cache.has_cloud_choice(key):
            assert cache.cloud_choice(key, lambda: (None, "")) == scalar, q
        else:
            unprimed += 1
            assert scalar[0] is None, q
    assert unprimed < len(queries) // 10


def test_ties_go_to_the_instance_key(fleet: Project) -> None:
    """Instances priced alike (a site override setting every on-demand price to one value)
    are chosen as the scalar path chooses: the lowest total, then the instance key."""
    catalogue = load_default_catalogue()
    site = next(s for s in fleet.sites if s.kind is SiteKind.CLOUD and s.cloud_cost is not None)
    region = site.cloud_cost.price_region if site.cloud_cost is not None else ""
    flat = {
        f"{i.key}.{region}.on-demand": 0.25 for i in catalogue.instances_in(site.provider, region)
    }
    tied = replace(site, price_overrides=flat)
    queries = [
        Query(tied, w.resources, q.option, q.replicas, q.cap)
        for w in fleet.workloads
        for q in queries_for(w, w.resources, (tied,))
    ]
    cache = PriceCache()
    prime_cloud_choices(queries, catalogue, cache)
    compared = 0
    for q in queries:
        key = choice_key(
            tied, catalogue, q.request, q.option, replicas=q.replicas, cap=q.cap, cache=cache
        )
        if cache.has_cloud_choice(key):
            scalar = _choose(tied, catalogue, q.request, q.option, replicas=q.replicas, cap=q.cap)
            assert cache.cloud_choice(key, lambda: (None, "")) == scalar, q
            compared += 1
    assert compared > 100


@pytest.fixture(scope="module")
def scalar_offers(fleet: Project) -> dict[str, tuple[Offer, ...]]:
    """Every workload's offers at the right-sized requests, from ``offers_for`` without a
    cache, in candidate order (site, option, instance): what both paths below must give."""
    catalogue: Catalogue = load_default_catalogue()
    requests = right_sized(fleet)
    sites = {s.name: s for s in fleet.sites}
    want = {}
    for w in fleet.workloads:
        current = sites.get(w.current_site) if w.current_site is not None else None
        want[w.name] = tuple(
            sorted(
                (
                    o
                    for s in sorted(sites)
                    for o in offers_for(
                        w,
                        requests.get(w.name, w.resources),
                        sites[s],
                        catalogue,
                        fleet.settings,
                        current=current,
                        cache=None,
                    )
                ),
                key=lambda o: (o.site, o.option, o.instance_type or ""),
            )
        )
    return want


@pytest.mark.parametrize("path", ["fleet pricer", "primed cache"])
def test_candidates_are_the_scalar_candidates(
    fleet: Project, scalar_offers: dict[str, tuple[Offer, ...]], path: str
) -> None:
    """``build_candidates`` (by default through ``FleetPricer``; or the scalar
    ``offers_for`` on a batch-primed cache, memoised egress and moves) prices every offer
    as ``offers_for`` without a cache: the same offers, line items and Money to the cent."""
    catalogue: Catalogue = load_default_catalogue()
    requests = right_sized(fleet)
    if path == "fleet pricer":
        batch = build_candidates(fleet, requests, catalogue, Constraints())
    else:
        cache = PriceCache()
        prime_fleet(fleet, requests, catalogue, cache)

        def cached(*args: Any, **kwargs: Any) -> tuple[Offer, ...]:
            return offers_for(*args, cache=cache, **kwargs)

        batch = build_candidates(
            fleet, requests, catalogue, Constraints(), offers_for=cached, memo=True
        )
    assert set(scalar_offers) == {w.name for w in fleet.workloads}
    for w in fleet.workloads:
        assert batch.get(w.name).offers == scalar_offers[w.name], w.name
