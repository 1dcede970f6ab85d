"""Plan -> Pulumi stacks, as ``{relative path: text}`` (pure; the Jinja2 environment is
passed in).

One stack folder per site the plan uses (:mod:`~planner.emit.render`), whose
``Pulumi.<env>.yaml`` holds that site's share of the plan as a typed
:class:`stacks.spec.StackConfig` - the objects the emitted program parses back, so the
config has one definition. All decisions (quantities, HPA bounds, quotas, the GPU burst
split) are made here in tested Python; the templates only place values, and the ``stacks``
package only maps config onto resources.

- :mod:`~planner.emit.environment`: the strict Jinja2 environment and its quoting filters;
- :mod:`~planner.emit.checks`: names, images and the header command checked before
  anything is rendered (RFC 1123 labels via ``planner.names``);
- :mod:`~planner.emit.shares` and :mod:`~planner.emit.sizing`: the plan per site, and the
  sizing defaults (requests and limits, HPA bounds, quota, headroom);
- :mod:`~planner.emit.kubernetes`, :mod:`~planner.emit.training`, :mod:`~planner.emit.aws`:
  the config sections of the Kubernetes workloads, Kueue training and AWS burst capacity
  (Karpenter NodePools) and budget; :mod:`~planner.emit.config` assembles them;
- :mod:`~planner.emit.quota` (Kueue quotas capped at the hardware) and
  :mod:`~planner.emit.instances` (GPUs and EFA per instance, capacity types, zones);
- :mod:`~planner.emit.quantities`: Kubernetes quantities, money strings, the plan id.
"""

from __future__ import annotations

from planner.emit.aws import AMI_ALIAS, BUDGET_ALERT_THRESHOLDS_PCT, CHECKPOINT_RETENTION_DAYS
from planner.emit.checks import RESERVED_NAMESPACES, STATEFULSET_NAME_MAX, check_inputs
from planner.emit.config import stack_config
from planner.emit.environment import default_environment, pyrepr, strict_environment, to_yaml
from planner.emit.instances import DEFAULT_GPU_INSTANCE, GPU_INSTANCES
from planner.emit.quantities import amount, cpu_quantity, hours, memory_quantity, plan_id
from planner.emit.render import STACK_FILES, TEMPLATE_DIR, project_name, render_stacks
from planner.emit.shares import stack_sites
from planner.emit.sizing import BURSTY_MAX_FACTOR, HPA_CPU_TARGET_PCT, SURGE_PODS
from planner.qos import CPU_LIMIT_FACTOR  # the limit rule is shared with right-sizing

__all__ = [
    "AMI_ALIAS",
    "BUDGET_ALERT_THRESHOLDS_PCT",
    "BURSTY_MAX_FACTOR",
    "CHECKPOINT_RETENTION_DAYS",
    "CPU_LIMIT_FACTOR",
    "DEFAULT_GPU_INSTANCE",
    "GPU_INSTANCES",
    "HPA_CPU_TARGET_PCT",
    "RESERVED_NAMESPACES",
    "STACK_FILES",
    "STATEFULSET_NAME_MAX",
    "SURGE_PODS",
    "TEMPLATE_DIR",
    "amount",
    "check_inputs",
    "cpu_quantity",
    "default_environment",
    "hours",
    "memory_quantity",
    "plan_id",
    "project_name",
    "pyrepr",
    "render_stacks",
    "stack_config",
    "stack_sites",
    "strict_environment",
    "to_yaml",
]
