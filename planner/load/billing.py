"""The ``billing:`` section of project.yaml -> ``BillingSpec`` and the export files its globs
name. ``load_project`` has already validated the file against its schema; this checks what
a schema cannot (workload names, globs that match nothing) and keeps each rule's line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from planner.billing.spec import (
    BillingSpec,
    CommitmentExpiry,
    ExportFile,
    MappingRule,
    Match,
    SharedSplit,
    SplitBasis,
)
from planner.errors import InputError, Problem
from planner.layout import PROJECT
from planner.load.files import read_document
from planner.load.schema_problems import document_problems
from planner.load.yamlpos import Parsed, YamlPath
from planner.model import SourceRef
from planner.money import DEFAULT_CURRENCY
from planner.names import nearest_names


def _where(doc: Parsed, path: YamlPath) -> SourceRef:
    line, column = doc.where(path)
    return SourceRef(PROJECT, line, column)


def _problem(doc: Parsed, path: YamlPath, field: str, message: str, fix: str) -> Problem:
    line, column = doc.where(path)
    return Problem(PROJECT, line, column, field, message, fix)


def _match(d: Mapping[str, Any]) -> Match:
    return Match(
        tags=tuple((str(k), str(v)) for k, v in d.get("tags", {}).items()),
        resource_id=d.get("resource_id"),
        account=d.get("account"),
        service=d.get("service"),
        service_category=d.get("service_category"),
        region=d.get("region"),
    )


def _name_problems(
    doc: Parsed, path: YamlPath, field: str, name: str, workloads: Sequence[str]
) -> list[Problem]:
    if name in workloads:
        return []
    near = nearest_names(name, workloads)
    hint = f"did you mean {', '.join(near)}?" if near else "name a workload of inventory.yaml"
    return [_problem(doc, path, field, f"unknown workload {name!r}", hint)]


def build_billing(
    doc: Parsed, workloads: Sequence[str], default_currency: str
) -> tuple[BillingSpec | None, list[Problem]]:
    """The spec of a validated project.yaml (``None`` without a billing section) and the
    problems a schema cannot see: rules and splits naming unknown workloads."""
    data = doc.data.get("billing") if isinstance(doc.data, dict) else None
    if data is None:
        return None, []
    problems: list[Problem] = []
    default_split = SplitBasis(data.get("shared_split", SplitBasis.MAPPED_SPEND.value))
    rules = []
    for i, r in enumerate(data.get("rules", [])):
        base: YamlPath = ("billing", "rules", i)
        field = f"billing.rules[{i}]"
        shared = None
        if "shared" in r:
            s = r["shared"]
            among = tuple(s.get("among", ()))
            for j, name in enumerate(among):
                problems += _name_problems(
                    doc,
                    (*base, "shared", "among", j),
                    f"{field}.shared.among[{j}]",
                    name,
                    workloads,
                )
            shared = SharedSplit(SplitBasis(s.get("by", default_split.value)), among)
        if "workload" in r:
            problems += _name_problems(
                doc, (*base, "workload"), f"{field}.workload", r["workload"], workloads
            )
        rules.append(
            MappingRule(
                index=i,
                match=_match(r.get("match", {})),
                workload=r.get("workload"),
                workload_tag=r.get("workload_tag"),
                shared=shared,
                source=_where(doc, base),
            )
        )
    bill_currency = data.get("currency")
    if bill_currency is not None and bill_currency != DEFAULT_CURRENCY:
        # refused, not converted: the bill is compared line by line with catalogue prices
        problems.append(
            _problem(
                doc,
                ("billing", "currency"),
                "billing.currency",
                f"a bill in {bill_currency} cannot be compared with the price catalogue "
                f"(priced in {DEFAULT_CURRENCY}); the planner never converts bills "
                "(settings.currency only chooses the currency figures are shown in)",
                f"export the bill in {DEFAULT_CURRENCY} (FOCUS BillingCurrency) and set "
                f"billing.currency to {DEFAULT_CURRENCY} or leave it out",
            )
        )
    spec = BillingSpec(
        exports=tuple(data["exports"]),
        rules=tuple(rules),
        months=int(data.get("months", BillingSpec(exports=()).months)),
        until=data.get("until"),
        currency=str(data.get("currency", default_currency)),
        shared_split=default_split,
        commitments=tuple(
            CommitmentExpiry(
                id=c["id"],
                expires=date.fromisoformat(c["expires"]),
                source=_where(doc, ("billing", "commitments", i)),
            )
            for i, c in enumerate(data.get("commitments", []))
        ),
        report_tags=tuple(data.get("report_tags", ())),
    )
    return spec, problems


def export_files(
    root: Path, doc: Parsed, spec: BillingSpec
) -> tuple[list[ExportFile], list[Problem]]:
    """The files ``spec.exports`` name under ``root`` (sorted, each once), and a problem for
    each entry that names none."""
    found: dict[Path, ExportFile] = {}
    problems = []
    for i, pattern in enumerate(spec.exports):
        path = Path(pattern)
        if path.is_absolute() or ".." in path.parts:
            problems.append(
                _problem(
                    doc,
                    ("billing", "exports", i),
                    f"billing.exports[{i}]",
                    f"{pattern!r} is outside the project folder",
                    "copy or link the exports into the project folder and name them relative "
                    "to it, e.g. bills/*.parquet",
                )
            )
            continue
        matches = sorted(p for p in root.glob(pattern) if p.is_file())
        if not matches:
            problems.append(
                _problem(
                    doc,
                    ("billing", "exports", i),
                    f"billing.exports[{i}]",
                    f"{pattern!r} matches no file",
                    "check the path (relative to the project folder; ** crosses folders)",
                )
            )
        for m in matches:
            found.setdefault(m, ExportFile(m.relative_to(root).as_posix(), m))
    return sorted(found.values(), key=lambda f: f.name), problems


def billing_problems(root: Path, doc: Parsed, workloads: Sequence[str]) -> list[Problem]:
    """What ``load_project`` adds for a schema-valid billing section: rules and splits naming
    unknown workloads, exports that name no file (``hybridplan validate`` shows them)."""
    spec, problems = build_billing(doc, workloads, default_currency="USD")
    if spec is not None:
        problems += export_files(root, doc, spec)[1]
    return problems


def load_billing(
    root: Path, *, workloads: Sequence[str], default_currency: str
) -> tuple[BillingSpec, tuple[ExportFile, ...]] | None:
    """The billing section of ``root``/project.yaml and its export files; ``None`` when the
    project states no bill. Raises ``InputError`` with every problem found."""
    problems: list[Problem] = []
    doc = read_document(root, PROJECT, "Project", required=False, problems=problems, digests={})
    if doc is None and not problems:
        return None
    if doc is not None:
        problems += document_problems("Project", doc, PROJECT)
    if problems or doc is None:
        raise InputError(problems)
    spec, problems = build_billing(doc, workloads, default_currency)
    if spec is None:
        return None
    files, file_problems = export_files(root, doc, spec)
    problems += file_problems
    if problems:
        raise InputError(problems)
    return spec, tuple(files)
