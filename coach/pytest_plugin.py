"""A pytest plugin (entry point `pytest11`): the `claude_stub` fixture runs the stub for your own tests.

    def test_my_app_survives_429(claude_stub):
        stub = claude_stub("retry-after")      # a bundled scenario's name, or a path to your TOML
        answer = my_app.summarise("...")       # Anthropic() in your code reads stub.env, already set
        assert [e.status for e in stub.journal.entries()][:2] == [429, 429]

Each call starts a fresh stub on loopback (its own journal, cache and limits) and sets
`ANTHROPIC_BASE_URL` and `ANTHROPIC_API_KEY` for the test, so an unmodified `anthropic.Anthropic()`
reaches it; everything is stopped and restored after the test. The stub's clock runs at real speed
unless `speed` says otherwise, because your code sleeps in real time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from coach.clock import ScenarioClock
from coach.stub.journal import Journal
from coach.stub.runner import StubThread
from coach.stub.scenario import ScenarioError, load_scenario

TEST_KEY = "sk-ant-stub-test-key"
"""The key the fixture gives the SDK: the stub accepts any key and keeps only its fingerprint."""


@dataclass(frozen=True)
class ClaudeStub:
    """A running stub: where it listens, what it saw, and the environment that points the SDK at it."""

    base_url: str
    journal: Journal
    env: dict[str, str]
    scenario: str


@pytest.fixture
def claude_stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., ClaudeStub]]:
    """`claude_stub(scenario="healthy", speed=1.0)` starts a stub and points the SDK's environment at it."""
    started: list[StubThread] = []

    def start(scenario: str | Path = "healthy", speed: float = 1.0) -> ClaudeStub:
        try:
            loaded = load_scenario(scenario)
        except ScenarioError as exc:
            pytest.fail(f"claude_stub: {exc}", pytrace=False)
        stub = StubThread(loaded, ScenarioClock(speed=speed)).start()
        started.append(stub)
        env = {"ANTHROPIC_BASE_URL": stub.base_url, "ANTHROPIC_API_KEY": TEST_KEY}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
        return ClaudeStub(stub.base_url, stub.journal, env, loaded.name)

    yield start
    for stub in started:
        stub.stop()
