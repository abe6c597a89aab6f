"""The coach pane: streamed replies, status, what gets sent, and failures that leave the app usable."""

from __future__ import annotations

import pytest
from textual.widgets import Markdown

from coach.tui.widgets.coach_pane import CoachPane

from .conftest import shown_screen, wait_for_workers, wait_until
from .doubles import BrokenTutor, StallingTutor


def replies(pane: CoachPane) -> list[str]:
    return [markdown.source for markdown in pane.query(Markdown)]


async def ask_on_the_lesson(pilot, question: str) -> None:
    """Open lesson 1, open the coach, type the question: each key once its screen and box are up."""
    from coach.tui.screens.home import HomeScreen
    from coach.tui.screens.lesson import LessonScreen

    await shown_screen(pilot, HomeScreen)
    await pilot.press("enter")
    screen = await shown_screen(pilot, LessonScreen)
    await pilot.press("ctrl+t")
    box = screen.query_one("#coach-input")
    await wait_until(pilot, lambda: box.has_focus)
    await pilot.press(*question, "enter")


async def test_a_question_is_answered_by_the_streamed_reply(make_app, tutor):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ask_on_the_lesson(pilot, "why wait?")
        await wait_for_workers(app, pilot)
        pane = app.screen.query_one(CoachPane)
        assert replies(pane) == ["".join(tutor.chunks)]
        assert tutor.asked[0][0] == "why wait?"
        assert tutor.asked[0][1].lesson_id == "retries"


async def test_each_reply_is_written_through_one_markdown_stream(make_app, monkeypatch):
    from textual.widgets.markdown import MarkdownStream

    streams: list[MarkdownStream] = []
    original = Markdown.get_stream

    def counting(markdown):
        streams.append(original(markdown))
        return streams[-1]

    monkeypatch.setattr(Markdown, "get_stream", staticmethod(counting))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ask_on_the_lesson(pilot, "first")
        await wait_for_workers(app, pilot)
        await pilot.press(*"second", "enter")
        await wait_for_workers(app, pilot)
    assert len(streams) == 2


async def test_the_status_line_shows_mode_tokens_and_cost_after_a_reply(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ask_on_the_lesson(pilot, "hi")
        await wait_for_workers(app, pilot)
        status = str(app.screen.query_one("#coach-status").render())
        assert "offline" in status and "42 tokens" in status and "$0.0012" in status


async def test_talking_a_discussion_through_sends_its_situation(make_app, tutor):
    from coach.tui.screens.home import HomeScreen
    from coach.tui.screens.lesson import LessonScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await shown_screen(pilot, HomeScreen)
        await pilot.press("enter")
        lesson = await shown_screen(pilot, LessonScreen)
        lesson.query_one("#discuss-nightly-batch").press()
        await wait_for_workers(app, pilot)
        message, context = tutor.asked[0]
        assert "Several hundred documents every night" in message
        assert context.discussion_id == "nightly-batch"


async def test_sending_code_to_the_coach_includes_the_code_and_the_last_report(make_app, tutor):
    from .test_exercise import open_exercise

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_exercise(app, pilot)
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
        await pilot.press("ctrl+o")
        await wait_for_workers(app, pilot)
        _, context = tutor.asked[0]
        assert context.exercise_id == "first-call"
        assert "NotImplementedError" in context.code
        assert context.report is not None and not context.report.passed


async def test_a_coach_that_fails_mid_reply_leaves_the_pane_usable(make_app):
    app = make_app(tutor_factory=BrokenTutor)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await ask_on_the_lesson(pilot, "hi")
        await wait_for_workers(app, pilot)
        pane = app.screen.query_one(CoachPane)
        assert not pane.busy
        assert any("the coach fell over" in n.message for n in app._notifications)
        assert replies(pane) == ["Let me"], "what arrived before the failure stays"
        assert "the coach fell over" in str(pane.query_one(".coach-error").render())
        await pilot.press(*"again", "enter")
        await wait_for_workers(app, pilot)
        assert len(pane.query(".from-learner")) == 2, "the pane still takes questions"


async def test_a_new_question_cuts_the_stalled_reply_short(make_app):
    stalling = StallingTutor(["Second ", "answer."])
    app = make_app(tutor_factory=lambda: stalling)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask_on_the_lesson(pilot, "first")
        pane = app.screen.query_one(CoachPane)
        await wait_until(pilot, lambda: replies(pane) == ["Thinking about "])
        await pilot.press(*"second", "enter")
        await wait_for_workers(app, pilot)
        assert replies(pane) == ["Thinking about ", "Second answer."]
        assert not pane.busy


def _real_coach(base_url: str, tmp_path):
    """The real `CoachSession`, pointed at the local stub, telemetry in a temporary folder."""
    from coach.tutor.config import load_config
    from coach.tutor.session import CoachSession
    from coach.tutor.telemetry import Telemetry

    config = load_config(read_file=False, environ={"ANTHROPIC_API_KEY": "sk-ant-test-not-real",
                                                   "ANTHROPIC_BASE_URL": base_url})
    return CoachSession(config=config, telemetry=Telemetry(tmp_path / "telemetry.jsonl"))


@pytest.mark.parametrize("scenario", ["healthy", "stream-cut"])
async def test_asking_the_real_coach_streams_a_reply_from_the_stub_once(make_app, tmp_path, scenario):
    from coach.clock import ScenarioClock
    from coach.stub.runner import StubThread
    from coach.stub.scenario import load_scenario

    with StubThread(load_scenario(scenario), ScenarioClock(speed=50)) as stub:
        coach = _real_coach(stub.base_url, tmp_path)
        app = make_app(tutor_factory=lambda: coach)
        async with app.run_test(size=(120, 40)) as pilot:
            await ask_on_the_lesson(pilot, "why wait?")
            await wait_for_workers(app, pilot)
            pane = app.screen.query_one(CoachPane)
            [reply] = replies(pane)
            assert len(reply.split()) > 3, reply
            assert coach.tokens > 0
            assert "online" in str(pane.query_one("#coach-status").render())
        journal = stub.journal.entries()
    finished = [entry for entry in journal if entry.stream_end == "complete"]
    assert len(finished) == 1
    # Shown once: the reply on screen has exactly the words of the one complete stream.
    assert len(reply.split()) <= finished[0].usage["output_tokens"] + 5
