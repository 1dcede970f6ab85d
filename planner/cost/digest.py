"""``cost_input_digest``: one sha256 over every input that can change a cost figure."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from enum import Enum
from typing import Any

from planner.catalogue import Catalogue
from planner.model import Project, SourceRef


def _plain(obj: Any) -> Any:
    """JSON-able form of model values; provenance (``source``) is left out."""
    if isinstance(obj, SourceRef):
        return None
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.name: _plain(getattr(obj, f.name))
            for f in dataclasses.fields(obj)
            if f.name != "source"
        }
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return [_plain(v) for v in obj]
    return obj


def cost_input_digest(project: Project, catalogue: Catalogue) -> str:
    """``sha256:<hex>`` of the catalogue digest, the settings, every site and every
    workload (canonical JSON, sorted keys; file positions excluded)."""
    payload = {
        "catalogue": catalogue.digest,
        "settings": _plain(project.settings),
        "sites": sorted((_plain(s) for s in project.sites), key=lambda d: str(d["name"])),
        "workloads": sorted((_plain(w) for w in project.workloads), key=lambda d: str(d["name"])),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
