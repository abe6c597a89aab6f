"""JSON Schema for editors, generated from the same field tables the loaders validate with.

A TOML language server (Taplo, and editors built on it such as Even Better TOML) reads a
`#:schema PATH` comment at the top of a file and then completes keys and marks mistakes as the
instructor types. The schema comes from `coach.curriculum.schema.Field` tables, so it cannot
drift from what `coach lint` accepts; lint still has the last word (references to checks and
scenarios, value ranges, starter files), which no static schema can know.
"""

from __future__ import annotations

from typing import Any

from coach.curriculum.schema import ID_PATTERN, LESSON, Field

DRAFT = "http://json-schema.org/draft-04/schema#"
"""Draft 4: the newest draft Taplo supports, and a subset of the later ones."""

_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", list: "array", dict: "object"}


def json_schema(fields: dict[str, Field], *, title: str, description: str) -> dict[str, Any]:
    return {"$schema": DRAFT, "title": title, "description": description, **_object(fields)}


def lesson_schema() -> dict[str, Any]:
    return json_schema(LESSON, title="coach lesson", description="A coach lesson file (docs/authoring.md).")


def _object(fields: dict[str, Field]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": {name: _field(field) for name, field in fields.items()},
        "additionalProperties": False,
    }
    required = [name for name, field in fields.items() if field.required]
    if required:  # draft 4 wants at least one name in `required`
        out["required"] = required
    return out


def _types(kind: type | tuple[type, ...]) -> str | list[str]:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = ["number"] if set(kinds) == {int, float} else [_JSON_TYPES[k] for k in kinds]
    return names[0] if len(names) == 1 else names


def _field(field: Field) -> dict[str, Any]:
    if field.kind is dict and field.table is not None:
        return _object(field.table)
    out: dict[str, Any] = {"type": _types(field.kind)}
    if field.kind is list:
        if field.table is not None:
            out["items"] = _object(field.table)
        elif field.item is not None:
            out["items"] = {"type": _types(field.item)}
        if field.required:
            out["minItems"] = 1
    if field.kind is str:
        out["minLength"] = 1
    if field.is_id:
        out["pattern"] = ID_PATTERN.pattern
    if field.choices:
        out["enum"] = list(field.choices)
    return out
