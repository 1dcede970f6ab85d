"""OUT under SIGKILL and concurrent writers: never a mix of two plans, nothing left beside
it after the next run (bench/fuzz_corpus.py does the same many more times)."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from plan_runs import start_plan, timed_plan, wait_ready

from planner.fs import read_tree

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"
HYBRIDPLAN = Path(sys.executable).with_name("hybridplan")
_DIGEST = re.compile(r"Input digest: (\S+)")


def _plan(project: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(HYBRIDPLAN), "plan", str(project), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _one_plan(out: Path) -> None:
    """OUT holds one plan: every stack header carries plan.json's input digest."""
    tree = read_tree(out)
    digest = json.loads(tree["plan.json"])["input_digest"]
    headers = [t for rel, t in tree.items() if rel.endswith("Pulumi.yaml")]
    assert headers
    for text in headers:
        match = _DIGEST.search(text)
        assert match is not None
        assert match.group(1) == digest


@pytest.mark.slow
def test_sigkill_and_concurrent_writers_never_mix_out(tmp_path: Path) -> None:
    """plan killed with SIGKILL at two moments of a run (a third and two thirds of an
    uninterrupted one) leaves the old or the new plan; two plans started together both
    succeed (the second waits for the lock) and leave one plan; the next run removes what
    the killed ones left."""
    project = Path(shutil.copytree(MINI, tmp_path / "project"))
    out = tmp_path / "out"
    ready = tmp_path / "ready"
    run_s = timed_plan(project, out, ready)
    inventory = project / "inventory.yaml"
    for replicas, fraction in ((4, 1 / 3), (5, 2 / 3)):
        text = inventory.read_text(encoding="utf-8")
        inventory.write_text(re.sub(r"replicas: \d+", f"replicas: {replicas}", text, count=1))
        old = read_tree(out)
        proc = start_plan(project, out, ready)
        wait_ready(proc, ready)
        time.sleep(fraction * run_s)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _one_plan(out)
        assert read_tree(out) == old or json.loads(read_tree(out)["plan.json"]) != json.loads(
            old["plan.json"]
        )
    ready.unlink()
    first, second = _plan(project, out), _plan(project, out)
    assert (first.wait(), second.wait()) == (0, 0)
    _one_plan(out)
    assert _plan(project, out).wait() == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out", "project"]
