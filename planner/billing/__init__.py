"""The cloud bill as the baseline: FOCUS cost-and-usage exports read with DuckDB, rows mapped
to workloads by rules, monthly EffectiveCost averaged over full months (issue #13).

Data flows down this list; only ``duck`` imports DuckDB and only ``scan`` reads files:

- ``spec``: the ``billing:`` section of project.yaml as values (rules, splits, months);
- ``focus``: FOCUS columns and how each export's types become one normalised relation;
- ``sql``: the mapping (first match wins) and aggregation SQL, portable to Trino/Athena;
- ``duck``: the DuckDB connection (UTC, memory limit, spill folder);
- ``scan``: export files -> ``BillSummary`` (sums per rule and month), or located problems;
- ``months``: which months are full and which are averaged;
- ``baseline``: facts -> per-workload averages, shared splits, coverage, commitments;
- ``view``: a ``Baseline`` as plain data for JSON and tables.

``scan`` (and so DuckDB) is imported by the service that reads a bill, not here.
"""

from typing import TYPE_CHECKING

from planner.lazy import lazy_exports

if TYPE_CHECKING:
    from planner.billing.baseline import (
        Baseline,
        Commitment,
        Coverage,
        UnmappedLine,
        WorkloadBill,
        compute_baseline,
        split_exact,
    )
    from planner.billing.facts import BillSummary, SourceInfo
    from planner.billing.spec import (
        BillingSpec,
        CommitmentExpiry,
        ExportFile,
        MappingRule,
        Match,
        SharedSplit,
        SplitBasis,
    )
    from planner.billing.view import baseline_view

__getattr__ = lazy_exports(
    __name__,
    {
        "Baseline": "baseline",
        "BillSummary": "facts",
        "BillingSpec": "spec",
        "Commitment": "baseline",
        "CommitmentExpiry": "spec",
        "Coverage": "baseline",
        "ExportFile": "spec",
        "MappingRule": "spec",
        "Match": "spec",
        "SharedSplit": "spec",
        "SourceInfo": "facts",
        "SplitBasis": "spec",
        "UnmappedLine": "baseline",
        "WorkloadBill": "baseline",
        "baseline_view": "view",
        "compute_baseline": "baseline",
        "split_exact": "baseline",
    },
)
"""Imported on first use: ``planner.load`` reads the ``billing:`` section (``spec``)
without loading numpy for ``baseline``."""


__all__ = [
    "Baseline",
    "BillSummary",
    "BillingSpec",
    "Commitment",
    "CommitmentExpiry",
    "Coverage",
    "ExportFile",
    "MappingRule",
    "Match",
    "SharedSplit",
    "SourceInfo",
    "SplitBasis",
    "UnmappedLine",
    "WorkloadBill",
    "baseline_view",
    "compute_baseline",
    "split_exact",
]
