"""Exercise cost-accumulator: the reference passes, each wrong solution fails exactly its item."""

import ast
from pathlib import Path

import pytest

from coach import pricing

from .conftest import Grade, SOLUTIONS, exercise, failing, item_of, reference, wrong_solutions

EXERCISE = "cost-accumulator"


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


def test_starter_fails_every_item_with_evidence(grade: Grade) -> None:
    report = grade(EXERCISE, exercise(EXERCISE).starter)
    assert failing(report) == {item.id for item in exercise(EXERCISE).checks}
    evidence = {item.id: item.evidence for item in report.items}
    assert "past the $0.06 cap" in evidence["stops-before-cap"]
    assert "no WARNING was logged" in evidence["warns-at-soft-limit"]
    assert "max_tokens 4096" in evidence["per-task-max-tokens"]


def _starter_constants() -> dict[str, object]:
    tree = ast.parse(exercise(EXERCISE).starter.read_text(encoding="utf-8"))
    return {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in ("PRICES", "SOFT_LIMIT_USD", "HARD_LIMIT_USD")}


def test_the_starters_prices_are_the_course_price_table() -> None:
    table = pricing.load_prices(pricing.BUNDLED_PRICES)
    for model, row in _starter_constants()["PRICES"].items():
        price = table.price_for(model)
        assert price.id == model
        assert row == {k: getattr(price, k) for k in ("input", "output", "cache_write_5m", "cache_write_1h",
                                                       "cache_read")}


def test_the_checklist_limits_are_the_starters() -> None:
    constants = _starter_constants()
    params = {item.check: item.params for item in exercise(EXERCISE).checks}
    assert params["warns_after_soft_limit"]["soft_usd"] == constants["SOFT_LIMIT_USD"]
    assert params["stops_before_cap"]["hard_usd"] == constants["HARD_LIMIT_USD"]
