"""examples/acme planned, emitted and every stack previewed offline: the shared, costly
world of the acme preview tests (``tests/pulumi/test_stacks_acme.py``,
``tests/unit/policy/test_policy_preview.py``), built once per run by the
``acme_previewed`` fixture: under pytest-xdist the first worker that needs it previews and
pickles the result into the run's shared temporary folder under a file lock, the other
reads it (the pytest-xdist recipe for a session fixture run once; ``xdist_group`` does not
group under pytest 9.2 with pytest-xdist 3.8).
"""

from __future__ import annotations

import fcntl
import pickle
from datetime import date
from pathlib import Path
from typing import NamedTuple

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
    ``shared``: the first to take the lock previews into ``shared/out`` and pickles the
    result there; the others wait for the lock and unpickle it."""
    shared.mkdir(parents=True, exist_ok=True)
    done = shared / "previewed.pickle"
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            result = pickle.loads(done.read_bytes())  # written by this run, read by it
            assert isinstance(result, AcmePreviewed)
            return result
        result = preview_acme(acme_dir, shared / "out")
        done.write_bytes(pickle.dumps(result))
        return result
