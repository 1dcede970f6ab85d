"""The CrossGuard pack's validation functions, called directly with validation args built as
the SDK builds them (props behind ``unknown_checking_proxy``) and a recording
``report_violation``; and the pack itself, started as Pulumi starts it, over gRPC."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from crossguard_harness import (
    POLICIES,
    Recorder,
    json_like,
    resource_opts,
    urn_of,
    validate_resource,
    validate_stack,
)
from policy_world import TODAY, case_files, load_case, project, record, records
from pulumi_policy import PolicyResource, StackValidationArgs, StackValidationPolicy
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from planner.policy import ResourceRecord, evaluate_resources, pack_config
from policies.crossguard import PACK_NAME
from policies.registry import RULES

ROOT = Path(__file__).resolve().parents[3]


def test_one_policy_per_resource_rule_named_by_id() -> None:
    """Resource rules become resource or stack validations named by their rule id."""
    want = {r.id: r.resource_scope for r in RULES if r.check_resources is not None}
    got = {
        name: "stack" if isinstance(p, StackValidationPolicy) else "resource"
        for name, p in POLICIES.items()
    }
    assert got == want
    assert POLICIES["HP-HYG-002"].description == "Ensure containers do not run privileged"
    assert PACK_NAME == "hybridplan"


def test_resource_validation_reports_a_violation() -> None:
    """A privileged container is reported; a clean Deployment is not."""
    bad = record(
        {
            "deployment": {"name": "node-agent"},
            "set": {"props.spec.template.spec.containers.0.securityContext": {"privileged": True}},
        }
    )
    rec = validate_resource("HP-HYG-002", bad, {})
    assert rec.calls == [("node-agent: node-agent runs privileged container(s): main", None)]
    assert validate_resource("HP-HYG-002", record({"deployment": {"name": "ok"}}), {}).calls == []


def test_unknown_values_are_raised_not_passed() -> None:
    """An unknown container list raises UnknownValueError naming it (an advisory diagnostic)."""
    job = ResourceRecord(
        "kubernetes:batch/v1:Job",
        "train",
        {"spec": {"template": {"spec": {"containers": "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"}}}},
    )
    with pytest.raises(UnknownValueError) as err:
        validate_resource("HP-HYG-001", job, {})
    assert "cannot evaluate" in err.value.message
    assert "spec.template.spec.containers" in err.value.message  # pytest's ExceptionInfo


def test_stack_validation_reports_definite_then_raises_unknown() -> None:
    """A Deployment without a PDB is reported with its URN before the unknown one is raised."""
    missing = record({"deployment": {"name": "search-api", "replicas": 2}})
    unknown = record(
        {
            "deployment": {"name": "mystery"},
            "set": {"props.spec.replicas": "3eeb2bf0-c639-47a8-9e75-3b44932eb421"},
        }
    )
    rec = Recorder()
    policy = POLICIES["HP-SLA-005"]
    args = StackValidationArgs(
        [
            PolicyResource(
                r.type,
                unknown_checking_proxy(json_like(dict(r.props))),
                urn_of(r),
                r.name,
                resource_opts(),
                None,
                None,
                [],
                {},
            )
            for r in (missing, unknown)
        ],
        {},
    )
    with pytest.raises(UnknownValueError):
        policy.validate(args, rec)
    assert rec.calls == [
        (
            "search-api: search-api runs 2 replicas with no PodDisruptionBudget selecting its pods",
            urn_of(missing),
        )
    ]


def test_property_dependencies_match_companions() -> None:
    """During a real preview the bucket id is unknown; the dependency still ties the config."""
    bucket = ResourceRecord("aws:s3/bucket:Bucket", "ckpt", {}, urn="urn:b")
    sse = ResourceRecord(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "ckpt-sse",
        {
            "bucket": "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
            "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}],
        },
        urn="urn:sse",
        property_dependencies={"bucket": ("urn:b",)},
    )
    assert validate_stack("HP-HYG-003", [bucket, sse], {}).calls == []
    rec = validate_stack("HP-HYG-003", [bucket], {})
    assert rec.calls == [("ckpt: bucket ckpt has no server-side encryption configuration", "urn:b")]


@pytest.mark.parametrize(
    ("expires", "reported"),
    [("2027-01-01", False), ("2026-11-26", True)],
    ids=["live-waiver", "expired-waiver"],
)
def test_waivers_in_the_pack_config(expires: str, reported: bool) -> None:
    """A live waiver in the pack config silences the violation; an expired one does not."""
    bad = record(
        {
            "deployment": {"name": "node-agent"},
            "set": {"props.spec.template.spec.containers.0.securityContext": {"privileged": True}},
        }
    )
    config = {
        "waivers": [
            {
                "scope_kind": "workload",
                "scope": "node-agent",
                "reason": "CNI needs it",
                "expires": expires,
            }
        ]
    }
    assert bool(validate_resource("HP-HYG-002", bad, config).calls) is reported


def test_params_from_the_pack_config_as_floats() -> None:
    """Parameters arrive as JSON (numbers as floats, tier keys as strings) and are honoured."""
    d = record({"deployment": {"name": "search-api", "tier": 2, "replicas": 3}})
    assert validate_resource("HP-SLA-001", d, {}).calls == []
    rec = validate_resource("HP-SLA-001", d, {"min_replicas_by_tier": {"2": 5}})
    assert len(rec.calls) == 1
    assert "needs at least 5" in rec.calls[0][0]


RESOURCE_CASES = [p for p in case_files() if load_case(p).get("resources")]


@pytest.mark.parametrize(
    "path",
    RESOURCE_CASES,
    ids=[f"{p.parent.parent.name}/{p.parent.name}/{p.stem}" for p in RESOURCE_CASES],
)
def test_crossguard_reports_what_the_plan_time_check_reports(path: Path) -> None:
    """On every fixture's resources, the pack reports the same resources as evaluate_resources
    (definite violations reported, cannot-evaluate raised as unknown)."""
    rule_id = path.parent.parent.name
    case = load_case(path)
    proj = project(case, rule_id)
    rs = records(case)
    today = date.fromisoformat(str(case.get("today", TODAY)))
    rule = next(r for r in RULES if r.id == rule_id)
    findings = evaluate_resources(rs, proj, today, rules=[rule])
    want = {f.scope for f in findings if not f.waived and not f.evidence.get("cannot_evaluate")}
    unknown = {f.scope for f in findings if f.evidence.get("cannot_evaluate")}
    config = pack_config(proj, rules=[rule])[rule_id]
    assert isinstance(config, dict)
    config = {k: v for k, v in config.items() if k != "enforcementLevel"}
    got: set[str] = set()
    raised: set[str] = set()
    groups = (
        [[r for r in rs if r.stack == stack] for stack in sorted({r.stack for r in rs})]
        if rule.resource_scope == "stack"
        else [[r] for r in rs]
    )
    for group in groups:
        rec = Recorder()
        try:
            if rule.resource_scope == "stack":
                rec = validate_stack(rule_id, group, config, rec)
            else:
                rec = validate_resource(rule_id, group[0], config, rec)
        except UnknownValueError as err:
            raised.update(s for s in unknown if f"{s}:" in err.message)
        got.update(msg.split(":", 1)[0] for msg, _ in rec.calls)
    assert got == want
    assert raised == unknown


@pytest.mark.slow
def test_pack_serves_pulumi_over_grpc(tmp_path: Path) -> None:
    """`python policies/__main__.py` starts the analyzer as Pulumi does; it describes its
    policies and, configured with a project's pack config, reports a privileged Deployment."""
    import grpc
    from google.protobuf import empty_pb2, json_format, struct_pb2
    from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "policies" / "__main__.py")],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().strip())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = analyzer_pb2_grpc.AnalyzerStub(channel)
            info = stub.GetAnalyzerInfo(empty_pb2.Empty())
            assert info.name == PACK_NAME
            assert {p.name for p in info.policies} == set(POLICIES)
            config = pack_config(
                project({"rules": {"HP-HYG-002": {"level": "mandatory"}}}), rules=RULES
            )
            request = analyzer_pb2.ConfigureAnalyzerRequest()
            for name, entry in config.items():
                assert isinstance(entry, dict)
                cfg = analyzer_pb2.PolicyConfig(enforcementLevel=analyzer_pb2.MANDATORY)
                cfg.properties.update({k: v for k, v in entry.items() if k != "enforcementLevel"})
                request.policyConfig[name].CopyFrom(cfg)
            stub.Configure(request)
            bad = record(
                {
                    "deployment": {"name": "node-agent"},
                    "set": {
                        "props.spec.template.spec.containers.0.securityContext": {
                            "privileged": True
                        }
                    },
                }
            )
            props = struct_pb2.Struct()
            json_format.ParseDict(json_like(dict(bad.props)), props)
            response = stub.Analyze(
                analyzer_pb2.AnalyzeRequest(
                    type=bad.type, properties=props, urn=urn_of(bad), name=bad.name
                )
            )
            by_policy = {d.policyName: d for d in response.diagnostics}
            assert set(by_policy) == {"HP-HYG-002"}
            assert by_policy["HP-HYG-002"].enforcementLevel == analyzer_pb2.MANDATORY
            assert "runs privileged container(s): main" in by_policy["HP-HYG-002"].message
    finally:
        proc.kill()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
        if proc.stderr is not None:
            proc.stderr.close()
