"""HP-HYG-008: Ensure every label selector selects the pods it is meant for."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from planner.model import Category, Level
from planner.policy import kube
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation

SERVICE = "kubernetes:core/v1:Service"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"


def _verdict(selected: bool | None, problem: str) -> Iterator[str | None]:
    if selected is None:
        yield None
    elif not selected:
        yield problem


def _own_template(o: kube.KubeObject) -> Iterator[str | None]:
    """A controller's selector and its pods' spread constraints against its template."""
    template = kube.pod_template(o)
    if template is None:
        return
    if o.kind in kube.SELECTOR_KINDS:
        selected = kube.selects(o.get("spec.selector"), template.labels)
        yield from _verdict(selected, "spec.selector does not select its own pod template")
    constraints = rs.get(template.spec, "topologySpreadConstraints")
    if rs.is_unknown(constraints):
        yield None
    for c in rs.as_list(constraints):
        selected = kube.selects(rs.get(c, "labelSelector"), template.labels)
        key = rs.get(c, "topologyKey")
        yield from _verdict(selected, f"a topology spread constraint on {key} misses its pods")


def _problems(o: kube.KubeObject, objects: Sequence[kube.KubeObject]) -> Iterator[str | None]:
    yield from _own_template(o)
    if o.record.type == SERVICE:
        selector = o.get("spec.selector")
        if rs.is_unknown(selector):
            yield None
        elif rs.as_mapping(selector):  # a Service without a selector is headless by intent
            templates = kube.pod_templates(objects)
            selected = kube.selects_any({"matchLabels": selector}, o.namespace, templates)
            yield from _verdict(selected, "the Service selects no pod template of this stack")
    if o.record.type == PDB:
        templates = kube.pod_templates(objects)
        selected = kube.selects_any(o.get("spec.selector"), o.namespace, templates)
        yield from _verdict(
            selected, "the PodDisruptionBudget selects no pod template of this stack"
        )


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    return kube.object_violations(
        ctx.resources,
        _problems,
        unknown="a selector, namespace or pod label of {name} is unknown",
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
