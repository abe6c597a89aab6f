"""SSE parser: the reference solution (passes every checklist item).

Write `stream_reply`. It sends the request itself (urllib.request, from the standard library) and
turns the server-sent events into the answer's text and stop_reason. `main()` asks four questions;
the local API cuts one short with max_tokens, sends keep-alive pings in the middle of another and
breaks the last one with an error event. Run and grade with `coach grade sse-parser` (or Ctrl+R in the app).

Why it is written this way: the parser follows the server-sent events format: a blank line ends an event and
dispatches it only if it carried data, data lines are joined, a line starting with a colon is a comment (its field
name is empty, so it sets nothing), and an event the stream cut before its blank line is dropped as incomplete.
Events are told apart by name: only text_delta pieces are content, stop_reason comes from message_delta rather than
from the last text, and ping, like any event this reply does not need, passes without effect. An error event
raises, because the stream has failed even though the HTTP status was 200.
"""

import json
import os
import urllib.request

API_URL = os.environ.get("ANTHROPIC_BASE_URL", "https://api.anthropic.com").rstrip("/") + "/v1/messages"
HEADERS = {
    "x-api-key": os.environ.get("ANTHROPIC_API_KEY", ""),
    "anthropic-version": "2023-06-01",
    "content-type": "application/json",
}
MODEL = "claude-haiku-5-5"


class StreamError(Exception):
    """The API reported an error in the middle of the stream (an `event: error`)."""


def events(response):
    """(event name, data) for each server-sent event in the response, as it arrives."""
    name, data = None, []
    for raw in response:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:  # a blank line ends the event
            if data:
                yield name, "\n".join(data)
            name, data = None, []
            continue
        field, _, value = line.partition(":")  # a comment, ": ...", has the empty field name
        value = value.removeprefix(" ")
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)


def stream_reply(prompt: str, max_tokens: int) -> dict:
    """Stream one answer over plain HTTP; return {"text": ..., "stop_reason": ...}."""
    body = {"model": MODEL, "max_tokens": max_tokens, "stream": True,
            "messages": [{"role": "user", "content": prompt}]}
    request = urllib.request.Request(API_URL, data=json.dumps(body).encode(), headers=HEADERS, method="POST")
    pieces, stop_reason = [], None
    with urllib.request.urlopen(request, timeout=30) as response:
        for name, data in events(response):
            payload = json.loads(data)
            if name == "error":
                error = payload["error"]
                raise StreamError(f"{error['type']}: {error['message']}")
            if name == "content_block_delta" and payload["delta"]["type"] == "text_delta":
                pieces.append(payload["delta"]["text"])
            elif name == "message_delta":
                stop_reason = payload["delta"]["stop_reason"]
    return {"text": "".join(pieces), "stop_reason": stop_reason}


CASES = {"plain": 200, "short": 5, "keepalive": 200, "overloaded": 200}
"""Each case and the max_tokens it asks for."""


def main() -> dict[str, dict]:
    """Ask once per case; return what the parser made of each stream. Leave as it is."""
    replies = {}
    for case, max_tokens in CASES.items():
        try:
            replies[case] = stream_reply(f"case {case}: where is my parcel?", max_tokens)
        except Exception as error:  # a broken stream must not hide the others
            replies[case] = {"error": f"{type(error).__name__}: {error}"[:300]}
    return replies


if __name__ == "__main__":
    for case, reply in main().items():
        print(f"{case:>10}: {reply}")
