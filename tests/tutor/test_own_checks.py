"""The coach is our own production Claude integration: it passes the exercises' checks where they apply."""

import dataclasses

from coach.clock import ScenarioClock
from coach.curriculum import load_curriculum
from coach.grader.evidence import RunEvidence
from coach.grader.library import budgets, observability, streaming
from coach.grader.library.retries import honours_retry_after
from coach.sandbox import SandboxResult
from coach.stub.runner import StubThread
from coach.stub.scenario import load_scenario
from coach.tutor.reply import RESTART

from .conftest import LESSON, reply, stub_running

OBSERVED = """\
summary = "Answered, slow and refused replies for the coach's own telemetry, on a wall-speed clock."
speed = 1

[response]
output_tokens = 30
ttft = 0.02
tokens_per_second = 0

[[faults]]
kind = "latency"
seconds = 0.3
text = "case slow:"

[[faults]]
kind = "status"
status = 400
text = "case bad-request:"
"""


def _evidence(stub, scenario, exercise_id: str, log_records: list[dict] | None = None) -> RunEvidence:
    result = SandboxResult(exit_code=0, stdout="", stderr="", timed_out=False, limit_hit=None,
                           isolation="in-process (the coach)", wall_s=0.0, scenario_s=0.0,
                           log_records=log_records or [])
    return RunEvidence(exercise=load_curriculum().exercise(exercise_id), journal=tuple(stub.journal.entries()),
                       result=result, source="", tree=None,
                       scenario=scenario if not isinstance(scenario, str) else load_scenario(scenario))


def _as_log_records(telemetry: list[dict]) -> list[dict]:
    """The coach's JSON lines in the field names the observed-call exercise asks learners for."""
    return [{"extra": {**line, "latency_ms": line["latency_s"] * 1000, "error": line["error_class"]}}
            for line in telemetry]


async def test_the_coach_honours_retry_after(coach_for):
    with stub_running("retry-after") as stub:
        session = coach_for(stub.base_url)
        await reply(session)
        verdict = honours_retry_after(_evidence(stub, "retry-after", "retry-backoff"))
    assert verdict.passed, verdict.evidence
    assert session.online and session.telemetry.records()[-1]["stop_reason"] == "end_turn"


async def test_the_coachs_telemetry_passes_the_observed_call_checks(coach_for, scenario_file):
    path = scenario_file(OBSERVED)
    with stub_running(path) as stub:
        session = coach_for(stub.base_url)
        for question in ("case answered: why jitter?", "case slow: and a 529?", "case bad-request: and a 400?"):
            await reply(session, question)
        evidence = _evidence(stub, load_scenario(path), "observed-call",
                             _as_log_records(session.telemetry.records()))
    checks = (observability.one_record_per_request, observability.correlation_ids_sent,
              observability.logged_latency, observability.logged_tokens, observability.logged_stop_reason,
              observability.logged_error_class)
    verdicts = {check.__name__: check(evidence) for check in checks}
    assert all(v.passed for v in verdicts.values()), {name: v.evidence for name, v in verdicts.items()}
    assert [e.status for e in evidence.messages] == [200, 200, 400]


STREAM_CASES = ["steady", "error-event", "reset", "clean-close", "stall", "outage"]


async def _coach_windows(session, clock: ScenarioClock, shown: list[dict]) -> dict[str, dict]:
    """Each case's reply as the streaming-reply exercise's chat window records it.

    Like the exercise's ChatWindow, each piece shown is a `chat.screen` record stamped in scenario
    time as it arrives (appended to `shown`), which is what streams-text judges.
    """
    windows = {}
    for case in STREAM_CASES:
        screen, pieces, restarts = "", 0, 0
        try:
            async for piece in session.stream_reply(f"case {case}: where is my parcel?", LESSON):
                if piece == RESTART:
                    screen, pieces, restarts = "", 0, restarts + 1
                else:
                    screen, pieces = screen + piece, pieces + 1
                    shown.append({"logger": streaming.SCREEN_LOGGER, "message": repr(piece), "at_s": clock.now()})
        finally:
            await session.aclose()
        failed = session.telemetry.records()[-1]["error_class"] is not None
        windows[case] = {"outcome": "failed" if failed else "answered", "stop_reason": session.last_stop_reason,
                         "error": screen[:300] if failed else None, "screen": screen, "pieces": pieces,
                         "restarts": restarts}
    return windows


async def test_the_coach_restarts_broken_streams_like_the_streaming_exercise_asks(coach_for):
    # The coach's timeouts are wall seconds; a slow scenario clock keeps its 2 s read timeout meaningful.
    scenario = load_scenario("streaming-reply")
    clock = ScenarioClock(speed=5)
    shown: list[dict] = []
    with StubThread(scenario, clock) as stub:
        session = coach_for(stub.base_url, read_timeout_s=2.0, soft_limit_usd=100.0)
        windows = await _coach_windows(session, clock, shown)
        evidence = _evidence(stub, scenario, "streaming-reply", shown)
    evidence = dataclasses.replace(evidence, result=dataclasses.replace(evidence.result, return_value=windows))
    verdicts = {
        "streams": streaming.shows_text_as_it_arrives(evidence),
        "timeout": streaming.chat_timeout(evidence),
        "restarts": streaming.restarts_broken_streams(evidence, ["error-event", "reset", "clean-close", "stall"]),
        "one answer": streaming.screen_shows_one_answer(evidence),
        "exhausted": streaming.fails_clearly_when_exhausted(evidence, "outage", session.config.stream_restarts + 1),
    }
    assert all(v.passed for v in verdicts.values()), {name: v.evidence for name, v in verdicts.items()}


async def test_the_coachs_budget_passes_the_cost_accumulator_checks(coach_for, caplog):
    soft, hard = 0.015, 0.06  # a few replies apart at the default model's prices (Sonnet 5.5: $2 / $10)
    scenario = load_scenario("healthy")
    clock = ScenarioClock(speed=1)  # the coach's log times are wall times: keep the journal on the same clock
    caplog.set_level("WARNING", logger="coach.tutor.session")
    with StubThread(scenario, clock) as stub:
        session = coach_for(stub.base_url, soft_limit_usd=soft, hard_cap_usd=hard)
        stopped = None
        for n in range(12):
            text = "".join(await reply(session, f"question {n}: why jitter?"))
            if "Cost cap reached" in text:
                stopped = text[:120]
                break
        evidence = _evidence(stub, scenario, "cost-accumulator",
                             [{"level": r.levelname, "message": r.getMessage(), "created": r.created}
                              for r in caplog.records if r.name == "coach.tutor.session"])
    calls = [{"usd": line["cost_usd"]} for line in session.telemetry.records()]
    returned = {"calls": calls, "spent_usd": session.cost_usd, "stopped": stopped}
    evidence = dataclasses.replace(evidence, clock=clock,
                                   result=dataclasses.replace(evidence.result, return_value=returned))
    assert stopped is not None, "the cap never stopped the session"
    verdicts = {
        "costs": budgets.reports_session_costs(evidence),
        "warns": budgets.warns_after_soft_limit(evidence, soft),
        "stops": budgets.stops_before_cap(evidence, hard),
    }
    assert all(v.passed for v in verdicts.values()), {name: v.evidence for name, v in verdicts.items()}
