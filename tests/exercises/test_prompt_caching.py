"""Exercise prompt-caching: the reference passes, each wrong solution fails exactly its item."""

import ast
import importlib.util
from pathlib import Path

import pytest

from coach import pricing
from coach.stub.scenario import load_scenario
from coach.stub.tokens import estimate_tokens

from .conftest import Grade, SOLUTIONS, exercise, failing, item_of, reference, wrong_solutions

EXERCISE = "prompt-caching"


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


def test_starter_fails_the_caching_items_saying_nothing_was_marked(grade: Grade) -> None:
    report = grade(EXERCISE, exercise(EXERCISE).starter)
    assert failing(report) == {"caches-policy", "warns-uncached"}
    evidence = {item.id: item.evidence for item in report.items}
    assert "carried a cache_control breakpoint" in evidence["caches-policy"]
    assert "no WARNING followed it" in evidence["warns-uncached"]


def test_the_starters_prices_are_the_course_price_table() -> None:
    tree = ast.parse(exercise(EXERCISE).starter.read_text(encoding="utf-8"))
    constants = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
                 if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                 and node.targets[0].id in ("PRICES", "MODEL")}
    price = pricing.load_prices(pricing.BUNDLED_PRICES).price_for(constants["MODEL"])
    assert price.id == constants["MODEL"]
    assert constants["PRICES"] == {k: getattr(price, k) for k in ("input", "output", "cache_write_5m",
                                                                  "cache_write_1h", "cache_read")}


def test_the_policy_is_above_the_cache_minimum_and_the_faq_far_below_it() -> None:
    spec = importlib.util.spec_from_file_location("prompt_caching_starter", exercise(EXERCISE).starter)
    assert spec is not None and spec.loader is not None
    starter = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(starter)
    minimum = load_scenario(exercise(EXERCISE).scenario).response.min_cacheable_tokens
    assert minimum == 1024, "the brief says 1,024 tokens, the minimum for Claude Sonnet 4.6"
    assert estimate_tokens(starter.REFUND_POLICY) > 1.3 * minimum
    assert estimate_tokens(starter.INSTRUCTIONS + starter.SHIPPING_FAQ) < minimum / 4
    assert estimate_tokens(starter.INSTRUCTIONS) < minimum / 4


def test_the_warranty_terms_are_cached_only_with_the_instructions_before_them() -> None:
    """So a warning keyed on the document's length (wrong_warns_uncached__by_document_length) is told apart."""
    spec = importlib.util.spec_from_file_location("prompt_caching_starter", exercise(EXERCISE).starter)
    assert spec is not None and spec.loader is not None
    starter = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(starter)
    minimum = load_scenario(exercise(EXERCISE).scenario).response.min_cacheable_tokens
    alone = estimate_tokens(starter.WARRANTY_TERMS)
    assert alone < minimum <= alone + estimate_tokens(starter.INSTRUCTIONS)
