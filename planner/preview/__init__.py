"""Offline preview of an emitted stack: what ``pulumi preview`` would register, without the
Pulumi CLI, providers or cloud credentials.

1. :mod:`~planner.preview.stack_config` reads ``Pulumi.yaml`` (project name) and
   ``Pulumi.<stack>.yaml`` (config) and passes the config the way the Pulumi CLI does
   (``PULUMI_CONFIG``, handed to the child in a file; ``secure:`` values cannot be
   decrypted offline and arrive as ``"[secret]"``);
2. :mod:`~planner.preview.run` runs ``__main__.py`` under ``pulumi.runtime.set_mocks`` in a
   child process (:mod:`~planner.preview.runner`), which records every registered resource
   and redacts secrets before anything leaves it;
3. :mod:`~planner.preview.validate` checks every Kubernetes object against the Kubernetes
   and Kueue CRD schemas in strict mode; the program's error and URNs registered twice are
   problems too (:class:`~planner.preview.result.PreviewResult`);
4. what the objects do to each other (selectors that select nothing, dangling references,
   drain-blocking PodDisruptionBudgets, limits below requests, two resources applying one
   object) is checked by the policy engine's preview rules
   (:func:`~planner.preview.result.preview_findings` with
   ``policies.registry.PREVIEW_RULES``), like every other resource rule;
5. :mod:`~planner.preview.present` renders the table columns and the JSON document.

What mocks cannot show: provider defaults, auto-naming, server-side validation and
transforms.
"""

from __future__ import annotations

from planner.preview.fake_cloud import mock_id
from planner.preview.present import as_json, failures, finding_line, key_inputs
from planner.preview.result import (
    REDACTED,
    PreviewError,
    PreviewResource,
    PreviewResult,
    policy_records,
    preview_findings,
)
from planner.preview.run import RUNNER, run_preview
from planner.preview.stack_config import cli_config_env, read_stack
from planner.preview.validate import (
    DEFAULT_K8S_VERSION,
    KUEUE_CRDS,
    check,
    kubernetes_object,
    validate_object,
)

__all__ = [
    "DEFAULT_K8S_VERSION",
    "KUEUE_CRDS",
    "REDACTED",
    "RUNNER",
    "PreviewError",
    "PreviewResource",
    "PreviewResult",
    "as_json",
    "check",
    "cli_config_env",
    "failures",
    "finding_line",
    "key_inputs",
    "kubernetes_object",
    "mock_id",
    "policy_records",
    "preview_findings",
    "read_stack",
    "run_preview",
    "validate_object",
]
