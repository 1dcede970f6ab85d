"""Schema validation of the Kubernetes objects a preview registered, the way the API server
would judge them one by one: built-in kinds with ``kubernetes-validate`` in strict mode
against the chosen Kubernetes version, Kueue and Karpenter kinds against the Kueue v0.19.2
and Karpenter v1.14.1 CRD schemas shipped in ``planner/crds`` (strict too: unknown fields
are errors, where the API server would prune them silently).

What objects do to each other (selectors, references, budgets) is not checked here: those
are the preview rules of the policy engine (``policies.registry.PREVIEW_RULES``).

``jsonschema``, ``referencing`` and ``kubernetes_validate`` are imported when the first
object is validated, so that importing :mod:`planner.preview` (as the preview's child
process does) stays cheap. Validators are cached: a cold one costs 6-15 ms per object.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import yaml

from planner.errors import UsageError
from planner.preview.result import PreviewResource

Validator = Any
"""A ``jsonschema`` validator (the package ships no type information)."""

DEFAULT_K8S_VERSION = "1.33"
KUEUE_CRDS = "kueue-v0.19.2"
KARPENTER_CRDS = "karpenter-v1.14.1"
CRD_FOLDERS = (KUEUE_CRDS, KARPENTER_CRDS)
"""The folders of ``planner/crds`` whose CRD schemas objects are validated against."""


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
    import jsonschema  # type: ignore[import-untyped]

    out: dict[tuple[str, str], Validator] = {}
    entries = [
        entry
        for name in CRD_FOLDERS
        for entry in resources.files("planner").joinpath("crds", name).iterdir()
    ]
    for entry in sorted(entries, key=lambda e: e.name):
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
def _k8s_validator(version: str, api_version: str, kind: str) -> Validator | None:
    """A cached strict validator for a built-in kind (same schema files and lookup as
    ``kubernetes_validate.validate``; that function re-reads them on every call), or
    ``None`` when the version has no schema for the kind."""
    import jsonschema
    from kubernetes_validate import utils as kv_utils
    from referencing import Registry, Resource

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
        return None
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
        object_meta = _k8s_validator(k8s_version, "v1", "ConfigMap")
        return None if object_meta is None else _first_error(object_meta, meta)
    if api_version.split("/", maxsplit=1)[0].endswith(".x-k8s.io"):
        return f"no schema for custom resource {api_version} {kind}"
    validator = _k8s_validator(k8s_version, api_version, kind)
    if validator is None:
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
