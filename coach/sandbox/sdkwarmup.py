"""Pay the SDK's first-use costs once, in the fork server, instead of in every run.

Importing `anthropic` is only part of its price. A fresh process also pays, on first use,
for loading the CA bundle into an SSL context (every client builds one: about 30-50 ms), and
for the SDK's lazily built parsers of messages, streams and errors (another 40-100 ms each).
A forked run inherits whatever the server has already built, so the server sends one of each
through the real SDK before it forks, against an in-process `MockTransport`, and then one
request over a loopback socket to a one-shot `http.server` thread, which has ended before
anything forks: nothing is left running.

Every client in the sandbox then shares one default SSL context. That is safe here, where
the only reachable server is the stub over plain HTTP, and it is what makes a client cost
a millisecond instead of fifty. Nothing here changes what the SDK sends or how it parses;
if any step fails (a new SDK release), the runs just pay the first-use costs again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

log = logging.getLogger(__name__)

MODEL = "claude-haiku-5-5"
_MESSAGE: dict[str, Any] = {
    "id": "msg_warmup", "type": "message", "role": "assistant", "model": MODEL,
    "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn", "stop_sequence": None,
    "usage": {"input_tokens": 1, "output_tokens": 1, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
}
_EVENTS: list[tuple[str, dict[str, Any]]] = [
    ("message_start", {"type": "message_start", "message": {**_MESSAGE, "content": [], "stop_reason": None}}),
    ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    ("ping", {"type": "ping"}),
    ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ok"}}),
    ("content_block_stop", {"type": "content_block_stop", "index": 0}),
    ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                       "usage": {"output_tokens": 1}}),
    ("message_stop", {"type": "message_stop"}),
]
_FAILURES = {"overloaded": (529, "overloaded_error"), "limited": (429, "rate_limit_error"),
             "refused": (400, "invalid_request_error")}


def _answer(request: Any) -> Any:
    import httpx2

    body = json.loads(request.content)
    text = body["messages"][-1]["content"]
    if text in _FAILURES:
        status, kind = _FAILURES[text]
        return httpx2.Response(status, json={"type": "error", "error": {"type": kind, "message": "warm-up"},
                                             "request_id": "req_warmup"})
    if body.get("stream"):
        stream = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in _EVENTS)
        return httpx2.Response(200, content=stream.encode(), headers={"content-type": "text/event-stream"})
    return httpx2.Response(200, json=_MESSAGE, headers={"request-id": "req_warmup"})


def _share_default_ssl_context() -> None:
    import httpcore2

    context = httpcore2.default_ssl_context()
    httpcore2.default_ssl_context = lambda *, _trust_env=True: context


def _request(text: str, stream: bool = False) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 5, "messages": [{"role": "user", "content": text}],
            **({"stream": True} if stream else {})}


def _sync_calls() -> None:
    import anthropic
    import httpx2

    client = anthropic.Anthropic(api_key="sk-warmup", max_retries=0,
                                 http_client=httpx2.Client(transport=httpx2.MockTransport(_answer)))
    client.messages.create(**_request("hello"))
    client.messages.with_raw_response.create(**_request("hello")).parse()
    with client.messages.stream(**_request("hello")) as stream:
        for _ in stream.text_stream:
            pass
        stream.get_final_message()
    for text in _FAILURES:
        with contextlib.suppress(anthropic.APIStatusError):
            client.messages.create(**_request(text))
    client.close()


async def _async_calls() -> None:
    import anthropic
    import httpx2

    client = anthropic.AsyncAnthropic(api_key="sk-warmup", max_retries=0,
                                      http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(_answer)))
    await client.messages.create(**_request("hello"))
    async with client.messages.stream(**_request("hello")) as stream:
        async for _ in stream.text_stream:
            pass
        await stream.get_final_message()
    with contextlib.suppress(anthropic.APIStatusError):
        await client.messages.create(**_request("overloaded"))
    await client.close()


def _loopback_call() -> None:
    """One request over a real loopback socket: the transport's connection code, and the C library's
    resolver (its first `getaddrinfo` reads nsswitch.conf and gai.conf: milliseconds), which the mock
    transport never reaches. The server answers once and is gone before anything forks."""
    import http.server
    import socket
    import threading

    import anthropic

    body = json.dumps(_MESSAGE).encode()

    class Answer(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the name http.server calls
            self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    socket.getaddrinfo("localhost", 80, type=socket.SOCK_STREAM)
    with http.server.HTTPServer(("127.0.0.1", 0), Answer) as server:
        server.timeout = 5.0
        serving = threading.Thread(target=server.handle_request, daemon=True)
        serving.start()
        client = anthropic.Anthropic(api_key="sk-warmup", base_url=f"http://127.0.0.1:{server.server_port}",
                                     max_retries=0, timeout=5.0)
        try:
            client.messages.create(**_request("hello"))
        finally:
            client.close()
            serving.join(5.0)


def warm_sdk() -> bool:
    """Build the SDK's lazily made pieces in this process; False (and runs pay for them) if any step failed."""
    try:
        _share_default_ssl_context()
        _sync_calls()
        asyncio.run(_async_calls())
        _loopback_call()
    except Exception as exc:  # a warm-up is an optimisation: never a reason for the pool not to start
        log.warning("SDK warm-up skipped: %s: %s", type(exc).__name__, exc)
        return False
    return True
