"""What the main screens look like at the smallest supported size and a roomy one."""

from __future__ import annotations

import pytest

from coach.tui.screens.exercise import ExerciseScreen
from coach.tui.screens.home import HomeScreen
from coach.tui.screens.lesson import LessonScreen
from coach.tui.screens.reference import ReferenceScreen

from .conftest import no_blink, settle, shown_screen, wait_for_workers, wait_until

SIZES = [(80, 24), (120, 40)]


def steady(run_before):
    """Run the steps, let the app settle, then turn blink off once more: a cursor seen mid-blink while
    grading (or drawn before focus arrived) would make the snapshot differ from run to run."""

    async def run(pilot):
        await run_before(pilot)
        await settle(pilot)
        no_blink(pilot.app)
        await settle(pilot)

    return run


@pytest.fixture(autouse=True)
def notifications_stay(monkeypatch):
    """A toast lives for seconds of wall time; under load a snapshot could come after a 3 s one had
    gone. In these pictures every notification stays until the snapshot is taken."""
    from coach.tui.app import CoachApp

    notify = CoachApp.notify

    def staying(self, message, *, timeout=None, **options):
        notify(self, message, timeout=3600, **options)

    monkeypatch.setattr(CoachApp, "notify", staying)


@pytest.fixture(autouse=True)
def home_is_coach_home(coach_home, monkeypatch):
    """The file bar shows the workspace path with ~ for the home folder: the same in every run."""
    monkeypatch.setenv("HOME", str(coach_home))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home(snap_compare, make_app, size):
    async def home(pilot):
        await shown_screen(pilot, HomeScreen)

    assert snap_compare(make_app(), terminal_size=size, run_before=steady(home))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lesson(snap_compare, make_app, size):
    async def open_lesson(pilot):
        await _open_lesson(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=steady(open_lesson))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_exercise_after_a_failing_run(snap_compare, make_app, size):
    async def run_once(pilot):
        await _open_exercise(pilot)
        await pilot.press("ctrl+r")
        await wait_for_workers(pilot.app, pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=steady(run_once))


def test_exercise_timeline(snap_compare, make_app):
    async def show_timeline(pilot):
        await _open_exercise(pilot)
        await pilot.press("ctrl+r")
        await wait_for_workers(pilot.app, pilot)
        pilot.app.screen.query_one("TabbedContent").active = "timeline-tab"

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=steady(show_timeline))


def test_lesson_in_the_light_theme(snap_compare, make_app):
    async def open_lesson(pilot):
        await _open_lesson(pilot)

    assert snap_compare(make_app(theme="textual-light"), terminal_size=(80, 24), run_before=steady(open_lesson))


async def _open_lesson(pilot):
    await shown_screen(pilot, HomeScreen)
    await pilot.press("enter")
    await shown_screen(pilot, LessonScreen)


async def _open_exercise(pilot):
    # Each key once the screen it is meant for is up: a ctrl+e that arrives while lesson 1 is still
    # mounting opens the exercise under a lesson that takes the focus back when it finishes.
    await _open_lesson(pilot)
    await pilot.press("ctrl+e")
    screen = await shown_screen(pilot, ExerciseScreen)
    # The cursor is drawn only while the editor has focus: wait for it, or the snapshot flakes.
    await wait_until(pilot, lambda: pilot.app.focused is screen.editor)
    no_blink(pilot.app)


async def _run(pilot):
    await pilot.press("ctrl+r")
    await wait_for_workers(pilot.app, pilot)


async def _pass(pilot):
    await _open_exercise(pilot)
    pilot.app.screen.editor.load_text("def main():\n    return 'hi'\n")
    await _run(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_exercise_with_a_syntax_error_shows_it_first(snap_compare, make_app, size):
    async def run_before(pilot):
        await _open_exercise(pilot)
        pilot.app.screen.editor.load_text("def main(:\n    pass\n")
        await _run(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=steady(run_before))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_exercise_with_two_hints_revealed(snap_compare, make_app, size):
    async def run_before(pilot):
        await _open_exercise(pilot)
        await _run(pilot)
        await pilot.press("f3", "f3")

    assert snap_compare(make_app(), terminal_size=size, run_before=steady(run_before))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_exercise_after_a_pass(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=steady(_pass))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reference_after_a_pass(snap_compare, make_app, size):
    async def run_before(pilot):
        await _pass(pilot)
        await pilot.press("f4")
        await shown_screen(pilot, ReferenceScreen)
        no_blink(pilot.app)

    assert snap_compare(make_app(), terminal_size=size, run_before=steady(run_before))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_exercise_with_the_coach_open(snap_compare, make_app, size):
    async def run_before(pilot):
        await _open_exercise(pilot)
        await pilot.press("ctrl+o")
        await wait_for_workers(pilot.app, pilot)
        no_blink(pilot.app)

    assert snap_compare(make_app(), terminal_size=size, run_before=steady(run_before))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_exercise_with_unsaved_edits_and_a_change_on_disk(snap_compare, make_app, size):
    async def run_before(pilot):
        await _open_exercise(pilot)
        await pilot.press(*"# mine")
        screen = pilot.app.screen
        screen.file.write_text("# theirs\n", encoding="utf-8")
        await wait_until(pilot, lambda: screen.disk_differs)
        pilot.app.clear_notifications()

    assert snap_compare(make_app(), terminal_size=size, run_before=steady(run_before))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_timeline_with_the_request_table(snap_compare, make_app, size):
    async def run_before(pilot):
        await _open_exercise(pilot)
        await _run(pilot)
        pilot.app.screen.query_one("TabbedContent").active = "timeline-tab"

    assert snap_compare(make_app(), terminal_size=size, run_before=steady(run_before))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_keys_panel(snap_compare, make_app, size):
    async def run_before(pilot):
        await _open_exercise(pilot)
        await pilot.press("f1")

    assert snap_compare(make_app(), terminal_size=size, run_before=steady(run_before))
