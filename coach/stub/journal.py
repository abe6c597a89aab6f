"""The journal: every request the stub saw and what it answered, in scenario time.

The grader judges from this record, never from what learner code says about itself, so it
holds what is observable on the wire: arrival and end times, the retry counter and ids the
client sent, a summary of the body, the status, headers, usage and how a stream ended.
API keys appear only as fingerprints.

Entries are created when a request arrives and updated when it ends; subscribers are called
on both (from the server's thread: hand the work to your own thread or loop if needed).
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

STREAM_ENDS = ("complete", "error_event", "reset", "clean_close", "stall")


@dataclass(slots=True)  # an entry per request, kept for the whole run: smaller, and quicker to fill
class JournalEntry:
    seq: int
    arrived_s: float
    method: str
    path: str
    finished_s: float | None = None
    retry_count: int | None = None
    """`x-stainless-retry-count`: 0 for the SDK's first attempt, 1 and 2 for its retries."""
    client_ids: dict[str, str] = field(default_factory=dict)
    """Request and correlation ids the client sent (`x-request-id`, `x-correlation-id`, any `x-*-id`)."""
    timeout_s: float | None = None
    """The timeout the client announced (`x-stainless-timeout`)."""
    client_async: str | None = None
    """`x-stainless-async`: "false" from the SDK's synchronous client, "async:asyncio" from AsyncAnthropic."""
    key_fingerprint: str | None = None
    model: str | None = None
    max_tokens: int | None = None
    stream: bool | None = None
    has_system: bool | None = None
    cache_control_count: int | None = None
    message_count: int | None = None
    input_tokens_estimated: int | None = None
    prompt: str | None = None
    """The start of the last user message's text, so a grader can tell a program's calls apart."""
    status: int | None = None
    error_type: str | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    usage: dict[str, Any] | None = None
    """The answer's usage; for a stream cut by a fault, `output_tokens` counts the tokens actually sent."""
    events_sent: int = 0
    text_deltas_sent: int = 0
    text_tokens_sent: int = 0
    """Output tokens those text deltas carried (a delta carries `[response] tokens_per_delta` of them)."""
    stream_end: str | None = None
    stop_reason: str | None = None
    """The answer's `stop_reason` (None for an error, or a stream cut before `message_delta`)."""
    fault: str | None = None
    client_closed: bool = False
    """The client hung up before the answer was complete (a cancelled task, its own timeout)."""
    batch: dict[str, Any] | None = None
    """Message Batches calls that succeeded: what a create sent, the status a retrieve or cancel answered, or
    what a results download carried (`coach.stub.batches.Batches.journal_*`)."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class Journal:
    """Thread-safe: the server's loop writes, any thread reads snapshots.

    A snapshot of a request still in flight may show some answer fields filled and others
    not yet; an entry is complete once `finished_s` is set.
    """

    def __init__(self, path: Path | None = None) -> None:
        self._entries: list[JournalEntry] = []
        self.in_flight = 0
        """Requests arrived and not yet finished."""
        self._lock = threading.Lock()
        self._subscribers: list[Callable[[JournalEntry], None]] = []
        self.path = path
        self._file: TextIO | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("w", encoding="utf-8", buffering=1)  # a line per entry, readable as it grows

    def open_entry(self, method: str, path: str, arrived_s: float) -> JournalEntry:
        with self._lock:
            entry = JournalEntry(seq=len(self._entries) + 1, arrived_s=arrived_s, method=method, path=path)
            self._entries.append(entry)
            self.in_flight += 1
        self._notify(entry)
        return entry

    def close_entry(self, entry: JournalEntry, finished_s: float) -> None:
        with self._lock:
            if entry.finished_s is None:
                self.in_flight -= 1
            entry.finished_s = finished_s
            if self._file is not None:
                self._file.write(json.dumps(entry.to_dict()) + "\n")
        self._notify(entry)

    def close(self) -> None:
        """Close the journal file, if any; the in-memory entries stay readable."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def subscribe(self, callback: Callable[[JournalEntry], None]) -> None:
        """`callback(entry_copy)` on every new or finished entry."""
        self._subscribers.append(callback)

    def unsubscribe(self, callback: Callable[[JournalEntry], None]) -> None:
        if callback in self._subscribers:
            self._subscribers.remove(callback)

    def _notify(self, entry: JournalEntry) -> None:
        if not self._subscribers:
            return
        with self._lock:
            copy = dataclasses.replace(entry)
        for callback in list(self._subscribers):
            callback(copy)

    def settle(self, timeout_s: float) -> bool:
        """Wait up to `timeout_s` wall seconds for every request to end; True if none is still in flight.

        A client that exits ends its open requests, but the stub notices a moment later: a grader
        waits for that before it reads the journal.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            with self._lock:
                if all(e.finished_s is not None for e in self._entries):
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.002)

    def entries(self, since: int = 0) -> list[JournalEntry]:
        """Copies of the entries with `seq` greater than `since`, in arrival order."""
        with self._lock:
            return [dataclasses.replace(e, client_ids=dict(e.client_ids), response_headers=dict(e.response_headers),
                                        usage=dict(e.usage) if e.usage else e.usage)
                    for e in self._entries[since:]]

    def to_jsonl(self, since: int = 0) -> str:
        return "".join(json.dumps(e.to_dict()) + "\n" for e in self.entries(since))

    def write(self, path: Path) -> None:
        path.write_text(self.to_jsonl(), encoding="utf-8")


def read_jsonl(text: str) -> list[JournalEntry]:
    """Entries back from `to_jsonl` output (the admin endpoint, a `--journal` file)."""
    return [JournalEntry(**json.loads(line)) for line in text.splitlines() if line.strip()]
