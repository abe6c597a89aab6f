"""The shape of a lesson file, checked field by field so every error can name its key."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...]
    required: bool = True
    item: type | None = None  # element type of a list
    table: dict[str, Field] | None = None  # schema of a table, or of each table in a list of tables
    is_id: bool = False
    choices: tuple[Any, ...] = ()
    """The values allowed, for editors (JSON Schema `enum`); the loader checks them with messages of its own."""


SOURCE = {"title": Field(str), "url": Field(str)}
SECTION = {"title": Field(str), "body": Field(str)}
DISCUSSION = {
    "id": Field(str, is_id=True),
    "title": Field(str),
    "situation": Field(str),
    "points": Field(list, item=str),
    "hints": Field(list, required=False, item=str),
}
CHECK = {
    "id": Field(str, is_id=True),
    "check": Field(str),
    "description": Field(str),
    "hint": Field(str),
    "ladder": Field(list, required=False, item=str),
    "params": Field(dict, required=False),
}
EXERCISE = {
    "id": Field(str, is_id=True),
    "title": Field(str),
    "brief": Field(str),
    "starter": Field(str),
    "entry": Field(str),
    "scenario": Field(str),
    "timeout": Field((int, float), required=False),
    "hints": Field(list, required=False, item=str),
    "checks": Field(list, table=CHECK),
}
LESSON = {
    "id": Field(str, is_id=True),
    "title": Field(str),
    "order": Field(int),
    "summary": Field(str),
    "key_points": Field(list, item=str),
    "sources": Field(list, table=SOURCE),
    "sections": Field(list, table=SECTION),
    "discussions": Field(list, table=DISCUSSION),
    "exercises": Field(list, required=False, table=EXERCISE),
}

_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", list: "an array",
               dict: "a table", bool: "true or false"}


def type_name(kind: type | tuple[type, ...]) -> str:
    if isinstance(kind, tuple):
        return "a number" if set(kind) == {int, float} else " or ".join(map(type_name, kind))
    return _TYPE_NAMES.get(kind, kind.__name__)


def value_type_name(value: Any) -> str:
    return type_name(type(value))


def did_you_mean(name: str, choices: list[str] | set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def check_table(data: dict[str, Any], schema: dict[str, Field], path: str) -> list[tuple[str, str]]:
    """Errors as (key path, message); values of the right shape are left for later checks."""
    errors: list[tuple[str, str]] = []
    prefix = f"{path}." if path else ""
    for key in data:
        if key not in schema:
            errors.append((f"{prefix}{key}", f"unknown key{did_you_mean(key, set(schema))}"))
    for key, spec in schema.items():
        where = f"{prefix}{key}"
        if key not in data:
            if spec.required:
                errors.append((path or key, f"missing required key '{key}'"))
            continue
        value = data[key]
        if not _is(value, spec.kind):
            errors.append((where, f"expected {type_name(spec.kind)}, got {value_type_name(value)}"))
            continue
        if spec.is_id and not ID_PATTERN.match(value):
            errors.append((where, f"'{value}' is not a valid id (lowercase letters, digits and '-')"))
        if isinstance(value, str) and not value.strip():
            errors.append((where, "must not be empty"))
        if isinstance(value, dict) and spec.table is not None:
            errors.extend(check_table(value, spec.table, where))
        if isinstance(value, list):
            if spec.required and not value:
                errors.append((where, "must not be empty"))
            for i, element in enumerate(value):
                if spec.item is not None and not _is(element, spec.item):
                    errors.append((f"{where}[{i}]", f"expected {type_name(spec.item)}, got {value_type_name(element)}"))
                if spec.table is not None:
                    if not isinstance(element, dict):
                        errors.append((f"{where}[{i}]", f"expected a table, got {value_type_name(element)}"))
                    else:
                        errors.extend(check_table(element, spec.table, f"{where}[{i}]"))
    return errors


def _is(value: Any, kind: type | tuple[type, ...]) -> bool:
    if isinstance(value, bool):  # bool is an int in Python, never in TOML
        return kind is bool or (isinstance(kind, tuple) and bool in kind)
    return isinstance(value, kind)
