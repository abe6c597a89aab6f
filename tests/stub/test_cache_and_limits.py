"""Prompt caching and rate-limit buckets, observed through usage and headers."""

from __future__ import annotations

import asyncio
from datetime import datetime

import anthropic
import pytest

from tests.stub.conftest import HELLO, MODEL, async_client, client

RPM_10 = 'summary = "t"\n[response]\nttft = 0\ntokens_per_second = 0\n[limits]\nrequests_per_minute = 10\n'
LONG_SYSTEM = "Policy text that every request repeats. " * 120  # about 1,200 tokens


def cached_system(text: str = LONG_SYSTEM, ttl: str | None = None) -> list[dict]:
    control = {"type": "ephemeral", **({"ttl": ttl} if ttl else {})}
    return [{"type": "text", "text": text, "cache_control": control}]


def ask(sdk, system, question="Q1"):  # type: ignore[no-untyped-def]
    return sdk.messages.create(model=MODEL, max_tokens=5, system=system,
                               messages=[{"role": "user", "content": question}]).usage


def test_first_request_writes_the_cache_and_the_next_reads_it(start_stub):
    sdk = client(start_stub())
    first, second = ask(sdk, cached_system()), ask(sdk, cached_system(), "Q2")
    assert first.cache_creation_input_tokens > 1024 and first.cache_read_input_tokens == 0
    assert first.cache_creation.ephemeral_5m_input_tokens == first.cache_creation_input_tokens
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert second.cache_creation_input_tokens == 0
    assert second.input_tokens == first.input_tokens  # only the question differs, and not in length


def test_prefix_below_the_minimum_cacheable_length_is_silently_not_cached(start_stub):
    sdk = client(start_stub())
    short = cached_system("Short policy.")
    first, second = ask(sdk, short), ask(sdk, short)
    assert first.cache_creation_input_tokens == second.cache_read_input_tokens == 0


@pytest.mark.parametrize(("model", "minimum"), [
    ("claude-sonnet-4-6", 1024),
    ("claude-opus-5-5", 512), ("claude-sonnet-5-5", 1024), ("claude-haiku-4-5", 4096), ("claude-opus-4-5", 4096),
    ("claude-opus-4-6", 4096),
])
@pytest.mark.filterwarnings("ignore:The model .* is deprecated:DeprecationWarning")
def test_each_model_caches_only_from_its_minimum_length(start_stub, model, minimum):
    sdk = client(start_stub())

    def written(repeats: int) -> int:
        system = cached_system("Policy text that every request repeats. " * repeats)
        return sdk.messages.create(model=model, max_tokens=5, system=system,
                                   messages=HELLO).usage.cache_creation_input_tokens

    below = minimum // 10 - 5  # the sentence is about 10 tokens
    assert written(below) == 0
    assert written(minimum // 10 + 5) > minimum


def test_top_level_cache_control_caches_up_to_the_last_block(start_stub):
    sdk = client(start_stub())
    document = {"role": "user", "content": LONG_SYSTEM}

    def turn(question: str):  # type: ignore[no-untyped-def]
        return sdk.messages.create(
            model=MODEL, max_tokens=5, cache_control={"type": "ephemeral"},
            messages=[document, {"role": "assistant", "content": "Read."}, {"role": "user", "content": question}],
        ).usage

    first = turn("Q1")
    assert first.cache_creation_input_tokens > 1024
    later = sdk.messages.create(model=MODEL, max_tokens=5, cache_control={"type": "ephemeral"},
                                messages=[document, {"role": "assistant", "content": "Read."},
                                          {"role": "user", "content": "Q1"},
                                          {"role": "assistant", "content": "A1"},
                                          {"role": "user", "content": "Q2"}]).usage
    assert later.cache_read_input_tokens == first.cache_creation_input_tokens  # the conversation so far is read


def test_top_level_cache_control_is_validated_like_a_block_mark(start_stub):
    sdk = client(start_stub())
    with pytest.raises(anthropic.BadRequestError, match=r"cache_control\.ttl"):
        sdk.messages.create(model=MODEL, max_tokens=5, messages=HELLO,
                            cache_control={"type": "ephemeral", "ttl": "2h"})


def test_cache_entry_expires_after_its_ttl_in_scenario_time(start_stub):
    stub = start_stub(speed=1000)  # 5 minutes of scenario time pass in 0.3 s
    sdk = client(stub)
    ask(sdk, cached_system())
    stub.server.clock.sleep(301)
    assert ask(sdk, cached_system()).cache_read_input_tokens == 0


def test_one_hour_ttl_is_reported_as_1h_creation(start_stub):
    usage = ask(client(start_stub()), cached_system(ttl="1h"))
    assert usage.cache_creation.ephemeral_1h_input_tokens == usage.cache_creation_input_tokens > 0


def test_rpm_limit_refuses_the_eleventh_request_with_retry_after(start_stub):
    stub = start_stub(RPM_10, speed=1)
    sdk = client(stub, max_retries=0)
    for _ in range(10):
        sdk.messages.with_raw_response.create(model=MODEL, max_tokens=5, messages=HELLO)
    with pytest.raises(anthropic.RateLimitError) as caught:
        sdk.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
    headers = caught.value.response.headers
    assert headers["retry-after"] == "6"  # one request comes back every 60/10 s
    assert headers["anthropic-ratelimit-requests-limit"] == "10"
    assert headers["anthropic-ratelimit-requests-remaining"] == "0"
    assert caught.value.type == "rate_limit_error"


def test_rate_limit_headers_count_down_and_reset_is_rfc3339(start_stub):
    sdk = client(start_stub(RPM_10, speed=1))
    first = sdk.messages.with_raw_response.create(model=MODEL, max_tokens=5, messages=HELLO).headers
    second = sdk.messages.with_raw_response.create(model=MODEL, max_tokens=5, messages=HELLO).headers
    assert int(first["anthropic-ratelimit-requests-remaining"]) == 9
    assert int(second["anthropic-ratelimit-requests-remaining"]) == 8
    assert datetime.strptime(first["anthropic-ratelimit-requests-reset"], "%Y-%m-%dT%H:%M:%SZ")


def test_buckets_are_per_api_key(start_stub):
    stub = start_stub(RPM_10, speed=1)
    sdk = client(stub, max_retries=0)
    for _ in range(10):
        sdk.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
    with pytest.raises(anthropic.RateLimitError):
        sdk.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
    other = anthropic.Anthropic(base_url=stub.base_url, api_key="another-key", max_retries=0)
    assert other.messages.create(model=MODEL, max_tokens=5, messages=HELLO).type == "message"


def test_input_token_bucket_counts_cache_writes_but_not_reads(start_stub):
    stub = start_stub('summary = "t"\n[response]\nttft = 0\ntokens_per_second = 0\n'
                      '[limits]\ninput_tokens_per_minute = 3000\n', speed=1)
    sdk = client(stub, max_retries=0)
    raw = sdk.messages.with_raw_response.create(model=MODEL, max_tokens=5, system=cached_system(), messages=HELLO)
    written = raw.parse().usage
    after_write = int(raw.headers["anthropic-ratelimit-input-tokens-remaining"])
    assert after_write <= 3000 - written.cache_creation_input_tokens - written.input_tokens
    raw = sdk.messages.with_raw_response.create(model=MODEL, max_tokens=5, system=cached_system(), messages=HELLO)
    assert raw.parse().usage.cache_read_input_tokens > 0
    assert after_write - int(raw.headers["anthropic-ratelimit-input-tokens-remaining"]) <= written.input_tokens + 1


def test_a_retry_before_retry_after_fails_again(start_stub):
    stub = start_stub(RPM_10, speed=1)
    sdk = client(stub, max_retries=0)
    for _ in range(10):
        sdk.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
    for _ in range(2):
        with pytest.raises(anthropic.RateLimitError):
            sdk.messages.create(model=MODEL, max_tokens=5, messages=HELLO)


async def test_two_racing_requests_both_write_because_the_entry_exists_only_once_a_response_starts(start_stub):
    stub = start_stub('summary = "t"\n[response]\nttft = 5\ntokens_per_second = 0\n', speed=100)
    sdk = async_client(stub)
    usages = await asyncio.gather(*(sdk.messages.create(model=MODEL, max_tokens=5, system=cached_system(),
                                                        messages=HELLO) for _ in range(2)))
    assert [u.usage.cache_creation_input_tokens > 0 for u in usages] == [True, True]
    later = await sdk.messages.create(model=MODEL, max_tokens=5, system=cached_system(), messages=HELLO)
    assert later.usage.cache_read_input_tokens > 0


def test_output_token_bucket_refuses_once_emptied(start_stub):
    stub = start_stub('summary = "t"\n[response]\nttft = 0\ntokens_per_second = 0\noutput_tokens = 40\n'
                      '[limits]\noutput_tokens_per_minute = 60\n', speed=1)
    sdk = client(stub, max_retries=0)
    sdk.messages.create(model=MODEL, max_tokens=100, messages=HELLO)
    sdk.messages.create(model=MODEL, max_tokens=100, messages=HELLO)  # 20 left before, 0 after
    with pytest.raises(anthropic.RateLimitError) as caught:
        sdk.messages.create(model=MODEL, max_tokens=100, messages=HELLO)
    assert caught.value.response.headers["anthropic-ratelimit-output-tokens-remaining"] == "0"
    assert "output tokens" in caught.value.message


def test_buckets_are_per_model_class(start_stub):
    sdk = client(start_stub(RPM_10, speed=1), max_retries=0)
    for _ in range(10):
        sdk.messages.create(model="claude-sonnet-4-6", max_tokens=5, messages=HELLO)
    with pytest.raises(anthropic.RateLimitError):
        sdk.messages.create(model="claude-sonnet-5", max_tokens=5, messages=HELLO)
    assert sdk.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=HELLO).type == "message"
