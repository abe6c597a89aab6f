"""Every SDK behaviour the lessons teach, asserted against the installed `anthropic` package.

A new SDK release that changes a default, the retry policy or an exception class fails here
loudly instead of letting a lesson teach something false. Requests go to an in-process mock
transport or to a loopback socket; nothing leaves the machine, and retry sleeps are recorded,
not slept.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import anthropic
import httpx2
import pytest
from anthropic import _base_client, _constants
from anthropic.types.shared import EnforcedSpendLimitReachedError

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
MODEL = "claude-sonnet-5-5"
REQUEST = {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}


def error_body(kind: str, error_code: str | None = None) -> dict:
    error: dict = {"type": kind, "message": "test"}
    if error_code:
        error["details"] = {"error_code": error_code}
    return {"type": "error", "error": error}


def message_body(text: str = "ok", stop_reason: str = "end_turn") -> dict:
    return {"id": "msg_1", "type": "message", "role": "assistant", "model": MODEL,
            "content": [{"type": "text", "text": text}], "stop_reason": stop_reason, "stop_sequence": None,
            "usage": {"input_tokens": 3, "output_tokens": 1}}


class Recorder:
    """A mock Messages API: answers with `respond(request)` and remembers every request."""

    def __init__(self, respond: Callable[[httpx2.Request], httpx2.Response]) -> None:
        self.respond = respond
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.respond(request)

    @property
    def retry_counts(self) -> list[str | None]:
        return [r.headers.get("x-stainless-retry-count") for r in self.requests]


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Retry waits the SDK asked for, without waiting."""
    waited: list[float] = []
    monkeypatch.setattr(_base_client.time, "sleep", waited.append)
    return waited


def client_for(recorder: Recorder, **options) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="test-key", base_url="http://127.0.0.1:9",
                               http_client=httpx2.Client(transport=httpx2.MockTransport(recorder)), **options)


def always(status: int, headers: dict | None = None, body: dict | None = None) -> Recorder:
    kind = {429: "rate_limit_error", 529: "overloaded_error"}.get(status, "api_error")
    return Recorder(lambda _: httpx2.Response(status, headers=headers or {}, json=body or error_body(kind)))


# --- defaults ---------------------------------------------------------------------------------

def test_default_max_retries_is_two():
    assert _constants.DEFAULT_MAX_RETRIES == 2
    assert anthropic.Anthropic(api_key="test-key").max_retries == 2


def test_async_client_has_the_same_retry_default():
    assert anthropic.AsyncAnthropic(api_key="test-key").max_retries == 2


def test_default_timeout_is_600_seconds_with_5_second_connect():
    timeout = anthropic.Anthropic(api_key="test-key").timeout
    assert isinstance(timeout, anthropic.Timeout)
    assert (timeout.read, timeout.write, timeout.pool, timeout.connect) == (600, 600, 600, 5.0)


def test_timeout_class_is_the_httpx2_one():
    assert anthropic.Timeout is httpx2.Timeout


def test_backoff_constants_are_half_a_second_doubling_to_eight():
    assert (_constants.INITIAL_RETRY_DELAY, _constants.MAX_RETRY_DELAY) == (0.5, 8.0)


# --- which statuses are retried ----------------------------------------------------------------

@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504, 529])
def test_default_client_retries_status_twice(status, sleeps):
    recorder = always(status)
    with pytest.raises(anthropic.APIStatusError):
        client_for(recorder).messages.create(**REQUEST)
    assert len(recorder.requests) == 3


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 413, 422])
def test_default_client_does_not_retry_status(status, sleeps):
    recorder = always(status)
    with pytest.raises(anthropic.APIStatusError):
        client_for(recorder).messages.create(**REQUEST)
    assert len(recorder.requests) == 1


def test_each_attempt_carries_x_stainless_retry_count(sleeps):
    recorder = always(429)
    with pytest.raises(anthropic.RateLimitError):
        client_for(recorder).messages.create(**REQUEST)
    assert recorder.retry_counts == ["0", "1", "2"]


def test_own_loop_around_default_client_multiplies_requests(sleeps):
    recorder = always(529)
    client = client_for(recorder)
    for _ in range(3):
        with pytest.raises(anthropic.OverloadedError):
            client.messages.create(**REQUEST)
    assert len(recorder.requests) == 9


def test_max_retries_zero_sends_one_request(sleeps):
    recorder = always(429)
    with pytest.raises(anthropic.RateLimitError):
        client_for(recorder).with_options(max_retries=0).messages.create(**REQUEST)
    assert len(recorder.requests) == 1


def test_x_should_retry_false_stops_retrying_a_429(sleeps):
    recorder = always(429, headers={"x-should-retry": "false"})
    with pytest.raises(anthropic.RateLimitError):
        client_for(recorder).messages.create(**REQUEST)
    assert len(recorder.requests) == 1


def test_x_should_retry_true_retries_a_400(sleeps):
    recorder = always(400, headers={"x-should-retry": "true"})
    with pytest.raises(anthropic.BadRequestError):
        client_for(recorder).messages.create(**REQUEST)
    assert len(recorder.requests) == 3


@pytest.mark.parametrize(("failure", "error"), [
    (httpx2.ConnectError("refused"), anthropic.APIConnectionError),
    (httpx2.ConnectTimeout("slow"), anthropic.APITimeoutError),
])
def test_connection_failures_are_retried_and_wrapped(failure, error, sleeps):
    def fail(_: httpx2.Request) -> httpx2.Response:
        raise failure

    recorder = Recorder(fail)
    with pytest.raises(error):
        client_for(recorder).messages.create(**REQUEST)
    assert len(recorder.requests) == 3


def test_api_timeout_error_is_a_connection_error():
    assert issubclass(anthropic.APITimeoutError, anthropic.APIConnectionError)


# --- how long it waits -------------------------------------------------------------------------

def test_retry_after_seconds_is_honoured(sleeps):
    with pytest.raises(anthropic.RateLimitError):
        client_for(always(429, headers={"retry-after": "7"})).messages.create(**REQUEST)
    assert sleeps == [7.0, 7.0]


def test_retry_after_ms_wins_over_retry_after(sleeps):
    with pytest.raises(anthropic.RateLimitError):
        client_for(always(429, headers={"retry-after-ms": "250", "retry-after": "7"})).messages.create(**REQUEST)
    assert sleeps == [0.25, 0.25]


def test_retry_after_above_sixty_seconds_is_obeyed(sleeps):
    with pytest.raises(anthropic.RateLimitError):
        client_for(always(429, headers={"retry-after": "120"})).messages.create(**REQUEST)
    assert sleeps == [120.0, 120.0]


@pytest.mark.parametrize(("random_value", "expected"), [
    (0.0, [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]),  # no jitter: min(0.5 * 2**n, 8)
    (1.0, [0.375, 0.75, 1.5, 3.0, 6.0, 6.0]),  # largest jitter: x (1 - 0.25)
])
def test_backoff_without_hint_doubles_from_half_a_second_capped_at_eight(random_value, expected, sleeps, monkeypatch):
    monkeypatch.setattr(_base_client, "random", lambda: random_value)
    with pytest.raises(anthropic.OverloadedError):
        client_for(always(529), max_retries=6).messages.create(**REQUEST)
    assert sleeps == pytest.approx(expected)


def test_spend_limit_429_has_its_own_class_and_is_still_retried(sleeps):
    recorder = always(429, body=error_body("rate_limit_error", "enforced_spend_limit_reached"))
    with pytest.raises(EnforcedSpendLimitReachedError) as raised:
        client_for(recorder).messages.create(**REQUEST)
    assert isinstance(raised.value, anthropic.RateLimitError)
    assert len(recorder.requests) == 3


# --- exception classes -------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "error"), [
    (400, anthropic.BadRequestError),
    (401, anthropic.AuthenticationError),
    (403, anthropic.PermissionDeniedError),
    (429, anthropic.RateLimitError),
    (500, anthropic.InternalServerError),
    (503, anthropic.ServiceUnavailableError),
    (504, anthropic.GatewayTimeoutError),
    (529, anthropic.OverloadedError),
])
def test_status_raises_exception_class(status, error, sleeps):
    with pytest.raises(anthropic.APIStatusError) as raised:
        client_for(always(status), max_retries=0).messages.create(**REQUEST)
    assert type(raised.value) is error
    assert raised.value.status_code == status


def test_overloaded_error_is_an_internal_server_error():
    assert issubclass(anthropic.OverloadedError, anthropic.InternalServerError)


def test_status_error_carries_request_id_and_error_type(sleeps):
    recorder = always(529, headers={"request-id": "req_test"})
    with pytest.raises(anthropic.OverloadedError) as raised:
        client_for(recorder, max_retries=0).messages.create(**REQUEST)
    assert (raised.value.request_id, raised.value.type) == ("req_test", "overloaded_error")


def exception_table() -> list[tuple[str, int, bool]]:
    """(class name, status, SDK retries) for each row of lesson 4's table with a numeric status."""
    text = tomllib.loads((LESSONS / "04-observability.toml").read_text(encoding="utf-8"))
    rows = []
    for section in text["sections"]:
        for line in section["body"].splitlines():
            match = re.match(r"\|\s*`anthropic\.(\w+)`\s*\|\s*(\d{3})\s*\|\s*(Yes|No)\s*\|", line)
            if match:
                rows.append((match.group(1), int(match.group(2)), match.group(3) == "Yes"))
    return rows


def test_lesson_exception_table_lists_the_common_statuses():
    assert {status for _, status, _ in exception_table()} >= {400, 401, 403, 404, 408, 409, 413, 429, 500, 503,
                                                             504, 529}


@pytest.mark.parametrize(("name", "status", "retried"), exception_table())
def test_lesson_exception_table_row_matches_sdk(name, status, retried, sleeps):
    recorder = always(status)
    with pytest.raises(anthropic.APIStatusError) as raised:
        client_for(recorder, max_retries=1).messages.create(**REQUEST)
    assert type(raised.value) is getattr(anthropic, name)
    assert len(recorder.requests) == (2 if retried else 1)


# --- streams -----------------------------------------------------------------------------------

def text_delta(text: str) -> tuple[str, dict]:
    delta = {"type": "text_delta", "text": text}
    return "content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}


def sse(*events: tuple[str, dict]) -> bytes:
    return b"".join(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events)


STREAM_START = (
    ("message_start", {"type": "message_start", "message": {**message_body(""), "content": [], "stop_reason": None}}),
    ("ping", {"type": "ping"}),
    ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    text_delta("Hel"),
)
STREAM_END = (
    ("ping", {"type": "ping"}),
    text_delta("lo"),
    ("content_block_stop", {"type": "content_block_stop", "index": 0}),
    ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                       "usage": {"output_tokens": 2}}),
    ("message_stop", {"type": "message_stop"}),
)
SSE_HEADERS = {"content-type": "text/event-stream"}


def stream_text(client: anthropic.Anthropic) -> tuple[str, anthropic.types.Message]:
    with client.messages.stream(**REQUEST) as stream:
        text = "".join(stream.text_stream)
        return text, stream.get_final_message()


def test_stream_skips_ping_events_anywhere(sleeps):
    recorder = Recorder(lambda _: httpx2.Response(200, headers=SSE_HEADERS, content=sse(*STREAM_START, *STREAM_END)))
    text, message = stream_text(client_for(recorder))
    assert (text, message.stop_reason) == ("Hello", "end_turn")


def test_stream_error_event_raises_api_status_error_with_status_200_and_is_not_retried(sleeps):
    overloaded = ("error", error_body("overloaded_error"))
    recorder = Recorder(lambda _: httpx2.Response(200, headers=SSE_HEADERS, content=sse(*STREAM_START, overloaded)))
    with pytest.raises(anthropic.APIStatusError) as raised:
        stream_text(client_for(recorder))
    assert (type(raised.value), raised.value.status_code, raised.value.type) == (
        anthropic.APIStatusError, 200, "overloaded_error")
    assert len(recorder.requests) == 1


def test_stream_closed_before_message_stop_raises_nothing_and_has_no_stop_reason(sleeps):
    recorder = Recorder(lambda _: httpx2.Response(200, headers=SSE_HEADERS, content=sse(*STREAM_START)))
    text, message = stream_text(client_for(recorder))
    assert (text, message.stop_reason) == ("Hel", None)
    assert len(recorder.requests) == 1


class LoopbackServer:
    """One-shot HTTP server on 127.0.0.1 that sends the start of an SSE body, then misbehaves."""

    def __init__(self, ending: str) -> None:
        self.ending = ending  # "reset": close mid-body; "stall": go silent
        self.release = threading.Event()
        self.connections = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(5)
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        self.connections += 1
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = int(re.search(rb"content-length:\s*(\d+)", head, re.I).group(1))
            while len(body) < length:
                body += conn.recv(65536)
            chunk = sse(*STREAM_START)
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                         + f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            if self.ending == "stall":
                self.release.wait(10)
            # "reset": close without the terminating zero-length chunk

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.sock.close()
        self.thread.join(5)


@pytest.fixture
def loopback() -> Iterator[Callable[[str], LoopbackServer]]:
    servers: list[LoopbackServer] = []

    def start(ending: str) -> LoopbackServer:
        server = LoopbackServer(ending).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()


def test_stream_reset_mid_body_raises_raw_remote_protocol_error_not_retried(loopback, sleeps):
    server = loopback("reset")
    client = anthropic.Anthropic(api_key="test-key", base_url=server.url)
    with pytest.raises(httpx2.RemoteProtocolError) as raised:
        stream_text(client)
    assert not isinstance(raised.value, anthropic.APIError)
    assert server.connections == 1


def test_stream_stall_raises_raw_read_timeout_not_retried(loopback, sleeps):
    server = loopback("stall")
    client = anthropic.Anthropic(api_key="test-key", base_url=server.url, timeout=anthropic.Timeout(0.3, connect=2.0))
    with pytest.raises(httpx2.ReadTimeout) as raised:
        stream_text(client)
    assert not isinstance(raised.value, anthropic.APIError)
    assert server.connections == 1


def test_broken_stream_errors_share_httpx2_transport_error():
    assert issubclass(httpx2.RemoteProtocolError, httpx2.TransportError)
    assert issubclass(httpx2.ReadTimeout, httpx2.TransportError)


# --- other facts the lessons state -------------------------------------------------------------

def test_non_streaming_call_that_could_exceed_ten_minutes_is_refused(sleeps):
    recorder = Recorder(lambda _: httpx2.Response(200, json=message_body()))
    client = client_for(recorder)
    client.messages.create(**{**REQUEST, "max_tokens": 21_000})
    with pytest.raises(ValueError, match="Streaming is required"):
        client.messages.create(**{**REQUEST, "max_tokens": 22_000})
    assert len(recorder.requests) == 1


def test_stop_reason_values_are_the_seven_taught():
    from typing import get_args

    from anthropic.types import StopReason

    assert set(get_args(StopReason)) == {"end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn",
                                         "refusal", "model_context_window_exceeded"}


def test_usage_splits_cache_writes_by_ttl():
    from anthropic.types import CacheCreation, Usage

    assert {"cache_creation", "cache_creation_input_tokens", "cache_read_input_tokens"} <= set(Usage.model_fields)
    assert {"ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens"} <= set(CacheCreation.model_fields)


def test_request_id_is_exposed_on_messages(sleeps):
    recorder = Recorder(lambda _: httpx2.Response(200, headers={"request-id": "req_abc"}, json=message_body()))
    assert client_for(recorder).messages.create(**REQUEST)._request_id == "req_abc"


# --- facts added with the model catalogue (issue 16) --------------------------------------------

def test_the_course_is_written_for_the_installed_sdk_release():
    """Lesson 4 names the SDK release; an upgrade past it fails here until the lessons are re-checked."""
    body = (LESSONS / "04-observability.toml").read_text(encoding="utf-8")
    named = re.search(r"anthropic (\d+)\.(\d+)\*\*", body)
    assert named is not None
    assert tuple(anthropic.__version__.split(".")[:2]) == named.groups()


def test_non_streaming_threshold_is_21333_tokens_under_the_default_timeout(sleeps):
    recorder = Recorder(lambda _: httpx2.Response(200, json=message_body()))
    client = client_for(recorder)
    client.messages.create(**{**REQUEST, "max_tokens": 21_333})
    with pytest.raises(ValueError, match="Streaming is required"):
        client.messages.create(**{**REQUEST, "max_tokens": 21_334})


def test_an_explicit_timeout_skips_the_ten_minute_check(sleeps):
    recorder = Recorder(lambda _: httpx2.Response(200, json=message_body()))
    client_for(recorder).messages.create(**{**REQUEST, "max_tokens": 64_000}, timeout=30.0)
    client_for(recorder, timeout=30.0).messages.create(**{**REQUEST, "max_tokens": 64_000})
    assert len(recorder.requests) == 2


def test_iterating_a_stream_never_yields_ping_and_adds_the_sdks_own_text_events(sleeps):
    recorder = Recorder(lambda _: httpx2.Response(200, headers=SSE_HEADERS, content=sse(*STREAM_START, *STREAM_END)))
    with client_for(recorder).messages.stream(**REQUEST) as stream:
        kinds = [event.type for event in stream]
    assert "ping" not in kinds and "error" not in kinds
    assert kinds.count("text") == 2 and kinds.count("content_block_delta") == 2
    from anthropic.lib.streaming import _messages
    source = Path(_messages.__file__).read_text(encoding="utf-8")
    for synthetic in ("text", "input_json", "citation", "thinking", "signature"):
        assert f'type="{synthetic}"' in source


def test_a_stream_closed_before_message_start_fails_get_final_message_with_an_assertion(sleeps):
    recorder = Recorder(lambda _: httpx2.Response(200, headers=SSE_HEADERS, content=sse(("ping", {"type": "ping"}))))
    with client_for(recorder).messages.stream(**REQUEST) as stream:
        assert "".join(stream.text_stream) == ""
        with pytest.raises(AssertionError):
            stream.get_final_message()


@pytest.mark.parametrize(("code", "error_class"), [
    ("contract_spend_limit_reached", "ContractSpendLimitReachedError"),
    ("enforced_spend_limit_reached", "EnforcedSpendLimitReachedError"),
    ("ramp_limit_exceeded", "RampLimitExceededError"),
])
def test_each_money_429_has_its_own_rate_limit_subclass(code, error_class, sleeps):
    from anthropic.types import shared
    recorder = always(429, body=error_body("rate_limit_error", code))
    with pytest.raises(anthropic.RateLimitError) as raised:
        client_for(recorder, max_retries=0).messages.create(**REQUEST)
    assert type(raised.value) is getattr(shared, error_class)
    assert raised.value.error_code == code


def test_a_ramp_limit_429_is_retried_after_its_retry_after(sleeps):
    recorder = always(429, headers={"retry-after": "7"}, body=error_body("rate_limit_error", "ramp_limit_exceeded"))
    with pytest.raises(anthropic.RateLimitError):
        client_for(recorder, max_retries=1).messages.create(**REQUEST)
    assert (len(recorder.requests), sleeps) == (2, [7.0])


def test_a_400_is_never_retried_so_a_self_set_spend_limit_is_met_once_per_call(sleeps):
    body = error_body("invalid_request_error")
    body["error"]["message"] = "You have reached your specified API usage limits."
    recorder = Recorder(lambda _: httpx2.Response(400, json=body))
    with pytest.raises(anthropic.BadRequestError):
        client_for(recorder).messages.create(**REQUEST)
    assert len(recorder.requests) == 1


def test_the_sdk_sends_no_idempotency_key_on_messages(sleeps):
    recorder = Recorder(lambda _: httpx2.Response(200, json=message_body()))
    client = client_for(recorder)
    client.messages.create(**REQUEST)
    assert client._idempotency_header is None
    assert not [h for h in recorder.requests[0].headers if "idempotency" in h.lower()]


def test_a_deprecated_model_warns_with_its_end_of_life_date(sleeps):
    recorder = Recorder(lambda _: httpx2.Response(200, json=message_body()))
    with pytest.warns(DeprecationWarning, match="end-of-life on January 22nd, 2027"):
        client_for(recorder).messages.create(**{**REQUEST, "model": "claude-opus-4-5"})


def test_thinking_tokens_count_toward_max_tokens_per_the_sdks_own_docs():
    from anthropic.types import thinking_config_param
    doc = Path(thinking_config_param.__file__).read_text(encoding="utf-8")
    assert "Thinking tokens count toward your `max_tokens` limit" in doc

