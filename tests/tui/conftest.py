"""A test course, doubles for the slow parts, and helpers that wait for work instead of sleeping."""

from __future__ import annotations

import os
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


LONG_LIVED = {"watch-file"}
"""Worker groups that run as long as their screen (the workspace file's watcher): never waited for."""


def _finite_workers(app: CoachApp) -> list:
    return [worker for worker in app.workers if worker.group not in LONG_LIVED]


async def wait_for_workers(app: CoachApp, pilot) -> None:
    """Wait until every worker (but the long-lived watchers) is done and its messages are handled."""
    for _ in range(2):  # the first round's messages may start more work
        if workers := _finite_workers(app):  # (an empty list would mean "all", watchers included)
            await app.workers.wait_for_complete(workers)
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
        # On then off: setting False again would not fire the watcher that pauses the blink
        # with the cursor shown (when focused) or hidden (when not).
        widget.cursor_blink = True
        widget.cursor_blink = False


def text_of(renderable, width: int = 100) -> str:
    """What a Rich renderable says, as plain text (for widgets that render tables or groups)."""
    from rich.console import Console

    console = Console(width=width, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()
