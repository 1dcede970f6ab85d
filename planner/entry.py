"""The ``hybridplan`` console entry point: Ctrl-C handling first, then the CLI.

SIGINT is turned into ``Interrupted`` as the first thing the program does (this module
imports nothing else before), so an interrupt while importing, parsing flags, planning or
writing OUT prints one line and exits 130; Click would print "Aborted!" and exit 1 for a
``KeyboardInterrupt`` outside a command. OUT is only ever replaced whole
(``planner.fs.write_tree``), and from the moment it swaps OUT in the run ignores Ctrl-C
(``commit_point``): an interrupt that is reported always left OUT as it was.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

INTERRUPTED_LINE = "interrupted: stopped; OUT is as it was before this run"
"""The one line an interrupted command prints (OUT is only ever replaced whole)."""

INTERRUPTED_EXIT = 130
"""128 + SIGINT, as shells report a run stopped by Ctrl-C."""


class Interrupted(BaseException):
    """Raised by the SIGINT handler: the run stops where it is (every ``finally`` runs, so a
    staged OUT is removed). A ``BaseException``, like ``KeyboardInterrupt``, so no
    ``except Exception`` swallows it; unlike ``KeyboardInterrupt``, Click does not turn it
    into "Aborted!" and exit 1."""


def interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is, or was raised while handling or because of, an ``Interrupted`` or
    ``KeyboardInterrupt``: an extension module's initialisation (pybind11's, e.g. highspy's)
    wraps an interrupt during its import in ``ImportError("initialization failed")``."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, (Interrupted, KeyboardInterrupt)):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False


def _interrupt(signum: int, frame: FrameType | None) -> None:
    del signum, frame
    raise Interrupted


def commit_point() -> None:
    """The run is about to replace OUT (``planner.fs.write_tree``): from here Ctrl-C is
    ignored, so the run ends as it would have (within moments: the swap and one line), and
    exit 130 with ``INTERRUPTED_LINE`` never follows a replaced OUT. Only when ``main``
    installed its handler: a library caller's or a test runner's SIGINT is left alone."""
    if signal.getsignal(signal.SIGINT) is _interrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def main() -> None:
    """Run the ``hybridplan`` CLI with SIGINT mapped to one line and exit 130."""
    signal.signal(signal.SIGINT, _interrupt)
    try:
        from planner.cli import app

        app()
    except BaseException as exc:
        if not interrupted(exc) or isinstance(exc, SystemExit):
            raise
        sys.stderr.write(INTERRUPTED_LINE + "\n")
        sys.exit(INTERRUPTED_EXIT)
