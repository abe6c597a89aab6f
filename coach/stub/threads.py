"""Server-held conversations (`thread`, a beta field the SDK's tool runner sends on `/v1/messages`).

`{"type": "create"}` keeps the request's messages and the reply under the reply's id;
`{"type": "continue", "previous_message_id": id}` sends only the new turn, which the stub appends to
what it holds. A reply is continued at most once (a second continue of it is `thread_already_continued`),
an unknown id is `thread_not_found`: the SDK recovers from both by replaying the full history under
a new thread, as its `_thread_state.py` does for the real API.
"""

from __future__ import annotations

from typing import Any

from coach.stub.request import Rejected

MAX_THREADS = 10_000
"""Held conversations per stub; the oldest go first (a program that loops forever must not fill memory)."""


class Threads:
    def __init__(self) -> None:
        self._held: dict[str, list[dict[str, Any]]] = {}
        self._continued: set[str] = set()

    def messages_of(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """The conversation this request continues: what the stub holds, then the request's own messages."""
        thread = body.get("thread")
        if not thread or thread["type"] != "continue":
            return body["messages"]
        previous = thread["previous_message_id"]
        if previous not in self._held:
            raise _thread_error(404, "not_found_error", f"thread: no conversation is held for message {previous}",
                                "thread_not_found")
        if previous in self._continued:
            raise _thread_error(409, "invalid_request_error",
                                f"thread: message {previous} has already been continued", "thread_already_continued")
        return [*self._held[previous], *body["messages"]]

    def hold(self, body: dict[str, Any], messages: list[dict[str, Any]], message_id: str,
             content: list[dict[str, Any]]) -> None:
        thread = body.get("thread")
        if not thread:
            return
        if thread["type"] == "continue":
            self._continued.add(thread["previous_message_id"])
        self._held[message_id] = [*messages, {"role": "assistant", "content": content}]
        while len(self._held) > MAX_THREADS:
            oldest = next(iter(self._held))
            del self._held[oldest]
            self._continued.discard(oldest)


def _thread_error(status: int, error_type: str, message: str, code: str) -> Rejected:
    return Rejected(status, error_type, message, details={"error_code": code})
