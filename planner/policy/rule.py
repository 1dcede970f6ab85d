"""The rule model: what a policy rule is, what it is given, and what it returns.

A rule (one per file under ``policies/rules/``) has a stable id (``HP-COST-001``), an
"Ensure ..." name, a category, a default enforcement level and typed parameters with
defaults. It checks one or more surfaces, each a pure function that returns
:class:`Violation` values and never raises (the engine turns an unexpected exception into a
"cannot evaluate" finding all the same):

``check_plan(PlanContext)``
    the finished plan together with the project it was planned from;
``check_resources(ResourceContext)``
    emitted Pulumi resources as generic :class:`~planner.policy.resources.ResourceRecord`
    values, the same records whether they come from the offline preview or from CrossGuard
    at ``pulumi preview``. ``resource_scope`` says whether the check looks at one resource at
    a time (``resource``: a CrossGuard resource validation) or needs the whole stack
    (``stack``: e.g. "every Deployment has a PodDisruptionBudget");
``constrain(ProjectContext)``
    before solving, the part of the rule that can be expressed as solver constraints
    (a :class:`ConstraintPart`: budgets, cloud share, :class:`~planner.model.Prune`); the
    engine merges the parts of all rules into one :class:`~planner.model.Constraints`.
    Only rules at ``mandatory`` level constrain the solver; advisory rules only report.

The engine (:mod:`planner.policy.engine`) resolves the level and parameters from the
project's ``policies.yaml``, turns violations into :class:`~planner.model.Finding` values
and applies waivers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from planner.model import Category, Level, Plan, Project, Prune, Settings
from planner.money import Money
from planner.policy.resources import ResourceRecord

RULE_ID_RE = re.compile(r"^HP-(COST|SLA|RES|HYG|DEP)-\d{3}$")
"""Stable rule ids: ``HP-<CATEGORY>-<NNN>``; never renumbered, never reused."""

SCOPE_KINDS: tuple[str, ...] = ("workload", "team", "site")
"""Scopes a waiver may name. Findings may also be scoped to ``plan`` or ``resource``."""


class ParamKind(StrEnum):
    """The type of a rule parameter; also gives its JSON Schema for the CrossGuard pack."""

    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    STRING = "string"
    STRING_LIST = "string-list"
    INTEGER_LIST = "integer-list"
    NUMBER_MAP = "number-map"
    """Keys are strings (team, site or tier as text), values numbers."""
    STRING_LIST_MAP = "string-list-map"

    def json_schema(self, *, nullable: bool) -> dict[str, object]:
        """The JSON Schema (draft 2020-12 subset CrossGuard understands) of a value."""
        base: dict[str, object]
        if self is ParamKind.NUMBER:
            base = {"type": "number"}
        elif self is ParamKind.INTEGER:
            base = {"type": "integer"}
        elif self is ParamKind.BOOLEAN:
            base = {"type": "boolean"}
        elif self is ParamKind.STRING:
            base = {"type": "string"}
        elif self is ParamKind.STRING_LIST:
            base = {"type": "array", "items": {"type": "string"}}
        elif self is ParamKind.INTEGER_LIST:
            base = {"type": "array", "items": {"type": "integer"}}
        elif self is ParamKind.NUMBER_MAP:
            base = {"type": "object", "additionalProperties": {"type": "number"}}
        else:
            base = {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            }
        if nullable:
            return {"anyOf": [base, {"type": "null"}]}
        return base


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a rule. ``default`` ``None`` (with ``nullable``) means "off" for limits
    that have no sensible universal value (a budget). ``from_settings`` derives the default
    from the project's settings when the project has an opinion (tier availability)."""

    name: str
    kind: ParamKind
    default: object
    description: str
    nullable: bool = False
    from_settings: Callable[[Settings], object] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Violation:
    """What a rule check returns: one thing wrong, scoped, with its evidence.

    ``scope_kind`` is ``workload``, ``team``, ``site``, ``plan`` or ``resource``. Put the
    workload, team and site the violation concerns into ``evidence`` under those keys: a
    waiver for a team then also covers that team's workloads and resources.
    ``cannot_evaluate`` marks a check that could not decide (an unknown value during
    preview, a missing figure): it is reported, never passed silently.
    """

    scope_kind: str
    scope: str
    message: str
    evidence: Mapping[str, object] = field(default_factory=dict)
    cannot_evaluate: bool = False


def resource_verdict(
    resource: str,
    evidence: Mapping[str, object],
    *,
    wrong: str = "",
    details: Mapping[str, object] | None = None,
    unknown: str = "",
) -> Iterator[Violation]:
    """The verdict of a resource check on ``resource``: a violation saying ``wrong`` when
    something is definitely wrong (``details`` added to ``evidence``), else a "cannot
    evaluate" one saying ``unknown`` when an unknown value kept the check from deciding,
    else nothing. Definite findings win: an unknown elsewhere does not hide them."""
    if wrong:
        yield Violation("resource", resource, wrong, {**evidence, **(details or {})})
    elif unknown:
        yield Violation("resource", resource, unknown, evidence, cannot_evaluate=True)


@dataclass(frozen=True, slots=True)
class ConstraintPart:
    """One rule's contribution to the solver's constraints; ``None``/empty means "no
    opinion". Merging keeps the tightest value of every field."""

    team_budget_per_month: Mapping[str, Money] = field(default_factory=dict)
    site_budget_per_month: Mapping[str, Money] = field(default_factory=dict)
    total_budget_per_month: Money | None = None
    max_cloud_share: float | None = None
    min_failure_domains_tier1: int | None = None
    prunes: tuple[Prune, ...] = ()


@dataclass(frozen=True, slots=True)
class ProjectContext:
    """What ``constrain`` sees: the project and the rule's resolved parameters."""

    project: Project
    params: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What ``check_plan`` sees: the project, the finished plan and resolved parameters."""

    project: Project
    plan: Plan
    params: Mapping[str, object]
    today: date | None = None
    """The evaluation date (waiver expiry); passed in, never read from the clock."""


@dataclass(frozen=True, slots=True)
class ResourceContext:
    """What ``check_resources`` sees: the records (one, for ``resource`` scope; the whole
    stack for ``stack`` scope) and resolved parameters. ``project`` is ``None`` at
    ``pulumi preview``, where only the pack config is known: checks must not need it."""

    resources: tuple[ResourceRecord, ...]
    params: Mapping[str, object]
    project: Project | None = None


PlanCheck = Callable[[PlanContext], Iterable[Violation]]
ResourceCheck = Callable[[ResourceContext], Iterable[Violation]]
Constrain = Callable[[ProjectContext], ConstraintPart]


@dataclass(frozen=True, slots=True)
class Rule:
    """A policy rule. See the module docstring."""

    id: str
    name: str
    category: Category
    level: Level
    description: str
    """Why the rule exists, in one or two sentences (SARIF ``fullDescription``)."""
    fix: str
    """What to do about a violation (SARIF ``help``)."""
    params: tuple[Param, ...] = ()
    check_plan: PlanCheck | None = field(default=None, compare=False)
    check_resources: ResourceCheck | None = field(default=None, compare=False)
    resource_scope: str = "resource"
    """``resource`` (one record at a time) or ``stack`` (all records of a stack)."""
    constrain: Constrain | None = field(default=None, compare=False)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"{self.id} has no parameter {name!r}")
