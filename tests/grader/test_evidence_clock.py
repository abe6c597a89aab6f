"""RunEvidence places the program's log records on the journal's time line (scenario seconds)."""

from coach.clock import ScenarioClock
from coach.curriculum import load_curriculum
from coach.grader.evidence import RunEvidence
from coach.sandbox.model import SandboxResult


def evidence(records: list[dict], clock: ScenarioClock | None) -> RunEvidence:
    result = SandboxResult(exit_code=0, stdout="", stderr="", timed_out=False, limit_hit=None, isolation="test",
                           wall_s=0.0, scenario_s=0.0, log_records=records)
    return RunEvidence(exercise=load_curriculum().exercise("retry-backoff"), journal=(), result=result, source="",
                       tree=None, scenario=None, clock=clock)


def test_a_records_created_time_minus_the_clocks_epoch_is_its_scenario_time() -> None:
    clock = ScenarioClock(speed=20, origin=100.0, epoch=1_800_000_000.0)
    record = {"level": "WARNING", "message": "x", "created": 1_800_000_012.5, "extra": {}}
    assert evidence([record], clock).logged_at(record) == 12.5


def test_without_a_clock_or_a_time_the_moment_is_unknown() -> None:
    record = {"level": "WARNING", "message": "x", "created": None, "extra": {}}
    assert evidence([record], ScenarioClock()).logged_at(record) is None
    assert evidence([record], None).logged_at({**record, "created": 5.0}) is None
    assert evidence([record], ScenarioClock()).logged_at({**record, "created": True}) is None
