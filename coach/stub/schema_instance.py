"""A small valid instance of a JSON Schema: the `input` of a generated tool call, a structured answer.

No well-kept Python library generates instances without a random search (hypothesis-jsonschema
needs Hypothesis and explores); the stub wants one deterministic, minimal instance, so this covers
the subset tool schemas and structured-output schemas use: type (and type lists), properties and
required, items, enum, const, anyOf/oneOf/allOf, $ref into $defs/definitions, string length and
formats, numeric bounds, array lengths. Tests hold every instance to the `jsonschema` validator.
"""

from __future__ import annotations

import math
from typing import Any

FORMATS = {
    "date-time": "2026-01-01T00:00:00Z", "date": "2026-01-01", "time": "00:00:00Z", "email": "user@example.com",
    "uri": "https://example.com/", "url": "https://example.com/", "uuid": "00000000-0000-4000-8000-000000000000",
    "hostname": "example.com", "ipv4": "192.0.2.1", "ipv6": "2001:db8::1", "duration": "PT1S",
}
MAX_DEPTH = 32


def instance_of(schema: Any, root: Any = None, depth: int = 0) -> Any:
    """A minimal value valid against `schema` (required properties only; the first choice of any union)."""
    root = schema if root is None else root
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return {}
    if "$ref" in schema:
        return instance_of(_resolve(schema["$ref"], root), root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return instance_of(schema[key][0], root, depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            part = _resolve(part["$ref"], root) if isinstance(part, dict) and "$ref" in part else part
            merged = _merge(merged, part)
        return instance_of(_merge(merged, {k: v for k, v in schema.items() if k != "allOf"}), root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    return _of_type(kind, schema, root, depth)


def _of_type(kind: str, schema: dict[str, Any], root: Any, depth: int) -> Any:
    if kind == "object":
        properties = schema.get("properties") or {}
        return {name: instance_of(properties.get(name, {}), root, depth + 1)
                for name in schema.get("required") or []}
    if kind == "array":
        count = max(int(schema.get("minItems", 0)), 1 if schema.get("prefixItems") else 0)
        prefix = schema.get("prefixItems") or []
        items = schema.get("items", {})
        return [instance_of(prefix[i] if i < len(prefix) else items, root, depth + 1) for i in range(count)]
    if kind == "string":
        if schema.get("format") in FORMATS:
            return FORMATS[schema["format"]]
        return "x" * max(int(schema.get("minLength", 1)), 1) if schema.get("maxLength", 1) else ""
    if kind in ("integer", "number"):
        return _number(schema, kind == "integer")
    if kind == "boolean":
        return False
    return None


def _number(schema: dict[str, Any], integer: bool) -> int | float:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    value: float = 0
    if low is not None:
        value = low + (1 if "minimum" not in schema and integer else 0)
        if "minimum" not in schema and not integer:
            value = low + (((high - low) / 2) if high is not None else 1)
    elif high is not None:
        value = min(0, high - (1 if "maximum" not in schema else 0))
    multiple = schema.get("multipleOf")
    if multiple:
        value = math.ceil(value / multiple) * multiple
    return math.ceil(value) if integer else value


def _resolve(ref: str, root: Any) -> Any:
    node = root
    for part in ref.removeprefix("#").strip("/").split("/"):
        if not part:
            continue
        node = node.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(node, dict) else {}
    return node


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = {**a, **b}
    if "properties" in a or "properties" in b:
        out["properties"] = {**a.get("properties", {}), **b.get("properties", {})}
    if "required" in a or "required" in b:
        first = a.get("required", [])
        out["required"] = [*first, *[r for r in b.get("required", []) if r not in first]]
    return out
