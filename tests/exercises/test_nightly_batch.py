"""Exercise nightly-batch: the reference passes, each wrong solution fails exactly its item."""

from pathlib import Path

import pytest

from .conftest import Grade, exercise, failing, item_of, reference, wrong_solutions

EXERCISE = "nightly-batch"


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


def test_starter_fails_every_item_saying_what_each_one_needs_next(grade: Grade) -> None:
    report = grade(EXERCISE, exercise(EXERCISE).starter)
    assert failing(report) == {item.id for item in exercise(EXERCISE).checks}
    evidence = {item.id: item.evidence for item in report.items}
    assert all("10 request(s) went to /v1/messages one at a time and no batch was created" in e
               for e in evidence.values())
    assert "ONE client.messages.batches.create" in evidence["one-batch"]
    assert "until its processing_status is 'ended'" in evidence["polls-patiently"]
    assert "file each result under its custom_id" in evidence["by-custom-id"]
    assert "leave out the ones refused as invalid_request_error" in evidence["resubmits-retryable"]
    assert "a failure with its reason too" in evidence["reports-outcomes"]


def test_the_reference_meets_every_fault_the_scenario_scripts(grade: Grade) -> None:
    evidence = {item.id: item.evidence for item in grade(EXERCISE, reference(EXERCISE)).items}
    assert "another order than the requests" in evidence["by-custom-id"]
    assert "doc-09 (expired)" in evidence["resubmits-retryable"]
    assert "doc-02 (canceled)" in evidence["resubmits-retryable"]
    assert "doc-04 (errored overloaded_error)" in evidence["resubmits-retryable"]
    assert "not sent again: doc-07 (errored invalid_request_error)" in evidence["resubmits-retryable"]


def test_the_scenarios_batch_facts_match_the_sdk() -> None:
    """The result types the scenario scripts and the statuses the checks read are the SDK's own literals."""
    from typing import get_args

    from anthropic.types.messages import MessageBatch, MessageBatchResult

    from coach.stub.batches import RESULT_KINDS
    from coach.stub.scenario import load_scenario

    union, _discriminator = get_args(MessageBatchResult)
    kinds = {get_args(member.model_fields["type"].annotation)[0] for member in get_args(union)}
    assert kinds == set(RESULT_KINDS) == {"succeeded", "errored", "canceled", "expired"}
    assert set(get_args(MessageBatch.model_fields["processing_status"].annotation)) == {"in_progress", "canceling",
                                                                                         "ended"}
    scenario = load_scenario(exercise(EXERCISE).scenario)
    assert {f.result for f in scenario.batch_faults} <= set(RESULT_KINDS) and scenario.batch_shuffle_results
