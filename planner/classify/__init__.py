"""Telemetry -> ``Classification`` per workload: class, confidence, reasons that quote the
numbers, and a right-sized per-replica request. Pure: values in, values out.

The modules, in the order data flows through them:

* ``series``: ``MetricSeries`` and ``TelemetrySet``, the utilisation series type.
* ``timeseries``: vectorised statistics over rows of a regular time grid.
* ``features``: series -> ``Features`` (percentiles, CV, duty cycle, bursts, periodicity);
  the function ``features`` is ``planner.classify.features.features`` (the package
  attribute ``features`` is that module).
* ``calibration``: the classifier's thresholds (``DEFAULTS``, ``thresholds`` with a
  project's overrides).
* ``rules``: features -> ``Verdict`` (rules 1-9: unknown, idle, ai-training,
  ai-inference, batch, diurnal, steady, bursty).
* ``sizing``: features -> recommended per-replica request.
* ``project``: verdict + declared profile -> ``Classification``; ``classify_project``.
"""

from __future__ import annotations

from planner.classify.calibration import DEFAULTS, thresholds, usable
from planner.classify.features import FEATURE_NAMES, Features, features_of_matrix
from planner.classify.project import classify_project, classify_workload
from planner.classify.rules import Verdict, primary_metric, telemetry_verdict
from planner.classify.series import MetricSeries, TelemetrySet, normalise
from planner.classify.sizing import rightsize
from planner.classify.timeseries import hourly_correlation

__all__ = [
    "DEFAULTS",
    "FEATURE_NAMES",
    "Features",
    "MetricSeries",
    "TelemetrySet",
    "Verdict",
    "classify_project",
    "classify_workload",
    "features_of_matrix",
    "hourly_correlation",
    "normalise",
    "primary_metric",
    "rightsize",
    "telemetry_verdict",
    "thresholds",
    "usable",
]
