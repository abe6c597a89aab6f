"""Where virtual scenario time cannot run, grading says why instead of failing deep inside."""

import pytest

from coach.curriculum import load_curriculum
from coach.grader.grade import GradeError, grade_exercise
from coach.scenario_time import clock as scenario_clock
from coach.scenario_time.observer import ProgramThreads


def test_grading_without_proc_schedstat_is_a_clear_grade_error(monkeypatch, tmp_path):
    monkeypatch.setattr(ProgramThreads, "supported", staticmethod(lambda: False))
    exercise = load_curriculum().exercise("retry-backoff")
    program = tmp_path / "mine.py"
    program.write_text("def main():\n    return {}\n")
    with pytest.raises(GradeError, match="needs Linux"):
        grade_exercise(exercise, program)
    assert scenario_clock.VirtualTimeUnavailable.__doc__
