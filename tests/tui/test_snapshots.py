"""What the main screens look like at the smallest supported size and a roomy one."""

from __future__ import annotations

import pytest

from .conftest import no_blink, wait_for_workers, wait_until

SIZES = [(80, 24), (120, 40)]


def steady(run_before):
    """Run the steps, let the app settle, then turn blink off once more: a cursor seen mid-blink while
    grading (or drawn before focus arrived) would make the snapshot differ from run to run."""

    async def run(pilot):
        await run_before(pilot)
        await pilot.pause()
        no_blink(pilot.app)
        await pilot.pause()

    return run


@pytest.fixture(autouse=True)
def home_is_coach_home(coach_home, monkeypatch):
    """The file bar shows the workspace path with ~ for the home folder: the same in every run."""
    monkeypatch.setenv("HOME", str(coach_home))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home(snap_compare, make_app, size):
    async def settle(pilot):
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=steady(settle))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lesson(snap_compare, make_app, size):
    async def open_lesson(pilot):
        await pilot.press("enter")
        await pilot.pause()
        no_blink(pilot.app)

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
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=steady(show_timeline))


def test_lesson_in_the_light_theme(snap_compare, make_app):
    async def open_lesson(pilot):
        await pilot.press("enter")
        await pilot.pause()
        no_blink(pilot.app)

    assert snap_compare(make_app(theme="textual-light"), terminal_size=(80, 24), run_before=steady(open_lesson))


async def _open_exercise(pilot):
    await pilot.press("enter", "ctrl+e")
    # The cursor is drawn only while the editor has focus: wait for it, or the snapshot flakes.
    await wait_until(pilot, lambda: pilot.app.focused is getattr(pilot.app.screen, "editor", None))
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
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=steady(run_before))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_exercise_after_a_pass(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=steady(_pass))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reference_after_a_pass(snap_compare, make_app, size):
    async def run_before(pilot):
        await _pass(pilot)
        await pilot.press("f4")
        await pilot.pause()
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
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=steady(run_before))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_timeline_with_the_request_table(snap_compare, make_app, size):
    async def run_before(pilot):
        await _open_exercise(pilot)
        await _run(pilot)
        pilot.app.screen.query_one("TabbedContent").active = "timeline-tab"
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=steady(run_before))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_keys_panel(snap_compare, make_app, size):
    async def run_before(pilot):
        await _open_exercise(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=steady(run_before))
