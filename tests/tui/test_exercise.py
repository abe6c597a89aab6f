"""The exercise screen: edit, save, run and grade, results, outside edits, reset, failures."""

from __future__ import annotations

from textual.widgets import ProgressBar, TextArea

from coach.progress import ProgressStore
from coach.tui.app import CoachApp
from coach.tui.messages import GradeFinished, GradeProgressed
from coach.tui.screens.exercise import ExerciseScreen
from coach.tui.widgets.checklist import Checklist
from coach.tui.widgets.timeline import Timeline

from .conftest import settle, shown_screen, wait_for_workers, wait_until

FIX = '''"""A first call."""

import anthropic


def main() -> str:
    client = anthropic.Anthropic()
    message = client.messages.create(
        model="claude-sonnet-5-5", max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
    )
    return "".join(b.text for b in message.content if b.type == "text")
'''


async def open_exercise(app: CoachApp, pilot) -> ExerciseScreen:
    """Home -> lesson -> exercise, each key pressed once the screen it is meant for is up."""
    from coach.tui.screens.home import HomeScreen
    from coach.tui.screens.lesson import LessonScreen

    await shown_screen(pilot, HomeScreen)
    await pilot.press("enter")
    await shown_screen(pilot, LessonScreen)
    await pilot.press("ctrl+e")
    screen = await shown_screen(pilot, ExerciseScreen)
    await wait_until(pilot, lambda: screen.editor.has_focus)
    return screen


async def type_fix(screen: ExerciseScreen, pilot) -> None:
    """Replace the starter's NotImplementedError line by typing, as a learner would."""
    editor = screen.query_one(TextArea)
    row = next(i for i, line in enumerate(editor.text.splitlines()) if "NotImplementedError" in line)
    editor.select_line(row)
    await pilot.press("backspace", *"    return 'hi'")


async def test_typing_a_fix_and_running_turns_the_checklist_green(make_app, grader):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
        assert [item.passed for item in screen.query_one(Checklist).items] == [False]
        await type_fix(screen, pilot)
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
        assert [item.passed for item in screen.query_one(Checklist).items] == [True]
        assert "return 'hi'" in grader.calls[-1][1], "run saves the editor before grading"
    assert ProgressStore().load().passed("first-call")


async def test_progress_bar_follows_the_requests_the_grader_reports(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
        assert screen.query_one(ProgressBar).progress == 3
        assert screen.rate_limited == 2
        assert "3 requests" in str(screen.query_one("#run-status").render())


async def test_progress_bar_appears_only_once_a_run_starts(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        assert not screen.query_one(ProgressBar).display
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
        assert screen.query_one(ProgressBar).display


async def test_timeline_and_output_show_the_last_run(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
        timeline = screen.query_one(Timeline)
        assert [p.status for p in timeline.points] == [429, 429, 200]
        chart = str(timeline.render())
        assert "3 request(s) over 6.6 s" in chart and "RPM 5" in chart
        assert "NotImplementedError" in str(screen.query_one("#output").render())


async def test_ctrl_s_saves_the_editor_to_the_workspace_file(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("x", "ctrl+s")
        assert screen.file.read_text(encoding="utf-8") == screen.query_one(TextArea).text
        assert screen.file.read_text(encoding="utf-8").startswith("x")


async def test_an_edit_made_in_another_editor_is_picked_up(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        screen.file.write_text("# edited elsewhere\n", encoding="utf-8")
        editor = screen.query_one(TextArea)
        await wait_until(pilot, lambda: editor.text == "# edited elsewhere\n")


async def test_reset_brings_back_the_starter_and_keeps_the_learners_version(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("x", "ctrl+s")
        screen.action_reset_exercise()
        await settle(pilot)
        assert not screen.query_one(TextArea).text.startswith("x")
        kept = list(screen.file.parent.glob("*.bak"))
        assert len(kept) == 1 and kept[0].read_text(encoding="utf-8").startswith("x")


async def test_a_crashing_grader_shows_an_error_and_the_screen_stays_usable(make_app):
    def crash(exercise, file, *, on_progress):
        raise RuntimeError("the sandbox is on fire")

    app = make_app(grader=crash)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
        assert not screen.running
        assert any("the sandbox is on fire" in n.message for n in app._notifications)
        await pilot.press("x", "ctrl+s")
        assert screen.file.read_text(encoding="utf-8").startswith("x")


async def test_the_real_grader_passes_a_real_fix_against_the_stub(make_app):
    app = make_app(grader=None)  # None: the app builds its own warm grader, as for a learner
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        screen.query_one(TextArea).load_text(FIX)
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
        assert screen.report is not None, "grading finished"
        assert [item.passed for item in screen.query_one(Checklist).items] == [True], screen.report
        assert screen.report.timeline, "the stub saw the request"
        await pilot.press("ctrl+r")  # the second run forks from the warm pool the first one started
        await wait_for_workers(app, pilot)
        assert [item.passed for item in screen.query_one(Checklist).items] == [True], screen.report
    assert app._grading is not None and app._grading._pool is None, "the warm pool is closed with the app"


async def test_leaving_or_quitting_keeps_the_learners_edits(make_app):
    from coach.tui.screens.lesson import LessonScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("x", "escape", "escape")  # the first escape leaves the editor, the second the screen
        await shown_screen(pilot, LessonScreen)
        assert screen.file.read_text(encoding="utf-8").startswith("x")
        await pilot.press("ctrl+e")
        again = await shown_screen(pilot, ExerciseScreen)
        await wait_until(pilot, lambda: again.editor.has_focus)
        await pilot.press("y", "ctrl+q")
    assert screen.file.read_text(encoding="utf-8").startswith("yx")


async def test_a_run_posts_progress_then_the_finished_report(make_app):
    messages: list[object] = []

    def hook(message):
        # A message is seen again as it bubbles up to the app; count each once.
        if isinstance(message, (GradeProgressed, GradeFinished)) and all(m is not message for m in messages):
            messages.append(message)

    app = make_app()
    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await open_exercise(app, pilot)
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
    seen = [type(m).__name__ for m in messages]
    assert seen[-1] == "GradeFinished" and set(seen[:-1]) == {"GradeProgressed"}
