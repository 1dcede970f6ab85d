"""Planning a project and rendering, writing or checking its outputs."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from planner import collector
from planner.app.inputs import Inputs, Progress, no_progress
from planner.catalogue import Catalogue
from planner.errors import DriftError, PolicyFailure
from planner.fs import drift, write_tree
from planner.model import Classification, Finding, Plan, Project
from planner.policy import mandatory_failures, pack_config

if TYPE_CHECKING:
    from planner.pipeline import PlanBundle
    from planner.reprice import PriceTable
    from stacks.spec import StackConfig

PLAN_STEPS = ("solving", "rendering")
"""What ``render_plan_files`` reports."""

STACKS = "stacks"
"""The folder of ``OUT`` that holds one Pulumi stack per used site."""

RUNTIME_DIRS = frozenset({"venv", "__pycache__"})
"""What running a stack adds to its folder and the drift check ignores: the virtualenv the
emitted ``Pulumi.yaml`` names (``pulumi install``, or the README's ``python -m venv venv``)
and byte-code caches."""


def plan_project(
    inputs: Inputs,
    *,
    catalogue: Catalogue,
    today: date,
    classifications: tuple[Classification, ...] | None = None,
    reuse: PriceTable | None = None,
    record_prices: bool = False,
) -> PlanBundle:
    """Plan the loaded project against ``catalogue`` as of ``today`` (waiver expiry);
    ``reuse`` and ``record_prices`` as ``build_plan`` takes them (what-if re-pricing).
    Classification runs on the cores this process may use (``scan_threads``, at most 4;
    the plan does not depend on it). Raises ``InfeasibleError`` with a diagnosis when no
    plan fits."""
    from planner.ingest.csv_fast import scan_threads
    from planner.pipeline import build_plan

    # Planning allocates millions of objects that live until the plan is made (offers and
    # their lines: 430k offers at 10k workloads) and few cycles: the collector's passes
    # over them are about a third of pricing's CPU time. The loaded inputs are frozen out
    # of its generations and it is paused while planning; garbage without cycles is freed
    # as ever, and cycles made meanwhile are collected at the next pass after.
    with collector.frozen(), collector.paused():
        return build_plan(
            inputs.project,
            catalogue=catalogue,
            telemetry=inputs.telemetry,
            today=today,
            classifications=classifications,
            bill=inputs.bill,
            reuse=reuse,
            record_prices=record_prices,
            threads=scan_threads(),
        )


def reproduce_command(verb: str, project_dir: Path, out: Path, stack_env: str) -> str:
    """The shell-quoted ``hybridplan <verb> DIR --out OUT [--env ENV]`` that regenerates
    these outputs; the default env is left out so the usual command stays short."""
    parts = [f"hybridplan {verb}", shlex.quote(project_dir.as_posix())]
    parts.append(f"--out {shlex.quote(out.as_posix())}")
    if stack_env != "prod":
        parts.append(f"--env {shlex.quote(stack_env)}")
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    """A planned project and every output file, rendered in memory (nothing written)."""

    project: Project
    plan: Plan
    files: Mapping[str, str]
    """``{"plan.json": text, "plan.md": text, "stacks/<site>/<file>": text, ...}``."""

    @property
    def blocking(self) -> tuple[Finding, ...]:
        """The unwaived mandatory findings: the plan is written, but fails."""
        return mandatory_failures(self.plan.findings)

    @property
    def failure(self) -> PolicyFailure | None:
        """One line per blocking finding, or ``None`` when nothing blocks."""
        lines = [
            f"mandatory: {f.rule_id} {f.scope_kind}={f.scope}: {f.message}" for f in self.blocking
        ]
        return PolicyFailure("\n".join(lines)) if lines else None


def render_plan_files(
    inputs: Inputs,
    *,
    catalogue: Catalogue,
    today: date,
    out: Path,
    stack_env: str = "prod",
    progress: Progress = no_progress,
    wave: int | None = None,
) -> PlanOutcome:
    """Plan the project and render plan.json, plan.md and the stacks (with their policy
    config) in memory; the generated headers name ``hybridplan plan DIR --out OUT``, DIR
    being the folder the project was loaded from.

    ``wave``: the stacks are rendered for the plan as it stands after that migration wave
    (``planner.waves.stage``: later moves stay where they run today), their headers naming
    ``hybridplan emit DIR --out OUT --wave K``; plan.json and plan.md are the whole plan."""
    from planner.emit import default_environment, render_stacks  # jinja2, only when rendering
    from planner.report import plan_to_dict, render_plan_json, render_plan_md
    from policies.registry import RULES

    progress(PLAN_STEPS[0])
    bundle = plan_project(inputs, catalogue=catalogue, today=today)
    plan = bundle.plan
    progress(PLAN_STEPS[1])
    project = inputs.project
    project_dir = Path(project.root)
    command = reproduce_command("plan", project_dir, out, stack_env)
    staged, stack_command = plan, command
    if wave is not None:
        from planner.waves.stage import plan_at_wave

        staged = plan_at_wave(
            plan,
            bundle.candidates.all_offers(),
            wave,
            {w.name: w.current_option for w in project.workloads},
        )
        stack_command = reproduce_command("emit", project_dir, out, stack_env) + f" --wave {wave}"
    # Rendering allocates millions of short-lived objects at 10k workloads (plan.json's
    # dict, YAML lines) and makes next to no cycles: the plan is frozen out of the
    # collector's generations and the collector paused while rendering (its passes over
    # what rendering made were a fifth of emit's CPU time at 10k); both undone after.
    with collector.frozen(), collector.paused():
        data = plan_to_dict(plan, project, command=command)  # plan.json's, and plan.md's
        files: dict[str, str] = {
            "plan.json": render_plan_json(plan, project, command=command, data=data),
            "plan.md": render_plan_md(
                plan, project, command=command, project_dir=project_dir.as_posix(), data=data
            ),
        }
        stacks = render_stacks(
            staged,
            project,
            default_environment(),
            stack_env=stack_env,
            command=stack_command,
            previous=held_stack_configs(out, stack_env),
        )
    files.update(stacks)
    config = (
        json.dumps(pack_config(project, rules=RULES), indent=2, sort_keys=True, allow_nan=False)
        + "\n"
    )
    stack_dirs = {p.rsplit("/", 1)[0] for p in stacks if p.endswith("/Pulumi.yaml")}
    for site_dir in sorted(stack_dirs):
        files[f"{site_dir}/policy-config.json"] = config
    return PlanOutcome(project, plan, files)


def held_stack_configs(out: Path, stack_env: str) -> dict[str, StackConfig]:
    """The stack configs ``OUT/stacks`` holds now (before they are overwritten): emit keeps
    right-sized requests within a band of them and holds database moves
    (``planner.emit.render_stacks``' ``previous``)."""
    import yaml

    from planner.emit.previous import previous_configs

    docs = {}
    # libyaml's safe loader when PyYAML has it (10k-workload stacks are megabytes); S506
    # below: the loader is a safe one either way
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted((out / STACKS).glob(f"*/Pulumi.{stack_env}.yaml")):
        try:
            docs[path.parent.name] = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
    return previous_configs(docs)


def stack_files(files: Mapping[str, str]) -> dict[str, str]:
    """The part of a rendered output tree under ``stacks/``."""
    return {p: t for p, t in files.items() if p.startswith(f"{STACKS}/")}


def write_outputs(out: Path, files: Mapping[str, str]) -> None:
    """Write rendered outputs into ``out`` atomically; ``stacks/`` is replaced as a whole,
    keeping each stack's ``venv`` (made by running it)."""
    write_tree(out, files, subdirs=(STACKS,), keep=("venv",))


def stack_tree(root: Path) -> dict[str, str]:
    """The files under ``OUT/stacks`` as ``{"stacks/<relative path>": text}``, without the
    runtime folders of ``RUNTIME_DIRS`` inside a stack; a file that is not UTF-8 text is read
    with replacement characters, so it shows up as drift instead of crashing the check."""
    if not root.is_dir():
        return {}
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or RUNTIME_DIRS & set(rel.parts[1:-1]):
            continue
        found[f"{STACKS}/{rel.as_posix()}"] = path.read_bytes().decode("utf-8", errors="replace")
    return found


def stack_drift(out: Path, expected: Mapping[str, str], *, command: str = "") -> DriftError | None:
    """The drift of ``OUT/stacks`` from ``expected`` (``None`` when none); ``command`` is the
    one that regenerates them (quoted in the fix)."""
    changed = drift(expected, stack_tree(out / STACKS))
    if not changed:
        return None
    regenerate = command or f"hybridplan emit --out {shlex.quote(out.as_posix())}"
    return DriftError(
        f"{len(changed)} file(s) under {(out / STACKS).as_posix()} differ from what the "
        "plan renders",
        paths=changed,
        fix=f"regenerate with `{regenerate}` (or `hybridplan plan` with the same "
        "arguments) and commit the result, or revert the hand edits",
    )
