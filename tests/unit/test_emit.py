"""planner.emit: the emitted tree, determinism, strict templates, safe names, and the
sizing decisions written into stack config (no Pulumi runs here)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import jinja2
import pytest
import yaml
from world import mini_plan, mini_project, usd

from planner import emit
from planner.emit.config_data import config_data
from planner.emit.vendor import component_files
from planner.errors import InputError, UsageError
from planner.model import Assignment, Plan, PricingOption, Project
from stacks import config_io

COMMAND = "hybridplan plan tests/data/mini --out out"
SITES = ("aws-eu-west-1", "aws-us-east-1", "colo-eu", "gpu-pool-us")
STACK_FILES = ("Pulumi.prod.yaml", "Pulumi.yaml", "README.md", "__main__.py", "requirements.txt")


@pytest.fixture
def plan() -> Plan:
    """The hand-made mini plan."""
    return mini_plan()


@pytest.fixture
def project() -> Project:
    """The mini project (tests/data/mini plus search-api)."""
    return mini_project()


def render(plan: Plan, project: Project, **kwargs: Any) -> dict[str, str]:
    return emit.render_stacks(plan, project, emit.default_environment(), command=COMMAND, **kwargs)


def config_of(files: dict[str, str], site: str, env: str = "prod") -> dict[str, Any]:
    doc = yaml.safe_load(files[f"stacks/{site}/Pulumi.{env}.yaml"])
    prefix = f"hybridplan-{site}:"
    return {k.removeprefix(prefix): v for k, v in doc["config"].items()}


def test_tree(plan: Plan, project: Project) -> None:
    """One folder per used site with the five stack files and the components, plus an index."""
    files = render(plan, project)
    expected = {f"stacks/{s}/{f}" for s in SITES for f in STACK_FILES} | {"stacks/README.md"}
    shipped = {
        f"stacks/{s}/hybridplan_stacks/{name}" for s in SITES for name, _ in component_files()
    }
    assert "program.py" in {name for name, _ in component_files()}
    assert set(files) == expected | shipped


def test_emitting_twice_gives_identical_bytes(plan: Plan, project: Project) -> None:
    """Deterministic: two renders (fresh environments) are byte-identical."""
    assert render(plan, project) == render(plan, project)


def test_input_order_does_not_matter(plan: Plan, project: Project) -> None:
    """Reordering placements, workloads or classifications changes no byte."""
    shuffled_plan = replace(
        plan,
        placements=plan.placements[::-1],
        classifications=plan.classifications[::-1],
    )
    shuffled_project = replace(project, workloads=project.workloads[::-1])
    assert render(shuffled_plan, shuffled_project) == render(plan, project)


def test_every_python_file_compiles(plan: Plan, project: Project) -> None:
    """Every generated .py compiles and holds no user data (it only reads config)."""
    for path, text in render(plan, project).items():
        if path.endswith(".py") and "/hybridplan_stacks/" not in path:
            compile(text, path, "exec")
            code = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
            assert "checkout-api" not in code
            assert "deploy(pulumi.Config())" in code


def test_headers_carry_command_and_digest_and_no_timestamp(plan: Plan, project: Project) -> None:
    """Each file names its regeneration command and the input digest; nothing dated (the
    shipped component modules are copies, checked byte for byte by the golden test)."""
    timestamp = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}")
    for path, text in render(plan, project).items():
        if "/hybridplan_stacks/" in path:
            continue
        head = "\n".join(text.splitlines()[:5])
        assert f"Regenerate with: {COMMAND}" in head, path
        assert f"Input digest: {plan.input_digest}" in head, path
        assert not timestamp.search(text), path


def test_yaml_files_parse_and_config_is_namespaced(plan: Plan, project: Project) -> None:
    """Pulumi.yaml names the project; config keys are project- or provider-qualified."""
    files = render(plan, project)
    for site in SITES:
        doc = yaml.safe_load(files[f"stacks/{site}/Pulumi.yaml"])
        assert doc["name"] == f"hybridplan-{site}"
        assert doc["runtime"]["name"] == "python"
        stack = yaml.safe_load(files[f"stacks/{site}/Pulumi.prod.yaml"])
        for key in stack["config"]:
            assert key.startswith((f"hybridplan-{site}:", "aws:")), key
    assert config_of(files, "aws-us-east-1")["aws:region"] == "us-east-1"
    assert "aws:region" not in config_of(files, "colo-eu")


def test_requirements_are_public_packages_only(plan: Plan, project: Project) -> None:
    """requirements.txt ranges the public Pulumi SDKs (pulumi-aws only on AWS sites), never
    hybridplan itself; pulumi >= 3.141 (InvokeOutputOptions)."""
    files = render(plan, project)

    def packages(site: str) -> dict[str, str]:
        text = files[f"stacks/{site}/requirements.txt"]
        lines = [line for line in text.splitlines() if line and not line.startswith("#")]
        return dict(line.split(">=", 1) for line in lines)

    assert packages("colo-eu") == {"pulumi": "3.141,<4", "pulumi-kubernetes": "4.18,<5"}
    assert set(packages("aws-us-east-1")) == {"pulumi", "pulumi-kubernetes", "pulumi-aws"}


@pytest.mark.parametrize("site", SITES, ids=SITES)
def test_config_is_the_typed_spec_the_stack_parses(plan: Plan, project: Project, site: str) -> None:
    """Pulumi.<env>.yaml is emit's StackConfig written out, and the stack's parser reads
    back exactly that object (one definition of the config on both sides)."""
    config = emit.stack_config(plan, project, site, stack_env="prod")
    written = config_of(render(plan, project), site)
    assert written == config_io.to_config(config)
    assert config_io.parse_stack_config(written) == config
    assert (config_io.kubernetes_args(config) is None) == (config.kubernetes is None)


@pytest.mark.parametrize("site", SITES, ids=SITES)
def test_config_data_is_the_stacks_to_config(plan: Plan, project: Project, site: str) -> None:
    """emit's config writer (field lists worked out once per class) gives what the stacks'
    own ``to_config`` (the reference, shipped with every stack) gives: same keys in the
    same order, same types; a dataclass class, an enum and a mapping pass as to_config
    passes them."""
    config = emit.stack_config(plan, project, site, stack_env="prod")
    assert repr(config_data(config)) == repr(config_io.to_config(config))
    odd = {"class": Plan, "option": PricingOption.ON_DEMAND, 3: (config.stack, [None])}
    assert repr(config_data(odd)) == repr(config_io.to_config(odd))


def test_stack_env_names_the_config_file(plan: Plan, project: Project) -> None:
    """--env staging writes Pulumi.staging.yaml and records the env."""
    files = render(plan, project, stack_env="staging")
    assert "stacks/colo-eu/Pulumi.staging.yaml" in files
    assert config_of(files, "colo-eu", "staging")["stack"]["env"] == "staging"


def test_right_sizing_hpa_pdb_and_spread(plan: Plan, project: Project) -> None:
    """Right-sized requests (3.2 GiB on the size ladder: 3.25 GiB), tier-1 limits, HPA
    bounds by class, PDB and spread rules."""
    files = render(plan, project)
    colo = {w["name"]: w for w in config_of(files, "colo-eu")["kubernetes"]["workloads"]}
    checkout = colo["checkout-api"]
    assert checkout["requests"] == {"cpu": "1500m", "memory": "3328Mi"}
    assert checkout["limits"] == checkout["requests"]
    assert checkout["autoscale"] == {
        "min_replicas": 3,
        "max_replicas": 3,
        "target_cpu_utilization_pct": 70,
    }
    assert (checkout["spread"], checkout["disruption_budget"]) == (True, True)
    db = colo["payments-db"]
    assert (db["autoscale"], db["storage"], db["kind"]) == (None, "500Gi", "database")
    search = config_of(files, "aws-eu-west-1")["kubernetes"]["workloads"][0]
    assert search["limits"]["cpu"] == "2"
    assert search["autoscale"]["min_replicas"] == 2
    assert search["autoscale"]["max_replicas"] == 6
    assert search["spread"] is False
    assert search["option"] == "on-demand+spot"


def test_training_split_becomes_multikueue_burst(plan: Plan, project: Project) -> None:
    """The pool manages a local and a burst job; the cloud worker gets the NodePool."""
    files = render(plan, project)
    pool = config_of(files, "gpu-pool-us")["training"]
    assert [(j["name"], j["queue"], j["multikueue"]) for j in pool["jobs"]] == [
        ("llm-finetune", "training", False),
        ("llm-finetune-burst", "training-burst", True),
    ]
    assert pool["burst"]["clusters"] == ["aws-us-east-1"]
    assert pool["burst"]["worker_projects"] == {"aws-us-east-1": "hybridplan-aws-us-east-1"}
    # 64 H100 x 0.85 target utilisation, nothing else on the pool: 54 GPUs for training.
    assert pool["flavors"][0]["capacity_gpus"] == 54
    assert [q["quotas"][0]["gpus"] for q in pool["queues"]] == [54]
    assert pool["serves_burst"] is False
    cloud = config_of(files, "aws-us-east-1")
    assert cloud["training"]["jobs"] == []
    assert cloud["training"]["serves_burst"] is True
    (nodes,) = cloud["aws_burst"]["node_pools"]
    assert (nodes["name"], nodes["capacity_type"], nodes["max_nodes"]) == (
        "training-h100-spot",
        "spot",
        1,
    )
    assert cloud["eks"] == {"cluster_name": "aws-us-east-1"}
    assert cloud["budget"]["usd_per_month"] == "18000.00"


def _with_on_demand_burst(plan: Plan) -> Plan:
    """The mini plan with llm-finetune also on on-demand in aws-us-east-1 (500 GPU-h), as
    the solver writes a training assignment: the whole Job's pods, a share of the hours."""
    placements = tuple(
        replace(
            p,
            assignments=(
                *p.assignments,
                Assignment(
                    "aws-us-east-1",
                    PricingOption.ON_DEMAND,
                    1,
                    usd("49160"),
                    "p5.48xlarge",
                    gpu_hours_per_month=500.0,
                ),
            ),
        )
        if p.workload == "llm-finetune"
        else p
        for p in plan.placements
    )
    return replace(plan, placements=placements)


def test_each_priced_option_gets_its_node_pool(plan: Plan, project: Project) -> None:
    """Spot and on-demand shares are two NodePools of their own capacity type; the one the
    plan priced lower per GPU-hour (spot 18 USD, on-demand 98.32 USD) weighs more."""
    files = render(_with_on_demand_burst(plan), project)
    pools = {p["name"]: p for p in config_of(files, "aws-us-east-1")["aws_burst"]["node_pools"]}
    assert {n: (p["capacity_type"], p["max_nodes"], p["weight"]) for n, p in pools.items()} == {
        "training-h100-on-demand": ("on-demand", 1, 99),
        "training-h100-spot": ("spot", 1, 100),
    }
    flavors = config_of(files, "aws-us-east-1")["training"]["flavors"]
    assert [f["name"] for f in flavors] == ["h100-spot", "h100-on-demand"]


@pytest.mark.parametrize(
    ("cores", "quantity"), [(2, "2"), (1.5, "1500m"), (0.0001, "1m"), (0.25, "250m")]
)
def test_cpu_quantity(cores: float, quantity: str) -> None:
    """Whole cores stay whole; fractions round up to millicores."""
    assert emit.cpu_quantity(cores) == quantity


@pytest.mark.parametrize(("gib", "quantity"), [(4, "4Gi"), (3.2, "3277Mi"), (0.5, "512Mi")])
def test_memory_quantity(gib: float, quantity: str) -> None:
    """Whole GiB stay whole; fractions round up to MiB."""
    assert emit.memory_quantity(gib) == quantity


MALICIOUS: list[tuple[str, str, str]] = [
    ("workload", "name", 'x"; import os; os.system("id") #'),
    ("workload", "name", "../../etc/passwd"),
    ("workload", "name", "Checkout API"),
    ("workload", "name", "a" * 64),
    ("database", "name", "d" * 60),
    ("database", "name", "d" * 53),
    ("workload", "team", "payments/../root"),
    ("workload", "team", "pay\nments"),
    ("workload", "image", "nginx:1.27\n  privileged: true"),
    ("workload", "image", "nginx $(id)"),
    ("site", "name", ".."),
    ("site", "name", "colo-eu'"),
    ("site", "failure_domains", "pa2-a\nx"),
    ("resources", "gpu_type", "h100}}{{"),
]


def _poison(
    project: Project, plan: Plan, target: str, field: str, value: str
) -> tuple[Project, Plan]:
    """Put ``value`` into one name of the mini world, keeping references consistent."""
    if target == "site":
        old = "colo-eu"
        if field == "failure_domains":
            sites = tuple(
                replace(s, failure_domains=(value,)) if s.name == old else s for s in project.sites
            )
            return replace(project, sites=sites), plan
        sites = tuple(replace(s, name=value) if s.name == old else s for s in project.sites)
        placements = tuple(
            replace(
                p,
                assignments=tuple(
                    replace(a, site=value) if a.site == old else a for a in p.assignments
                ),
            )
            for p in plan.placements
        )
        return replace(project, sites=sites), replace(plan, placements=placements)
    if target == "resources":
        workloads = tuple(
            replace(w, resources=replace(w.resources, gpu_type=value))
            if w.name == "llm-finetune"
            else w
            for w in project.workloads
        )
        return replace(project, workloads=workloads), plan
    old = "payments-db" if target == "database" else "checkout-api"
    workloads = tuple(
        replace(w, **{field: value}) if w.name == old else w for w in project.workloads
    )
    if field != "name":
        return replace(project, workloads=workloads), plan
    placements = tuple(
        replace(p, workload=value) if p.workload == old else p for p in plan.placements
    )
    classifications = tuple(
        replace(c, workload=value) if c.workload == old else c for c in plan.classifications
    )
    return replace(project, workloads=workloads), replace(
        plan, placements=placements, classifications=classifications
    )


@pytest.mark.parametrize(
    ("target", "field", "value"),
    MALICIOUS,
    ids=[f"{t}.{f}={v[:20]!r}" for t, f, v in MALICIOUS],
)
def test_unsafe_names_are_rejected_before_rendering(
    plan: Plan, project: Project, target: str, field: str, value: str
) -> None:
    """Names that could break out of a string, a path or YAML are refused with a fix."""
    bad_project, bad_plan = _poison(project, plan, target, field, value)
    with pytest.raises(InputError) as info:
        render(bad_plan, bad_project)
    assert info.value.problems
    assert all(p.fix for p in info.value.problems)


@pytest.mark.parametrize("env", ["prod/../x", "Prod", "a b"])
def test_unsafe_stack_env_is_rejected(plan: Plan, project: Project, env: str) -> None:
    """The stack env becomes a file name: it must be a label too."""
    with pytest.raises(InputError):
        render(plan, project, stack_env=env)


def test_command_with_newline_is_rejected(plan: Plan, project: Project) -> None:
    """A header command cannot smuggle a second line into generated code."""
    with pytest.raises(UsageError):
        emit.render_stacks(plan, project, emit.default_environment(), command="x\nimport os")


def test_strict_environment_fails_on_undefined_and_leaves_input_alone() -> None:
    """Templates are strict; the caller's environment is not modified."""
    loose = jinja2.Environment(loader=jinja2.DictLoader({"t": "{{ missing }}"}), autoescape=False)
    strict = emit.strict_environment(loose)
    with pytest.raises(jinja2.UndefinedError):
        strict.get_template("t").render()
    assert loose.get_template("t").render() == ""
    assert "to_yaml" not in loose.filters


def test_pyrepr_quotes_scalars_only() -> None:
    """The Python quoting filter repr()s scalars and refuses containers."""
    assert emit.pyrepr('a"b') == "'a\"b'"
    with pytest.raises(TypeError):
        emit.pyrepr({"a": 1})


def test_yaml_values_go_through_the_dumper(plan: Plan, project: Project) -> None:
    """A value with YAML-special characters (an image digest with ':' and '@') round-trips."""
    image = "registry.example.com/a/b@sha256:" + "f" * 64
    workloads = tuple(
        replace(w, image=image) if w.name == "search-api" else w for w in project.workloads
    )
    files = render(plan, replace(project, workloads=workloads))
    assert config_of(files, "aws-eu-west-1")["kubernetes"]["workloads"][0]["image"] == image


@pytest.mark.parametrize(
    ("renamed", "new_name", "clash"),
    [
        ("checkout-api", "payments-db-headless", "headless Service of 'payments-db'"),
        ("checkout-api", "llm-finetune-burst", None),
    ],
    ids=["service-named-like-a-headless-service", "service-named-like-a-burst-job"],
)
def test_derived_names_must_not_clash(
    plan: Plan, project: Project, renamed: str, new_name: str, clash: str | None
) -> None:
    """A workload named like another's derived object of the same kind (a database's
    headless Service, a training burst Job) is refused: duplicate URN / shared object."""
    bad_project, bad_plan = _poison(project, plan, "workload", "name", new_name)
    assert renamed == "checkout-api"
    if clash is None:  # a Deployment + Service named x-burst shares nothing with a Job
        render(bad_plan, bad_project)
        return
    with pytest.raises(InputError) as info:
        render(bad_plan, bad_project)
    messages = [p.message for p in info.value.problems]
    assert any(clash in m for m in messages), messages


def test_batch_job_named_like_a_burst_job_is_refused(plan: Plan, project: Project) -> None:
    """A batch workload named ``<training>-burst`` would share a Job name with the burst Job."""
    from planner.model import WorkloadKind

    bad_project, bad_plan = _poison(project, plan, "workload", "name", "llm-finetune-burst")
    workloads = tuple(
        replace(w, kind=WorkloadKind.BATCH, ports=()) if w.name == "llm-finetune-burst" else w
        for w in bad_project.workloads
    )
    with pytest.raises(InputError) as info:
        render(bad_plan, replace(bad_project, workloads=workloads))
    assert any("burst Job of 'llm-finetune'" in p.message for p in info.value.problems)


def test_gpu_service_node_pool_leaves_room_for_hpa_and_surge(plan: Plan, project: Project) -> None:
    """A GPU service on AWS gets GPUs for every pod its HPA and a rolling update may add, not
    only per planned replica (else scale-out and maxUnavailable-0 rollouts hang); the room
    goes to its non-spot pool."""
    workloads = tuple(
        replace(w, resources=replace(w.resources, gpus=1, gpu_type="l4"))
        if w.name == "search-api"
        else w
        for w in project.workloads
    )
    placements = tuple(
        replace(p, assignments=tuple(replace(a, instance_type="g6.xlarge") for a in p.assignments))
        if p.workload == "search-api"
        else p
        for p in plan.placements
    )
    gpu_plan = replace(plan, placements=placements)
    config = config_of(render(gpu_plan, replace(project, workloads=workloads)), "aws-eu-west-1")
    search = next(w for w in config["kubernetes"]["workloads"] if w["name"] == "search-api")
    ceiling = search["autoscale"]["max_replicas"]
    assert (search["replicas"], ceiling) == (2, 6)
    pools = {p["capacity_type"]: p for p in config["aws_burst"]["node_pools"]}
    on_demand = pools["on-demand"]
    # one on-demand replica + (ceiling - replicas) HPA pods + one surge pod, 1 GPU each
    assert (on_demand["max_nodes"], on_demand["gpus_per_node"]) == (1 + (ceiling - 2) + 1, 1)
    assert pools["spot"]["max_nodes"] == 1
    assert pools["spot"]["role"] == on_demand["role"] == "service"


@pytest.mark.parametrize("team", ["default", "kube-system", "kube-public", "kueue-system"])
def test_team_cannot_take_over_a_cluster_namespace(plan: Plan, project: Project, team: str) -> None:
    """A team named like a namespace the cluster owns is refused (the stack would adopt,
    relabel and one day delete it)."""
    bad_project, bad_plan = _poison(project, plan, "workload", "team", team)
    with pytest.raises(InputError) as info:
        render(bad_plan, bad_project)
    assert any("cluster's own namespace" in p.message for p in info.value.problems)


def test_burst_job_runs_the_job_once_per_worker(plan: Plan, project: Project) -> None:
    """A burst share bought partly on-demand and partly spot on one cloud site is one Job of
    the workload's pods: each training assignment runs the whole Job for its share of the
    GPU-hours, so the pods are not summed over options."""
    files = render(_with_on_demand_burst(plan), project)
    jobs = config_of(files, "gpu-pool-us")["training"]["jobs"]
    burst = next(j for j in jobs if j["multikueue"])
    assert burst["parallelism"] == project.workload("llm-finetune").replicas
    assert burst["gpu_hours_per_month"] == "1500.00"
