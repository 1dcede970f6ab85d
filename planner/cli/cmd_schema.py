"""``hybridplan schema``: print a JSON Schema of the planning-project files (for editors)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from planner.cli.common import Ending, guarded
from planner.load import SCHEMA_KINDS, schema_for


def register(app: typer.Typer) -> None:
    @app.command("schema")
    @guarded
    def schema_cmd(
        kind: Annotated[
            str,
            typer.Argument(
                help=f"Which schema (case-insensitive): {', '.join(SCHEMA_KINDS)}.",
                show_default=False,
            ),
        ],
    ) -> Ending:
        """Print the JSON Schema (draft 2020-12) of one planning-project file kind, e.g. to
        point yaml-language-server at it. Exits 2 for an unknown kind.

        Example: hybridplan schema inventory > inventory.schema.json
        """
        typer.echo(json.dumps(schema_for(kind), indent=2, ensure_ascii=False))
        return None
