"""The coach is our own production Claude integration: it passes the exercises' checks where they apply."""

from types import SimpleNamespace

from coach.curriculum import load_curriculum
from coach.grader.evidence import RunEvidence
from coach.grader.library import observability
from coach.grader.library.retries import honours_retry_after
from coach.stub.scenario import load_scenario

from .conftest import reply, stub_running

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
    result = SimpleNamespace(log_records=log_records or [], timed_out=False, limit_hit=None, return_error=None,
                             exit_code=0, return_value=None)
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
