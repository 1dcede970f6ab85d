"""``line_fit`` (in place, unmasked when nothing is missing) against ``line_fit_reference``:
every array bit-identical, over shapes either side of numpy's summation blocks, with and
without gaps, and on constant, all-zero and all-missing rows."""

from __future__ import annotations

import numpy as np
import pytest

from planner.classify.timeseries import LineFit, line_fit, line_fit_reference

FIELDS = ("resid", "slope", "mean", "sse", "sst")


def _same(a: LineFit, b: LineFit) -> None:
    for f in FIELDS:
        x, y = getattr(a, f), getattr(b, f)
        assert x.shape == y.shape, f
        assert x.tobytes() == y.tobytes(), f


@pytest.mark.parametrize("rows", [1, 3, 64])
@pytest.mark.parametrize("cols", [0, 1, 2, 9, 127, 128, 129, 257, 720, 8640])
@pytest.mark.parametrize("gaps", [0.0, 0.05, 1.0])
def test_line_fit_is_the_reference(rows: int, cols: int, gaps: float) -> None:
    rng = np.random.default_rng(rows * 10_000 + cols)
    h = rng.normal(size=(rows, cols)) * rng.uniform(0.1, 1e4) + np.arange(cols) * 0.3
    if gaps:
        h[rng.random(h.shape) < gaps] = np.nan
    _same(line_fit(h), line_fit_reference(h))


def test_line_fit_of_constant_zero_and_empty_rows() -> None:
    h = np.array(
        [[2.5] * 6, [0.0] * 6, [np.nan] * 6, [1.0, np.nan, 3.0, np.nan, 5.0, np.nan]],
    )
    fit = line_fit(h)
    _same(fit, line_fit_reference(h))
    assert fit.slope.tolist() == [0.0, 0.0, 0.0, 1.0]
    assert fit.resid[0].tolist() == [0.0] * 6
    assert np.isnan(fit.resid[2]).all()


def test_line_fit_without_gaps_is_the_reference() -> None:
    """The unmasked path (nothing missing) on a line plus noise: same bits, and the slope."""
    rng = np.random.default_rng(7)
    h = 3.0 + 0.5 * np.arange(500) + rng.normal(0, 0.01, (20, 500))
    fit = line_fit(h)
    _same(fit, line_fit_reference(h))
    assert np.allclose(fit.slope, 0.5, atol=1e-3)
