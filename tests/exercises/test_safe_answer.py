"""Exercise safe-answer: the reference passes, each wrong solution fails exactly its item."""

from pathlib import Path

import pytest

from coach.grader.library.fallbacks import EXCEPTION_NAME, REQUEST_ID

from .conftest import SOLUTIONS, Grade, exercise, failing, item_of, reference, wrong_solutions

EXERCISE = "safe-answer"


@pytest.mark.parametrize("solution", [reference(EXERCISE), SOLUTIONS / EXERCISE / "right_flag_truncated.py"],
                         ids=lambda p: p.stem)
def test_reference_solutions_pass_every_item(grade: Grade, solution: Path) -> None:
    report = grade(EXERCISE, solution)
    assert failing(report) == set(), [(i.id, i.evidence) for i in report.items if not i.passed]


@pytest.mark.parametrize("wrong", wrong_solutions(EXERCISE), ids=lambda p: p.stem)
def test_wrong_solution_fails_only_its_item(grade: Grade, wrong: Path) -> None:
    report = grade(EXERCISE, wrong)
    assert failing(report) == {item_of(wrong)}, [(i.id, i.evidence) for i in report.items if not i.passed]


def test_every_item_has_a_wrong_solution() -> None:
    items = {item.id for item in exercise(EXERCISE).checks}
    assert {item_of(wrong) for wrong in wrong_solutions(EXERCISE)} == items


def test_starter_fails_every_item_with_evidence_from_the_run(grade: Grade) -> None:
    report = grade(EXERCISE, exercise(EXERCISE).starter)
    evidence = {item.id: item.evidence for item in report.items}
    assert failing(report) == set(evidence)
    assert "raw JSON" in evidence["answers"]
    assert "cut at max_tokens" in evidence["truncated"]
    assert "IndexError" in evidence["refusal"]
    assert "raised" in evidence["no-crash"] and "raised" in evidence["no-raw-error"]


def test_the_evidence_names_the_cases_that_share_a_category(grade: Grade) -> None:
    generic = grade(EXERCISE, SOLUTIONS / EXERCISE / "wrong_distinct.py")
    said = next(i.evidence for i in generic.items if i.id == "distinct")
    assert "'unavailable'" in said and "case '" in said
    swapped = grade(EXERCISE, SOLUTIONS / EXERCISE / "wrong_distinct__except_order.py")
    said = next(i.evidence for i in swapped.items if i.id == "distinct")
    assert "spend-cap" in said and "EnforcedSpendLimitReachedError is a subclass of RateLimitError" in said


def test_a_raw_error_is_told_by_what_it_gives_away(grade: Grade) -> None:
    report = grade(EXERCISE, SOLUTIONS / EXERCISE / "wrong_no_raw_error.py")
    said = next(i.evidence for i in report.items if i.id == "no-raw-error")
    assert "case 'bad-request'" in said and "Error code:" in said and "the request id req_" in said


@pytest.mark.parametrize(("text", "raw"), [
    ("Error code: 529 - {'type': 'error'}", False),
    ("OverloadedError: Overloaded", True),
    ("anthropic.APITimeoutError", True),
    ("Error: please try again", False),
    ("Our Errors page explains more", False),
])
def test_exception_names_are_told_from_plain_words(text: str, raw: bool) -> None:
    assert bool(EXCEPTION_NAME.search(text)) is raw


def test_request_ids_are_recognised() -> None:
    assert REQUEST_ID.search("ask support about req_011CSHoEeqs5C35K2UUqR7Fy")
    assert not REQUEST_ID.search("a request was made")


def test_the_sdk_raises_the_class_each_case_is_graded_as() -> None:
    """The brief's table of cases, held to the installed SDK's class hierarchy."""
    import anthropic
    from anthropic.types.shared import EnforcedSpendLimitReachedError

    assert issubclass(EnforcedSpendLimitReachedError, anthropic.RateLimitError)
    assert issubclass(anthropic.OverloadedError, anthropic.InternalServerError)
    assert issubclass(anthropic.APITimeoutError, anthropic.APIConnectionError)
    assert not issubclass(anthropic.APIConnectionError, anthropic.APIStatusError)
