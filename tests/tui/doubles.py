"""Stand-ins for the slow parts (grader, coach) so Pilot tests are quick and deterministic."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from coach.curriculum.model import Exercise
from coach.grader.grade import GradeProgress
from coach.grader.learner_error import learner_error
from coach.grader.report import GradeReport, ItemResult, TimelinePoint
from coach.tui.tutor_link import CoachContext


class FileJudgingGrader:
    """Grades from the file's text: "runs" passes once the starter's NotImplementedError is gone.

    Reports progress like the real grader does: one call per request in the timeline.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, exercise: Exercise, file: Path, *, on_progress) -> GradeReport:
        source = file.read_text(encoding="utf-8")
        self.calls.append((exercise.id, source))
        error = learner_error(source, "", file.name)
        fixed = "NotImplementedError" not in source and error is None
        timeline = (
            TimelinePoint(0, 0.0, 0.2, 429, "rate_limit_error", 0, 12, 0, False, None),
            TimelinePoint(1, 2.1, 2.5, 200 if fixed else 429, None, 1, 12, 30, False, None),
            TimelinePoint(2, 6.0, 6.6, 200, None, 0, 12, 30, False, None),
        )
        for seen in range(1, len(timeline) + 1):
            on_progress(GradeProgress(seen, sum(p.status == 429 for p in timeline[:seen]), 0,
                                      timeline[seen - 1].arrived_s))
        items = tuple(
            ItemResult(c.id, c.description, fixed, "exit code 0" if fixed else "NotImplementedError in main()", c.hint)
            for c in exercise.checks
        )
        return GradeReport(
            exercise=exercise.id, passed=fixed, items=items, timeline=timeline, isolation="double",
            wall_s=0.01, scenario_s=6.6, exit_code=0 if fixed else 1,
            stdout="hello\n" if fixed else "", stderr="" if fixed else "NotImplementedError\n",
            limits={"requests_per_minute": 5}, error=error, returned={"case": "answered"} if fixed else None,
        )


class ScriptedTutor:
    """A coach that streams a fixed reply in chunks, as the real one streams deltas."""

    def __init__(self, chunks: list[str], online: bool = False, tokens_per_reply: int = 42) -> None:
        self.chunks = chunks
        self.online = online
        self.tokens = 0
        self.cost_usd = 0.0
        self.tokens_per_reply = tokens_per_reply
        self.asked: list[tuple[str, CoachContext]] = []

    async def stream_reply(self, message: str, context: CoachContext) -> AsyncIterator[str]:
        self.asked.append((message, context))
        for chunk in self.chunks:
            await asyncio.sleep(0)
            yield chunk
        self.tokens += self.tokens_per_reply
        self.cost_usd += 0.0012


class BrokenTutor:
    online = False
    tokens = 0
    cost_usd = 0.0

    async def stream_reply(self, message: str, context: CoachContext) -> AsyncIterator[str]:
        yield "Let me"
        raise ConnectionError("the coach fell over")


class StallingTutor(ScriptedTutor):
    """The first reply stalls after its first chunk, as a slow network would; later replies stream."""

    async def stream_reply(self, message: str, context: CoachContext) -> AsyncIterator[str]:
        if not self.asked:
            self.asked.append((message, context))
            yield "Thinking about "
            await asyncio.Event().wait()
        async for chunk in super().stream_reply(message, context):
            yield chunk
