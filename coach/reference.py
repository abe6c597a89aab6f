"""An exercise's reference solution, shown to the learner once they have passed.

It lives beside the starter (`exercises/<id>/reference.py`), so it ships in the wheel with the
starters and an instructor adds one for their own exercise the same way. Its docstring's
"Why it is written this way" paragraph is the note shown above the comparison.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass
from pathlib import Path

from coach.curriculum.model import Exercise

REFERENCE_NAME = "reference.py"
NOTE_HEADING = "Why it is written this way:"


@dataclass(frozen=True)
class Reference:
    file: Path
    code: str
    note: str
    """Why the reference is written the way it is; empty when its author gave no note."""


def reference_file(exercise: Exercise) -> Path:
    return exercise.starter.with_name(REFERENCE_NAME)


def load_reference(exercise: Exercise) -> Reference | None:
    """The exercise's reference, or None when it has none (or it cannot be read)."""
    file = reference_file(exercise)
    try:
        code = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return Reference(file, code, reference_note(code))


def reference_note(code: str) -> str:
    """The paragraphs after NOTE_HEADING in the module docstring."""
    try:
        docstring = ast.get_docstring(ast.parse(code)) or ""
    except SyntaxError:
        return ""
    _, found, note = docstring.partition(NOTE_HEADING)
    return " ".join(note.split()) if found else ""


def reference_diff(mine: str, reference: str, mine_name: str = "yours", reference_name: str = "reference") -> str:
    """A unified diff from the learner's file to the reference: what the reference does differently."""
    lines = difflib.unified_diff(mine.splitlines(keepends=True), reference.splitlines(keepends=True),
                                 fromfile=mine_name, tofile=reference_name, n=2)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
