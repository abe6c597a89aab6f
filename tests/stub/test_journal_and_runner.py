"""The journal records what crossed the wire; the admin listener and adopted sockets serve it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time

import anthropic
import httpx2
import pytest

from coach.clock import ScenarioClock
from coach.stub.journal import Journal, read_jsonl
from coach.stub.runner import StubThread
from coach.stub.scenario import load_scenario
from tests.stub.conftest import HELLO, MODEL, async_client, client

SECRET = "sk-ant-very-secret-key-1234"


def test_entry_records_headers_body_summary_and_answer(start_stub):
    stub = start_stub()
    sdk = client(stub, timeout=42.0)
    sdk.messages.create(model=MODEL, max_tokens=20, system="Be brief.", messages=HELLO,
                        extra_headers={"x-correlation-id": "corr-1", "x-request-id": "mine-7"})
    [entry] = stub.journal.entries()
    assert (entry.method, entry.path, entry.status, entry.retry_count) == ("POST", "/v1/messages", 200, 0)
    assert entry.client_ids == {"x-correlation-id": "corr-1", "x-request-id": "mine-7"}
    assert entry.timeout_s == 42.0
    assert (entry.model, entry.max_tokens, entry.stream, entry.has_system, entry.message_count) == (
        MODEL, 20, False, True, 1)
    assert entry.usage["output_tokens"] == 20 and entry.response_headers["request-id"].startswith("req_")
    assert entry.finished_s >= entry.arrived_s


def test_streamed_entry_counts_events_and_deltas(start_stub):
    stub = start_stub()
    with client(stub).messages.stream(model=MODEL, max_tokens=7, messages=HELLO) as stream:
        stream.until_done()
    [entry] = stub.journal.entries()
    # 7 tokens as deltas of 3, 3 and 1, between start, ping, block start and stop, message delta and stop
    assert (entry.stream, entry.text_deltas_sent, entry.text_tokens_sent, entry.events_sent, entry.stream_end) == \
        (True, 3, 7, 9, "complete")


def test_entry_records_the_stop_reason_of_a_plain_and_a_streamed_answer(start_stub):
    stub = start_stub()
    sdk = client(stub)
    sdk.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
    with sdk.messages.stream(model=MODEL, max_tokens=500, messages=HELLO) as stream:
        stream.until_done()
    assert [e.stop_reason for e in stub.journal.entries()] == ["max_tokens", "end_turn"]


def test_the_key_is_never_in_the_journal_only_its_fingerprint(start_stub, tmp_path):
    stub = start_stub()
    anthropic.Anthropic(base_url=stub.base_url, api_key=SECRET).messages.create(
        model=MODEL, max_tokens=5, messages=HELLO)
    text = stub.journal.to_jsonl()
    assert SECRET not in text and SECRET[-8:] not in text
    assert stub.journal.entries()[0].key_fingerprint.startswith("sha256:")


def test_admin_listener_serves_the_journal_since_a_sequence_number(start_stub):
    stub = start_stub()
    sdk = client(stub)
    for _ in range(3):
        sdk.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
    assert stub.admin_url != stub.base_url
    lines = httpx2.get(f"{stub.admin_url}/journal?since=1").text.splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [2, 3]
    assert httpx2.get(stub.admin_url).text.count("\n") == 3
    assert httpx2.get(f"{stub.base_url}/journal", headers={"x-api-key": "k"}).status_code == 404


def test_subscribers_see_arrival_and_end(start_stub):
    stub = start_stub()
    seen = []
    stub.journal.subscribe(lambda entry: seen.append((entry.seq, entry.finished_s is not None)))
    client(stub).messages.create(model=MODEL, max_tokens=5, messages=HELLO)
    assert seen == [(1, False), (1, True)]


async def test_entry_records_which_sdk_client_sent_the_request(start_stub):
    """`x-stainless-async` tells AsyncAnthropic ("async:asyncio") from the synchronous client ("false")."""
    stub = start_stub()
    await async_client(stub).messages.create(model=MODEL, max_tokens=5, messages=HELLO)
    await asyncio.to_thread(client(stub).messages.create, model=MODEL, max_tokens=5, messages=HELLO)
    httpx2.post(f"{stub.base_url}/v1/messages", headers={"x-api-key": "k"},
                json={"model": MODEL, "max_tokens": 5, "messages": HELLO})
    assert [e.client_async for e in stub.journal.entries()] == ["async:asyncio", "false", None]


def test_journal_path_gets_one_json_line_per_finished_request(tmp_path):
    path = tmp_path / "journal.jsonl"
    with StubThread(load_scenario("retry-after"), ScenarioClock(speed=1000), journal_path=path) as stub:
        sdk = client(stub, max_retries=0)
        for _ in range(3):
            with contextlib.suppress(anthropic.RateLimitError):  # the first two are 429s on purpose
                sdk.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
    assert [(e.seq, e.status) for e in read_jsonl(path.read_text())] == [(1, 429), (2, 429), (3, 200)]


def test_adopted_listening_socket_is_served(start_stub):
    stub = start_stub()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    port = sock.getsockname()[1]
    stub.adopt_socket(sock)
    message = client(stub).with_options(base_url=f"http://127.0.0.1:{port}").messages.create(
        model=MODEL, max_tokens=5, messages=HELLO)
    assert message.type == "message" and len(stub.journal.entries()) == 1


def test_journal_times_are_scenario_seconds(start_stub):
    stub = start_stub('summary = "t"\n[response]\nttft = 2\ntokens_per_second = 10\n', speed=1000)
    client(stub).messages.create(model=MODEL, max_tokens=10, messages=HELLO)
    [entry] = stub.journal.entries()
    assert entry.finished_s - entry.arrived_s >= 3.0  # 2 s to first token + 10 tokens at 10/s, in scenario time


def test_entries_are_snapshots():
    journal = Journal()
    entry = journal.open_entry("POST", "/v1/messages", 0.0)
    snapshot = journal.entries()[0]
    entry.status = 200
    assert snapshot.status is None


def test_stub_thread_on_a_taken_port_raises_and_leaves_no_thread(start_stub):
    taken = start_stub()
    port = int(taken.base_url.rsplit(":", 1)[1])
    before = threading.active_count()
    with pytest.raises(OSError):
        StubThread(load_scenario("healthy"), ScenarioClock(), port=port).start()
    assert threading.active_count() == before


def test_a_client_that_hangs_up_mid_body_is_journaled_as_such_not_as_a_stub_failure(start_stub, caplog):
    stub = start_stub()
    host, port = stub.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as conn:
        conn.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: sk-test\r\n"
                     b"content-type: application/json\r\ncontent-length: 500\r\n\r\n{\"model\": ")
    deadline = time.monotonic() + 5
    while not (entries := stub.journal.entries()) or entries[0].finished_s is None:
        assert time.monotonic() < deadline, "the stub never finished the entry"
        time.sleep(0.01)
    (entry,) = entries
    assert entry.client_closed and entry.status is None
    assert "stub failed" not in caplog.text


def test_a_client_that_hangs_up_while_the_answer_is_paced_ends_its_request_then(start_stub):
    stub = start_stub('summary = "slow"\n[response]\nttft = 30\n', speed=1)
    body = json.dumps({"model": MODEL, "max_tokens": 5, "messages": HELLO}).encode()
    host, port = stub.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as conn:
        conn.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: sk-test\r\n"
                     b"content-type: application/json\r\n" + f"content-length: {len(body)}\r\n\r\n".encode() + body)
        while not stub.journal.entries() or stub.journal.entries()[0].model is None:
            time.sleep(0.01)
    assert stub.journal.settle(5)
    (entry,) = stub.journal.entries()
    assert entry.client_closed and entry.status is None
    assert entry.finished_s - entry.arrived_s < 30  # ended when the client left, not when the answer was due
