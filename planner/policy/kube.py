"""Kubernetes objects among resource records, as the resource rules read them: identity,
pod templates, label selectors and quantities, each defined once here.

A ``kubernetes:<group>/<version>:<Kind>`` record is an object of ``apiVersion``
``<group>/<version>`` (``v1`` for the core group) and kind ``<Kind>``; ``*Patch`` and
``*List`` types are not objects of their own. A namespaced object without
``metadata.namespace`` lives in ``default`` (where the Kubernetes provider puts it).

Values unknown during a real preview stay unknown: :func:`selects` answers ``None`` when it
cannot tell, and identities keep :data:`~planner.policy.resources.UNKNOWN` parts, so a rule
can say "cannot evaluate" instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from planner.policy.resources import (
    ResourceRecord,
    as_list,
    as_mapping,
    get,
    is_unknown,
    pod_spec_path,
    subject,
)
from planner.policy.rule import Violation, resource_verdict

DEFAULT_NAMESPACE: Final = "default"
SELECTOR_KINDS: Final = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})
"""Controllers whose ``spec.selector`` must select their own pod template (a Job's selector
is generated for it)."""


@dataclass(frozen=True, slots=True)
class KubeObject:
    """A record that applies one Kubernetes object. ``namespace`` and ``name`` are strings
    or :data:`~planner.policy.resources.UNKNOWN`; ``name`` is ``""`` when not set."""

    record: ResourceRecord
    api_version: str
    kind: str
    namespace: object
    name: object

    @property
    def known(self) -> bool:
        """Whether namespace and name are both known."""
        return not is_unknown(self.namespace) and not is_unknown(self.name)

    def where(self) -> str:
        """``kind namespace/name`` for messages; ``kind name`` when the object sets no
        namespace (cluster-scoped kinds)."""
        if not self.get("metadata.namespace"):
            return f"{self.kind} {self.name}"
        return f"{self.kind} {self.namespace}/{self.name}"

    def get(self, path: str) -> object:
        """A dotted path of the object's inputs (see :func:`~planner.policy.resources.get`)."""
        return get(self.record.props, path)


def kube_object(record: ResourceRecord) -> KubeObject | None:
    """The Kubernetes object ``record`` applies, or ``None`` (not a Kubernetes object)."""
    parts = record.type.split(":")
    if len(parts) != 3 or parts[0] != "kubernetes" or "/" not in parts[1]:
        return None
    group_version, kind = parts[1], parts[2]
    if kind.endswith(("Patch", "List")):
        return None
    api_version = group_version.removeprefix("core/")
    namespace = get(record.props, "metadata.namespace")
    name = get(record.props, "metadata.name")
    return KubeObject(
        record=record,
        api_version=api_version,
        kind=kind,
        namespace=namespace if is_unknown(namespace) or namespace else DEFAULT_NAMESPACE,
        name=name if is_unknown(name) or isinstance(name, str) else "",
    )


def kube_objects(records: Iterable[ResourceRecord]) -> list[KubeObject]:
    """The Kubernetes objects among ``records``, in their order."""
    return [o for r in records if (o := kube_object(r)) is not None]


def find(
    objects: Iterable[KubeObject], kind: str, name: object, namespace: object = None
) -> bool | None:
    """Whether an object of ``kind`` named ``name`` is among ``objects`` (``namespace``
    ``None``: a cluster-scoped kind, matched by name). ``None`` when the answer hangs on an
    unknown name or namespace."""
    if is_unknown(name) or is_unknown(namespace):
        return None
    unsure = False
    for o in objects:
        if o.kind != kind:
            continue
        if not o.known:
            unsure = True
        elif o.name == name and (namespace is None or o.namespace == namespace):
            return True
    return None if unsure else False


def missing(
    objects: Iterable[KubeObject],
    kind: str,
    name: object,
    namespace: object = None,
    *,
    what: str = "",
) -> Iterator[str | None]:
    """``"<what> <name> is not created by this stack"`` when :func:`find` says no (``what``
    defaults to the kind; a namespaced name reads ``namespace/name``), ``None`` when it
    cannot tell, nothing when the object is there."""
    verdict = find(objects, kind, name, namespace)
    if verdict is None:
        yield None
    elif not verdict:
        where = f"{namespace}/{name}" if namespace is not None else repr(name)
        yield f"{what or kind} {where} is not created by this stack"


def object_violations(
    records: Iterable[ResourceRecord],
    problems: Callable[[KubeObject, Sequence[KubeObject]], Iterable[str | None]],
    *,
    unknown: str,
) -> Iterator[Violation]:
    """One violation per Kubernetes object for which ``problems(object, all objects)``
    names something wrong (``None`` entries: an unknown value decided); otherwise, when
    some were unknown, a "cannot evaluate" violation saying ``unknown`` (``{name}`` is the
    resource)."""
    objects = kube_objects(records)
    for o in objects:
        found = list(problems(o, objects))
        wrong = [p for p in found if p is not None]
        yield from resource_verdict(
            o.record.name,
            subject(o.record),
            wrong=f"{o.where()}: {'; '.join(wrong)}" if wrong else "",
            details={"problems": wrong},
            unknown=unknown.format(name=o.record.name) if None in found else "",
        )


@dataclass(frozen=True, slots=True)
class PodTemplate:
    """The pod template of a pod-creating object: its labels and its pod spec."""

    owner: KubeObject
    labels: object
    """``metadata.labels`` of the template: a mapping or UNKNOWN."""
    spec: object
    """The pod spec: a mapping or UNKNOWN."""


def pod_template(o: KubeObject) -> PodTemplate | None:
    """The pod template of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or
    Pod (a Pod is its own template), else ``None``."""
    spec_path = pod_spec_path(o.record.type)
    if spec_path is None:
        return None
    template_path = spec_path.removesuffix("spec").removesuffix(".")
    labels_path = f"{template_path}.metadata.labels" if template_path else "metadata.labels"
    labels = o.get(labels_path)
    return PodTemplate(
        owner=o,
        labels=labels if is_unknown(labels) else as_mapping(labels),
        spec=o.get(spec_path),
    )


def pod_templates(objects: Iterable[KubeObject]) -> list[PodTemplate]:
    return [t for o in objects if (t := pod_template(o)) is not None]


def selects(selector: object, labels: object) -> bool | None:
    """Whether a LabelSelector (``matchLabels`` and ``matchExpressions``) selects pods
    labelled ``labels``; ``None`` when unknown values decide. An empty or absent selector
    selects nothing here: none of the objects the rules look at means "every pod" by one
    (a controller's must match its template; a Service without one is headless by intent
    and not asked)."""
    if is_unknown(selector) or is_unknown(labels):
        return None
    match = get(selector, "matchLabels")
    expressions = get(selector, "matchExpressions")
    if is_unknown(match) or is_unknown(expressions):
        return None
    wanted, rules = as_mapping(match), as_list(expressions)
    if not wanted and not rules:
        return False
    have = as_mapping(labels)
    unsure = False
    for key, value in wanted.items():
        if is_unknown(value) or is_unknown(have.get(key)):
            unsure = True
        elif have.get(key) != value:
            return False
    for rule in rules:
        verdict = _expression(as_mapping(rule), have)
        if verdict is False:
            return False
        unsure = unsure or verdict is None
    return None if unsure else True


def _expression(rule: Mapping[str, object], labels: Mapping[str, object]) -> bool | None:
    """One ``matchExpressions`` entry (``In``, ``NotIn``, ``Exists``, ``DoesNotExist``)."""
    key, operator, values = rule.get("key"), rule.get("operator"), rule.get("values")
    if any(is_unknown(v) for v in (key, operator, values)):
        return None
    if not isinstance(key, str):
        return False
    value = labels.get(key)
    if is_unknown(value):
        return None
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    allowed = as_list(values)
    if operator == "In":
        return key in labels and value in allowed
    if operator == "NotIn":
        return key not in labels or value not in allowed
    return False


def selects_any(
    selector: object, namespace: object, templates: Sequence[PodTemplate]
) -> bool | None:
    """Whether ``selector`` selects the pods of any template in ``namespace``."""
    if is_unknown(namespace):
        return None
    unsure = False
    for t in templates:
        if is_unknown(t.owner.namespace):
            unsure = True
        elif t.owner.namespace == namespace:
            verdict = selects(selector, t.labels)
            if verdict is True:
                return True
            unsure = unsure or verdict is None
    return None if unsure else False


def containers(pod_spec: object) -> Iterator[Mapping[str, object]]:
    """The init containers and containers of a known pod spec."""
    for key in ("initContainers", "containers"):
        for c in as_list(get(pod_spec, key)):
            if not is_unknown(c):
                yield as_mapping(c)


_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
_FACTOR: Final[Mapping[str | None, Decimal]] = {
    None: Decimal(1),
    "m": Decimal("0.001"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}


def quantity(value: object) -> Decimal | None:
    """A Kubernetes quantity (``"1500m"``, ``"4Gi"``, ``2``) as an exact number, else
    ``None`` (unknown, malformed, or exponent notation the stacks never write)."""
    if isinstance(value, bool) or is_unknown(value):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    m = _QUANTITY.fullmatch(str(value))
    if m is None:
        return None
    try:
        return Decimal(m.group(1)) * _FACTOR[m.group(2)]
    except InvalidOperation:
        return None
