"""What the app's workers report. Workers post these and return; handlers own the widgets.

Flows read as message names: `GradeStarted -> GradeProgressed* -> GradeFinished`, and
`CoachAsked -> (CoachStatusChanged | CoachDeltaReceived)* -> CoachReplyFinished`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from coach.curriculum.model import Exercise


@dataclass
class GradeProgressed(Message):
    """The stub's journal grew: requests so far, 429s, errors and scenario time."""

    requests: int
    rate_limited: int
    errors: int
    scenario_s: float

    def can_replace(self, message: Message) -> bool:
        # Only the latest count matters; a burst of requests merges into one repaint.
        return isinstance(message, GradeProgressed)


@dataclass
class GradeFinished(Message):
    exercise: Exercise
    report: Any
    """A `coach.grader.report.GradeReport` (typed loosely so the app starts without the grader)."""


@dataclass
class GradeFailed(Message):
    """The exercise could not be graded at all (not the learner's fault): say why."""

    exercise: Exercise
    reason: str


@dataclass
class CoachDeltaReceived(Message):
    reply: int
    """Which question this answers; a reply cut short by a newer question is ignored."""
    text: str


@dataclass
class CoachStatusChanged(Message):
    """What the coach is doing while no text arrives: a retry, a restarted stream."""

    reply: int
    status: str


@dataclass
class CoachReplyFinished(Message):
    reply: int
    online: bool
    tokens: int
    cost_usd: float


@dataclass
class LessonChosen(Message):
    lesson_id: str


@dataclass
class ExerciseChosen(Message):
    exercise_id: str
