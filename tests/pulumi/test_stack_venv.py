"""What CI does with an emitted stack: copy its folder alone, build a clean virtualenv from
its own ``requirements.txt`` (PyPI), and run its program under Pulumi mocks there - no
hybridplan installed, no repository on the path.

The virtualenv is cached per requirements text under ``$XDG_CACHE_HOME/hybridplan-tests``
(``~/.cache`` by default): the first run downloads the Pulumi SDKs (about a minute), later
runs only reuse it. The mini plan's stacks use two requirements sets: Kubernetes only
(colo-eu, gpu-pool-us) and Kubernetes plus AWS (the two burst regions).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from venv_cache import cached_venv

from planner.preview import cli_config_env, fake_cloud, read_stack

RUNNER = Path(__file__).with_name("clean_venv_main.py")
FAKE_CLOUD = Path(fake_cloud.__file__)
KUBERNETES = ["pulumi", "pulumi-kubernetes"]
AWS = ["pulumi", "pulumi-kubernetes", "pulumi-aws"]
# site -> (the packages its requirements.txt names, component types its program declares)
SITES = {
    "colo-eu": (KUBERNETES, {"hybridplan:kubernetes:KubernetesWorkloads"}),
    "gpu-pool-us": (KUBERNETES, {"hybridplan:kueue:GpuTrainingPool"}),
    "aws-eu-west-1": (AWS, {"hybridplan:aws:AwsCostGuard", "pulumi:providers:aws"}),
    "aws-us-east-1": (
        AWS,
        {
            "hybridplan:aws:AwsBurst",
            "hybridplan:aws:AwsCostGuard",
            "pulumi:providers:aws",
            "aws:eks/accessEntry:AccessEntry",
            "kubernetes:karpenter.sh/v1:NodePool",
            "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
        },
    ),
}


def _lines(requirements: str) -> list[str]:
    return [ln for ln in requirements.splitlines() if ln and not ln.startswith("#")]


@pytest.mark.slow
@pytest.mark.parametrize("site", sorted(SITES))
def test_stack_installs_from_its_own_requirements_and_runs(
    site: str, mini_out: Path, tmp_path: Path
) -> None:
    """A copied stack runs under mocks in a clean venv built from its requirements.txt."""
    source = mini_out / "stacks" / site
    copy = tmp_path / site
    shutil.copytree(source, copy)
    requirements = (copy / "requirements.txt").read_text(encoding="utf-8")
    packages = [ln.split(">")[0].split("=")[0] for ln in _lines(requirements)]
    expected_packages, expected_types = SITES[site]
    assert packages == expected_packages
    python = cached_venv("stack-venv", requirements) / "bin" / "python"
    project, stack, config = read_stack(copy)
    shutil.copy(RUNNER, copy / "_run_under_mocks.py")
    shutil.copy(FAKE_CLOUD, copy / "_fake_cloud.py")
    report = tmp_path / "report.json"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        **cli_config_env(project, config),
    }
    proc = subprocess.run(
        [str(python), "-I", "_run_under_mocks.py", project, stack, str(report)],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads(report.read_text(encoding="utf-8"))
    types = {r["type"] for r in doc["resources"]}
    assert "pulumi:providers:kubernetes" in types
    assert expected_types <= types, sorted(expected_types - types)
    assert sys.executable not in proc.stderr
