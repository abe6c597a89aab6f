"""Exercise streaming-reply: the reference passes, each wrong solution fails exactly its item."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from coach.grader.checks import Verdict, get_check
from coach.grader.evidence import RunEvidence
from coach.stub.journal import JournalEntry
from coach.stub.scenario import load_scenario

from .conftest import Grade, SOLUTIONS, exercise, failing, item_of, reference, wrong_solutions

EXERCISE = "streaming-reply"


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


def test_starter_fails_with_evidence_for_each_failing_item(grade: Grade) -> None:
    report = grade(EXERCISE, exercise(EXERCISE).starter)
    failed = [item for item in report.items if not item.passed]
    assert {item.id for item in failed} == {"chat-timeout", "restarts", "one-answer", "exhausted"}
    assert all(item.evidence.strip() for item in failed)
    restarts = next(item for item in failed if item.id == "restarts")
    assert "RemoteProtocolError" in restarts.evidence and "stop_reason None" in restarts.evidence


def _entry(seq: int, case: str, stream_end: str | None, **fields) -> JournalEntry:  # type: ignore[no-untyped-def]
    return JournalEntry(seq=seq, arrived_s=float(seq), finished_s=seq + 0.5, method="POST", path="/v1/messages",
                        prompt=f"case {case}: where is my parcel?", status=200, stream=True, stream_end=stream_end,
                        text_deltas_sent=7 if stream_end == "complete" else 1,
                        text_tokens_sent=21 if stream_end == "complete" else 3, timeout_s=20.0, **fields)


ODD_RETURNS = [None, [], "answered", {}, {"steady": None}, {"steady": "answered", "outage": 3},
               {"steady": {"screen": 5, "pieces": True, "outcome": [], "error": {}}, "reset": {"pieces": "21"}}]


@pytest.mark.parametrize("returned", ODD_RETURNS, ids=repr)
@pytest.mark.parametrize("streamed", [True, False])
def test_checks_say_why_instead_of_raising_on_odd_output(returned: object, streamed: bool) -> None:
    journal = [_entry(1, "steady", "complete" if streamed else None, usage={"output_tokens": 21}),
               _entry(2, "reset", "reset"), _entry(3, "reset", "complete"), _entry(4, "outage", "error_event")]
    for entry in journal:
        entry.stream = streamed
    result = SimpleNamespace(timed_out=False, limit_hit=None, return_error=None, exit_code=0, return_value=returned,
                             log_records=[])
    evidence = RunEvidence(exercise=exercise(EXERCISE), journal=tuple(journal), result=result, source="", tree=None,
                           scenario=load_scenario(EXERCISE))
    for item in exercise(EXERCISE).checks:
        check = get_check(item.check)
        assert check is not None
        verdict = check(evidence, item.params)
        assert isinstance(verdict, Verdict) and verdict.evidence.strip(), item.id
        if item.id != "chat-timeout":
            assert not verdict.passed, (item.id, verdict.evidence)
