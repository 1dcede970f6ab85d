"""Run an emitted stack's ``__main__.py`` under Pulumi mocks with nothing but its own
requirements installed: copied into a clean virtualenv's working folder by
``test_stack_venv.py`` and run as ``python -I clean_venv_main.py PROJECT STACK REPORT``.

Standard library and ``pulumi`` only: hybridplan (``planner``, ``stacks``) must not be
importable here, which the script checks first. The test copies
``planner/preview/fake_cloud.py`` beside it as ``_fake_cloud.py``, so the stack sees the same
fake cloud (EKS cluster, AMI parameters, account) as hybridplan's own offline preview.
"""

import importlib.util
import json
import os
import runpy
import sys

import pulumi
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

# Copied beside this file by the test; ``-I`` keeps this folder off sys.path, so load it by path.
_spec = importlib.util.spec_from_file_location(
    "_fake_cloud", os.path.join(os.path.dirname(os.path.abspath(__file__)), "_fake_cloud.py")
)
assert _spec is not None
assert _spec.loader is not None
_fake_cloud = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fake_cloud)


class EchoMocks(pulumi.runtime.Mocks):
    """Answer as ``planner.preview.runner`` does (through ``_fake_cloud``); record what was
    registered."""

    def __init__(self) -> None:
        self.records: list[dict[str, str]] = []

    def new_resource(self, args):  # type: ignore[no-untyped-def]
        self.records.append({"type": args.typ, "name": args.name})
        return _fake_cloud.mock_id(args.name), _fake_cloud.resource_state(
            args.typ, args.name, dict(args.inputs)
        )

    def call(self, args):  # type: ignore[no-untyped-def]
        return _fake_cloud.invoke_result(args.token, dict(args.args)), []


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
