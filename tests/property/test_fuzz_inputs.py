"""Fuzzing the input boundary: a planning project and telemetry damaged at random
(tests/mutations.py) validates, or fails with located input problems that each say how to
fix them - never another exception. Bounded: a few seconds in `make test`; the larger run
is bench/fuzz_corpus.py."""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mutations import mutate_project

from planner.app import validate_inputs
from planner.catalogue import load_default_catalogue
from planner.errors import InputError

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"
CATALOGUE = load_default_catalogue()


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(rng=st.randoms(use_true_random=False))
def test_a_damaged_project_validates_or_fails_with_located_problems(rng: random.Random) -> None:
    """Whatever the damage, validate_inputs returns or raises InputError, and every problem
    names its file and has a fix."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(shutil.copytree(MINI, Path(tmp) / "project"))
        edits = mutate_project(root, rng)
        problems = None
        try:
            validate_inputs(root, catalogue=CATALOGUE)
        except InputError as exc:
            problems = exc.problems
    if problems is not None:
        assert problems, edits
        for problem in problems:
            assert problem.file, (edits, problem)
            assert problem.fix, (edits, problem)
