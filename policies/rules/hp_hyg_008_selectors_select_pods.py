"""HP-HYG-008: Ensure every label selector selects the pods it is meant for."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from planner.model import Category, Level
from planner.policy import kube
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation

SERVICE = "kubernetes:core/v1:Service"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"


def _problems(o: kube.KubeObject, templates: Sequence[kube.PodTemplate]) -> Iterator[str | None]:
    """What ``o``'s selectors miss (``None``: an unknown value decides)."""
    template = kube.pod_template(o)
    if template is not None:
        if o.kind in kube.SELECTOR_KINDS:
            verdict = kube.selects(o.get("spec.selector"), template.labels)
            if verdict is None:
                yield None
            elif not verdict:
                yield "spec.selector does not select its own pod template"
        constraints = rs.get(template.spec, "topologySpreadConstraints")
        if rs.is_unknown(constraints):
            yield None
        for c in rs.as_list(constraints):
            verdict = kube.selects(rs.get(c, "labelSelector"), template.labels)
            if verdict is None:
                yield None
            elif not verdict:
                key = rs.get(c, "topologyKey")
                yield f"a topology spread constraint on {key} misses its pods"
    if o.record.type == SERVICE:
        selector = o.get("spec.selector")
        if rs.is_unknown(selector):
            yield None
        elif rs.as_mapping(selector):
            verdict = kube.selects_any({"matchLabels": selector}, o.namespace, templates)
            if verdict is None:
                yield None
            elif not verdict:
                yield "the Service selects no pod template of this stack"
    if o.record.type == PDB:
        verdict = kube.selects_any(o.get("spec.selector"), o.namespace, templates)
        if verdict is None:
            yield None
        elif not verdict:
            yield "the PodDisruptionBudget selects no pod template of this stack"


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    objects = kube.kube_objects(ctx.resources)
    templates = kube.pod_templates(objects)
    for o in objects:
        found = list(_problems(o, templates))
        misses = [p for p in found if p is not None]
        evidence = rs.subject(o.record)
        if misses:
            yield Violation(
                "resource",
                o.record.name,
                f"{o.where()}: {'; '.join(misses)}",
                {**evidence, "problems": misses},
            )
        elif None in found:
            yield Violation(
                "resource",
                o.record.name,
                f"a selector, namespace or pod label of {o.record.name} is unknown",
                evidence,
                cannot_evaluate=True,
            )


RULE = Rule(
    id="HP-HYG-008",
    name="Ensure every label selector selects the pods it is meant for",
    category=Category.HYGIENE,
    level=Level.MANDATORY,
    description="A controller whose selector misses its own pod template is rejected or "
    "adopts foreign pods; a Service or PodDisruptionBudget that selects no pod of the stack "
    "routes nothing or protects nothing; a topology spread constraint that misses its pods "
    "spreads nothing.",
    fix="Make every selector (spec.selector, Service selector, PodDisruptionBudget selector, "
    "topologySpreadConstraints labelSelector) match the labels of the pod template it is for.",
    check_resources=check_resources,
    resource_scope="stack",
)
