"""planner.solve.candidates: every offer kept, prunes and pins as reasons, real cost wiring."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from strategies import offer, site, workload

from planner.model import Constraints, PricingOption, Prune, Resources, SiteKind
from planner.money import Money
from planner.solve.candidates import build_candidates, candidates_from_offers, offer_order

MINI = Path(__file__).resolve().parents[2] / "data" / "mini"


def test_prunes_make_offers_ineligible_with_the_rule_id() -> None:
    """A prune keeps the offer, ineligible, with "pruned by <rule>: <reason>"."""
    a, c = site("a"), site("c", kind=SiteKind.CLOUD)
    w = workload("db")
    offers = {"db": (offer(w, c, 10.0), offer(w, a, 20.0))}
    prune = Prune("db", "c", None, "HP-RES-001", "data must stay on-prem")
    cands = candidates_from_offers(offers, Constraints(prunes=(prune,)), [w])
    got = cands.get("db")
    assert [o.site for o in got.eligible] == ["a"]
    assert [(o.site, o.reason) for o in got.ineligible] == [
        ("c", "pruned by HP-RES-001: data must stay on-prem")
    ]
    assert [o.site for o in got.offers] == ["a", "c"]


def test_option_prune_only_hits_that_option() -> None:
    """A prune naming an option leaves the site's other options alone."""
    c = site("c", kind=SiteKind.CLOUD)
    w = workload("job")
    offers = {
        "job": (
            offer(w, c, 10.0, option=PricingOption.SPOT),
            offer(w, c, 20.0, option=PricingOption.ON_DEMAND),
        )
    }
    prune = Prune("job", "c", PricingOption.SPOT, "HP-SLA-003", "no spot for this team")
    got = candidates_from_offers(offers, Constraints(prunes=(prune,)), [w]).get("job")
    assert [o.option for o in got.eligible] == [PricingOption.ON_DEMAND]


def test_pins_exclude_other_sites() -> None:
    """A pinned workload's offers elsewhere are ineligible ("pinned to ...")."""
    a, b = site("a"), site("b")
    w = workload("w", pinned_site="b")
    got = candidates_from_offers({"w": (offer(w, a, 1.0), offer(w, b, 2.0))}, Constraints(), [w])
    assert [o.site for o in got.get("w").eligible] == ["b"]
    assert got.get("w").ineligible[0].reason == "pinned to b"


def test_input_order_does_not_matter() -> None:
    """Candidates are sorted by workload, then site and option."""
    a, b = site("a"), site("b")
    w1, w2 = workload("w1"), workload("w2")
    offers = {"w2": (offer(w2, b, 1.0), offer(w2, a, 1.0)), "w1": (offer(w1, a, 1.0),)}
    cands = candidates_from_offers(offers, Constraints(), [w2, w1])
    assert [c.workload for c in cands.workloads] == ["w1", "w2"]
    assert [o.site for o in cands.get("w2").offers] == ["a", "b"]


def test_offers_on_one_site_and_option_sort_by_instance_type_none_first() -> None:
    """Offers on the same site and option sort by instance type, no type as "" (first),
    the rest kept in input order: as ``offer_order`` sorts them."""
    a = site("a", kind=SiteKind.CLOUD)
    w = workload("w")
    typed = [
        replace(offer(w, a, 1.0, option=PricingOption.ON_DEMAND), instance_type=t)
        for t in ("m5.xlarge", None, "c5.large", "")
    ]
    spot = offer(w, a, 1.0, option=PricingOption.SPOT)
    got = candidates_from_offers({"w": (spot, *typed)}, Constraints(), [w]).get("w").offers
    assert [(o.option, o.instance_type) for o in got] == [
        (PricingOption.ON_DEMAND, None),
        (PricingOption.ON_DEMAND, ""),
        (PricingOption.ON_DEMAND, "c5.large"),
        (PricingOption.ON_DEMAND, "m5.xlarge"),
        (PricingOption.SPOT, spot.instance_type),
    ]
    assert list(got) == sorted((spot, *typed), key=offer_order)


def test_build_candidates_calls_the_cost_model_for_every_site() -> None:
    """With a fake ``offers_for`` every workload x site is priced once, current site passed."""
    from planner.model import Project

    a, b = site("a"), site("b")
    w = workload("w", current_site="a")
    calls: list[tuple[str, str, str | None]] = []

    def fake(wl, request, s, catalogue, settings, *, current=None, cls=None):  # type: ignore[no-untyped-def]
        calls.append((wl.name, s.name, current.name if current else None))
        return (offer(wl, s, request.cpu),)

    project = Project(root=".", workloads=(w,), sites=(b, a))
    cands = build_candidates(
        project, {"w": Resources(7.0, 1.0)}, object(), Constraints(), offers_for=fake
    )
    assert calls == [("w", "a", "a"), ("w", "b", "a")]
    assert {o.per_month for o in cands.get("w").eligible} == {Money.of(7, "USD")}


def test_mini_project_with_the_real_cost_model() -> None:
    """The mini project's candidates: every site priced, residency reasons kept."""
    from planner.catalogue import load_default_catalogue
    from planner.load import load_project

    project = load_project(MINI)
    requests = {w.name: w.resources for w in project.workloads}
    cands = build_candidates(project, requests, load_default_catalogue(), Constraints())
    db = cands.get("payments-db")
    assert {o.site for o in db.offers} == {s.name for s in project.sites}
    assert all(o.site != "aws-us-east-1" for o in db.eligible)
    assert any("residency" in (o.reason or "") for o in db.ineligible)


def test_memo_changes_nothing() -> None:
    """Pricing copies once (memo) gives exactly the offers pricing each one does."""
    from dataclasses import replace

    from planner.catalogue import load_default_catalogue
    from planner.load import load_project

    project = load_project(MINI)
    copies = tuple(
        replace(w, name=f"{w.name}-{k}", depends_on=()) for k in range(3) for w in project.workloads
    )
    project = replace(project, workloads=copies)
    requests = {w.name: w.resources for w in copies}
    catalogue = load_default_catalogue()
    memo = build_candidates(project, requests, catalogue, Constraints(), memo=True)
    plain = build_candidates(project, requests, catalogue, Constraints(), memo=False)
    assert memo == plain
