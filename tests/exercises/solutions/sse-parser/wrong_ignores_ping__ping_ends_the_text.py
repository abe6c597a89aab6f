"""SSE parser, wrong: takes a ping after the text has begun for the end of the answer.

Written from scratch, not from the reference: httpx2 streams the lines, and each event is told by the "type" in its
data rather than by its event: line.
"""

import json
import os

import httpx2

API_URL = os.environ.get("ANTHROPIC_BASE_URL", "https://api.anthropic.com").rstrip("/") + "/v1/messages"
HEADERS = {
    "x-api-key": os.environ.get("ANTHROPIC_API_KEY", ""),
    "anthropic-version": "2023-06-01",
    "content-type": "application/json",
}
MODEL = "claude-haiku-5-5"


class StreamError(Exception):
    """The API reported an error in the middle of the stream (an `event: error`)."""


def payloads(lines):
    """The JSON of each event: its data lines, joined, once the blank line that ends it arrives."""
    buffered: list[str] = []
    for line in lines:
        if line.startswith("data:"):
            buffered.append(line[5:].lstrip(" "))
        elif line == "" and buffered:
            yield json.loads("\n".join(buffered))
            buffered = []


def stream_reply(prompt: str, max_tokens: int) -> dict:
    body = {"model": MODEL, "max_tokens": max_tokens, "stream": True,
            "messages": [{"role": "user", "content": prompt}]}
    text, stop_reason = "", None
    with httpx2.stream("POST", API_URL, json=body, headers=HEADERS, timeout=30) as response:
        for event in payloads(response.iter_lines()):
            kind = event.get("type")
            if kind == "content_block_delta":
                delta = event["delta"]
                if delta.get("type") == "text_delta":
                    text += delta["text"]
            elif kind == "message_delta":
                stop_reason = event["delta"].get("stop_reason")
            elif kind == "ping" and text:
                break  # the server is only keeping the line open: the answer is done
            elif kind == "error":
                problem = event.get("error") or {}
                raise StreamError(f"{problem.get('type')}: {problem.get('message')}")
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
