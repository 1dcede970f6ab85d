"""``hybridplan classify``: classify every workload from its telemetry, with the numbers."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer

from planner import app as services
from planner.cli import console
from planner.cli.common import Ending, OutputFormat, guarded, print_warnings
from planner.errors import Problem
from planner.model import Classification, Project, Resources, Workload


def _num(x: float) -> float | None:
    """JSON has no NaN or infinity: undefined features are null."""
    return None if math.isnan(x) or math.isinf(x) else round(x, 6)


def _resources(r: Resources | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"cpu": r.cpu, "memory_gib": r.memory_gib, "gpus": r.gpus, "gpu_type": r.gpu_type}


def _problem(p: Problem) -> dict[str, Any]:
    return {"file": p.file, "line": p.line, "field": p.field, "message": p.message, "fix": p.fix}


def classification_json(c: Classification, w: Workload) -> dict[str, Any]:
    """Everything about one classification, every feature included (NaN -> null)."""
    return {
        "workload": c.workload,
        "class": c.cls.value,
        "confidence": c.confidence,
        "reasons": list(c.reasons),
        "declared": c.declared.value if c.declared else None,
        "telemetry_class": c.telemetry_class.value if c.telemetry_class else None,
        "disagreement": c.disagreement,
        "declared_resources": _resources(w.resources),
        "rightsized": _resources(c.rightsized),
        "features": {
            metric: {name: _num(v) for name, v in sorted(feats.items())}
            for metric, feats in sorted(c.features.items())
        },
    }


def _size(rightsized: float | None, declared: float) -> str:
    """'right-sized / declared', marked when right-sizing asks for MORE than declared."""
    if rightsized is None:
        return f"- / {declared:g}"
    above = " (above declared)" if rightsized > declared + 1e-9 else ""
    return f"{rightsized:g} / {declared:g}{above}"


def table_rows(project: Project, result: tuple[Classification, ...]) -> list[list[str]]:
    """One row per workload for the table view."""
    rows: list[list[str]] = []
    for c in result:
        w = project.workload(c.workload)
        if c.declared is None:
            versus = "-"
        else:
            tele = c.telemetry_class.value if c.telemetry_class else "no telemetry"
            mark = " (disagree)" if c.disagreement else ""
            versus = f"{c.declared.value} / {tele}{mark}"
        r = c.rightsized
        rows.append(
            [
                c.workload,
                c.cls.value,
                f"{c.confidence:.2f}",
                "; ".join(c.reasons),
                versus,
                _size(r.cpu if r else None, w.resources.cpu),
                _size(r.memory_gib if r else None, w.resources.memory_gib),
            ]
        )
    return rows


def register(app: typer.Typer) -> None:
    @app.command("classify")
    @guarded
    def classify_cmd(
        project_dir: Annotated[
            Path, typer.Argument(help="Planning project folder (inventory.yaml, telemetry/...).")
        ] = Path("."),
        fmt: Annotated[
            OutputFormat, typer.Option("--format", help="Output format: table or json.")
        ] = OutputFormat.TABLE,
        workload_label: Annotated[
            str,
            typer.Option(
                "--workload-label", help="Label that names the workload in Prometheus JSON files."
            ),
        ] = "workload",
        prometheus: Annotated[
            str | None,
            typer.Option(
                "--prometheus",
                metavar="URL",
                help="Read telemetry from this Prometheus-API server (Prometheus, Thanos, "
                "Mimir) instead of telemetry files; overrides prometheus.url of project.yaml.",
            ),
        ] = None,
    ) -> Ending:
        """Classify each workload from its utilisation telemetry (steady, diurnal, bursty,
        batch, idle, ai-training, ai-inference or unknown) with a confidence, the reasons
        with their numbers, declared profile versus telemetry, and the right-sized
        per-replica request (p95, p99 for tier 1, times the headroom; memory never below
        its observed peak) against the declared one, marked where it is above. The JSON
        output holds every feature. Telemetry comes from the files under telemetry/, or
        with --prometheus (or a prometheus: section in project.yaml) from range queries to a
        running server. Exits 2 on bad input (file and line given) and on a server that
        cannot be read (the setting to fix given).

        Example: hybridplan classify examples/acme --format json

        Example: hybridplan classify . --prometheus http://localhost:9090
        """
        from planner.classify import thresholds
        from planner.ingest.csv_fast import scan_threads

        steps = (*services.LOAD_STEPS, *services.CLASSIFY_STEPS)
        with console.progress("loading the project", total=len(steps)) as step:
            inputs = services.load_inputs(
                project_dir,
                workload_label=workload_label,
                prometheus_url=prometheus,
                progress=step,
            )
            # The cores this process may use (at most 4); the classes do not depend on it.
            result = services.classify_inputs(inputs, progress=step, threads=scan_threads())
        project = inputs.project
        print_warnings(inputs.warnings)

        if fmt is OutputFormat.JSON:
            console.emit_json(
                {
                    "workloads": [
                        classification_json(c, project.workload(c.workload)) for c in result
                    ],
                    "thresholds": thresholds(project.settings.classify),
                    "headroom": project.settings.headroom,
                    "warnings": [_problem(p) for p in inputs.warnings],
                }
            )
            return None
        console.table(
            "Workload classes",
            [
                "workload",
                "class",
                "confidence",
                "reasons",
                "declared / telemetry",
                "cpu cores right-sized / declared",
                "memory GiB right-sized / declared",
            ],
            table_rows(project, result),
        )
        counts = Counter(c.cls.value for c in result)
        summary = ", ".join(f"{n} {cls}" for cls, n in sorted(counts.items()))
        disagreements = sum(1 for c in result if c.disagreement)
        console.out.print(
            f"{len(result)} workloads: {summary}; {disagreements} declared profile(s) "
            "disagree with telemetry",
            markup=False,
        )
        return None
