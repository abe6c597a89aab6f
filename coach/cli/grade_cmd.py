"""`coach grade`: run an exercise against its fault scenario and print the checklist."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from coach.cli import class_cmd
from coach.curriculum import load_curriculum
from coach.curriculum.model import Exercise, display_path
from coach.grader.report import CLOCK_STOPS, GradeReport
from coach.hints import hint_ladder, revealed
from coach.progress import ProgressError, ProgressStore
from coach.workspace import open_workspace, workspace_file

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
    p.add_argument("--watch", action="store_true",
                   help="grade again every time FILE is saved, redrawing the report (Ctrl-C stops)")
    p.add_argument("--hint", action="store_true",
                   help="reveal the next step of the first failing item's hint ladder (nudge, pointer, near-code)")
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
    # Only the workspace copy is the learner's attempt: grading some other file says what it
    # would score, and records nothing (a reference graded from elsewhere is not a pass).
    own = _same_file(file, workspace_file(exercise))

    def once() -> int:
        try:
            report = session.grade(exercise, file, seed=args.seed)
        except GradeError as exc:
            print(f"coach grade: {exc}", file=sys.stderr)
            return 2
        hints = store.load().exercise(exercise.id).hints
        if args.hint and (step := _reveal_next(exercise, report, hints)):
            item_id, steps = step
            hints = {**hints, item_id: steps}
            if own:
                _record(store, lambda: store.record_hint(exercise.id, item_id, steps))
        if own:
            _record(store, lambda: store.record_attempt(exercise.id, {item.id: item.passed for item in report.items}))
        if args.json:
            print(json.dumps(report.to_json(), indent=2))
        else:
            print_report(report, exercise, file, hints)
            if not own:
                print(f"\n(not recorded as your attempt: {display_path(file)} is not your workspace copy, "
                      f"{display_path(workspace_file(exercise))})")
        return 0 if report.passed else 1

    return _watch(file, once) if args.watch else once()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _record(store: ProgressStore, change: Callable[[], object]) -> None:
    try:
        change()
    except ProgressError as exc:
        print(f"coach grade: {exc}", file=sys.stderr)
    if store.notice:
        print(f"coach grade: {store.notice}", file=sys.stderr)
        store.notice = None


def _reveal_next(exercise: Exercise, report: GradeReport, hints: dict[str, int]) -> tuple[str, int] | None:
    """(item id, steps now revealed) for the first failing item with a step still hidden."""
    for result in report.failed_items:
        item = next((c for c in exercise.checks if c.id == result.id), None)
        if item is not None and hints.get(item.id, 0) < len(hint_ladder(item)):
            return item.id, hints.get(item.id, 0) + 1
    return None


def _watch(file: Path, once: Callable[[], int]) -> int:
    """Grade, then grade again on every save, redrawing the report in place (watchfiles, not polling)."""
    from watchfiles import watch

    clear = sys.stdout.isatty()

    def draw() -> int:
        if clear:
            print("\033[H\033[2J", end="", flush=True)
        code = once()
        print(f"\nwatching {display_path(file)}; save it to grade again, Ctrl-C stops", file=sys.stderr)
        return code

    code = draw()
    try:
        # The folder is watched, not the file: editors that save by writing a new file and renaming
        # it over the old one would otherwise end the watch after the first save.
        for changes in watch(file.parent, debounce=200, rust_timeout=0, yield_on_timeout=False):
            if any(Path(path).name == file.name for _, path in changes) and file.is_file():
                code = draw()
    except KeyboardInterrupt:
        pass
    return code


def print_report(report: GradeReport, exercise: Exercise, file: Path, hints: dict[str, int] | None = None) -> None:
    """Errors first (the learner's own traceback line), then the checklist with the hints revealed so far."""
    hints = hints or {}
    print(f"{exercise.title}  [{exercise.id}]  {display_path(file)}\n")
    if report.error is not None:
        what = "does not parse" if report.error.kind == "syntax" else "stopped with an error"
        print(f"Your code {what}:")
        for line in report.error.lines():
            print(f"  {line}")
        print("\nThe checklist below follows from that; fix the error first.\n")
    items = {item.id: item for item in exercise.checks}
    hidden = False
    for result in report.items:
        mark = "✓" if result.passed else "✗"
        print(f" {mark} {result.description}")
        print(f"     {result.evidence}")
        if not result.passed and result.id in items:
            steps = revealed(items[result.id], hints.get(result.id, 0))
            for step in steps:
                print(f"     {step.name}: {step.text}")
            hidden = hidden or len(steps) < len(hint_ladder(items[result.id]))
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
    elif hidden:
        print("Stuck? `coach grade --hint` reveals the next hint for the first failing item.")
    if not report.passed and report.error is None and report.stderr.strip() and report.exit_code not in (0, None):
        tail = "\n".join(report.stderr.strip().splitlines()[-8:])
        print(f"\nthe program's last error output:\n{tail}")
