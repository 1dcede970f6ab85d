"""Bad cost inputs: each is a clear InputError (what, where, To fix)."""

from __future__ import annotations

import dataclasses

import pytest
from cost_world import cloud, colo, pool, service, tiny_catalogue

from planner.cost import offers_for, owned_rates, validate_cost_inputs
from planner.errors import InputError
from planner.model import NodeClass, Project, Settings

CAT = tiny_catalogue()


def _render(exc: pytest.ExceptionInfo[InputError]) -> str:
    return exc.value.render()


def test_zero_depreciation_months() -> None:
    """depreciation_months: 0 names the site field and the fix."""
    with pytest.raises(InputError) as exc:
        owned_rates(colo(depreciation_months=0), CAT)
    text = _render(exc)
    assert "sites.colo.cost.owned.depreciation_months" in text
    assert "depreciation of 0 months" in text
    assert "To fix: amortise over at least 1 month" in text


@pytest.mark.parametrize("u", [0.0, 1.2, -0.5], ids=["zero", "above-one", "negative"])
def test_utilisation_outside_unit_interval(u: float) -> None:
    """A target utilisation outside (0, 1] is rejected."""
    site = dataclasses.replace(colo(), target_utilisation=u)
    with pytest.raises(InputError) as exc:
        offers_for(service(), service().resources, site, CAT, Settings())
    assert "is outside (0, 1]" in _render(exc)
    assert "sites.colo.target_utilisation" in _render(exc)


def test_realised_utilisation_of_pool() -> None:
    """A GPU pool's realised utilisation of 1.5 is rejected."""
    with pytest.raises(InputError, match="invalid cost inputs"):
        owned_rates(pool(utilisation=1.5), CAT)


def test_negative_prices_on_site() -> None:
    """Negative capex and a negative price override are both reported at once."""
    site = colo(node_classes=(NodeClass("std", 10, 64, 256, -1.0, 0.5),))
    site = dataclasses.replace(site, price_overrides={"owned.pue": -2.0})
    with pytest.raises(InputError) as exc:
        owned_rates(site, CAT)
    text = _render(exc)
    assert "node_classes[0].capex_usd: negative price -1" in text
    assert "price_overrides.owned.pue: negative price -2" in text


def test_unknown_override_key() -> None:
    """A typo in price_overrides is reported with the nearest known key."""
    site = cloud(price_overrides={"aws.m6i.xlarg.r1.on-demand": 0.1})
    with pytest.raises(InputError) as exc:
        offers_for(service(), service().resources, site, CAT, Settings())
    assert "did you mean aws.m6i.xlarge.r1.on-demand" in _render(exc)


def test_project_currency_does_not_change_prices() -> None:
    """settings.currency EUR only chooses how figures are shown (planner.fx): offers are
    priced in the catalogue's USD exactly as for a USD project."""
    eur = offers_for(service(), service().resources, colo(), CAT, Settings(currency="EUR"))
    usd = offers_for(service(), service().resources, colo(), CAT, Settings())
    assert [o.per_month for o in eur] == [o.per_month for o in usd]
    assert {o.per_month.currency for o in eur} == {"USD"}


def test_validate_cost_inputs_collects_everything() -> None:
    """validate_cost_inputs reports every site's problems in one InputError (a GBP project
    currency is not one: it only changes how figures are shown)."""
    p = Project(
        root="x",
        workloads=(service(),),
        sites=(colo(depreciation_months=0), dataclasses.replace(cloud(), target_utilisation=2.0)),
        settings=Settings(currency="GBP"),
    )
    with pytest.raises(InputError) as exc:
        validate_cost_inputs(p, CAT)
    fields = {pr.field for pr in exc.value.problems}
    assert len(exc.value.problems) == 2
    assert "settings.currency" not in fields


def test_gpus_in_capacity_without_a_gpu_node_class() -> None:
    """A colo listing 8 h100 in capacity but only CPU node classes used to price those GPUs
    at 0 USD/GPU-h (the rate comes from the node classes); now an error names the type."""
    from planner.model import Capacity, Resources

    site = dataclasses.replace(colo(), capacity=Capacity(640, 2560, {"h100": 8}))
    w = service(resources=Resources(cpu=8, memory_gib=64, gpus=1, gpu_type="h100"))
    with pytest.raises(InputError) as exc:
        offers_for(w, w.resources, site, CAT, Settings())
    text = _render(exc)
    assert (
        "sites.colo.capacity.gpus.h100: 8 h100 GPUs in capacity but no node class under "
        "cost.owned has h100 GPUs, so they would be priced at 0 USD"
    ) in text
    assert "To fix: add a node class with gpu_type: h100" in text
