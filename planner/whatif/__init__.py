"""What-if scenarios: parse changes, apply them to a ``Project`` and a ``Catalogue``, re-plan,
and compare with the base plan. Pure: inputs are passed in, new values come out.

Modules, in the order data flows: ``parse`` (changes, scenarios, sweeps), ``apply`` and
``sites`` (changes -> a new project and catalogue), ``run`` (re-plan and compare plans as
domain values), ``render`` (JSON-ready data and tables).

Changes (the CLI flags, or entries of a ``--scenario`` YAML list):

==============================  =============================================================
``move: W=SITE``                pin workload ``W`` to ``SITE`` (``Workload.pinned_site``)
``price: KEY=-45%``             scale a price; ``KEY=55.04`` sets it. ``KEY`` is a catalogue
                                key (``aws.p5.48xlarge.us-east-1.on-demand``), a dotted prefix
                                of keys (``aws.p5`` = every P5 price), a glob (``aws.*.spot``),
                                or site-scoped ``SITE.PARAM``: ``power``, ``capex``,
                                ``labour``, ``space``, ``gpu-hour``, or ``SITE.<catalogue key
                                or prefix>`` (a site price override)
``capacity: SITE.RES=+64``      change an owned site's capacity; ``RES`` is ``cpu``,
                                ``memory_gib`` or ``gpus.<type>``; ``+N``/``-N`` add, ``N``
                                sets, ``+N%`` scales. Listed node classes grow or shrink by
                                whole nodes so capex and power follow the capacity
``horizon: 60``                 planning horizon in months
``growth: 20%``                 demand grows: per-replica CPU and memory (declared and
                                right-sized) and egress scale; GPU replicas round up;
                                training GPU-hours scale
==============================  =============================================================

Catalogue price changes also apply to sites that override the same key (a 45 % cut of P5
prices cuts a negotiated P5 price too). Relative changes compose in order.

A sweep ``KEY=FROM..TO:STEP`` re-plans once per value (``aws.p5=-60%..0%:10%``,
``aws.p5.48xlarge.us-east-1.capacity-block=20..40:5``, ``horizon=12..60:12``,
``growth=0%..50%:10%``) and reports, per value, the total and where the workloads that move
anywhere in the sweep land: the break-even table.
"""

from __future__ import annotations

from planner.whatif.apply import Applied, apply_changes, grow_classifications
from planner.whatif.parse import (
    CHANGE_KINDS,
    MAX_SWEEP_POINTS,
    Change,
    Sweep,
    parse_change,
    parse_scenario,
    parse_sweep,
)
from planner.whatif.render import outcome_to_dict, sweep_table, sweep_to_dict
from planner.whatif.run import (
    Outcome,
    PlanFn,
    Replanned,
    SweepResult,
    SweepRow,
    run_scenario,
    run_sweep,
    transition_text,
)
from planner.whatif.sites import SITE_PARAMS, matching_keys

__all__ = [
    "CHANGE_KINDS",
    "MAX_SWEEP_POINTS",
    "SITE_PARAMS",
    "Applied",
    "Change",
    "Outcome",
    "PlanFn",
    "Replanned",
    "Sweep",
    "SweepResult",
    "SweepRow",
    "apply_changes",
    "grow_classifications",
    "matching_keys",
    "outcome_to_dict",
    "parse_change",
    "parse_scenario",
    "parse_sweep",
    "run_scenario",
    "run_sweep",
    "sweep_table",
    "sweep_to_dict",
    "transition_text",
]
