"""One real Prometheus server for the whole session (per xdist worker; the tests here
share the ``prometheus`` xdist group, so ``make test`` starts one), backfilled with the
series of ``prom_data``; killed at the end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prom_data import server_series
from promserver import PromServer, start_server


@pytest.fixture(scope="session")
def prom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PromServer]:
    """The session's Prometheus server (skips without the binaries, fails in CI)."""
    server = start_server(server_series(), tmp_path_factory.mktemp("prometheus"))
    yield server
    server.stop()
