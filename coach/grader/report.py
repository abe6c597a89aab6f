"""What a grading says: per checklist item, a verdict with evidence and a hint, plus the run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from coach.grader.learner_error import LearnerError

CLOCK_STOPS = {
    "deadlock": "deadlocked: every thread was waiting and nothing could wake it",
    "scenario_time": "stopped after a day of scenario time: the program went on waiting forever",
}
"""Why the scenario clock stopped a run, in the words the report and the evidence use."""


@dataclass(frozen=True)
class ItemResult:
    id: str
    description: str
    passed: bool
    evidence: str
    hint: str


@dataclass(frozen=True)
class TimelinePoint:
    """One request as the stub saw it, in scenario seconds, for the app to plot."""

    seq: int
    arrived_s: float
    finished_s: float | None
    status: int | None
    error_type: str | None
    retry_count: int | None
    input_tokens: int
    output_tokens: int
    stream: bool
    stream_end: str | None


@dataclass(frozen=True)
class GradeReport:
    exercise: str
    passed: bool
    items: tuple[ItemResult, ...]
    timeline: tuple[TimelinePoint, ...]
    isolation: str
    wall_s: float
    scenario_s: float
    exit_code: int | None = None
    timed_out: bool = False
    limit_hit: str | None = None
    stdout: str = ""
    stderr: str = ""
    limits: dict[str, int] = field(default_factory=dict)
    """The scenario's rate limits (requests/input/output per minute), for the timeline's limit line."""
    error: LearnerError | None = None
    """The learner's syntax error or crash, shown before the checklist."""
    returned: Any = None
    """What the entry point returned (JSON-shaped): where a program that catches its errors shows them."""
    seed: int = 0
    """The seed the program's randomness ran with: `coach grade --seed N` replays it."""

    def replay_key(self) -> dict[str, Any]:
        """What must come out the same every time a file is graded with the same seed, on any machine load.

        Request ids are left out (the API's never repeat, nor do the stub's); so is wall time.
        """
        return {
            "items": [(i.id, i.passed, i.evidence) for i in self.items],
            "requests": len(self.timeline),
            "journal": [(p.arrived_s, p.finished_s, p.status, p.retry_count, p.stream_end) for p in self.timeline],
            "scenario_s": self.scenario_s,
            "exit_code": self.exit_code,
            "limit_hit": self.limit_hit,
        }

    @property
    def failed_items(self) -> tuple[ItemResult, ...]:
        return tuple(item for item in self.items if not item.passed)

    def to_json(self) -> dict[str, Any]:
        """The shape `coach grade --json` prints."""
        return {
            "exercise": self.exercise,
            "passed": self.passed,
            "checks": [
                {"id": i.id, "passed": i.passed, "evidence": i.evidence, "hint": i.hint,
                 "description": i.description}
                for i in self.items
            ],
            "timeline": [asdict(point) for point in self.timeline],
            "isolation": self.isolation,
            "wall_s": round(self.wall_s, 3),
            "scenario_s": round(self.scenario_s, 3),
            "exit_code": self.exit_code,
            "timed_out": self.timed_out,
            "limit_hit": self.limit_hit,
            "seed": self.seed,
            "error": self.error.to_json() if self.error else None,
        }
