"""``hybridplan init``: a starter planning project and a GitHub Actions workflow, as text.

Pure: returns ``{relative path: text}`` or text; the CLI writes the files. Every YAML
document is built as data and dumped by a ``yaml.SafeDumper`` (no string templating of
values), behind a comment header that says what the file is and how to check it.

Modules: ``project`` (the planning-project files), ``workflow`` (the CI workflow),
``yamltext`` (the YAML style both use).
"""

from __future__ import annotations

from planner.scaffold.project import API_VERSION, README, scaffold_project
from planner.scaffold.workflow import (
    LOCATE_PACK_STEP,
    PULUMI_ACTION,
    STICKY_COMMENT_ACTION,
    UPLOAD_SARIF_ACTION,
    WORKFLOW_PATH,
    github_workflow,
)

__all__ = [
    "API_VERSION",
    "LOCATE_PACK_STEP",
    "PULUMI_ACTION",
    "README",
    "STICKY_COMMENT_ACTION",
    "UPLOAD_SARIF_ACTION",
    "WORKFLOW_PATH",
    "github_workflow",
    "scaffold_project",
]
