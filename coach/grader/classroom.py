"""Grade a whole class: one submission per learner, in parallel on one warm pool.

A class folder holds a file per learner (`alice.py`) or a folder per learner (`alice/...py`).
Each submission is graded exactly as `coach grade` grades one file; a learner whose program
crashes, hangs or cannot be read gets a result that says so, and the others carry on. Nothing
here touches the instructor's own progress.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from coach.curriculum.model import Exercise
from coach.grader.grade import GradeError
from coach.grader.report import GradeReport


@dataclass(frozen=True)
class Submission:
    learner: str
    file: Path | None
    problem: str | None = None
    """Why there is no file to grade (a learner folder with no or several Python files)."""


@dataclass(frozen=True)
class LearnerResult:
    learner: str
    file: Path | None
    report: GradeReport | None
    error: str | None = None
    """Set when the submission could not be graded at all; `report` is then None."""

    @property
    def passed(self) -> bool:
        return self.report is not None and self.report.passed


@dataclass(frozen=True)
class ClassReport:
    exercise: Exercise
    results: tuple[LearnerResult, ...]
    """In learner order, whatever order they finished in."""
    wall_s: float
    jobs: int

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(result.passed for result in self.results)


Grade = Callable[[Exercise, Path], GradeReport]


def find_submissions(exercise: Exercise, folder: Path) -> list[Submission]:
    """One submission per `*.py` file or per sub-folder, by learner name; hidden entries are skipped."""
    submissions = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_file() and entry.suffix == ".py":
            submissions.append(Submission(entry.stem, entry))
        elif entry.is_dir():
            submissions.append(_in_learner_folder(exercise, entry))
    return submissions


def _in_learner_folder(exercise: Exercise, folder: Path) -> Submission:
    files = sorted(p for p in folder.glob("*.py") if not p.name.startswith("."))
    if len(files) == 1:
        return Submission(folder.name, files[0])
    preferred = (exercise.starter.name, f"{exercise.id}.py", f"{exercise.id.replace('-', '_')}.py")
    for name in preferred:
        if folder / name in files:
            return Submission(folder.name, folder / name)
    if not files:
        return Submission(folder.name, None, f"no Python file in {folder}")
    return Submission(folder.name, None, f"{len(files)} Python files in {folder} and none is named "
                                         f"{' or '.join(preferred)}")


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def default_jobs() -> int:
    """Two grades per core: a grade spends part of its wall time waiting (scenario pauses, the stub's
    settle), and a second grade per core fills it (bench/class_grade.py, docs/performance.md)."""
    return 2 * cores()


def grade_class(
    exercise: Exercise,
    submissions: list[Submission],
    grade: Grade,
    *,
    jobs: int | None = None,
    on_result: Callable[[LearnerResult], None] | None = None,
) -> ClassReport:
    """Grade every submission with `grade` (e.g. `GradingSession.grade`), `jobs` at a time."""
    jobs = max(1, jobs or default_jobs())
    started = time.monotonic()
    results: dict[int, LearnerResult] = {}
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="coach-class") as pool:
        futures = {pool.submit(_grade_one, exercise, submission, grade): i for i, submission in enumerate(submissions)}
        for future in as_completed(futures):
            results[futures[future]] = result = future.result()
            if on_result is not None:
                on_result(result)
    ordered = tuple(results[i] for i in range(len(submissions)))
    return ClassReport(exercise, ordered, time.monotonic() - started, jobs)


def _grade_one(exercise: Exercise, submission: Submission, grade: Grade) -> LearnerResult:
    if submission.file is None:
        return LearnerResult(submission.learner, None, None, submission.problem)
    try:
        return LearnerResult(submission.learner, submission.file, grade(exercise, submission.file))
    except GradeError as exc:
        return LearnerResult(submission.learner, submission.file, None, str(exc))
    except Exception as exc:  # one learner's file must never stop the class
        return LearnerResult(submission.learner, submission.file, None,
                             f"grading failed: {type(exc).__name__}: {exc}")
