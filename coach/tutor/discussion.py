"""Has the learner reached a discussion's target points? A short, separate, non-streamed call decides.

The answer is parsed defensively: a reply cut at `max_tokens`, a refusal, prose around the
JSON, indexes out of range or of the wrong type all count as "nothing reached", never as a pass.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

from coach import catalogue
from coach.curriculum.model import Discussion
from coach.tutor import prompts
from coach.tutor.telemetry import CORRELATION_HEADER, RequestRecord

_OBJECT = re.compile(r"\{[^{}]*\}")


def short_answer_options(model: str) -> dict[str, Any]:
    """Keep thinking from spending a small `max_tokens` on a model that thinks by default.

    Where thinking can be turned off it is; where it is always on (catalogue `thinking = "always"`)
    the effort is lowered instead, since disabling it there answers 400.
    """
    row = catalogue.find(model)
    if row is None or not row.thinking_on_by_default:
        return {}
    if row.thinking == "always":
        return {"output_config": {"effort": "low"}}
    return {"thinking": {"type": "disabled"}}


def parse_covered(message: Any, point_count: int) -> set[int]:
    """Indexes of reached points from the judge's reply; empty unless the reply is complete and well formed."""
    if getattr(message, "stop_reason", None) != "end_turn":
        return set()
    text = "".join(getattr(block, "text", "") for block in getattr(message, "content", None) or ()
                   if getattr(block, "type", None) == "text")
    for candidate in _OBJECT.findall(text):
        try:
            data = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        covered = data.get("covered") if isinstance(data, dict) else None
        if isinstance(covered, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in covered):
            return {i for i in covered if 0 <= i < point_count}
        return set()
    return set()


async def judge_points(session: Any, discussion: Discussion, learner_messages: list[str]) -> set[int]:
    """Ask Claude which points the learner's own messages reached; records telemetry and cost like any request."""
    config = session.config
    record = RequestRecord(correlation_id=uuid.uuid4().hex, kind="judge", model=config.model)
    started = time.monotonic()
    prompt = prompts.render("judge.md.j2", discussion=discussion, messages=learner_messages)
    if not session.budget.allows(config.model, len(prompt) // 3 + 1, config.max_tokens("judge")):
        return set()
    try:
        message = await session.client().messages.create(
            model=config.model, max_tokens=config.max_tokens("judge"),
            messages=[{"role": "user", "content": prompt}],
            extra_headers={CORRELATION_HEADER: record.correlation_id},
            **short_answer_options(config.model),
        )
    except Exception as error:  # a failed judgement is "not yet", never a crash
        record.latency_s = round(time.monotonic() - started, 4)
        record.error_class = type(error).__name__
        record.error = str(error)[:300]
        session.telemetry.write(record)
        return set()
    record.latency_s = round(time.monotonic() - started, 4)
    record.stop_reason = message.stop_reason
    session.add_usage(record, message.usage)
    session.telemetry.write(record)
    return parse_covered(message, len(discussion.points))
