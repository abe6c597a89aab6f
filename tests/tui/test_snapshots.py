"""What the main screens look like at the smallest supported size and a roomy one."""

from __future__ import annotations

import pytest

from .conftest import no_blink, wait_for_workers

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home(snap_compare, make_app, size):
    async def settle(pilot):
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lesson(snap_compare, make_app, size):
    async def open_lesson(pilot):
        await pilot.press("enter")
        await pilot.pause()
        no_blink(pilot.app)

    assert snap_compare(make_app(), terminal_size=size, run_before=open_lesson)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_exercise_after_a_failing_run(snap_compare, make_app, size):
    async def run_once(pilot):
        await pilot.press("enter", "ctrl+e")
        no_blink(pilot.app)
        await pilot.press("ctrl+r")
        await wait_for_workers(pilot.app, pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_once)


def test_exercise_timeline(snap_compare, make_app):
    async def show_timeline(pilot):
        await pilot.press("enter", "ctrl+e")
        no_blink(pilot.app)
        await pilot.press("ctrl+r")
        await wait_for_workers(pilot.app, pilot)
        pilot.app.screen.query_one("TabbedContent").active = "timeline-tab"
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=show_timeline)


def test_lesson_in_the_light_theme(snap_compare, make_app):
    async def open_lesson(pilot):
        await pilot.press("enter")
        await pilot.pause()
        no_blink(pilot.app)

    assert snap_compare(make_app(theme="textual-light"), terminal_size=(80, 24), run_before=open_lesson)
