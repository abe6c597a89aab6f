"""What the learner should do next: the first exercise after this one, in course order, not yet passed."""

from __future__ import annotations

from coach.curriculum import Curriculum
from coach.curriculum.model import Exercise
from coach.progress import Progress


def course_exercises(curriculum: Curriculum) -> list[Exercise]:
    return [exercise for lesson in curriculum.lessons for exercise in lesson.exercises]


def next_exercise(curriculum: Curriculum, progress: Progress, after: str | None) -> Exercise | None:
    """The first exercise not passed, looking after `after` first and then from the start; None when all pass."""
    exercises = course_exercises(curriculum)
    start = next((n + 1 for n, e in enumerate(exercises) if e.id == after), 0)
    for exercise in exercises[start:] + exercises[:start]:
        if exercise.id != after and not progress.passed(exercise.id):
            return exercise
    return None
