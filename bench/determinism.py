"""Does a grade depend on machine load? Every solution of every exercise, graded quiet and loaded.

Each exercise's reference (exercises/<id>/reference.py) and each file under
tests/exercises/solutions/ is graded `--runs` times on a quiet machine and `--runs`
times while `--hogs` busy loops hold the CPUs, through one warm `GradingSession` as the app uses.
Reported per exercise: verdict flips (an item passing in one run and failing in another), evidence
differences, and journal differences (arrival and finish times, statuses, retry counts; for
programs with threads, compared as a set, since threads that send at the same scenario instant
reach the stub in any order). All should be 0.

    .venv/bin/python bench/determinism.py [--runs 3] [--hogs 3] [EXERCISE_ID ...]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "tests" / "exercises" / "solutions"
CHEATS = "cheats"
"""Programs that try to forge a grade, named for the exercise they attack: graded with it."""
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("exercises", nargs="*", help="exercise ids (default: every exercise with solutions)")
    parser.add_argument("--runs", type=int, default=3, help="runs quiet, and as many loaded (default 3)")
    parser.add_argument("--hogs", type=int, default=3, help="busy loops during the loaded runs (default 3)")
    parser.add_argument("--realtime", type=int, default=0, metavar="RUNS",
                        help="also this many runs at SCHED_FIFO priority (root): the grader's threads then run "
                             "before anything else, a third schedule that once exposed a race (default 0)")
    args = parser.parse_args()
    os.environ["COACH_HOME"] = tempfile.mkdtemp(prefix="coach-bench-")

    from coach.curriculum import load_curriculum
    from coach.grader.session import GradingSession
    from tests.exercises.test_determinism import busy_loops

    curriculum = load_curriculum()
    exercise_ids = args.exercises or sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir() and p.name != CHEATS)
    print(f"load average {os.getloadavg()[0]:.1f}; {args.runs} quiet and {args.runs} loaded runs "
          f"({args.hogs} busy loops){f' and {args.realtime} at SCHED_FIFO' if args.realtime else ''} per file\n")
    print(f"{'exercise':<20} {'files':>5} {'grades':>6} {'verdict flips':>13} {'evidence diffs':>14} "
          f"{'journal diffs':>13} {'seconds':>8}")
    totals = [0, 0, 0]
    with GradingSession() as session:
        for exercise_id in exercise_ids:
            exercise = curriculum.exercise(exercise_id)
            if exercise is None:
                print(f"{exercise_id:<20} (no such exercise)")
                continue
            # the cheats folder names its files `<exercise_id with _>__<what it tries>.py`
            cheats = sorted((SOLUTIONS / CHEATS).glob(f"{exercise_id.replace('-', '_')}__*.py"))
            files = [*sorted((SOLUTIONS / exercise_id).glob("*.py")), *cheats, exercise.starter.parent / "reference.py"]
            flips = evidence = journal = grades = 0
            started = time.monotonic()
            for file in files:
                quiet = [session.grade(exercise, file).replay_key() for _ in range(args.runs)]
                with busy_loops(args.hogs):
                    loaded = [session.grade(exercise, file).replay_key() for _ in range(args.runs)]
                runs = quiet + loaded + _realtime_grades(session, exercise, file, args.realtime)
                grades += len(runs)
                threaded = any(word in file.read_text() for word in ("to_thread", "Thread", "threading"))
                first = runs[0]
                for key in runs[1:]:
                    flips += sum(a[1] != b[1] for a, b in zip(first["items"], key["items"], strict=True))
                    evidence += sum(a[2] != b[2] for a, b in zip(first["items"], key["items"], strict=True))
                    same = (sorted(key["journal"]) == sorted(first["journal"]) if threaded
                            else key["journal"] == first["journal"])
                    journal += not same or key["requests"] != first["requests"]
            totals[0] += flips
            totals[1] += evidence
            totals[2] += journal
            print(f"{exercise_id:<20} {len(files):>5} {grades:>6} {flips:>13} {evidence:>14} {journal:>13} "
                  f"{time.monotonic() - started:>8.1f}")
    print(f"\nin all: {totals[0]} verdict flips, {totals[1]} evidence differences, {totals[2]} journal differences")
    return 0 if not any(totals) else 1


def _realtime_grades(session, exercise, file, runs: int):  # type: ignore[no-untyped-def]
    """Grades at SCHED_FIFO priority; the process's policy is put back afterwards."""
    if runs <= 0:
        return []
    policy, param = os.sched_getscheduler(0), os.sched_getparam(0)
    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
    try:
        return [session.grade(exercise, file).replay_key() for _ in range(runs)]
    finally:
        os.sched_setscheduler(0, policy, param)


if __name__ == "__main__":
    sys.exit(main())
