"""Grading exercises the way the app does: one warm grader for the whole test session.

Each exercise's tests grade its shipped reference (`exercises/<id>/reference.py`, which passes
every item) and the solutions in `solutions/<exercise-id>/`: each `wrong_<item-id>.py` fails
exactly the item it is named for.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coach.curriculum import load_curriculum
from coach.curriculum.model import Exercise
from coach.grader.report import GradeReport
from coach.grader.session import GradingSession
from coach.reference import reference_file

SOLUTIONS = Path(__file__).parent / "solutions"


def exercise(exercise_id: str) -> Exercise:
    found = load_curriculum().exercise(exercise_id)
    assert found is not None, f"no exercise {exercise_id!r} in the bundled lessons"
    return found


def reference(exercise_id: str) -> Path:
    """The reference solution shipped with the exercise, beside its starter."""
    return reference_file(exercise(exercise_id))


def wrong_solutions(exercise_id: str) -> list[Path]:
    """Every `wrong_<item-id>.py` of an exercise, for parametrising."""
    return sorted((SOLUTIONS / exercise_id).glob("wrong_*.py"))


def item_of(wrong: Path) -> str:
    """The checklist item a wrong solution is meant to fail: `wrong_<item-id>[_variant].py`."""
    return wrong.stem.removeprefix("wrong_").split("__")[0].replace("_", "-")


def failing(report: GradeReport) -> set[str]:
    return {item.id for item in report.items if not item.passed}


@pytest.fixture(scope="session")
def grading() -> Iterator[GradingSession]:
    with GradingSession() as session:
        yield session


Grade = Callable[[str, Path], GradeReport]


@pytest.fixture
def grade(grading: GradingSession) -> Grade:
    """`grade(exercise_id, file) -> GradeReport`, through the same function the CLI and the app use."""

    def run(exercise_id: str, file: Path) -> GradeReport:
        return grading.grade(exercise(exercise_id), file)

    return run
