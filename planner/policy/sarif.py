"""Findings as SARIF 2.1.0, for GitHub code scanning (``hybridplan check --format sarif``).

One run, tool ``hybridplan`` with every rule as a ``reportingDescriptor`` (id, "Ensure ..."
short description, rationale, fix as help, default level, category as a tag). Each result
points at the planning-project file that defines what the finding is about: the workload
or site entry (inventory.yaml / sites.yaml, with its line when the loader recorded it), the
waiver (policies.yaml), or policies.yaml for plan-wide findings. GitHub needs a location
on every result, so there is always one. A waived finding carries an external suppression
with the waiver's reason, so code scanning shows it as dismissed.

Levels: mandatory -> ``error``, advisory -> ``warning``, cannot-evaluate -> ``note``.
Results come in the one finding order and carry the one evidence serialisation of
:mod:`planner.policy.output`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from planner import __version__
from planner.layout import INVENTORY, POLICIES, SITES
from planner.model import Finding, Level, Project, SourceRef
from planner.policy.output import evidence_to_json, finding_sort_key
from planner.policy.rule import Rule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_LEVELS = {Level.MANDATORY: "error", Level.ADVISORY: "warning", Level.DISABLED: "none"}


def sarif_level(f: Finding) -> str:
    if f.evidence.get("cannot_evaluate"):
        return "note"
    return _LEVELS[f.level]


def _descriptor(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.id,
        "name": rule.id.replace("-", ""),
        "shortDescription": {"text": rule.name},
        "fullDescription": {"text": rule.description},
        "help": {"text": f"To fix: {rule.fix}", "markdown": f"**To fix:** {rule.fix}"},
        "defaultConfiguration": {"level": _LEVELS[rule.level]},
        "properties": {"category": rule.category.value, "tags": [rule.category.value, "policy"]},
    }


def _source_of(f: Finding, project: Project | None) -> SourceRef:
    """The project file (and line when known) a finding is about."""
    fallback = SourceRef(POLICIES)
    if project is None:
        return SourceRef(POLICIES)
    src = f.evidence.get("source")
    if isinstance(src, str) and ":" in src:
        file, _, line = src.rpartition(":")
        return SourceRef(file, int(line) if line.isdigit() else 0)
    workload = f.scope if f.scope_kind == "workload" else f.evidence.get("workload")
    for w in project.workloads:
        if w.name == workload:
            return w.source or SourceRef(INVENTORY)
    site = f.scope if f.scope_kind == "site" else f.evidence.get("site")
    for s in project.sites:
        if s.name == site:
            return s.source or SourceRef(SITES)
    team = f.scope if f.scope_kind == "team" else f.evidence.get("team")
    for w in project.workloads:
        if w.team == team:
            return w.source or SourceRef(INVENTORY)
    return fallback


def _uri(prefix: str, file: str) -> str:
    file = file.replace("\\", "/")
    if not prefix or file.startswith("/"):
        return file
    return f"{prefix.rstrip('/')}/{file}"


def fingerprint(f: Finding) -> str:
    """Stable across runs: rule, scope and the resource when there is one."""
    key = "|".join((f.rule_id, f.scope_kind, f.scope, str(f.evidence.get("urn", ""))))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _result(
    f: Finding, index: dict[str, int], project: Project | None, prefix: str
) -> dict[str, object]:
    src = _source_of(f, project)
    physical: dict[str, object] = {"artifactLocation": {"uri": _uri(prefix, src.file)}}
    if src.line > 0:
        region: dict[str, int] = {"startLine": src.line}
        if src.column > 0:
            region["startColumn"] = src.column
        physical["region"] = region
    result: dict[str, object] = {
        "ruleId": f.rule_id,
        "level": sarif_level(f),
        "message": {"text": f"{f.scope_kind} {f.scope}: {f.message}"},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [{"name": f.scope, "kind": f.scope_kind}],
            }
        ],
        "partialFingerprints": {"hybridplanFinding/v1": fingerprint(f)},
        "properties": {
            "scopeKind": f.scope_kind,
            "scope": f.scope,
            "enforcementLevel": f.level.value,
            "evidence": evidence_to_json(f.evidence),
        },
    }
    if f.rule_id in index:
        result["ruleIndex"] = index[f.rule_id]
    if f.waived:
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": f.waiver_reason or ""}
        ]
    return result


def to_sarif(
    findings: Iterable[Finding],
    rules: Sequence[Rule],
    *,
    project: Project | None = None,
    uri_prefix: str | None = None,
) -> dict[str, object]:
    """A SARIF 2.1.0 log of ``findings``. ``uri_prefix`` (default: the project's root) makes
    the project-relative file names relative to the repository root, as GitHub expects."""
    prefix = uri_prefix if uri_prefix is not None else (project.root if project else "")
    if prefix.startswith("/"):
        prefix = ""
    ordered = sorted(rules, key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(ordered)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hybridplan",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_descriptor(r) for r in ordered],
                    }
                },
                "results": [
                    _result(f, index, project, prefix)
                    for f in sorted(findings, key=finding_sort_key)
                ],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
