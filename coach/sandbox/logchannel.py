"""Log records leave the learner's process as they are emitted, one JSON line each, on a socket
of their own; the runner stamps each on arrival, in scenario time.

No list inside the process is the evidence, so a record cannot be rewritten, removed or
back-dated after it was sent. Scenario time stands still while a record is unread, so the time
the runner reads just before reading a record is the moment it was sent; the program's own
`created` claim is kept in the record but never used to place it.
"""

from __future__ import annotations

import json
import os
from typing import Any

MAX_LINE = 64 << 10
"""Longest record line the runner accepts; a longer one is cut off and dropped."""


def send(fd: int, record: dict[str, Any]) -> None:
    """Write one record as a line; a closed channel drops it silently (the run goes on)."""
    data = (json.dumps(record, default=str) + "\n").encode()
    while data:
        try:
            written = os.write(fd, data)
        except InterruptedError:
            continue
        except OSError:
            return
        data = data[written:]


class LogChannel:
    """The runner's end: splits the stream into records and stamps each with when it arrived."""

    def __init__(self, now: Any, epoch: float, limit: int) -> None:
        self.now, self.epoch, self.limit = now, epoch, limit
        self.records: list[dict[str, Any]] = []
        self._pending = b""
        self._last_s = float("-inf")

    def feed(self, chunk: bytes, arrived: float | None = None) -> None:
        arrived = self.now() if arrived is None else arrived
        lines = (self._pending + chunk).split(b"\n")
        self._pending = lines.pop()
        if len(self._pending) > MAX_LINE:
            self._pending = b""
        for line in lines:
            self._take(line, arrived)

    def _take(self, line: bytes, arrived: float) -> None:
        if len(self.records) >= self.limit or len(line) > MAX_LINE:
            return
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            return
        if not isinstance(record, dict):
            return
        # Scenario time cannot move while a record is unread (the clock waits for this socket to be read
        # empty), so its arrival is the very moment it was sent: the program's own `created` is not needed.
        at = arrived
        self._last_s = at
        record["arrived_s"] = round(arrived, 6)
        record["at_s"] = round(at, 6)
        self.records.append(record)
