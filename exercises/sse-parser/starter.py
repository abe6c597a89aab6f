"""SSE parser: read a streamed answer straight off the wire, without the SDK.

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


def stream_reply(prompt: str, max_tokens: int) -> dict:
    """Stream one answer over plain HTTP; return {"text": ..., "stop_reason": ...}.

    TODO: parse the lines of the response as server-sent events:
    - a line `event: NAME` names the event, a line `data: {...}` carries its JSON, and a blank
      line ends the event;
    - `content_block_delta` events with a `text_delta` carry the text, piece by piece: join the
      pieces exactly as they come;
    - `message_delta` carries the `stop_reason` (in its `delta`);
    - `ping` is a keep-alive that may come anywhere: skip it;
    - `error` means the API failed after the 200 status was sent: raise StreamError with the
      error's type and message (from the event's `error` object).
    """
    body = {"model": MODEL, "max_tokens": max_tokens, "stream": True,
            "messages": [{"role": "user", "content": prompt}]}
    request = urllib.request.Request(API_URL, data=json.dumps(body).encode(), headers=HEADERS, method="POST")
    text, stop_reason = "", None
    with urllib.request.urlopen(request, timeout=30) as response:
        for raw in response:  # one line at a time, ending in "\n"
            line = raw.decode("utf-8").rstrip("\r\n")  # noqa: F841  (yours to parse)
    return {"text": text, "stop_reason": stop_reason}


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
