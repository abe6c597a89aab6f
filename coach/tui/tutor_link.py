"""The one place the app meets the coach: what it asks, and what it needs back.

The app streams a reply as text deltas and shows online/offline, tokens and cost after
each reply. Anything with this shape can be the coach, so tests pass a scripted double.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class CoachContext:
    """What the learner is looking at when they ask."""

    lesson_id: str | None = None
    exercise_id: str | None = None
    discussion_id: str | None = None
    code: str | None = None
    report: Any = None
    opening: bool = False
    """The app wrote this message (a discussion's opening), not the learner: it does not count as theirs."""


class TutorSession(Protocol):
    online: bool
    tokens: int
    cost_usd: float

    def stream_reply(self, message: str, context: CoachContext) -> AsyncIterator[str]:
        """Yield the reply as Markdown fragments."""
        ...


class UnavailableTutor:
    """Stands in when no coach can be built, so the pane still answers something useful."""

    online = False
    tokens = 0
    cost_usd = 0.0

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def stream_reply(self, message: str, context: CoachContext) -> AsyncIterator[str]:
        yield f"The coach is not available: {self.reason}\n\n"
        yield "Re-read the lesson's key points and the checklist hints meanwhile."


def default_tutor(offline: bool = False) -> TutorSession:
    """The real coach (online with a key, offline without or when asked), imported only when first used.

    Contract with `coach.tutor`: `CoachSession(offline=...)` with `online`, `tokens`, `cost_usd`
    and `stream_reply(message, context)` yielding Markdown fragments.
    """
    try:
        from coach.tutor import CoachSession  # type: ignore[attr-defined]
    except ImportError as exc:
        return UnavailableTutor(f"coach.tutor could not be loaded ({exc})")
    return CoachSession(offline=offline)  # type: ignore[no-any-return]
