"""Skeletons for instructors: a lesson file and an exercise, valid as written.

Files are produced with tomli-w from plain data, never from string templates, so
what is written is always well-formed TOML that the loader accepts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tomli_w

from coach import catalogue, paths
from coach.curriculum.editor_schema import lesson_schema
from coach.curriculum.load import default_lesson_dirs, lesson_files
from coach.curriculum.schema import ID_PATTERN
from coach.tomlfile import TomlFileError, parse_toml

LESSON_SCHEMA_FILE = "lesson.schema.json"
"""Written beside the lessons by `coach new lesson`; each new lesson's first line points at it."""

STARTER = '''"""{title}: starter code.

`main()` is the entry point the grader calls; the sandbox points `anthropic.Anthropic()`
at the local stub, so no key or network is needed.
"""

import anthropic


def main() -> str:
    client = anthropic.Anthropic()
    message = client.messages.create(
        model="{model}",
        max_tokens=256,
        messages=[{{"role": "user", "content": "Say hello."}}],
    )
    # A current model may think before it answers: take the text blocks, not content[0].
    return "".join(block.text for block in message.content if block.type == "text")


if __name__ == "__main__":
    print(main())
'''


class ScaffoldError(Exception):
    """Why a skeleton could not be written, in words for the instructor."""


def lesson_skeleton(lesson_id: str, title: str) -> dict[str, Any]:
    return {
        "id": lesson_id,
        "title": title,
        "order": 100,
        "summary": "One or two sentences: what the learner can do after this lesson.",
        "key_points": ["The one thing to remember from this lesson."],
        "sources": [{"title": "Claude API documentation", "url": "https://platform.claude.com/docs/en/api/overview"}],
        "sections": [{
            "title": "First section",
            "body": "Markdown. Fenced code blocks are highlighted:\n\n```python\n"
                    "import anthropic\n\nclient = anthropic.Anthropic()\n```\n",
        }],
        "discussions": [{
            "id": f"{lesson_id}-discussion",
            "title": "A situation to talk through",
            "situation": "Describe a production situation the learner should reason about.",
            "points": ["A point a good answer reaches."],
            "hints": ["A question that nudges the learner toward that point."],
        }],
    }


def exercise_skeleton(exercise_id: str, title: str) -> dict[str, Any]:
    return {
        "id": exercise_id,
        "title": title,
        "brief": "What the learner's `main()` must do, and under which faults.",
        "starter": f"{exercise_id}/starter.py",
        "entry": "main",
        "scenario": "healthy",
        "hints": ["A hint the offline coach can give."],
        "checks": [{
            "id": "runs",
            "check": "exits_cleanly",
            "description": "The program finishes without an unhandled exception.",
            "hint": "Read the traceback in the program's output.",
        }],
    }


def _check_id(value: str, what: str) -> None:
    if not ID_PATTERN.match(value):
        raise ScaffoldError(f"'{value}' is not a valid {what} id: use lowercase letters, digits and '-'")


def _find_lesson(lesson_id: str) -> Path | None:
    for file in lesson_files(default_lesson_dirs()):
        try:
            data, _ = parse_toml(file.read_bytes())
        except (OSError, TomlFileError):
            continue
        if data.get("id") == lesson_id:
            return file
    return None


def new_lesson(lesson_id: str, title: str, lessons_dir: Path) -> Path:
    _check_id(lesson_id, "lesson")
    if not title.strip():
        raise ScaffoldError("the title must not be empty")
    if _find_lesson(lesson_id) is not None:
        raise ScaffoldError(f"a lesson with id '{lesson_id}' already exists")
    file = lessons_dir / f"{lesson_id}.toml"
    if file.exists():
        raise ScaffoldError(f"{file} already exists")
    lessons_dir.mkdir(parents=True, exist_ok=True)
    write_lesson_schema(lessons_dir)
    file.write_text(f"#:schema ./{LESSON_SCHEMA_FILE}\n\n"
                    + tomli_w.dumps(lesson_skeleton(lesson_id, title), multiline_strings=True), encoding="utf-8")
    return file


def write_lesson_schema(lessons_dir: Path) -> Path:
    """The lesson JSON Schema beside the lessons, for the `#:schema` line; rewritten so it matches this coach."""
    file = lessons_dir / LESSON_SCHEMA_FILE
    file.write_text(json.dumps(lesson_schema(), indent=2) + "\n", encoding="utf-8")
    return file


def new_exercise(lesson_id: str, exercise_id: str, title: str | None = None) -> tuple[Path, Path]:
    """Append an exercise table to the lesson file, keeping the instructor's text as it is."""
    _check_id(exercise_id, "exercise")
    file = _find_lesson(lesson_id)
    if file is None:
        raise ScaffoldError(f"no lesson with id '{lesson_id}' (see `coach list`)")
    data, text = parse_toml(file.read_bytes())  # _find_lesson read it a moment ago
    if any(e.get("id") == exercise_id for e in data.get("exercises", [])):
        raise ScaffoldError(f"lesson '{lesson_id}' already has an exercise '{exercise_id}'")
    title = title or exercise_id.replace("-", " ").capitalize()
    starter = paths.exercises_dir_for(file.parent) / exercise_id / "starter.py"
    if starter.exists():
        raise ScaffoldError(f"{starter} already exists")
    fragment = tomli_w.dumps({"exercises": [exercise_skeleton(exercise_id, title)]},
                             multiline_strings=True)
    starter.parent.mkdir(parents=True, exist_ok=True)
    starter.write_text(STARTER.format(title=title, model=catalogue.current("sonnet")[0].id), encoding="utf-8")
    with file.open("a", encoding="utf-8") as out:
        out.write(("" if text.endswith("\n") else "\n") + "\n" + fragment)
    return file, starter
