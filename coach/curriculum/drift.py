"""Model drift: lesson code and starters that name a model the catalogue says is no longer current.

Models age out on a schedule (legacy, then deprecated with a date, then retired and answering 404),
so a course written against one lineup quietly teaches a dead id a year later. This reads lesson
files line by line and starter files whole, finds `claude-*` ids, and judges each against the model
catalogue (coach/catalogue.py):

- in code (a fenced block in a lesson, any line of a starter): a legacy, deprecated or retired id is
  a warning naming its status, date and successor;
- anywhere: an id the catalogue does not know is an error (a typo, or a model newer than the table);
  in prose only ids that name a model family count, so a word like `claude-powered` is left alone.

Prose outside code may name older models on purpose (a lesson about the model lifecycle), so a
known id there is never flagged. Code that must name an old id (an exercise about a retired model)
says so on the line with `ALLOW_MARKER`; the id must still be in the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from coach import catalogue
from coach.curriculum.model import display_path

MODEL_ID = re.compile(r"(?<![\w.-])claude-[a-z0-9]+(?:-[a-z0-9]+)*(?:@\d{8}|\[\w+\])?(?![\w-])")
"""A model id as code spells it; prose words such as `claude-api` or `claude-code` are filtered below."""
NOT_MODELS = frozenset({"claude-api", "claude-code", "claude-ai", "claude-sdk", "claude-platform", "claude-cli"})
_FENCE = re.compile(r"^\s*(```|~~~)")
ALLOW_MARKER = "coach-lint: old model on purpose"
"""A comment on a line of code that names a legacy, deprecated or retired id deliberately."""

Severity = Literal["warning", "error"]


@dataclass(frozen=True)
class DriftFinding:
    """One model id in one place, and why it needs attention."""

    file: Path
    line: int
    model_id: str
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.file)}:{self.line}: {self.severity}: {self.message}"


def _judge(model_id: str, in_code: bool, table: catalogue.Catalogue) -> tuple[Severity, str] | None:
    row = table.find(model_id)
    if row is None:
        if model_id in NOT_MODELS or (table.family_of(model_id) is None and not in_code):
            return None
        return "error", (f"unknown model '{model_id}': not in the model catalogue ({display_path(table.file)}, "
                         f"as of {table.as_of})")
    if not in_code or row.status == "current":
        return None
    successor = table.successor_of(row.id)
    instead = f"; use {successor.id}" if successor is not None else ""
    return "warning", f"model '{model_id}' is {row.lifecycle}{instead}"


def scan_lines(file: Path, lines: Iterable[str], *, all_code: bool,
               table: catalogue.Catalogue | None = None) -> list[DriftFinding]:
    """Findings for every model id in `lines`; `all_code` treats every line as code (a starter)."""
    table = table or catalogue.load()
    findings: list[DriftFinding] = []
    in_fence = False
    for number, line in enumerate(lines, start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        in_code = (all_code or in_fence) and ALLOW_MARKER not in line
        for match in MODEL_ID.finditer(line):
            verdict = _judge(match.group(0), in_code, table)
            if verdict is not None:
                findings.append(DriftFinding(file, number, match.group(0), *verdict))
    return findings


def scan_file(file: Path, *, all_code: bool, table: catalogue.Catalogue | None = None) -> list[DriftFinding]:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []  # the lesson loader already reports unreadable files with their location
    return scan_lines(file, text.splitlines(), all_code=all_code, table=table)


def model_drift(lesson_files: Iterable[Path], starters: Iterable[Path],
                table: catalogue.Catalogue | None = None) -> list[DriftFinding]:
    """Drift in lesson files (code blocks) and starter files (all of them), each file once."""
    table = table or catalogue.load()
    findings: list[DriftFinding] = []
    for file in dict.fromkeys(lesson_files):
        findings += scan_file(file, all_code=False, table=table)
    for file in dict.fromkeys(starters):
        findings += scan_file(file, all_code=True, table=table)
    return findings
