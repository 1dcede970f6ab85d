"""Import every module alone, all in one interpreter (catches import cycles).

A module that imports only after another one has (an import cycle entered from the wrong
side, a missing import another module happened to make) fails here. Each module is
imported with none of the checked packages loaded: between imports every module of those
packages is dropped from ``sys.modules``; third-party modules stay loaded, which keeps
the whole check to one interpreter and a few seconds instead of one interpreter each.
Most of an import's time is ``dataclasses`` compiling the methods it generates (the same
source text for a class at every import); the checker compiles each text once and runs
the compiled code as ``exec`` would run the text (``_compile_dataclass_methods_once``).

``failing_imports(modules, cwd=...)`` runs this file as a script in a fresh interpreter
(``python tests/import_check.py MODULE...``, which prints one JSON object, the failing
modules with their errors) and returns that mapping; ``modules_in(root, packages)`` lists
the modules of packages found in the tree, so new ones are checked without a list to edit.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import subprocess
import sys
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import CodeType
from typing import Any


def modules_in(root: Path, packages: Iterable[str], *, skip: Iterable[str] = ()) -> list[str]:
    """Every module (``pkg.sub.mod``, packages as ``pkg.sub``) under ``root/<package>``,
    sorted, except those named in ``skip``."""
    skipped = set(skip)
    names = {
        ".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for pkg in packages
        for p in (root / pkg).rglob("*.py")
    }
    return sorted(names - skipped)


def failing_imports(modules: Sequence[str], *, cwd: Path) -> dict[str, str]:
    """The modules that fail to import alone, with their errors, checked in one fresh
    interpreter whose ``sys.path`` starts with ``cwd`` (as ``python -c`` would)."""
    proc = subprocess.run(
        [sys.executable, __file__, *modules],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"<import check>": f"exit {proc.returncode}\n{proc.stdout}{proc.stderr}"}
    result = json.loads(lines[-1])
    assert isinstance(result, dict)
    return result


def _import_each_alone(modules: Sequence[str]) -> dict[str, str]:
    """In this interpreter: import each module with no module of the checked packages
    loaded; the error (last frames of its traceback) of each that fails.

    Importing ``pkg.mod`` alone first imports ``pkg`` alone (its ``__init__`` runs whole);
    if that already loaded ``pkg.mod``, importing it alone would repeat exactly those
    steps, so it passes without a second import. ``modules`` sorted puts parents first."""
    tops = {m.split(".")[0] for m in modules}
    loaded_alone: dict[str, frozenset[str]] = {}
    failures: dict[str, str] = {}
    for module in modules:
        parent = module.rpartition(".")[0]
        if module in loaded_alone.get(parent, frozenset()):
            loaded_alone[module] = loaded_alone[parent]
            continue
        for name in [n for n in sys.modules if n.split(".")[0] in tops]:
            del sys.modules[name]
        try:
            importlib.import_module(module)
        except BaseException as exc:  # SystemExit or KeyboardInterrupt at import fail it too
            failures[module] = "".join(traceback.format_exception(exc, limit=-3)).strip()
        else:
            loaded_alone[module] = frozenset(sys.modules)
    return failures


def _compile_dataclass_methods_once() -> None:
    """Make ``dataclasses`` execute each generated source text from one compiled code
    object: ``exec(text, globals, locals)`` runs ``compile(text)`` (no ``__future__``
    flags: dataclasses.py has none) with the same globals and locals, so the methods are
    the ones it would build, only not compiled again at every import of their class."""
    compiled: dict[str, CodeType] = {}

    def exec_compiled_once(source: object, *args: Any) -> None:
        if isinstance(source, str):
            code = compiled.get(source)
            if code is None:
                code = compiled[source] = compile(source, "<string>", "exec", dont_inherit=True)
            source = code
        exec(source, *args)

    dataclasses.exec = exec_compiled_once  # type: ignore[attr-defined]


if __name__ == "__main__":
    _compile_dataclass_methods_once()
    sys.path[0] = os.getcwd()  # as ``python -c``: the working folder, not tests/
    print(json.dumps(_import_each_alone(sys.argv[1:]), sort_keys=True))
