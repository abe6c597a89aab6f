"""The coach: Claude as a Socratic tutor, streamed, cost-capped, observed, with an offline stand-in.

Importing this package is cheap; the SDK loads when a session first talks to the API, so the
app's startup never waits for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coach.tutor.session import CoachSession

__all__ = ["CoachSession"]


def __getattr__(name: str) -> Any:
    if name == "CoachSession":
        from coach.tutor.session import CoachSession

        return CoachSession
    raise AttributeError(name)
