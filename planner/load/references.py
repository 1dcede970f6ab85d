"""Checks across entries and files that a schema cannot express: duplicate workload and site
names, references to unknown sites, workloads, teams and GPU types, dependencies on
oneself, ``current_option`` against what the current site's kind sells, and waiver scopes
and expiry dates. Each problem is located and suggests the nearest known name."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from planner import names
from planner.errors import Problem
from planner.layout import INVENTORY, POLICIES, SITES
from planner.load.yamlpos import Parsed, YamlPath, problem_at
from planner.model import PricingOption


def reference_problems(docs: Mapping[str, Parsed]) -> list[Problem]:
    """Duplicate names and references between workloads, sites and waivers, in the parsed
    documents ``docs`` keyed by kind (``Inventory``, ``Sites``, ``Policies``)."""
    problems: list[Problem] = []
    inventory = docs.get("Inventory")
    sites_doc = docs.get("Sites")
    # A reference can only be checked against a list that was actually read.
    if not _has_list(inventory, "workloads"):
        inventory = None
    if not _has_list(sites_doc, "sites"):
        sites_doc = None
    workloads = _entries(inventory, "workloads")
    sites = _entries(sites_doc, "sites")
    if inventory is not None:
        problems.extend(_duplicates(inventory, INVENTORY, "workloads", "workload", workloads))
        problems.extend(_emitted_name_problems(inventory, workloads))
    if sites_doc is not None:
        problems.extend(_duplicates(sites_doc, SITES, "sites", "site", sites))

    # Ordered like the files (for the fix's list), with constant-time membership.
    workload_names = dict.fromkeys(w.name for w in workloads if w.name)
    site_names = dict.fromkeys(s.name for s in sites if s.name)
    offered: set[str] = set()
    for s in sites:
        capacity = s.item.get("capacity")
        gpus = capacity.get("gpus") if isinstance(capacity, dict) else None
        if isinstance(gpus, dict):
            offered.update(str(k) for k in gpus)
    wanted = {
        r["gpu_type"]
        for w in workloads
        if isinstance(r := w.item.get("resources"), dict) and isinstance(r.get("gpu_type"), str)
    }
    if not wanted <= offered:  # reading the price catalogue takes a while: only if needed
        for s in sites:
            offered.update(_cloud_gpu_types(s.item))

    if inventory is not None:
        for w in workloads:
            problems.extend(
                _workload_refs(
                    inventory,
                    w,
                    workload_names=workload_names,
                    site_names=site_names,
                    offered=offered,
                    sites_doc=sites_doc,
                )
            )
    if sites_doc is not None:
        for s in sites:
            problems.extend(_buy_problems(sites_doc, s))
            latency = s.item.get("latency_ms")
            if not isinstance(latency, dict):
                continue
            for target in latency:
                if target not in site_names:
                    problems.append(
                        problem_at(
                            sites_doc,
                            SITES,
                            ("sites", s.index, "latency_ms", target),
                            f"unknown site '{target}' in latency_ms",
                            _one_of_fix(target, list(site_names)),
                            key=True,
                        )
                    )
    policies = docs.get("Policies")
    if policies is not None:
        teams = list(
            dict.fromkeys(w.item["team"] for w in workloads if isinstance(w.item.get("team"), str))
        )
        known = {
            "workload": (list(workload_names), inventory is not None),
            "team": (teams, inventory is not None),
            "site": (list(site_names), sites_doc is not None),
        }
        problems.extend(_waiver_refs(policies, known))
    return problems


def _buy_problems(doc: Parsed, site: _Named) -> Iterator[Problem]:
    """A site's ``buy`` entries: unique names, and GPUs of a type the site already has (its
    offers price that type; a type the site lacks has no owned offer to run on)."""
    buy = site.item.get("buy")
    if not isinstance(buy, list):
        return
    capacity = site.item.get("capacity")
    gpus = capacity.get("gpus") if isinstance(capacity, dict) else None
    have = sorted(str(k) for k in gpus) if isinstance(gpus, dict) else []
    seen: set[str] = set()
    for j, b in enumerate(buy):
        if not isinstance(b, dict):
            continue
        path: YamlPath = ("sites", site.index, "buy", j)
        name = b.get("name")
        if isinstance(name, str):
            if name in seen:
                yield problem_at(
                    doc,
                    SITES,
                    (*path, "name"),
                    f"duplicate server model '{name}' in buy of site '{site.name}'",
                    "give each server model to buy its own name",
                )
            seen.add(name)
        count = b.get("gpus", 0)
        gpu_type = b.get("gpu_type")
        if isinstance(count, int) and count > 0 and gpu_type is None:
            yield problem_at(
                doc,
                SITES,
                (*path, "gpus"),
                f"{count} GPUs per server without a gpu_type",
                "add gpu_type (e.g. h100), one the site's capacity.gpus lists",
            )
        elif isinstance(gpu_type, str) and gpu_type not in have:
            listed = ", ".join(have) if have else "no GPUs"
            yield problem_at(
                doc,
                SITES,
                (*path, "gpu_type"),
                f"GPU type '{gpu_type}' to buy, but site '{site.name}' has {listed}",
                "buy a GPU type the site's capacity.gpus lists, or add that type to capacity.gpus",
            )


@dataclass(frozen=True, slots=True)
class _Named:
    index: int
    item: dict[str, Any]
    name: str | None


def _has_list(parsed: Parsed | None, key: str) -> bool:
    return (
        parsed is not None
        and isinstance(parsed.data, dict)
        and isinstance(parsed.data.get(key), list)
    )


def _entries(parsed: Parsed | None, key: str) -> list[_Named]:
    if parsed is None or not isinstance(parsed.data, dict):
        return []
    items = parsed.data.get(key)
    if not isinstance(items, list):
        return []
    out = []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            name = item.get("name")
            out.append(_Named(i, item, name if isinstance(name, str) else None))
    return out


def _emitted_name_problems(doc: Parsed, workloads: list[_Named]) -> Iterator[Problem]:
    """Names the emitted stacks could not use (``planner.names``): a team whose namespace
    the cluster owns, a derived object name (``<name>-burst``, ``<db>-headless``,
    ``<gpu>-burst``) that is no label or is another workload's, a database name too long
    for its StatefulSet's pods. ``hybridplan emit`` refuses the same."""
    named = [
        (w, w.name, kind)
        for w in workloads
        if w.name is not None and isinstance(kind := w.item.get("kind"), str)
    ]
    services = {
        name
        for w, name, kind in named
        if w.item.get("ports") and kind not in names.STATEFUL_KIND_NAMES
    }
    jobs = {name for _, name, kind in named if kind in ("training", "batch")}
    for w, name, kind in named:
        base: YamlPath = ("workloads", w.index)
        team = w.item.get("team")
        issue = names.namespace_issue(team) if isinstance(team, str) else None
        if issue is not None:
            yield problem_at(doc, INVENTORY, (*base, "team"), issue.message, names.NAMESPACE_FIX)
        resources = w.item.get("resources")
        gpu_type = resources.get("gpu_type") if isinstance(resources, dict) else None
        gpu = gpu_type if isinstance(gpu_type, str) and names.is_label(gpu_type) else None
        if not names.is_label(name):
            continue  # the schema reports the name itself
        for derived, what in names.derived_names(name, kind, gpu):
            # name and gpu are labels, so a derived name can only fail by its length
            bad = (
                names.check_label(derived, what=what)
                if len(derived) > names.MAX_LABEL_LENGTH
                else None
            )
            if bad is not None:
                field = "gpu_type" if derived == f"{gpu}-burst" else "name"
                path = (*base, "resources", field) if field == "gpu_type" else (*base, "name")
                yield problem_at(doc, INVENTORY, path, bad.message, f"shorten the {field}")
        too_long = names.database_name_issue(name) if kind in names.STATEFUL_KIND_NAMES else None
        if too_long is not None:
            yield problem_at(
                doc,
                INVENTORY,
                (*base, "name"),
                too_long.message,
                f"shorten it to {names.STATEFULSET_NAME_MAX} characters or fewer",
            )
        clash = names.derived_name_clash(name, kind, services, jobs)
        if clash is not None:
            derived, what = clash
            yield problem_at(
                doc,
                INVENTORY,
                (*base, "name"),
                f"the name {derived!r} is also the {what} of {name!r}",
                f"rename workload {derived!r} (or {name!r})",
            )


def _duplicates(
    parsed: Parsed, file: str, key: str, noun: str, entries: list[_Named]
) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for e in entries:
        if e.name is None:
            continue
        if e.name in first:
            line, _ = parsed.where((key, first[e.name], "name"))
            yield problem_at(
                parsed,
                file,
                (key, e.index, "name"),
                f"duplicate {noun} name '{e.name}' (first defined on line {line})",
                f"rename one of them; {noun} names must be unique",
            )
        else:
            first[e.name] = e.index


_OWNED_OPTIONS = (PricingOption.OWNED, PricingOption.LEASED)
"""What a kubernetes or gpu-pool site can sell; a cloud site sells every other option."""
_CLOUD_OPTIONS = tuple(o for o in PricingOption if o not in _OWNED_OPTIONS)


def _current_option_refs(
    doc: Parsed, w: _Named, option: str, sites_doc: Parsed
) -> Iterator[Problem]:
    """``current_option`` needs a ``current_site`` and must be one that site's kind sells."""
    path: YamlPath = ("workloads", w.index, "current_option")
    current = w.item.get("current_site")
    if not isinstance(current, str):
        yield problem_at(
            doc,
            INVENTORY,
            path,
            "current_option is set but current_site is not",
            "add current_site, or remove current_option",
        )
        return
    data = sites_doc.data if isinstance(sites_doc.data, dict) else {}
    listed = data.get("sites")
    kinds = {
        s.get("name"): s.get("kind")
        for s in (listed if isinstance(listed, list) else [])
        if isinstance(s, dict)
    }
    kind = kinds.get(current)
    allowed = _CLOUD_OPTIONS if kind == "cloud" else _OWNED_OPTIONS
    if kind is not None and option not in allowed:
        yield problem_at(
            doc,
            INVENTORY,
            path,
            f"'{option}' is not sold by {kind} site '{current}'",
            f"use one of: {', '.join(allowed)}",
        )


def _cloud_gpu_types(site: Mapping[str, Any]) -> set[str]:
    """GPU types a cloud site sells: those of the instance types the packaged catalogue
    prices in the site's price region (a cloud site declares no capacity)."""
    if site.get("kind") != "cloud":
        return set()
    from planner.catalogue import load_default_catalogue

    cost = site.get("cost")
    cloud = cost.get("cloud") if isinstance(cost, dict) else None
    region = cloud.get("price_region") if isinstance(cloud, dict) else None
    region = region if isinstance(region, str) else site.get("region")
    provider = site.get("provider")
    if not isinstance(region, str) or not isinstance(provider, str):
        return set()
    instances = load_default_catalogue().instances_in(provider, region)
    return {i.gpu_type for i in instances if i.gpu_type}


def _workload_refs(
    doc: Parsed,
    w: _Named,
    *,
    workload_names: Mapping[str, None],
    site_names: Mapping[str, None],
    offered: set[str],
    sites_doc: Parsed | None,
) -> Iterator[Problem]:
    base: YamlPath = ("workloads", w.index)
    if sites_doc is not None:
        for field in ("current_site", "pinned_site"):
            target = w.item.get(field)
            if isinstance(target, str) and target not in site_names:
                yield problem_at(
                    doc,
                    INVENTORY,
                    (*base, field),
                    f"unknown site '{target}'",
                    _one_of_fix(target, list(site_names)),
                )
        resources = w.item.get("resources")
        if w.item.get("kind") == "training" and isinstance(resources, dict):
            gpus = resources.get("gpus", 0)
            if isinstance(gpus, int | float) and not isinstance(gpus, bool) and gpus < 1:
                yield problem_at(
                    doc,
                    INVENTORY,
                    (*base, "resources", "gpus") if "gpus" in resources else (*base, "resources"),
                    "a training workload needs GPUs (its demand is GPU-hours)",
                    "set resources.gpus (GPUs per replica, at least 1) and resources.gpu_type,"
                    " or use kind: batch for CPU-only jobs",
                )
        option = w.item.get("current_option")
        if isinstance(option, str):
            yield from _current_option_refs(doc, w, option, sites_doc)
        gpu_type = resources.get("gpu_type") if isinstance(resources, dict) else None
        if isinstance(gpu_type, str) and gpu_type not in offered:
            listed = ", ".join(sorted(offered)) or "none"
            close = names.nearest_name(gpu_type, sorted(offered))
            hint = f"did you mean '{close}'? or " if close else ""
            yield problem_at(
                doc,
                INVENTORY,
                (*base, "resources", "gpu_type"),
                f"no site offers GPU type '{gpu_type}' (offered: {listed})",
                f"{hint}add it to a site's capacity.gpus in sites.yaml",
            )
    depends = w.item.get("depends_on")
    if isinstance(depends, list):
        for j, dep in enumerate(depends):
            path: YamlPath = (*base, "depends_on", j)
            target = dep
            if isinstance(dep, dict):
                target = dep.get("name")
                path = (*path, "name")
            if not isinstance(target, str):
                continue
            if target == w.name:
                yield problem_at(
                    doc,
                    INVENTORY,
                    path,
                    f"workload '{target}' depends on itself",
                    "remove this entry",
                )
            elif target not in workload_names:
                yield problem_at(
                    doc,
                    INVENTORY,
                    path,
                    f"unknown workload '{target}'",
                    _one_of_fix(target, list(workload_names)),
                )


def _waiver_refs(doc: Parsed, known: Mapping[str, tuple[list[str], bool]]) -> Iterator[Problem]:
    for entry in _entries(doc, "waivers"):
        base: YamlPath = ("waivers", entry.index)
        expires = entry.item.get("expires")
        if isinstance(expires, str) and len(expires) == 10 and expires[4] == "-":
            try:
                date.fromisoformat(expires)
            except ValueError:
                yield problem_at(
                    doc,
                    POLICIES,
                    (*base, "expires"),
                    f"{expires!r} is not a calendar date",
                    "use a real date YYYY-MM-DD, e.g. 2027-03-31",
                )
        scope = entry.item.get("scope")
        if not isinstance(scope, dict):
            continue
        for scope_kind, target in scope.items():
            names_known, checkable = known.get(scope_kind, ([], False))
            if checkable and isinstance(target, str) and target not in names_known:
                yield problem_at(
                    doc,
                    POLICIES,
                    (*base, "scope", scope_kind),
                    f"unknown {scope_kind} '{target}'",
                    _one_of_fix(target, names_known),
                )


def _one_of_fix(word: str, options: Sequence[str], limit: int = 12) -> str:
    """The fix for an unknown name: the nearest known one, else the known ones."""
    close = names.nearest_name(word, options)
    listed = ", ".join(options[:limit]) + (", ..." if len(options) > limit else "")
    if close:
        return f"did you mean '{close}'? (known: {listed})"
    return f"use one of: {listed}" if options else "define it first"
