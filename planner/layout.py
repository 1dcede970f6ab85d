"""The planning folder's file names: one definition for the loader, the policy engine, SARIF
locations, the classifier's calibration and the project scaffold."""

from __future__ import annotations

INVENTORY = "inventory.yaml"
SITES = "sites.yaml"
POLICIES = "policies.yaml"
PROJECT = "project.yaml"
TELEMETRY_DIR = "telemetry"
