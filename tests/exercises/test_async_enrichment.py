"""Exercise async-enrichment: the reference passes, each wrong solution fails exactly its item."""

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import pytest

from coach.grader.evidence import RunEvidence
from coach.grader.library.concurrency import (
    async_client,
    failure_isolated,
    peak_in_flight_within,
    requests_overlapped,
    results_match_items,
)
from coach.stub.journal import JournalEntry

from .conftest import Grade, SOLUTIONS, exercise, failing, item_of, reference, wrong_solutions

EXERCISE = "async-enrichment"


def test_reference_solution_passes_every_item(grade: Grade) -> None:
    report = grade(EXERCISE, reference(EXERCISE))
    assert failing(report) == set(), [(i.id, i.evidence) for i in report.items if not i.passed]


@pytest.mark.parametrize("right", sorted((SOLUTIONS / EXERCISE).glob("right_*.py")), ids=lambda p: p.stem)
def test_other_right_shapes_pass_too(grade: Grade, right: Path) -> None:
    """gather(return_exceptions=True) and a TaskGroup of CONCURRENCY workers are as good as the lesson's shape."""
    report = grade(EXERCISE, right)
    assert failing(report) == set(), [(i.id, i.evidence) for i in report.items if not i.passed]


@pytest.mark.parametrize("wrong", wrong_solutions(EXERCISE), ids=lambda p: p.stem)
def test_wrong_solution_fails_only_its_item(grade: Grade, wrong: Path) -> None:
    report = grade(EXERCISE, wrong)
    assert failing(report) == {item_of(wrong)}, [(i.id, i.evidence) for i in report.items if not i.passed]


def test_every_item_has_a_wrong_solution() -> None:
    items = {item.id for item in exercise(EXERCISE).checks}
    assert {item_of(wrong) for wrong in wrong_solutions(EXERCISE)} == items


def test_starter_fails_for_going_one_at_a_time_and_letting_the_400_sink_the_batch(grade: Grade) -> None:
    report = grade(EXERCISE, exercise(EXERCISE).starter)
    failed = {item.id: item.evidence for item in report.items if not item.passed}
    assert set(failed) == {"concurrent", "failure-isolated", "in-order"}
    assert "at most 1 request in flight" in failed["concurrent"]
    assert "BadRequestError" in failed["failure-isolated"] and "never reached the API" in failed["failure-isolated"]
    assert all(evidence.strip() for evidence in failed.values())


# Odd output must give a failing verdict, never an exception: judged from a hand-made journal.

TEXTS = [f"ticket {n:02d}:" for n in range(1, 4)]


def _entry(seq: int, text: str, arrived: float, finished: float | None, status: int = 200) -> JournalEntry:
    return JournalEntry(seq=seq, arrived_s=arrived, method="POST", path="/v1/messages", finished_s=finished,
                        retry_count=0, prompt=f"{text} something", status=status, client_async="async:asyncio",
                        response_headers={"request-id": f"req_{seq}"})


def _evidence(journal: list[JournalEntry], returned: object = None, return_error: str | None = None,
              fd_waiters: tuple[tuple[float, int], ...] | None = None) -> RunEvidence:
    result = SimpleNamespace(log_records=[], timed_out=False, limit_hit=None, return_error=return_error,
                             exit_code=1 if return_error else 0, return_value=returned, fd_waiters=fd_waiters)
    return RunEvidence(exercise=exercise(EXERCISE), journal=tuple(journal), result=result, source="", tree=None,
                       scenario=None)


JOURNAL = [_entry(1, TEXTS[0], 0.0, 1.0), _entry(2, TEXTS[1], 0.0, 0.01, status=400), _entry(3, TEXTS[2], 0.02, 1.0)]
ROWS = [{"request_id": "req_1"}, {"request_id": None, "error": "BadRequestError: x"}, {"request_id": "req_3"}]


@pytest.mark.parametrize("returned", [None, "done", 42, [None, "x", 3], [{"request_id": 7}] * 3, [{}] * 3,
                                      [{"request_id": ["req_1"]}, {}, {"request_id": {"a": 1}}]])
def test_odd_return_values_fail_the_result_checks_with_a_reason(returned: object) -> None:
    evidence = _evidence(JOURNAL, returned)
    for verdict in (results_match_items(evidence, TEXTS), failure_isolated(evidence, TEXTS[1], TEXTS)):
        assert not verdict.passed and verdict.evidence


def test_answers_in_the_wrong_places_fail_only_the_order_check() -> None:
    evidence = _evidence(JOURNAL, [ROWS[2], ROWS[1], ROWS[0]])
    assert "result 1, ticket 01's place, holds the answer to ticket 03" in results_match_items(evidence, TEXTS).evidence
    assert failure_isolated(evidence, TEXTS[1], TEXTS).passed


def test_hand_made_journal_and_rows_pass_every_check() -> None:
    evidence = _evidence(JOURNAL, ROWS)
    verdicts = [async_client(evidence), peak_in_flight_within(evidence, 2), requests_overlapped(evidence, 2),
                results_match_items(evidence, TEXTS), failure_isolated(evidence, TEXTS[1], TEXTS)]
    assert all(v.passed for v in verdicts), [v.evidence for v in verdicts]


def test_a_crashed_run_with_no_requests_fails_every_check_saying_why() -> None:
    evidence = _evidence([], return_error="BadRequestError: Error code: 400 - {...}")
    verdicts = [async_client(evidence), peak_in_flight_within(evidence, 4), requests_overlapped(evidence, 4),
                results_match_items(evidence, TEXTS), failure_isolated(evidence, TEXTS[1], TEXTS)]
    assert not any(v.passed for v in verdicts)
    assert all("main() raised BadRequestError" in v.evidence for v in verdicts), [v.evidence for v in verdicts]


def test_touching_requests_do_not_overlap_and_an_unfinished_one_stays_in_flight() -> None:
    back_to_back = [_entry(1, TEXTS[0], 0.0, 1.0), _entry(2, TEXTS[1], 1.0, 2.0), _entry(3, TEXTS[2], 2.0, None)]
    assert not requests_overlapped(_evidence(back_to_back), 2).passed
    hanging = [_entry(1, TEXTS[0], 0.0, None), _entry(2, TEXTS[1], 5.0, 6.0), _entry(3, TEXTS[2], 5.5, 6.0)]
    assert "3 requests were in flight at once" in peak_in_flight_within(_evidence(hanging), 2).evidence


def test_requests_without_the_async_header_are_named() -> None:
    journal = [dataclasses.replace(_entry(1, TEXTS[0], 0.0, 1.0), client_async=None)]
    assert "carried no x-stainless-async header" in async_client(_evidence(journal)).evidence


def test_two_threads_on_sockets_while_requests_overlap_fail_async_client_whatever_the_header_says() -> None:
    verdict = async_client(_evidence(JOURNAL, fd_waiters=((0.0, 1), (0.02, 2), (1.0, 0))))
    assert not verdict.passed
    assert "2 of the program's threads were blocked on sockets at once while requests 1, 3" in verdict.evidence


def test_threads_on_sockets_count_only_while_two_requests_are_in_flight() -> None:
    """At 0.01 s only request 1 is in flight (2 answered, 3 not sent): a second waiting thread proves nothing."""
    verdict = async_client(_evidence(JOURNAL, fd_waiters=((0.01, 2), (0.02, 1))))
    assert verdict.passed and "at most one of the program's threads waited on sockets" in verdict.evidence


def test_without_the_kernels_count_async_client_says_it_rests_on_the_header() -> None:
    verdict = async_client(_evidence(JOURNAL, fd_waiters=None))
    assert verdict.passed and "rests on that header" in verdict.evidence
