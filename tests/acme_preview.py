"""examples/acme planned, emitted and every stack previewed offline: the shared, costly
world of the acme preview tests (``tests/pulumi/test_stacks_acme.py``,
``tests/unit/policy/test_policy_preview.py``), built once per run by the
``acme_previewed`` fixture: under pytest-xdist the first worker that needs it previews, the
other reads its result (``run_once``; ``xdist_group`` does not group under pytest 9.2 with
pytest-xdist 3.8).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NamedTuple

from run_once import once

from planner.app import PlanOutcome, load_inputs, render_plan_files
from planner.catalogue import load_default_catalogue
from planner.fs import write_tree
from planner.preview import PreviewResult, run_preview

ACME_TODAY = date(2026, 11, 27)
"""The planning date (waiver expiry is all the date changes)."""


class AcmePreviewed(NamedTuple):
    """examples/acme planned as of ``today`` into ``out``, and every stack previewed."""

    today: date
    out: Path
    outcome: PlanOutcome
    previews: dict[str, PreviewResult]


def preview_acme(acme_dir: Path, out: Path) -> AcmePreviewed:
    """Plan ``acme_dir`` as of ``ACME_TODAY``, write its stacks to ``out``, preview each."""
    outcome = render_plan_files(
        load_inputs(acme_dir), catalogue=load_default_catalogue(), today=ACME_TODAY, out=out
    )
    write_tree(out, dict(outcome.files), subdirs=("stacks",))
    sites = sorted({p.split("/")[1] for p in outcome.files if p.endswith("/Pulumi.yaml")})
    previews = {site: run_preview(out / "stacks" / site) for site in sites}
    return AcmePreviewed(ACME_TODAY, out, outcome, previews)


def shared_preview_acme(acme_dir: Path, shared: Path) -> AcmePreviewed:
    """``preview_acme`` once for all the workers of one run that share the folder
    ``shared`` (``run_once``): the first previews into ``shared/acme-out``, the others
    read its result."""
    return once(shared, "acme-preview", lambda: preview_acme(acme_dir, shared / "acme-out"))
