"""Learner code runs on the stub's scenario clock: retry-after sleeps are exact in scenario time, fast in wall time."""

import itertools
from collections.abc import Iterator

import pytest

from coach.sandbox import SandboxRequest, run_sandboxed
from coach.scenario_time import VirtualClock
from coach.stub.runner import StubThread
from coach.stub.scenario import load_scenario

from .conftest import SMALL

CALL = """
import anthropic
def call(client):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=5,
                                  messages=[{"role": "user", "content": "hi"}])
"""

PROGRAMS = {
    "sync": CALL + "call(anthropic.Anthropic())\n",
    "thread": CALL + (
        "import threading\n"
        "worker = threading.Thread(target=call, args=(anthropic.Anthropic(),))\n"
        "worker.start()\n"
        "worker.join()\n"
    ),
    "asyncio": (
        "import asyncio, anthropic\n"
        "async def main():\n"
        "    await anthropic.AsyncAnthropic().messages.create(\n"
        "        model='claude-haiku-4-5', max_tokens=5, messages=[{'role': 'user', 'content': 'hi'}])\n"
        "asyncio.run(main())\n"
    ),
}


@pytest.fixture
def retry_after_stub() -> Iterator[StubThread]:
    scenario = load_scenario("retry-after")
    with StubThread(scenario, VirtualClock()) as stub:
        yield stub


@pytest.mark.parametrize("style", sorted(PROGRAMS))
def test_retry_after_gaps_equal_the_header_in_scenario_time(level, pools, retry_after_stub, tmp_path, style):
    program = tmp_path / "retry.py"
    program.write_text(PROGRAMS[style])
    result = run_sandboxed(SandboxRequest(file=program, clock=retry_after_stub.server.clock, stub=retry_after_stub,
                                          timeout_s=5, limits=SMALL), pools[level])
    assert result.exit_code == 0, result.stderr
    entries = retry_after_stub.journal.entries()
    assert [e.status for e in entries] == [429, 429, 200]
    gaps = [later.arrived_s - earlier.finished_s for earlier, later in itertools.pairwise(entries)]
    # retry-after: 1 scenario second; host time would be `speed` times longer (20 scenario seconds).
    assert all(1.0 <= gap < 5.0 for gap in gaps), gaps


def test_time_functions_agree_with_the_stub_clock(level, run, stub):
    result = run("""
        import time
        start = time.monotonic()
        time.sleep(30)
        print(round(time.monotonic() - start))
        print(round(time.time() - time.monotonic()))
    """, timeout_s=5)
    slept, epoch = result.stdout.split()
    assert slept == "30"
    assert int(epoch) == round(stub.server.clock.epoch)


def test_socket_timeouts_are_in_scenario_seconds(level, run):
    result = run("""
        import socket, time
        client, _peer = socket.socketpair()
        client.settimeout(20)
        start = time.monotonic()
        try:
            client.recv(1)
        except TimeoutError:
            print(round(time.monotonic() - start), client.gettimeout())
    """, timeout_s=5)
    assert result.stdout.split() == ["20", "20.0"]


def test_datetime_now_agrees_with_the_stub_clock(level, run, stub):
    """An RFC 3339 `*-reset` header minus `datetime.now(timezone.utc)` is a wait in scenario seconds."""
    result = run("""
        import time
        from datetime import datetime, timezone
        time.sleep(100)
        reset = datetime.fromisoformat(datetime.fromtimestamp(time.time() + 5, timezone.utc).isoformat())
        print(round((reset - datetime.now(timezone.utc)).total_seconds()))
        print(round(datetime.now(timezone.utc).timestamp() - time.time()))
        print(round(datetime.now().timestamp() - time.time()))
        made_before_the_patch = datetime.__mro__[1](2026, 1, 2)  # the C type, as the SDK's datetimes are
        print(isinstance(made_before_the_patch, datetime), repr(datetime(2026, 1, 2))[:18])
    """, timeout_s=5)
    assert result.stdout.split() == ["5", "0", "0", "True", "datetime.datetime("], result.stderr
