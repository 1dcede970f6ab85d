"""``hybridplan preview`` and ``hybridplan emit``: exit codes and output (CliRunner)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from planner.cli import app

runner = CliRunner()


@pytest.mark.preview
def test_preview_table(mini_out: Path) -> None:
    """The table's title counts resources and validated objects; exit 0 on a clean stack."""
    result = runner.invoke(app, ["preview", str(mini_out / "stacks" / "colo-eu")])
    assert result.exit_code == 0, result.output
    assert (
        "hybridplan-colo-eu (prod): 11 resources, 10 Kubernetes objects validated against 1.33"
        in result.output
    )
    assert "previewed offline in" in result.output


@pytest.mark.preview
def test_preview_json_with_version(mini_out: Path) -> None:
    """--format json is machine-readable and honours --k8s-version."""
    stack = mini_out / "stacks" / "gpu-pool-us"
    result = runner.invoke(
        app, ["preview", str(stack), "--format", "json", "--k8s-version", "1.31"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["ok"], data["k8s_version"], data["problems"]) == (True, "1.31", [])
    assert data["counts"]["kubernetes:batch/v1:Job"] == 2
    # 18: namespace, quota, 2 Jobs, the MultiKueue kubeconfig Secret, the training
    # ServiceAccount, cohort, 2 ClusterQueues, 2 LocalQueues, 2 flavors, AdmissionCheck,
    # MultiKueueCluster and -Config, WorkloadPriorityClass and PriorityClass
    assert data["validated_kubernetes_objects"] == 18


@pytest.mark.preview
def test_preview_invalid_object_exits_1(mini_out: Path, tmp_path: Path) -> None:
    """A config that yields an invalid Kubernetes object fails with exit 1 and says where."""
    stack = tmp_path / "colo-eu"
    shutil.copytree(mini_out / "stacks" / "colo-eu", stack)
    config_file = stack / "Pulumi.prod.yaml"
    doc = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    workloads = doc["config"]["hybridplan-colo-eu:kubernetes"]["workloads"]
    assert workloads[1]["name"] == "payments-db"
    workloads[1]["replicas"] = "three"
    config_file.write_text(yaml.safe_dump(doc), encoding="utf-8")
    result = runner.invoke(app, ["preview", str(stack)])
    assert result.exit_code == 1
    assert "payments-db-statefulset: invalid for Kubernetes 1.33: spec.replicas" in result.output


@pytest.mark.preview
def test_preview_rule_failure_exits_1(mini_out: Path, tmp_path: Path) -> None:
    """Valid objects that contradict each other (an HPA minimum above its maximum) fail the
    preview through the policy engine: exit 1, the rule id named; JSON says ok false."""
    stack = tmp_path / "colo-eu"
    shutil.copytree(mini_out / "stacks" / "colo-eu", stack)
    config_file = stack / "Pulumi.prod.yaml"
    doc = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    workloads = doc["config"]["hybridplan-colo-eu:kubernetes"]["workloads"]
    scaled = next(w for w in workloads if w["autoscale"])
    scaled["autoscale"].update({"min_replicas": 9, "max_replicas": 3})
    config_file.write_text(yaml.safe_dump(doc), encoding="utf-8")
    result = runner.invoke(app, ["preview", str(stack)])
    assert result.exit_code == 1
    assert f"HP-HYG-012 {scaled['name']}-hpa: " in result.output
    assert "minReplicas 9 > maxReplicas 3" in result.output
    as_json = runner.invoke(app, ["preview", str(stack), "--format", "json"])
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert (data["ok"], data["problems"]) == (False, [])
    assert [f["rule_id"] for f in data["policy"]["findings"]] == ["HP-HYG-012"]


def test_preview_of_a_non_stack_exits_2(tmp_path: Path) -> None:
    """A folder without Pulumi.yaml is a usage error."""
    result = runner.invoke(app, ["preview", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a Pulumi stack folder" in result.output


def test_emit_then_check_then_drift(mini_dir: Path, tmp_path: Path) -> None:
    """emit writes OUT/stacks; --check passes on it, and exits 3 after a hand edit."""
    out = tmp_path / "out"
    written = runner.invoke(app, ["emit", str(mini_dir), "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert list((out / "stacks").glob("*/__main__.py"))
    assert not (out / "plan.json").exists()
    clean = runner.invoke(app, ["emit", str(mini_dir), "--out", str(out), "--check"])
    assert clean.exit_code == 0, clean.output
    readme = next((out / "stacks").glob("*/README.md"))
    readme.write_text(readme.read_text(encoding="utf-8") + "edit\n", encoding="utf-8")
    drifted = runner.invoke(app, ["emit", str(mini_dir), "--out", str(out), "--check"])
    assert drifted.exit_code == 3
    assert f"changed: stacks/{readme.parent.name}/README.md" in drifted.output
    # the fix names the command that regenerates these stacks, project folder included
    assert f"hybridplan emit {mini_dir.as_posix()} --out {out.as_posix()}" in drifted.output


def test_check_ignores_a_stack_virtualenv_and_reports_binary_drift(
    mini_dir: Path, tmp_path: Path
) -> None:
    """--check ignores the venv/ a stack run creates (the README's own steps) and reports a
    stray binary file as drift (exit 3) instead of crashing."""
    out = tmp_path / "out"
    assert runner.invoke(app, ["emit", str(mini_dir), "--out", str(out)]).exit_code == 0
    stack = next((out / "stacks").glob("*/__main__.py")).parent
    (stack / "venv" / "bin").mkdir(parents=True)
    (stack / "venv" / "bin" / "python").write_bytes(b"\x7fELF\xd0\xff\x00binary")
    (stack / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    (stack / "__pycache__").mkdir()
    (stack / "__pycache__" / "__main__.cpython-311.pyc").write_bytes(b"\xd0\xff")
    clean = runner.invoke(app, ["emit", str(mini_dir), "--out", str(out), "--check"])
    assert clean.exit_code == 0, clean.output
    (stack / "state.bin").write_bytes(b"\xd0\xff\x00")
    drifted = runner.invoke(app, ["emit", str(mini_dir), "--out", str(out), "--check"])
    assert drifted.exit_code == 3, drifted.output
    assert f"unexpected: stacks/{stack.name}/state.bin" in drifted.output
