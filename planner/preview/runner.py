"""Child process of the offline preview: run one stack's ``__main__.py`` under Pulumi mocks.

Run as ``python -m planner.preview.runner STACK_DIR PROJECT STACK REPORT_JSON CONFIG_JSON``;
``CONFIG_JSON`` holds the stack config as the Pulumi CLI passes it (``{"PULUMI_CONFIG": ...,
"PULUMI_CONFIG_SECRET_KEYS": ...}``), which the runner sets in its own environment before the
program runs (a file, because ``execve`` caps one environment variable at 128 KiB). Writes
one JSON document to ``REPORT_JSON`` (stdout belongs to the program): every registered
resource (URN, type, logical name, parent URN, custom or component, inputs in camelCase
with secrets replaced by ``"[secret]"``, its ``ignore_changes``), the URNs registered more
than once, and the program's error if it failed.

This is the only planner module that imports Pulumi; it runs in its own process because
Pulumi's runtime state leaks between runs in one interpreter, and newer Pythons need a fresh
event loop per run. The parent is :func:`planner.preview.run.run_preview`.

How the mocks differ from a real run (Pulumi Python SDK, ``pulumi.runtime.set_mocks``):
integers arrive as floats (normalised back here); with ``preview=False`` missing outputs are
``None``; there is no auto-naming and no provider default; duplicate URNs are not rejected
(recorded here instead); secret inputs arrive wrapped with the plaintext inside (masked
here); transforms are not run.
"""

from __future__ import annotations

import json
import os
import resource
import runpy
import sys
import threading
import traceback
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from planner.preview.fake_cloud import invoke_result, mock_id, resource_state
from planner.preview.result import CPU_LIMIT_ENV, REDACTED


def _mask(value: Any) -> Any:
    """The shape of a secret without its content: strings become ``"[secret]"``, numbers
    0, booleans False; mappings keep their keys (so schema validation still applies)."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return _mask(value.get("value"))
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v) for v in value]
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return 0
    if value is None:
        return None
    return REDACTED


def redact(value: Any) -> Any:
    """Replace every Pulumi secret (the mock monitor hands them over wrapped, plaintext
    inside) with its mask (see ``_mask``); normalise integral floats to ints."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return _mask(value.get("value"))
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return repr(value)


class OfflineMocks(pulumi.runtime.Mocks):
    """Echo inputs as outputs, add the ids and ARNs that programs read back, and answer
    the few lookups the ``stacks`` components make with fixed, obviously fake values."""

    def __init__(self, monitor: RecordingMonitor | None = None) -> None:
        self.monitor = monitor

    def new_resource(
        self, args: pulumi_mocks.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        if self.monitor is not None:
            self.monitor.record_inputs(args.typ, args.name, args.inputs)
        return mock_id(args.name), resource_state(args.typ, args.name, dict(args.inputs))

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return invoke_result(args.token, dict(args.args)), []


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, recording each registration with its parent and flagging URNs
    registered twice (the real engine rejects those; the mock silently overwrites)."""

    def __init__(self, mocks: OfflineMocks) -> None:
        super().__init__(mocks)
        self.records: list[dict[str, Any]] = []
        self.duplicates: list[str] = []
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self._current: dict[str, Any] | None = None

    def record_inputs(self, typ: str, name: str, inputs: dict[str, Any]) -> None:
        """Keep the inputs of the resource being registered (a read, such as a
        StackReference, runs outside ``RegisterResource`` and must not overwrite them)."""
        current = self._current
        if current is not None and (current["type"], current["name"]) == (typ, name):
            current["inputs"] = redact(inputs)

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        with self._lock:
            urn = self.make_urn(request.parent, request.type, request.name)
            if request.type == "pulumi:pulumi:Stack":
                return super().RegisterResource(request)
            if urn in self._seen:
                self.duplicates.append(urn)
            self._seen.add(urn)
            record: dict[str, Any] = {
                "urn": urn,
                "type": request.type,
                "name": request.name,
                "parent": request.parent,
                "custom": bool(request.custom),
                "provider": request.provider,
                "inputs": {},
                "ignore_changes": sorted(request.ignoreChanges),
                "retain_on_delete": bool(request.retainOnDelete),
                "replace_on_changes": sorted(request.replaceOnChanges),
            }
            self._current = record
            try:
                return super().RegisterResource(request)
            finally:
                self._current = None
                self.records.append(record)


def _run_main() -> None:
    runpy.run_path("__main__.py", run_name="__main__")


def run(stack_dir: str, project: str, stack: str) -> dict[str, Any]:
    """Run the program and return the report (see the module docstring)."""
    mocks = OfflineMocks()
    monitor = RecordingMonitor(mocks)
    mocks.monitor = monitor
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
    os.chdir(stack_dir)
    sys.path.insert(0, stack_dir)
    error: str | None = None
    try:
        _sync_await(run_pulumi_func(_run_main))
    except Exception as exc:
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        # The full traceback helps with a broken component; no locals, so no secrets.
        sys.stderr.write(traceback.format_exc())
    return {"resources": monitor.records, "duplicates": monitor.duplicates, "error": error}


def main(argv: list[str]) -> int:
    if len(argv) != 5:
        sys.stderr.write(
            "usage: python -m planner.preview.runner STACK_DIR PROJECT STACK REPORT_JSON "
            "CONFIG_JSON\n"
        )
        return 2
    stack_dir, project, stack, report_path, config_path = argv
    cpu_s = os.environ.pop(CPU_LIMIT_ENV, "")
    if cpu_s:  # SIGXCPU (the parent reports a timeout) at the limit, SIGKILL 10 s later
        resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_s), int(cpu_s) + 10))
    report_path = os.path.abspath(report_path)
    with open(config_path, encoding="utf-8") as fh:
        os.environ.update({str(k): str(v) for k, v in json.load(fh).items()})
    report = run(stack_dir, project, stack)
    with open(report_path, "w", encoding="utf-8") as fh:
        json.dump(report, fh, sort_keys=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
