"""Offline preview of an emitted stack: what ``pulumi preview`` would register, without the
Pulumi CLI, providers or cloud credentials.

``run_preview(stack_dir)``:

1. reads ``Pulumi.yaml`` (project name) and ``Pulumi.<stack>.yaml`` (config);
2. passes the config the way the Pulumi CLI does - ``PULUMI_CONFIG``, a JSON object of
   ``"<namespace>:<key>"`` to string (structured values as JSON text), secret keys in
   ``PULUMI_CONFIG_SECRET_KEYS``; ``secure:`` values cannot be decrypted offline and arrive
   as ``"[secret]"``;
3. runs ``__main__.py`` under ``pulumi.runtime.set_mocks`` in a child process
   (``planner.preview_runner``), which records every registered resource;
4. checks the result: the program ran, no URN was registered twice, and every Kubernetes
   object validates - built-in kinds with ``kubernetes-validate`` in strict mode against
   the chosen Kubernetes version, Kueue kinds against the Kueue v0.19.2 CRD schemas shipped
   in ``planner/crds`` (strict too: unknown fields are errors);
5. checks the objects against each other (:func:`cross_check`): selectors that select
   nothing, dangling references (HPA target, headless Service, priority class, namespace,
   Kueue queues, flavors and checks), PodDisruptionBudgets that block drains, limits below
   requests, two resources applying one object.

Secrets are redacted by the child before anything leaves it. What mocks cannot show:
provider defaults, auto-naming, server-side validation and transforms (see
``shared/notes/pulumi-offline.md``).
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import kubernetes_validate
import yaml
from kubernetes_validate import utils as kv_utils
from referencing import Registry, Resource

from planner.errors import CheckFailedError, UsageError

Validator = Any
"""A ``jsonschema`` validator (the package ships no type information)."""

DEFAULT_K8S_VERSION = "1.33"
KUEUE_CRDS = "kueue-v0.19.2"
REDACTED = "[secret]"
RUNNER = "planner.preview_runner"


class PreviewError(CheckFailedError):
    """The stack does not preview cleanly (program error, duplicate URNs, invalid
    Kubernetes objects). Exit code 1."""

    def __init__(self, message: str, *, problems: tuple[str, ...] = (), fix: str = "") -> None:
        super().__init__(message, fix=fix)
        self.problems = problems

    def render(self) -> str:
        lines = [f"preview failed: {self.message}"]
        lines.extend(f"  - {p}" for p in self.problems)
        if self.fix:
            lines.append(f"To fix: {self.fix}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class PreviewResource:
    """One registered resource, inputs as the provider would receive them (camelCase)."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: Mapping[str, Any] = field(default_factory=dict)
    ignore_changes: tuple[str, ...] = ()
    """Properties Pulumi leaves to others (an HPA's replicas, Kueue's ``spec.suspend``)."""
    retain_on_delete: bool = False
    replace_on_changes: tuple[str, ...] = ()

    @property
    def parent_name(self) -> str:
        return self.parent.rsplit("::", 1)[-1] if self.parent else ""


@dataclass(frozen=True, slots=True)
class PreviewResult:
    stack_dir: str
    project: str
    stack: str
    k8s_version: str
    resources: tuple[PreviewResource, ...]
    problems: tuple[str, ...]
    seconds: float
    validated: int
    """How many Kubernetes objects were schema-validated."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def of_type(self, type_: str) -> tuple[PreviewResource, ...]:
        return tuple(r for r in self.resources if r.type == type_)

    def named(self, type_: str, name: str) -> PreviewResource:
        for r in self.resources:
            if r.type == type_ and r.name == name:
                return r
        raise KeyError(f"{type_} {name}")

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.resources:
            out[r.type] = out.get(r.type, 0) + 1
        return dict(sorted(out.items()))


# --------------------------------------------------------------------------- config


def read_stack(stack_dir: Path, stack: str | None = None) -> tuple[str, str, dict[str, Any]]:
    """``(project, stack, config)`` of an emitted stack folder; ``stack`` may be omitted
    when the folder holds exactly one ``Pulumi.<stack>.yaml``."""
    project_file = stack_dir / "Pulumi.yaml"
    if not project_file.is_file():
        raise UsageError(
            f"{stack_dir} is not a Pulumi stack folder (no Pulumi.yaml)",
            fix="pass a folder emitted by `hybridplan plan`, e.g. out/stacks/<site>",
        )
    project_doc = yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}
    project = str(project_doc.get("name", ""))
    if not project:
        raise UsageError(f"{project_file} has no project name")
    if stack is None:
        candidates = sorted(
            p.name[len("Pulumi.") : -len(".yaml")]
            for p in stack_dir.glob("Pulumi.*.yaml")
            if p.name != "Pulumi.yaml"
        )
        if len(candidates) != 1:
            raise UsageError(
                f"{stack_dir} holds {len(candidates)} stack config files "
                f"({', '.join(candidates) or 'none'})",
                fix="name the stack with --stack",
            )
        stack = candidates[0]
    stack_file = stack_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        raise UsageError(f"no stack config {stack_file}")
    doc = yaml.safe_load(stack_file.read_text(encoding="utf-8")) or {}
    config = doc.get("config") or {}
    if not isinstance(config, dict):
        raise UsageError(f"{stack_file}: `config` is not a mapping")
    return project, stack, config


def cli_config_env(project: str, config: Mapping[str, Any]) -> dict[str, str]:
    """The environment the Pulumi CLI gives a program for ``config``: ``PULUMI_CONFIG``
    (keys fully qualified, values strings, structured values as JSON) and
    ``PULUMI_CONFIG_SECRET_KEYS``."""
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in sorted(config.items()):
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[full] = REDACTED
            secret_keys.append(full)
        elif isinstance(value, dict | list):
            values[full] = json.dumps(value, sort_keys=True)
        elif isinstance(value, bool):
            values[full] = "true" if value else "false"
        else:
            values[full] = "" if value is None else str(value)
    return {
        "PULUMI_CONFIG": json.dumps(values, sort_keys=True),
        "PULUMI_CONFIG_SECRET_KEYS": json.dumps(secret_keys),
    }


# --------------------------------------------------------------------------- validation


def kubernetes_object(resource: PreviewResource) -> dict[str, Any] | None:
    """The Kubernetes object a ``kubernetes:*`` resource would apply, or ``None`` for
    other resources (providers, components, AWS)."""
    if not resource.custom or not resource.type.startswith("kubernetes:"):
        return None
    if resource.type.startswith("pulumi:providers:"):
        return None
    obj = dict(resource.inputs)
    if "apiVersion" not in obj or "kind" not in obj:
        return None
    return obj


_GO_INLINE_FLAGS = re.compile(r"^\^\(\?([a-zA-Z]+)\)")


def _strict_schema(schema: Any) -> Any:
    """Copy of an OpenAPI schema where every object with declared properties rejects
    unknown fields (what the API server's pruning would silently drop). Go regular
    expressions with inline flags after ``^`` (``^(?i)...``) are rewritten for Python."""
    if isinstance(schema, dict):
        out = {k: _strict_schema(v) for k, v in schema.items()}
        if isinstance(out.get("pattern"), str):
            out["pattern"] = _GO_INLINE_FLAGS.sub(r"(?\1)^", out["pattern"])
        if (
            "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict_schema(v) for v in schema]
    return schema


@functools.cache
def _crd_validators() -> dict[tuple[str, str], Validator]:
    """``(apiVersion, kind) -> validator`` for every CRD file shipped in planner/crds."""
    out: dict[tuple[str, str], Validator] = {}
    folder = resources.files("planner").joinpath("crds", KUEUE_CRDS)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        crd = yaml.safe_load(entry.read_text(encoding="utf-8"))
        group = crd["spec"]["group"]
        kind = crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            schema = _strict_schema(version["schema"]["openAPIV3Schema"])
            out[(f"{group}/{version['name']}", kind)] = jsonschema.Draft202012Validator(schema)
    return out


@functools.cache
def _k8s_validator(version: str, api_version: str, kind: str) -> Validator:
    """A cached strict validator for a built-in kind (same schema files and lookup as
    ``kubernetes_validate.validate``; that function re-reads them on every call)."""
    wanted = kv_utils.major_minor(version)
    candidates = [
        v
        for v in kv_utils.all_versions()
        if _version_key(kv_utils.major_minor(v)) <= _version_key(wanted)
    ]
    if not candidates:
        raise UsageError(f"kubernetes-validate has no schemas for Kubernetes {version}")
    schema_version = candidates[-1]
    group = (
        api_version.split("/", maxsplit=1)[0].split(".", maxsplit=1)[0]
        if "/" in api_version
        else ""
    )
    api = f"{group}-{api_version.rsplit('/', maxsplit=1)[-1]}" if group else api_version
    folder = f"v{schema_version}-local-strict"
    try:
        schema = kv_utils.schema_contents(
            f"kubernetes-json-schema/{folder}/{kind.lower()}-{api}.json", version
        )
    except FileNotFoundError:
        raise kubernetes_validate.SchemaNotFoundError(
            version=wanted, kind=kind, api_version=api_version
        ) from None
    definitions = kv_utils.schema_contents(
        f"kubernetes-json-schema/{folder}/_definitions.json", version
    )
    registry: Registry[Any] = Resource.from_contents(schema) @ Registry()
    registry = Resource.from_contents(definitions) @ registry
    return jsonschema.Draft202012Validator(schema, registry=registry)


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split(".") if p.isdigit())


def _first_error(validator: Validator, obj: Any) -> str | None:
    errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    e = errors[0]
    path = ".".join(str(p) for p in e.absolute_path) or "(root)"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{path}: {e.message}{more}"


def validate_object(obj: Mapping[str, Any], k8s_version: str) -> str | None:
    """``None`` if the object is valid, else the first schema error (with a count)."""
    api_version = str(obj.get("apiVersion", ""))
    kind = str(obj.get("kind", ""))
    crd = _crd_validators().get((api_version, kind))
    if crd is not None:
        error = _first_error(crd, obj)
        if error is not None:
            return error
        # The CRD schema types metadata as a bare object: check it as ObjectMeta.
        meta = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": obj.get("metadata", {})}
        return _first_error(_k8s_validator(k8s_version, "v1", "ConfigMap"), meta)
    if api_version.split("/", maxsplit=1)[0].endswith(".x-k8s.io"):
        return f"no schema for custom resource {api_version} {kind}"
    try:
        validator = _k8s_validator(k8s_version, api_version, kind)
    except kubernetes_validate.SchemaNotFoundError:
        return f"no schema for {api_version} {kind} in Kubernetes {k8s_version}"
    return _first_error(validator, obj)


def check(resources: Sequence[PreviewResource], k8s_version: str) -> tuple[list[str], int]:
    """Problems with the registered resources, and how many Kubernetes objects were
    validated."""
    problems: list[str] = []
    validated = 0
    for r in resources:
        obj = kubernetes_object(r)
        if obj is None:
            continue
        validated += 1
        error = validate_object(obj, k8s_version)
        if error is not None:
            problems.append(f"{r.type} {r.name}: invalid for Kubernetes {k8s_version}: {error}")
    return problems, validated


# --------------------------------------------------------------------------- cross-object checks

_POD_TEMPLATE = {
    "Deployment": "spec.template",
    "StatefulSet": "spec.template",
    "DaemonSet": "spec.template",
    "ReplicaSet": "spec.template",
    "Job": "spec.template",
}
_QUANTITY = re.compile(r"^([0-9.]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
_FACTOR = {
    None: 1.0,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
    "Pi": 2.0**50,
    "Ei": 2.0**60,
}


def quantity(value: object) -> float | None:
    """A Kubernetes quantity (``"1500m"``, ``"4Gi"``, ``2``) as a number, else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    m = _QUANTITY.fullmatch(str(value))
    if m is None:
        return None
    try:
        return float(m.group(1)) * _FACTOR[m.group(2)]
    except ValueError:
        return None


def _meta(obj: Mapping[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


def _selects(selector: Any, labels: Mapping[str, Any]) -> bool:
    """Whether a ``matchLabels`` selector (the only form the stacks emit) selects labels."""
    wanted = (selector or {}).get("matchLabels") or {}
    return bool(wanted) and all(labels.get(k) == v for k, v in wanted.items())


def cross_check(resources: Sequence[PreviewResource]) -> list[str]:
    """What schema validation cannot see but a real cluster would trip over: two resources
    applying one Kubernetes object; selectors that select nothing (controller, Service,
    PodDisruptionBudget, topology spread); a PodDisruptionBudget that blocks every drain; an
    HPA with min > max or a missing target; a StatefulSet without its headless Service;
    limits below requests; a priority class, namespace, LocalQueue, ClusterQueue,
    ResourceFlavor, AdmissionCheck or MultiKueueCluster referred to but not created."""
    objs = [(r, o) for r in resources if (o := kubernetes_object(r)) is not None]
    problems: list[str] = []
    seen: dict[tuple[str, str, str, str], str] = {}
    by_kind: dict[str, dict[tuple[str, str], Mapping[str, Any]]] = {}
    for r, o in objs:
        ns, name = _meta(o)
        key = (str(o["apiVersion"]), str(o["kind"]), ns, name)
        if key in seen:
            problems.append(
                f"{r.type} {r.name}: {o['kind']} {ns + '/' if ns else ''}{name} is also "
                f"applied by {seen[key]} (server-side apply would let one overwrite the other)"
            )
        seen[key] = r.name
        by_kind.setdefault(str(o["kind"]), {})[(ns, name)] = o
    pods: list[tuple[str, Mapping[str, Any]]] = []
    for _r, o in objs:
        path = _POD_TEMPLATE.get(str(o["kind"]))
        template = _dig(o, path) if path else None
        if isinstance(template, Mapping):
            pods.append((_meta(o)[0], (template.get("metadata") or {}).get("labels") or {}))

    def has(kind: str, ns: str, name: str) -> bool:
        return (ns, name) in by_kind.get(kind, {})

    def selects_pods(ns: str, selector: Any) -> bool:
        return any(pns == ns and _selects(selector, labels) for pns, labels in pods)

    namespaces = {name for _, name in by_kind.get("Namespace", {})}
    for r, o in objs:
        kind = str(o["kind"])
        ns, name = _meta(o)
        where = f"{r.type} {r.name}"
        spec = o.get("spec") or {}
        if ns and namespaces and ns not in namespaces:
            problems.append(f"{where}: namespace {ns!r} is not created by this stack")
        path = _POD_TEMPLATE.get(kind)
        template = _dig(o, path) if path else None
        if isinstance(template, Mapping):
            labels = (template.get("metadata") or {}).get("labels") or {}
            if kind != "Job" and not _selects(spec.get("selector"), labels):
                problems.append(f"{where}: spec.selector does not select its own pod template")
            pod = template.get("spec") or {}
            problems.extend(f"{where}: {p}" for p in _pod_problems(pod, labels, by_kind))
            queue = ((o.get("metadata") or {}).get("labels") or {}).get("kueue.x-k8s.io/queue-name")
            if queue and not has("LocalQueue", ns, str(queue)):
                problems.append(f"{where}: LocalQueue {ns}/{queue} is not created by this stack")
        if kind == "StatefulSet":
            svc = by_kind.get("Service", {}).get((ns, str(spec.get("serviceName"))))
            if svc is None or (svc.get("spec") or {}).get("clusterIP") != "None":
                problems.append(f"{where}: no headless Service {spec.get('serviceName')!r}")
        if (
            kind == "Service"
            and spec.get("selector")
            and not selects_pods(ns, {"matchLabels": spec["selector"]})
        ):
            problems.append(f"{where}: the Service selects no pod template of this stack")
        if kind == "PodDisruptionBudget":
            problems.extend(f"{where}: {p}" for p in _pdb_problems(o, objs))
            if not selects_pods(ns, spec.get("selector")):
                problems.append(f"{where}: the PodDisruptionBudget selects no pod template")
        if kind == "HorizontalPodAutoscaler":
            low, high = spec.get("minReplicas", 1), spec.get("maxReplicas")
            if isinstance(high, int | float) and low > high:
                problems.append(f"{where}: minReplicas {low} > maxReplicas {high}")
            target = spec.get("scaleTargetRef") or {}
            if not has(str(target.get("kind")), ns, str(target.get("name"))):
                problems.append(
                    f"{where}: scale target {target.get('kind')} {ns}/{target.get('name')} "
                    "is not created by this stack"
                )
        if kind == "LocalQueue" and not has("ClusterQueue", "", str(spec.get("clusterQueue"))):
            problems.append(f"{where}: ClusterQueue {spec.get('clusterQueue')!r} is missing")
        if kind == "ClusterQueue":
            for group in spec.get("resourceGroups") or ():
                for flavor in group.get("flavors") or ():
                    if not has("ResourceFlavor", "", str(flavor.get("name"))):
                        problems.append(
                            f"{where}: ResourceFlavor {flavor.get('name')!r} is missing"
                        )
            strategy = spec.get("admissionChecksStrategy") or {}
            for check_ref in strategy.get("admissionChecks") or ():
                if not has("AdmissionCheck", "", str(check_ref.get("name"))):
                    problems.append(f"{where}: AdmissionCheck {check_ref.get('name')!r} is missing")
        if kind == "MultiKueueConfig":
            for cluster in spec.get("clusters") or ():
                if not has("MultiKueueCluster", "", str(cluster)):
                    problems.append(f"{where}: MultiKueueCluster {cluster!r} is missing")
    return problems


def _pod_problems(
    pod: Mapping[str, Any],
    labels: Mapping[str, Any],
    by_kind: Mapping[str, Mapping[tuple[str, str], Mapping[str, Any]]],
) -> list[str]:
    out: list[str] = []
    priority = pod.get("priorityClassName")
    if (
        priority
        and not str(priority).startswith("system-")
        and ("", str(priority)) not in by_kind.get("PriorityClass", {})
    ):
        out.append(f"priority class {priority!r} is not created by this stack")
    for c in pod.get("topologySpreadConstraints") or ():
        if not _selects(c.get("labelSelector"), labels):
            out.append(f"a topology spread constraint on {c.get('topologyKey')} misses its pods")
    for c in [*(pod.get("initContainers") or ()), *(pod.get("containers") or ())]:
        resources = c.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        for res, limit in limits.items():
            low, high = quantity(requests.get(res)), quantity(limit)
            if low is not None and high is not None and high < low:
                out.append(f"container {c.get('name')!r}: {res} limit {limit} < request")
    return out


def _pdb_problems(
    pdb: Mapping[str, Any], objs: Sequence[tuple[PreviewResource, Mapping[str, Any]]]
) -> list[str]:
    """A PodDisruptionBudget that no eviction can ever satisfy (node drains hang)."""
    spec = pdb.get("spec") or {}
    ns = _meta(pdb)[0]
    if spec.get("maxUnavailable") in (0, "0", "0%"):
        return ["maxUnavailable 0 blocks every drain"]
    floor = spec.get("minAvailable")
    if not isinstance(floor, int | float):
        return ["minAvailable 100% blocks every drain"] if floor == "100%" else []
    for _r, o in objs:
        path = _POD_TEMPLATE.get(str(o["kind"]))
        template = _dig(o, path) if path and o["kind"] != "Job" else None
        if _meta(o)[0] != ns or not isinstance(template, Mapping):
            continue
        replicas = (o.get("spec") or {}).get("replicas", 1)
        labels = (template.get("metadata") or {}).get("labels") or {}
        if (
            _selects(spec.get("selector"), labels)
            and isinstance(replicas, int | float)
            and floor >= replicas
        ):
            return [f"minAvailable {floor} >= {replicas} replicas blocks every drain"]
    return []


# --------------------------------------------------------------------------- running


def _redact_values(value: Any, secrets: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _redact_values(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_values(v, secrets) for v in value]
    if isinstance(value, str) and value in secrets:
        return REDACTED
    return value


def run_preview(
    stack_dir: Path,
    *,
    stack: str | None = None,
    k8s_version: str = DEFAULT_K8S_VERSION,
    python: str | None = None,
    timeout_s: float = 300.0,
    extra_env: Mapping[str, str] | None = None,
) -> PreviewResult:
    """Preview one stack folder offline (see the module docstring). Never raises for a
    stack that previews badly - the problems are in the result; raises ``UsageError``
    when the folder is not a stack or the child process cannot run."""
    stack_dir = stack_dir.resolve()
    project, stack_name, config = read_stack(stack_dir, stack)
    env = {**os.environ, **(extra_env or {}), **cli_config_env(project, config)}
    env.pop("PULUMI_CONFIG_PASSPHRASE", None)
    secrets = frozenset(
        str(v)
        for k, v in json.loads(env["PULUMI_CONFIG"]).items()
        if k in json.loads(env["PULUMI_CONFIG_SECRET_KEYS"]) and v not in ("", REDACTED)
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hybridplan-preview-") as tmp:
        report_path = Path(tmp) / "report.json"
        try:
            proc = subprocess.run(
                [
                    python or sys.executable,
                    "-m",
                    RUNNER,
                    str(stack_dir),
                    project,
                    stack_name,
                    str(report_path),
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise UsageError(
                f"offline preview of {stack_dir} timed out after {timeout_s:.0f} s"
            ) from None
        if proc.returncode != 0 or not report_path.is_file():
            tail = "\n".join(proc.stderr.strip().splitlines()[-10:])
            raise UsageError(f"offline preview runner failed for {stack_dir}:\n{tail}")
        report = json.loads(report_path.read_text(encoding="utf-8"))
    seconds = time.perf_counter() - started
    records = sorted(report["resources"], key=lambda r: r["urn"])
    found = tuple(
        PreviewResource(
            urn=r["urn"],
            type=r["type"],
            name=r["name"],
            parent=r["parent"],
            custom=r["custom"],
            inputs=_redact_values(r["inputs"], secrets),
            ignore_changes=tuple(r.get("ignore_changes", ())),
            retain_on_delete=bool(r.get("retain_on_delete", False)),
            replace_on_changes=tuple(r.get("replace_on_changes", ())),
        )
        for r in records
    )
    problems: list[str] = []
    if report.get("error"):
        problems.append(f"the program failed: {_redact_values(report['error'], secrets)}")
    problems.extend(f"duplicate URN: {urn}" for urn in sorted(set(report["duplicates"])))
    invalid, validated = check(found, k8s_version)
    problems.extend(invalid)
    problems.extend(cross_check(found))
    return PreviewResult(
        stack_dir=str(stack_dir),
        project=project,
        stack=stack_name,
        k8s_version=k8s_version,
        resources=found,
        problems=tuple(problems),
        seconds=seconds,
        validated=validated,
    )


# --------------------------------------------------------------------------- presentation


_KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "kubernetes:apps/v1:Deployment": ("spec.replicas",),
    "kubernetes:apps/v1:StatefulSet": ("spec.replicas", "spec.serviceName"),
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": ("spec.minReplicas", "spec.maxReplicas"),
    "kubernetes:core/v1:ResourceQuota": ("spec.hard",),
    "kubernetes:batch/v1:Job": ("spec.parallelism", "spec.suspend", "spec.managedBy"),
    "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue": (
        "spec.resourceGroups",
        "spec.admissionChecksStrategy",
    ),
    "kubernetes:kueue.x-k8s.io/v1beta2:MultiKueueConfig": ("spec.clusters",),
    "aws:autoscaling/group:Group": (
        "minSize",
        "maxSize",
        "mixedInstancesPolicy.instancesDistribution",
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": ("instanceType", "imageId"),
    "aws:budgets/budget:Budget": ("limitAmount", "timeUnit"),
}


def _dig(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


def key_inputs(resource: PreviewResource) -> dict[str, Any]:
    """A few inputs worth showing in a table (replicas, GPU quota, budget, names)."""
    out: dict[str, Any] = {}
    meta = resource.inputs.get("metadata")
    if isinstance(meta, Mapping) and "name" in meta:
        ns = meta.get("namespace")
        out["k8s"] = f"{ns}/{meta['name']}" if ns else meta["name"]
    for dotted in _KEY_FIELDS.get(resource.type, ()):
        value = _dig(resource.inputs, dotted)
        if value is not None:
            out[dotted] = value
    if resource.type == "kubernetes:batch/v1:Job":
        containers = _dig(resource.inputs, "spec.template.spec.containers") or []
        gpus = [_dig(c, "resources.limits") or {} for c in containers]
        out["nvidia.com/gpu"] = [g.get("nvidia.com/gpu") for g in gpus]
    return out


def as_json(result: PreviewResult) -> dict[str, Any]:
    """The machine-readable preview (stable: sorted by URN)."""
    return {
        "stack_dir": result.stack_dir,
        "project": result.project,
        "stack": result.stack,
        "k8s_version": result.k8s_version,
        "ok": result.ok,
        "problems": list(result.problems),
        "validated_kubernetes_objects": result.validated,
        "counts": result.counts(),
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "parent": r.parent,
                "custom": r.custom,
                "inputs": copy.deepcopy(dict(r.inputs)),
                "ignore_changes": list(r.ignore_changes),
                "retain_on_delete": r.retain_on_delete,
                "replace_on_changes": list(r.replace_on_changes),
            }
            for r in result.resources
        ],
    }
