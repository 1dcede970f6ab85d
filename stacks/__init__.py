"""Pulumi ComponentResources that the stacks emitted by ``hybridplan`` instantiate.

A generated stack's ``__main__.py`` is two lines: it reads the stack's structured config and
calls :func:`stacks.program.deploy`. Everything the plan decided (replicas, requests,
quotas, GPU split, budgets) arrives through config, never through generated code.

Components (type tokens ``hybridplan:<module>:<Type>``):

- :class:`stacks.kubernetes.KubernetesWorkloads` - namespaces, quotas, Deployments /
  StatefulSets, Services, PDBs, HPAs and PriorityClasses on any Kubernetes cluster.
- :class:`stacks.kueue.GpuTrainingPool` - Kueue flavors, per-team queues capped at the
  hardware, priorities and training Jobs; the MultiKueue objects when the plan bursts
  training into the cloud (:mod:`stacks.multikueue`).
- :class:`stacks.aws.AwsBurst` - GPU capacity on AWS as the plan priced it (Karpenter
  EC2NodeClass, NodePools, NodeOverlays; node role and EKS access entry; checkpoint bucket
  with Pod Identity) and :class:`stacks.aws.AwsCostGuard` - the site's budget and its alert
  topic. :mod:`stacks.aws_cluster` builds the explicit AWS and EKS providers.

See ``stacks/README.md`` for the design decisions and how to run the stacks for real.
"""

from __future__ import annotations

__all__: list[str] = []
