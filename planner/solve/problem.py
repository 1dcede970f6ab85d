"""The placement problem as plain values: columns, rows, a CSC matrix (``Model``), and the
per-unit cost and usage of a block on an offer.

``planner.solve.build`` builds a ``Model`` from blocks (``planner.solve.blocks``); both the
MILP (``planner.solve.milp``) and the greedy baseline (``planner.solve.greedy``) consume it;
the formulation itself is written out in ``planner.solve.milp``'s docstring. Nothing here
imports a solver or reads the clock. Money enters the model here, as floats
(``Money.lp_float``): the LP's objective and budget rows are the only place it is a float.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import overload

import numpy as np
import numpy.typing as npt

from planner.model import HOURS_PER_MONTH, BuyOffer, Offer, Site, SiteKind
from planner.money import Money
from planner.solve.blocks import Block, BlockKind

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

INF = math.inf


class ColKind(StrEnum):
    OFFER = "offer"
    COVER = "cover"
    """z[b,s]: failure domains of site s covered by split block b."""
    USE = "use"
    """u[b,s]: 1 if block b uses site s (split and train blocks in latency rules)."""
    SLACK = "slack"
    SWITCH = "switch"
    """e_r: 1 if the elastic model relaxes row r (counted diagnosis)."""
    RELAXED = "relaxed"
    """An ineligible offer opened by the elastic diagnosis model."""
    BUY = "buy"
    """y_k: units of server model k bought (``Model.buys[Column.buy]``)."""
    BOUGHT = "bought"
    """x'_bok: units of block b on offer o running on the servers of buy offer k."""
    ROOM = "room"
    """t[s,t,g]: 1 if a training Job whose pods ask g GPUs of type t runs on owned site s
    (``row``: its training-room row)."""


KIND_CODE = {kind: code for code, kind in enumerate(ColKind)}
"""``Model.col_kind``'s code of each column kind."""
KINDS = tuple(ColKind)


class RowKind(StrEnum):
    ASSIGN = "assign"
    CAPACITY = "capacity"
    BUDGET_TEAM = "budget-team"
    BUDGET_SITE = "budget-site"
    BUDGET_TOTAL = "budget-total"
    CLOUD_SHARE = "cloud-share"
    SPREAD = "spread"
    SPREAD_CAP = "spread-cap"
    COVER_LINK = "cover-link"
    USE_LINK = "use-link"
    LATENCY = "latency"
    SWITCH = "switch"
    BOUGHT_CAPACITY = "bought-capacity"
    """What runs on bought servers k fits in the units bought (resource ``resource``)."""
    TRAINING_ROOM = "training-room"
    """What other workloads hold of GPU type ``resource`` on an owned site leaves one pod of
    ``other`` GPUs when a training Job of that pod size runs there (emit's Kueue capacity
    admits it)."""
    ROOM_LINK = "room-link"
    """A training block's shares on a site need its training-room column (``block``)."""


@dataclass(frozen=True, slots=True)
class RowInfo:
    kind: RowKind
    site: str = ""
    resource: str = ""
    team: str = ""
    block: int = -1
    other: str = ""
    """Latency rows: the dependency's name (the row's workload is ``block``'s member)."""


@dataclass(frozen=True, slots=True)
class Column:
    kind: ColKind
    block: int
    site: int
    offer: int = -1
    """Index into ``block.offers`` (OFFER) or ``block.relaxable`` (RELAXED)."""
    row: int = -1
    """SLACK columns: the row they relax."""
    buy: int = -1
    """BUY and BOUGHT columns: index into ``Model.buys``."""


class Columns(Sequence[Column]):
    """A model's columns as parallel lists of their fields; ``columns[j]`` builds the
    ``Column``. A 10k fleet has ~280k columns: one object each would cost more in garbage
    collection than building the rest of the model."""

    __slots__ = ("_block", "_buy", "_kind", "_offer", "_row", "_site")

    def __init__(
        self,
        *,
        kind: list[int],
        block: list[int],
        site: list[int],
        offer: list[int],
        row: list[int],
        buy: list[int],
    ) -> None:
        self._kind, self._block, self._site = kind, block, site
        self._offer, self._row, self._buy = offer, row, buy

    def __len__(self) -> int:
        return len(self._kind)

    @overload
    def __getitem__(self, j: int) -> Column: ...

    @overload
    def __getitem__(self, j: slice) -> Sequence[Column]: ...

    def __getitem__(self, j: int | slice) -> Column | Sequence[Column]:
        if isinstance(j, slice):
            return [self[i] for i in range(*j.indices(len(self)))]
        return Column(
            KINDS[self._kind[j]], self._block[j], self._site[j], self._offer[j], self._row[j],
            self._buy[j],
        )  # fmt: skip

    def __iter__(self) -> Iterator[Column]:
        for j in range(len(self)):
            yield self[j]

    @property
    def offers(self) -> Sequence[int]:
        """``columns[j].offer`` of every column, without a ``Column`` each."""
        return self._offer

    def __repr__(self) -> str:
        return f"Columns({list(self)!r})"


@dataclass(frozen=True, slots=True)
class Model:
    """A linear model in column-wise (CSC) form plus the bookkeeping to read it back."""

    blocks: tuple[Block, ...]
    sites: tuple[Site, ...]
    horizon_months: int
    columns: Sequence[Column]
    """``Columns`` when built by ``planner.solve.build``."""
    rows: tuple[RowInfo, ...]
    cost: FloatArray
    """Objective per column: horizon x USD/month + migration (penalties when elastic)."""
    usd_per_month: FloatArray
    migration_usd: FloatArray
    lower: FloatArray
    upper: FloatArray
    integer: BoolArray
    row_lower: FloatArray
    row_upper: FloatArray
    start: IntArray
    index: IntArray
    value: FloatArray
    elastic: bool = False
    penalty: FloatArray = field(default_factory=lambda: np.zeros(0))
    """Elastic models: the penalty part of ``cost`` per column (0 for real columns)."""
    buys: tuple[BuyOffer, ...] = ()
    """Server models the plan may buy (``planner.solve.buying``)."""
    col_block: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """``columns[j].block`` as an array (so are ``col_site`` and ``col_kind``)."""
    col_site: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    col_kind: npt.NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    """``KIND_CODE[columns[j].kind]``; test with ``is_kind``."""

    @property
    def n_cols(self) -> int:
        return len(self.columns)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    def is_kind(self, kind: ColKind) -> BoolArray:
        """Which columns are of ``kind``."""
        return np.asarray(self.col_kind == KIND_CODE[kind], dtype=np.bool_)

    def of_kind(self, kind: ColKind) -> list[int]:
        """Indices of the columns of ``kind``, ascending."""
        return [int(j) for j in np.nonzero(self.is_kind(kind))[0].tolist()]

    def site_index(self, name: str) -> int:
        for i, s in enumerate(self.sites):
            if s.name == name:
                return i
        raise KeyError(name)

    def row_activity(self, x: FloatArray) -> FloatArray:
        """A x for a column vector ``x``."""
        counts = np.diff(self.start)
        cols = np.repeat(np.arange(self.n_cols), counts)
        # bincount adds in the same order np.add.at would, in one pass
        out = np.bincount(self.index, weights=self.value * x[cols], minlength=self.n_rows)
        return np.asarray(out, dtype=np.float64)


# --------------------------------------------------------------------------- helpers


def first_violation(model: Model, x: FloatArray) -> str:
    """The kind of the first row or column bound ``x`` breaks, or ``""`` if it is a plan
    (integer columns must be whole, within a relative tolerance of 1e-6)."""
    act = model.row_activity(x)
    tol = 1e-6 * np.maximum(1.0, np.abs(model.row_upper))
    low_tol = 1e-6 * np.maximum(1.0, np.abs(model.row_lower))
    bad = np.nonzero((act > model.row_upper + tol) | (act < model.row_lower - low_tol))[0]
    if bad.size:
        return f"{model.rows[int(bad[0])].kind.value} row"
    if np.any(x < model.lower - 1e-6) or np.any(x > model.upper + 1e-6):
        return "column bound"
    ints = x[model.integer]
    if ints.size and np.any(np.abs(ints - np.round(ints)) > 1e-6):
        return "integrality"
    return ""


def latency_ms(a: Site, b: Site) -> float:
    """Symmetric round-trip latency; 0 on the same site; ``inf`` when neither side knows."""
    if a.name == b.name:
        return 0.0
    got = [v for v in (a.latency_ms.get(b.name), b.latency_ms.get(a.name)) if v is not None]
    return min(got) if got else INF


def usable_capacity(site: Site) -> dict[str, float]:
    """Capacity the solver may fill: physical x target utilisation (empty for cloud)."""
    if site.capacity is None or site.kind is SiteKind.CLOUD:
        return {}
    u = site.target_utilisation
    out = {"cpu": site.capacity.cpu * u, "memory_gib": site.capacity.memory_gib * u}
    for gpu_type, count in sorted(site.capacity.gpus.items()):
        out[f"gpus:{gpu_type}"] = count * u
        out[f"gpu_hours:{gpu_type}"] = count * HOURS_PER_MONTH * u
    return out


def fixed_money(offer: Offer) -> Money:
    """A training offer's monthly part that does not scale with its GPU-hours (egress,
    checkpoint storage): ``Offer.fixed_per_month`` from ``planner.cost`` (0 if none)."""
    if offer.fixed_per_month is None:
        return Money.zero(offer.per_month.currency)
    return offer.fixed_per_month


def fixed_part(offer: Offer) -> float:
    """``fixed_money`` as the LP's float."""
    return fixed_money(offer).lp_float()


def variable_part(block: Block, offer: Offer) -> tuple[float, float]:
    """(monthly cost, one-off migration) of one unit of ``block`` on ``offer``, as the LP's
    floats. For a training block the fixed monthly part and the migration go on the
    site-use column."""
    if block.kind is BlockKind.TRAIN:
        return (offer.per_month - fixed_money(offer)).lp_float(), 0.0
    return (
        offer.per_month.lp_float() / block.per_member,
        offer.migration.lp_float() / block.per_member,
    )


def unit_usage(block: Block, offer: Offer) -> dict[str, float]:
    """Capacity one unit of ``block`` consumes on ``offer``'s site."""
    usage: dict[str, float] = {}
    if block.kind is BlockKind.TRAIN:
        for key, val in offer.usage.items():
            if key.startswith("peak_gpus:"):
                usage["gpus:" + key.split(":", 1)[1]] = float(val)
        for key, val in offer.usage.items():
            if key in ("cpu", "memory_gib"):
                usage[key] = float(val)
            elif key.startswith("gpus:"):
                gpu_type = key.split(":", 1)[1]
                usage.setdefault(key, float(val))
                usage[f"gpu_hours:{gpu_type}"] = block.gpu_hours_per_month
        return usage
    once = site_usage_once(block, offer)
    for key, val in offer.usage.items():
        if key in ("cpu", "memory_gib"):
            usage[key] = float(val) / block.per_member
        elif key.startswith("gpus:"):
            per = (float(val) - once.get(key, 0.0)) / block.per_member
            usage[key] = per
            usage["gpu_hours:" + key.split(":", 1)[1]] = per * HOURS_PER_MONTH
    return usage


def site_usage_once(block: Block, offer: Offer) -> dict[str, float]:
    """Capacity a split block holds once on each site it uses, whatever its replicas
    there: the surge pods' GPUs (``planner.headroom``), on its site-use column. Whole
    blocks run every replica on one site: their ``unit_usage`` holds it already."""
    if block.kind is not BlockKind.SPLIT:
        return {}
    out: dict[str, float] = {}
    for key, val in offer.usage.items():
        if key.startswith("surge_gpus:") and val:
            gpu_type = key.split(":", 1)[1]
            out[f"gpus:{gpu_type}"] = float(val)
            out[f"gpu_hours:{gpu_type}"] = float(val) * HOURS_PER_MONTH
    return out
