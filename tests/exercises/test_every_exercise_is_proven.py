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


TWO_WRONG_PER_ITEM = {"sse-parser", "async-enrichment", "observed-call", "safe-answer", "retired-model"}
"""Exercises held to the rule below (issue 13); the others join as their wrong solutions are written."""
BORROWED_AT_MOST = 0.5
"""A wrong solution counts as written from scratch when at most half of its own lines are the reference's."""


def _own_lines(path: Path, starter: Path) -> list[str]:
    """The lines a learner wrote: not blank, not comments, not in the starter."""
    given = {line.strip() for line in starter.read_text(encoding="utf-8").splitlines()}
    return [s for line in path.read_text(encoding="utf-8").splitlines()
            if (s := line.strip()) and s not in given and not s.startswith("#")]


def _borrowed(wrong: Path, exercise) -> float:
    """The share of a wrong solution's own lines that are lines of the reference: near 1 for a one-line edit."""
    reference = set(_own_lines(reference_file(exercise), exercise.starter))
    own = _own_lines(wrong, exercise.starter)
    return sum(line in reference for line in own) / max(1, len(own))


@pytest.mark.parametrize("exercise", [e for e in EXERCISES if e.id in TWO_WRONG_PER_ITEM], ids=lambda e: e.id)
def test_every_item_has_two_wrong_solutions_and_one_not_derived_from_the_reference(exercise) -> None:
    """Each `wrong_<item>*.py` fails its item and only it (the exercise's own test module grades that)."""
    for item in exercise.checks:
        wrongs = [w for w in wrong_solutions(exercise.id) if item_of(w) == item.id]
        assert len(wrongs) >= 2, f"{exercise.id}: item {item.id} has {len(wrongs)} wrong solution(s)"
        shares = {w.stem: round(_borrowed(w, exercise), 2) for w in wrongs}
        assert min(shares.values()) <= BORROWED_AT_MOST, f"{exercise.id}: every wrong solution of {item.id} " \
                                                         f"is an edit of the reference: {shares}"


@pytest.mark.parametrize("exercise", [e for e in EXERCISES if e.id in TWO_WRONG_PER_ITEM], ids=lambda e: e.id)
def test_exercise_has_two_further_right_solutions(exercise) -> None:
    assert len(list((SOLUTIONS / exercise.id).glob("right_*.py"))) >= 2


def test_a_copy_of_the_reference_counts_as_derived_and_a_rewrite_does_not(tmp_path: Path) -> None:
    exercise = next(e for e in EXERCISES if e.id == "safe-answer")
    copy = tmp_path / "wrong_copy.py"
    copy.write_text(reference_file(exercise).read_text(encoding="utf-8").replace('"refused")', '"declined")'))
    assert _borrowed(copy, exercise) > 0.9
    assert _borrowed(SOLUTIONS / "safe-answer" / "wrong_refusal__read_as_unreadable.py", exercise) < BORROWED_AT_MOST
