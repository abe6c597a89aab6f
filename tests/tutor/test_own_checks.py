"""The coach is our own production Claude integration: it passes the exercises' checks where they apply."""

from coach.curriculum import load_curriculum
from coach.grader.evidence import RunEvidence
from coach.grader.library.retries import honours_retry_after

from .conftest import reply, stub_running


def _evidence(stub, scenario_name: str) -> RunEvidence:
    from coach.stub.scenario import load_scenario

    return RunEvidence(exercise=load_curriculum().exercise("retry-backoff"), journal=tuple(stub.journal.entries()),
                       result=None, source="", tree=None, scenario=load_scenario(scenario_name))


async def test_the_coach_honours_retry_after(coach_for):
    with stub_running("retry-after") as stub:
        session = coach_for(stub.base_url)
        await reply(session)
        verdict = honours_retry_after(_evidence(stub, "retry-after"))
    assert verdict.passed, verdict.evidence
    assert session.online and session.telemetry.records()[-1]["stop_reason"] == "end_turn"
