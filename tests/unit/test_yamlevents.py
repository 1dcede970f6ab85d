"""The fast paths of reading a project give what the slow ones give: libyaml making light
events (``planner.load.yamlevents``) against PyYAML's own events, and the compiled schema
validator clearing a document only when jsonschema finds nothing, on mutated projects."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
import yaml
from mutations import YAML_FILES, mutate_project

from planner.load.schema_problems import document_problems
from planner.load.schemas import fast_validator_for, validator_for
from planner.load.yamlpos import parse_yaml

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"
KINDS = {
    "inventory.yaml": "Inventory",
    "sites.yaml": "Sites",
    "policies.yaml": "Policies",
    "project.yaml": "Project",
}
SEEDS = range(120)


def _texts(tmp_path: Path, seed: int) -> dict[str, str]:
    root = Path(shutil.copytree(MINI, tmp_path / f"p{seed}"))
    mutate_project(root, random.Random(seed))
    texts = {}
    for file in YAML_FILES:
        path = root / file
        if path.exists():
            texts[file] = path.read_bytes().decode("utf-8", errors="replace")
    return texts


@pytest.mark.parametrize("seed", SEEDS)
def test_light_events_build_what_pyyaml_events_build(tmp_path: Path, seed: int) -> None:
    """Data, positions and problems (syntax, building and schema) are the same both ways."""
    for file, text in _texts(tmp_path, seed).items():
        light = parse_yaml(text, file)
        slow = parse_yaml(text, file, light=False)
        assert light.problems == slow.problems, file
        assert light.data == slow.data, file
        assert light.marks == slow.marks, file
        if isinstance(light.data, dict):
            kind = KINDS[file]
            assert document_problems(kind, light, file) == document_problems(kind, slow, file)


@pytest.mark.parametrize("seed", SEEDS)
def test_compiled_validator_clears_only_what_jsonschema_clears(tmp_path: Path, seed: int) -> None:
    """A document the compiled validator accepts has no jsonschema error either (so its
    fast acceptance hides no problem the located messages would report)."""
    for file, text in _texts(tmp_path, seed).items():
        data = parse_yaml(text, file).data
        if not isinstance(data, dict):
            continue
        kind = KINDS[file].lower()
        if fast_validator_for(kind).is_valid(data):
            errors = [e.message for e in validator_for(kind).iter_errors(data)]
            assert errors == [], file


def test_light_events_are_put_back_after_a_parse() -> None:
    """PyYAML's event classes are in libyaml's module again after a parse, failed or not."""
    parse_yaml("a: [1, {b: 2}]\n", "f.yaml")
    parse_yaml("a: [1, {b: 2\n", "f.yaml")
    events = list(yaml.parse("a: 1\n", Loader=yaml.CSafeLoader))
    assert type(events[-1]) is yaml.events.StreamEndEvent
