"""Streaming reply, wrong: collects the whole answer, then shows it in one piece.

Write `make_client` and `stream_reply`. `main()` streams six replies into a pretend chat window;
the local API breaks four of them once, in each of the four ways a stream can break, and one
every time. Run and grade with `coach grade streaming-reply` (or Ctrl+R in the app).
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
    """The chat's client: a read timeout that ends a stalled stream in seconds."""
    return anthropic.Anthropic(timeout=anthropic.Timeout(20.0, connect=5.0), max_retries=1)


class StreamBroken(Exception):
    """The stream ended without message_stop: a clean close, which the SDK does not raise for."""


def stream_once(client: anthropic.Anthropic, request: dict, on_text) -> anthropic.types.Message:
    with client.messages.stream(**request) as stream:
        text = "".join(stream.text_stream)
        message = stream.get_final_message()
    if message.stop_reason is None:
        raise StreamBroken("the stream closed before message_stop")
    on_text(text)  # only a whole answer reaches the screen
    return message


def stream_reply(client: anthropic.Anthropic, request: dict, on_text, on_restart) -> anthropic.types.Message:
    """Stream one reply: `on_text(text)` for each piece as it arrives; return the final message."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return stream_once(client, request, on_text)
        except (StreamBroken, httpx2.TransportError, anthropic.APIConnectionError) as error:
            last = error
        except anthropic.APIStatusError as error:
            if error.status_code != 200 and error.status_code < 500 and error.status_code != 429:
                raise  # a request the API rejected will be rejected again
            last = error
        if attempt < MAX_ATTEMPTS:
            on_restart(attempt, last)
            time.sleep(0.5 * attempt)
    raise ReplyFailed(f"the reply broke {MAX_ATTEMPTS} times; last: {type(last).__name__}: {last}") from last


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
