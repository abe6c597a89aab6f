"""The `pings` fault kind: keep-alive pings between text deltas, as the API sends them on slow streams."""

from __future__ import annotations

import httpx2
import pytest

from coach.stub.scenario import ScenarioError, parse_scenario
from tests.stub.conftest import HELLO, MODEL, client

PINGS = """
summary = "t"
[response]
ttft = 0
tokens_per_second = 0
output_tokens = 21
[[faults]]
kind = "pings"
after_deltas = 2
text = "keep alive"
"""


def _events(stub, content: str) -> list[str]:  # type: ignore[no-untyped-def]
    body = {"model": MODEL, "max_tokens": 50, "stream": True, "messages": [{"role": "user", "content": content}]}
    with httpx2.stream("POST", f"{stub.base_url}/v1/messages", json=body, headers={"x-api-key": "k"}) as response:
        return [line.removeprefix("event: ") for line in response.iter_lines() if line.startswith("event: ")]


def test_a_pings_fault_sends_a_ping_after_every_n_deltas_but_never_after_the_last(start_stub):
    stub = start_stub(PINGS)
    events = _events(stub, "keep alive, please")
    middle = events[events.index("content_block_start") + 2:events.index("content_block_stop")]
    assert events[events.index("content_block_start") + 1] == "ping"  # the usual one before the text
    assert middle == ["content_block_delta", "content_block_delta", "ping"] * 3 + ["content_block_delta"]
    entry = stub.journal.entries()[0]  # 21 tokens, three to a delta
    assert (entry.fault, entry.stream_end, entry.text_deltas_sent, entry.stop_reason) == \
        ("pings", "complete", 7, "end_turn")


def test_other_requests_get_only_the_ping_before_the_text(start_stub):
    stub = start_stub(PINGS)
    assert _events(stub, "Say hello.").count("ping") == 1


def test_the_sdk_skips_the_pings_and_assembles_the_same_text(start_stub):
    stub = start_stub(PINGS)
    sdk = client(stub)
    plain = sdk.messages.create(model=MODEL, max_tokens=50, messages=HELLO).content[0].text
    with sdk.messages.stream(model=MODEL, max_tokens=50, messages=[{"role": "user", "content": "keep alive"}]) as s:
        pinged = s.get_final_text()
    assert len(pinged.split()) == len(plain.split()) == 21


def test_pings_need_at_least_one_delta_between_them(tmp_path):
    with pytest.raises(ScenarioError, match="after_deltas: pings need at least 1 delta"):
        parse_scenario('summary = "t"\n[[faults]]\nkind = "pings"\nafter_deltas = 0\n', tmp_path / "p.toml")
