"""Every bundled exercise comes with its proof: a reference, a wrong solution per checklist item, and tests."""

import ast
import difflib
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


# ---- two wrong solutions per item, one written from scratch; two right ones per exercise ---------

FROM_SCRATCH_BELOW = 0.5
"""A solution whose own lines match the reference's own lines less than this was not derived from it."""


def _own_lines(file: Path, starter: Path) -> list[str]:
    """The lines a learner wrote: not the module docstring, comments, blanks, nor any line the starter gives."""
    source = file.read_text(encoding="utf-8")
    body = ast.parse(source).body
    docstring_end = body[0].end_lineno or 0 if body and isinstance(body[0], ast.Expr) else 0
    given = {line.strip() for line in starter.read_text(encoding="utf-8").splitlines()}
    return [line.strip() for line in source.splitlines()[docstring_end:]
            if line.strip() and not line.strip().startswith("#") and line.strip() not in given]


def _likeness_to_reference(exercise, file: Path) -> float:
    """How much of the learner-written part of `file` is the reference's, line for line (0 to 1)."""
    ours = _own_lines(reference_file(exercise), exercise.starter)
    return difflib.SequenceMatcher(None, ours, _own_lines(file, exercise.starter), autojunk=False).ratio()


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_item_has_two_wrong_solutions_one_written_from_scratch(exercise) -> None:
    by_item: dict[str, list[Path]] = {item.id: [] for item in exercise.checks}
    for wrong in wrong_solutions(exercise.id):
        by_item.setdefault(item_of(wrong), []).append(wrong)
    assert {item: len(files) for item, files in by_item.items() if len(files) < 2} == {}
    derived = {item: {f.name: round(_likeness_to_reference(exercise, f), 2) for f in files}
               for item, files in by_item.items()
               if all(_likeness_to_reference(exercise, f) >= FROM_SCRATCH_BELOW for f in files)}
    assert derived == {}, "items whose every wrong solution is an edit of the reference"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_exercise_has_two_further_right_solutions_not_derived_from_the_reference(exercise) -> None:
    rights = sorted((SOLUTIONS / exercise.id).glob("right_*.py"))
    assert len(rights) >= 2, [r.name for r in rights]
    assert any(_likeness_to_reference(exercise, r) < FROM_SCRATCH_BELOW for r in rights)


def test_a_one_line_edit_of_the_reference_counts_as_derived() -> None:
    exercise = next(e for e in EXERCISES if e.id == "retry-backoff")
    assert _likeness_to_reference(exercise, SOLUTIONS / exercise.id / "wrong_sdk_retries_off.py") >= FROM_SCRATCH_BELOW
    assert _likeness_to_reference(exercise, SOLUTIONS / exercise.id / "right_policy_class.py") < FROM_SCRATCH_BELOW
