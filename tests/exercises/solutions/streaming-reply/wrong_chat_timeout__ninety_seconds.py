"""Streaming reply, wrong (written from scratch): a 90-second read timeout, which feels safe but keeps a chat user waiting.
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
    return anthropic.Anthropic(timeout=anthropic.Timeout(90.0, connect=3.0, read=90.0, write=10.0, pool=5.0))


class Incomplete(Exception):
    pass


class Replier:
    """Streams one request, restarting from scratch on a broken stream."""

    def __init__(self, client: anthropic.Anthropic, attempts: int = MAX_ATTEMPTS) -> None:
        self.client = client
        self.attempts = attempts

    def once(self, request: dict, on_text) -> anthropic.types.Message:
        with self.client.messages.stream(**request) as stream:
            for event in stream:
                if event.type == "text":
                    on_text(event.text)
            final = stream.get_final_message()
        if final.stop_reason is None:
            raise Incomplete("no message_stop")
        return final

    def broken(self, error: Exception) -> bool:
        if isinstance(error, (Incomplete, httpx2.HTTPError, anthropic.APIConnectionError)):
            return True
        return isinstance(error, anthropic.APIStatusError) and (error.status_code == 200 or error.status_code >= 500)

    def reply(self, request: dict, on_text, on_restart) -> anthropic.types.Message:
        error: Exception | None = None
        for n in range(self.attempts):
            if error is not None:
                on_restart(n, error)
                time.sleep(1.0)
            try:
                return self.once(request, on_text)
            except Exception as exc:
                if not self.broken(exc):
                    raise
                error = exc
        raise ReplyFailed(f"gave up after {self.attempts} broken streams: {error!r}") from error


def stream_reply(client: anthropic.Anthropic, request: dict, on_text, on_restart) -> anthropic.types.Message:
    return Replier(client).reply(request, on_text, on_restart)


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
