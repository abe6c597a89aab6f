"""Read a TOML file's bytes into data, turning every way it can fail into a located problem.

Lessons, scenarios and progress are files people edit, copy and damage. Whatever the bytes
are (not UTF-8, not TOML, nested deeper than the parser can follow, `inf` or `nan` where a
number belongs), the reader says where, by line, and never lets an exception through.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from typing import Any

NESTING_LIMIT = 100
"""Arrays and inline tables nested deeper than this are reported; no course file needs more than a few."""


@dataclass(frozen=True)
class TomlProblem:
    line: int | None
    message: str


class TomlFileError(Exception):
    def __init__(self, problem: TomlProblem) -> None:
        self.problem = problem
        super().__init__(problem.message)


def parse_toml(raw: bytes) -> tuple[dict[str, Any], str]:
    """The data and the text it was read from; raises TomlFileError."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = line_and_column(raw, exc.start)
        raise TomlFileError(TomlProblem(line, f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at column {column} "
                                              "(TOML files must be UTF-8)")) from None
    deep = too_deep_at(raw)
    if deep is not None:
        raise TomlFileError(TomlProblem(line_and_column(raw, deep)[0],
                                        f"arrays or tables nested more than {NESTING_LIMIT} deep")) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        raise TomlFileError(TomlProblem(int(match.group(1)) if match else None, f"invalid TOML: {exc}")) from None
    except RecursionError:  # a shape the nesting scan did not foresee
        raise TomlFileError(TomlProblem(None, "nested too deeply to read")) from None
    return data, text


def line_and_column(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of a byte offset."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, offset - line_start + 1


def too_deep_at(raw: bytes) -> int | None:
    """The offset where brackets outside strings and comments first nest past NESTING_LIMIT."""
    if raw.count(b"[") + raw.count(b"{") <= NESTING_LIMIT:
        return None  # cannot be too deep: skip the scan for ordinary files
    depth, i, n = 0, 0, len(raw)
    while i < n:
        c = raw[i]
        if c == 0x23:  # '#': comment to end of line
            end = raw.find(b"\n", i)
            i = n if end < 0 else end
        elif c in (0x22, 0x27):  # '"' or "'"
            i = _string_end(raw, i)
        elif c in (0x5B, 0x7B):  # '[' '{'
            depth += 1
            if depth > NESTING_LIMIT:
                return i
        elif c in (0x5D, 0x7D):  # ']' '}'
            depth = max(depth - 1, 0)
        i += 1
    return None


def _string_end(raw: bytes, start: int) -> int:
    """Offset of the last byte of the string starting at `start` (basic, literal or multi-line)."""
    quote = raw[start:start + 1]
    if raw[start:start + 3] == quote * 3:
        end = raw.find(quote * 3, start + 3)
        return len(raw) if end < 0 else end + 2
    i = start + 1
    while i < len(raw):
        c = raw[i:i + 1]
        if c == b"\\" and quote == b'"':
            i += 2
            continue
        if c == quote or c == b"\n":
            return i
        i += 1
    return len(raw)


def non_finite_keys(data: dict[str, Any]) -> list[str]:
    """Key paths (as `exercises[0].timeout`) whose value is inf or nan: TOML allows them, coach never wants them."""
    found: list[str] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            found.append(path)
        elif isinstance(value, dict):
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(value))
    return sorted(found)
