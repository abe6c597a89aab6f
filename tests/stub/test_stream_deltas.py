"""How a stream cuts its answer into deltas: `[response] tokens_per_delta` tokens each, paced by token."""

from __future__ import annotations

import httpx2
import pytest

from coach.scenario_time import VirtualClock
from coach.stub.runner import StubThread
from coach.stub.scenario import ScenarioError, parse_scenario
from tests.stub.conftest import HELLO, MODEL, client

TEN_TOKENS_BY_FOUR = 'summary = "t"\n[response]\nttft = 0\ntokens_per_second = 0\ntokens_per_delta = 4\n'


def _text_deltas(stub, max_tokens: int) -> list[str]:  # type: ignore[no-untyped-def]
    with client(stub).messages.stream(model=MODEL, max_tokens=max_tokens, messages=HELLO) as stream:
        return [e.delta.text for e in stream if e.type == "content_block_delta" and e.delta.type == "text_delta"]


def test_each_text_delta_carries_tokens_per_delta_tokens_and_the_last_one_the_rest(start_stub):
    stub = start_stub(TEN_TOKENS_BY_FOUR)
    deltas = _text_deltas(stub, 10)
    assert [len(d.split()) for d in deltas] == [4, 4, 2]
    [entry] = stub.journal.entries()
    assert (entry.text_deltas_sent, entry.text_tokens_sent, entry.usage["output_tokens"]) == (3, 10, 10)


def test_the_deltas_join_to_the_text_a_plain_request_gets(start_stub):
    stub = start_stub(TEN_TOKENS_BY_FOUR)
    plain = client(stub).messages.create(model=MODEL, max_tokens=10, messages=HELLO).content[0].text
    assert "".join(_text_deltas(stub, 10)) == plain


def test_one_token_per_delta_can_still_be_asked_for(start_stub):
    stub = start_stub(TEN_TOKENS_BY_FOUR.replace("tokens_per_delta = 4", "tokens_per_delta = 1"))
    assert [len(d.split()) for d in _text_deltas(stub, 10)] == [1] * 10


def test_thinking_is_chunked_too_and_its_signature_comes_after_it(start_stub):
    stub = start_stub(TEN_TOKENS_BY_FOUR + "[thinking]\ntokens = 6\n")
    with client(stub).messages.stream(model=MODEL, max_tokens=2000, messages=HELLO,
                                      thinking={"type": "enabled", "budget_tokens": 1024}) as stream:
        deltas = [e.delta for e in stream if e.type == "content_block_delta"]
    kinds = [d.type for d in deltas]
    assert kinds[:3] == ["thinking_delta", "thinking_delta", "signature_delta"]
    assert [len(d.thinking.split()) for d in deltas[:2]] == [4, 2]


def test_a_delta_of_k_tokens_arrives_k_over_tokens_per_second_after_the_one_before(tmp_path):
    scenario = parse_scenario('summary = "t"\n[response]\nttft = 0\ntokens_per_second = 10\ntokens_per_delta = 4\n',
                              tmp_path / "paced.toml")
    with StubThread(scenario, VirtualClock()) as stub:
        body = {"model": MODEL, "max_tokens": 10, "stream": True, "messages": HELLO}
        with httpx2.stream("POST", f"{stub.base_url}/v1/messages", json=body, headers={"x-api-key": "k"}) as r:
            r.read()
    [entry] = stub.journal.entries()  # read once the stub has stopped: the handler closes the entry after the body
    # deltas of 4, 4 and 2 tokens at 0, 0.4 and 0.8 scenario seconds (one a token would end at 0.9)
    assert entry.finished_s - entry.arrived_s == pytest.approx(0.8)


def test_zero_tokens_per_delta_is_refused_with_its_line(tmp_path):
    with pytest.raises(ScenarioError, match=r"s.toml:3: response.tokens_per_delta: must be at least 1"):
        parse_scenario('summary = "t"\n[response]\ntokens_per_delta = 0\n', tmp_path / "s.toml")
