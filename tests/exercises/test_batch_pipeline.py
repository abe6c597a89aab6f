"""Exercise batch-pipeline: the reference passes, each wrong solution fails exactly its item."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from coach.grader.checks import get_check
from coach.grader.evidence import RunEvidence
from coach.stub.journal import JournalEntry

from .conftest import Grade, SOLUTIONS, exercise, failing, item_of, reference, wrong_solutions

EXERCISE = "batch-pipeline"


def test_reference_solution_passes_every_item(grade: Grade) -> None:
    report = grade(EXERCISE, reference(EXERCISE))
    assert failing(report) == set(), [(i.id, i.evidence) for i in report.items if not i.passed]
    assert len(report.timeline) >= 30  # every document, and the retries, as the brief says


@pytest.mark.parametrize("wrong", wrong_solutions(EXERCISE), ids=lambda p: p.stem)
def test_wrong_solution_fails_only_its_item(grade: Grade, wrong: Path) -> None:
    report = grade(EXERCISE, wrong)
    assert failing(report) == {item_of(wrong)}, [(i.id, i.evidence) for i in report.items if not i.passed]


def test_every_item_has_a_wrong_solution() -> None:
    items = {item.id for item in exercise(EXERCISE).checks}
    assert {item_of(wrong) for wrong in wrong_solutions(EXERCISE)} == items


def test_starter_fails_with_evidence_for_each_failing_item(grade: Grade) -> None:
    ex = exercise(EXERCISE)
    report = grade(EXERCISE, ex.starter)
    failed = [item for item in report.items if not item.passed]
    assert {item.id for item in failed} >= {"few-429s", "retries-transient", "reports-outcomes", "not-blocked"}
    assert all(item.evidence.strip() for item in failed)


@pytest.mark.parametrize("returned", [None, [], "done", {"summaries": ["doc-001"], "failed": {}},
                                      {"summaries": {1: None}, "failed": {"doc-002": None}}])
def test_checks_fail_without_raising_on_odd_return_values(returned: object) -> None:
    """A document refused once and an unnamed, unanswered request: no check raises, whatever main() returned."""
    journal = (JournalEntry(seq=1, arrived_s=0.0, method="POST", path="/v1/messages", finished_s=0.1,
                            prompt="doc-002: text", status=429, error_type="rate_limit_error"),
               JournalEntry(seq=2, arrived_s=0.5, method="POST", path="/v1/messages", prompt=None, status=None))
    result = SimpleNamespace(return_value=returned, timed_out=False, limit_hit=None, return_error=None, exit_code=0,
                             log_records=[])
    evidence = RunEvidence(exercise=exercise(EXERCISE), journal=journal, result=result, source="", tree=None,
                           scenario=None)
    for item in exercise(EXERCISE).checks:
        verdict = get_check(item.check)(evidence, item.params)  # type: ignore[misc]
        assert isinstance(verdict.passed, bool) and verdict.evidence
    assert not get_check("reports_outcomes")(evidence, {}).passed  # type: ignore[misc]
