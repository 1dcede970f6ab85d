"""`hybridplan plan` run as a child process that says when it can be interrupted: the
signal tests (``tests/cli/test_error_boundary.py``, ``tests/cli/test_out_kills.py``) stop
it at moments measured from that point, not after a fixed sleep from the start.

``start_plan(project, out, ready)`` runs ``planner.entry.main`` exactly as the console
script does, in a child whose ``signal.signal`` also creates the file ``ready`` once the
CLI's SIGINT handler is installed (the first thing ``main`` does). ``wait_ready`` waits for
that file; ``timed_plan`` runs one plan uninterrupted and returns how long it took from
ready to exit, the scale the tests pick their moments on. A signal sent before ready would
hit the interpreter's own start-up, which the CLI cannot handle: no test sends one then.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

_CHILD = """\
import signal, sys
from pathlib import Path

ready = Path(sys.argv[1])
install = signal.signal


def install_then_say_ready(signum, handler):
    previous = install(signum, handler)
    if signum == signal.SIGINT and getattr(handler, "__name__", "") == "_interrupt":
        ready.touch()
    return previous


signal.signal = install_then_say_ready
sys.argv = ["hybridplan", *sys.argv[2:]]
from planner.entry import main

main()
"""


def start_plan(
    project: Path, out: Path, ready: Path, *, stderr: int | None = subprocess.DEVNULL
) -> subprocess.Popen[str]:
    """Start `hybridplan plan PROJECT --out OUT`; ``ready`` appears once Ctrl-C is handled."""
    ready.unlink(missing_ok=True)
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(ready), "plan", str(project), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
    )


def wait_ready(proc: subprocess.Popen[str], ready: Path, *, timeout_s: float = 120.0) -> None:
    """Wait until ``ready`` exists (the child handles Ctrl-C); fail if the child ends first."""
    deadline = time.monotonic() + timeout_s
    while not ready.exists():
        assert proc.poll() is None, f"the plan exited {proc.returncode} before it was ready"
        assert time.monotonic() < deadline, "the plan never installed its SIGINT handler"
        time.sleep(0.005)


def timed_plan(project: Path, out: Path, ready: Path) -> float:
    """Run one plan to the end; the seconds from ready to exit (it must exit 0)."""
    proc = start_plan(project, out, ready, stderr=subprocess.PIPE)
    wait_ready(proc, ready)
    start = time.monotonic()
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    return time.monotonic() - start
