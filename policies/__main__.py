"""Entry point of the CrossGuard policy pack: constructs the PolicyPack, nothing else.

Constructing ``PolicyPack`` starts the analyzer's gRPC server and blocks, so the policies
are built in ``policies/crossguard.py`` (importable and tested) and only assembled here.
"""

import sys
from pathlib import Path

# Pulumi runs this file from the pack folder: make the repository (planner, policies)
# importable without installing hybridplan into the pack's virtualenv.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.crossguard import PACK_NAME, build_policies

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=build_policies(),
)
