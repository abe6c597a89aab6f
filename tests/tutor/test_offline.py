"""Without a key the offline coach answers from the lesson, and says so."""

from coach.cli import main
from coach.curriculum import load_curriculum
from coach.grader.report import GradeReport, ItemResult
from coach.tutor.offline import offline_reply


def test_ask_without_a_key_gives_a_useful_offline_answer(capsys, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    assert main(["ask", "--lesson", "rate-limits", "why jitter?"]) == 0
    out = capsys.readouterr().out
    assert "Offline coach (no ANTHROPIC_API_KEY)" in out
    assert out.lower().count("jitter") >= 3
    assert out.rstrip().endswith("offline (no ANTHROPIC_API_KEY)")


def test_ask_with_an_unknown_lesson_is_a_usage_error(capsys):
    assert main(["ask", "--lesson", "nope", "hi"]) == 2
    assert "no lesson 'nope'" in capsys.readouterr().err


def test_offline_review_leads_with_the_first_failing_item():
    lesson = load_curriculum().lesson("rate-limits")
    report = GradeReport(exercise="retry-backoff", passed=False, timeline=(), isolation="process", wall_s=1,
                         scenario_s=1, items=(ItemResult("a", "Waits retry-after", False, "came too early", "sleep"),
                                              ItemResult("b", "Jitter", True, "ok", "random")))
    text = offline_reply("help", lesson, report=report)
    assert "1 of 2 pass" in text and "Waits retry-after" in text and "came too early" in text
    assert "Jitter" not in text.split("What lesson")[0]
