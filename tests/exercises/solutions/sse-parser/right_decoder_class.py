"""SSE parser, right: a decoder class fed raw chunks of bytes, and a table of handlers keyed by event name.

Written from scratch, not from the reference: the response is read in chunks (`read1`), so lines are cut by hand,
and `\r\n` endings are handled as the server-sent events format allows.
"""

import json
import os
import urllib.request
from dataclasses import dataclass, field

API_URL = os.environ.get("ANTHROPIC_BASE_URL", "https://api.anthropic.com").rstrip("/") + "/v1/messages"
HEADERS = {
    "x-api-key": os.environ.get("ANTHROPIC_API_KEY", ""),
    "anthropic-version": "2023-06-01",
    "content-type": "application/json",
}
MODEL = "claude-haiku-5-5"


class StreamError(Exception):
    """The API reported an error in the middle of the stream (an `event: error`)."""


@dataclass
class SSEDecoder:
    """Feed it bytes as they come; it hands back each complete (event, data) pair."""

    pending: bytes = b""
    event: str = "message"
    data: list[str] = field(default_factory=list)

    def feed(self, chunk: bytes) -> list[tuple[str, str]]:
        self.pending += chunk
        done = []
        while b"\n" in self.pending:
            raw, self.pending = self.pending.split(b"\n", 1)
            line = raw.removesuffix(b"\r").decode("utf-8")
            if line == "":
                if self.data:
                    done.append((self.event, "\n".join(self.data)))
                self.event, self.data = "message", []
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "event":
                    self.event = value
                elif name == "data":
                    self.data.append(value)
        return done


@dataclass
class Reply:
    text: list[str] = field(default_factory=list)
    stop_reason: str | None = None

    def content_block_delta(self, payload: dict) -> None:
        if payload["delta"]["type"] == "text_delta":
            self.text.append(payload["delta"]["text"])

    def message_delta(self, payload: dict) -> None:
        self.stop_reason = payload["delta"]["stop_reason"]

    def error(self, payload: dict) -> None:
        raise StreamError("{type}: {message}".format(**payload["error"]))


def stream_reply(prompt: str, max_tokens: int) -> dict:
    body = json.dumps({"model": MODEL, "max_tokens": max_tokens, "stream": True,
                       "messages": [{"role": "user", "content": prompt}]}).encode()
    reply, decoder = Reply(), SSEDecoder()
    handlers = {"content_block_delta": reply.content_block_delta, "message_delta": reply.message_delta,
                "error": reply.error}
    request = urllib.request.Request(API_URL, data=body, headers=HEADERS, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        while chunk := response.read1(4096):
            for event, data in decoder.feed(chunk):
                if event in handlers:  # ping and the rest carry nothing this reply needs
                    handlers[event](json.loads(data))
    return {"text": "".join(reply.text), "stop_reason": reply.stop_reason}


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
