"""Right: raw events from messages.create(stream=True), watching for message_stop, retried by recursion.
"""

import logging
import time

import anthropic
import httpx2

MODEL = "claude-haiku-5-5"
MAX_ATTEMPTS = 3
"""Attempts per reply in all, the first one included."""


class ReplyFailed(Exception):
    """Raised when every attempt at a reply broke."""


def make_client() -> anthropic.Anthropic:
    return anthropic.Anthropic(timeout=30.0, max_retries=0)


BROKEN = (httpx2.RemoteProtocolError, httpx2.ReadTimeout, anthropic.APIConnectionError, anthropic.APITimeoutError)


def _attempt(client: anthropic.Anthropic, request: dict, on_text) -> anthropic.types.Message | None:
    """The whole message, or None when the stream ended before message_stop."""
    start, parts, stop_reason, usage = None, [], None, None
    for event in client.messages.create(**request, stream=True):
        if event.type == "message_start":
            start = event.message
        elif event.type == "content_block_delta" and event.delta.type == "text_delta":
            parts.append(event.delta.text)
            on_text(event.delta.text)
        elif event.type == "message_delta":
            stop_reason, usage = event.delta.stop_reason, event.usage
        elif event.type == "message_stop" and start is not None:
            content = [anthropic.types.TextBlock(type="text", text="".join(parts))]
            return start.model_copy(update={"content": content, "stop_reason": stop_reason,
                                            "usage": start.usage.model_copy(
                                                update={"output_tokens": usage.output_tokens if usage else 0})})
    return None


def stream_reply(client: anthropic.Anthropic, request: dict, on_text, on_restart, attempt: int = 1):
    try:
        message = _attempt(client, request, on_text)
        error: Exception = RuntimeError("the stream closed before message_stop")
    except anthropic.APIStatusError as exc:
        if exc.status_code != 200:
            raise
        message, error = None, exc
    except BROKEN as exc:
        message, error = None, exc
    if message is not None:
        return message
    if attempt >= MAX_ATTEMPTS:
        raise ReplyFailed(f"{MAX_ATTEMPTS} attempts broke; the last: {error}") from error
    on_restart(attempt, error)
    time.sleep(0.25)
    return stream_reply(client, request, on_text, on_restart, attempt + 1)


screen_log = logging.getLogger("chat.screen")
"""One record per piece shown: the grader times these against the stream. Leave as it is."""


class ChatWindow:
    """What the user sees of one reply. Leave as it is: the grader reads it back."""

    def __init__(self) -> None:
        self.text = ""
        self.pieces = 0  # pieces shown since the window was last cleared
        self.restarts = 0

    def show(self, text: str) -> None:
        self.text += text
        self.pieces += 1
        screen_log.debug("shown %r", text)

    def restart(self, attempt: int, error: BaseException) -> None:
        self.text = ""
        self.pieces = 0
        self.restarts += 1


CASES = ["steady", "error-event", "reset", "clean-close", "stall", "outage"]


def main() -> dict[str, dict]:
    """Stream one reply per case into its own window; return what each window shows. Leave as it is."""
    client = make_client()
    windows = {}
    for case in CASES:
        window = ChatWindow()
        request = {"model": MODEL, "max_tokens": 200,
                   "messages": [{"role": "user", "content": f"case {case}: where is my parcel?"}]}
        try:
            message = stream_reply(client, request, window.show, window.restart)
            outcome = {"outcome": "answered", "stop_reason": getattr(message, "stop_reason", None), "error": None}
        except Exception as error:  # whatever broke, the other replies still get their turn
            outcome = {"outcome": "failed", "stop_reason": None, "error": f"{type(error).__name__}: {error}"[:300]}
        windows[case] = {**outcome, "screen": window.text, "pieces": window.pieces, "restarts": window.restarts}
    return windows


if __name__ == "__main__":
    for case, window in main().items():
        said = window["error"] or f"{window['stop_reason']}, {window['restarts']} restart(s)"
        print(f"{case:>12}: {window['outcome']} ({said}): {window['screen'][:60]!r}")
