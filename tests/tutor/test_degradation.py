"""Every failure is one clear line for the learner, a telemetry line with its class, and an offline answer."""

import socket

from .conftest import reply, stub_running


def _always(status: int, extra: str = "") -> str:
    return f"""
        summary = "always {status}"
        speed = 20

        [[faults]]
        kind = "status"
        status = {status}
        {extra}
    """


async def test_rate_limited_past_the_sdk_retries(coach_for, scenario_file):
    with stub_running(scenario_file(_always(429, "retry_after = 1"))) as stub:
        session = coach_for(stub.base_url, max_retries=1)
        text = "".join(await reply(session))
        attempts = len(stub.journal.entries())
    assert "Rate-limited (429) after 2 attempts" in text and "retry-after" not in text.lower().split("429")[0]
    assert "Offline coach" in text
    assert attempts == 2
    assert session.telemetry.records()[-1]["error_class"] == "RateLimitError"
    assert session.online, "a rate limit passes; the next question tries the API again"


async def test_overloaded_says_so(coach_for, scenario_file):
    with stub_running(scenario_file(_always(529))) as stub:
        session = coach_for(stub.base_url, max_retries=1)
        text = "".join(await reply(session))
    assert "overloaded (529)" in text
    assert session.telemetry.records()[-1]["error_class"] == "OverloadedError"


async def test_refused_key_switches_to_the_offline_coach(coach_for, scenario_file):
    with stub_running(scenario_file(_always(401))) as stub:
        session = coach_for(stub.base_url)
        text = "".join(await reply(session))
        second = "".join(await reply(session, "and now?"))
        attempts = len(stub.journal.entries())
    assert "refused the key (401)" in text
    assert session.telemetry.records()[-1]["error_class"] == "AuthenticationError"
    assert not session.online and "Offline coach" in second
    assert attempts == 1, "a refused key is not retried, and not tried again this session"


async def test_connection_refused(coach_for):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    session = coach_for(f"http://127.0.0.1:{port}", max_retries=0)
    text = "".join(await reply(session))
    assert "Could not reach the API" in text
    assert session.telemetry.records()[-1]["error_class"] == "APIConnectionError"


async def test_hard_cap_stops_the_session_before_it_is_crossed(coach_for):
    with stub_running("healthy") as stub:
        # between one and two worst-case replies at the default model's prices (Sonnet 5.5: $2 / $10)
        session = coach_for(stub.base_url, hard_cap_usd=0.04)
        await reply(session)
        spent = session.cost_usd
        text = "".join(await reply(session, "one more"))
        sent = len(stub.journal.entries())
    assert "Cost cap reached" in text
    assert sent == 1, "the request that could cross the cap is never sent"
    assert session.cost_usd == spent <= 0.04


async def test_soft_limit_is_mentioned_once(coach_for):
    with stub_running("healthy") as stub:
        session = coach_for(stub.base_url, soft_limit_usd=0.001)
        first = "".join(await reply(session))
        second = "".join(await reply(session, "again"))
    assert "past the soft limit" in first and "past the soft limit" not in second


async def test_the_sdks_retries_and_a_stream_restart_are_reported_as_status(coach_for, scenario_file):
    statuses: list[str] = []
    with stub_running(scenario_file(_always(529, "times = 1"))) as stub:
        session = coach_for(stub.base_url, max_retries=2)
        session.on_status = statuses.append
        await reply(session)
    assert statuses == ["retry 1 of 2 after a 529"]
    with stub_running("stream-cut") as stub:
        session = coach_for(stub.base_url)
        session.on_status = statuses.append
        await reply(session)
    assert statuses[-1].startswith("the stream broke (APIStatusError)")
