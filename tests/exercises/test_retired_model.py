"""Exercise retired-model: the reference passes, each wrong solution fails exactly its item."""

from pathlib import Path

import pytest

from .conftest import Grade, exercise, failing, item_of, reference, wrong_solutions

EXERCISE = "retired-model"


def test_reference_solution_passes_every_item(grade: Grade) -> None:
    report = grade(EXERCISE, reference(EXERCISE))
    assert failing(report) == set(), [(i.id, i.evidence) for i in report.items if not i.passed]


@pytest.mark.parametrize("wrong", wrong_solutions(EXERCISE), ids=lambda p: p.stem)
def test_wrong_solution_fails_only_its_item(grade: Grade, wrong: Path) -> None:
    report = grade(EXERCISE, wrong)
    assert failing(report) == {item_of(wrong)}, [(i.id, i.evidence) for i in report.items if not i.passed]


def test_every_item_has_a_wrong_solution() -> None:
    items = {item.id for item in exercise(EXERCISE).checks}
    assert {item_of(wrong) for wrong in wrong_solutions(EXERCISE)} == items


def test_starter_fails_every_item_because_the_pinned_model_answers_404(grade: Grade) -> None:
    report = grade(EXERCISE, exercise(EXERCISE).starter)
    assert failing(report) == {item.id for item in exercise(EXERCISE).checks}
    evidence = {item.id: item.evidence for item in report.items}
    assert "404 not_found_error for claude-sonnet-4-5" in evidence["falls-back"]
    assert "3 more request(s)" in evidence["remembers"]
    assert "no WARNING, ERROR or CRITICAL record names claude-sonnet-4-5" in evidence["alerts"]


def test_the_pinned_model_is_retired_and_the_fallback_current_in_the_catalogue() -> None:
    from coach import catalogue
    table = catalogue.load(catalogue.BUNDLED_CATALOGUE)
    params = {item.id: item.params for item in exercise(EXERCISE).checks}
    assert table.get(params["falls-back"]["retired"]).status == "retired"
    assert table.get(params["falls-back"]["successor"]).status == "current"
    assert table.successor_of(params["falls-back"]["retired"]).id == params["falls-back"]["successor"]
