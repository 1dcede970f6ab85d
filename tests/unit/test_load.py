"""Tests for planner.load: the planning-project loader and its bad-input corpus."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import InputError, Problem, UsageError
from planner.load import SCHEMA_KINDS, load_project, schema_for
from planner.load.schema_problems import (
    CURRENCY_PATTERN,
    DURATION_PATTERN,
    HEADER_PATTERN,
    HTTP_URL_PATTERN,
    IDENTIFIER_PATTERN,
    MONTH_PATTERN,
)
from planner.load.yamlpos import parse_yaml
from planner.model import (
    Dependency,
    Level,
    PricingOption,
    Residency,
    SiteKind,
    SourceRef,
    WorkloadKind,
)
from planner.names import IMAGE_PATTERN, LABEL_SCHEMA_PATTERN

DATA = Path(__file__).resolve().parent.parent / "data"
MINI = DATA / "mini"
BROKEN = DATA / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())
FILE_KINDS = {
    "inventory": "inventory.yaml",
    "sites": "sites.yaml",
    "policies": "policies.yaml",
    "project": "project.yaml",
}


def _problems(root: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_project(root)
    return [p.render() for p in caught.value.problems]


@pytest.fixture
def mini_copy(tmp_path: Path) -> Path:
    """A writable copy of tests/data/mini."""
    return Path(shutil.copytree(MINI, tmp_path / "mini"))


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_broken_corpus(case: str) -> None:
    """Each broken project reports exactly the problems listed in its expected.txt."""
    expected = (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert _problems(BROKEN / case) == expected


def test_corpus_covers_the_issue_list() -> None:
    """The corpus keeps the cases issue #2 asks for."""
    required = {
        "missing-inventory",
        "missing-sites",
        "yaml-syntax-error",
        "wrong-type",
        "unknown-field",
        "duplicate-workload-name",
        "duplicate-yaml-key",
        "invalid-names",
        "zero-capacity",
        "negative-capacity",
        "unknown-current-site",
        "unknown-depends-on",
        "unknown-gpu-type",
        "empty-inventory",
        "wrong-api-version",
        "wrong-kind",
        "waiver-without-reason",
        "unknown-currency",
        "multiple-files",
    }
    assert required <= set(CASES)


def test_problems_from_all_files_are_collected_in_one_pass() -> None:
    """One run reports the problems of every file, sorted by file and line."""
    with pytest.raises(InputError) as caught:
        load_project(BROKEN / "multiple-files")
    problems = caught.value.problems
    assert [p.file for p in problems] == [
        "inventory.yaml",
        "policies.yaml",
        "project.yaml",
        "sites.yaml",
    ]
    assert caught.value.message == "4 problems in the planning project"


def test_mini_project_loads_into_frozen_model() -> None:
    """tests/data/mini becomes a Project of tuples, enums and source references."""
    project = load_project(MINI)
    assert [w.name for w in project.workloads] == ["checkout-api", "payments-db", "llm-finetune"]
    assert [s.name for s in project.sites] == [
        "colo-eu",
        "gpu-pool-us",
        "aws-eu-west-1",
        "aws-us-east-1",
    ]
    api = project.workload("checkout-api")
    assert api.kind is WorkloadKind.SERVICE
    assert api.data.residency is Residency.EU
    assert api.depends_on == (Dependency("payments-db", 2.0),)
    assert api.ports == (8080,)
    assert api.source == SourceRef("inventory.yaml", 5, 5)
    finetune = project.workload("llm-finetune")
    assert finetune.training is not None
    assert finetune.training.gpu_hours_per_month == 4000.0
    assert finetune.resources.gpu_type == "h100"
    colo = project.site("colo-eu")
    assert colo.kind is SiteKind.KUBERNETES
    assert colo.availability_pct == 99.95
    assert colo.owned_cost is not None
    assert colo.owned_cost.node_classes[0].capex_usd == 30000.0
    pool = project.site("gpu-pool-us")
    assert pool.capacity is not None
    assert pool.capacity.gpus == {"h100": 64}
    assert pool.gpu_pool_cost is not None
    assert pool.gpu_pool_cost.owned is not None
    east = project.site("aws-us-east-1")
    assert east.capacity is None
    assert east.cloud_cost is not None
    assert PricingOption.CAPACITY_BLOCK in east.cloud_cost.options
    assert east.price_overrides == {"aws.p5.48xlarge.us-east-1.on-demand": 55.04}
    assert isinstance(project.workloads, tuple)
    assert isinstance(project.sites[0].failure_domains, tuple)


def test_mini_policies_and_settings() -> None:
    """Rule overrides, waivers (dates kept as strings) and settings are read."""
    project = load_project(MINI)
    rules = {r.rule_id: r for r in project.policies.rules}
    assert rules["HP-COST-001"].level is Level.MANDATORY
    assert rules["HP-COST-002"].level is None
    assert rules["HP-COST-002"].params == {"max_usd_per_month": 80000}
    (waiver,) = project.policies.waivers
    assert (waiver.rule_id, waiver.scope_kind, waiver.scope) == (
        "HP-SLA-002",
        "workload",
        "llm-finetune",
    )
    assert waiver.expires == "2027-03-31"
    assert waiver.source == SourceRef("policies.yaml", 13, 5)
    assert project.settings.horizon_months == 36
    assert project.settings.currency == "USD"


def test_telemetry_files_and_digests() -> None:
    """Telemetry files are listed relative to the root and every input file is digested."""
    project = load_project(MINI)
    assert project.telemetry_files == ("telemetry/checkout-api.csv",)
    assert sorted(project.digests) == [
        "inventory.yaml",
        "policies.yaml",
        "project.yaml",
        "sites.yaml",
        "telemetry/checkout-api.csv",
    ]
    digest = hashlib.sha256((MINI / "sites.yaml").read_bytes()).hexdigest()
    assert project.digests["sites.yaml"] == digest


def test_optional_files_may_be_absent(mini_copy: Path) -> None:
    """Without policies.yaml, project.yaml and telemetry/ the defaults apply."""
    (mini_copy / "policies.yaml").unlink()
    (mini_copy / "project.yaml").unlink()
    shutil.rmtree(mini_copy / "telemetry")
    project = load_project(mini_copy)
    assert project.policies.rules == ()
    assert project.settings.tier_availability_pct == {1: 99.95, 2: 99.9, 3: 99.0}
    assert project.telemetry_files == ()
    assert sorted(project.digests) == ["inventory.yaml", "sites.yaml"]


def test_hidden_telemetry_files_are_skipped(mini_copy: Path) -> None:
    """Dot files under telemetry/ (editor or OS droppings) are not inputs."""
    (mini_copy / "telemetry" / ".DS_Store").write_bytes(b"\0")
    (mini_copy / "telemetry" / "more").mkdir()
    (mini_copy / "telemetry" / "more" / "b.csv").write_text("x\n")
    project = load_project(mini_copy)
    assert project.telemetry_files == ("telemetry/checkout-api.csv", "telemetry/more/b.csv")


def test_tier_maps_merge_over_defaults(mini_copy: Path) -> None:
    """Partial tier maps in project.yaml override only the tiers they name."""
    with (mini_copy / "project.yaml").open("a") as f:
        f.write("  tier_availability_pct: {1: 99.99}\n  min_replicas_by_tier: {3: 2}\n")
    settings = load_project(mini_copy).settings
    assert settings.tier_availability_pct == {1: 99.99, 2: 99.9, 3: 99.0}
    assert settings.min_replicas_by_tier == {1: 3, 2: 2, 3: 2}


def test_string_dependency_has_no_latency_bound(mini_copy: Path) -> None:
    """depends_on accepts a bare workload name."""
    inventory = mini_copy / "inventory.yaml"
    text = inventory.read_text().replace("{name: payments-db, max_latency_ms: 2}", "payments-db")
    inventory.write_text(text)
    api = load_project(mini_copy).workload("checkout-api")
    assert api.depends_on == (Dependency("payments-db", None),)


def test_unknown_top_level_field_suggests_the_right_one(mini_copy: Path) -> None:
    """A misspelt top-level key gets a did-you-mean and the real key is reported missing."""
    inventory = mini_copy / "inventory.yaml"
    inventory.write_text(inventory.read_text().replace("workloads:", "workload:"))
    assert _problems(mini_copy) == [
        "inventory.yaml:2:1: workloads: missing required field 'workloads'. "
        "To fix: add workloads: the workloads; names must be unique",
        "inventory.yaml:4:1: workload: unknown field 'workload'; did you mean 'workloads'? "
        "To fix: rename it to 'workloads'",
    ]


def test_wrong_shape_dependency_says_what_was_expected(mini_copy: Path) -> None:
    """A depends_on entry that is neither a name nor a mapping names both options."""
    inventory = mini_copy / "inventory.yaml"
    text = inventory.read_text().replace("{name: payments-db, max_latency_ms: 2}", "42")
    inventory.write_text(text)
    (problem,) = _problems(mini_copy)
    assert problem.startswith(
        "inventory.yaml:15:9: workloads[0].depends_on[0]: expected a string or a mapping, "
        "got number 42."
    )


@pytest.mark.parametrize(
    ("site", "option", "sold"),
    [
        ("colo-eu", "spot", "kubernetes site 'colo-eu'. To fix: use one of: owned, leased"),
        (
            "aws-eu-west-1",
            "leased",
            "cloud site 'aws-eu-west-1'. To fix: use one of: "
            "on-demand, commit-1y, commit-3y, spot, capacity-block",
        ),
    ],
    ids=["owned-site", "cloud-site"],
)
def test_current_option_must_be_sold_by_the_site_kind(
    mini_copy: Path, site: str, option: str, sold: str
) -> None:
    """A current_option the current site's kind does not sell lists what it does sell."""
    inventory = mini_copy / "inventory.yaml"
    text = inventory.read_text().replace(
        "    current_site: aws-eu-west-1\n",
        f"    current_site: {site}\n    current_option: {option}\n",
        1,
    )
    inventory.write_text(text)
    assert _problems(mini_copy) == [
        f"inventory.yaml:17:21: workloads[0].current_option: '{option}' is not sold by {sold}"
    ]


def test_invalid_utf8_is_a_problem(mini_copy: Path) -> None:
    """A file that is not UTF-8 is reported, not crashed on."""
    (mini_copy / "project.yaml").write_bytes(b"kind: \xff\n")
    assert _problems(mini_copy)[0].startswith("project.yaml: not valid UTF-8")


def test_missing_directory() -> None:
    """A folder that does not exist is one clear problem."""
    root = BROKEN / "no-such-project"
    assert _problems(root) == [
        f"{root}: planning project folder does not exist. To fix: pass the folder that holds "
        "inventory.yaml and sites.yaml, e.g. `hybridplan validate examples/acme`"
    ]


def test_file_instead_of_directory() -> None:
    """Passing a file instead of the folder is explained."""
    assert "not a folder" in _problems(MINI / "inventory.yaml")[0]


# --------------------------------------------------------------------------- schemas


@pytest.mark.parametrize("kind", ["Inventory", "SITES", "policies", "project", " inventory "])
def test_schema_for_is_case_insensitive(kind: str) -> None:
    """schema_for accepts any case and returns a fresh draft 2020-12 schema."""
    schema = schema_for(kind)
    key = kind.strip().lower()
    assert schema["$id"] == f"https://hybridplan.dev/schemas/v1/{key}.json"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    schema["mutated"] = True
    assert "mutated" not in schema_for(kind)


def test_schema_for_unknown_kind() -> None:
    """An unknown kind is a usage error with a suggestion."""
    with pytest.raises(UsageError) as caught:
        schema_for("inventroy")
    assert "did you mean 'inventory'?" in caught.value.fix


def test_schema_kinds_are_listed() -> None:
    """SCHEMA_KINDS names every published schema, including the plan's."""
    assert set(SCHEMA_KINDS) == {"project", "inventory", "sites", "policies", "plan"}


@pytest.mark.parametrize("kind", sorted(FILE_KINDS))
def test_schemas_are_valid_and_accept_mini(kind: str) -> None:
    """Each input schema is a valid draft 2020-12 schema that accepts tests/data/mini."""
    schema = schema_for(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    data = parse_yaml((MINI / FILE_KINDS[kind]).read_text(), FILE_KINDS[kind]).data
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(data)) == []


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def test_every_input_pattern_has_a_plain_language_message() -> None:
    """Names use names.LABEL_SCHEMA_PATTERN (explained as RFC 1123); the loader words every
    other pattern the input schemas use, so none falls back to quoting the regex."""
    used = {p for kind in FILE_KINDS for p in _patterns(schema_for(kind))}
    assert used == {
        LABEL_SCHEMA_PATTERN,
        IMAGE_PATTERN,
        "^HP-[A-Z]+-[0-9]{3}$",
        "^[1-3]$",
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        "\\S",
        MONTH_PATTERN,
        CURRENCY_PATTERN,
        DURATION_PATTERN,
        HTTP_URL_PATTERN,
        IDENTIFIER_PATTERN,
        HEADER_PATTERN,
    }


def _properties(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if isinstance(sub, dict):
                yield f"{where}.{name}", sub
        for key, value in node.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, f"{where}[{i}]")


@pytest.mark.parametrize("kind", sorted(FILE_KINDS))
def test_every_property_is_described_and_objects_are_closed(kind: str) -> None:
    """Editors show a description for every property; no object accepts unknown keys."""
    schema = schema_for(kind)
    undescribed = [
        where
        for where, prop in _properties(schema, kind)
        if "description" not in prop and "/then" not in where and "/if" not in where
    ]
    assert undescribed == []
    assert schema["additionalProperties"] is False
    for where, prop in _properties(schema, kind):
        if prop.get("type") == "object" and "properties" in prop:
            assert prop.get("additionalProperties") is False, where


# --------------------------------------------------------------------------- robustness

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 70000)
    | st.floats(-1e6, 1e6, allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


@pytest.mark.slow  # 60 mutated projects loaded
@settings(max_examples=60, deadline=None)
@given(file=st.sampled_from(sorted(FILE_KINDS.values())), data=st.data())
def test_any_mutation_loads_or_raises_input_error(file: str, data: st.DataObject) -> None:
    """Replacing or deleting any value of mini never crashes the loader; problems are located."""
    doc = parse_yaml((MINI / file).read_text(), file).data
    paths = [p for p in _paths(doc) if p]
    path = data.draw(st.sampled_from(paths))
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    if isinstance(parent, dict) and data.draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(_JSON)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(shutil.copytree(MINI, Path(tmp) / "p"))
        (root / file).write_text(yaml.safe_dump(doc, sort_keys=False))
        problems: tuple[Problem, ...] = ()
        try:
            load_project(root)
        except InputError as exc:
            problems = exc.problems
    rendered = "\n".join(p.render() for p in problems)
    assert all(p.line >= 1 and p.column >= 1 for p in problems), rendered
    assert all(p.fix for p in problems), rendered


def test_gpu_type_sold_only_in_the_cloud_is_accepted(tmp_path: Path) -> None:
    """A100s are in no owned site's capacity but aws-us-east-1's catalogue region prices
    p4d instances, so a workload asking for them is valid (the cost model prices it)."""
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    inv = project / "inventory.yaml"
    inv.write_text(inv.read_text(encoding="utf-8").replace("gpu_type: h100", "gpu_type: a100"))
    loaded = load_project(project)
    assert loaded.workload("llm-finetune").resources.gpu_type == "a100"
