"""Line numbers for TOML key paths.

`tomllib` gives values but no positions, so this reads the same text once more and
records where each table header and key starts. It understands the TOML that lesson
files use: tables, arrays of tables, dotted keys and multi-line strings and arrays.
Anything it cannot place falls back to the nearest enclosing table.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")


def _split_key(text: str) -> list[str]:
    return [part.strip().strip("\"'") for part in re.split(r"\.(?=(?:[^\"']|\"[^\"]*\"|'[^']*')*$)", text)]


def _render(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def key_lines(text: str) -> dict[str, int]:
    """Map key paths such as `exercises[1].checks[0].check` to 1-based line numbers."""
    lines: dict[str, int] = {}
    counts: dict[str, int] = {}
    table: list[str | int] = []
    in_string: str | None = None
    depth = 0  # open brackets of a multi-line array or inline table
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string:
            if in_string in line:
                in_string = None
            continue
        if depth > 0:
            depth += _bracket_balance(line)
            continue
        header = _HEADER.match(line)
        if header:
            names = _split_key(header.group(2))
            table = _resolve(names, counts, table_array=header.group(1) == "[[")
            lines.setdefault(_render(table), number)
            continue
        key = _KEY.match(line)
        if not key:
            continue
        path = table + _split_key(key.group(1))
        lines.setdefault(_render(path), number)
        value = line[key.end():].strip()
        for quote in ('"""', "'''"):
            if value.startswith(quote) and value.count(quote) == 1:
                in_string = quote
        if not in_string and value[:1] in "[{":
            depth = _bracket_balance(value)
    return lines


def _resolve(names: list[str], counts: dict[str, int], *, table_array: bool) -> list[str | int]:
    """Turn a header's names into a concrete path, indexing arrays of tables as they grow."""
    path: list[str | int] = []
    for i, name in enumerate(names):
        path.append(name)
        prefix = _render(path)
        last = i == len(names) - 1
        if last and table_array:
            index = counts.get(prefix, -1) + 1
            counts[prefix] = index
            # a new element resets the counts of arrays nested inside the previous one
            for other in [k for k in counts if k.startswith(prefix + "[")]:
                del counts[other]
            path.append(index)
        elif prefix in counts:
            path.append(counts[prefix])
    return path


def _bracket_balance(text: str) -> int:
    text = re.sub(r"\"(?:\\.|[^\"\\])*\"|'[^']*'", "", text.split("#", 1)[0])
    return text.count("[") + text.count("{") - text.count("]") - text.count("}")


def line_of(lines: dict[str, int], key: str) -> int | None:
    """The line of `key`, or of the closest enclosing key that has one."""
    while key:
        if key in lines:
            return lines[key]
        cut = max(key.rfind("."), key.rfind("["))
        key = key[:cut] if cut > 0 else ""
    return None
