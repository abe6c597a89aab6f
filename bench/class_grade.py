"""Class grading against the same files graded one after another, warm, in one sitting.

A class of N files (starters and references of one exercise, alternating) is graded twice:
first one file at a time on a warm `GradingSession` (after one warm-up grade), which gives the
warm grade time of each; then as `coach grade --class` grades it, `grade_class` with `--jobs`
workers on one session. The target: class wall time at most 1.3x (N x mean warm time / cores).

    .venv/bin/python bench/class_grade.py [--learners 30] [--jobs N ...] [--exercise retry-backoff]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "tests" / "exercises" / "solutions"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--exercise", default="retry-backoff")
    parser.add_argument("--jobs", type=int, nargs="*", default=None,
                        help="worker counts to try (default: coach's default, 2 per core)")
    args = parser.parse_args()

    os.environ["COACH_HOME"] = tempfile.mkdtemp(prefix="coach-bench-")
    from coach.curriculum import load_curriculum
    from coach.grader.classroom import cores as count_cores
    from coach.grader.classroom import default_jobs, find_submissions, grade_class
    from coach.grader.session import GradingSession

    exercise = load_curriculum().exercise(args.exercise)
    if exercise is None:
        print(f"no exercise {args.exercise}", file=sys.stderr)
        return 1
    cores = count_cores()
    folder = Path(tempfile.mkdtemp(prefix="coach-bench-class-"))
    for i in range(args.learners):
        source = exercise.starter.parent / "reference.py" if i % 2 else exercise.starter
        shutil.copy(source, folder / f"learner{i:02d}.py")
    submissions = find_submissions(exercise, folder)
    print(f"{exercise.id}: {len(submissions)} files, half starters and half references; {cores} cores; "
          f"load average {os.getloadavg()[0]:.1f}")
    with GradingSession() as session:
        session.grade(exercise, submissions[0].file)  # warm-up: the pool starts and imports the SDK
        one_by_one = []
        for submission in submissions:
            started = time.perf_counter()
            session.grade(exercise, submission.file)
            one_by_one.append(time.perf_counter() - started)
        warm = sum(one_by_one) / len(one_by_one)
        bound = len(submissions) * warm / cores
        print(f"warm grade time, mean of {len(one_by_one)}: {warm * 1000:.0f} ms "
              f"(starters {1000 * sum(one_by_one[0::2]) / len(one_by_one[0::2]):.0f} ms, "
              f"references {1000 * sum(one_by_one[1::2]) / len(one_by_one[1::2]):.0f} ms); "
              f"{len(submissions)} x warm / cores = {bound:.2f} s")
        for jobs in args.jobs or [default_jobs()]:
            report = grade_class(exercise, submissions, session.grade, jobs=jobs)
            broken = [r.learner for r in report.results if r.report is None]
            wrong = [r.learner for i, r in enumerate(report.results) if r.passed != bool(i % 2)]
            print(f"class with --jobs {jobs}: {report.wall_s:.2f} s, {report.wall_s / bound:.2f}x the bound "
                  f"(target <= 1.3x){'; NOT GRADED: ' + ', '.join(broken) if broken else ''}"
                  f"{'; WRONG VERDICTS: ' + ', '.join(wrong) if wrong else ''}")
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
