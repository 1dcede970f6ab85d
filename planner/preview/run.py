"""Running an emitted stack offline: ``run_preview`` reads the stack folder, runs its
program under Pulumi mocks in a child process (:mod:`planner.preview.runner`), and validates
every Kubernetes object it registered (:mod:`planner.preview.validate`).

The config goes to the child the way the Pulumi CLI passes it (``PULUMI_CONFIG``), through a
file: the parent writes the two variables to a JSON file and the child puts them into its own
environment before the program runs (one environment variable is capped at 128 KiB by
``execve``, and a large stack's config exceeds it: ``OSError: [Errno 7]``). The child
redacts secrets before anything leaves it, and this side redacts once more the plaintext of
every secret config value. Each stack runs in its own process: Pulumi's runtime state leaks
between runs in one interpreter, and newer Pythons need a fresh event loop per run.

The child's time limit is CPU time (``RLIMIT_CPU``), not wall time: the largest stack of a
10k-workload fleet (1.3 MB of config) took 95 s of CPU to preview and, on a shared machine
at load average 18 on 2 cores, 1,384 s of wall time - near the 1,567 s wall-clock limit it
had then - so a wall-clock limit reports a timeout that depends on the neighbours. A longer
wall-clock limit (``wall_timeout_s``) still catches a child that hangs without using CPU.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from planner.errors import UsageError
from planner.preview.result import CPU_LIMIT_ENV, REDACTED, PreviewResource, PreviewResult
from planner.preview.stack_config import cli_config_env, read_stack
from planner.preview.validate import DEFAULT_K8S_VERSION, check

RUNNER = "planner.preview.runner"
BASE_TIMEOUT_S = 300.0
"""The child's time limit for a small stack; larger stacks get ``TIMEOUT_S_PER_KIB`` more."""
TIMEOUT_S_PER_KIB = 1.0
"""Extra seconds per KiB of stack config (a 10k-workload fleet's stacks hold megabytes)."""


WALL_TIMEOUT_FACTOR = 10.0
"""The wall-clock backstop, as a multiple of the CPU limit (a hang uses no CPU) ..."""
WALL_TIMEOUT_MIN_S = 600.0
"""... and at least this long (a small limit on a loaded machine is CPU-bound first)."""


def wall_timeout_s(cpu_limit_s: float) -> float:
    """The wall-clock backstop of a child whose CPU-time limit is ``cpu_limit_s``."""
    return max(WALL_TIMEOUT_FACTOR * cpu_limit_s, WALL_TIMEOUT_MIN_S)


def preview_timeout_s(config_bytes: int) -> float:
    """The child's CPU-time limit for a stack whose ``Pulumi.<stack>.yaml`` has this size."""
    return BASE_TIMEOUT_S + TIMEOUT_S_PER_KIB * config_bytes / 1024


def _redact_values(value: Any, secrets: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _redact_values(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_values(v, secrets) for v in value]
    if isinstance(value, str) and value in secrets:
        return REDACTED
    return value


def run_preview(
    stack_dir: Path,
    *,
    stack: str | None = None,
    k8s_version: str = DEFAULT_K8S_VERSION,
    python: str | None = None,
    timeout_s: float | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> PreviewResult:
    """Preview one stack folder offline (see the module docstring). Never raises for a
    stack that previews badly - the problems are in the result; raises ``UsageError``
    when the folder is not a stack, the child process cannot run or exceeds its time.
    ``timeout_s``: the child's CPU-time limit, by default ``preview_timeout_s`` of the
    stack config's size (wall time: ``wall_timeout_s`` of that)."""
    stack_dir = stack_dir.resolve()
    project, stack_name, config = read_stack(stack_dir, stack)
    if timeout_s is None:
        timeout_s = preview_timeout_s((stack_dir / f"Pulumi.{stack_name}.yaml").stat().st_size)
    config_env = cli_config_env(project, config)
    env = {**os.environ, **(extra_env or {}), CPU_LIMIT_ENV: str(max(1, math.ceil(timeout_s)))}
    for name in (*config_env, "PULUMI_CONFIG_PASSPHRASE"):
        env.pop(name, None)
    secrets = frozenset(
        str(v)
        for k, v in json.loads(config_env["PULUMI_CONFIG"]).items()
        if k in json.loads(config_env["PULUMI_CONFIG_SECRET_KEYS"]) and v not in ("", REDACTED)
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hybridplan-preview-") as tmp:
        report_path = Path(tmp) / "report.json"
        config_path = Path(tmp) / "config-env.json"
        config_path.write_text(json.dumps(config_env, sort_keys=True), encoding="utf-8")
        try:
            proc = subprocess.run(
                [
                    python or sys.executable,
                    "-m",
                    RUNNER,
                    str(stack_dir),
                    project,
                    stack_name,
                    str(report_path),
                    str(config_path),
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=wall_timeout_s(timeout_s),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise UsageError(
                f"offline preview of {stack_dir} timed out: no result after "
                f"{wall_timeout_s(timeout_s):.0f} s of wall time"
            ) from None
        if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL) and not report_path.is_file():
            raise UsageError(
                f"offline preview of {stack_dir} timed out: the program used more than "
                f"{timeout_s:.0f} s of CPU time (the limit grows with the stack config's size)"
            )
        if proc.returncode != 0 or not report_path.is_file():
            tail = "\n".join(proc.stderr.strip().splitlines()[-10:])
            raise UsageError(f"offline preview runner failed for {stack_dir}:\n{tail}")
        report = json.loads(report_path.read_text(encoding="utf-8"))
    seconds = time.perf_counter() - started
    records = sorted(report["resources"], key=lambda r: r["urn"])
    found = tuple(
        PreviewResource(
            urn=r["urn"],
            type=r["type"],
            name=r["name"],
            parent=r["parent"],
            custom=r["custom"],
            inputs=_redact_values(r["inputs"], secrets),
            ignore_changes=tuple(r.get("ignore_changes", ())),
            retain_on_delete=bool(r.get("retain_on_delete", False)),
            replace_on_changes=tuple(r.get("replace_on_changes", ())),
            provider=str(r.get("provider", "")),
        )
        for r in records
    )
    problems: list[str] = []
    if report.get("error"):
        problems.append(f"the program failed: {_redact_values(report['error'], secrets)}")
    problems.extend(f"duplicate URN: {urn}" for urn in sorted(set(report["duplicates"])))
    invalid, validated = check(found, k8s_version)
    problems.extend(invalid)
    return PreviewResult(
        stack_dir=str(stack_dir),
        project=project,
        stack=stack_name,
        k8s_version=k8s_version,
        resources=found,
        problems=tuple(problems),
        seconds=seconds,
        validated=validated,
    )
