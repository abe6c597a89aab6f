"""Everything a check may judge from, gathered once per run.

Checks read the stub's journal first (what arrived, when, what was answered), then the
entry point's return value and logged records, and the syntax tree only where behaviour
cannot show it.
"""

from __future__ import annotations

import ast
import contextlib
import json
from dataclasses import dataclass
from typing import Any

from coach.curriculum.model import Exercise
from coach.grader.report import CLOCK_STOPS


@dataclass(frozen=True)
class RunEvidence:
    exercise: Exercise
    journal: tuple[Any, ...]
    """`coach.stub.journal.JournalEntry` records, in arrival order."""
    result: Any
    """`coach.sandbox.SandboxResult` of the learner's run."""
    source: str
    tree: ast.Module | None
    scenario: Any
    clock: Any = None
    """The run's `coach.clock.ScenarioClock`: log records carry its Unix time, the journal its seconds."""
    seed: int = 0
    """The seed the program's randomness ran with."""
    reruns: tuple[RunEvidence, ...] = ()
    """Further runs of the same file with other seeds, made when a check asks for them (`seeds=2`)."""

    @property
    def messages(self) -> tuple[Any, ...]:
        """Requests to the Messages endpoint (not count_tokens)."""
        return tuple(e for e in self.journal if e.path == "/v1/messages")

    def call(self, text: str) -> list[Any]:
        """The attempts of one logical call: requests whose last user message contains `text`."""
        return [e for e in self.messages if text in (e.prompt or "")]

    def own_attempts(self, text: str) -> list[Any]:
        """The attempts of one logical call that the program made itself: the SDK's own retries left out.

        `x-stainless-retry-count` is a header the program could set, so it is believed only where the
        SDK would have retried: the attempt before got a status the SDK retries (or no answer) and
        carried the count one lower. A "retry" of a 400 is the program's own, whatever it says.
        """
        attempts = self.call(text)
        return [e for n, e in enumerate(attempts) if not (n and sdk_retry(attempts[n - 1], e))]

    @property
    def logged(self) -> list[dict[str, Any]]:
        """Structured fields of each record the code logged: its `extra`, else its message if that is a JSON object."""
        fields = []
        for record in self.result.log_records:
            extra = record.get("extra") or {}
            if not extra:
                with contextlib.suppress(ValueError, RecursionError):
                    parsed = json.loads(record.get("message") or "")
                    extra = parsed if isinstance(parsed, dict) else {}
            fields.append(extra)
        return fields

    def logged_at(self, record: dict[str, Any]) -> float | None:
        """When a record of `result.log_records` was logged, in journal (scenario) seconds; None if unknown.

        The sandbox runs `time.time()` on the scenario clock, so `created` is the scenario's Unix
        time and minus the clock's epoch it lines up with `arrived_s` and `finished_s`. A Unix time
        as a float keeps about a quarter of a microsecond, so the difference is rounded to the microsecond:
        a record logged the instant an answer arrived is at that answer's time, not a hair after it.
        """
        stamped = record.get("at_s") if isinstance(record, dict) else None
        if isinstance(stamped, int | float) and not isinstance(stamped, bool):
            return round(float(stamped), 6)  # the runner's stamp: `coach.sandbox.logchannel`
        created = record.get("created") if isinstance(record, dict) else None
        if self.clock is None or isinstance(created, bool) or not isinstance(created, int | float):
            return None
        return round(float(created) - self.clock.epoch, 6)

    @property
    def returned(self) -> Any:
        return self.result.return_value

    @property
    def crashed(self) -> str | None:
        """Why the entry point did not return normally, in one line, or None."""
        r = self.result
        if r.timed_out:
            return "the program ran out of time"
        if r.limit_hit in CLOCK_STOPS:
            return f"the program {CLOCK_STOPS[r.limit_hit]}"
        if r.limit_hit:
            return f"the program hit the sandbox's {r.limit_hit} limit"
        if r.return_error:
            return f"main() raised {r.return_error}"
        if r.exit_code not in (0, None):
            return f"the program exited with status {r.exit_code}"
        if getattr(r, "outcome", "returned") is None:  # hand-built results in tests may lack it
            return "the program ended without returning from main()"
        return None


def clipped(text: str, limit: int) -> str:
    """Text short enough to quote in evidence, marked where it was cut so it never reads as the whole of it."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def retry_after(entry: Any) -> float | None:
    """The seconds an answer's `retry-after` header asked for, or None without a readable one."""
    value = (entry.response_headers or {}).get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


SDK_RETRIED_STATUSES = frozenset({408, 409, 429})
"""With every status of 500 and above: what the SDK retries on its own (`_base_client._should_retry`)."""


def sdk_retry(before: Any, entry: Any) -> bool:
    """Whether `entry` can be the SDK's own retry of `before`, as the SDK's retry policy would have sent it."""
    if not entry.retry_count or entry.retry_count != (before.retry_count or 0) + 1:
        return False
    said = (before.response_headers or {}).get("x-should-retry")
    if said in ("true", "false"):
        return said == "true"
    return before.status is None or before.status in SDK_RETRIED_STATUSES or before.status >= 500
