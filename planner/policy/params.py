"""Rule parameters: resolution (defaults <- settings <- ``policies.yaml``), type checks, and
typed accessors for rule code.

Values may arrive from YAML (ints as ints, tier keys as ints) or from CrossGuard's pack
config (every number a float, every key a string); the accessors accept both.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

from planner.fx import said
from planner.model import Project
from planner.money import Money
from planner.policy.rule import Param, ParamKind, Rule, Violation


def resolve(
    rule: Rule, project: Project | None, overrides: Mapping[str, object]
) -> dict[str, object]:
    """Effective parameters: each default, replaced by the settings-derived default when the
    project is known, replaced by the project's override. Unknown override keys are ignored
    here (``planner.policy.config.validate_policy_config`` reports them)."""
    out: dict[str, object] = {}
    for p in rule.params:
        value = p.default
        if project is not None and p.from_settings is not None:
            value = p.from_settings(project.settings)
        if p.name in overrides:
            value = overrides[p.name]
        out[p.name] = to_json(value)
    return out


def to_json(value: object) -> object:
    """A JSON-ready copy: mappings with string keys, tuples as lists, ints kept."""
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def type_error(param: Param, value: object) -> str | None:
    """Why ``value`` does not fit ``param`` (``None`` if it does)."""
    if value is None:
        return None if param.nullable else "must not be null"
    kind = param.kind
    if kind is ParamKind.NUMBER:
        return None if _is_number(value) else "must be a number"
    if kind is ParamKind.INTEGER:
        ok = isinstance(value, int | float) and _is_number(value) and float(value) == int(value)
        return None if ok else "must be an integer"
    if kind is ParamKind.BOOLEAN:
        return None if isinstance(value, bool) else "must be true or false"
    if kind is ParamKind.STRING:
        return None if isinstance(value, str) else "must be a string"
    if kind is ParamKind.STRING_LIST:
        ok = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
        return None if ok else "must be a list of strings"
    if kind is ParamKind.INTEGER_LIST:
        ok = isinstance(value, list | tuple) and all(
            _is_number(v) and float(v) == int(v) for v in value
        )
        return None if ok else "must be a list of integers"
    if kind is ParamKind.NUMBER_MAP:
        ok = isinstance(value, Mapping) and all(_is_number(v) for v in value.values())
        return None if ok else "must be a mapping of names to numbers"
    ok = isinstance(value, Mapping) and all(
        isinstance(v, list | tuple) and all(isinstance(x, str) for x in v) for v in value.values()
    )
    return None if ok else "must be a mapping of names to lists of strings"


# --------------------------------------------------------------------------- accessors
# Each accessor tolerates a wrong type by returning the "off" value: the loader reports type
# errors, and a rule must never raise.


def number(params: Mapping[str, object], name: str) -> float | None:
    value = params.get(name)
    return float(value) if _is_number(value) else None  # type: ignore[arg-type]


def integer(params: Mapping[str, object], name: str) -> int | None:
    value = number(params, name)
    return int(value) if value is not None else None


def boolean(params: Mapping[str, object], name: str, default: bool = False) -> bool:
    value = params.get(name)
    return value if isinstance(value, bool) else default


def strings(params: Mapping[str, object], name: str) -> tuple[str, ...]:
    value = params.get(name)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return ()


def number_map(params: Mapping[str, object], name: str) -> dict[str, float]:
    value = params.get(name)
    if not isinstance(value, Mapping):
        return {}
    return {str(k): float(v) for k, v in value.items() if _is_number(v)}


def tier_map(params: Mapping[str, object], name: str) -> dict[int, float]:
    """A number map keyed by tier (``1`` or ``"1"``)."""
    out: dict[int, float] = {}
    for k, v in number_map(params, name).items():
        try:
            out[int(float(k))] = v
        except ValueError:
            continue
    return out


def string_list_map(params: Mapping[str, object], name: str) -> dict[str, tuple[str, ...]]:
    value = params.get(name)
    if not isinstance(value, Mapping):
        return {}
    return {
        str(k): tuple(str(x) for x in v) for k, v in value.items() if isinstance(v, list | tuple)
    }


def integers(params: Mapping[str, object], name: str) -> tuple[int, ...]:
    value = params.get(name)
    if not isinstance(value, list | tuple):
        return ()
    return tuple(int(v) for v in value if _is_number(v))


def money(params: Mapping[str, object], name: str, currency: str) -> Money | None:
    """A monthly amount parameter (policies.yaml numbers are floats: taken at their typed
    digits, ``Money.from_float``)."""
    value = number(params, name)
    return None if value is None else Money.from_float(value, currency)


def money_map(params: Mapping[str, object], name: str, currency: str) -> dict[str, Money]:
    """A map of monthly amounts by name (team or site budgets)."""
    return {k: Money.from_float(v, currency) for k, v in number_map(params, name).items()}


def over_budget(
    scope_kind: str, spend: Mapping[str, Money], budgets: Mapping[str, Money], verb: str
) -> Iterator[Violation]:
    """One violation per ``scope`` (team or site) whose monthly ``spend`` exceeds its
    budget (exactly: a cent over is over), with the figures in the message and evidence."""
    for scope, budget in sorted(budgets.items()):
        used = spend.get(scope, Money.zero(budget.currency))
        if used > budget:
            yield Violation(
                scope_kind,
                scope,
                f"{scope_kind} {scope} {verb} {said(used)}/month, over its budget of "
                f"{said(budget)}/month by {said(used - budget)}",
                {
                    scope_kind: scope,
                    "usd_per_month": used,
                    "budget_usd_per_month": budget,
                },
            )
