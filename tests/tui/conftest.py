"""A test course, doubles for the slow parts, and helpers that wait for work instead of sleeping."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.progress import ProgressStore
from coach.tui.app import CoachApp, build_app

from .doubles import FileJudgingGrader, ScriptedTutor

COURSE = Path(__file__).parent / "course" / "lessons"


@pytest.fixture
def grader() -> FileJudgingGrader:
    return FileJudgingGrader()


@pytest.fixture
def tutor() -> ScriptedTutor:
    return ScriptedTutor(["Good question. ", "What does the **429** ", "response tell you?"])


@pytest.fixture
def make_app(coach_home, grader, tutor):
    """The real app from the one factory, on the test course, with a fixed theme."""

    def make(**overrides) -> CoachApp:
        options = dict(lesson_dirs=[COURSE], store=ProgressStore(), grader=grader,
                       tutor_factory=lambda: tutor, theme="textual-dark")
        options.update(overrides)
        return build_app(**options)

    return make


async def wait_for_workers(app: CoachApp, pilot) -> None:
    """Wait until every worker is done and the messages they posted are handled."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot, condition, timeout: float = 5.0) -> None:
    """Let the app run until `condition()` holds (for things driven by timers, like the file poll)."""
    loop_time = 0.0
    while not condition():
        if loop_time > timeout:
            raise AssertionError(f"condition not met within {timeout} s")
        await pilot.pause(0.05)
        loop_time += 0.05


def no_blink(app: CoachApp) -> None:
    """Snapshots must not depend on where a cursor is in its blink."""
    for widget in app.screen.query("TextArea, Input"):
        widget.cursor_blink = False
