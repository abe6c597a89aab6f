"""Every fault kind, as the official SDK experiences it: exception class, fields and retries."""

from __future__ import annotations

import contextlib

import anthropic
import httpx2
import pytest

from tests.stub.conftest import HELLO, MODEL, async_client, client


def create(stub, **kwargs):  # type: ignore[no-untyped-def]
    return client(stub, **kwargs).messages.create(model=MODEL, max_tokens=50, messages=HELLO)


def statuses(stub) -> list[tuple[int | None, int | None]]:  # type: ignore[no-untyped-def]
    return [(e.status, e.retry_count) for e in stub.journal.entries()]


def test_retry_after_scenario_succeeds_on_the_sdks_third_attempt_after_waiting_retry_after(start_stub, retry_waits):
    stub = start_stub("retry-after")
    assert create(stub).stop_reason == "end_turn"
    assert retry_waits == [1.0, 1.0]
    assert statuses(stub) == [(429, 0), (429, 1), (200, 2)]


def test_429_fault_raises_rate_limit_error_with_retry_after_when_retries_are_off(start_stub):
    stub = start_stub("retry-after")
    with pytest.raises(anthropic.RateLimitError) as caught:
        create(stub, max_retries=0)
    assert caught.value.status_code == 429 and caught.value.type == "rate_limit_error"
    assert caught.value.response.headers["retry-after"] == "1"
    assert caught.value.request_id == caught.value.response.headers["request-id"]


def test_overloaded_529_raises_overloaded_error_and_the_sdk_backs_off_exponentially(start_stub, retry_waits):
    stub = start_stub("overloaded")
    with pytest.raises(anthropic.OverloadedError) as caught:
        create(stub, max_retries=1)
    assert caught.value.status_code == 529 and caught.value.type == "overloaded_error"
    assert "retry-after" not in caught.value.response.headers
    assert 0.375 <= retry_waits[0] <= 0.5  # min(0.5 * 2**0, 8) * (1 - 0.25 * random())


@pytest.mark.parametrize(("max_retries", "exception", "status", "error_type"), [
    (0, anthropic.InternalServerError, 500, "api_error"),
    (1, anthropic.ServiceUnavailableError, 503, "api_error"),
    (2, anthropic.GatewayTimeoutError, 504, "timeout_error"),
])
def test_server_errors_scenario_gives_500_503_504_in_order(start_stub, retry_waits, max_retries, exception, status,
                                                           error_type):
    stub = start_stub("server-errors")
    with pytest.raises(exception) as caught:
        create(stub, max_retries=max_retries)
    assert type(caught.value) is exception
    assert caught.value.status_code == status and caught.value.type == error_type


def test_server_errors_scenario_succeeds_after_three_failures(start_stub, retry_waits):
    stub = start_stub("server-errors")
    assert create(stub, max_retries=3).stop_reason == "end_turn"
    assert [status for status, _ in statuses(stub)] == [500, 503, 504, 200]


def test_spend_cap_is_a_429_without_retry_after_that_the_sdk_retries_anyway(start_stub, retry_waits):
    stub = start_stub("spend-cap")
    with pytest.raises(anthropic.RateLimitError) as caught:
        create(stub)
    assert isinstance(caught.value, anthropic.EnforcedSpendLimitReachedError)
    assert "retry-after" not in caught.value.response.headers
    assert statuses(stub) == [(429, 0), (429, 1), (429, 2)]


def test_x_should_retry_false_stops_the_sdks_retries(start_stub, retry_waits):
    stub = start_stub('summary = "t"\n[[faults]]\nkind = "spend-cap"\nshould_retry = false\n')
    with pytest.raises(anthropic.RateLimitError) as caught:
        create(stub)
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert statuses(stub) == [(429, 0)] and retry_waits == []


def test_stream_error_event_raises_api_status_error_with_status_200_and_is_not_retried(start_stub, retry_waits):
    stub = start_stub("stream-cut")
    texts: list[str] = []
    with pytest.raises(anthropic.APIStatusError) as caught, \
            client(stub).messages.stream(model=MODEL, max_tokens=50, messages=HELLO) as stream:
        texts.extend(stream.text_stream)
    assert type(caught.value) is anthropic.APIStatusError
    assert caught.value.status_code == 200 and caught.value.type == "overloaded_error"
    assert len(texts) == 3 and retry_waits == []
    [entry] = stub.journal.entries()
    assert (entry.stream_end, entry.text_deltas_sent, entry.fault) == ("error_event", 3, "stream-error")
    assert entry.usage["output_tokens"] == entry.text_tokens_sent == 9  # three tokens a delta


def test_stream_cut_applies_once_so_a_full_restart_succeeds(start_stub):
    stub = start_stub("stream-cut")
    sdk = client(stub)
    with pytest.raises(anthropic.APIStatusError), \
            sdk.messages.stream(model=MODEL, max_tokens=50, messages=HELLO) as stream:
        stream.until_done()
    with sdk.messages.stream(model=MODEL, max_tokens=50, messages=HELLO) as stream:
        assert stream.get_final_message().stop_reason == "end_turn"


def test_stream_reset_raises_the_raw_remote_protocol_error(start_stub):
    stub = start_stub("stream-reset")
    with pytest.raises(httpx2.RemoteProtocolError), \
            client(stub).messages.stream(model=MODEL, max_tokens=50, messages=HELLO) as stream:
        stream.until_done()
    assert stub.journal.entries()[0].stream_end == "reset"


def test_clean_close_raises_nothing_and_the_final_message_has_no_stop_reason(start_stub):
    stub = start_stub("stream-clean-close")
    with client(stub).messages.stream(model=MODEL, max_tokens=50, messages=HELLO) as stream:
        final = stream.get_final_message()
    assert final.stop_reason is None
    assert stub.journal.entries()[0].stream_end == "clean_close"


def test_stream_stall_raises_the_raw_read_timeout(start_stub):
    stub = start_stub("stall", speed=20)  # 600 scenario s = 30 s wall, far beyond the client's timeout
    sdk = client(stub, timeout=httpx2.Timeout(0.3))
    with pytest.raises(httpx2.ReadTimeout), \
            sdk.messages.stream(model=MODEL, max_tokens=50, messages=HELLO) as stream:
        stream.until_done()
    assert stub.journal.entries()[0].stream_end == "stall"


def test_non_streaming_stall_is_an_api_timeout_error_after_the_sdks_retries(start_stub, retry_waits):
    stub = start_stub('summary = "t"\n[[faults]]\nkind = "stall"\nseconds = 600\nstream = false\n', speed=20)
    with pytest.raises(anthropic.APITimeoutError):
        create(stub, timeout=0.3, max_retries=1)
    assert [e.fault for e in stub.journal.entries()] == ["stall", "stall"]


def test_latency_fault_delays_the_answer_in_scenario_time(start_stub):
    stub = start_stub('summary = "t"\n[response]\nttft = 0\ntokens_per_second = 0\n'
                      '[[faults]]\nkind = "latency"\nseconds = 30\n')
    create(stub)
    [entry] = stub.journal.entries()
    assert entry.finished_s - entry.arrived_s >= 30 and entry.fault == "latency"


def test_fault_by_key_hits_only_that_key(start_stub):
    stub = start_stub('summary = "t"\n[[faults]]\nkind = "status"\nstatus = 401\nkey = "sk-revoked"\n')
    with pytest.raises(anthropic.AuthenticationError):
        anthropic.Anthropic(base_url=stub.base_url, api_key="sk-revoked").messages.create(
            model=MODEL, max_tokens=5, messages=HELLO)
    assert create(stub).stop_reason == "end_turn"


def test_fault_by_text_hits_only_calls_whose_last_user_message_contains_it(start_stub):
    stub = start_stub('summary = "t"\n[[faults]]\nkind = "status"\nstatus = 400\ntext = "case 2:"\n')
    sdk = client(stub, max_retries=0)
    for case in (1, 2, 3):
        with contextlib.suppress(anthropic.BadRequestError):
            sdk.messages.create(model=MODEL, max_tokens=5, messages=[
                {"role": "user", "content": "earlier: case 2:"}, {"role": "assistant", "content": "ok"},
                {"role": "user", "content": [{"type": "text", "text": f"case {case}: summarise"}]}])
    assert [(e.status, e.prompt) for e in stub.journal.entries()] == [
        (200, "case 1: summarise"), (400, "case 2: summarise"), (200, "case 3: summarise")]


def test_fault_by_attempt_fails_only_first_attempts(start_stub, retry_waits):
    stub = start_stub('summary = "t"\n[[faults]]\nkind = "status"\nstatus = 529\nattempt = 0\n')
    create(stub)
    create(stub)
    assert statuses(stub) == [(529, 0), (200, 1), (529, 0), (200, 1)]


def test_probability_faults_are_the_same_on_every_run(start_stub):
    scenario = 'summary = "t"\nseed = 3\n[[faults]]\nkind = "status"\nstatus = 500\nprobability = 0.5\n'
    runs = []
    for _ in range(2):
        stub = start_stub(scenario)
        sdk = client(stub, max_retries=0)
        for _ in range(20):
            with contextlib.suppress(anthropic.InternalServerError):
                sdk.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
        runs.append([e.status for e in stub.journal.entries()])
    assert runs[0] == runs[1] and {500, 200} == set(runs[0])


async def test_async_client_retries_429_honouring_retry_after(start_stub, retry_waits):
    stub = start_stub("retry-after")
    message = await async_client(stub).messages.create(model=MODEL, max_tokens=50, messages=HELLO)
    assert message.stop_reason == "end_turn" and retry_waits == [1.0, 1.0]


async def test_async_stream_error_event(start_stub):
    stub = start_stub("stream-cut")
    with pytest.raises(anthropic.APIStatusError) as caught:
        async with async_client(stub).messages.stream(model=MODEL, max_tokens=50, messages=HELLO) as stream:
            await stream.until_done()
    assert caught.value.type == "overloaded_error"


@pytest.mark.parametrize("stream", [False, True])
def test_refusal_is_a_200_with_stop_reason_refusal(start_stub, stream):
    stub = start_stub('summary = "t"\n[[faults]]\nkind = "refusal"\nafter_deltas = 2\n')
    sdk = client(stub)
    if stream:
        with sdk.messages.stream(model=MODEL, max_tokens=50, messages=HELLO) as events:
            message = events.get_final_message()
    else:
        message = sdk.messages.create(model=MODEL, max_tokens=50, messages=HELLO)
    assert message.stop_reason == "refusal" and message.stop_details.type == "refusal"
    # two deltas of three tokens, streamed or not
    assert message.usage.output_tokens == 6 and len(message.content[0].text.split()) == 6


@pytest.mark.parametrize("stream", [False, True])
def test_refusal_before_any_text_has_an_empty_content_array(start_stub, stream):
    stub = start_stub('summary = "t"\n[[faults]]\nkind = "refusal"\nafter_deltas = 0\n')
    sdk = client(stub)
    if stream:
        with sdk.messages.stream(model=MODEL, max_tokens=50, messages=HELLO) as events:
            message = events.get_final_message()
    else:
        message = sdk.messages.create(model=MODEL, max_tokens=50, messages=HELLO)
    assert (message.stop_reason, message.content, message.usage.output_tokens) == ("refusal", [], 0)


def test_scripted_answer_text_is_cut_at_max_tokens_like_any_answer(start_stub):
    stub = start_stub('summary = "t"\n[response]\ntext = \'{"team": "billing", "priority": 2}\'\n')
    sdk = client(stub)
    whole = sdk.messages.create(model=MODEL, max_tokens=50, messages=HELLO)
    cut = sdk.messages.create(model=MODEL, max_tokens=3, messages=HELLO)
    assert (whole.stop_reason, whole.content[0].text) == ("end_turn", '{"team": "billing", "priority": 2}')
    assert (cut.stop_reason, cut.content[0].text, cut.usage.output_tokens) == ("max_tokens", '{"team": "bi', 3)
