"""Run an emitted stack's ``__main__.py`` under Pulumi mocks with nothing but its own
requirements installed: copied into a clean virtualenv's working folder by
``test_stack_venv.py`` and run as ``python -I clean_venv_main.py PROJECT STACK REPORT``.

Standard library and ``pulumi`` only: hybridplan (``planner``, ``stacks``) must not be
importable here, which the script checks first.
"""

import importlib.util
import json
import os
import runpy
import sys

import pulumi
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await


class EchoMocks(pulumi.runtime.Mocks):
    """Echo inputs as outputs; record what was registered."""

    def __init__(self) -> None:
        self.records: list[dict[str, str]] = []

    def new_resource(self, args):  # type: ignore[no-untyped-def]
        self.records.append({"type": args.typ, "name": args.name})
        state = dict(args.inputs)
        if args.typ == "pulumi:pulumi:StackReference":
            # A MultiKueue manager reads its workers' outputs: unknown offline, as in
            # planner.preview's mocks (every output reads as missing).
            state["outputs"] = {}
        return f"{args.name}-id", state

    def call(self, args):  # type: ignore[no-untyped-def]
        return {}, []


def main() -> None:
    for leaked in ("planner", "stacks", "policies"):
        if importlib.util.find_spec(leaked) is not None:
            raise SystemExit(f"{leaked} is importable: the virtualenv is not clean")
    project, stack, report = sys.argv[1:4]
    mocks = EchoMocks()
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False)
    sys.path.insert(0, os.getcwd())
    _sync_await(run_pulumi_func(lambda: runpy.run_path("__main__.py", run_name="__main__")))
    with open(report, "w", encoding="utf-8") as fh:
        json.dump({"resources": mocks.records}, fh)


main()
