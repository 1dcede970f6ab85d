"""Telemetry -> ``Classification`` per workload: class, confidence, reasons that quote the
numbers, and a right-sized per-replica request. Pure: values in, values out.

The modules, in the order data flows through them:

* ``series``: ``MetricSeries``, the utilisation series type; ``telemetry_set``:
  ``TelemetrySet`` (every series of a project; no numpy import).
* ``timeseries``: vectorised statistics over rows of a regular time grid.
* ``regimes``: level shifts and trends from daily means.
* ``periods``: the autocorrelation at every lag from 10 minutes to 7 days (FFT) and the
  fundamental period, told from persistence.
* ``features``: series -> ``Features`` (percentiles, CV, duty cycle, bursts, regimes,
  period); the function ``features`` is ``planner.classify.features.features`` (the package
  attribute ``features`` is that module).
* ``calibration``: the classifier's thresholds (``DEFAULTS``, ``thresholds`` with a
  project's overrides).
* ``verdict``, ``wording``: the verdict type and confidence arithmetic; how reasons word
  numbers and periods.
* ``gpu``: the training / inference verdict from GPU series, and the GPU count.
* ``rules``: features -> ``Verdict`` (rules 1-9: unknown, idle, ai-training,
  ai-inference, batch, diurnal, steady, bursty).
* ``sizing``: features -> recommended per-replica request and its ``PeakCheck``.
* ``stability``: the class on each half of the window -> a confidence factor.
* ``project``: the current regime, verdict, stability and declared profile ->
  ``Classification``; ``classify_project``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.lazy import lazy_exports

if TYPE_CHECKING:
    from planner.classify.calibration import DEFAULTS, thresholds, usable
    from planner.classify.features import FEATURE_NAMES, Features, features_of_matrix
    from planner.classify.periods import PeriodFit, autocorrelation, fit_periods
    from planner.classify.project import classify_project, classify_workload
    from planner.classify.regimes import Regime, regimes
    from planner.classify.rules import primary_metric, telemetry_verdict
    from planner.classify.series import MetricSeries, normalise
    from planner.classify.sizing import Sizing, rightsize
    from planner.classify.telemetry_set import TelemetrySet
    from planner.classify.timeseries import hourly_correlation
    from planner.classify.verdict import Verdict

__getattr__ = lazy_exports(
    __name__,
    {
        "DEFAULTS": "calibration",
        "FEATURE_NAMES": "features",
        "Features": "features",
        "MetricSeries": "series",
        "PeriodFit": "periods",
        "Regime": "regimes",
        "Sizing": "sizing",
        "TelemetrySet": "telemetry_set",
        "Verdict": "verdict",
        "autocorrelation": "periods",
        "classify_project": "project",
        "classify_workload": "project",
        "features_of_matrix": "features",
        "fit_periods": "periods",
        "hourly_correlation": "timeseries",
        "normalise": "series",
        "primary_metric": "rules",
        "regimes": "regimes",
        "rightsize": "sizing",
        "telemetry_verdict": "rules",
        "thresholds": "calibration",
        "usable": "calibration",
    },
)
"""Imported on first use: TelemetrySet does not load the classifier's modules."""

__all__ = [
    "DEFAULTS",
    "FEATURE_NAMES",
    "Features",
    "MetricSeries",
    "PeriodFit",
    "Regime",
    "Sizing",
    "TelemetrySet",
    "Verdict",
    "autocorrelation",
    "classify_project",
    "classify_workload",
    "features_of_matrix",
    "fit_periods",
    "hourly_correlation",
    "normalise",
    "primary_metric",
    "regimes",
    "rightsize",
    "telemetry_verdict",
    "thresholds",
    "usable",
]
