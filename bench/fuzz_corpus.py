"""Fuzz corpus: thousands of damaged planning projects through `validate` and `plan`, then
kills and concurrent writers against one OUT.

    .venv/bin/python bench/fuzz_corpus.py [--cases 2000] [--seed 1] [--kills 30] [--jobs 2]

Each case copies ``tests/data/mini``, damages it with ``tests/mutations.py`` (seeded:
``--seed`` and the case number reproduce it), runs ``hybridplan validate`` and then
``hybridplan plan --format json`` into an OUT that already holds an earlier plan, in
process (Typer's ``CliRunner``), and checks:

* no traceback, and no exit code but 0, 1 and 2 (70 is a bug);
* exit 1 only for an infeasible plan (``infeasible:``) or with a plan written (mandatory
  finding);
* exit 2 names where (``file`` or ``file:line``) and says ``To fix:``; OUT is untouched;
* validate and plan agree on the input: what plan rejects as input (2), validate rejects;
* every JSON written or printed is valid JSON (no NaN or Infinity);
* OUT is never mixed: every stack header's input digest is plan.json's.

Then ``--kills`` runs of ``hybridplan plan`` in child processes are killed with SIGKILL at
random moments, and pairs of concurrent writers run against one OUT; after each, OUT must
be the old plan or the complete new one, and a following run must leave nothing beside it
but its lock file. Prints the figures and exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from mutations import mutate_project  # noqa: E402 - after the sys.path line above
from typer.testing import CliRunner  # noqa: E402

from planner.cli import app  # noqa: E402
from planner.fs import read_tree  # noqa: E402

MINI = ROOT / "tests" / "data" / "mini"
HYBRIDPLAN = Path(sys.executable).with_name("hybridplan")
_DIGEST = re.compile(r"Input digest: (\S+)")


def _strict_json(text: str) -> object:
    def refuse(name: str) -> object:
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def out_is_whole(out: Path) -> str | None:
    """Why OUT is a mix of two plans (``None`` when it is one plan, or absent)."""
    tree = read_tree(out) if out.is_dir() else {}
    if not tree:
        return None
    if "plan.json" not in tree:
        return "no plan.json"
    try:
        plan = _strict_json(tree["plan.json"])
    except ValueError as exc:
        return f"plan.json is not valid JSON: {exc}"
    digest = plan.get("input_digest") if isinstance(plan, dict) else None
    for rel, text in tree.items():
        if rel.endswith("Pulumi.yaml"):
            m = _DIGEST.search(text)
            if m is None or m.group(1) != digest:
                return f"{rel} is from another plan"
    return None


def run_case(args: tuple[int, int, str]) -> tuple[int, str, list[str], list[str]]:
    """(case, outcome, edits, failures) of one damaged project."""
    case, seed, base = args
    rng = random.Random(f"{seed}-{case}")
    runner = CliRunner()
    work = Path(tempfile.mkdtemp(prefix=f"case{case}-", dir=base))
    try:
        project = Path(shutil.copytree(MINI, work / "project"))
        out = work / "out"
        shutil.copytree(Path(base) / "seed-out", out)
        before = read_tree(out)
        edits = mutate_project(project, rng)
        failures: list[str] = []
        checked = runner.invoke(app, ["validate", str(project), "--format", "json"])
        planned = runner.invoke(app, ["plan", str(project), "--out", str(out), "--format", "json"])
        for name, result in (("validate", checked), ("plan", planned)):
            text = result.stdout + result.stderr
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                failures.append(f"{name}: raised {type(result.exception).__name__}")
            if "Traceback" in text:
                failures.append(f"{name}: traceback")
            if result.exit_code not in (0, 1, 2):
                failures.append(f"{name}: exit {result.exit_code}: {result.stderr[-300:]}")
            if result.exit_code == 2 and name == "plan" and "To fix:" not in result.stderr:
                failures.append(f"{name}: exit 2 without 'To fix:': {result.stderr[-300:]}")
            if result.stdout.strip() and result.exit_code in (0, 1, 2):
                try:
                    _strict_json(result.stdout)
                except ValueError as exc:
                    failures.append(f"{name}: stdout is not JSON: {exc}")
        wrote = read_tree(out) != before
        if planned.exit_code == 1 and not wrote and "infeasible" not in planned.stderr:
            failures.append(f"plan: exit 1 without a plan: {planned.stderr[-300:]}")
        if planned.exit_code == 2 and wrote:
            failures.append("plan: exit 2 but OUT changed")
        if planned.exit_code == 2 and checked.exit_code == 0:
            failures.append(f"validate passed what plan rejected: {planned.stderr[-300:]}")
        mixed = out_is_whole(out)
        if mixed:
            failures.append(f"OUT mixed: {mixed}")
        return case, f"validate {checked.exit_code} / plan {planned.exit_code}", edits, failures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _plan(project: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(HYBRIDPLAN), "plan", str(project), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kills_and_races(base: Path, kills: int, seed: int) -> tuple[Counter[str], list[str]]:
    """SIGKILL `plan` at random moments, and run two writers at once, against one OUT."""
    rng = random.Random(seed)
    project = Path(shutil.copytree(MINI, base / "kill-project"))
    out = base / "kill-out"
    figures: Counter[str] = Counter()
    failures: list[str] = []
    subprocess.run(
        [str(HYBRIDPLAN), "plan", str(project), "--out", str(out)], check=True, capture_output=True
    )
    inventory = project / "inventory.yaml"
    for i in range(kills):
        # 3 to 5 replicas: a tier-1 service below 3 fails HP-SLA-001 (exit 1, by design)
        text = inventory.read_text(encoding="utf-8")
        inventory.write_text(re.sub(r"replicas: \d+", f"replicas: {3 + i % 3}", text, count=1))
        old = read_tree(out)
        proc = _plan(project, out)
        time.sleep(rng.uniform(0.2, 6.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        figures["killed" if proc.returncode == -signal.SIGKILL else "finished first"] += 1
        now = read_tree(out)
        mixed = out_is_whole(out)
        if mixed:
            failures.append(f"kill {i}: OUT mixed: {mixed}")
        figures["OUT old" if now == old else "OUT new"] += 1
    # Two writers at once: both finish (the second waits for the lock), OUT is one plan.
    for i in range(max(2, kills // 5)):
        first, second = _plan(project, out), _plan(project, out)
        codes = sorted((first.wait(), second.wait()))
        figures[f"concurrent exit codes {codes}"] += 1
        if codes != [0, 0]:
            failures.append(f"race {i}: exit codes {codes}")
        mixed = out_is_whole(out)
        if mixed:
            failures.append(f"race {i}: OUT mixed: {mixed}")
    subprocess.run(
        [str(HYBRIDPLAN), "plan", str(project), "--out", str(out)], check=True, capture_output=True
    )
    left = sorted(p.name for p in base.iterdir() if p.name.startswith(".kill-out."))
    if left != [".kill-out.lock"]:
        failures.append(f"left beside OUT after a clean run: {left}")
    return figures, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="hybridplan-fuzz-"))
    started = time.perf_counter()
    try:
        seeded = CliRunner().invoke(app, ["plan", str(MINI), "--out", str(base / "seed-out")])
        if seeded.exit_code != 0:
            raise SystemExit(f"cannot plan tests/data/mini: {seeded.stderr}")
        outcomes: Counter[str] = Counter()
        failed: list[tuple[int, list[str], list[str]]] = []
        work = [(case, args.seed, str(base)) for case in range(args.cases)]
        with multiprocessing.Pool(args.jobs) as pool:
            for case, outcome, edits, failures in pool.imap_unordered(run_case, work, 8):
                outcomes[outcome] += 1
                if failures:
                    failed.append((case, edits, failures))
        print(
            f"corpus: {args.cases} damaged projects (seed {args.seed}), "
            f"{time.perf_counter() - started:.0f} s"
        )
        for outcome, count in sorted(outcomes.items()):
            print(f"  {outcome:<22} {count:>6}")
        print(f"  failed checks          {len(failed):>6}")
        for case, edits, failures in sorted(failed)[:30]:
            print(f"  case {case}: {'; '.join(edits)}")
            for failure in failures:
                print(f"      {failure}")
        figures, race_failures = kills_and_races(base, args.kills, args.seed)
        print(f"kills and races against one OUT ({args.kills} SIGKILLs):")
        for name, count in sorted(figures.items()):
            print(f"  {name:<30} {count:>4}")
        for failure in race_failures:
            print(f"  FAILED: {failure}")
        if failed or race_failures:
            raise SystemExit(1)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
