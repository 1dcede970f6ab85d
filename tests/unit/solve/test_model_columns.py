"""planner.solve.problem.Columns: the model's columns as parallel lists read back as values,
in step with the column arrays (col_block, col_site, col_kind)."""

from __future__ import annotations

from strategies import offer, site, workload

from planner.model import Constraints, SiteKind
from planner.solve import model_for
from planner.solve.problem import KIND_CODE, ColKind, Column


def test_columns_read_back_as_values_matching_the_arrays() -> None:
    """Each column is a Column value; index, slice, iteration and the arrays agree."""
    a, cloud = site("a", domains=1), site("cloud", kind=SiteKind.CLOUD)
    api = workload("api", tier=1, replicas=3)
    batch = workload("batch")
    offers = {
        "api": (offer(api, a, 30.0), offer(api, cloud, 60.0)),
        "batch": (offer(batch, a, 10.0), offer(batch, cloud, 20.0)),
    }
    model = model_for([api, batch], [a, cloud], offers, Constraints())
    cols = list(model.columns)
    assert len(cols) == len(model.columns) == model.n_cols
    assert all(isinstance(c, Column) for c in cols)
    assert list(model.columns[1:3]) == cols[1:3]
    assert [c.block for c in cols] == model.col_block.tolist()
    assert [c.site for c in cols] == model.col_site.tolist()
    assert [KIND_CODE[c.kind] for c in cols] == model.col_kind.tolist()
    assert model.of_kind(ColKind.OFFER) == [
        j for j, c in enumerate(cols) if c.kind is ColKind.OFFER
    ]
    assert model.columns[0] == Column(ColKind.OFFER, 0, 0, 0)
