"""Virtualenvs the slow tests build from PyPI once and reuse: an emitted stack's own
requirements (``test_stack_venv.py``), checkov (``test_stacks_acme.py``: it pins
``packaging<24``, which the Pulumi SDK's ``packaging>=26`` excludes from the dev venv)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import venv
from pathlib import Path


def cached_venv(name: str, requirements: str) -> Path:
    """A virtualenv with exactly ``requirements`` installed from PyPI, cached per their text
    under ``$XDG_CACHE_HOME/hybridplan-tests`` (``~/.cache``): the first run downloads, the
    next ones reuse it. Returns its folder. The folder is built elsewhere and renamed into
    place, so run its tools as ``bin/python -m <module>`` (console scripts keep the build
    path in their shebang)."""
    lines = [ln for ln in requirements.splitlines() if ln.strip() and not ln.startswith("#")]
    key = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    target = Path(base) / "hybridplan-tests" / f"{name}-{key}"
    if (target / "bin" / "python").is_file():
        return target
    building = target.with_name(f"{target.name}.building-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(building)
    req = building / "requirements.txt"
    req.write_text("\n".join(lines) + "\n", encoding="utf-8")
    subprocess.run(
        [str(building / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", str(req)],
        check=True,
        timeout=900,
    )
    try:
        building.rename(target)
    except OSError:  # another run finished first: use its copy
        shutil.rmtree(building, ignore_errors=True)
    return target
