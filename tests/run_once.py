"""A value computed once per test run and shared by its pytest-xdist workers.

``once(shared, name, compute)``: the first worker to take the lock ``shared/<name>.lock``
computes the value and pickles it to ``shared/<name>.pickle``; the others (and later
calls) wait for the lock and unpickle it. ``shared`` is a folder every worker of the run
sees and no other run does: the parent of the workers' base temporary folders
(``tmp_path_factory.getbasetemp().parent``), as in the pytest-xdist recipe for a session
fixture run once.
"""

from __future__ import annotations

import fcntl
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def once(shared: Path, name: str, compute: Callable[[], T]) -> T:
    """``compute()`` run by one worker of the run, its pickled result read by the others."""
    shared.mkdir(parents=True, exist_ok=True)
    done = shared / f"{name}.pickle"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            value: T = pickle.loads(done.read_bytes())  # written by this run, read by it
            return value
        value = compute()
        done.write_bytes(pickle.dumps(value))
        return value
