"""Streaming reply: a support chat that streams its answer and survives a broken stream.

Write `make_client` and `stream_reply`. `main()` streams six replies into a pretend chat window;
the local API breaks four of them once, in each of the four ways a stream can break, and one
every time. Run and grade with `coach grade streaming-reply` (or Ctrl+R in the app).
"""

import logging
import time  # noqa: F401  (for a pause between restarts; the sandbox runs it on the scenario clock)

import anthropic
import httpx2  # noqa: F401  (a reset and a stall raise its exceptions, not anthropic's)

MODEL = "claude-haiku-5-5"
MAX_ATTEMPTS = 3
"""Attempts per reply in all, the first one included."""


class ReplyFailed(Exception):
    """Raised when every attempt at a reply broke."""


def make_client() -> anthropic.Anthropic:
    """The chat's client.

    TODO: give it a timeout that suits a chat window instead of the SDK's 600 s default
    (`anthropic.Timeout(20.0, connect=5.0)`: for a stream the read timeout bounds the silence
    between chunks, so a stalled stream fails in seconds, not minutes).
    """
    return anthropic.Anthropic()


def stream_reply(client: anthropic.Anthropic, request: dict, on_text, on_restart) -> anthropic.types.Message:
    """Stream one reply: `on_text(text)` for each piece as it arrives; return the final message.

    TODO:
    - when the stream breaks, start the whole request again (a stream cannot be resumed), calling
      `on_restart(attempt, error)` first so the chat window clears the partial answer;
    - the four ways it breaks: `anthropic.APIStatusError` with status_code 200 (an `event: error`),
      `httpx2.RemoteProtocolError` (a reset), `httpx2.ReadTimeout` (a stall), and a clean close
      that raises nothing but leaves `get_final_message().stop_reason` None;
    - after MAX_ATTEMPTS broken attempts, raise `ReplyFailed` (chained to the last error) instead
      of returning part of an answer.
    """
    with client.messages.stream(**request) as stream:
        for text in stream.text_stream:
            on_text(text)
        return stream.get_final_message()


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
