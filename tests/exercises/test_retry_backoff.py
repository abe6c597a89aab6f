"""Exercise retry-backoff: the reference passes, each wrong solution fails exactly its item."""

from pathlib import Path

import pytest

from .conftest import Grade, SOLUTIONS, exercise, failing, item_of, reference, wrong_solutions

EXERCISE = "retry-backoff"


def test_reference_solution_passes_every_item(grade: Grade) -> None:
    report = grade(EXERCISE, reference(EXERCISE))
    assert failing(report) == set(), [(i.id, i.evidence) for i in report.items if not i.passed]


@pytest.mark.parametrize("wrong", wrong_solutions(EXERCISE), ids=lambda p: p.stem)
def test_wrong_solution_fails_only_its_item(grade: Grade, wrong: Path) -> None:
    report = grade(EXERCISE, wrong)
    assert failing(report) == {item_of(wrong)}


def test_every_item_has_a_wrong_solution() -> None:
    items = {item.id for item in exercise(EXERCISE).checks}
    assert {item_of(wrong) for wrong in wrong_solutions(EXERCISE)} == items


def test_starter_fails_with_evidence_for_each_failing_item(grade: Grade) -> None:
    ex = exercise(EXERCISE)
    report = grade(EXERCISE, ex.starter)
    failed = [item for item in report.items if not item.passed]
    assert {item.id for item in failed} >= {"honours-retry-after", "backs-off", "retries-transient", "clear-error"}
    assert all(item.evidence.strip() for item in failed)
