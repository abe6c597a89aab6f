"""Exercise sse-parser: the reference passes, each wrong solution fails exactly its item."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from coach.grader.checks import Verdict, get_check
from coach.grader.evidence import RunEvidence
from coach.stub.journal import JournalEntry
from coach.stub.scenario import load_scenario

from .conftest import Grade, SOLUTIONS, exercise, failing, item_of, reference, wrong_solutions

EXERCISE = "sse-parser"


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


def test_starter_sends_the_raw_stream_and_fails_every_parsing_item_with_evidence(grade: Grade) -> None:
    report = grade(EXERCISE, exercise(EXERCISE).starter)
    failed = [item for item in report.items if not item.passed]
    assert {item.id for item in failed} == {"text", "ignores-ping", "stop-reason", "error-event"}
    assert all(item.evidence.strip() for item in failed)


ODD_RETURNS = [None, [], "text", {}, {"plain": None}, {"plain": ["Your", "end_turn"], "short": "x"},
               {"plain": {"text": 5, "stop_reason": []}, "overloaded": {"error": None}, "keepalive": {"text": None}}]


@pytest.mark.parametrize("returned", ODD_RETURNS, ids=repr)
def test_checks_say_why_instead_of_raising_on_odd_output(returned: object) -> None:
    journal = [JournalEntry(seq=n, arrived_s=float(n), finished_s=n + 0.5, method="POST", path="/v1/messages",
                            prompt=f"case {case}: where is my parcel?", status=200, stream=True, stream_end=end,
                            text_deltas_sent=deltas, text_tokens_sent=tokens, events_sent=deltas + 6,
                            stop_reason=stop)
               for n, (case, end, deltas, tokens, stop) in enumerate([("plain", "complete", 7, 21, "end_turn"),
                                                                      ("short", "complete", 2, 5, "max_tokens"),
                                                                      ("keepalive", "complete", 7, 21, "end_turn"),
                                                                      ("overloaded", "error_event", 1, 3, None)], 1)]
    result = SimpleNamespace(timed_out=False, limit_hit=None, return_error=None, exit_code=0, return_value=returned,
                             log_records=[])
    evidence = RunEvidence(exercise=exercise(EXERCISE), journal=tuple(journal), result=result, source="", tree=None,
                           scenario=load_scenario(EXERCISE))
    for item in exercise(EXERCISE).checks:
        check = get_check(item.check)
        assert check is not None
        verdict = check(evidence, item.params)
        assert isinstance(verdict, Verdict) and verdict.evidence.strip(), item.id
        if item.id != "raw-stream":
            assert not verdict.passed, (item.id, verdict.evidence)
