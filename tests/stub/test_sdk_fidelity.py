"""The official SDK, sync and async, reads the stub's answers as it reads the real API's."""

from __future__ import annotations

import json

import anthropic
import httpx2
import pytest

from tests.stub.conftest import HELLO, MODEL, async_client, client


def test_create_returns_a_message_the_sdk_parses(start_stub):
    message = client(start_stub()).messages.create(model=MODEL, max_tokens=200, messages=HELLO)
    assert isinstance(message, anthropic.types.Message)
    assert message.id.startswith("msg_") and message.role == "assistant" and message.model == MODEL
    assert message.content[0].type == "text" and message.content[0].text
    assert message.stop_reason == "end_turn" and message.stop_sequence is None
    assert message.usage.output_tokens == 40 and message.usage.input_tokens > 0


def test_stream_yields_the_real_event_sequence(start_stub):
    with client(start_stub()).messages.stream(model=MODEL, max_tokens=200, messages=HELLO) as stream:
        types = [event.type for event in stream]
        final = stream.get_final_message()
    assert types[:2] == ["message_start", "content_block_start"]
    assert types[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert final.stop_reason == "end_turn" and final.usage.output_tokens == 40


def test_raw_stream_carries_pings_and_cumulative_usage_in_message_delta(start_stub):
    stub = start_stub()
    body = {"model": MODEL, "max_tokens": 10, "messages": HELLO, "stream": True}
    with httpx2.stream("POST", f"{stub.base_url}/v1/messages", json=body, headers={"x-api-key": "k"}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [(line.split(": ", 1)[1]) for line in response.iter_lines() if line.startswith("event: ")]
    # 10 tokens, three to a delta (the scenario default) and the one left over
    assert events == ["message_start", "content_block_start", "ping", *["content_block_delta"] * 4,
                      "content_block_stop", "message_delta", "message_stop"]


def test_streamed_text_equals_the_non_streamed_text_for_the_same_request(start_stub):
    sdk = client(start_stub())
    created = sdk.messages.create(model=MODEL, max_tokens=200, messages=HELLO)
    with sdk.messages.stream(model=MODEL, max_tokens=200, messages=HELLO) as stream:
        streamed = stream.get_final_text()
    assert streamed == created.content[0].text


def test_with_raw_response_exposes_request_id_and_rate_limit_headers(start_stub):
    raw = client(start_stub()).messages.with_raw_response.create(model=MODEL, max_tokens=50, messages=HELLO)
    assert raw.headers["request-id"].startswith("req_")
    for bucket in ("requests", "tokens", "input-tokens", "output-tokens"):
        for part in ("limit", "remaining", "reset"):
            assert f"anthropic-ratelimit-{bucket}-{part}" in raw.headers
    assert raw.parse().usage.output_tokens == 40


async def test_async_create_and_stream(start_stub):
    sdk = async_client(start_stub())
    message = await sdk.messages.create(model=MODEL, max_tokens=200, messages=HELLO)
    async with sdk.messages.stream(model=MODEL, max_tokens=200, messages=HELLO) as stream:
        text = await stream.get_final_text()
    assert text == message.content[0].text


@pytest.mark.parametrize("system", [
    "You are terse." * 20,
    [{"type": "text", "text": "Cached policy. " * 400, "cache_control": {"type": "ephemeral"}}],
])
def test_count_tokens_matches_the_usage_of_the_same_request(start_stub, system):
    sdk = client(start_stub())
    messages = [*HELLO, {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Again."}]
    counted = sdk.messages.count_tokens(model=MODEL, system=system, messages=messages)
    usage = sdk.messages.create(model=MODEL, max_tokens=20, system=system, messages=messages).usage
    total = usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens
    assert counted.input_tokens == total


def test_error_bodies_have_the_api_shape_and_a_request_id(start_stub):
    stub = start_stub()
    response = httpx2.post(f"{stub.base_url}/v1/messages", json={"model": MODEL}, headers={"x-api-key": "k"})
    body = response.json()
    assert response.status_code == 400
    assert set(body) == {"type", "error", "request_id"} and body["type"] == "error"
    assert body["error"]["type"] == "invalid_request_error" and body["request_id"] == response.headers["request-id"]


def test_same_request_gets_the_same_text_and_another_request_other_text(start_stub):
    first = client(start_stub()).messages.create(model=MODEL, max_tokens=200, messages=HELLO)
    again = client(start_stub()).messages.create(model=MODEL, max_tokens=200, messages=HELLO)
    other = client(start_stub()).messages.create(model=MODEL, max_tokens=200,
                                                 messages=[{"role": "user", "content": "Something else."}])
    assert first.content[0].text == again.content[0].text
    assert other.content[0].text != first.content[0].text


def test_max_tokens_cuts_the_answer_with_stop_reason_max_tokens(start_stub):
    message = client(start_stub()).messages.create(model=MODEL, max_tokens=5, messages=HELLO)
    assert message.stop_reason == "max_tokens" and message.usage.output_tokens == 5


def test_stop_sequence_ends_the_text_before_it(start_stub):
    sdk = client(start_stub())
    full = sdk.messages.create(model=MODEL, max_tokens=200, messages=HELLO).content[0].text
    word = full.split()[6]
    message = sdk.messages.create(model=MODEL, max_tokens=200, messages=HELLO, stop_sequences=[word])
    assert message.stop_reason == "stop_sequence" and message.stop_sequence == word
    assert message.content[0].text == full[: full.index(word)]
    assert word not in message.content[0].text


def test_unknown_path_is_not_found_error(start_stub):
    stub = start_stub()
    response = httpx2.get(f"{stub.base_url}/v1/nothing", headers={"x-api-key": "k"})
    assert response.status_code == 404 and response.json()["error"]["type"] == "not_found_error"


def test_bearer_authorization_is_accepted(start_stub):
    stub = start_stub()
    body = {"model": MODEL, "max_tokens": 5, "messages": HELLO}
    response = httpx2.post(f"{stub.base_url}/v1/messages", content=json.dumps(body),
                           headers={"authorization": "Bearer some-token", "content-type": "application/json"})
    assert response.status_code == 200 and response.json()["type"] == "message"
