"""Policy unit tests build their worlds with ``tests/policies/policy_world.py`` (shared with
the rule fixtures), so that folder is put on ``sys.path`` here."""

from __future__ import annotations

import sys
from pathlib import Path

_WORLD = str(Path(__file__).resolve().parents[2] / "policies")
if _WORLD not in sys.path:
    sys.path.insert(0, _WORLD)
