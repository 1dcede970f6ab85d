"""The input boundary: a planning folder -> JSON Schema validation -> cross-references ->
a validated, frozen ``Project``.

``load_project`` reads ``inventory.yaml`` and ``sites.yaml`` (required), ``policies.yaml``
and ``project.yaml`` (optional), lists ``telemetry/`` and digests every input file. It
collects every problem in every file in one pass - YAML syntax, duplicate keys, schema
violations (translated into plain language, with did-you-mean suggestions), invalid names
and broken references - and raises one ``InputError`` carrying all of them, each located as
``file:line:column`` with its field path and a ``To fix:``.

The schemas ship in ``planner/schemas/`` and are published by ``hybridplan schema KIND``.

Modules, in the order a load runs them:

- ``yamlpos``: YAML text -> plain data plus the line and column of every value and key
  (``yamlbuild`` turns libyaml's events, made light by ``yamlevents``, into both,
  ``yamlcore`` resolves scalars under the YAML 1.2 core schema);
- ``files``: the folder's layout, reading and digesting each file, listing ``telemetry/``;
- ``schemas``: the packaged JSON Schemas and a cached validator per kind;
- ``schema_problems``: schema errors -> located problems in plain language with a fix;
- ``references``: duplicates and references across entries and files;
- ``build``: validated dicts -> model objects;
- ``billing``: the ``billing:`` section of project.yaml -> ``BillingSpec`` and its export files;
- ``project``: ``load_project``, which runs the above and raises or returns.
"""

from planner.layout import INVENTORY, POLICIES, PROJECT, SITES, TELEMETRY_DIR
from planner.load.billing import load_billing
from planner.load.project import load_project
from planner.load.schemas import SCHEMA_KINDS, schema_for

__all__ = [
    "INVENTORY",
    "POLICIES",
    "PROJECT",
    "SCHEMA_KINDS",
    "SITES",
    "TELEMETRY_DIR",
    "load_billing",
    "load_project",
    "schema_for",
]
