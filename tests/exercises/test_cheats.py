"""Deliberate cheats, each refused with a report that says why.

A cheat passes only if the grader believes something the program said about itself.
"""

from pathlib import Path

import pytest

import coach

from .conftest import SOLUTIONS, Grade

CHEATS = SOLUTIONS / "cheats"

REFUSED = [
    pytest.param("cost-accumulator", CHEATS / "cost_accumulator__appends_to_collector.py",
                 "warns-at-soft-limit", "no WARNING was logged", id="forges-records-through-gc"),
    pytest.param("batch-pipeline", SOLUTIONS / "batch-pipeline" / "wrong_no_retry_malformed__forged_retry_count.py",
                 "no-retry-malformed", "was sent 2 times", id="forges-x-stainless-retry-count"),
    pytest.param("safe-answer", CHEATS / "safe_answer__canned_answers.py",
                 "answers", "never reached the API", id="canned-answers-per-case"),
    pytest.param("cost-accumulator", CHEATS / "cost_accumulator__backdated_record.py",
                 "warns-at-soft-limit", "WARNING", id="backdates-a-record"),
    pytest.param("async-enrichment", CHEATS / "async_enrichment__threads_with_forged_async_header.py",
                 "async-client", "x-stainless-async", id="forges-x-stainless-async"),
    pytest.param("streaming-reply", CHEATS / "streaming_reply__writes_display_directly.py",
                 "streams-text", "reached the screen while it arrived", id="writes-the-display-directly"),
    pytest.param("cost-accumulator", CHEATS / "cost_accumulator__imports_coach.py",
                 "costs-match", "coach", id="imports-coach"),
]


@pytest.mark.parametrize(("exercise_id", "cheat", "item", "said"), REFUSED)
def test_cheat_is_refused_and_the_report_says_why(grade: Grade, exercise_id: str, cheat: Path, item: str,
                                                  said: str) -> None:
    report = grade(exercise_id, cheat)
    failed = {i.id: i.evidence for i in report.items if not i.passed}
    assert not report.passed and item in failed and said in failed[item], failed


def test_a_cheat_that_reads_the_scenario_finds_nothing_and_must_do_the_work(grade: Grade) -> None:
    """Coach's files are unreadable in the sandbox, so the cheat's canned answer never appears:
    every case's answer is one the stub streamed to a request the program really made."""
    report = grade("sse-parser", CHEATS / "sse_parser__reads_the_scenario.py")
    assert report.passed, [(i.id, i.evidence) for i in report.items if not i.passed]
    assert len(report.timeline) >= 4
