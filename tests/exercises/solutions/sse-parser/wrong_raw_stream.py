"""SSE parser, wrong: lets the SDK send the request and parse the events, and only assembles them.

Write `stream_reply`. It sends the request itself (urllib.request, from the standard library) and
turns the server-sent events into the answer's text and stop_reason. `main()` asks four questions;
the local API cuts one short with max_tokens, sends keep-alive pings in the middle of another and
breaks the last one with an error event. Run and grade with `coach grade sse-parser` (or Ctrl+R in the app).
"""

import os

import anthropic

API_URL = os.environ.get("ANTHROPIC_BASE_URL", "https://api.anthropic.com").rstrip("/") + "/v1/messages"
HEADERS = {
    "x-api-key": os.environ.get("ANTHROPIC_API_KEY", ""),
    "anthropic-version": "2023-06-01",
    "content-type": "application/json",
}
MODEL = "claude-haiku-5-5"


class StreamError(Exception):
    """The API reported an error in the middle of the stream (an `event: error`)."""


client = anthropic.Anthropic(max_retries=0)


def stream_reply(prompt: str, max_tokens: int) -> dict:
    """Stream one answer over plain HTTP; return {"text": ..., "stop_reason": ...}."""
    body = {"model": MODEL, "max_tokens": max_tokens, "stream": True,
            "messages": [{"role": "user", "content": prompt}]}
    pieces, stop_reason = [], None
    try:
        with client.messages.create(**body) as stream:  # body has "stream": True
            for event in stream:  # the SDK skips pings for us
                if event.type == "content_block_delta" and event.delta.type == "text_delta":
                    pieces.append(event.delta.text)
                elif event.type == "message_delta":
                    stop_reason = event.delta.stop_reason
    except anthropic.APIStatusError as error:
        raise StreamError(str(error)) from error
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
