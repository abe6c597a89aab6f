"""Log records leave the learner's process as they are emitted, one JSON line each, on a socket
of their own; the runner stamps each on arrival, in scenario time.

No list inside the process is the evidence, so a record cannot be rewritten, removed or
back-dated after it was sent. A record's own `created` time (the scenario clock as the
program read it) is kept only where arrival confirms it: not after the record arrived, and not
before the record ahead of it. Outside that window the arrival time stands.
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

    def feed(self, chunk: bytes) -> None:
        arrived = self.now()
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
        created = record.get("created")
        claimed = float(created) - self.epoch if isinstance(created, int | float) and not isinstance(
            created, bool) else None
        at = claimed if claimed is not None and self._last_s - 1e-6 <= claimed <= arrived + 1e-6 else arrived
        self._last_s = at
        record["arrived_s"] = round(arrived, 6)
        record["at_s"] = round(at, 6)
        self.records.append(record)
