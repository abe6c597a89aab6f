"""Plain data for the course, shared by the CLI, the app, the grader and the coach."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Section:
    title: str
    body: str
    """Markdown; fenced code blocks are highlighted by the reader."""


@dataclass(frozen=True)
class Discussion:
    """A situation to talk through with the coach, and the points a good answer reaches."""

    id: str
    title: str
    situation: str
    points: tuple[str, ...]
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckItem:
    """One checklist line: a named check from the library, with its parameters."""

    id: str
    check: str
    description: str
    hint: str
    """The last, most telling step of the hint ladder (near-code)."""
    params: dict[str, Any] = field(default_factory=dict)
    ladder: tuple[str, ...] = ()
    """Earlier hint steps (a nudge, then a pointer), revealed on demand before `hint`."""


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    brief: str
    starter: Path
    entry: str
    scenario: str
    checks: tuple[CheckItem, ...]
    lesson_id: str
    timeout_s: float = 10.0
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    order: int
    summary: str
    sections: tuple[Section, ...]
    key_points: tuple[str, ...]
    sources: tuple[Source, ...]
    discussions: tuple[Discussion, ...]
    exercises: tuple[Exercise, ...]
    file: Path


def display_path(path: Path) -> str:
    """A path as a person would type it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path) if path.is_absolute() and not os.path.relpath(
            path
        ).startswith("..") else str(path)
    except ValueError:  # a different drive on Windows
        return str(path)


@dataclass(frozen=True)
class LocatedError:
    """A problem in a lesson or scenario file, located by file, line and key path."""

    file: Path
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = display_path(self.file)
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
