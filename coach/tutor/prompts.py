"""The coach's prompts, rendered from Jinja2 templates in templates/.

The system prompt is the static part (role, then the whole lesson) with a `cache_control`
breakpoint after the lesson, so every later turn in the same lesson reads it from the cache;
each turn's changing part (code, report, the question) goes in the user message.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from coach.curriculum.model import Discussion, Exercise, Lesson


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("coach.tutor", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown for a model, not HTML for a browser
    )


def render(template: str, **values: Any) -> str:
    return _environment().get_template(template).render(**values)


def system_blocks(lesson: Lesson | None) -> list[dict[str, Any]]:
    """Role, then the lesson, cached: the large part that does not change between turns."""
    blocks: list[dict[str, Any]] = [{"type": "text", "text": render("role.md.j2")}]
    if lesson is not None:
        blocks.append({"type": "text", "text": render("lesson.md.j2", lesson=lesson)})
    blocks[-1]["cache_control"] = {"type": "ephemeral"}
    return blocks


def turn_text(message: str, *, exercise: Exercise | None = None, discussion: Discussion | None = None,
              code: str | None = None, report: Any = None) -> str:
    return render("turn.md.j2", message=message, exercise=exercise, discussion=discussion, code=code,
                  report=report).strip()
