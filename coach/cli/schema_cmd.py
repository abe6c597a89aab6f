"""`coach schema lesson|scenario`: JSON Schema of a file format, for editors that validate TOML as you type."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "schema", help="print the JSON Schema of lesson or scenario files",
        description="Print the JSON Schema of a lesson or scenario file, generated from the rules `coach lint` "
        "applies. Point an editor's TOML language server at it with a `#:schema PATH` first line "
        "(`coach new lesson` writes one). `coach lint` still checks what a schema cannot: checks, scenarios, "
        "starters and value ranges.",
    )
    p.add_argument("kind", choices=("lesson", "scenario"), help="which file format")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of printing")
    p.set_defaults(handler=run_schema)


def schema_for(kind: str) -> dict[str, Any]:
    from coach.curriculum.editor_schema import json_schema, lesson_schema

    if kind == "lesson":
        return lesson_schema()
    from coach.stub.scenario import SCENARIO

    return json_schema(SCENARIO, title="coach scenario",
                       description="A coach stub scenario file (docs/scenarios.md).")


def run_schema(args: argparse.Namespace) -> int:
    text = json.dumps(schema_for(args.kind), indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"coach schema: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
