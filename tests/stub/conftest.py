"""Fixtures that start a real stub on loopback and point the official SDK at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import anthropic
import anthropic._base_client as sdk_base
import pytest

from coach.clock import ScenarioClock
from coach.stub.runner import StubThread
from coach.stub.scenario import Scenario, load_scenario, parse_scenario

FAST = 1000.0  # scenario seconds per wall second: pacing and faults take milliseconds
MODEL = "claude-sonnet-4-6"
HELLO = [{"role": "user", "content": "Say hello."}]

UNPACED = """
summary = "test"
[response]
ttft = 0
tokens_per_second = 0
"""


@pytest.fixture
def start_stub(tmp_path: Path) -> Iterator[Callable[..., StubThread]]:
    """`start_stub("retry-after")` or `start_stub(toml_text)`; stopped after the test."""
    started: list[StubThread] = []

    def start(scenario: str | Scenario = UNPACED, speed: float = FAST) -> StubThread:
        if isinstance(scenario, str):
            scenario = parse_scenario(scenario, tmp_path / "test.toml") if "\n" in scenario \
                else load_scenario(scenario)
        stub = StubThread(scenario, ScenarioClock(speed=speed)).start()
        started.append(stub)
        return stub

    yield start
    for stub in started:
        stub.stop()


@pytest.fixture
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the SDK chose before each of its retries; it then retries at once.

    The SDK sleeps in this test process (time.sleep / anyio.sleep), not on the scenario clock,
    so tests record the wait it computed from our headers instead of sleeping it.
    """
    waits: list[float] = []
    computed = sdk_base.BaseClient._calculate_retry_timeout

    def record(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        waits.append(computed(self, *args, **kwargs))
        return 0.0

    monkeypatch.setattr(sdk_base.BaseClient, "_calculate_retry_timeout", record)
    return waits


def client(stub: StubThread, **kwargs) -> anthropic.Anthropic:  # type: ignore[no-untyped-def]
    return anthropic.Anthropic(base_url=stub.base_url, api_key="sk-test-key", **kwargs)


def async_client(stub: StubThread, **kwargs) -> anthropic.AsyncAnthropic:  # type: ignore[no-untyped-def]
    return anthropic.AsyncAnthropic(base_url=stub.base_url, api_key="sk-test-key", **kwargs)
