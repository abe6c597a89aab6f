"""Progress while grading: running counts the app's progress bar shows, matching the final report."""

from pathlib import Path

from coach.curriculum import load_curriculum
from coach.grader.grade import GradeProgress, grade_exercise

REFERENCE = Path(__file__).parents[2] / "exercises" / "retry-backoff" / "reference.py"


def test_the_last_progress_report_agrees_with_the_timeline() -> None:
    seen: list[GradeProgress] = []
    report = grade_exercise(load_curriculum().exercise("retry-backoff"), REFERENCE, on_progress=seen.append)
    last = seen[-1]
    assert last.requests == len(report.timeline)
    assert last.rate_limited == sum(point.status == 429 for point in report.timeline)
    assert last.errors == sum((point.status or 0) >= 400 for point in report.timeline)
    assert [p.requests for p in seen] == sorted(p.requests for p in seen)
    assert last.scenario_s >= report.timeline[-1].arrived_s
