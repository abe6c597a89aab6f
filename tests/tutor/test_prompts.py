"""What the coach is told: the lesson (cached), and in an exercise the learner's code and last report."""

from coach.curriculum import load_curriculum
from coach.grader.report import GradeReport, ItemResult
from coach.tutor.prompts import system_blocks, turn_text


def test_system_prompt_holds_the_whole_lesson_behind_one_cache_breakpoint():
    lesson = load_curriculum().lesson("rate-limits")
    role, text = system_blocks(lesson)
    assert "Ask before you tell" in role["text"] and "cache_control" not in role
    assert text["cache_control"] == {"type": "ephemeral"}
    for section in lesson.sections:
        assert section.title in text["text"]
    assert all(point in text["text"] for point in lesson.discussions[0].points)


def test_turn_carries_the_code_and_the_report_with_evidence():
    exercise = load_curriculum().exercise("retry-backoff")
    report = GradeReport(exercise="retry-backoff", passed=False, timeline=(), isolation="namespaces", wall_s=1.0,
                         scenario_s=9.0, items=(
                             ItemResult("honours-retry-after", "Waits retry-after", False,
                                        "request 2 came 0.30 s after a 429 that said retry-after: 2", "read it"),
                             ItemResult("jitter", "Jittered", True, "line 40 draws a random number", "add one"),
                         ))
    text = turn_text("what now?", exercise=exercise, code="def call_with_retries(): ...", report=report)
    assert "def call_with_retries(): ..." in text
    assert "1 of 2 checklist items pass" in text
    assert "[ ] honours-retry-after" in text and "request 2 came 0.30 s" in text
    assert text.endswith("what now?")
