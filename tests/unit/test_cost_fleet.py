"""``FleetPricer`` gives the offers the uncached ``offers_for`` gives, field for field (the
repr compares Decimal exponents and line order too), on every workload x site of generated
fleets, the managed-services project and the example; and the scalar path's errors."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from planner.catalogue import Catalogue, load_default_catalogue
from planner.cost import PriceCache, offers_for
from planner.cost.fleet import FleetPricer
from planner.errors import InputError
from planner.load.project import load_project
from planner.model import DataSpec, Project, Resources, Site, SiteKind

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "fleet.py"


def _bench_fleet(out: Path, size: int, seed: int) -> Project:
    spec = importlib.util.spec_from_file_location("bench_fleet", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_fleet"] = module  # dataclasses look their module up while built
    spec.loader.exec_module(module)
    module.write_fleet(out, size, seed=seed)
    return load_project(out)


def _varied(project: Project) -> Project:
    """Every kind of service the shared lines key on: duty-cycle hours (declared and from
    telemetry), CDN egress, storage, tier 1 and spot refused, replicas 1 to 12."""
    out = []
    for i, given in enumerate(project.workloads):
        w = given
        if i % 7 == 0:
            w = replace(w, hours_per_month=200.0 + i % 3 * 0.5)
        if i % 11 == 0:
            w = replace(w, hours_per_month=333.3, hours_source="telemetry duty cycle")
        if i % 5 == 0:
            w = replace(w, data=replace(w.data, cdn_egress_gib_per_month=50.0 * (i % 4)))
        if i % 9 == 0:
            w = replace(w, tier=1, replicas=1 + i % 12, allow_spot=i % 2 == 0)
        if i % 13 == 0:
            w = replace(w, data=DataSpec(egress_gib_per_month=12.0, dataset_gib=0.0))
        out.append(w)
    return replace(project, workloads=tuple(out))


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A 300-workload real-format fleet of bench/fleet.py (20 sites), varied."""
    return _varied(_bench_fleet(tmp_path_factory.mktemp("fleet"), 300, seed=7))


def right_sized(project: Project) -> dict[str, Resources]:
    """Odd fractions of the declared requests for every other workload."""
    return {
        w.name: replace(
            w.resources, cpu=w.resources.cpu * 0.37, memory_gib=w.resources.memory_gib * 0.61
        )
        for i, w in enumerate(project.workloads)
        if i % 2 == 0
    }


def assert_same_offers(
    project: Project, requests: dict[str, Resources], catalogue: Catalogue
) -> int:
    """Every workload x site priced both ways, compared by repr, each workload with a class
    in turn (bursty, steady, none: its headroom in the usage); and every site at once
    (``offers_on``, another pricer): the scalar offers site by site. The number of offers."""
    pricer = FleetPricer(project, requests, catalogue, cache=PriceCache())
    at_once = FleetPricer(project, requests, catalogue, cache=PriceCache())
    sites = {s.name: s for s in project.sites}
    ordered = [sites[name] for name in sorted(sites)]
    n = 0
    for i, w in enumerate(sorted(project.workloads, key=lambda w: w.name)):
        request = requests.get(w.name, w.resources)
        current = sites.get(w.current_site) if w.current_site is not None else None
        cls = ("bursty", "steady", None)[i % 3]
        every = []
        for site in ordered:
            args = (w, request, site, catalogue, project.settings)
            got = pricer.offers_for(*args, current=current, cls=cls)
            want = offers_for(*args, current=current, cache=None, cls=cls)
            assert repr(got) == repr(want), (w.name, site.name)
            every.extend(want)
            n += len(got)
        on = at_once.offers_on(
            w, request, ordered, catalogue, project.settings, current=current, cls=cls
        )
        assert repr(on) == repr(every), w.name
    return n


def test_fleet_offers_are_the_scalar_offers(fleet: Project) -> None:
    """A generated fleet at declared and right-sized requests: the same offers."""
    catalogue = load_default_catalogue()
    assert assert_same_offers(fleet, right_sized(fleet), catalogue) > 10_000


def test_tied_prices_and_overrides(fleet: Project) -> None:
    """Sites whose instances are all priced alike (near ties ranked again exactly) and one
    with an override of its own: the same offers."""
    catalogue = load_default_catalogue()
    sites: list[Site] = []
    for s in fleet.sites:
        if s.kind is SiteKind.CLOUD and s.cloud_cost is not None and len(sites) < 2:
            region = s.cloud_cost.price_region
            flat = {
                f"{i.key}.{region}.{suffix}": 0.25
                for i in catalogue.instances_in(s.provider, region)
                for suffix in ("on-demand", "spot")
            }
            sites.append(replace(s, price_overrides=flat))
        else:
            sites.append(s)
    project = replace(fleet, sites=tuple(sites), workloads=fleet.workloads[:60])
    assert assert_same_offers(project, {}, catalogue) > 1_000


@pytest.mark.parametrize(
    "folder",
    [ROOT / "examples" / "acme", ROOT / "tests" / "data" / "managed"],
    ids=["acme", "managed"],
)
def test_projects_offers_are_the_scalar_offers(folder: Path) -> None:
    """The example (training, GPU pools, leased capacity) and the managed-services project
    (managed databases, search, caches, object stores): the same offers."""
    project = load_project(folder)
    assert assert_same_offers(project, {}, load_default_catalogue()) > 0


def test_a_site_error_is_the_scalar_error(fleet: Project) -> None:
    """A cloud site without its price region raises the scalar path's located error (one
    site or every site at once)."""
    catalogue = load_default_catalogue()
    site = next(s for s in fleet.sites if s.kind is SiteKind.CLOUD and s.cloud_cost is not None)
    assert site.cloud_cost is not None
    broken = replace(site, cloud_cost=replace(site.cloud_cost, price_region="nowhere-1"))
    project = replace(
        fleet,
        sites=tuple(broken if s.name == site.name else s for s in fleet.sites),
        workloads=fleet.workloads[:5],
    )
    w = project.workloads[0]
    pricer = FleetPricer(project, {}, catalogue, cache=PriceCache())
    with pytest.raises(InputError) as fast:
        pricer.offers_for(w, w.resources, broken, catalogue, project.settings)
    with pytest.raises(InputError) as scalar:
        offers_for(w, w.resources, broken, catalogue, project.settings)
    assert fast.value.problems == scalar.value.problems
    with pytest.raises(InputError) as at_once:  # every site at once: the same error
        FleetPricer(project, {}, catalogue, cache=PriceCache()).offers_on(
            w, w.resources, project.sites, catalogue, project.settings
        )
    assert at_once.value.problems == scalar.value.problems


def test_another_catalogue_or_request_is_priced_as_asked(fleet: Project) -> None:
    """Arguments unlike those the pricer was built for (a request it did not batch, a site
    changed since) are priced as ``offers_for`` prices them."""
    catalogue = load_default_catalogue()
    project = replace(fleet, workloads=fleet.workloads[:20])
    pricer = FleetPricer(project, {}, catalogue, cache=PriceCache())
    for w in project.workloads:
        bigger = replace(w.resources, cpu=w.resources.cpu * 3 + 0.5)
        for s in project.sites:
            moved = replace(s, availability_pct=99.0)
            for site, request in ((s, bigger), (moved, w.resources)):
                got = pricer.offers_for(w, request, site, catalogue, project.settings)
                want = offers_for(w, request, site, catalogue, project.settings)
                assert repr(got) == repr(want), (w.name, s.name)
