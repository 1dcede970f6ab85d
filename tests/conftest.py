"""Shared test fixtures: paths to the bundled planning projects and the golden-file switch.

Run ``pytest --update-golden`` to rewrite golden files; review the diff before committing.
Hypothesis runs with no deadline and no too-slow health check: both time the machine, not
the code, and fail under load.

With ``PYTHONDONTWRITEBYTECODE`` set (no ``__pycache__`` in the tree), every interpreter of a
run would compile the tree again: the xdist workers, each ``hybridplan`` the CLI tests start,
the import check. The run keeps their bytecode outside the tree instead, in
``PYTHONPYCACHEPREFIX`` (a per-user folder under the temporary directory, reused by later
runs; Python checks each file's source stamp, so it is never stale).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest
from acme_preview import AcmePreviewed, preview_acme, shared_preview_acme
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"


def _bytecode_outside_the_tree() -> None:
    """Without ``__pycache__`` folders in the tree, let this interpreter and the ones it
    starts (workers, CLI runs) cache bytecode under a prefix folder instead."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        return
    prefix = Path(tempfile.gettempdir()) / f"hybridplan-pycache-{os.getuid()}"
    prefix.mkdir(mode=0o700, exist_ok=True)
    os.environ["PYTHONPYCACHEPREFIX"] = str(prefix)
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    sys.pycache_prefix = str(prefix)
    sys.dont_write_bytecode = False


_bytecode_outside_the_tree()
settings.register_profile("hybridplan", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("hybridplan")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files instead of comparing against them (review the diff!)",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite golden files."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def mini_dir() -> Path:
    """The smallest complete planning project (tests/data/mini)."""
    return DATA / "mini"


@pytest.fixture(scope="session")
def acme_dir() -> Path:
    """The bundled realistic planning project (examples/acme)."""
    return REPO / "examples" / "acme"


@pytest.fixture(scope="session")
def acme_previewed(
    acme_dir: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> AcmePreviewed:
    """examples/acme planned, written to a temporary OUT and every stack previewed offline,
    once per run, shared by the xdist workers (see ``acme_preview``)."""
    if worker_id == "master":  # not under xdist: nothing to share
        return preview_acme(acme_dir, tmp_path_factory.mktemp("acme-out"))
    # Each worker's base temp is <run>/popen-gwN: the run's folder is shared by its workers.
    return shared_preview_acme(acme_dir, tmp_path_factory.getbasetemp().parent)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The test files holding costly tests (marked slow or preview) first, in their
    collected order, the rest after: under ``-n 2 --dist worksteal`` (``make test``) the
    long ones start at once and the short ones fill in around them, so both workers finish
    together. Whole files move, so a module-scoped fixture is still set up once."""
    costly = {
        item.path
        for item in items
        if item.get_closest_marker("slow") or item.get_closest_marker("preview")
    }
    items.sort(key=lambda item: item.path not in costly)
