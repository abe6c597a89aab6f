"""SSE parser, wrong: assumes the deltas come in one unbroken run, so a ping between them ends the text.

Write `stream_reply`. It sends the request itself (urllib.request, from the standard library) and
turns the server-sent events into the answer's text and stop_reason. `main()` asks four questions;
the local API cuts one short with max_tokens, sends keep-alive pings in the middle of another and
breaks the last one with an error event. Run and grade with `coach grade sse-parser` (or Ctrl+R in the app).
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
            if name is not None or data:
                yield name, "\n".join(data)
            name, data = None, []
        elif line.startswith(":"):
            continue  # a comment
        else:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
    if name is not None or data:
        yield name, "\n".join(data)


def stream_reply(prompt: str, max_tokens: int) -> dict:
    """Stream one answer over plain HTTP; return {"text": ..., "stop_reason": ...}."""
    body = {"model": MODEL, "max_tokens": max_tokens, "stream": True,
            "messages": [{"role": "user", "content": prompt}]}
    request = urllib.request.Request(API_URL, data=json.dumps(body).encode(), headers=HEADERS, method="POST")
    pieces, stop_reason, text_done = [], None, False
    with urllib.request.urlopen(request, timeout=30) as response:
        for name, data in events(response):
            payload = json.loads(data) if data else {}
            if name == "error":
                error = payload.get("error", {})
                raise StreamError(f"{error.get('type')}: {error.get('message')}")
            if name == "content_block_delta" and payload["delta"].get("type") == "text_delta" and not text_done:
                pieces.append(payload["delta"]["text"])
            elif pieces:
                text_done = True  # the deltas come in one run: the first other event ends the text
            if name == "message_delta":
                stop_reason = payload["delta"].get("stop_reason")
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
