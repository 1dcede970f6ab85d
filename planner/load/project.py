"""``load_project``: read every file of a planning folder, collect every problem in one
pass (syntax, schema, cross-references, then policy rule settings), and either raise one
``InputError`` carrying all of them or build the ``Project``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from planner import collector
from planner.errors import InputError, Problem
from planner.load.billing import billing_problems
from planner.load.build import build_policies, build_project
from planner.load.files import INPUT_FILES, list_telemetry, read_document
from planner.load.prometheus import prometheus_problems
from planner.load.references import reference_problems
from planner.load.schema_problems import document_problems
from planner.load.yamlpos import Parsed
from planner.model import PolicyConfig, Project
from planner.policy.config import policy_problems
from policies.registry import RULES


def load_project(root: Path) -> Project:
    """Read, validate and build the planning project in ``root``.

    Raises ``InputError`` listing every problem found (all files, one pass).
    """
    # a large inventory is millions of new, acyclic lists, dicts and model objects, which
    # the collector would otherwise rescan over and over (a fifth of a 100k load)
    with collector.paused():
        return _load(Path(root))


def _load(root: Path) -> Project:
    if not root.exists():
        raise InputError(
            [
                Problem(
                    str(root),
                    0,
                    0,
                    "",
                    "planning project folder does not exist",
                    "pass the folder that holds inventory.yaml and sites.yaml, "
                    "e.g. `hybridplan validate examples/acme`",
                )
            ]
        )
    if not root.is_dir():
        raise InputError(
            [
                Problem(
                    str(root),
                    0,
                    0,
                    "",
                    "not a folder; expected a planning project folder",
                    "pass the folder that holds inventory.yaml and sites.yaml, not a file in it",
                )
            ]
        )

    problems: list[Problem] = []
    digests: dict[str, str] = {}
    docs: dict[str, Parsed] = {}
    for file, kind, required in INPUT_FILES:
        parsed = read_document(
            root, file, kind, required=required, problems=problems, digests=digests
        )
        if parsed is None:
            continue
        problems.extend(document_problems(kind, parsed, file))
        if isinstance(parsed.data, dict):
            docs[kind] = parsed

    telemetry = list_telemetry(root, problems, digests)
    problems.extend(reference_problems(docs))
    if "Project" in docs and "Inventory" in docs and not problems:
        names = [w["name"] for w in docs["Inventory"].data.get("workloads", [])]
        problems.extend(billing_problems(root, docs["Project"], names))
        problems.extend(prometheus_problems(docs["Project"]))
    if problems:
        raise InputError(_dedupe(problems))

    policies = docs.get("Policies")
    policy_config = build_policies(policies) if policies is not None else PolicyConfig()
    if policies is not None:
        rule_problems = [
            _locate_policy_problem(policies, p) for p in policy_problems(policy_config, rules=RULES)
        ]
        if rule_problems:
            raise InputError(_dedupe(rule_problems))
    return build_project(
        str(root),
        inventory=docs["Inventory"],
        sites=docs["Sites"],
        policies=policy_config,
        project=docs.get("Project"),
        telemetry_files=telemetry,
        digests=digests,
    )


def _locate_policy_problem(doc: Parsed, problem: Problem) -> Problem:
    """Give a rule-registry problem (unknown rule id or parameter, bad parameter type) the
    line and column of the field it names in policies.yaml."""
    if problem.line > 0:
        return problem
    path: list[str | int] = []
    for part in problem.field.split("."):
        name, _, index = part.partition("[")
        if name:
            path.append(name)
        if index:
            path.append(int(index.rstrip("]")))
    # rule ids contain no dots, so "rules.HP-COST-001.params.x" splits cleanly
    line, column = doc.where(tuple(path), key=True)
    return replace(problem, line=line, column=column)


def _dedupe(problems: Iterable[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out: list[Problem] = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out
