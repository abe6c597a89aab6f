"""Exercise observed-call: the reference passes, each wrong solution fails exactly its item."""

from pathlib import Path

import httpx2
import pytest
from anthropic._error_classes import make_status_error

from coach.grader.library.observability import STATUS_CLASSES

from .conftest import Grade, SOLUTIONS, exercise, failing, item_of, reference, wrong_solutions

EXERCISE = "observed-call"


def test_reference_solution_passes_every_item(grade: Grade) -> None:
    report = grade(EXERCISE, reference(EXERCISE))
    assert failing(report) == set(), [(i.id, i.evidence) for i in report.items if not i.passed]


def test_a_record_logged_as_a_json_message_passes_too(grade: Grade) -> None:
    report = grade(EXERCISE, SOLUTIONS / EXERCISE / "right_json_message.py")
    assert failing(report) == set(), [(i.id, i.evidence) for i in report.items if not i.passed]


@pytest.mark.parametrize("wrong", wrong_solutions(EXERCISE), ids=lambda p: p.stem)
def test_wrong_solution_fails_only_its_item(grade: Grade, wrong: Path) -> None:
    report = grade(EXERCISE, wrong)
    assert failing(report) == {item_of(wrong)}


def test_every_item_has_a_wrong_solution() -> None:
    items = {item.id for item in exercise(EXERCISE).checks}
    assert {item_of(wrong) for wrong in wrong_solutions(EXERCISE)} == items


def test_starter_fails_every_telemetry_item_saying_no_record_carries_a_correlation_id(grade: Grade) -> None:
    report = grade(EXERCISE, exercise(EXERCISE).starter)
    telemetry = [item for item in report.items if item.id != "finishes"]
    assert failing(report) == {item.id for item in telemetry}
    assert all("correlation_id" in item.evidence for item in telemetry)


@pytest.mark.parametrize("status", sorted(STATUS_CLASSES))
def test_the_class_expected_for_each_status_is_the_one_the_sdk_raises(status: int) -> None:
    response = httpx2.Response(status, request=httpx2.Request("POST", "http://127.0.0.1/v1/messages"))
    assert type(make_status_error("x", body=None, response=response)).__name__ == STATUS_CLASSES[status]


def test_a_swallowed_error_that_crashes_main_fails_the_precondition_reported_first(grade: Grade) -> None:
    report = grade(EXERCISE, SOLUTIONS / EXERCISE / "swallowed_error.py")
    assert failing(report) == {"finishes"}
    assert report.items[0].id == "finishes" and "before the case bad-request" in report.items[0].evidence
