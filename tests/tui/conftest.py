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
        await settle(pilot)


async def wait_until(pilot, condition, timeout: float = 5.0) -> None:
    """Let the app run until `condition()` holds (for what a timer or another thread drives: the file
    watcher, a button's pressed effect, a screen push that finishes after the key that asked for it).

    The timeout counts only the app's own pauses, so a starved process gets as many chances as an idle one."""
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
        # TextArea caches each drawn line under a key that leaves the cursor out when blink is off
        # (Textual 8.2), so a line drawn while the cursor was hidden is reused with the cursor shown,
        # or the other way round, depending on timing. Drop the cache so the picture is drawn afresh.
        line_cache = getattr(widget, "_line_cache", None)
        if line_cache is not None:
            line_cache.clear()
        widget.refresh()


def text_of(renderable, width: int = 100) -> str:
    """What a Rich renderable says, as plain text (for widgets that render tables or groups)."""
    from rich.console import Console

    console = Console(width=width, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


async def settle(pilot) -> None:
    """Until the screen on top has mounted every widget and each has handled every message sent so far.

    `pilot.pause()` alone does not promise that under load: it stops when the process looks idle by
    its CPU time, and a process starved of CPU looks idle while messages still wait. So this repeats
    Textual's own barrier (a callback queued behind every widget's messages) until a round finds the
    same screen, the same widgets, all mounted.
    """
    app = pilot.app
    before: list = []
    for _ in range(100):
        await pilot.wait_for_scheduled_animations()
        nodes = [app.screen, *app.screen.walk_children()]
        if nodes == before and all(node.is_mounted for node in nodes):
            return
        before = nodes
    raise AssertionError(f"{app.screen} kept changing for 100 rounds")


async def shown_screen(pilot, kind: type):
    """The screen of that kind once it is on top and settled (pushes and pops finish after the key)."""
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind))
    await settle(pilot)
    return pilot.app.screen
