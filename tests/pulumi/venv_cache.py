"""Virtualenvs the slow tests build from PyPI once and reuse: an emitted stack's own
requirements (``test_stack_venv.py``), checkov (``test_stacks_acme.py``: it pins
``packaging<24``, which the Pulumi SDK's ``packaging>=26`` excludes from the dev venv)."""

from __future__ import annotations

import fcntl
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
    target.parent.mkdir(parents=True, exist_ok=True)
    # One build per cache entry: under ``pytest -n 2`` both workers may ask at once (the two
    # stack-venv cases share their requirements); the second waits for the first's venv
    # instead of downloading and installing it again on the other core.
    with (target.parent / f"{target.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "bin" / "python").is_file():
            _build(target, lines)
    return target


def _build(target: Path, lines: list[str]) -> None:
    """Build the virtualenv beside ``target`` and rename it into place."""
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
    building.rename(target)
