"""Every bundled exercise comes with its proof: a reference, a wrong solution per checklist item, and tests."""

from pathlib import Path

import pytest

from coach.curriculum import load_curriculum
from coach.reference import load_reference, reference_file

from .conftest import SOLUTIONS, item_of, wrong_solutions

EXERCISES = [e for lesson in load_curriculum().lessons for e in lesson.exercises]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_exercise_has_a_reference_and_a_wrong_solution_for_every_item(exercise) -> None:
    assert reference_file(exercise).is_file()
    assert {item_of(wrong) for wrong in wrong_solutions(exercise.id)} == {item.id for item in exercise.checks}


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_exercise_has_a_test_module_that_grades_its_solutions(exercise) -> None:
    module = Path(__file__).parent / f"test_{exercise.id.replace('-', '_')}.py"
    assert module.is_file() and "wrong_solutions(EXERCISE)" in module.read_text(encoding="utf-8")


def test_every_lesson_has_at_least_two_exercises() -> None:
    assert all(len(lesson.exercises) >= 2 for lesson in load_curriculum().lessons)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_exercise_reference_says_why_it_is_written_that_way(exercise) -> None:
    reference = load_reference(exercise)
    assert reference is not None and len(reference.note.split()) >= 20, "the note shown after a pass"
