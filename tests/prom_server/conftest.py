"""One real Prometheus server for the whole test run, shared by the xdist workers: the
first worker that needs it backfills and starts it, the others attach to it (a lock file
and a reference count beside the run's temporary folders), and the last one to finish
stops it. Its series are those of ``prom_data``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prom_data import server_series
from promserver import SharedServer, shared_server


@pytest.fixture(scope="session")
def prom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedServer]:
    """The run's Prometheus server (skips without the binaries, fails in CI)."""
    # The run's base folder: the workers' own folders (popen-gw0, ...) are inside it.
    base = tmp_path_factory.getbasetemp()
    root = base.parent if base.name.startswith("popen-gw") else base
    with shared_server(root, server_series) as server:
        yield server
