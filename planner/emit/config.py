"""One site's stack config as the typed :class:`stacks.spec.StackConfig` - the same objects
the emitted program parses back - assembled from the sections for Kubernetes workloads,
training, AWS burst capacity and the budget."""

from __future__ import annotations

import planner
from planner.emit.aws import aws_burst_config, budget_config, eks_config
from planner.emit.index import EmitIndex, emit_index
from planner.emit.kubernetes import kubernetes_config
from planner.emit.quantities import amount, plan_id
from planner.emit.shares import Share, provider_managed
from planner.emit.sizing import headroom_pods
from planner.emit.training import training_config
from planner.headroom import others_held_gpus
from planner.model import Plan, Project, SiteKind, WorkloadKind
from planner.money import Money
from stacks.spec import ClusterConfig, StackConfig, StackInfo


def stack_info(
    plan: Plan,
    project: Project,
    site_name: str,
    *,
    stack_env: str,
    index: EmitIndex | None = None,
) -> StackInfo:
    """The identity of one site's stack: which site, which plan, its monthly cost
    (``index``: the plan's :func:`~planner.emit.index.emit_index`, built when not given)."""
    site = project.site(site_name)
    index = index or emit_index(plan, project)
    total = Money.total((s.per_month for s in index.shares(site_name)), plan.per_month.currency)
    return StackInfo(
        site=site.name,
        site_kind=site.kind.value,
        provider=site.provider,
        region=site.region,
        env=stack_env,
        plan_id=plan_id(plan),
        input_digest=plan.input_digest,
        generator=f"hybridplan {planner.__version__}",
        usd_per_month=amount(total),
        failure_domains=tuple(site.failure_domains),
    )


def stack_config(
    plan: Plan,
    project: Project,
    site_name: str,
    *,
    stack_env: str,
    previous: StackConfig | None = None,
    index: EmitIndex | None = None,
) -> StackConfig:
    """The structured config of one site's stack (``stacks.config_io.to_config`` writes it);
    ``previous`` is the config the stack holds now (stable requests, see
    :mod:`~planner.emit.stability`); ``index`` the plan's
    :func:`~planner.emit.index.emit_index` (built when not given: pass it for many sites)."""
    site = project.site(site_name)
    index = index or emit_index(plan, project)
    here = index.shares(site_name)
    training = [s for s in here if s.workload.kind is WorkloadKind.TRAINING]
    others = [
        s
        for s in here
        if s.workload.kind is not WorkloadKind.TRAINING and not provider_managed(s, site)
    ]
    total = Money.total((s.per_month for s in here), plan.per_month.currency)
    aws = site.kind is SiteKind.CLOUD and site.provider == "aws"
    gpu_shares = [s for s in here if s.workload.resources.gpus > 0] if aws else []
    headroom = {
        s.workload.name: headroom_pods(project, s, index.classification(s.workload.name))
        for s in gpu_shares
    }
    burst = aws_burst_config(site, gpu_shares, headroom) if aws else None
    return StackConfig(
        stack=stack_info(plan, project, site_name, stack_env=stack_env, index=index),
        kubernetes=kubernetes_config(
            plan,
            project,
            site,
            others,
            training,
            previous=previous.kubernetes if previous else None,
            index=index,
        ),
        training=training_config(
            plan,
            project,
            site,
            training,
            others_gpus=_others_gpus(others, index),
            pools=burst.node_pools if burst is not None else (),
        ),
        aws_region=site.region if aws else None,
        eks=eks_config(site) if aws else None,
        aws_burst=burst,
        budget=budget_config(total) if aws else None,
        # On AWS the Kubernetes provider is built from the EKS cluster (``eks``): a
        # kubeconfig context would be config nothing reads.
        cluster=ClusterConfig(context=site.cluster.context)
        if site.cluster.context and not aws
        else None,
    )


def _others_gpus(others: list[Share], index: EmitIndex) -> dict[str, int]:
    """Per GPU type, the GPUs the site's non-training workloads may hold: their planned
    replicas plus HPA and rolling-update headroom at the GPUs their pods request
    (``planner.headroom.others_held_gpus``, as the solver and HP-DEP-007 count them; the
    training quota leaves them room)."""
    return others_held_gpus(
        (s.workload, index.classification(s.workload.name), s.replicas) for s in others
    )
