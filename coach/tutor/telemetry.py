"""One JSON line per request the coach makes, in the user's log folder.

The correlation id is also sent to the API as a header, so a line here can be matched with
what the server (or the stub's journal) saw. Nothing that looks like a key is ever written.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from coach import paths

CORRELATION_HEADER = "x-correlation-id"  # the header the observed-call exercise teaches
_KEY_LIKE = re.compile(r"sk-ant-[A-Za-z0-9_\-]+")
log = logging.getLogger(__name__)


@dataclass
class RequestRecord:
    correlation_id: str
    kind: str
    """answer, review or judge."""
    model: str
    started_at: float = field(default_factory=time.time)
    latency_s: float | None = None
    ttft_s: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cost_usd: float = 0.0
    stop_reason: str | None = None
    error_class: str | None = None
    error: str | None = None
    request_id: str | None = None
    restarts: int = 0


def telemetry_file() -> Path:
    return paths.user_log_dir() / "coach-requests.jsonl"


class Telemetry:
    """Appends records; a full disk or a read-only folder costs the record, never the reply."""

    def __init__(self, file: Path | None = None) -> None:
        self.file = file or telemetry_file()

    def write(self, record: RequestRecord) -> None:
        line = _KEY_LIKE.sub("sk-ant-[redacted]", json.dumps(asdict(record), sort_keys=True))
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            with self.file.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError as exc:
            log.warning("telemetry not written to %s: %s", self.file, exc)

    def records(self) -> list[dict]:
        try:
            lines = self.file.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        return [json.loads(line) for line in lines if line.strip()]
