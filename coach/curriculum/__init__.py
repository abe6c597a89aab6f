"""The course: lessons, discussions and exercises loaded from TOML, with located errors."""

from coach.curriculum.load import Curriculum, load_curriculum, load_lesson_file
from coach.curriculum.model import (
    CheckItem,
    Discussion,
    Exercise,
    Lesson,
    LocatedError,
    Section,
    Source,
)

__all__ = [
    "CheckItem",
    "Curriculum",
    "Discussion",
    "Exercise",
    "Lesson",
    "LocatedError",
    "Section",
    "Source",
    "load_curriculum",
    "load_lesson_file",
]
