"""Emitted resources as generic records, and the helpers rules use to read them.

A :class:`ResourceRecord` is what both the offline preview (``planner.preview``, resources
captured under ``pulumi.runtime.set_mocks``) and CrossGuard (``policies.crossguard``, at
``pulumi preview``) hand to resource rules: the type token
(``kubernetes:apps/v1:Deployment``), the logical name and the inputs in camelCase exactly as
Pulumi gives them.

During a real preview some inputs are not known yet. They arrive as Pulumi's unknown
sentinels (strings such as ``04da6b54-...``); :func:`get` returns :data:`UNKNOWN` for them so
that a rule reports "cannot evaluate" instead of passing silently.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

# Pulumi's wire sentinels for values unknown during preview (pulumi_policy.proxy and
# pulumi.runtime.rpc use the same strings). Copied here so the core needs no Pulumi import.
UNKNOWN_SENTINELS: Final = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string (also pulumi.runtime.rpc.UNKNOWN)
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)


class _Unknown:
    """The one value standing for "not known until the update runs"."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Final = _Unknown()

# Labels, annotations and tags the emitted stacks put on resources (``stacks/labels.py``);
# rules read them to know which workload, team, tier and site a resource belongs to.
LABEL_NAME: Final = "app.kubernetes.io/name"
LABEL_TEAM: Final = "hybridplan.io/team"
LABEL_TIER: Final = "hybridplan.io/tier"
LABEL_SITE: Final = "hybridplan.io/site"
ANNOTATION_WORKLOAD: Final = "hybridplan.io/workload"
ANNOTATION_REPLICAS_TOTAL: Final = "hybridplan.io/replicas-total"
ANNOTATION_SITES: Final = "hybridplan.io/sites"
TAG_SITE: Final = "hybridplan:site"

K8S_POD_CONTROLLERS: Final = frozenset(
    {
        "kubernetes:apps/v1:Deployment",
        "kubernetes:apps/v1:StatefulSet",
        "kubernetes:apps/v1:DaemonSet",
        "kubernetes:apps/v1:ReplicaSet",
        "kubernetes:batch/v1:Job",
        "kubernetes:batch/v1:CronJob",
        "kubernetes:core/v1:Pod",
    }
)
K8S_REPLICATED: Final = frozenset(
    {"kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"}
)


def is_unknown(value: object) -> bool:
    """True for :data:`UNKNOWN` and for Pulumi's unknown sentinel strings."""
    return value is UNKNOWN or (isinstance(value, str) and value in UNKNOWN_SENTINELS)


@dataclass(frozen=True, slots=True)
class ResourceRecord:
    """One emitted resource. ``props`` are the resource inputs in camelCase.

    ``urn``, ``parent``, ``dependencies`` and ``property_dependencies`` are filled by
    CrossGuard (and by the offline preview when it knows them); rules fall back to matching
    by property values when they are empty. ``provider_props`` are the inputs of the
    resource's provider (e.g. ``defaultTags`` of ``aws``). ``stack`` names the emitted stack
    (the site) when known.
    """

    type: str
    name: str
    props: Mapping[str, object]
    urn: str = ""
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    provider_props: Mapping[str, object] = field(default_factory=dict)
    stack: str = ""
    id: str = ""
    """The physical id when known (the offline preview's mock id): a companion resource
    such as a bucket policy refers to its bucket by it."""

    @property
    def key(self) -> str:
        """A stable identity: the URN when known, else ``type::name``."""
        return self.urn or f"{self.type}::{self.name}"


def refers_to(r: ResourceRecord, prop: str, target: ResourceRecord) -> bool | None:
    """Whether ``r``'s input ``prop`` refers to ``target`` (None: cannot tell).

    By dependency first (CrossGuard gives ``property_dependencies``), then by parent, then by
    value: the input equals the target's ``bucket``/``name`` input, logical name, id or URN.
    """
    deps = r.property_dependencies.get(prop)
    if target.urn and ((deps and target.urn in deps) or r.parent == target.urn):
        return True
    value = get(r.props, prop)
    if is_unknown(value):
        return False if deps else None
    names = {target.name, target.id, target.urn}
    for key in ("bucket", "name"):
        own = target.props.get(key)
        if isinstance(own, str) and not is_unknown(own):
            names.add(own)
    names.discard("")
    return isinstance(value, str) and value in names


def get(value: object, path: str) -> object:
    """Read a dotted path (``spec.template.spec.containers``) from nested mappings.

    Returns ``None`` when a key is absent and :data:`UNKNOWN` when the value, or any mapping
    on the way, is unknown.
    """
    current = value
    for part in path.split("."):
        if is_unknown(current):
            return UNKNOWN
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return UNKNOWN if is_unknown(current) else current


def as_mapping(value: object) -> Mapping[str, object]:
    """``value`` if it is a mapping with string keys, else an empty mapping."""
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    return {}


def as_list(value: object) -> list[object]:
    """``value`` if it is a (non-string) sequence, else an empty list."""
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return list(value)
    return []


def labels(record: ResourceRecord) -> Mapping[str, object]:
    """``metadata.labels`` of a Kubernetes object (empty if absent or unknown)."""
    return as_mapping(get(record.props, "metadata.labels"))


def annotation(record: ResourceRecord, key: str) -> object:
    """The value of annotation ``key`` (annotation keys hold dots, so no dotted path),
    ``None`` when absent, :data:`UNKNOWN` when the annotations or the value are unknown."""
    annotations = get(record.props, "metadata.annotations")
    if is_unknown(annotations):
        return UNKNOWN
    value = as_mapping(annotations).get(key)
    return UNKNOWN if is_unknown(value) else value


def split_over_sites(record: ResourceRecord) -> tuple[int, tuple[str, ...]] | None:
    """``(replicas over all sites, sites)`` of a workload object the plan splits over several
    sites (its ``hybridplan.io/replicas-total`` and ``hybridplan.io/sites`` annotations), else
    ``None``. Per-site objects of such a workload each hold a share; the tier's minimums apply
    to the whole, which the plan-time checks verify."""
    notes = as_mapping(get(record.props, "metadata.annotations"))
    total, sites = notes.get(ANNOTATION_REPLICAS_TOTAL), notes.get(ANNOTATION_SITES)
    if not isinstance(total, str) or not isinstance(sites, str) or not total.isdigit():
        return None
    names = tuple(s for s in sites.split(",") if s)
    return (int(total), names) if len(set(names)) > 1 else None


def pod_spec_path(resource_type: str) -> str | None:
    """Where the pod spec lives for a pod-creating Kubernetes type, else ``None``."""
    if resource_type == "kubernetes:core/v1:Pod":
        return "spec"
    if resource_type == "kubernetes:batch/v1:CronJob":
        return "spec.jobTemplate.spec.template.spec"
    if resource_type in K8S_POD_CONTROLLERS:
        return "spec.template.spec"
    return None


def containers(record: ResourceRecord) -> Iterator[tuple[str, object]]:
    """``(path, container)`` for every container and init container of a pod-creating
    object. A whole list that is unknown yields one ``(path, UNKNOWN)``."""
    spec_path = pod_spec_path(record.type)
    if spec_path is None:
        return
    for key in ("initContainers", "containers"):
        path = f"{spec_path}.{key}"
        value = get(record.props, path)
        if is_unknown(value):
            yield path, UNKNOWN
            continue
        for i, c in enumerate(as_list(value)):
            yield f"{path}[{i}]", UNKNOWN if is_unknown(c) else c


def subject(record: ResourceRecord) -> dict[str, object]:
    """Evidence naming the resource and, from its labels or tags, the workload and team it
    belongs to (so that workload and team waivers cover it)."""
    lab = labels(record)
    notes = as_mapping(get(record.props, "metadata.annotations"))
    tags = tag_map(record.props)
    evidence: dict[str, object] = {"resource_type": record.type, "resource": record.name}
    if record.urn:
        evidence["urn"] = record.urn
    found = {
        "workload": lab.get(LABEL_NAME) or notes.get(ANNOTATION_WORKLOAD),
        "team": lab.get(LABEL_TEAM),
        "site": record.stack or lab.get(LABEL_SITE) or tags.get(TAG_SITE),
    }
    for key, value in found.items():
        if isinstance(value, str) and value and not is_unknown(value):
            evidence[key] = value
    return evidence


def tag_map(props: Mapping[str, object]) -> dict[str, object]:
    """AWS tags as a mapping, from ``tags`` as a map or (AutoScalingGroup) a list of
    ``{key, value}``; an unknown ``tags`` gives ``{}``."""
    raw = get(props, "tags")
    if isinstance(raw, Mapping):
        return {str(k): v for k, v in raw.items()}
    out: dict[str, object] = {}
    for item in as_list(raw):
        m = as_mapping(item)
        key = m.get("key")
        if isinstance(key, str):
            out[key] = m.get("value")
    return out
