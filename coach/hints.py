"""The hint ladder of a checklist item: a nudge, then a pointer, then near-code, one step at a time.

A learner who asks gets the next step only, so the first hint makes them think and the last
comes close to the code. Which steps were revealed is kept in progress, where the coach and an
instructor can see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.curriculum.model import CheckItem, Exercise

STEP_NAMES = ("nudge", "pointer", "near-code")


@dataclass(frozen=True)
class HintStep:
    name: str
    """nudge, pointer or near-code."""
    text: str


def default_nudge(item: CheckItem) -> str:
    return (f"Read the item again: “{item.description.rstrip('.')}”. Which part of your code decides that, "
            "and what did the run show it doing?")


def hint_ladder(item: CheckItem) -> tuple[HintStep, ...]:
    """The item's ladder: its authored earlier steps (or a nudge made from its description), then `hint`."""
    texts = [*item.ladder, item.hint] if item.ladder else [default_nudge(item), item.hint]
    names = [STEP_NAMES[0], *[STEP_NAMES[1]] * (len(texts) - 2), STEP_NAMES[2]]
    return tuple(HintStep(name, text) for name, text in zip(names, texts, strict=True))


def revealed(item: CheckItem, count: int) -> tuple[HintStep, ...]:
    return hint_ladder(item)[:max(count, 0)]


def check_item(exercise: Exercise, item_id: str) -> CheckItem | None:
    return next((item for item in exercise.checks if item.id == item_id), None)
