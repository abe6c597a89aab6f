"""`coach grade`: run an exercise against its fault scenario and print the checklist."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from coach.cli import class_cmd
from coach.curriculum import load_curriculum
from coach.curriculum.model import Exercise, display_path
from coach.grader.report import CLOCK_STOPS, GradeReport
from coach.progress import ProgressError, ProgressStore
from coach.workspace import open_workspace

if TYPE_CHECKING:
    from coach.grader.session import GradingSession


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "grade", help="grade an exercise against its fault scenario",
        description="Run your code for an exercise in the sandbox against the exercise's fault scenario "
        "and print the checklist with evidence and hints. Exit 0 when every item passes, 1 when any "
        "fails, 2 on a usage or lesson error.",
    )
    p.add_argument("exercise", metavar="EXERCISE_ID", help="exercise id (see `coach list`)")
    p.add_argument("file", nargs="?", type=Path, metavar="FILE",
                   help="code to grade (default: your workspace copy of the exercise)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the checklist")
    p.add_argument("--watch", action="store_true", help="grade again every time FILE is saved (Ctrl-C stops)")
    p.add_argument("--seed", type=int, default=None, metavar="N",
                   help="seed the program's randomness with N (the report shows the seed each grade used); "
                        "the same seed replays a grade exactly")
    class_cmd.add_arguments(p)
    p.set_defaults(handler=run_grade)


def run_grade(args: argparse.Namespace) -> int:
    from coach.grader.session import early_session

    # The sandbox's fork server imports the SDK (the slowest part of a cold start) while this
    # process loads the lessons and starts the stub: on two cores the two overlap. `coach.cli`
    # has usually started it already, before parsing the command line.
    with early_session() as session:
        session.warm_up()
        return _grade(args, session)


def _grade(args: argparse.Namespace, session: GradingSession) -> int:
    from coach.grader.grade import GradeError

    curriculum = load_curriculum()
    exercise = curriculum.exercise(args.exercise)
    if exercise is None:
        known = ", ".join(e.id for lesson in curriculum.lessons for e in lesson.exercises) or "none"
        print(f"coach grade: no exercise '{args.exercise}' (known: {known})", file=sys.stderr)
        for error in curriculum.errors:  # the exercise may be in a file that did not load
            print(f"  not loaded: {error}", file=sys.stderr)
        return 2
    problem = class_cmd.usage_problem(args)
    if problem is not None:
        print(f"coach grade: {problem}", file=sys.stderr)
        return 2
    if args.class_dir is not None:
        return class_cmd.run_class(args, exercise, session)
    file = args.file or open_workspace(exercise)
    if not file.is_file():
        print(f"coach grade: no such file: {file}", file=sys.stderr)
        return 2
    store = ProgressStore()

    def once() -> int:
        try:
            report = session.grade(exercise, file, seed=args.seed)
        except GradeError as exc:
            print(f"coach grade: {exc}", file=sys.stderr)
            return 2
        try:
            store.record_attempt(exercise.id, {item.id: item.passed for item in report.items})
        except ProgressError as exc:
            print(f"coach grade: {exc}", file=sys.stderr)
        if store.notice:
            print(f"coach grade: {store.notice}", file=sys.stderr)
            store.notice = None
        if args.json:
            print(json.dumps(report.to_json(), indent=2))
        else:
            print_report(report, exercise, file)
        return 0 if report.passed else 1

    return _watch(file, once) if args.watch else once()


def _watch(file: Path, once) -> int:
    """Poll the file's modification time: simple, portable, and enough for one file."""
    print(f"watching {display_path(file)}; Ctrl-C stops", file=sys.stderr)
    code = once()
    seen = _stamp(file)
    try:
        while True:
            time.sleep(0.3)
            stamp = _stamp(file)
            if stamp != seen and stamp is not None:
                seen = stamp
                print(f"\n--- {display_path(file)} changed; grading again ---\n", file=sys.stderr)
                code = once()
    except KeyboardInterrupt:
        return code


def _stamp(file: Path) -> tuple[int, int] | None:
    try:
        stat = file.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def print_report(report: GradeReport, exercise: Exercise, file: Path) -> None:
    print(f"{exercise.title}  [{exercise.id}]  {display_path(file)}\n")
    for item in report.items:
        mark = "✓" if item.passed else "✗"
        print(f" {mark} {item.description}")
        print(f"     {item.evidence}")
        if not item.passed:
            print(f"     hint: {item.hint}")
    passed = sum(item.passed for item in report.items)
    print()
    requests = len(report.timeline)
    limited = sum(1 for point in report.timeline if point.status == 429)
    print(f"{passed}/{len(report.items)} passed · {requests} request(s), {limited} rate-limited · "
          f"{report.scenario_s:.1f} s scenario time in {report.wall_s:.2f} s · isolation: {report.isolation} · "
          f"seed {report.seed}")
    if report.limit_hit in CLOCK_STOPS:
        print(f"the program {CLOCK_STOPS[report.limit_hit]}")
    if report.passed:
        print("All checks pass.")
    elif report.stderr.strip() and report.exit_code not in (0, None):
        tail = "\n".join(report.stderr.strip().splitlines()[-8:])
        print(f"\nthe program's last error output:\n{tail}")
