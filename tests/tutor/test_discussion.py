"""A discussion is judged from the learner's own words, and only a complete, well-formed verdict counts."""

from types import SimpleNamespace

import pytest

from coach.progress import ProgressStore
from coach.tui.tutor_link import CoachContext
from coach.tutor.discussion import parse_covered

from .conftest import reply, stub_running


def judged(text: str, stop_reason: str = "end_turn") -> SimpleNamespace:
    return SimpleNamespace(stop_reason=stop_reason, content=[SimpleNamespace(type="text", text=text)])


@pytest.mark.parametrize(("answer", "expected"), [
    ('{"covered": [0, 2]}', {0, 2}),
    ('Here you go: {"covered": [1]} hope that helps', {1}),
    ('{"covered": [0, 7, -1]}', {0}),
])
def test_well_formed_verdicts_are_read(answer, expected):
    assert parse_covered(judged(answer), point_count=3) == expected


@pytest.mark.parametrize("answer", ['{"covered": [0, 1', "all of them", '{"covered": "0,1"}', '{"covered": [true]}',
                                    '{"points": [0]}', ""])
def test_malformed_verdicts_reach_nothing(answer):
    assert parse_covered(judged(answer), point_count=3) == set()


def test_a_truncated_verdict_reaches_nothing():
    assert parse_covered(judged('{"covered": [0, 1, 2]}', stop_reason="max_tokens"), point_count=3) == set()


def test_a_refusal_reaches_nothing():
    assert parse_covered(SimpleNamespace(stop_reason="refusal", content=[]), point_count=3) == set()


async def test_discussion_turns_are_judged_and_recorded(coach_for, tmp_path):
    with stub_running("healthy") as stub:
        session = coach_for(stub.base_url)
        discussion = session.curriculum.lesson("rate-limits").discussions[0]
        context = CoachContext(lesson_id="rate-limits", discussion_id=discussion.id)
        opening = await reply(session, "Let's talk it through", CoachContext(
            lesson_id="rate-limits", discussion_id=discussion.id, opening=True))
        answer = "".join(await reply(session, "I would read retry-after and back off", context))
        kinds = [record["kind"] for record in session.telemetry.records()]
    assert "points reached so far" not in "".join(opening), "the app's opening message is not judged"
    assert kinds == ["answer", "answer", "judge"]
    assert f"0 of {len(discussion.points)} points reached so far" in answer
    progress = ProgressStore().load().discussion("rate-limits", discussion.id)
    assert not progress.done, "the stub's judge reply is not a verdict, so nothing is reached"


def test_the_coachs_default_model_is_current_in_the_catalogue():
    from coach import catalogue
    from coach.tutor.config import TutorConfig
    assert catalogue.load(catalogue.BUNDLED_CATALOGUE).get(TutorConfig().model).status == "current"


def test_the_judge_turns_thinking_off_where_it_can_and_lowers_effort_where_it_cannot():
    from coach.tutor.discussion import short_answer_options
    assert short_answer_options("claude-sonnet-5-5") == {"thinking": {"type": "disabled"}}
    assert short_answer_options("claude-opus-5-5") == {"output_config": {"effort": "low"}}
    assert short_answer_options("claude-haiku-4-5") == {}


def test_the_judge_reads_text_blocks_only_never_thinking():
    from types import SimpleNamespace as Block

    from coach.tutor.discussion import parse_covered
    reply = Block(stop_reason="end_turn", content=[
        Block(type="thinking", thinking='{"covered": [0, 1]}', text='{"covered": [0, 1]}'),
        Block(type="text", text='{"covered": [1]}')])
    assert parse_covered(reply, 2) == {1}
