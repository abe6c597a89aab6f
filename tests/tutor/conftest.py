"""The coach against the local stub: no internet, no real key."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from coach.clock import ScenarioClock
from coach.stub.runner import StubThread
from coach.stub.scenario import load_scenario
from coach.tui.tutor_link import CoachContext
from coach.tutor.config import load_config
from coach.tutor.session import CoachSession
from coach.tutor.telemetry import Telemetry

TEST_KEY = "sk-ant-api03-test-key-for-the-stub-0000"
LESSON = CoachContext(lesson_id="rate-limits")


@pytest.fixture
def scenario_file(tmp_path: Path) -> Callable[[str], Path]:
    def write(toml: str) -> Path:
        path = tmp_path / "scenario.toml"
        path.write_text(textwrap.dedent(toml))
        return path

    return write


@contextmanager
def stub_running(scenario: str | Path) -> Iterator[StubThread]:
    loaded = load_scenario(scenario)
    with StubThread(loaded, ScenarioClock(speed=loaded.speed or 20)) as stub:
        yield stub


@pytest.fixture
def coach_for(tmp_path: Path) -> Callable[..., CoachSession]:
    """`coach_for(base_url, **config)`: a session whose telemetry goes to a temporary file."""

    def build(base_url: str, **config: object) -> CoachSession:
        settings = load_config(read_file=False, environ={"ANTHROPIC_API_KEY": TEST_KEY, "ANTHROPIC_BASE_URL": base_url},
                               **config)
        return CoachSession(config=settings, telemetry=Telemetry(tmp_path / "telemetry.jsonl"))

    return build


async def reply(session: CoachSession, message: str = "why jitter?", context: CoachContext = LESSON) -> list[str]:
    """The reply's pieces; the HTTP client is closed after each, on the test's own loop."""
    try:
        return [piece async for piece in session.stream_reply(message, context)]
    finally:
        await session.aclose()
