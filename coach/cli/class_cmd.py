"""`coach grade EXERCISE --class DIR`: a whole class graded in parallel, for the terminal, CI and a spreadsheet."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.curriculum.model import Exercise, display_path
from coach.grader.classroom import ClassReport, LearnerResult, default_jobs, find_submissions, grade_class
from coach.grader.report import CLOCK_STOPS

if TYPE_CHECKING:
    from coach.grader.session import GradingSession


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "class grading", "Grade every learner's submission in DIR (a file or a folder per learner) in parallel. "
        "Nothing is recorded in your own progress.")
    group.add_argument("--class", dest="class_dir", type=Path, metavar="DIR", help="folder of submissions")
    group.add_argument("--jobs", type=int, metavar="N", default=None,
                       help=f"submissions graded at once (default: two per core, {default_jobs()})")
    group.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML: a testsuite per learner")
    group.add_argument("--csv", type=Path, metavar="FILE", help="write CSV: a row per learner, a column per item")


def usage_problem(args: argparse.Namespace) -> str | None:
    """Flags that make no sense together, said before anything is graded."""
    if args.class_dir is None:
        extra = [flag for flag, value in (("--jobs", args.jobs), ("--junit", args.junit), ("--csv", args.csv))
                 if value is not None]
        return f"{', '.join(extra)} only go with --class DIR" if extra else None
    if args.file is not None:
        return "give either FILE or --class DIR, not both"
    if args.watch:
        return "--watch grades one file; it does not go with --class"
    if not args.class_dir.is_dir():
        return f"no such folder: {args.class_dir}"
    if args.jobs is not None and args.jobs < 1:
        return "--jobs must be at least 1"
    return None


def run_class(args: argparse.Namespace, exercise: Exercise, session: GradingSession) -> int:
    submissions = find_submissions(exercise, args.class_dir)
    if not submissions:
        print(f"coach grade: no submissions in {args.class_dir} (a .py file or a folder per learner)",
              file=sys.stderr)
        return 2
    with _ProgressBar(len(submissions), exercise.id) as bar:
        report = grade_class(exercise, submissions, lambda e, f: session.grade(e, f, seed=args.seed),
                             jobs=args.jobs, on_result=bar.advance)
    try:
        if args.junit is not None:
            from coach.grader.classexport import junit_xml

            args.junit.write_bytes(junit_xml(report))
        if args.csv is not None:
            from coach.grader.classexport import csv_text

            args.csv.write_text(csv_text(report), encoding="utf-8", newline="")
    except OSError as exc:
        print(f"coach grade: cannot write {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(class_json(report), indent=2))
    else:
        print_class(report)
    return 0 if report.passed else 1


def class_json(report: ClassReport) -> dict[str, Any]:
    return {
        "exercise": report.exercise.id,
        "passed": report.passed,
        "wall_s": round(report.wall_s, 3),
        "jobs": report.jobs,
        "learners": [
            {"learner": r.learner, "file": str(r.file) if r.file else None, "passed": r.passed, "error": r.error,
             "report": r.report.to_json() if r.report else None}
            for r in report.results
        ],
    }


def print_class(report: ClassReport) -> None:
    exercise = report.exercise
    print(f"{exercise.title}  [{exercise.id}]  {len(report.results)} learner(s)\n")
    width = max(len(r.learner) for r in report.results)
    for result in report.results:
        print(f" {'✓' if result.passed else '✗'} {result.learner:<{width}}  {_line(result)}")
    passed = sum(r.passed for r in report.results)
    print(f"\n{passed}/{len(report.results)} passed every item · {report.wall_s:.1f} s, {report.jobs} at a time")


def _line(result: LearnerResult) -> str:
    if result.report is None:
        return f"not graded: {result.error}"
    graded = result.report
    words = f"{sum(i.passed for i in graded.items)}/{len(graded.items)}"
    failing = [item.id for item in graded.failed_items]
    if failing:
        words += f"  failing: {', '.join(failing)}"
    if graded.timed_out:
        words += "  (timed out)"
    elif graded.limit_hit in CLOCK_STOPS:
        words += f"  ({CLOCK_STOPS[graded.limit_hit].split(':')[0]})"
    elif graded.limit_hit:
        words += f"  (hit the {graded.limit_hit} limit)"
    return f"{words}  {display_path(result.file)}" if result.file else words


class _ProgressBar:
    """A progress bar on stderr when it is a terminal; silent otherwise (CI logs, pipes)."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label = total, label
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _ProgressBar:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("grading {task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=self.total)
        return self

    def advance(self, result: LearnerResult) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=1)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
