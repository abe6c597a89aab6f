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


def _lesson():
    return load_curriculum().lesson("rate-limits")


def test_numbers_and_identifiers_find_their_section():
    from coach.tutor.offline import best_passage

    assert best_passage("What is a 529?", _lesson()).section == "What a 429 and a 529 are telling you"
    assert "rate-limit headers" in best_passage("anthropic-ratelimit-tokens-remaining", _lesson()).section
    section = best_passage("retry-after", _lesson()).section
    assert "retry-after" in next(s.body for s in _lesson().sections if s.title == section)


def test_a_discussion_opens_with_one_question_not_the_list_of_points():
    from coach.tutor.offline import OfflineCoach

    discussion = _lesson().discussions[0]
    text = OfflineCoach().reply("", _lesson(), discussion=discussion, opening=True)
    assert f"Point 1 of {len(discussion.points)}" in text
    assert not any(point in text for point in discussion.points), "asks before telling"


def test_the_discussion_moves_on_one_point_at_a_time_and_tells_only_when_asked():
    from coach.tutor.offline import OfflineCoach

    coach, discussion = OfflineCoach(), _lesson().discussions[0]
    coach.reply("", _lesson(), discussion=discussion, opening=True)
    first_miss = coach.reply("I would retry quickly", _lesson(), discussion=discussion)
    assert "Point 1 of" in first_miss and discussion.points[0] not in first_miss
    told = coach.reply("tell me", _lesson(), discussion=discussion)
    assert discussion.points[0] in told and "Point 2 of" in told
    assert discussion.points[1] not in told


def test_a_typed_question_on_an_exercise_uses_the_failing_item_and_keeps_its_hint_back():
    from coach.tutor.offline import OfflineCoach

    report = GradeReport(exercise="retry-backoff", passed=False, timeline=(), isolation="process", wall_s=1,
                         scenario_s=1, items=(ItemResult("a", "Waits retry-after", False, "came too early",
                                                         "sleep(float(headers['retry-after']))"),))
    text = OfflineCoach().reply("What is a 529?", _lesson(), report=report)
    assert "What a 429 and a 529 are telling you" in text and "Waits retry-after" in text
    assert "sleep(float" not in text, "the near-code hint stays behind F3"
